"""``explain(policy, case, as_of)``: for each rule of the pack (or one), whether it applied to
the case and why: every condition with the value of each fact it read and of each of its
parts, each extension considered, each step found or missing with the record looked for,
and each deadline with how its due date was computed.

It does not judge the case a second time in its own way: the findings it shows are the
evaluator's (:func:`assess_rules.evaluate`), and the why beside them is traced with the
same compiled conditions, fact context, step search and due-date computation the rule kinds
use. Evaluation itself is untouched (no tracing slows it).

>>> from assess_rules import load_policy, parse_case
>>> policy = load_policy("generic_s17")
>>> case = parse_case({"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"}})
>>> found = explain(policy, case, as_of="2026-12-18", rule="referral-decision")
>>> rule = found.rules[0]
>>> rule.applied, rule.parts[0].deadlines[0].due.date().isoformat()
(True, '2026-12-21')

The JSON form (:meth:`Explanation.to_dict`) follows ``schemas/explain.schema.json``; the text
form (:func:`format_explanation`) is for people. ``docs/explain.md`` shows both.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal, TextIO

from assess_rules.calendar import LONDON, Now, amount_words, describe, to_london
from assess_rules.case import CaseSnapshot, parse_case
from assess_rules.conditions import ConditionTrace, trace_condition
from assess_rules.errors import CaseError, CaseIssue, UnknownRuleError
from assess_rules.evaluation import evaluate
from assess_rules.facts import FactContext, collection_items
from assess_rules.kinds import Judge, Memo, kind_of
from assess_rules.kinds._page import within_words
from assess_rules.kinds._steps import find_record
from assess_rules.kinds.obligation import judged_context
from assess_rules.pack import (
    AuthorityRule,
    CancellationRule,
    CaseloadReviewRule,
    CheckRule,
    ConsentRule,
    ObligationRule,
    ProhibitionRule,
    RecurringRule,
    Rule,
    Step,
    TimescaleRule,
    WarningRule,
)
from assess_rules.policy import Policy
from assess_rules.result import Citation, PackStamp, Result
from assess_rules.timing import compute_due, on_time

__all__ = [
    "EXPLAIN_SCHEMA_VERSION",
    "CheckedCondition",
    "CheckedExtension",
    "CheckedStep",
    "ExplainedDeadline",
    "ExplainedPart",
    "ExplainedRule",
    "Explanation",
    "Finding",
    "explain",
    "format_explanation",
]

EXPLAIN_SCHEMA_VERSION = "1.0"

#: the trigger of each consent branch (as ``kinds.consent`` reads it)
_CONSENT_TRIGGER = {
    "declined": "consent.declined",
    "withdrawn_before_visit": "consent.withdrawn",
    "withdrawn_after_visit": "consent.withdrawn",
    "overridden": "consent.overridden",
}


@dataclass(frozen=True, slots=True)
class CheckedCondition:
    """One condition of a rule (``where`` says which: ``applies_when``, a reason's
    ``when``, a prohibition's, an extension's, a step's ``unless``...), its value for the
    case (``True``, ``False`` or ``None``: unknown), the value of every fact it read, the
    facts that are not recorded, and its parts as written, each with its value."""

    where: str
    """Which condition of the rule this is: applies_when, when, violation_when,
    also_requires, "reason <id>" (a reason's when), "prohibition <id>" (a prohibition on the
    same action), "extension <id>", "step <id> unless", or "when (as the case stood at the
    trigger)" for an obligation judged at its trigger."""
    text: str
    """The condition as the pack writes it (its lines joined into one)."""
    value: bool | None
    """Whether it holds for the case: true, false, or null when it cannot be told
    because a fact it reads is not recorded."""
    facts: dict[str, Any]
    """Every fact the condition reads, by name, with its value as the condition read it
    (dates and moments as ISO 8601 text); null when the case does not record it."""
    unknown_facts: tuple[str, ...]
    """The facts it reads that the case does not record, by name (each is null under
    facts)."""
    trace: ConditionTrace
    """The condition taken apart: its whole text and value, then each sub-expression
    with its own value, down to each fact it reads."""


@dataclass(frozen=True, slots=True)
class CheckedExtension:
    """An extension of a timescale: whether it was considered, whether it applied, why."""

    id: str
    """The extension's id in the pack."""
    within: str
    """The longer limit the extension allows, in words (e.g. "7 working days")."""
    considered: bool
    """Whether its condition was tested: an extension is considered only when the
    duty was not done within the base limit, and only until one applies or cannot be
    decided."""
    applied: bool | None
    """Whether the longer limit applies: true, false, or null when its condition
    cannot be decided (the deadline is then undetermined). False when not considered."""
    why: str
    """Why it applied, did not, or was not considered, in words."""
    condition: CheckedCondition | None
    """Its condition with the value of each part and fact; null when it was not
    considered."""
    sources: tuple[Citation, ...] = ()
    """The catalogue IDs and paragraphs the extension cites."""


@dataclass(frozen=True, slots=True)
class CheckedStep:
    """A step (a prerequisite, a consent branch's or an obligation's step): the record looked
    for and whether it was found. ``status``: ``done``, ``late`` (found, but after its due
    date or its ``before``), ``missing`` or ``not_needed`` (its ``unless`` holds)."""

    id: str
    """The step's id in the pack."""
    title: str
    """The step's title."""
    records: tuple[str, ...]
    """The records any one of which satisfies the step: oversight.<kind>,
    action.<kind> or a moment fact."""
    looked_for: str
    """What was looked for, in words: the records, the lowest role whose record
    counts, and the moments the record must fall after or before, with their values."""
    status: Literal["done", "late", "missing", "not_needed"]
    """done (recorded in time); late (recorded, but after its due date or after the
    moment it must come before); missing (no such record); not_needed (its unless condition
    holds)."""
    found: datetime | None
    """When the record that counts was made (the earliest that qualifies); null when
    none was found or the step is not needed."""
    why: str
    """Why the step has its status, in words (for a missing one, a record that did not
    count because too junior a role made it, and whether the step is due yet)."""
    by: str | None = None
    """The role id of the lowest role whose record counts (higher roles' records count
    too); null when any role's does."""
    due: date | datetime | None = None
    """When the step is due, for a step with a time limit (within); null when it has
    none or the moment it is counted from is not recorded."""
    unless: CheckedCondition | None = None
    """The step's unless condition with the value of each part and fact; null when
    the step has none."""


@dataclass(frozen=True, slots=True)
class ExplainedDeadline:
    """A deadline the rule set, as the evaluator computed it: from ``start_fact`` (its
    value ``start``) to ``end_fact`` (done ``done``), ``amount`` ``unit`` counted under
    ``counting``, due ``due``, and the computation in words."""

    start_fact: str
    """The fact the time is counted from (e.g. referral.received)."""
    start: datetime
    """Its value: when the time started (ISO 8601, London time)."""
    end_fact: str | None
    """The fact that meets the duty (e.g. child.first_seen), or the record a recurring
    duty asks for (e.g. action.plan_reviewed); null when the rule names none."""
    done: datetime | None
    """When the duty was met (the end fact's value); null when it has not been, or it
    is not recorded."""
    amount: int
    """How long there is, in the unit given: the extended limit when an extension
    applied."""
    unit: str
    """The unit of the amount: working_days, calendar_days, hours, weeks or months."""
    counting: str
    """The counting convention for working days: trigger_is_day_0 (the day the time
    starts is day 0) or trigger_is_day_1 (it is day 1)."""
    due: datetime
    """When it is due (ISO 8601, London time): the end of the due day for times in days,
    the exact moment for hours."""
    status: str
    """pending (not yet due and not done), met, missed, or undetermined (a fact it
    needs is not recorded)."""
    computation: str
    """How the due date was worked out, in words."""
    skipped_days: tuple[date, ...] = ()
    """Weekend days, bank holidays and closure days skipped in counting."""
    extension: str | None = None
    """The id of the extension that applied; null when none did."""
    subject: str | None = None
    """For a rule over a list in the case: which item (e.g.
    strategy_discussions[0]); null for the case as a whole."""
    caveats: tuple[str, ...] = ()
    """What the reader should know about how the date was found (for example: the
    pack's closure days are not listed this far ahead)."""


@dataclass(frozen=True, slots=True)
class ExplainedPart:
    """What a rule met in one context: the case (``subject`` ``None``), one item of a
    collection (``cancellations[0]``), or the open options of an action (``options``)."""

    subject: str | None
    """Which context: null for the case as a whole, an item of a list in the case
    (e.g. cancellations[0]), or "options" for an action's open options as the case stands."""
    label: str
    """The context in words, as the text form heads it."""
    applied: bool | None
    """Whether the rule applied in this context: true, false, or null when it cannot
    be told because a fact it needs is not recorded."""
    why: str
    """Why it applied or did not here, in words."""
    conditions: tuple[CheckedCondition, ...] = ()
    """Each condition the rule tested here, with the value of each part and of
    each fact it read."""
    facts: dict[str, Any] = field(default_factory=dict)
    """Facts the rule read outside its conditions (its start, end or trigger, who
    recommended or decided, the consent branch), by name, with their values (dates and moments
    as ISO 8601 text); null when the case does not record one."""
    checks: dict[str, bool | None] = field(default_factory=dict)
    """Tests that are not conditions (e.g. whether the role that decided may decide),
    each in words, with its outcome: true (passed), false (failed) or null (cannot tell)."""
    extensions: tuple[CheckedExtension, ...] = ()
    """Each extension of the timescale, in the pack's order: whether it was
    considered and whether it applied."""
    steps: tuple[CheckedStep, ...] = ()
    """Each step the rule requires here (a prerequisite of an action, a step of an
    obligation or consent branch), with the record looked for and whether it was found."""
    deadlines: tuple[ExplainedDeadline, ...] = ()
    """Each deadline the evaluation set for the rule here, with how its due date
    was computed."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One item the evaluation reported for a rule: a deadline, violation, warning,
    decision, obligation or missing facts, in words."""

    type: Literal["deadline", "violation", "warning", "decision", "obligation", "missing_facts"]
    """What the evaluation reported: a deadline, violation, warning, decision (on a
    permitted action), obligation, or missing_facts (facts needed to decide that are not
    recorded)."""
    subject: str | None
    """For a rule over a list in the case: which item (e.g. cancellations[0]); null
    for the case as a whole."""
    text: str
    """The finding in words (the same as the evaluation's own, for a violation or a
    warning)."""


@dataclass(frozen=True, slots=True)
class ExplainedRule:
    """Whether one rule applied to the case and why (``applied`` ``None``: cannot be told
    from the snapshot), with what it met in each context and what the evaluation found."""

    rule: str
    """The rule's id in the pack."""
    kind: str
    """The rule's kind (timescale, action, prohibition, warning, check, obligation,
    consent, authority, recurring, caseload_review)."""
    title: str
    """The rule's title."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    origin: str
    """The id of the pack the rule comes from: the pack's own, or one it extends."""
    in_force: bool
    """Whether the rule was in force on the referral date (false when its own
    effective_from or effective_to exclude it; it then does not apply)."""
    applied: bool | None
    """Whether the rule applied to the case: true if it applied in any context,
    null when it cannot be told from the snapshot (a fact it needs is not recorded), else
    false."""
    why: str
    """Why it applied or did not, in words."""
    parts: tuple[ExplainedPart, ...]
    """What the rule met in each context it judged: the case, each item of a list, or
    an action's open options."""
    findings: tuple[Finding, ...]
    """What the evaluation reported for this rule, in words."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """The explanation of one case against one pack as of one date, rule by rule."""

    case_id: str
    """The case's id, from the snapshot."""
    as_of: date
    """The day the case was judged as of (YYYY-MM-DD, London); when a moment was
    given, its day."""
    pack: PackStamp
    """Which pack, in which version and exact content, judged the case: the version in
    force on the referral date."""
    rules: tuple[ExplainedRule, ...]
    """One entry per rule of that version of the pack, in the pack's order; only the
    one named when a rule was asked for."""
    schema_version: str = EXPLAIN_SCHEMA_VERSION
    """The version of this JSON form (major: a field removed or changed;
    minor: a field added)."""

    def rule(self, rule_id: str) -> ExplainedRule:
        """The explanation of rule ``rule_id``."""
        for explained in self.rules:
            if explained.rule == rule_id:
                return explained
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON-ready values (dates as ISO 8601 text), per
        ``schemas/explain.schema.json``."""
        plain: dict[str, Any] = _plain(asdict(self))
        return plain

    def to_json(self, *, indent: int | None = 2) -> str:
        """As JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# -- the library function ---------------------------------------------------------------------


def explain(
    policy: Policy,
    case: CaseSnapshot,
    as_of: date | datetime | str | None = None,
    rule: str | None = None,
) -> Explanation:
    """Explain, rule by rule (or for ``rule`` alone), what ``policy`` says of ``case`` as of
    ``as_of`` (as :func:`assess_rules.evaluate` reads it) and why. An unknown ``rule`` raises
    :class:`UnknownRuleError` naming the nearest rule id."""
    moment = _moment(as_of)
    result = evaluate(policy, case, moment)  # checks the case and the date, as evaluation does
    if isinstance(moment, str):  # pragma: no cover - evaluation refused it
        raise AssertionError(moment)
    if isinstance(moment, datetime):
        cutoff = to_london(moment)
        day = cutoff.date()
    else:
        day = moment
        cutoff = datetime.combine(day, time.max, LONDON)
    referral_day = case.referral.received_at.date()
    version = policy.version_on(referral_day)
    rules = list(version.rules)
    if rule is not None:
        ids = [r.id for r in rules]
        if rule not in ids:
            close = difflib.get_close_matches(rule, ids, n=1, cutoff=0.5)
            raise UnknownRuleError(rule, version.id, close[0] if close else None)
        rules = [r for r in rules if r.id == rule]
    ctx = FactContext(case, cutoff, day, version.calendar, version.role_ranks)
    dated = frozenset(r.id for r in version.rules if r.effective_from or r.effective_to)
    tracer = _Tracer(version, Judge(version, ctx, Memo(), referral_day, dated), result)
    return Explanation(
        case_id=case.case_id,
        as_of=day,
        pack=result.pack,
        rules=tuple(tracer.rule(r) for r in rules),
    )


def _moment(as_of: date | datetime | str | None) -> date | datetime | str:
    """``as_of`` read once, so evaluation and the explanation see the same moment (a text
    that is not a date is left for evaluation to refuse with its own message)."""
    if as_of is None:
        return Now.now(LONDON)
    if isinstance(as_of, str) and len(as_of) <= 40:
        try:
            return date.fromisoformat(as_of) if len(as_of) == 10 else datetime.fromisoformat(as_of)
        except ValueError:
            pass
    return as_of


@dataclass
class _Part:
    """An :class:`ExplainedPart` being built."""

    subject: str | None
    label: str
    applied: bool | None = None
    why: str = ""
    conditions: list[CheckedCondition] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, bool | None] = field(default_factory=dict)
    extensions: list[CheckedExtension] = field(default_factory=list)
    steps: list[CheckedStep] = field(default_factory=list)
    deadlines: list[ExplainedDeadline] = field(default_factory=list)

    def done(self) -> ExplainedPart:
        return ExplainedPart(
            self.subject,
            self.label,
            self.applied,
            self.why,
            tuple(self.conditions),
            dict(self.facts),
            dict(self.checks),
            tuple(self.extensions),
            tuple(self.steps),
            tuple(self.deadlines),
        )


class _Tracer:
    """Explains each rule of one policy version for one case."""

    def __init__(self, policy: Policy, judge: Judge, result: Result) -> None:
        self.policy = policy
        self.judge = judge
        self.ctx = judge.ctx
        self.result = result
        self.parameters = {name: p.value for name, p in policy.parameters.items()}

    # -- helpers ---------------------------------------------------------------------------
    def condition(
        self, where: str, text: str, ctx: FactContext, scope: str | None
    ) -> CheckedCondition:
        trace = trace_condition(text, self.policy.facts, ctx, scope, self.parameters)
        facts = trace.facts()
        unknown = tuple(name for name, value in facts.items() if value is None)
        return CheckedCondition(where, " ".join(text.split()), trace.value, facts, unknown, trace)

    def test(
        self, part: _Part, where: str, text: str | None, ctx: FactContext, scope: str | None
    ) -> bool | None:
        """Trace ``text`` into ``part``; ``True`` when there is no condition."""
        if text is None:
            return True
        checked = self.condition(where, text, ctx, scope)
        part.conditions.append(checked)
        return checked.value

    def contexts(self, scope: str | None) -> Sequence[tuple[FactContext, str | None]]:
        return self.judge.contexts(scope)

    def request_contexts(self, action: str) -> list[tuple[FactContext, str, Any]]:
        """Each request for ``action``, in the context the action kind judges it in: the
        case as it stood when the request was decided, if it was."""
        found = []
        for index, request in enumerate(collection_items(self.ctx, "cancellations")):
            if request.action != action:
                continue
            decided = self.ctx.seen(request.decided_at)
            base = self.ctx.as_at(decided) if decided is not None else self.ctx
            found.append(
                (base.for_item("cancellations", request), f"cancellations[{index}]", request)
            )
        return found

    def options_open(self) -> bool:
        """Whether the action kind lists the case's open options (as ``kinds.action``)."""
        status = self.ctx.get("assessment.status")
        return status in {"not_started", "in_progress"} and not self.ctx.get(
            "cancellation.approved"
        )

    # -- one rule --------------------------------------------------------------------------
    def rule(self, rule: Rule) -> ExplainedRule:
        kind = kind_of(rule).name
        in_force = self.policy.in_force(rule, self.judge.day)
        parts: list[_Part] = []
        if not in_force:
            span = f"from {rule.effective_from or 'the start'} to {rule.effective_to or 'now'}"
            applied: bool | None = False
            why = f"not in force on the referral date ({self.judge.day.isoformat()}): {span}"
        else:
            applied, why = self._explain(rule, parts)
        return ExplainedRule(
            rule=rule.id,
            kind=kind,
            title=rule.title,
            sources=tuple(Citation(s.id, s.para) for s in rule.sources),
            origin=self.policy.origin.get(rule.id, self.policy.id),
            in_force=in_force,
            applied=applied,
            why=why,
            parts=tuple(p.done() for p in parts),
            findings=tuple(self.findings(rule.id)),
        )

    def each_part(
        self, scope: str | None, parts: list[_Part]
    ) -> Iterator[tuple[FactContext, str | None, _Part]]:
        """The case, or each item of ``scope``, with a new part of the explanation for it
        (added to ``parts``)."""
        for ctx, subject in self.contexts(scope):
            part = _Part(subject, subject or "the case")
            parts.append(part)
            yield ctx, subject, part

    def _explain(self, rule: Rule, parts: list[_Part]) -> tuple[bool | None, str]:
        if isinstance(rule, CaseloadReviewRule):
            return None, "judged over many cases (assess-rules caseload), not one case"
        explain_kind = _BY_KIND.get(type(rule))
        if explain_kind is None:  # pragma: no cover - every kind has its explainer
            raise AssertionError(f"no explanation for {type(rule).__name__}")
        return explain_kind(self, rule, parts)

    # -- timescales ------------------------------------------------------------------------
    def timescale(self, rule: TimescaleRule, parts: list[_Part]) -> tuple[bool | None, str]:
        for ctx, subject, part in self.each_part(rule.for_each, parts):
            start = ctx.get(rule.start)
            part.facts[rule.start] = start
            if rule.end is not None:
                part.facts[rule.end] = ctx.get(rule.end)
            if start is None:
                part.applied = False
                part.why = f"not started: {rule.start} is not recorded"
                if rule.end is not None and ctx.get(rule.end) is not None:
                    part.applied = None
                    part.why += f", yet {rule.end} is: when it started is missing"
                continue
            applies = self.test(part, "applies_when", rule.applies_when, ctx, rule.for_each)
            if applies is False:
                part.applied = False
                part.why = "its applies_when condition does not hold"
                continue
            self.extensions(rule, part, ctx, start)
            part.deadlines.extend(self.deadlines(rule.id, subject, rule.counting))
            part.applied = None if applies is None else True
            if applies is None:
                part.why = "cannot tell whether it applies: a fact its condition reads is unknown"
            else:
                part.why = f"started by {rule.start}" + (
                    " and its applies_when condition holds" if rule.applies_when else ""
                )
        return _overall(parts, f"{rule.start} is not recorded")

    def extensions(
        self, rule: TimescaleRule, part: _Part, ctx: FactContext, start: date | datetime
    ) -> None:
        """Each extension as ``kinds.timescale`` considers it: only when the duty was not
        done within the base limit; the first whose condition holds applies; an unknown one
        stops the search (the deadline is then undetermined)."""
        if not rule.extensions:
            return
        counting = rule.counting or self.policy.counting
        base = compute_due(self.policy, start, rule.within, counting, rule.start_at)
        done = ctx.get(rule.end) if rule.end else None
        needed = done is None or not on_time(done, base.due)
        decided: str | None = None
        for extension in rule.extensions:
            sources = tuple(Citation(s.id, s.para) for s in extension.sources)
            within = within_words(extension.within)
            if not needed:
                part.extensions.append(
                    CheckedExtension(
                        extension.id,
                        within,
                        False,
                        False,
                        f"not needed: done within the base limit (due {describe(base.due)})",
                        None,
                        sources,
                    )
                )
                continue
            if decided is not None:
                part.extensions.append(
                    CheckedExtension(
                        extension.id,
                        within,
                        False,
                        False,
                        f"not considered: {decided}",
                        None,
                        sources,
                    )
                )
                continue
            checked = self.condition(
                f"extension {extension.id}", extension.when, ctx, rule.for_each
            )
            late = (
                f"not done within the base {within_words(rule.within)} (due {describe(base.due)})"
            )
            if checked.value:
                why = f"{late}; its condition holds: the longer limit applies"
                decided = f"{extension.id!r} applied first"
            elif checked.value is None:
                why = f"{late}; its condition cannot be decided: the deadline is undetermined"
                decided = f"{extension.id!r} could not be decided"
            else:
                why = f"{late}; its condition does not hold"
            part.extensions.append(
                CheckedExtension(extension.id, within, True, checked.value, why, checked, sources)
            )

    def deadlines(
        self, rule_id: str, subject: str | None, counting: Any
    ) -> list[ExplainedDeadline]:
        """The deadlines the evaluation set for ``rule_id`` (and ``subject``)."""
        convention = str((counting or self.policy.counting).value)
        return [
            ExplainedDeadline(
                start_fact=d.start_event,
                start=d.start,
                end_fact=d.end_event,
                done=d.done,
                amount=d.amount,
                unit=d.unit,
                counting=convention,
                due=d.due,
                status=d.status,
                computation=d.computation,
                skipped_days=d.skipped_days,
                extension=d.extension,
                subject=d.subject,
                caveats=d.caveats,
            )
            for d in self.result.deadlines
            if d.rule == rule_id and (subject is None or d.subject == subject)
        ]

    def recurring(self, rule: RecurringRule, parts: list[_Part]) -> tuple[bool | None, str]:
        part = _Part(None, "the case")
        parts.append(part)
        start = self.ctx.get(rule.start)
        part.facts[rule.start] = start
        if rule.until:
            part.facts[rule.until] = self.ctx.get(rule.until)
        if start is None:
            part.applied, part.why = False, f"not started: {rule.start} is not recorded"
            return _overall(parts, "")
        applies = self.test(part, "applies_when", rule.applies_when, self.ctx, None)
        if applies is not True:
            part.applied = applies
            part.why = (
                "its applies_when condition does not hold"
                if applies is False
                else "cannot tell whether it applies: a fact its condition reads is unknown"
            )
            return _overall(parts, "")
        by = f" by {self.policy.role_label(rule.by)} or higher" if rule.by else ""
        part.applied = True
        part.why = (
            f"started by {rule.start}: a record {rule.record}{by} is due every "
            f"{within_words(rule.every)}" + (f", until {rule.until}" if rule.until else "")
        )
        part.deadlines.extend(self.deadlines(rule.id, None, None))
        return _overall(parts, "")

    # -- actions and what they judge together ----------------------------------------------
    def action(self, rule: CancellationRule, parts: list[_Part]) -> tuple[bool | None, str]:
        policy = self.policy
        prohibitions = [
            p
            for p in policy.rules
            if isinstance(p, ProhibitionRule)
            and p.action == rule.action
            and policy.in_force(p, self.judge.day)
        ]
        for ctx, subject, request in self.request_contexts(rule.action):
            part = _Part(subject, f"{subject}: request to {rule.action} ({request.reason})")
            parts.append(part)
            applies = self.test(part, "applies_when", rule.applies_when, ctx, "cancellations")
            reason = next((r for r in rule.reasons if r.id == request.reason), None)
            if reason is None:
                listed = ", ".join(r.id for r in rule.reasons)
                part.why = f"{request.reason!r} is not a reason this rule lists ({listed})"
            elif reason.when is not None:
                self.test(part, f"reason {reason.id}", reason.when, ctx, "cancellations")
            grounds = set(reason.grounds) if reason is not None else set()
            self.prohibitions(part, prohibitions, grounds, ctx)
            for fact in (
                "cancellation.recommended_by",
                "cancellation.decided_by",
                "cancellation.outcome",
            ):
                part.facts[fact] = ctx.get(fact)
            approver = (reason.decided_by if reason is not None else None) or rule.decided_by
            if request.outcome in {"approved", "refused"}:
                fits = policy.may_act(
                    request.decided_by, approver, higher_allowed=rule.higher_roles_may_decide
                )
                higher = rule.higher_roles_may_decide
                if higher is None:
                    higher = policy.higher_roles_may_act
                who = policy.role_label(approver) + (" or higher" if higher else " only")
                by = policy.role_label(request.decided_by) if request.decided_by else "nobody named"
                part.checks[f"decided by {by}; may decide: {who}"] = fits
            if rule.recommended_by is not None and request.recommended_by is not None:
                by = policy.role_label(request.recommended_by)
                need = policy.role_label(rule.recommended_by)
                need += " or higher" if policy.higher_roles_may_act else " only"
                part.checks[f"recommended by {by}; may recommend: {need}"] = policy.may_act(
                    request.recommended_by, rule.recommended_by
                )
            if reason is not None and reason.requires_free_text:
                part.checks["the reason needs free text: given"] = bool(
                    ctx.get("cancellation.has_free_text")
                )
            outcome = ctx.get("cancellation.outcome")
            if outcome != "refused":
                part.steps.extend(
                    self.steps(
                        rule.requires,
                        ctx,
                        "cancellations",
                        trigger=None,
                        default_before="cancellation.decided",
                    )
                )
            part.applied = None if applies is None else bool(applies)
            if not part.why:
                part.why = (
                    "requested; its applies_when condition does not hold"
                    if applies is False
                    else f"requested with reason {request.reason!r}"
                )
        if self.options_open():
            part = _Part("options", f"open options to {rule.action} (the case as it stands)")
            applies = self.test(part, "applies_when", rule.applies_when, self.ctx, "cancellations")
            if applies is not False:
                parts.append(part)
                for reason in rule.reasons:
                    if reason.when is not None:
                        self.test(
                            part, f"reason {reason.id}", reason.when, self.ctx, "cancellations"
                        )
                self.prohibitions(part, prohibitions, None, self.ctx)
                part.steps.extend(self.steps(rule.requires, self.ctx, "cancellations", None))
                part.applied = None if applies is None else True
                part.why = "the assessment is open: each reason is an option"
        return _overall(parts, f"no request to {rule.action} and no open option")

    def prohibitions(
        self,
        part: _Part,
        prohibitions: Sequence[ProhibitionRule],
        grounds: set[str] | None,
        ctx: FactContext,
    ) -> None:
        """The ``when`` of each prohibition on the action that concerns these ``grounds``
        (``None``: every option, each judged with its own)."""
        for rule in prohibitions:
            if grounds is not None:
                if rule.grounds and not grounds.intersection(rule.grounds):
                    continue
                if grounds.intersection(rule.except_grounds):
                    continue
            self.test(part, f"prohibition {rule.id}", rule.when, ctx, "cancellations")

    def _concerned(self, rule: ProhibitionRule, reason_id: str) -> tuple[bool, str]:
        """Whether a prohibition concerns a request with ``reason_id`` (its grounds)."""
        grounds: set[str] = set()
        for action in self.policy.rules:
            if isinstance(action, CancellationRule) and action.action == rule.action:
                for reason in action.reasons:
                    if reason.id == reason_id:
                        grounds = set(reason.grounds)
        if rule.grounds and not grounds.intersection(rule.grounds):
            return False, f"only reasons with grounds {', '.join(rule.grounds)}"
        if grounds.intersection(rule.except_grounds):
            return False, f"not reasons with grounds {', '.join(rule.except_grounds)}"
        return True, ""

    def prohibition(self, rule: ProhibitionRule, parts: list[_Part]) -> tuple[bool | None, str]:
        for ctx, subject, request in self.request_contexts(rule.action):
            part = _Part(subject, f"{subject}: request to {rule.action} ({request.reason})")
            parts.append(part)
            concerned, why = self._concerned(rule, request.reason)
            if not concerned:
                part.applied, part.why = False, f"does not concern this reason: {why}"
                continue
            holds = self.test(part, "when", rule.when, ctx, "cancellations")
            part.applied = holds
            part.why = _held(holds, "refuses" if rule.effect == "refuse" else "leaves to a manager")
        if self.options_open() and any(
            isinstance(r, CancellationRule) and r.action == rule.action for r in self.policy.rules
        ):
            part = _Part("options", f"open options to {rule.action} (the case as it stands)")
            parts.append(part)
            holds = self.test(part, "when", rule.when, self.ctx, "cancellations")
            part.applied = holds
            part.why = _held(holds, "stands against the options it concerns")
        return _overall(parts, f"no request to {rule.action} and no open option")

    def warning(self, rule: WarningRule, parts: list[_Part]) -> tuple[bool | None, str]:
        if rule.action is not None:
            contexts: list[tuple[FactContext, str | None]] = [
                (c, s) for c, s, _ in self.request_contexts(rule.action)
            ]
            if self.options_open():
                contexts.append((self.ctx, "options"))
            scope: str | None = "cancellations"
        else:
            contexts = list(self.contexts(rule.for_each))
            scope = rule.for_each
        for ctx, subject in contexts:
            part = _Part(subject, subject or "the case")
            parts.append(part)
            holds = self.test(part, "when", rule.when, ctx, scope)
            part.applied = holds
            part.why = _held(holds, "warns")
        missing = f"no request to {rule.action}" if rule.action else f"no item of {rule.for_each}"
        return _overall(parts, missing)

    def check(self, rule: CheckRule, parts: list[_Part]) -> tuple[bool | None, str]:
        for ctx, _, part in self.each_part(rule.for_each, parts):
            holds = self.test(part, "violation_when", rule.violation_when, ctx, rule.for_each)
            part.applied = holds
            part.why = _held(holds, "is broken")
        return _overall(parts, f"no item of {rule.for_each}")

    def authority(self, rule: AuthorityRule, parts: list[_Part]) -> tuple[bool | None, str]:
        for ctx, _, part in self.each_part(rule.for_each, parts):
            taken = self.test(part, "applies_when", rule.applies_when, ctx, rule.for_each)
            part.applied = taken
            if taken is not True:
                part.why = _held(taken, "applies (the action was taken)")
                continue
            actual = ctx.get(rule.role_fact)
            part.facts[rule.role_fact] = actual
            fits = self.policy.may_act(actual, rule.role)
            part.checks[f"taken by a role that may {rule.action.replace('_', ' ')}"] = fits
            if rule.also_requires is not None:
                self.test(part, "also_requires", rule.also_requires, ctx, rule.for_each)
            need = self.policy.role_label(rule.role)
            part.why = (
                f"the action was taken; who took it is not recorded ({rule.role_fact})"
                if fits is None
                else f"the action was taken by a role that {'may' if fits else 'may not'} "
                f"take it (needs {need})"
            )
        return _overall(parts, f"no item of {rule.for_each}")

    # -- steps -----------------------------------------------------------------------------
    def obligation(self, rule: ObligationRule, parts: list[_Part]) -> tuple[bool | None, str]:
        for ctx, subject, part in self.each_part(rule.for_each, parts):
            trigger = ctx.get(rule.trigger)
            part.facts[rule.trigger] = trigger
            if trigger is None:
                part.applied = False
                part.why = f"has not arisen: its trigger {rule.trigger} is not recorded"
                continue
            judged = judged_context(rule, self.ctx, ctx, trigger, subject)
            where = "when" if judged is ctx else "when (as the case stood at the trigger)"
            arises = self.test(part, where, rule.when, judged, rule.for_each)
            part.applied = arises
            if arises is not True:
                part.why = _held(arises, "arises")
                continue
            part.why = f"arose: {rule.trigger} is recorded and its condition holds"
            if isinstance(trigger, date) and not isinstance(trigger, datetime):
                trigger = datetime.combine(trigger, time.min, LONDON)
            part.steps.extend(self.steps(rule.steps, ctx, rule.for_each, trigger))
        nothing = (
            f"no item of {rule.for_each}"
            if rule.for_each
            else f"its trigger {rule.trigger} is not recorded"
        )
        return _overall(parts, nothing)

    def consent(self, rule: ConsentRule, parts: list[_Part]) -> tuple[bool | None, str]:
        part = _Part(None, "the case")
        parts.append(part)
        branch = self.ctx.get("consent.branch")
        part.facts["consent.branch"] = branch
        if branch != rule.branch:
            part.applied = False
            part.why = f"the case is not on the {rule.branch.replace('_', ' ')} branch"
            return _overall(parts, "")
        applies = self.test(part, "applies_when", rule.applies_when, self.ctx, None)
        if applies is not True:
            part.applied = applies
            part.why = _held(applies, "applies")
            return _overall(parts, "")
        trigger_fact = _CONSENT_TRIGGER[rule.branch]
        trigger = self.ctx.get(trigger_fact)
        part.facts[trigger_fact] = trigger
        part.applied = True
        part.why = f"the case is on the {rule.branch.replace('_', ' ')} branch"
        part.steps.extend(self.steps(rule.steps, self.ctx, None, trigger))
        return _overall(parts, "")

    def steps(
        self,
        steps: Iterable[Step],
        ctx: FactContext,
        scope: str | None,
        trigger: datetime | None,
        *,
        default_before: str | None = None,
    ) -> list[CheckedStep]:
        """Each step as ``kinds._steps.judge_steps`` looks for it, with the same search."""
        checked: list[CheckedStep] = []
        policy = self.policy
        for step in steps:
            records = (step.record,) if isinstance(step.record, str) else step.record
            unless = None
            if step.unless is not None:
                unless = self.condition(f"step {step.id} unless", step.unless, ctx, scope)
            after = ctx.get(step.after) if step.after else trigger
            before_name = step.before or default_before
            before = ctx.get(before_name) if before_name else None
            due: date | datetime | None = None
            origin_name = step.from_ or "the trigger"
            if step.within is not None:
                origin = ctx.get(step.from_) if step.from_ else trigger
                if origin is not None:
                    due = compute_due(policy, origin, step.within, policy.counting).due
            looked = " or ".join(records)
            if step.by:
                looked += f", by {policy.role_label(step.by)} or higher"
            if after is not None:
                looked += f", recorded after {step.after or 'the trigger'} ({_show(after)})"
            if before_name:
                looked += f", before {before_name} ({_show(before)})"
            if step.within is not None:
                looked += f", within {within_words(step.within)} of {origin_name}"
                if due is not None:
                    looked += f" (due {describe(due)})"
            if unless is not None and unless.value:
                checked.append(
                    CheckedStep(
                        step.id,
                        step.title,
                        records,
                        looked,
                        "not_needed",
                        None,
                        "not needed: its unless condition holds",
                        step.by,
                        due,
                        unless,
                    )
                )
                continue
            found, refused = find_record(self.judge, step, ctx, after)
            status: Literal["done", "late", "missing", "not_needed"]
            if found is None:
                status = "missing"
                why = "no such record" + (f" ({refused})" if refused else "")
                if due is not None and not self.judge.past(due):
                    why += f"; not yet due (due {describe(due)})"
            elif due is not None and not on_time(found, due):
                status, why = "late", f"recorded {describe(found)}, after its due date"
            elif before is not None and found > before:
                status, why = "late", f"recorded {describe(found)}, after {before_name}"
            else:
                status, why = "done", f"recorded {describe(found)}"
            checked.append(
                CheckedStep(
                    step.id, step.title, records, looked, status, found, why, step.by, due, unless
                )
            )
        return checked

    # -- what the evaluation found ---------------------------------------------------------
    def findings(self, rule_id: str) -> list[Finding]:
        result, found = self.result, []
        for d in result.deadlines:
            if d.rule == rule_id:
                done = f", done {describe(d.done)}" if d.done else ""
                found.append(
                    Finding("deadline", d.subject, f"{d.status}: due {describe(d.due)}{done}")
                )
        for v in result.violations:
            if v.rule == rule_id:
                found.append(Finding("violation", v.subject, v.message))
        for w in result.warnings:
            if w.rule == rule_id:
                found.append(Finding("warning", w.subject, w.message))
        for p in result.permitted_actions:
            if p.rule == rule_id or rule_id in p.blocked_by:
                option = f" {p.option}" if p.option else ""
                found.append(
                    Finding(
                        "decision",
                        p.subject,
                        f"{p.action}{option}: {p.status} ({'; '.join(p.why)})",
                    )
                )
        for o in result.obligations:
            if o.rule == rule_id:
                due = f", due {describe(o.due)}" if o.due else ""
                found.append(Finding("obligation", o.subject, f"{o.status}: {o.title}{due}"))
        for m in result.missing_facts:
            if m.rule == rule_id:
                found.append(
                    Finding(
                        "missing_facts",
                        m.subject,
                        f"needs {', '.join(m.facts)} to decide {m.needed_for}",
                    )
                )
        return found


#: The explainer of each rule kind (the ``caseload_review`` kind is judged over many cases).
_BY_KIND: dict[type[Any], Callable[[_Tracer, Any, list[_Part]], tuple[bool | None, str]]] = {
    TimescaleRule: _Tracer.timescale,
    RecurringRule: _Tracer.recurring,
    CancellationRule: _Tracer.action,
    ProhibitionRule: _Tracer.prohibition,
    WarningRule: _Tracer.warning,
    CheckRule: _Tracer.check,
    AuthorityRule: _Tracer.authority,
    ObligationRule: _Tracer.obligation,
    ConsentRule: _Tracer.consent,
}


def _held(value: bool | None, verb: str) -> str:
    if value is None:
        return f"cannot tell whether it {verb}: a fact its condition reads is unknown"
    return f"its condition {'holds' if value else 'does not hold'}"


def _overall(parts: Sequence[_Part], nothing: str) -> tuple[bool | None, str]:
    """A rule applied if it applied in any context; unknown if it might have."""
    if not parts:
        return False, f"nothing to judge: {nothing}" if nothing else "nothing to judge"
    if any(p.applied for p in parts):
        hits = [p for p in parts if p.applied]
        if len(parts) == 1:
            return True, hits[0].why
        return True, "applied to " + ", ".join(p.subject or "the case" for p in hits)
    if any(p.applied is None for p in parts):
        unsure = [p for p in parts if p.applied is None]
        return None, unsure[0].why if len(parts) == 1 else "cannot tell for " + ", ".join(
            p.subject or "the case" for p in unsure
        )
    return False, parts[0].why if len(parts) == 1 else "applied to none of " + ", ".join(
        p.subject or "the case" for p in parts
    )


# -- text ---------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A fact's value as a person reads it."""
    if value is None:
        return "unknown (not recorded)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return describe(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple | list | frozenset | set):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _mark(value: Any) -> str:
    if value is None:
        return "?"
    return "✓" if value else "✗"


def _applied(value: bool | None) -> str:
    return {True: "applied", False: "did not apply", None: "cannot tell"}[value]


def _trace_lines(node: ConditionTrace, indent: str) -> list[str]:
    text = " ".join(node.text.split())
    if node.fact is not None:
        return [f"{indent}{text} = {_show(node.value)}"]
    if isinstance(node.value, bool) or node.value is None:
        head = f"{indent}{_mark(node.value)} {text}"
        if node.value is None:
            head += "  (unknown)"
    else:
        head = f"{indent}= {_show(node.value)}  {text}"
    lines = [head]
    for part in node.parts:
        lines.extend(_trace_lines(part, indent + "    "))
    return lines


def _condition_lines(checked: CheckedCondition, indent: str) -> list[str]:
    verdict = {True: "holds", False: "does not hold", None: "unknown"}[checked.value]
    lines = [f"{indent}{_mark(checked.value)} {checked.where}: {verdict}"]
    trace = checked.trace
    if trace.parts or trace.fact is not None:
        lines.extend(_trace_lines(trace, indent + "    "))
    else:
        lines.append(f"{indent}    {checked.text}")
    if checked.unknown_facts:
        lines.append(f"{indent}    not recorded: {', '.join(checked.unknown_facts)}")
    return lines


def format_explanation(explanation: Explanation, *, verbose: bool = True) -> str:
    """The explanation as text for people: each rule with ✓ (applied), ✗ (did not) or ?
    (cannot tell), its sources, and under it each condition as written with the value of
    each part and fact, each extension, step and deadline, and what the evaluation found.
    ``verbose=False`` shows only the rules that applied or might have."""
    pack = explanation.pack
    out = [
        f"Case {explanation.case_id}, pack {pack.id} {pack.version}, "
        f"as of {describe(explanation.as_of)}",
        "",
    ]
    for rule in explanation.rules:
        if not verbose and rule.applied is False:
            continue
        out.append(f"{_mark(rule.applied)} {rule.rule} ({rule.kind}): {rule.title}")
        out.append(f"    sources: {'; '.join(str(c) for c in rule.sources)}")
        if rule.origin != pack.id:
            out.append(f"    from pack {rule.origin}")
        out.append(f"    {_applied(rule.applied)}: {rule.why}")
        for part in rule.parts:
            out.extend(_part_lines(part, len(rule.parts) > 1 or part.subject is not None))
        if rule.findings:
            out.append("    the evaluation found:")
            for finding in rule.findings:
                where = f" [{finding.subject}]" if finding.subject else ""
                out.append(f"      - {finding.type}{where}: {finding.text}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _part_lines(part: ExplainedPart, headed: bool) -> list[str]:
    indent = "    "
    out: list[str] = []
    if headed:
        out.append(f"    {_mark(part.applied)} {part.label}: {part.why}")
        indent = "        "
    for name, value in part.facts.items():
        out.append(f"{indent}{name} = {_show(value)}")
    for what, holds in part.checks.items():
        out.append(f"{indent}{_mark(holds)} {what}")
    for checked in part.conditions:
        out.extend(_condition_lines(checked, indent))
    for extension in part.extensions:
        out.append(
            f"{indent}{_mark(extension.applied)} extension {extension.id} "
            f"({extension.within}): {extension.why}"
        )
        if extension.condition is not None:
            trace = extension.condition.trace
            out.extend(_trace_lines(trace, indent + "    "))
    for step in part.steps:
        mark = {"done": "✓", "late": "✗", "missing": "✗", "not_needed": "-"}[step.status]
        out.append(f"{indent}{mark} step {step.id}: {step.status.replace('_', ' ')}: {step.why}")
        out.append(f"{indent}    looked for: {step.looked_for}")
        if step.unless is not None:
            out.extend(_condition_lines(step.unless, indent + "    "))
    for d in part.deadlines:
        each = f" [{d.subject}]" if d.subject else ""
        out.append(f"{indent}deadline{each}: {d.status}, due {describe(d.due)}")
        out.append(f"{indent}    from {d.start_fact} = {describe(d.start)}")
        if d.end_fact:
            out.append(f"{indent}    until {d.end_fact} = {_show(d.done)}")
        counted = f", counted {d.counting}" if d.unit.endswith("days") else ""
        out.append(f"{indent}    within {amount_words(d.amount, d.unit)}{counted}")
        out.append(f"{indent}    {d.computation}")
        for caveat in d.caveats:
            out.append(f"{indent}    note: {caveat}")
    return out


# -- the command ----------------------------------------------------------------------------


def run_command(
    args: argparse.Namespace, policy: Policy, raw_cases: list[Any], stdout: TextIO
) -> int:
    """``assess-rules explain``: ``raw_cases`` is what the case file holds (the CLI reads
    it); it must be one case. Writes text or JSON; returns the exit code (0)."""
    if len(raw_cases) != 1:
        raise CaseError(
            [CaseIssue((), f"explain takes one case; the file holds {len(raw_cases)}")],
            source=args.case,
        )
    raw = raw_cases[0]
    if not isinstance(raw, dict):
        raise CaseError([CaseIssue((), "not a case object")], source=args.case)
    case = parse_case(raw, source=args.case, vocabulary=policy.vocabulary)
    explanation = explain(policy, case, args.as_of, args.rule)
    if args.format == "json":
        stdout.write(explanation.to_json() + "\n")
    else:
        stdout.write(format_explanation(explanation))
    return 0
