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

The file's form is :class:`ScenarioFileModel`, from which ``schemas/scenarios.schema.json`` is
generated; :func:`load_scenario_file` checks a file against that schema.

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

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assess_rules.case import DATE_PATTERN, parse_case
from assess_rules.errors import CaseError, PolicyError
from assess_rules.evaluation import evaluate
from assess_rules.loading import SearchPath, load_policy, read_yaml, schema_errors
from assess_rules.pack import CancellationReason, Step
from assess_rules.policy import Policy
from assess_rules.result import Result

__all__ = [
    "AuthoredInvariant",
    "Scenario",
    "ScenarioFile",
    "ScenarioFileModel",
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


# --- the file's form: the models ``schemas/scenarios.schema.json`` is generated from ---------


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


#: rule ids (rule/step for a step, rule@subject for an item of a list), or options (reason
#: ids, reason@cancellations[0] for a request in the case)
_Names = tuple[Annotated[str, Field(min_length=1)], ...] | None


class DeadlineExpectation(_Strict):
    """What one deadline must be; a key left out is not checked."""

    due: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}([T ].*)?$")
    """The due day (YYYY-MM-DD), or for a time in hours the moment ("2026-12-12T15:00:00+00:00")."""
    status: Literal["pending", "met", "missed", "undetermined"] | None = None
    """Whether it is still pending, was met or missed, or cannot be determined."""
    extension: str | None = None
    """The id of the extension that must apply (null: none)."""
    done: str | None = None
    """When the duty must have been met, as the result gives it."""


class ChildExpectations(_Strict):
    """What the evaluation must find for one child of a family case. A key left out is not
    checked; a list given is compared exactly (for the option lists: each option named must
    have that verdict)."""

    deadlines: dict[str, DeadlineExpectation] | None = None
    """Deadlines by rule id (rule@subject for a rule over a list, e.g.
    strategy-record-shared@strategy_discussions[0])."""
    violations: _Names = None
    """Exactly these rules (or rule/step) are violated."""
    warnings: _Names = None
    """Exactly these rules warn."""
    obligations: _Names = None
    """Exactly these obligations (rule/step) are open or overdue."""
    missing_facts: _Names = None
    """Exactly these rules cannot be decided from the case."""
    allowed: _Names = None
    """These options are allowed."""
    allowed_once: _Names = None
    """These options are allowed once their prerequisites are recorded."""
    refused: _Names = None
    """These options are refused."""
    undecided: _Names = None
    """These options are left undecidable, to a manager."""


class Expectations(ChildExpectations):
    """What the evaluation must find. A key left out is not checked; a list given is
    compared exactly (for the option lists: each option named must have that verdict). In a
    family case the lists are compared with every child's findings together."""

    children: dict[str, ChildExpectations] | None = None
    """In a family case (children:), expectations for one child's findings, by the child's
    id."""
    invalid: tuple[str, ...] | None = None
    """The case must be refused, with a problem at each of these fields (e.g.
    referral.referrer_anonymous)."""


class ScenarioModel(_Strict):
    """One scenario: a case, the date it is evaluated as of, and what must be found."""

    name: str = Field(min_length=1)
    """What the scenario shows, in a sentence; unique in the file."""
    note: str | None = None
    """How the expected dates were worked out by hand, and anything else a reader needs."""
    as_of: str = Field(pattern=DATE_PATTERN)
    """The date the case is evaluated as of (YYYY-MM-DD)."""
    case: dict[str, Any]
    """The case snapshot (docs/snapshot.md), merged onto the file's base: mappings merge key by
    key, anything else replaces, null removes a key of the base."""
    expect: Expectations = Expectations()
    """What the evaluation must find."""


class NeverModel(_Strict):
    """A request for an action that must never get a status while a condition holds."""

    action: str = Field(min_length=1)
    """The action (cancel_assessment, ...)."""
    status: Literal["allowed", "allowed_once", "refused", "undecidable"] = "allowed"
    """The status it must never get (allowed also forbids allowed_once)."""
    when: str | None = None
    """A condition in the pack's language; leave it out for 'in no case'."""


class InvariantModel(_Strict):
    """A property no case may break, searched for a counter-example (docs/testing.md)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": ["never"]}, {"required": ["due_on_working_days"]}]
        },
    )

    name: str | None = None
    """What the invariant says, in a sentence; unique in the file."""
    note: str | None = None
    """Where the property comes from in the source, and how it is read."""
    never: NeverModel | None = None
    """An action that must never get a status while a condition holds."""
    due_on_working_days: tuple[str, ...] | None = Field(None, min_length=1)
    """Timescale rule ids whose deadlines must always fall on working days."""

    @model_validator(mode="after")
    def _one_form(self) -> InvariantModel:
        if (self.never is None) == (self.due_on_working_days is None):
            raise ValueError("an invariant has one of 'never' or 'due_on_working_days'")
        return self


class ScenarioFileModel(_Strict):
    """A scenario file: the pack it tests, its scenarios and its invariants."""

    pack: str = Field(min_length=1)
    """The pack tested: a bundled name (generic_s17), or a path relative to this file."""
    base: dict[str, Any] | None = None
    """A case every scenario's case is merged onto, so each scenario gives only what differs."""
    scenarios: tuple[ScenarioModel, ...] | None = None
    """The scenarios, each a case, a date and what must be found."""
    invariants: tuple[InvariantModel, ...] | None = None
    """Properties no case may break."""


@dataclass(frozen=True)
class Scenario:
    """One scenario: where it is written, the case, the date and what must be found."""

    name: str
    file: str
    line: int
    as_of: date
    case: Mapping[str, Any]
    expect: Mapping[str, Any]
    #: the scenario's ``note:`` (how its dates were worked out), if it has one
    note: str | None = None


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


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file: the pack it tests, its scenarios and its invariants."""

    path: Path
    pack: str
    scenarios: tuple[Scenario, ...]
    invariants: tuple[AuthoredInvariant, ...] = ()

    def policy(self, search_path: SearchPath = None) -> Policy:
        """Load the pack this file tests (a name, or a path relative to the file); a name
        is looked for beside the file, then along ``search_path`` (see
        :func:`~assess_rules.loading.load_policy`)."""
        reference = self.pack
        if reference.endswith((".yaml", ".yml")):
            return load_policy(self.path.parent / reference, search_path=search_path)
        local = self.path.parent / f"{reference}.yaml"
        return load_policy(local if local.is_file() else reference, search_path=search_path)


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Read a scenario file; raise :class:`PolicyError` (located) if it is malformed.

    The file is checked against ``schemas/scenarios.schema.json`` (generated from
    :class:`ScenarioFileModel`, so an editor and this loader agree), then for what a schema
    cannot say: names used twice."""
    file = Path(path)
    doc = read_yaml(_read_text(file), str(file))
    if _is_a_pack(doc.data):
        sibling = file.with_name(f"{file.stem.split('@')[0]}.scenarios.yaml")
        raise PolicyError(
            "this is a policy pack, not a scenario file (a scenario file names its pack "
            "with 'pack: NAME' and lists 'scenarios:')",
            file=str(file),
            suggestion=str(sibling) if sibling.is_file() else None,
        )
    if not isinstance(doc.data, dict):
        raise doc.error(
            "a scenario file has 'pack:', 'scenarios:' and optionally 'base:' and "
            "'invariants:' at the top",
            (),
        )
    errors = schema_errors(doc, "scenarios.schema.json")
    if errors:
        raise errors[0]
    try:
        ScenarioFileModel.model_validate(doc.data)
    except ValidationError as exc:  # the schema agrees with the model: a safety net
        first = exc.errors()[0]
        raise doc.error(str(first["msg"]), tuple(first["loc"])) from None
    data = doc.data
    base = data.get("base") or {}
    scenarios = []
    names: set[str] = set()
    for i, raw in enumerate(data.get("scenarios") or []):
        at = ("scenarios", i)
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
                raw.get("expect") or {},
                None if raw.get("note") is None else str(raw["note"]),
            )
        )
    invariants = []
    for i, raw in enumerate(data.get("invariants") or []):
        at = ("invariants", i)
        name = str(raw.get("name") or f"invariant {i + 1}")
        if name in names:
            raise doc.error(f"name {name!r} is used twice", (*at, "name"))
        names.add(name)
        position = doc.where(at) or (0, 0)
        if "due_on_working_days" in raw:
            invariants.append(
                AuthoredInvariant(
                    name,
                    str(file),
                    position[0],
                    note=raw.get("note"),
                    due_on_working_days=tuple(str(r) for r in raw["due_on_working_days"]),
                )
            )
            continue
        never = raw["never"]
        when = never.get("when")
        invariants.append(
            AuthoredInvariant(
                name,
                str(file),
                position[0],
                str(never["action"]),
                str(never.get("status", "allowed")),
                None if when is None else str(when),
                raw.get("note"),
            )
        )
    return ScenarioFile(file, str(data["pack"]), tuple(scenarios), tuple(invariants))


def _read_text(file: Path) -> str:
    """The text of a scenario file; a file that cannot be read is a :class:`PolicyError`
    naming it (invalid input, like a bad pack), never an OS error's raw text."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise PolicyError("no such file", file=str(file)) from None
    except IsADirectoryError:
        raise PolicyError("a folder, not a scenario file", file=str(file)) from None
    except OSError as exc:
        raise PolicyError(f"cannot read the file: {exc.strerror or exc}", file=str(file)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"not UTF-8 text (byte {exc.start + 1})", file=str(file)) from None


def _is_a_pack(data: Any) -> bool:
    """Whether a document is a policy pack (``pack:`` a mapping, or ``rules:``), given where
    a scenario file (``pack:`` a name) was expected."""
    return isinstance(data, dict) and (isinstance(data.get("pack"), dict) or "rules" in data)


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


@dataclass(frozen=True)
class _PackNames:
    """What a pack (any of its versions) has that an expectation may name: rule ids, the
    steps of each rule, and options (reasons and actions), so that a mistyped name is told
    apart from a finding that is not there."""

    pack: str
    rules: frozenset[str]
    steps: Mapping[str, frozenset[str]]
    options: frozenset[str]

    @classmethod
    def of(cls, policy: Policy) -> _PackNames:
        def build() -> _PackNames:
            rules: set[str] = set()
            steps: dict[str, set[str]] = {}
            options: set[str] = set()
            for version in policy.versions or (policy,):
                for rule in version.rules:
                    rules.add(rule.id)
                    for part in _parts(rule):
                        if isinstance(part, Step):
                            steps.setdefault(rule.id, set()).add(part.id)
                        elif isinstance(part, CancellationReason):
                            options.add(part.id)
                    action = getattr(rule, "action", None)
                    if isinstance(action, str):
                        options.add(action)
            return cls(
                policy.id,
                frozenset(rules),
                {rule: frozenset(ids) for rule, ids in steps.items()},
                frozenset(options),
            )

        return policy.derived("scenario-names", build)

    def unknown_rule(self, entry: str, what: str = "rule") -> str | None:
        """Why ``entry`` (``rule``, ``rule/step`` or ``rule@subject``) names nothing of the
        pack, with the nearest name it has; ``None`` if it names a rule (and step) it has."""
        rule, _, step = entry.split("@")[0].partition("/")
        if rule not in self.rules:
            return f"pack {self.pack!r} has no {what} {rule!r}{_nearest(rule, self.rules)}"
        known = self.steps.get(rule, frozenset())
        if step and step not in known:
            return f"rule {rule!r} has no step {step!r}{_nearest(step, known)}"
        return None

    def unknown_option(self, entry: str) -> str | None:
        """Why ``entry`` (``option`` or ``option@subject``) names no reason or action of the
        pack; ``None`` if the pack has it."""
        option = entry.split("@")[0]
        if option in self.options:
            return None
        return (
            f"pack {self.pack!r} has no option (reason or action) {option!r}"
            f"{_nearest(option, self.options)}"
        )


def _parts(model: object) -> Iterator[object]:
    """Every model inside a rule, depth first (steps and reasons, wherever they sit)."""
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, BaseModel):
                    yield item
                    yield from _parts(item)


def _nearest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _compare_exact(
    label: str,
    expected: Iterable[str],
    found: set[str],
    problems: list[str],
    names: _PackNames | None = None,
) -> None:
    """``expected`` holds "rule" or "rule/step" entries; ``found`` holds both forms for each
    finding. Every expected entry must be found, and nothing else: no other rule, and where
    steps of a rule are named, no other step of it. An entry the pack has no rule (or step)
    for is reported as such, with the nearest name, not as a finding missing."""
    wanted = set(expected)
    unknown = {w: names.unknown_rule(w) for w in wanted if w not in found} if names else {}
    for _, why in sorted(unknown.items()):
        if why:
            problems.append(f"{label}: {why}")
    missing = sorted(w for w in wanted if w not in found and not unknown.get(w))
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
    names = _PackNames.of(policy)
    _compare(expect, result, problems, names)
    for child, wanted in (expect.get("children") or {}).items():
        found: list[str] = []
        _compare(wanted, result.of_child(str(child)), found, names)
        problems += [f"child {child}: {problem}" for problem in found]
    return problems, result


def _compare(
    expect: Mapping[str, Any], result: Result, problems: list[str], names: _PackNames
) -> None:
    """Add to ``problems`` what in ``result`` does not match ``expect``; a name the pack
    does not have is reported as such (with the nearest it has), apart from a finding that
    is not there."""
    for key, wanted in (expect.get("deadlines") or {}).items():
        rule, _, subject = str(key).partition("@")
        try:
            deadline = result.deadline(rule, subject or None)
        except KeyError:
            unknown = names.unknown_rule(rule)
            problems.append(f"deadline {key}: {unknown or 'none found'}")
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
        _compare_exact("violations", expect["violations"] or [], found, problems, names)
    if "warnings" in expect:
        _compare_exact(
            "warnings",
            expect["warnings"] or [],
            {w.rule for w in result.warnings},
            problems,
            names,
        )
    if "obligations" in expect:
        found = _keys((o.rule, o.step) for o in result.obligations)
        _compare_exact("obligations", expect["obligations"] or [], found, problems, names)
    if "missing_facts" in expect:
        _compare_exact(
            "missing_facts",
            expect["missing_facts"] or [],
            {m.rule for m in result.missing_facts},
            problems,
            names,
        )
    verdicts: dict[str, str] = {}
    for action in result.permitted_actions:
        key = action.option or action.action
        verdicts[f"{key}@{action.subject}" if action.subject else key] = action.status
    for label, status in _DECISIONS.items():
        for option in expect.get(label) or []:
            if option not in verdicts:
                unknown = names.unknown_option(str(option))
                problems.append(
                    f"{label}: {unknown}"
                    if unknown
                    else f"{label}: no permitted-action entry for {option!r}"
                )
            elif verdicts[option] != status:
                problems.append(f"{label}: {option!r} was {verdicts[option]}")


def run_file(path: str | Path, *, search_path: SearchPath = None) -> dict[str, list[str]]:
    """Run every scenario in ``path``: scenario name to its problems (empty: passed)."""
    scenario_file = load_scenario_file(path)
    try:
        policy = scenario_file.policy(search_path)
    except PolicyError as exc:
        return {s.name: [str(exc)] for s in scenario_file.scenarios}
    return {s.name: check_scenario(policy, s)[0] for s in scenario_file.scenarios}
