"""Domain lints for policy packs: what a pack may say validly but probably should not.

Validation (:func:`assess_rules.load_policy`) refuses a pack that is wrong; a lint finds one
that loads but is likely mistaken, or harder to keep right than it need be. Each lint has a
stable id, a severity and a suggested fix; each :class:`Lint` finding names the file, line and
column (from the YAML, as the loader's errors do), and the rule or role it is about.

- AR001 ``unused-ignore`` (warning): a ``lint: ignore:`` entry that silences nothing;
- AR101 ``number-duplicates-parameter`` (warning): a duration's number equal to a parameter;
- AR102 ``number-duplicates-timescale`` (warning): a duration the extended pack already writes;
- AR201 ``override-loosens-limit`` (error): an override or a parameter that gives more time,
  a lower approver, more reasons, a condition that binds in fewer cases, or drops a step;
- AR202 ``removed-rule-loosens`` (error): ``removed_rules`` drops a duty, check or prohibition;
- AR301 ``condition-never-holds`` (error; a warning when numbers or dates were sampled): a
  condition no combination of the values of the facts it reads makes true;
- AR302 ``reasons-always-together`` (warning): two reasons of one action that hold together;
- AR401 ``closure-list-ends-soon`` (warning): listed closure days end within two years;
- AR501 ``role-never-acts`` (warning): a role on the ladder that no rule lets act;
- AR601 ``rule-without-scenario`` (warning): a rule no scenario beside the pack exercises;
- AR602 ``no-scenario-file`` (warning): no ``<pack>.scenarios.yaml`` beside the pack;
- AR701 ``ambiguity-without-note`` (error): a rule citing a catalogue entry marked ambiguous,
  with no ``note:``.

A pack silences a finding with a reason (``lint: {ignore: [{id: AR101, rule: x, reason:
...}]}``); an ignore that silences nothing is itself a finding (AR001). ``docs/lint.md``
explains each lint with an example and its fix.

>>> from assess_rules import lint_pack
>>> [finding for finding in lint_pack("generic_s17") if not finding.silenced]
[]
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO

import yaml
from pydantic import BaseModel, ValidationError

from assess_rules.calendar import LONDON, WorkingDayCalendar, amount_words
from assess_rules.conditions import CompiledCondition
from assess_rules.errors import AssessRulesError, PolicyError
from assess_rules.kinds import kind_of
from assess_rules.loading import SearchPath, YamlDocument, bundled_dir, load_policy, read_yaml
from assess_rules.pack import (
    AuthorityRule,
    CancellationRule,
    CaseloadReviewRule,
    Duration,
    LintIgnore,
    Pack,
    ProhibitionRule,
    Rule,
    Step,
    TimescaleRule,
)
from assess_rules.policy import Policy
from assess_rules.result import Result
from assess_rules.scenarios import check_scenario, load_scenario_file

__all__ = [
    "LINTS",
    "SAMPLE_LIMIT",
    "SEARCH_LIMIT",
    "Lint",
    "LintInfo",
    "ambiguous_catalogue_ids",
    "lint_command",
    "lint_pack",
    "lint_paths",
    "pack_files",
]

LintSeverity = Literal["error", "warning", "info"]
SEVERITY_RANK: Mapping[str, int] = {"info": 0, "warning": 1, "error": 2}

#: how many combinations of fact values a condition is tried on; beyond it, a fixed sample
SAMPLE_LIMIT = 4096

#: a listed closure day this close to the lint date is reported (AR401)
CLOSURE_HORIZON_YEARS = 2


@dataclass(frozen=True)
class LintInfo:
    """One lint: its stable id, its name, its severity and what it finds."""

    id: str
    name: str
    severity: LintSeverity
    summary: str


LINTS: Mapping[str, LintInfo] = {
    info.id: info
    for info in (
        LintInfo("AR001", "unused-ignore", "warning", "a lint ignore that silences nothing"),
        LintInfo(
            "AR101",
            "number-duplicates-parameter",
            "warning",
            "a number written in a rule that is the value of a named parameter",
        ),
        LintInfo(
            "AR102",
            "number-duplicates-timescale",
            "warning",
            "a duration written again that the extended pack already writes",
        ),
        LintInfo(
            "AR201",
            "override-loosens-limit",
            "error",
            "an override or parameter that loosens a limit of the extended pack",
        ),
        LintInfo(
            "AR202",
            "removed-rule-loosens",
            "error",
            "a removed rule that was a duty, a check or a prohibition",
        ),
        LintInfo("AR301", "condition-never-holds", "error", "a condition that can never hold"),
        LintInfo(
            "AR302",
            "reasons-always-together",
            "warning",
            "two reasons of one action whose conditions always hold together",
        ),
        LintInfo(
            "AR401",
            "closure-list-ends-soon",
            "warning",
            "a list of closure days that ends within two years",
        ),
        LintInfo("AR501", "role-never-acts", "warning", "a role no rule lets act"),
        LintInfo("AR601", "rule-without-scenario", "warning", "a rule that no scenario exercises"),
        LintInfo("AR602", "no-scenario-file", "warning", "a pack with no scenario file"),
        LintInfo(
            "AR701",
            "ambiguity-without-note",
            "error",
            "a rule citing a catalogue entry marked ambiguous, with no note",
        ),
    )
}


@dataclass(frozen=True)
class Lint:
    """One finding: which lint, where, what and how to fix it.

    ``silenced`` is the reason of the pack's ``lint: ignore:`` entry that silences it (``None``:
    it stands). ``rule`` and ``role`` say what it is about, for ignores and for tools.
    """

    id: str
    severity: LintSeverity
    file: str
    line: int | None
    column: int | None
    message: str
    fix: str
    rule: str | None = None
    role: str | None = None
    silenced: str | None = None

    @property
    def name(self) -> str:
        """The lint's name, e.g. ``number-duplicates-parameter``."""
        return LINTS[self.id].name

    def location(self) -> str:
        """``file:line:column`` (as much of it as is known)."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.id} {self.message} [{self.name}]"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return {
            "id": self.id,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fix": self.fix,
            "rule": self.rule,
            "role": self.role,
            "silenced": self.silenced,
        }


Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class _Bare:
    """A finding before the walker places it: a path in the file instead of a line."""

    id: str
    path: Path_
    message: str
    fix: str
    rule: str | None = None
    role: str | None = None
    key: bool = False
    column_offset: int = 0
    severity: LintSeverity | None = None


# --- the pack file and its context --------------------------------------------------------


@dataclass
class _Subject:
    """What the lints look at: one pack file, its loaded policy and the one it extends."""

    path: Path
    doc: YamlDocument
    pack: Pack
    policy: Policy
    base: Policy | None
    as_of: date
    ambiguous: frozenset[str]
    #: each rule of the policy as its pack file writes it (parameters not yet resolved)
    written: dict[str, Rule] = field(default_factory=dict)


def _open(
    path: Path, as_of: date, ambiguous: frozenset[str], search_path: SearchPath = None
) -> _Subject:
    policy = load_policy(path, search_path=search_path)  # every validation error, located
    text = path.read_text(encoding="utf-8")
    doc = read_yaml(text, str(path))
    try:
        pack = Pack.model_validate(doc.data)
    except ValidationError as exc:  # pragma: no cover - load_policy refuses it first
        raise doc.error(str(exc.errors()[0]["msg"]), ()) from None
    base = load_policy(policy.files[-2]) if len(policy.files) > 1 else None
    written: dict[str, Rule] = {}
    for file in policy.files[:-1]:
        chained = read_yaml(Path(file).read_text(encoding="utf-8"), file)
        written.update({rule.id: rule for rule in Pack.model_validate(chained.data).rules})
    written.update({rule.id: rule for rule in pack.rules})
    written = {rule_id: rule for rule_id, rule in written.items() if rule_id in policy.origin}
    return _Subject(path, doc, pack, policy, base, as_of, ambiguous, written)


# --- the lints ---------------------------------------------------------------------------


def _models(node: BaseModel, path: Path_) -> Iterator[tuple[BaseModel, Path_]]:
    """``node`` and every model inside it, with its path (YAML keys: ``from``, not ``from_``)."""
    yield node, path
    for name in type(node).model_fields:
        value = getattr(node, name)
        key = "from" if name == "from_" else name
        if isinstance(value, BaseModel):
            yield from _models(value, (*path, key))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _models(item, (*path, key, i))


def _durations(node: BaseModel, path: Path_) -> Iterator[tuple[Duration, Path_]]:
    for model, at in _models(node, path):
        if isinstance(model, Duration):
            yield model, at


def _numbers(s: _Subject) -> Iterator[_Bare]:
    """AR101 and AR102: a number written where a parameter, or the extended pack's own
    timescale, already says it."""
    parameters = {name: p.value for name, p in s.policy.parameters.items()}
    inherited: dict[tuple[int, str], str] = {}
    if s.base is not None:
        for rule in s.base.rules:
            for duration, _at in _durations(rule, ()):
                if isinstance(duration.amount, int):
                    inherited.setdefault((duration.amount, duration.unit), rule.id)
    for i, rule in enumerate(s.pack.rules):
        for duration, at in _durations(rule, ("rules", i)):
            if not isinstance(duration.amount, int):
                continue
            same = sorted(name for name, value in parameters.items() if value == duration.amount)
            if same:
                yield _Bare(
                    "AR101",
                    (*at, "amount"),
                    f"{duration.amount} is the value of parameter {same[0]!r}",
                    f"write 'amount: {same[0]}' if it is the same limit, so changing the "
                    "parameter changes this rule too",
                    rule=rule.id,
                )
                continue
            source = inherited.get((duration.amount, duration.unit))
            if source is not None and source != rule.id:
                yield _Bare(
                    "AR102",
                    (*at, "amount"),
                    f"{amount_words(duration.amount, duration.unit)} is written again; the "
                    f"extended pack's rule {source!r} already says it",
                    "name it once: a parameter in the extended pack (parameters:) used by "
                    "both rules",
                    rule=rule.id,
                )


_APPROX_DAYS = {
    "working_days": 7 / 5,
    "calendar_days": 1.0,
    "hours": 1 / 24,
    "weeks": 7.0,
    "months": 30.4,
}


def _longer(new: Duration, old: Duration) -> bool:
    """Whether ``new`` is surely longer than ``old`` (same unit, or clearly so in days)."""
    if not (isinstance(new.amount, int) and isinstance(old.amount, int)):
        return False
    if new.unit == old.unit:
        return new.amount > old.amount
    return new.amount * _APPROX_DAYS[new.unit] > old.amount * _APPROX_DAYS[old.unit] * 1.5


def _words(duration: Duration) -> str:
    return amount_words(duration.amount, duration.unit)


_SEVERITY_ORDER = ("low", "medium", "high")


def _loosenings(new: Rule, old: Rule, ranks: Mapping[str, int]) -> Iterator[tuple[Path_, str]]:
    """How ``new`` (an override) loosens ``old``, each with the path of what changed."""

    def lower(new_role: str | None, old_role: str | None) -> bool:
        if old_role is None:
            return False
        if new_role is None:
            return True
        return ranks.get(new_role, -1) < ranks.get(old_role, -1)

    if old.effective_to is None and new.effective_to is not None:
        yield ("effective_to",), "now ends on a date; the extended pack's rule does not end"
    elif old.effective_to and new.effective_to and new.effective_to < old.effective_to:
        yield ("effective_to",), "now ends earlier than in the extended pack"
    if _SEVERITY_ORDER.index(new.severity) < _SEVERITY_ORDER.index(old.severity):
        yield ("severity",), f"severity {old.severity} lowered to {new.severity}"
    if isinstance(new, TimescaleRule) and isinstance(old, TimescaleRule):
        if _longer(new.within, old.within):
            yield (
                ("within", "amount"),
                f"gives {_words(new.within)} where the extended pack gives {_words(old.within)}",
            )
        if old.effect == "violation" and new.effect == "warning":
            yield ("effect",), "a missed deadline now only warns"
        before = {e.id: e for e in old.extensions}
        for j, extension in enumerate(new.extensions):
            if extension.id not in before:
                yield ("extensions", j), f"adds extension {extension.id!r} (more time)"
            elif _longer(extension.within, before[extension.id].within):
                yield (
                    ("extensions", j, "within", "amount"),
                    f"extension {extension.id!r} gives {_words(extension.within)} where the "
                    f"extended pack gives {_words(before[extension.id].within)}",
                )
    if isinstance(new, CancellationRule) and isinstance(old, CancellationRule):
        if lower(new.decided_by, old.decided_by):
            yield (
                ("decided_by",),
                f"decided by {new.decided_by} where the extended pack needs {old.decided_by}",
            )
        if lower(new.recommended_by, old.recommended_by):
            yield (
                ("recommended_by",),
                f"recommended by {new.recommended_by or 'nobody'} where the extended pack "
                f"needs {old.recommended_by}",
            )
        if old.unlisted_reasons == "refuse" and new.unlisted_reasons == "undecided":
            yield ("unlisted_reasons",), "an unlisted reason is no longer refused"
        before_reasons = {r.id: r for r in old.reasons}
        for j, reason in enumerate(new.reasons):
            previous = before_reasons.get(reason.id)
            if previous is None:
                yield ("reasons", j, "id"), f"adds reason {reason.id!r}"
            elif previous.when is not None and reason.when is None:
                yield ("reasons", j), f"reason {reason.id!r} no longer has a condition"
            elif lower(reason.decided_by, previous.decided_by):
                yield (
                    ("reasons", j, "decided_by"),
                    f"reason {reason.id!r} decided by a lower role than in the extended pack",
                )
    if isinstance(new, ProhibitionRule) and isinstance(old, ProhibitionRule):
        if old.effect == "refuse" and new.effect == "undecided":
            yield ("effect",), "the prohibition now leaves the action to a manager"
        if set(new.except_grounds) - set(old.except_grounds):
            yield ("except_grounds",), "the prohibition now excepts more grounds"
        if old.grounds == () and new.grounds != ():
            yield ("grounds",), "the prohibition now reaches only some grounds"
    if isinstance(new, AuthorityRule) and isinstance(old, AuthorityRule):
        if lower(new.role, old.role):
            yield ("role",), f"needs {new.role} where the extended pack needs {old.role}"
        if old.also_requires is not None and new.also_requires is None:
            yield ("also_requires",), "no longer requires what the extended pack requires"
    yield from _step_loosenings(new, old, lower)


def _steps(rule: Rule) -> tuple[str, tuple[Step, ...]] | None:
    for name in ("requires", "steps"):
        steps = getattr(rule, name, None)
        if isinstance(steps, tuple):
            return name, steps
    return None


def _step_loosenings(
    new: Rule, old: Rule, lower: Callable[[str | None, str | None], bool]
) -> Iterator[tuple[Path_, str]]:
    found_new, found_old = _steps(new), _steps(old)
    if found_new is None or found_old is None:
        return
    name, steps = found_new
    mine = {step.id: (j, step) for j, step in enumerate(steps)}
    for step in found_old[1]:
        if step.id not in mine:
            yield (name,), f"drops the step {step.id!r}"
            continue
        j, now = mine[step.id]
        if lower(now.by, step.by):
            yield (name, j, "by"), f"step {step.id!r} may be recorded by a lower role"
        if step.within is not None and now.within is None:
            yield (name, j), f"step {step.id!r} no longer has a time limit"
        elif (
            step.within is not None and now.within is not None and _longer(now.within, step.within)
        ):
            yield (
                (name, j, "within", "amount"),
                f"step {step.id!r} gives {_words(now.within)} where the extended pack gives "
                f"{_words(step.within)}",
            )


#: conditions that loosen a rule when they hold in more cases (a reason allowed, more time,
#: a step excused, an authority satisfied); any other condition (applies_when, when,
#: violation_when) loosens it when it holds in fewer
_WIDER_LOOSENS = frozenset({"reasons", "extensions", "unless", "also_requires"})


def _keyed(rule: Rule, path: Path_) -> Path_:
    """``path`` with each list index replaced by the id of the item there, so a reason or
    a step is matched by id between two versions of a rule, not by position."""
    out: list[str | int] = []
    node: Any = rule
    for part in path:
        if isinstance(part, int) and isinstance(node, tuple):
            node = node[part]
            out.append(getattr(node, "id", part))
        else:
            node = getattr(node, "from_" if part == "from" else str(part), None)
            out.append(part)
    return tuple(out)


def _looser_conditions(
    new: Rule, old: Rule, policy: Policy, base: Policy
) -> Iterator[tuple[Path_, str]]:
    """Each condition an override changed so that the rule binds in fewer cases, with a
    case that shows it (over the values AR301 tries)."""
    before = {_keyed(old, path): (text, scope) for text, scope, path in _recorded(old).conditions}
    for text, scope, path in _recorded(new).conditions:
        previous = before.get(_keyed(new, path))
        wider = bool(_WIDER_LOOSENS & {p for p in path if isinstance(p, str)})
        if previous is None and not wider and path == (path[-1],):
            yield path, f"adds '{path[-1]}': the rule now binds only when it holds"
            continue
        if previous is None or previous[0] == text:
            continue
        was = base.condition(previous[0], scope)
        now = policy.condition(text, scope)
        first, second = (now, was) if wider else (was, now)
        example = _holds_without(first, second, scope, policy)
        if example is None:
            continue
        shown = ", ".join(f"{k} = {_value(v)}" for k, v in example.items()) or "nothing recorded"
        change = "more" if wider else "fewer"
        yield path, f"the condition holds in {change} cases (for example {shown})"


def _value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _holds_without(
    first: CompiledCondition, second: CompiledCondition, scope: str | None, policy: Policy
) -> dict[str, Any] | None:
    """A combination of fact values (those recorded) where ``first`` holds and ``second``
    does not, or None if none among the values tried."""
    facts = first.facts | second.facts
    names, domains, _complete = _domains(facts, f"{first.source} {second.source}", scope, policy)
    rows, _exhaustive = _rows(names, domains)
    ranks, calendar = policy.role_ranks, policy.calendar
    for row in rows:
        values = _Values(row, ranks, calendar)
        if first(values) is True and second(values) is not True:
            return {name: value for name, value in row.items() if value is not None}
    return None


def _overrides(s: _Subject) -> Iterator[_Bare]:
    """AR201 and AR202: what this pack loosens in the one it extends."""
    if s.base is None:
        return
    ranks = s.policy.role_ranks
    for i, written in enumerate(s.pack.rules):
        if not written.override or written.id not in s.base.origin:
            continue
        new, old = s.policy.rule(written.id), s.base.rule(written.id)
        for path, what in _loosenings(new, old, ranks):
            yield _Bare(
                "AR201",
                ("rules", i, *path),
                f"override of {written.id!r} loosens the extended pack: {what}",
                "keep the extended pack's limit, or silence this with the reason the council "
                "may loosen it",
                rule=written.id,
            )
        for path, what in _looser_conditions(new, old, s.policy, s.base):
            yield _Bare(
                "AR201",
                ("rules", i, *path),
                f"override of {written.id!r} loosens the extended pack: {what}",
                "keep the extended pack's condition, or silence this with the reason the "
                "council may loosen it",
                rule=written.id,
            )
    for name, parameter in s.pack.parameters.items():
        before = s.base.parameters.get(name)
        if before is not None and parameter.value > before.value:
            users = [
                rule.id
                for rule in s.written.values()
                if any(d.amount == name for d, _ in _durations(rule, ()))
                or re.search(rf"\b{name}\b", " ".join(_condition_texts(rule)))
            ]
            yield _Bare(
                "AR201",
                ("parameters", name, "value"),
                f"parameter {name!r} raised from {before.value} to {parameter.value}, "
                f"loosening {', '.join(repr(u) for u in users) or 'the rules that use it'}",
                "keep the extended pack's value, or silence this with the reason the council "
                "may allow more",
            )
    loosening_kinds = (
        "timescale",
        "prohibition",
        "check",
        "authority",
        "obligation",
        "consent",
        "recurring",
    )
    for i, removal in enumerate(s.pack.removed_rules):
        if removal.id not in s.base.origin:
            continue
        kind = kind_of(s.base.rule(removal.id)).name
        if kind in loosening_kinds:
            yield _Bare(
                "AR202",
                ("removed_rules", i, "id"),
                f"removes the extended pack's {kind} rule {removal.id!r}",
                "keep the rule (override it if the council's reading differs), or silence "
                "this with the reason it does not apply",
                rule=removal.id,
            )


# --- conditions: a bounded truth table ----------------------------------------------------


class _Values:
    """Fact values for one row of the truth table, with the helpers a condition calls."""

    def __init__(
        self, values: Mapping[str, Any], ranks: Mapping[str, int], calendar: WorkingDayCalendar
    ) -> None:
        self._values = values
        self._ranks = ranks
        self._calendar = calendar

    def get(self, name: str) -> Any:
        return self._values.get(name)

    def role_rank(self, role: str) -> int:
        return self._ranks.get(role, -1)

    def working_days_between(self, start: date, end: date) -> int:
        if end < start:
            return -self._calendar.working_days_between(end, start)
        return self._calendar.working_days_between(start, end)


_NUMBER = re.compile(r"(?<![\w.'\"])(\d+)(?![\w.])")
_STRING = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_ANCHOR = date(2026, 6, 1)  # a Monday
_OFFSETS = (-400, -31, -1, 0, 1, 6, 31, 400)


def _domain(
    spec: Any, text: str, parameters: Mapping[str, int], roles: Sequence[str]
) -> tuple[list[Any], bool]:
    """The values a fact is tried with (``None``, unrecorded, always among them) and
    whether they are all the values it can take."""
    strings = [a or b for a, b in _STRING.findall(text)]
    if spec.type == "bool":
        return [None, True, False], True
    if spec.type == "role":
        return [None, *roles], True
    if spec.type == "str":
        if spec.values:
            return [None, *spec.values], True
        return [None, *dict.fromkeys([*strings, "(another value)"])], True
    if spec.type == "int":
        numbers = {int(n) for n in _NUMBER.findall(text)}
        numbers |= {v for name, v in parameters.items() if re.search(rf"\b{name}\b", text)}
        around = sorted({n + d for n in numbers | {0} for d in (-1, 0, 1)})
        return [None, *around], False
    days = {_ANCHOR + timedelta(days=d) for d in _OFFSETS}
    for literal in strings:
        try:
            day = date.fromisoformat(literal)
        except ValueError:
            continue
        days |= {day + timedelta(days=d) for d in (-1, 0, 1)}
    if spec.type == "date":
        return [None, *sorted(days)], False
    return [None, *(datetime.combine(d, time(10), LONDON) for d in sorted(days))], False


@dataclass(frozen=True)
class _Table:
    """A condition's truth over a table of fact values: which rows make it hold."""

    holds: tuple[bool, ...]
    exact: bool  # every combination of every value each fact can take was tried
    rows: int


def _rows(
    names: Sequence[str], domains: Sequence[Sequence[Any]]
) -> tuple[list[dict[str, Any]], bool]:
    """Every combination of the facts' values, or a fixed sample of :data:`SAMPLE_LIMIT`."""
    size = 1
    for values in domains:
        size *= len(values)
    if size <= SAMPLE_LIMIT:
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*domains)], True
    sampler = random.Random(0)  # fixed: the same pack always gets the same findings

    def pick(values: Sequence[Any]) -> Any:
        # unrecorded rarely makes a condition hold: try it one time in ten
        recorded = values[1:]
        return None if not recorded or sampler.random() < 0.1 else sampler.choice(recorded)

    rows = [
        {name: pick(values) for name, values in zip(names, domains, strict=True)}
        for _ in range(SAMPLE_LIMIT)
    ]
    return rows, False


def _truth(
    conditions: Sequence[CompiledCondition], scope: str | None, policy: Policy
) -> list[_Table]:
    """Each condition's truth over one table of the facts any of them reads."""
    facts = set().union(*(c.facts for c in conditions))
    text = " ".join(c.source for c in conditions)
    names, domains, complete = _domains(facts, text, scope, policy)
    rows, exhaustive = _rows(names, domains)
    ranks = policy.role_ranks
    calendar = policy.calendar
    tables = []
    for condition in conditions:
        holds = tuple(condition(_Values(row, ranks, calendar)) is True for row in rows)
        tables.append(_Table(holds, complete and exhaustive, len(rows)))
    return tables


def _domains(
    facts: Iterable[str], text: str, scope: str | None, policy: Policy
) -> tuple[list[str], list[list[Any]], bool]:
    """The facts in order, the values each is tried with, and whether those are all the
    values every one of them can take."""
    names = sorted(facts)
    roles = [role.id for role in policy.roles]
    parameters = {name: p.value for name, p in policy.parameters.items()}
    domains = []
    complete = True
    for name in names:
        values, whole = _domain(policy.facts.lookup(name, scope), text, parameters, roles)
        domains.append(values)
        complete = complete and whole
    return names, domains, complete


#: how many partial combinations the search for a case that makes a condition hold visits
SEARCH_LIMIT = 50_000


@dataclass(frozen=True)
class _Search:
    """Whether some combination of fact values makes a condition hold: ``holds`` is True
    (found), False (none does, among the values tried) or None (the search gave up)."""

    holds: bool | None
    exact: bool  # the values tried are all the values the facts can take
    visited: int


def _satisfiable(condition: CompiledCondition, scope: str | None, policy: Policy) -> _Search:
    """Search the combinations of the values of the facts ``condition`` reads for one that
    makes it hold: depth first, recorded values before unrecorded, a fact not yet given a
    value read as unrecorded. Unless the condition uses ``known()``, an unrecorded fact can
    only make a condition unknown, never false, so a combination already false whatever the
    remaining facts are is not pursued (Kleene's logic is monotonic)."""
    names, domains, complete = _domains(condition.facts, condition.source, scope, policy)
    prune = "known(" not in condition.source.replace(" ", "")
    ranks, calendar = policy.role_ranks, policy.calendar
    row: dict[str, Any] = {}
    visited = 0

    def visit(i: int) -> bool | None:
        nonlocal visited
        visited += 1
        if visited > SEARCH_LIMIT:
            return None
        result = condition(_Values(row, ranks, calendar))
        if result is True:
            return True
        if (result is False and prune) or i == len(names):
            return False
        for value in (*domains[i][1:], None):
            if value is None:
                row.pop(names[i], None)
            else:
                row[names[i]] = value
            found = visit(i + 1)
            if found is not False:
                return found
        row.pop(names[i], None)
        return False

    return _Search(visit(0), complete, visited)


@dataclass(frozen=True)
class _Recorder:
    """A :class:`~assess_rules.kinds.Checker` that notes each condition and role a kind's
    check names, with its path, instead of checking it."""

    conditions: list[tuple[str, str | None, Path_]]
    roles: list[tuple[str, Path_]]

    def condition(self, text: str | None, scope: str | None, path: Path_) -> None:
        if text is not None:
            self.conditions.append((text, scope, path))

    def fact(
        self,
        name: str | None,
        scope: str | None,
        path: Path_,
        kinds: tuple[str, ...] = ("moment", "date"),
    ) -> None:
        del name, scope, path, kinds

    def role(self, role: str | None, path: Path_) -> None:
        if role is not None:
            self.roles.append((role, path))

    def error(self, message: str, path: Path_) -> None:
        del message, path


def _recorded(rule: Rule) -> _Recorder:
    recorder = _Recorder([], [])
    kind_of(rule).check(rule, recorder)
    return recorder


def _condition_texts(rule: Rule) -> list[str]:
    return [text for text, _scope, _path in _recorded(rule).conditions]


def _method(search: _Search) -> str:
    if search.exact:
        return "every combination of the values of the facts it reads was tried"
    return (
        "no combination of the values tried makes it hold; numbers and dates are only "
        "sampled, so check by hand"
    )


def _conditions(s: _Subject) -> Iterator[_Bare]:
    """AR301 (a condition that never holds) and AR302 (two reasons that hold together)."""
    for i, written in enumerate(s.pack.rules):
        rule = s.policy.rule(written.id) if written.id in s.policy.origin else written
        for text, scope, path in _recorded(rule).conditions:
            search = _satisfiable(s.policy.condition(text, scope), scope, s.policy)
            if search.holds is False:
                yield _Bare(
                    "AR301",
                    ("rules", i, *path),
                    f"this condition can never hold ({_method(search)})",
                    "correct the condition (look for a fact and its opposite joined by "
                    "'and'), or remove what it guards",
                    rule=rule.id,
                    severity=None if search.exact else "warning",
                )
        if not isinstance(rule, CancellationRule):
            continue
        reasons = [(j, r) for j, r in enumerate(rule.reasons) if r.when is not None]
        for (_, first), (k, second) in itertools.combinations(reasons, 2):
            a = s.policy.condition(first.when or "", "cancellations")
            b = s.policy.condition(second.when or "", "cancellations")
            if a.facts != b.facts:
                continue
            ta, tb = _truth([a, b], "cancellations", s.policy)
            if ta.holds == tb.holds and any(ta.holds):
                yield _Bare(
                    "AR302",
                    ("rules", i, "reasons", k, "when"),
                    f"reasons {first.id!r} and {second.id!r} always hold together "
                    f"({'every' if ta.exact else 'a sample of'} {ta.rows} combinations of "
                    "the facts they read)",
                    "merge the two reasons, or give each the condition that tells them apart",
                    rule=rule.id,
                )


# --- calendar, roles, scenarios, notes ----------------------------------------------------


def _closures(s: _Subject) -> Iterator[_Bare]:
    """AR401: a closure list, written in this file, that ends within two years."""
    calendar = s.pack.calendar
    until = s.policy.closures_listed_until
    if calendar is None or not calendar.closures or until is None:
        return
    horizon = _add_years(s.as_of, CLOSURE_HORIZON_YEARS)
    if until >= horizon:
        return
    last = max(range(len(calendar.closures)), key=lambda i: calendar.closures[i])
    when = "ended" if until < s.as_of else "ends"
    yield _Bare(
        "AR401",
        ("calendar", "closures", last),
        f"the list of closure days {when} on {until.isoformat()}, within "
        f"{CLOSURE_HORIZON_YEARS} years of {s.as_of.isoformat()}: due dates after it miss "
        "closures not listed yet",
        "add the next years' closure days, or use recurring_closures for those that come "
        "back every year",
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_ROLE_FIELDS = ("decided_by", "recommended_by", "by", "owner", "role", "reviewed_by")


def _roles(s: _Subject) -> Iterator[_Bare]:
    """AR501: a role this file puts on the ladder that no rule lets act."""
    if s.pack.roles is None:
        return
    ranks = s.policy.role_ranks
    acting: set[str] = set()
    for rule in s.policy.rules:
        named: list[tuple[str, bool]] = []  # role, whether a higher role may do it too
        higher = s.policy.higher_roles_may_act
        for model, _at in _models(rule, ()):
            for name in _ROLE_FIELDS:
                value = getattr(model, name, None)
                if isinstance(value, str) and value in ranks:
                    may = higher
                    if (
                        isinstance(model, CancellationRule)
                        and name == "decided_by"
                        and model.higher_roles_may_decide is not None
                    ):
                        may = model.higher_roles_may_decide
                    named.append((value, may))
        for text in _condition_texts(rule):
            for a, b in _STRING.findall(text):
                if (a or b) in ranks:
                    named.append((a or b, True))
        for role, may in named:
            acting.add(role)
            if may:
                acting |= {r for r, rank in ranks.items() if rank >= ranks[role]}
    for i, definition in enumerate(s.pack.roles):
        if definition.id not in acting:
            yield _Bare(
                "AR501",
                ("roles", i, "id"),
                f"role {definition.id!r} ({definition.label}) can never act: no rule lets it "
                "request, decide, approve or record anything",
                "name it in a rule (decided_by, by, owner, ...), or take it off the ladder",
                role=definition.id,
            )


def _rules_in(result: Result) -> set[str]:
    found: set[str] = set()
    for group in (result.deadlines, result.violations, result.warnings, result.obligations):
        found |= {item.rule for item in group}
    for action in result.permitted_actions:
        if action.rule is not None:
            found.add(action.rule)
        found |= set(action.blocked_by)
    found |= {missing.rule for missing in result.missing_facts}
    return found


def _scenarios(s: _Subject) -> Iterator[_Bare]:
    """AR601 and AR602: the rules of this file no scenario beside it exercises."""
    if not s.pack.rules:
        return
    stem = s.path.name.removesuffix(".yaml").removesuffix(".yml").split("@")[0]
    file = s.path.with_name(f"{stem}.scenarios.yaml")
    if not file.is_file():
        yield _Bare(
            "AR602",
            ("pack", "id"),
            f"no scenario file beside the pack ({file.name})",
            f"write {file.name} with a scenario for each rule (docs/testing.md)",
        )
        return
    scenario_file = load_scenario_file(file)
    exercised: set[str] = set()
    for scenario in scenario_file.scenarios:
        _problems, result = check_scenario(s.policy, scenario)
        if result is not None:
            exercised |= _rules_in(result)
    for i, rule in enumerate(s.pack.rules):
        if isinstance(rule, CaseloadReviewRule) or rule.id in exercised:
            continue
        yield _Bare(
            "AR601",
            ("rules", i, "id"),
            f"rule {rule.id!r} is in no scenario's result ({file.name})",
            "add a scenario where the rule applies (and one where it does not)",
            rule=rule.id,
        )


def _cited(model: BaseModel) -> set[str]:
    sources = getattr(model, "sources", ())
    return {source.id for source in sources}


def _notes(s: _Subject) -> Iterator[_Bare]:
    """AR701: a rule citing a catalogue entry marked ambiguous, with no note giving the
    reading: a citation of the rule's own is answered by a note anywhere in the rule, one of
    a reason, step or extension by its own note or the rule's."""
    if not s.ambiguous:
        return
    for i, rule in enumerate(s.pack.rules):
        parts = list(_models(rule, ("rules", i)))
        noted = any(getattr(model, "note", None) for model, _at in parts)
        reported: set[str] = set()
        for model, at in parts:
            ids = sorted((_cited(model) & s.ambiguous) - reported)
            if not ids:
                continue
            if noted if model is rule else getattr(model, "note", None) or rule.note:
                continue
            reported |= set(ids)
            where = "rule" if model is rule else "part of the rule"
            yield _Bare(
                "AR701",
                (*at, "sources"),
                f"this {where} cites {', '.join(ids)}, which the catalogue marks ambiguous, "
                "and has no note",
                "add a 'note:' saying how the ambiguous phrase is read",
                rule=rule.id,
            )


_CHECKS: tuple[Callable[[_Subject], Iterable[_Bare]], ...] = (
    _numbers,
    _overrides,
    _conditions,
    _closures,
    _roles,
    _scenarios,
    _notes,
)


# --- the catalogue's ambiguity marks ------------------------------------------------------

_ENTRY = re.compile(r"^- \*\*([A-Z]+-[A-Za-z0-9.\-]+)\*\*", re.MULTILINE)
_AMBIGUITY = re.compile(
    r"\bwith a note\b|\breadings?\b[^.]*?\bnote\b|[(;:,]\s*note\b(?!:)|\bambiguous\b|"
    r"\bnote both\b",
    re.IGNORECASE,
)


def ambiguous_catalogue_ids(markdown: str) -> frozenset[str]:
    """The rule catalogue's IDs whose entry marks a phrase as ambiguous: it names the reading
    to encode and asks for it in a note ("with a note", "(reading: ...; note)").

    >>> text = '''- **X-1**: within 5 days (no unit: calendar days, with a note).
    ... - **X-2**: within 5 working days.
    ... '''
    >>> sorted(ambiguous_catalogue_ids(text))
    ['X-1']
    """
    found = set()
    starts = list(_ENTRY.finditer(markdown))
    for here, after in itertools.zip_longest(starts, starts[1:]):
        end = after.start() if after is not None else len(markdown)
        body = markdown[here.end() : end].split("\n#", 1)[0]
        if _AMBIGUITY.search(" ".join(body.split())):
            found.add(here.group(1))
    return frozenset(found)


def _bundled_ambiguous() -> frozenset[str]:
    """The ambiguous IDs as listed in the bundled ``catalogue.ids.yaml``."""
    path = bundled_dir("policies") / "catalogue.ids.yaml"
    if not path.is_file():  # pragma: no cover - an install without it
        return frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(data.get("ambiguous") or ())


# --- the walker --------------------------------------------------------------------------


def _place(s: _Subject, bare: _Bare) -> Lint:
    position = s.doc.where(bare.path, key=bare.key)
    line, column = position if position else (None, None)
    return Lint(
        id=bare.id,
        severity=bare.severity or LINTS[bare.id].severity,
        file=_shown(s.path),
        line=line,
        column=column,
        message=bare.message,
        fix=bare.fix,
        rule=bare.rule,
        role=bare.role,
    )


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is under it (as ruff shows it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _silences(ignore: LintIgnore, finding: Lint) -> bool:
    if ignore.id != finding.id:
        return False
    if ignore.rule is not None and ignore.rule != finding.rule:
        return False
    return ignore.role is None or ignore.role == finding.role


def _silenced(s: _Subject, findings: list[Lint]) -> list[Lint]:
    ignores = s.pack.lint.ignore if s.pack.lint is not None else ()
    used = [False] * len(ignores)
    out = []
    for finding in findings:
        for j, ignore in enumerate(ignores):
            if _silences(ignore, finding):
                used[j] = True
                finding = Lint(**{**finding.__dict__, "silenced": ignore.reason})
                break
        out.append(finding)
    for j, ignore in enumerate(ignores):
        if not used[j]:
            what = ignore.rule or ignore.role
            out.append(
                _place(
                    s,
                    _Bare(
                        "AR001",
                        ("lint", "ignore", j),
                        f"this ignore of {ignore.id}"
                        + (f" on {what!r}" if what else "")
                        + " silences nothing",
                        "remove it (what it silenced has been fixed)",
                        rule=ignore.rule,
                        role=ignore.role,
                    ),
                )
            )
    return out


def lint_pack(
    pack: str | Path,
    *,
    as_of: date | None = None,
    ambiguous: Iterable[str] | None = None,
    search_path: SearchPath = None,
) -> list[Lint]:
    """Every lint finding of one pack file (a bundled name or a path), silenced ones too
    (their ``silenced`` says why); in file order.

    ``as_of`` is the lint date (default: today), which the closure lint counts from;
    ``ambiguous`` the catalogue IDs marked ambiguous (default: those the bundled
    ``catalogue.ids.yaml`` lists; see :func:`ambiguous_catalogue_ids`). A pack that does not
    load raises :class:`~assess_rules.PolicyError`, located. Names, and the packs a pack
    extends, are looked for along ``search_path`` (see :func:`~assess_rules.load_policy`).

    >>> from datetime import date
    >>> findings = lint_pack("kent", as_of=date(2026, 11, 23))
    >>> [f.id for f in findings if not f.silenced]
    []
    """
    path = _pack_path(pack, search_path)
    marks = _bundled_ambiguous() if ambiguous is None else frozenset(ambiguous)
    subject = _open(path, as_of or date.today(), marks, search_path)
    findings = [_place(subject, bare) for check in _CHECKS for bare in check(subject)]
    findings = _silenced(subject, findings)
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.id))


def _pack_path(pack: str | Path, search_path: SearchPath = None) -> Path:
    text = str(pack)
    candidate = Path(text)
    if candidate.is_file():
        return candidate
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        raise PolicyError("no such file", file=text)
    bundled = bundled_dir("policies") / f"{text}.yaml"
    if bundled.is_file() and "." not in text:
        return bundled
    # raises the loader's "no policy pack named"
    return Path(load_policy(text, search_path=search_path).files[-1])


def pack_files(paths: Iterable[str | Path]) -> list[Path | str]:
    """The pack files ``paths`` name: files, bundled pack names, and the pack files in
    directories (``name.yaml`` and ``name@version.yaml``; not ``name.scenarios.yaml`` nor
    ``catalogue.ids.yaml``)."""
    out: list[Path | str] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and _is_pack_file(p))
        else:
            out.append(item)
    return out


def _is_pack_file(path: Path) -> bool:
    stem = path.name.rsplit(".", 1)[0]
    return path.suffix in {".yaml", ".yml"} and "." not in stem.split("@")[0]


def lint_paths(
    paths: Iterable[str | Path],
    *,
    as_of: date | None = None,
    ambiguous: Iterable[str] | None = None,
    search_path: SearchPath = None,
) -> list[Lint]:
    """:func:`lint_pack` for each pack ``paths`` names (directories included)."""
    marks = None if ambiguous is None else frozenset(ambiguous)
    findings: list[Lint] = []
    for path in pack_files(paths):
        findings += lint_pack(path, as_of=as_of, ambiguous=marks)
    return findings


def lint_command(
    paths: Sequence[str],
    *,
    as_of: date | None,
    output: Literal["text", "json"],
    fail_on: LintSeverity,
    catalogue: str | None,
    stdout: TextIO,
    stderr: TextIO,
    search_path: SearchPath = None,
) -> int:
    """``assess-rules lint``: lint each pack, write the findings, and return the exit code:
    0 when nothing at or above ``fail_on`` stands (silenced findings do not count), 1 when
    something does, 2 when a pack (or the catalogue) cannot be read."""
    ambiguous: frozenset[str] | None = None
    if catalogue is not None:
        try:
            ambiguous = ambiguous_catalogue_ids(Path(catalogue).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            stderr.write(f"assess-rules: cannot read the catalogue {catalogue}: {exc}\n")
            return 2
    findings: list[Lint] = []
    unread = 0
    for path in pack_files(paths):
        try:
            findings += lint_pack(path, as_of=as_of, ambiguous=ambiguous, search_path=search_path)
        except AssessRulesError as exc:
            stderr.write(f"assess-rules: {exc}\n")
            unread += 1
    invalid = unread > 0
    standing = [f for f in findings if f.silenced is None]
    silenced = [f for f in findings if f.silenced is not None]
    if output == "json":
        document = {
            "findings": [f.to_dict() for f in standing],
            "silenced": [f.to_dict() for f in silenced],
        }
        stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        for finding in standing:
            stdout.write(f"{finding}\n  {finding.severity}; fix: {finding.fix}\n")
        counts = {level: sum(f.severity == level for f in standing) for level in SEVERITY_RANK}
        summary = ", ".join(f"{n} {level}" for level, n in reversed(counts.items()) if n)
        # "0 findings" would read as a clean pack when a pack could not be read at all
        stdout.write(
            (f"{unread} pack{'s' if unread != 1 else ''} could not be read; " if unread else "")
            + f"{len(standing)} finding{'s' if len(standing) != 1 else ''}"
            + (f" ({summary})" if summary else "")
            + f"; {len(silenced)} silenced by the packs' lint: ignore:\n"
        )
    if invalid:
        return 2
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in standing) else 0
