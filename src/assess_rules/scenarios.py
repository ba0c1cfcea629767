"""Scenario files: a case, an evaluation date and the expected findings, kept beside a pack.

A scenario file (``<name>.scenarios.yaml``) names its pack and lists scenarios::

    pack: generic_s17            # a bundled name, or a path relative to this file
    base:                        # optional: every scenario's case is merged onto this
      referral: {received_at: 2026-12-01T10:00}
    scenarios:
      - name: Saturday referral decided on Monday
        as_of: 2026-12-21
        case: {case_id: S1, referral: {received_at: 2026-12-19T10:00}, ...}
        expect:
          deadlines:
            referral-decision: {due: 2026-12-21, status: met}
          violations: []                  # exactly these rule ids (or rule/step)
          warnings: []                    # exactly these rule ids
          obligations: [rule/step, ...]   # exactly these open ones
          missing_facts: [rule, ...]      # exactly these rules undecided
          allowed: [reason, ...]          # these options are permitted ...
          refused: [reason, ...]          # ... refused ...
          undecided: [reason, ...]        # ... or undecided ("option@subject" for a request)
          invalid: ["referral.referrer_anonymous"]   # the case must be refused there

A scenario file may also state invariants: properties no case may break, searched for a
counter-example by :mod:`assess_rules.testing` (``docs/testing.md``)::

    invariants:
      - name: No no-consent cancellation while harm is suspected and s47 is not ruled out
        never:
          action: cancel_assessment
          status: allowed               # allowed (or allowed_once), refused, undecidable
          when: "concerns.significant_harm_suspected and cancellation.reason == 'no-consent'"
      - name: A deadline never falls on a day the office is closed
        due_on_working_days: [referral-decision, assessment-completion]

A scenario's ``case`` is deep-merged onto ``base``: mappings merge key by key, anything
else (lists included) replaces; ``null`` removes a key of the base. A key that is left out
is not checked; a list that is given is compared exactly (for the
option lists: each named option must have that verdict). Deadlines of rules over a
collection are named ``rule@subject``, e.g. ``strategy-record-shared@strategy_discussions[0]``.

In a family case (``children:``), the expectations at the top are compared with every
child's findings together; ``expect.children`` maps a child's id to expectations compared
with that child's findings only::

        expect:
          children:
            amy: {deadlines: {child-seen: {due: 2026-12-08, status: met}}, violations: []}
            ben: {violations: [child-seen]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assess_rules.case import parse_case
from assess_rules.errors import CaseError, PolicyError
from assess_rules.evaluation import evaluate
from assess_rules.loading import load_policy, read_yaml
from assess_rules.policy import Policy
from assess_rules.result import Result

__all__ = [
    "AuthoredInvariant",
    "Scenario",
    "ScenarioFile",
    "check_scenario",
    "load_scenario_file",
]

#: The scenario expectation that lists options of each decision status.
_DECISIONS = {
    "allowed": "allowed",
    "allowed_once": "allowed_once",
    "refused": "refused",
    "undecided": "undecidable",
}

_EXPECT_KEYS = {
    "children",
    "allowed_once",
    "deadlines",
    "violations",
    "warnings",
    "obligations",
    "missing_facts",
    "allowed",
    "refused",
    "undecided",
    "invalid",
}


@dataclass(frozen=True)
class Scenario:
    """One scenario: where it is written, the case, the date and what must be found."""

    name: str
    file: str
    line: int
    as_of: date
    case: Mapping[str, Any]
    expect: Mapping[str, Any]


@dataclass(frozen=True)
class AuthoredInvariant:
    """An invariant a policy author states: ``never``, a request for ``action`` never gets
    ``status`` while ``when`` (a condition of the pack's language) holds; or
    ``due_on_working_days``, the deadlines of these timescale rules always fall on working
    days of the pack's calendar, whatever their unit."""

    name: str
    file: str
    line: int
    action: str = ""
    status: str = "allowed"
    when: str | None = None
    note: str | None = None
    due_on_working_days: tuple[str, ...] = ()


#: The statuses an authored invariant may forbid (``allowed`` also forbids ``allowed_once``).
INVARIANT_STATUSES = ("allowed", "allowed_once", "refused", "undecidable")
_NEVER_KEYS = {"action", "status", "when"}


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file: the pack it tests, its scenarios and its invariants."""

    path: Path
    pack: str
    scenarios: tuple[Scenario, ...]
    invariants: tuple[AuthoredInvariant, ...] = ()

    def policy(self) -> Policy:
        """Load the pack this file tests (a name, or a path relative to the file)."""
        reference = self.pack
        if reference.endswith((".yaml", ".yml")):
            return load_policy(self.path.parent / reference)
        local = self.path.parent / f"{reference}.yaml"
        return load_policy(local if local.is_file() else reference)


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Read a scenario file; raise :class:`PolicyError` (located) if it is malformed."""
    file = Path(path)
    doc = read_yaml(file.read_text(encoding="utf-8"), str(file))
    data = doc.data
    if (
        not isinstance(data, dict)
        or set(data) - {"pack", "base", "scenarios", "invariants"}
        or "pack" not in data
    ):
        raise doc.error(
            "a scenario file has 'pack:', 'scenarios:' and optionally 'base:' and "
            "'invariants:' at the top",
            (),
        )
    base = data.get("base") or {}
    scenarios = []
    names: set[str] = set()
    for i, raw in enumerate(data.get("scenarios") or []):
        at = ("scenarios", i)
        if not isinstance(raw, dict) or {"name", "as_of", "case"} - set(raw):
            raise doc.error("a scenario needs 'name', 'as_of', 'case' and 'expect'", at)
        unknown = set(raw) - {"name", "as_of", "case", "expect", "note"}
        if unknown:
            raise doc.error(f"unknown key {sorted(unknown)[0]!r} in a scenario", at)
        expect = raw.get("expect") or {}
        bad = set(expect) - _EXPECT_KEYS
        for child_id, per_child in (expect.get("children") or {}).items():
            if not isinstance(per_child, dict):
                raise doc.error("expect.children maps a child's id to its expectations", at)
            bad |= set(per_child) - (_EXPECT_KEYS - {"children", "invalid"})
            del child_id
        if bad:
            raise doc.error(
                f"unknown expectation {sorted(bad)[0]!r}; allowed: "
                f"{', '.join(sorted(_EXPECT_KEYS))}",
                (*at, "expect"),
            )
        if raw["name"] in names:
            raise doc.error(f"scenario name {raw['name']!r} is used twice", (*at, "name"))
        names.add(raw["name"])
        position = doc.where(at) or (0, 0)
        scenarios.append(
            Scenario(
                str(raw["name"]),
                str(file),
                position[0],
                date.fromisoformat(str(raw["as_of"])),
                _merge(base, raw["case"]),
                expect,
            )
        )
    invariants = []
    for i, raw in enumerate(data.get("invariants") or []):
        at = ("invariants", i)
        forms = {"never", "due_on_working_days"}
        if (
            not isinstance(raw, dict)
            or set(raw) - {"name", "note", *forms}
            or len(forms & set(raw)) != 1
        ):
            raise doc.error(
                "an invariant has 'name', one of 'never' or 'due_on_working_days', and "
                "optionally 'note'",
                at,
            )
        name = str(raw.get("name") or f"invariant {i + 1}")
        if name in names:
            raise doc.error(f"name {name!r} is used twice", (*at, "name"))
        names.add(name)
        position = doc.where(at) or (0, 0)
        if "due_on_working_days" in raw:
            rules = raw["due_on_working_days"]
            if not isinstance(rules, list) or not rules:
                raise doc.error(
                    "'due_on_working_days' lists timescale rule ids", (*at, "due_on_working_days")
                )
            invariants.append(
                AuthoredInvariant(
                    name,
                    str(file),
                    position[0],
                    note=raw.get("note"),
                    due_on_working_days=tuple(str(r) for r in rules),
                )
            )
            continue
        never = raw["never"]
        if not isinstance(never, dict) or set(never) - _NEVER_KEYS or "action" not in never:
            raise doc.error("'never' has 'action', 'status' and optionally 'when'", (*at, "never"))
        status = str(never.get("status", "allowed"))
        if status not in INVARIANT_STATUSES:
            raise doc.error(
                f"unknown status {status!r}; allowed: {', '.join(INVARIANT_STATUSES)}",
                (*at, "never", "status"),
            )
        when = never.get("when")
        invariants.append(
            AuthoredInvariant(
                name,
                str(file),
                position[0],
                str(never["action"]),
                status,
                None if when is None else str(when),
                raw.get("note"),
            )
        )
    return ScenarioFile(file, str(data["pack"]), tuple(scenarios), tuple(invariants))


def _merge(base: Any, override: Any) -> Any:
    """``override`` deep-merged onto ``base``: mappings merge, ``None`` deletes, the rest
    replaces."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(base.get(key), value)
    return merged


def _keys(items: Iterable[tuple[str, str | None]]) -> set[str]:
    out = set()
    for rule, step in items:
        out.add(rule)
        if step:
            out.add(f"{rule}/{step}")
    return out


def _compare_exact(
    label: str, expected: Iterable[str], found: set[str], problems: list[str]
) -> None:
    """``expected`` holds "rule" or "rule/step" entries; ``found`` holds both forms for each
    finding. Every expected entry must be found, and nothing else: no other rule, and where
    steps of a rule are named, no other step of it."""
    wanted = set(expected)
    missing = sorted(w for w in wanted if w not in found)
    named_rules = {w.split("/")[0] for w in wanted}
    stepped_rules = {w.split("/")[0] for w in wanted if "/" in w}
    extra = sorted(
        f
        for f in found
        if ("/" not in f and f not in named_rules)
        or ("/" in f and f.split("/")[0] in stepped_rules and f not in wanted)
    )
    if missing:
        problems.append(f"{label}: expected {missing}, found {sorted(found)}")
    if extra:
        problems.append(f"{label}: unexpected {extra}")


def check_scenario(policy: Policy, scenario: Scenario) -> tuple[list[str], Result | None]:
    """Evaluate ``scenario``; return what did not match (empty: it passed) and the result."""
    problems: list[str] = []
    expect = scenario.expect
    try:
        case = parse_case(scenario.case, vocabulary=policy.vocabulary)
    except CaseError as exc:
        if "invalid" not in expect:
            return [f"the case was refused: {exc}"], None
        paths = {".".join(str(p) for p in issue.path) for issue in exc.issues}
        missing = set(expect["invalid"]) - paths
        if missing:
            problems.append(f"invalid: expected problems at {sorted(missing)}, got {exc}")
        return problems, None
    if "invalid" in expect:
        return [f"the case was accepted, but expected it refused at {expect['invalid']}"], None
    result = evaluate(policy, case, scenario.as_of)
    _compare(expect, result, problems)
    for child, wanted in (expect.get("children") or {}).items():
        found: list[str] = []
        _compare(wanted, result.of_child(str(child)), found)
        problems += [f"child {child}: {problem}" for problem in found]
    return problems, result


def _compare(expect: Mapping[str, Any], result: Result, problems: list[str]) -> None:
    """Add to ``problems`` what in ``result`` does not match ``expect``."""
    for key, wanted in (expect.get("deadlines") or {}).items():
        rule, _, subject = str(key).partition("@")
        try:
            deadline = result.deadline(rule, subject or None)
        except KeyError:
            problems.append(f"deadline {key}: none found")
            continue
        due = (
            deadline.due.isoformat() if deadline.unit == "hours" else deadline.due_date.isoformat()
        )
        for field, value in wanted.items():
            actual = {
                "due": due,
                "status": deadline.status,
                "extension": deadline.extension,
                "done": deadline.done.isoformat() if deadline.done else None,
            }.get(field)
            if str(value) != str(actual) and not (value is None and actual is None):
                problems.append(
                    f"deadline {key}: {field} expected {value}, got {actual} "
                    f"({deadline.computation})"
                )
    if "violations" in expect:
        found = _keys((v.rule, v.step) for v in result.violations)
        _compare_exact("violations", expect["violations"] or [], found, problems)
    if "warnings" in expect:
        _compare_exact(
            "warnings", expect["warnings"] or [], {w.rule for w in result.warnings}, problems
        )
    if "obligations" in expect:
        found = _keys((o.rule, o.step) for o in result.obligations)
        _compare_exact("obligations", expect["obligations"] or [], found, problems)
    if "missing_facts" in expect:
        _compare_exact(
            "missing_facts",
            expect["missing_facts"] or [],
            {m.rule for m in result.missing_facts},
            problems,
        )
    verdicts: dict[str, str] = {}
    for action in result.permitted_actions:
        key = action.option or action.action
        verdicts[f"{key}@{action.subject}" if action.subject else key] = action.status
    for label, status in _DECISIONS.items():
        for option in expect.get(label) or []:
            if option not in verdicts:
                problems.append(f"{label}: no permitted-action entry for {option!r}")
            elif verdicts[option] != status:
                problems.append(f"{label}: {option!r} was {verdicts[option]}")


def run_file(path: str | Path) -> dict[str, list[str]]:
    """Run every scenario in ``path``: scenario name to its problems (empty: passed)."""
    scenario_file = load_scenario_file(path)
    try:
        policy = scenario_file.policy()
    except PolicyError as exc:
        return {s.name: [str(exc)] for s in scenario_file.scenarios}
    return {s.name: check_scenario(policy, s)[0] for s in scenario_file.scenarios}
