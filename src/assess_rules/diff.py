"""What changed between two packs, for governance sign-off: field by field, and case by case.

:func:`diff_policies` compares the effective packs (``extends`` resolved, parameters' values
in the durations: :func:`assess_rules.resolved_pack`) and gives a :class:`PackChange` per
difference: a rule added, removed, or changed in one field (a timescale, a reason, an
approver, a condition, a source, ...), a parameter, the calendar, the roles, the record
kinds, the pack's own details. Each is data (where, old value, new value) with a sentence
for people built from it.

:func:`diff_outcomes` evaluates a stream of case records (JSON Lines) under both packs and
gives a :class:`CaseDiff` for each record: how its outcome changes (a deadline's due date or
status, a violation added or removed, a permitted action's status, an obligation added or
removed), or why the record could not be read. Each pack judges every case as if it were in
force on the case's referral date: the packs' own ``effective_from`` and ``effective_to``
are set aside (their change is listed with the pack's details), the rules' own are not.

>>> from assess_rules import load_policy
>>> old = load_policy("examples/packs/northshire@1.0.0.yaml")
>>> new = load_policy("examples/packs/northshire.yaml")
>>> changes = diff_policies(old, new)
>>> print(next(c.text for c in changes if c.target == "assessment-completion"))
Timescale assessment-completion: 45 working days -> 40 working days
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO, Literal, TextIO

from assess_rules.calendar import amount_words, today_in_london
from assess_rules.case import CaseSnapshot, parse_case
from assess_rules.errors import AssessRulesError, CaseError, CaseIssue
from assess_rules.evaluation import evaluate
from assess_rules.kinds import kind_of
from assess_rules.loading import SearchPath
from assess_rules.pack import RemovedRule
from assess_rules.policy import Policy
from assess_rules.records import (
    DEFAULT_LIMITS,
    Limits,
    RawLine,
    RecordRefusedError,
    loads_record,
    read_lines,
    too_long_reason,
)
from assess_rules.resolved import resolved_pack, select_policy
from assess_rules.result import Result

__all__ = [
    "CaseDiff",
    "CaseRefusal",
    "OutcomeChange",
    "OutcomeCounts",
    "PackChange",
    "as_sole_version",
    "case_markdown",
    "case_text",
    "counts_text",
    "diff_command",
    "diff_markdown",
    "diff_outcomes",
    "diff_policies",
    "diff_text",
    "outcome_changes",
]

ChangeKind = Literal["added", "removed", "changed"]
Path_ = tuple[str | int, ...]

#: what each kind of rule is called at the head of a change line
_KIND_NOUNS = {
    "timescale": "Timescale",
    "action": "Action rule",
    "cancellation": "Action rule",
    "consent": "Consent rule",
    "obligation": "Obligation",
    "warning": "Warning rule",
    "prohibition": "Prohibition",
    "check": "Check",
    "authority": "Authority rule",
    "recurring": "Recurring duty",
    "caseload_review": "Caseload review",
}
#: a list's items, by the list's key
_ITEM_NOUNS = {
    "reasons": "reason",
    "requires": "required step",
    "steps": "step",
    "extensions": "extension",
    "sources": "source",
    "documents": "document",
    "changes": "change note",
    "closures": "closure day",
    "recurring_closures": "recurring closure",
    "requestable_actions": "requestable action",
    "oversight_kinds": "oversight kind",
    "action_kinds": "action kind",
    "roles": "role",
    "aliases": "alias",
    "grounds": "ground",
    "except_grounds": "except ground",
    "record": "record",
    "rules": "rule",
}
_ROLE_FIELDS = frozenset({"decided_by", "recommended_by", "by", "owner", "role", "reviewed_by"})
#: fields that name who must approve: a change says whether it is raised or lowered
_APPROVER_FIELDS = frozenset({"decided_by", "recommended_by", "by", "role", "reviewed_by"})
_CONDITION_FIELDS = frozenset({"when", "applies_when", "violation_when", "also_requires", "unless"})
_LONG = 70


@dataclass(frozen=True, slots=True)
class PackChange:
    """One difference between two packs.

    ``section`` is ``pack``, ``vocabulary``, ``calendar``, ``roles``, ``parameters`` or
    ``rules``; ``target`` the rule's (parameter's, role's, ...) id, or None for the section
    itself; ``path`` the field within the target (keys, and the ids of listed items: reasons,
    steps, extensions); ``old`` and ``new`` the values as plain data (None: absent).
    ``text`` says it in plain words; ``details`` carries the old and new texts of a long
    value (a note, a condition), one line each."""

    section: str
    target: str | None
    path: tuple[str, ...]
    change: ChangeKind
    old: Any
    new: Any
    text: str
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The change as plain JSON-ready values."""
        return {
            "section": self.section,
            "target": self.target,
            "path": list(self.path),
            "change": self.change,
            "old": self.old,
            "new": self.new,
            "text": self.text,
            "details": list(self.details),
        }


def diff_policies(old: Policy, new: Policy) -> list[PackChange]:
    """Every difference between the effective packs ``old`` and ``new``, in the order of
    the pack format (pack details, vocabulary, calendar, roles, parameters, rules); empty
    when they would judge every case alike and say the same of themselves.

    >>> from assess_rules import load_policy
    >>> diff_policies(load_policy("kent"), load_policy("kent"))
    []
    """
    before = _comparable(old)
    after = _comparable(new)
    words = _Words(old, new)
    raw: list[tuple[Path_, ChangeKind, Any, Any]] = []
    for section in after:
        raw += _compare(before.get(section), after.get(section), (section,))
    changes = [words.describe(path, change, a, b) for path, change, a, b in raw]
    changes += _ladder(before["roles"], after["roles"])
    changes += _parameter_readers(old, new)
    order = list(after)
    changes.sort(key=lambda c: order.index(c.section))
    if old.id != new.id:  # two different packs: what they judge first, their details last
        details = [c for c in changes if c.section == "pack"]
        changes = [c for c in changes if c.section != "pack"] + _grouped(details)
    return changes


def _grouped(changes: list[PackChange]) -> list[PackChange]:
    """Pack details with the items added to (or removed from) one list said once, as
    "13 change notes removed": between two different packs each is noise, not news."""
    groups: dict[tuple[str, str], list[PackChange]] = {}
    for change in changes:
        listed = change.path and len(change.path) <= 2 and change.path[0] in _ITEM_NOUNS
        if change.change != "changed" and listed:
            groups.setdefault((change.path[0], change.change), []).append(change)
    out: list[PackChange] = []
    for change in changes:
        group = groups.get((change.path[0], change.change)) if change.path else None
        if not group or len(group) == 1 or change not in group:
            out.append(change)
        elif change is group[0]:
            field, kind = change.path[0], change.change
            out.append(
                PackChange(
                    "pack",
                    None,
                    (field,),
                    kind,
                    [c.old for c in group] if kind == "removed" else None,
                    [c.new for c in group] if kind == "added" else None,
                    f"Pack: {_count(len(group), _ITEM_NOUNS[field])} {kind}",
                )
            )
    return out


# --- comparing plain data --------------------------------------------------------------------


def _comparable(policy: Policy) -> dict[str, Any]:
    """The effective pack with every field, each rule's kind by its current name (a rule
    written ``kind: cancellation``, the older name of ``action``, is the same rule)."""
    data = resolved_pack(policy, defaults=True)
    for rule, item in zip(policy.rules, data["rules"], strict=True):
        item["kind"] = kind_of(rule).name
    return data


def _compare(a: Any, b: Any, path: Path_) -> list[tuple[Path_, ChangeKind, Any, Any]]:
    if a == b:
        return []
    if a is None or b is None:
        return [(path, "added" if a is None else "removed", a, b)]
    if isinstance(a, dict) and isinstance(b, dict) and not _is_duration(a):
        if a.get("kind", None) != b.get("kind", None):  # a rule of another kind: whole
            return [(path, "changed", a, b)]
        out = []
        for key in [*b, *(k for k in a if k not in b)]:
            out += _compare(a.get(key), b.get(key), (*path, key))
        return out
    if isinstance(a, list) and isinstance(b, list):
        keyed_a, keyed_b = _keyed(a), _keyed(b)
        if keyed_a is not None and keyed_b is not None:
            out = []
            for key in [*keyed_b, *(k for k in keyed_a if k not in keyed_b)]:
                out += _compare(keyed_a.get(key), keyed_b.get(key), (*path, key))
            return out
        if all(not isinstance(v, dict | list) for v in (*a, *b)) and path[-1] not in {
            "record",
            "grounds",
            "except_grounds",
            "closures",
            "aliases",
        }:
            return [(path, "changed", a, b)]
        removed = list((Counter(map(_frozen, a)) - Counter(map(_frozen, b))).elements())
        added = list((Counter(map(_frozen, b)) - Counter(map(_frozen, a))).elements())
        found = {_frozen(v): v for v in (*a, *b)}
        return [(path, "removed", found[k], None) for k in removed] + [
            (path, "added", None, found[k]) for k in added
        ]
    return [(path, "changed", a, b)]


def _is_duration(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"amount", "unit"}


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list of items with ids (reasons, steps, rules, ...) by id; None unless every item
    has a distinct one."""
    if not all(isinstance(v, dict) and isinstance(v.get("id"), str) for v in items):
        if all(isinstance(v, dict) and isinstance(v.get("version"), str) for v in items):
            versions = {v["version"]: v for v in items}
            return versions if len(versions) == len(items) else None
        return None
    keyed = {v["id"]: v for v in items}
    if len(keyed) != len(items) or any(_is_source(v) for v in items):
        return None
    return keyed


def _is_source(value: dict[str, Any]) -> bool:
    return set(value) == {"id", "para"}


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _ladder(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[PackChange]:
    """The approver ladder's order, where it changed (roles added or removed aside)."""
    old = [r["id"] for r in before if r["id"] in {x["id"] for x in after}]
    new = [r["id"] for r in after if r["id"] in {x["id"] for x in before}]
    if old == new:
        return []
    text = f"Roles: the ladder's order changed: {' < '.join(old)} -> {' < '.join(new)}"
    return [PackChange("roles", None, ("order",), "changed", old, new, text)]


_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def _parameter_readers(old: Policy, new: Policy) -> list[PackChange]:
    """A rule whose conditions read a parameter whose value changed: its text is the same,
    what it decides is not."""
    out = []
    for name, parameter in new.parameters.items():
        before = old.parameters.get(name)
        if before is None or before.value == parameter.value:
            continue
        for rule in new.rules:
            texts = [
                text
                for _field, text in _conditions(rule.model_dump())
                if name in _WORD.findall(text)
            ]
            if texts:
                noun = _KIND_NOUNS.get(rule.kind, "Rule")
                text = (
                    f"{noun} {rule.id}: its conditions read parameter {name}, "
                    f"{before.value} -> {parameter.value}"
                )
                out.append(
                    PackChange(
                        "rules",
                        rule.id,
                        ("parameter", name),
                        "changed",
                        before.value,
                        parameter.value,
                        text,
                    )
                )
    return out


def _conditions(data: Any) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _CONDITION_FIELDS and isinstance(value, str):
                yield key, value
            else:
                yield from _conditions(value)
    elif isinstance(data, list | tuple):
        for item in data:
            yield from _conditions(item)


# --- plain words ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    old: Policy
    new: Policy

    def describe(self, path: Path_, change: ChangeKind, a: Any, b: Any) -> PackChange:
        section = str(path[0])
        rest = [str(p) for p in path[1:]]
        target: str | None = None
        if section in {"rules", "parameters", "roles"} and rest:
            target = rest.pop(0)
        elif section == "vocabulary" and len(rest) >= 2:
            target = rest[1]
        subject = self._subject(section, target)
        details: tuple[str, ...] = ()
        value = b if change == "added" else a
        if target is not None and not rest and section != "vocabulary":
            text = f"{subject} {change}: {self._item(section, value)}"
            if section == "rules" and change == "removed":
                why = _removal(self.new.removed, target)
                if why is not None:
                    text += f" (the new pack says why: {why})"
        elif (
            change != "changed"
            and len(rest) >= 2
            and rest[-2] in _ITEM_NOUNS
            and isinstance(value, dict)
            and not _is_source(value)
        ):
            label = self._label(value)
            text = f"{subject}: {_trail(rest[:-2])}{_ITEM_NOUNS[rest[-2]]} {rest[-1]} {change}"
            text += f": {label}" if label else ""
        elif change != "changed" and rest and rest[-1] in _ITEM_NOUNS:
            noun = _ITEM_NOUNS[rest[-1]]
            shown = self._value(rest[-1], value, change == "added")
            text = f"{subject}: {_trail(rest[:-1])}{noun} {change}: {shown}"
        else:
            field = rest[-1] if rest else ""
            kind = self._kind(target) if section == "rules" else None
            plain = (kind in {"timescale", "recurring"} and rest in (["within"], ["every"])) or (
                section == "parameters" and rest == ["value"]
            )
            label = "" if plain else f"{_field_words(field)} " if field else ""
            old_text = self._value(field, a, False)
            new_text = self._value(field, b, True)
            where = f"{subject}: {_trail(rest[:-1])}{label}"
            if len(old_text) > _LONG or len(new_text) > _LONG:
                text = f"{where}changed"
                details = (f"was: {old_text}", f"now: {new_text}")
            else:
                text = f"{where}{old_text} -> {new_text}{self._direction(field, a, b)}"
        return PackChange(section, target, tuple(rest), change, a, b, text, details)

    def _subject(self, section: str, target: str | None) -> str:
        if section == "rules":
            return f"{_KIND_NOUNS.get(self._kind(target) or '', 'Rule')} {target}"
        if section == "parameters":
            return f"Parameter {target}"
        if section == "roles":
            return f"Role {target}"
        return section.capitalize()

    def _kind(self, rule_id: str | None) -> str | None:
        for policy in (self.new, self.old):
            for rule in policy.rules:
                if rule.id == rule_id:
                    return str(rule.kind)
        return None

    def _label(self, value: Mapping[str, Any]) -> str:
        return str(value.get("label") or value.get("title") or value.get("summary") or "")

    def _item(self, section: str, value: Any) -> str:
        if section == "rules":
            return str(value.get("title"))
        if section == "roles":
            return str(value.get("label"))
        return str(value.get("value"))

    def _value(self, field: str, value: Any, new: bool) -> str:
        policy = self.new if new else self.old
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if _is_duration(value):
            return _duration(value)
        if isinstance(value, dict):
            if _is_source(value):
                return f"{value['id']} (para {value['para']})"
            if "every" in value and "rule" in value:  # a recurring closure
                when = value["every"] or str(value["rule"]).replace("_", " ")
                return (
                    f"{value['label']} (every {when})"
                    if value["every"]
                    else f"{value['label']} ({when})"
                )
            ident = value.get("id") or value.get("version") or value.get("label")
            label = value.get("label") or value.get("title") or value.get("summary")
            if ident is not None and label is not None and label != ident:
                return f"{ident} ({label})"
            if ident is not None:
                return str(ident)
            return ", ".join(f"{k} {self._value(k, v, new)}" for k, v in value.items())
        if isinstance(value, list):
            if not value:
                return "none"
            return ", ".join(self._value(field, v, new) for v in value)
        if field in _ROLE_FIELDS and isinstance(value, str):
            return policy.role_label(value)
        if field in _CONDITION_FIELDS and isinstance(value, str):
            return f'"{value}"'
        return str(value)

    def _direction(self, field: str, a: Any, b: Any) -> str:
        """`` (raised)`` or `` (lowered)`` for an approver moved on the new pack's ladder."""
        if field not in _APPROVER_FIELDS or not isinstance(a, str) or not isinstance(b, str):
            return ""
        ranks = self.new.role_ranks
        if a not in ranks or b not in ranks or ranks[a] == ranks[b]:
            return ""
        return " (raised)" if ranks[b] > ranks[a] else " (lowered)"


def _trail(keys: Sequence[str]) -> str:
    """The fields and listed items on the way to a change: ``reason no-consent: ``."""
    words = []
    i = 0
    while i < len(keys):
        if keys[i] in _ITEM_NOUNS and i + 1 < len(keys):
            words.append(f"{_ITEM_NOUNS[keys[i]]} {keys[i + 1]}: ")
            i += 2
        else:
            words.append(f"{_field_words(keys[i])}: ")
            i += 1
    return "".join(words)


def _field_words(field: str) -> str:
    return field.replace("_", " ")


def _duration(value: Mapping[str, Any]) -> str:
    return amount_words(value["amount"], str(value["unit"]))


def _removal(removed: Sequence[RemovedRule], rule_id: str | None) -> str | None:
    for removal in removed:
        if removal.id == rule_id:
            return removal.reason
    return None


# --- case outcomes -------------------------------------------------------------------------

Finding = Literal["deadline", "violation", "warning", "permitted_action", "obligation", "record"]


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """One way a case's outcome differs between the two packs.

    ``finding`` is what differs: a ``deadline`` (``old``/``new``: its due moment and status),
    a ``violation`` or ``warning`` (present or not), a ``permitted_action`` (its status and
    approver), an ``obligation`` (its status and due date), or the ``record`` itself (read
    by one pack, refused by the other: a record kind only one of them knows). ``key``
    names it: the rule and, where there is one, the subject, step or option."""

    finding: Finding
    key: tuple[str, ...]
    change: ChangeKind
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None

    @property
    def text(self) -> str:
        """The change in plain words: ``deadline R: due 2026-12-11 -> 2026-12-08 (status
        met)``; ``violation R (subject) added (severity high)``."""
        name = {"permitted_action": "permitted action"}.get(self.finding, self.finding)
        head, *rest = [k for k in self.key if k] or [""]
        what = f"{name} {head}".rstrip() + (f" ({', '.join(rest)})" if rest else "")
        if self.change != "changed":
            shown = self.new if self.change == "added" else self.old
            words = _outcome_words(shown or {})
            return f"{what} {self.change}" + (f" ({words})" if words else "")
        old, new = self.old or {}, self.new or {}
        if self.finding == "record":
            return f"record: {_side(old)} by the old pack -> {_side(new)} by the new"
        moved = [
            f"{k} {_outcome_value(old.get(k))} -> {_outcome_value(new.get(k))}"
            for k in new
            if old.get(k) != new.get(k)
        ]
        kept = _outcome_words({k: v for k, v in new.items() if old.get(k) == v})
        return f"{what}: {', '.join(moved)}" + (f" ({kept})" if kept else "")

    def to_dict(self) -> dict[str, Any]:
        """The change as plain JSON-ready values."""
        return {
            "finding": self.finding,
            "key": list(self.key),
            "change": self.change,
            "old": None if self.old is None else dict(self.old),
            "new": None if self.new is None else dict(self.new),
            "text": self.text,
        }


def _outcome_words(value: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {_outcome_value(v)}" for k, v in value.items() if v is not None)


def _side(state: Mapping[str, Any]) -> str:
    why = state.get("why")
    return f"{state.get('status')}" + (f" ({why})" if why else "")


def _outcome_value(value: Any) -> str:
    return "none" if value is None else str(value).replace("_", " ")


@dataclass(frozen=True, slots=True)
class CaseRefusal:
    """Why a record could not be judged: the stage (``line``, ``json``, ``case``,
    ``evaluation``) and the issues (field paths and reasons, never the values)."""

    stage: str
    issues: tuple[CaseIssue, ...]

    def to_dict(self) -> dict[str, Any]:
        """The refusal as plain JSON-ready values."""
        return {
            "stage": self.stage,
            "issues": [{"path": list(i.path), "reason": i.reason} for i in self.issues],
        }


@dataclass(frozen=True, slots=True)
class CaseDiff:
    """One record's line, its case id (when read) and how its outcome changes; or, with
    ``refused``, why neither pack could judge it."""

    line: int
    case_id: str | None
    changes: tuple[OutcomeChange, ...] = ()
    refused: CaseRefusal | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record's differences as plain JSON-ready values."""
        out: dict[str, Any] = {"line": self.line, "case_id": self.case_id}
        if self.refused is not None:
            out["error"] = self.refused.to_dict()
        else:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


@dataclass
class OutcomeCounts:
    """Running totals of :func:`diff_outcomes`: records read, judged by both, changed,
    refused, and the changes by finding and kind (``deadline changed``, ...)."""

    read: int = 0
    compared: int = 0
    changed: int = 0
    refused: int = 0
    by_finding: Counter[tuple[str, str]] = dataclasses.field(default_factory=Counter)

    def add(self, diff: CaseDiff) -> None:
        """Count one record."""
        self.read += 1
        if diff.refused is not None:
            self.refused += 1
            return
        self.compared += 1
        if diff.changes:
            self.changed += 1
        for change in diff.changes:
            self.by_finding[(change.finding, change.change)] += 1

    def to_dict(self) -> dict[str, Any]:
        """The totals as plain JSON-ready values."""
        return {
            "read": self.read,
            "compared": self.compared,
            "changed": self.changed,
            "unchanged": self.compared - self.changed,
            "refused": self.refused,
            "changes": [
                {"finding": f, "change": c, "count": n}
                for (f, c), n in sorted(self.by_finding.items())
            ],
        }


def as_sole_version(policy: Policy) -> Policy:
    """``policy`` alone, in force on every date: without the other versions installed
    beside it and without its own ``effective_from``/``effective_to`` (its rules keep
    theirs), so that it judges any case it is given."""
    info = policy.info.model_copy(update={"effective_from": None, "effective_to": None})
    return dataclasses.replace(policy, info=info, versions=())


def diff_outcomes(
    old: Policy,
    new: Policy,
    lines: Iterable[RawLine],
    as_of: date | datetime | str,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[CaseDiff]:
    """For each record of ``lines`` (``assess_rules.records.read_lines``), in order, how
    its outcome as of ``as_of`` under ``new`` differs from that under ``old``; never raises
    for a bad record (its :class:`CaseDiff` says why it was refused)."""
    old, new = as_sole_version(old), as_sole_version(new)
    for raw in lines:
        yield _diff_line(old, new, raw, as_of, limits)


def _diff_line(
    old: Policy, new: Policy, raw: RawLine, as_of: date | datetime | str, limits: Limits
) -> CaseDiff:
    if raw.data is None:
        issue = CaseIssue((), raw.problem or too_long_reason(limits))
        return CaseDiff(raw.number, None, refused=CaseRefusal("line", (issue,)))
    try:
        record = loads_record(raw.data, limits)
    except RecordRefusedError as exc:
        refusal = CaseRefusal("json", tuple(exc.issues))
        case_id = None if exc.given_twice("case_id") else _case_id(exc.value)
        return CaseDiff(raw.number, case_id, refused=refusal)
    except CaseError as exc:
        return CaseDiff(raw.number, None, refused=CaseRefusal("json", tuple(exc.issues)))
    case_id = _case_id(record)
    before = _judge(old, record, as_of)
    after = _judge(new, record, as_of)
    if isinstance(before, CaseRefusal) and isinstance(after, CaseRefusal):
        return CaseDiff(raw.number, case_id, refused=after)
    if isinstance(before, CaseRefusal) or isinstance(after, CaseRefusal):
        return CaseDiff(raw.number, case_id, (_record_change(before, after),))
    return CaseDiff(raw.number, case_id, tuple(outcome_changes(before, after)))


def _case_id(record: Any) -> str | None:
    value = record.get("case_id") if isinstance(record, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def _judge(policy: Policy, record: Any, as_of: date | datetime | str) -> Result | CaseRefusal:
    try:
        case: CaseSnapshot = parse_case(record, vocabulary=policy.vocabulary)
    except CaseError as exc:
        return CaseRefusal("case", tuple(exc.issues))
    except RecursionError:
        return CaseRefusal("case", (CaseIssue((), "nested too deeply"),))
    try:
        return evaluate(policy, case, as_of)
    except CaseError as exc:
        return CaseRefusal("case", tuple(exc.issues))
    except AssessRulesError as exc:
        return CaseRefusal("evaluation", (CaseIssue((), str(exc)),))


def _record_change(before: Result | CaseRefusal, after: Result | CaseRefusal) -> OutcomeChange:
    def state(side: Result | CaseRefusal) -> dict[str, Any]:
        if isinstance(side, Result):
            return {"status": "judged"}
        reasons = "; ".join(
            f"{'.'.join(map(str, i.path)) or 'record'}: {i.reason}" for i in side.issues[:3]
        )
        return {"status": f"refused ({side.stage})", "why": reasons}

    return OutcomeChange("record", ("",), "changed", state(before), state(after))


def outcome_changes(before: Result, after: Result) -> list[OutcomeChange]:
    """How ``after`` (a case's result under the new pack) differs from ``before`` (under
    the old): deadlines, violations, warnings, permitted actions, obligations, in that order.
    """
    out: list[OutcomeChange] = []
    for finding, old_items, new_items in (
        ("deadline", _deadlines(before), _deadlines(after)),
        ("violation", _violations(before), _violations(after)),
        ("warning", _warnings(before), _warnings(after)),
        ("permitted_action", _actions(before), _actions(after)),
        ("obligation", _obligations(before), _obligations(after)),
    ):
        for key in [*new_items, *(k for k in old_items if k not in new_items)]:
            a, b = old_items.get(key), new_items.get(key)
            if a == b:
                continue
            change: ChangeKind = "added" if a is None else "removed" if b is None else "changed"
            out.append(OutcomeChange(finding, key, change, a, b))  # type: ignore[arg-type]
    return out


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


Keyed = dict[tuple[str, ...], dict[str, Any]]


def _keyed_findings(items: Iterable[tuple[tuple[str, ...], dict[str, Any]]]) -> Keyed:
    """Findings by key; a key met again (two violations of one rule on one subject) gets a
    count after it (``#2``), so none is lost."""
    out: Keyed = {}
    for key, value in items:
        unique, n = key, 1
        while unique in out:
            n += 1
            unique = (*key, f"#{n}")
        out[unique] = value
    return out


def _deadlines(result: Result) -> Keyed:
    return _keyed_findings(
        (
            (d.rule, d.subject or ""),
            {
                "due": d.due.isoformat(timespec="minutes")
                if d.unit == "hours"
                else _iso(d.due_date),
                "status": d.status,
                "within": amount_words(d.amount, d.unit),
                "extension": d.extension,
            },
        )
        for d in result.deadlines
    )


def _violations(result: Result) -> Keyed:
    return _keyed_findings(
        ((v.rule, v.subject or "", v.step or "", v.branch or ""), {"severity": v.severity})
        for v in result.violations
    )


def _warnings(result: Result) -> Keyed:
    return _keyed_findings(((w.rule, w.subject or ""), {}) for w in result.warnings)


def _actions(result: Result) -> Keyed:
    return _keyed_findings(
        ((p.action, p.option or "", p.subject or ""), {"status": p.status, "approver": p.approver})
        for p in result.permitted_actions
    )


def _obligations(result: Result) -> Keyed:
    return _keyed_findings(
        ((o.rule, o.step or "", o.subject or ""), {"status": o.status, "due": _iso(o.due)})
        for o in result.obligations
    )


# --- reports ---------------------------------------------------------------------------------

_SECTION_TITLES = {
    "pack": "Pack details",
    "vocabulary": "Vocabulary",
    "calendar": "Calendar",
    "roles": "Roles",
    "parameters": "Parameters",
    "rules": "Rules",
}


def _stamp(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "version": policy.version,
        "content_hash": policy.content_hash,
        "file": policy.files[-1],
    }


def diff_text(old: Policy, new: Policy, changes: Sequence[PackChange]) -> str:
    """The pack's changes for people: a heading, then one line per change (a long value's
    old and new texts indented under it).

    >>> from assess_rules import load_policy
    >>> old = load_policy("examples/packs/northshire@1.0.0.yaml")
    >>> new = load_policy("examples/packs/northshire.yaml")
    >>> print(diff_text(old, new, diff_policies(old, new)).splitlines()[0])
    Changes from northshire 1.0.0 to northshire 2.0.0 (16 changes):
    """
    before, after = _name(old), _name(new)
    if before == after:  # two files of one version: say which
        before, after = f"{before} ({old.files[-1]})", f"{after} ({new.files[-1]})"
    if not changes:
        return f"No differences between {before} and {after}.\n"
    lines = [f"Changes from {before} to {after} ({_count(len(changes), 'change')}):"]
    if old.id != new.id:
        lines[0] = lines[0][:-1] + ", the rules' first, the packs' own details last:"
    for change in changes:
        lines.append(f"  {change.text}")
        lines += [f"      {detail}" for detail in change.details]
    return "\n".join(lines) + "\n"


def diff_markdown(old: Policy, new: Policy, changes: Sequence[PackChange]) -> str:
    """The pack's changes as a Markdown document for sign-off: which packs (files, content
    hashes), then the changes by section."""
    heading = (
        f"# Changes to pack {_md(new.id)}: {_md(old.version)} → {_md(new.version)}"
        if old.id == new.id
        else f"# Changes from {_md(_name(old))} to {_md(_name(new))}"
    )
    lines = [
        heading,
        "",
        "| | old | new |",
        "| --- | --- | --- |",
        f"| pack | {_md(_name(old))} | {_md(_name(new))} |",
        f"| file | {_md(old.files[-1])} | {_md(new.files[-1])} |",
        f"| content hash | `{old.content_hash}` | `{new.content_hash}` |",
        "",
    ]
    if not changes:
        lines += ["No differences.", ""]
    section = None
    for change in changes:
        if change.section != section:
            section = change.section
            if lines[-1]:
                lines.append("")
            lines += [f"## {_SECTION_TITLES.get(section, section)}", ""]
        lines.append(f"- {_md(change.text.replace(' -> ', ' → '))}")
        lines += [f"  - {_md(detail)}" for detail in change.details]
    if changes:
        lines.append("")
    return "\n".join(lines)


def _name(policy: Policy) -> str:
    return f"{policy.id} {policy.version}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#])")


def _md(text: str) -> str:
    """Text that Markdown shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def case_text(diff: CaseDiff) -> list[str]:
    """A record's lines in the text report: what changed, or why it was refused."""
    where = f"line {diff.line}" + (f", case {diff.case_id}" if diff.case_id else "")
    if diff.refused is not None:
        issues = "; ".join(
            f"{'.'.join(map(str, i.path)) or 'record'}: {i.reason}" for i in diff.refused.issues
        )
        return [f"  {where}: refused ({diff.refused.stage}): {issues}"]
    return [f"  {where}:", *(f"      {c.text}" for c in diff.changes)]


def counts_text(counts: OutcomeCounts) -> str:
    """The one-paragraph summary of the cases compared."""
    parts = [
        f"{_count(counts.read, 'record')} read",
        f"{counts.compared:,} compared",
        f"{counts.changed:,} changed",
        f"{counts.compared - counts.changed:,} unchanged",
        f"{counts.refused:,} refused",
    ]
    text = "Cases: " + ", ".join(parts) + "."
    if counts.by_finding:
        names = {"permitted_action": "permitted action"}
        found = ", ".join(
            f"{names.get(f, f)}s {c}: {n:,}" for (f, c), n in sorted(counts.by_finding.items())
        )
        text += f"\nChanges: {found}."
    return text


def case_markdown(diff: CaseDiff) -> list[str]:
    """A record's lines in the Markdown report."""
    where = f"line {diff.line}" + (f", case {_md(diff.case_id)}" if diff.case_id else "")
    if diff.refused is not None:
        issues = "; ".join(
            f"{'.'.join(map(str, i.path)) or 'record'}: {i.reason}" for i in diff.refused.issues
        )
        return [f"- {where}: refused ({diff.refused.stage}): {_md(issues)}"]
    return [f"- {where}", *(f"  - {_md(c.text.replace(' -> ', ' → '))}" for c in diff.changes)]


# --- the command ---------------------------------------------------------------------------


def diff_command(
    old_spec: str,
    new_spec: str,
    *,
    cases: str | None,
    as_of: date | None,
    output_format: str,
    stdout: TextIO,
    limits: Limits = DEFAULT_LIMITS,
    search_path: SearchPath = None,
) -> int:
    """``assess-rules diff OLD NEW``: write the report; return 0 (no differences), 1
    (differences) or 2 (a record of ``cases`` could not be judged by either pack). A bad
    pack, a case file that cannot be read, or a bad argument raises an
    :class:`AssessRulesError` (the command line makes it exit 2)."""
    old = select_policy(old_spec, search_path=search_path)
    new = select_policy(new_spec, search_path=search_path)
    changes = diff_policies(old, new)
    source = _open_cases(cases) if cases is not None else None
    day = as_of or today_in_london()
    counts = OutcomeCounts()
    try:
        if output_format == "json":
            _json_report(old, new, changes, source, day, limits, counts, stdout)
        else:
            markdown = output_format == "markdown"
            stdout.write(
                diff_markdown(old, new, changes) if markdown else diff_text(old, new, changes)
            )
            if source is not None:
                _case_report(old, new, source, day, limits, counts, stdout, markdown=markdown)
    finally:
        if source is not None and source is not sys.stdin.buffer:
            source.close()
    if counts.refused:
        return 2
    return 1 if changes or counts.changed else 0


def _open_cases(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    try:
        return open(name, "rb")
    except OSError as exc:
        issue = CaseIssue((), f"cannot read the file: {exc.strerror or exc}")
        raise CaseError([issue], source=name) from None


def _case_report(
    old: Policy,
    new: Policy,
    source: BinaryIO,
    as_of: date,
    limits: Limits,
    counts: OutcomeCounts,
    stdout: TextIO,
    *,
    markdown: bool,
) -> None:
    title = f"Cases whose outcome changes (as of {as_of.isoformat()})"
    stdout.write(f"\n## {title}\n\n" if markdown else f"\n{title}:\n")
    for diff in diff_outcomes(old, new, read_lines(source, limits), as_of, limits=limits):
        counts.add(diff)
        if diff.changes or diff.refused is not None:
            shown = case_markdown(diff) if markdown else case_text(diff)
            stdout.write("\n".join(shown) + "\n")
    if not counts.changed and not counts.refused:
        stdout.write("No case's outcome changes.\n" if markdown else "  none\n")
    summary = counts_text(counts)
    stdout.write(f"\n{_md(summary)}\n" if markdown else f"{summary}\n")


def _json_report(
    old: Policy,
    new: Policy,
    changes: Sequence[PackChange],
    source: BinaryIO | None,
    as_of: date,
    limits: Limits,
    counts: OutcomeCounts,
    stdout: TextIO,
) -> None:
    """One JSON document, its ``cases`` written as they are found (the records whose
    outcome changes, and those refused), so memory stays flat whatever the input."""
    head = {
        "old": _stamp(old),
        "new": _stamp(new),
        "changes": [c.to_dict() for c in changes],
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    if source is None:
        stdout.write(text + "\n")
        return
    stdout.write(text[:-2] + f',\n  "as_of": "{as_of.isoformat()}",\n  "cases": [')
    first = True
    for diff in diff_outcomes(old, new, read_lines(source, limits), as_of, limits=limits):
        counts.add(diff)
        if diff.changes or diff.refused is not None:
            item = json.dumps(diff.to_dict(), ensure_ascii=False)
            stdout.write(("\n    " if first else ",\n    ") + item)
            first = False
    summary = json.dumps(counts.to_dict(), ensure_ascii=False)
    stdout.write(("\n  ]" if not first else "]") + f',\n  "case_summary": {summary}\n}}\n')
