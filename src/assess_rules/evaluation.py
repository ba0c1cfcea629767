"""``evaluate(policy, case, as_of)``: deadlines, violations, warnings, permitted actions,
open obligations and missing facts, each citing its rule and sources.

Pure and deterministic: the same policy, case and date give the same result; nothing is
mutated, nothing global is read, and the clock is read only when ``as_of`` is omitted.

Evaluation date: a ``date`` means "as of the end of that day in London"; a ``datetime``
means that moment. Events recorded after it are ignored. Checks on a decided cancellation
look at the case as it stood when the decision was made.

Which rules apply: the version of the pack in force on the date the referral was received
(:meth:`Policy.version_on`; a date outside every version's is an error), and within it the
rules whose own ``effective_from``/``effective_to`` include that date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from assess_rules.calendar import (
    LONDON,
    Counting,
    add_calendar_days,
    add_hours,
    add_months,
    add_weeks,
    describe,
    to_london,
)
from assess_rules.case import CancellationRequest, CaseSnapshot
from assess_rules.errors import EvaluationDateError
from assess_rules.facts import FactContext, collection_items
from assess_rules.pack import (
    AuthorityRule,
    CancellationReason,
    CancellationRule,
    CheckRule,
    ConsentRule,
    Duration,
    ObligationRule,
    ProhibitionRule,
    SourceRef,
    Step,
    TimescaleRule,
    WarningRule,
)
from assess_rules.policy import Policy
from assess_rules.result import (
    Citation,
    Deadline,
    DeadlineStatus,
    DecisionStatus,
    MissingFacts,
    Obligation,
    PackStamp,
    PermittedAction,
    Result,
    Violation,
    Warning,
)

__all__ = ["DueDate", "compute_due", "evaluate"]

_CONSENT_TRIGGER = {
    "declined": "consent.declined",
    "withdrawn_before_visit": "consent.withdrawn",
    "withdrawn_after_visit": "consent.withdrawn",
    "overridden": "consent.overridden",
}


def evaluate(
    policy: Policy, case: CaseSnapshot, as_of: date | datetime | str | None = None
) -> Result:
    """Evaluate ``case`` against ``policy`` as of ``as_of`` (default: now, in London): a
    date, a datetime, or an ISO 8601 string; anything else raises
    :class:`EvaluationDateError`.

    >>> from assess_rules import load_policy, parse_case
    >>> policy = load_policy("generic_s17")
    >>> case = parse_case({"case_id": "C1",
    ...                    "referral": {"received_at": "2026-12-18T10:00"}})
    >>> result = evaluate(policy, case, as_of=date(2026, 12, 18))
    >>> deadline = result.deadline("referral-decision")
    >>> deadline.due_date, deadline.status
    (datetime.date(2026, 12, 21), 'pending')
    """
    as_of = _evaluation_date(as_of)
    if isinstance(as_of, datetime):
        cutoff = to_london(as_of)
        day = cutoff.date()
    else:
        day = as_of
        cutoff = datetime.combine(day, time.max, LONDON)
    if case.referral.received_at > cutoff:
        raise EvaluationDateError(
            "the referral was received after the evaluation date: there is nothing to "
            "evaluate yet (evaluate as of a later date)"
        )
    referral_day = case.referral.received_at.date()
    policy = policy.version_on(referral_day)
    ctx = FactContext(case, cutoff, day, policy.calendar, policy.role_ranks)
    plan = policy.derived("evaluation-plan", lambda: _Plan.build(policy))
    run = _Run(policy, ctx, plan)
    for handler, rule in plan.handlers:
        if rule.id in plan.dated and not policy.in_force(rule, referral_day):
            continue
        handler(run, rule)
    run.actions(referral_day)
    return Result(
        case_id=case.case_id,
        as_of=day,
        pack=PackStamp(policy.id, policy.version, policy.content_hash),
        deadlines=tuple(run.deadlines),
        violations=tuple(run.violations),
        warnings=tuple(run.warnings),
        permitted_actions=tuple(run.permitted),
        obligations=tuple(run.obligations),
        missing_facts=tuple(run.missing),
    )


def _evaluation_date(as_of: object) -> date | datetime:
    """``as_of`` as a date or datetime: now in London when omitted; an ISO 8601 date or
    date-time string is read as one; anything else is refused."""
    if as_of is None:
        return datetime.now(LONDON)
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str) and len(as_of) <= 40:
        try:
            return date.fromisoformat(as_of) if len(as_of) == 10 else datetime.fromisoformat(as_of)
        except ValueError:
            pass
        raise EvaluationDateError(
            "as_of must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM)"
        )
    raise EvaluationDateError(
        f"as_of must be a date, a datetime or an ISO 8601 string, not {type(as_of).__name__}"
    )


def _cite(sources: Iterable[SourceRef]) -> tuple[Citation, ...]:
    return tuple(Citation(s.id, s.para) for s in sources)


@dataclass(frozen=True)
class _Plan:
    """What evaluation needs from a policy that does not depend on the case, built once per
    loaded policy (``Policy.derived``): the handler of each per-case rule in order, the
    cancellation rules, and the citation of every source list."""

    handlers: tuple[tuple[Callable[[_Run, Any], None], Any], ...]
    dated: frozenset[str]
    action_rules: tuple[CancellationRule, ...]
    prohibitions: tuple[ProhibitionRule, ...]
    action_warnings: tuple[WarningRule, ...]
    citations: dict[int, tuple[tuple[SourceRef, ...], tuple[Citation, ...]]]
    authorities: dict[str, PermittedAction]
    texts: dict[int, tuple[CancellationReason, tuple[str, str, str]]]

    @classmethod
    def build(cls, policy: Policy) -> _Plan:
        handlers: list[tuple[Callable[[_Run, Any], None], Any]] = []
        kinds: dict[type, Callable[[_Run, Any], None]] = {
            TimescaleRule: _Run.timescale,
            ConsentRule: _Run.consent,
            ObligationRule: _Run.obligation,
            CheckRule: _Run.check,
            AuthorityRule: _Run.authority,
        }
        for rule in policy.rules:
            handler = kinds.get(type(rule))
            if handler is not None:
                handlers.append((handler, rule))
            elif isinstance(rule, WarningRule) and rule.action is None:
                handlers.append((_Run.warning, rule))
        return cls(
            handlers=tuple(handlers),
            dated=frozenset(r.id for r in policy.rules if r.effective_from or r.effective_to),
            action_rules=tuple(r for r in policy.rules if isinstance(r, CancellationRule)),
            prohibitions=tuple(r for r in policy.rules if isinstance(r, ProhibitionRule)),
            action_warnings=tuple(
                r for r in policy.rules if isinstance(r, WarningRule) and r.action is not None
            ),
            citations={},
            authorities={},
            texts={},
        )

    def cite(self, sources: tuple[SourceRef, ...]) -> tuple[Citation, ...]:
        """The citations of a source list of the policy (kept, so built once)."""
        found = self.citations.get(id(sources))
        if found is None or found[0] is not sources:
            found = self.citations[id(sources)] = (sources, _cite(sources))
        return found[1]

    def reason_texts(self, reason: CancellationReason) -> tuple[str, str, str]:
        """What to say when a reason's condition holds, fails or cannot be decided."""
        found = self.texts.get(id(reason))
        if found is None or found[0] is not reason:
            when = reason.when
            found = self.texts[id(reason)] = (
                reason,
                (
                    f"its condition holds: {when}",
                    f"its condition does not hold: {when}",
                    f"its condition cannot be decided yet: {when}",
                ),
            )
        return found[1]


def _end_of(due: date | datetime) -> datetime:
    """A due date as one type: a moment stays as it is; a day is due by its end in London."""
    if isinstance(due, datetime):
        return due
    return datetime.combine(due, time.max, LONDON)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _count(amount: int, noun: str) -> str:
    return f"{amount} {noun}" if amount == 1 else f"{amount} {noun}s"


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed due date (a moment, for hours), in words, with the weekdays skipped."""

    due: date | datetime
    computation: str
    skipped: tuple[date, ...] = ()
    caveats: tuple[str, ...] = ()


def compute_due(
    policy: Policy,
    start: date | datetime,
    within: Duration,
    counting: Counting,
    start_at: str = "event",
) -> DueDate:
    """The due date (or moment, for hours) of ``within`` from ``start`` under ``policy``'s
    calendar, and how it was computed. The evaluator and the golden tables both use it.
    """
    calendar = policy.calendar
    unit, amount = within.unit, within.count
    if unit == "hours":
        moment = start if isinstance(start, datetime) else datetime.combine(start, time.min, LONDON)
        due = add_hours(moment, amount)
        return DueDate(
            due,
            f"{_count(amount, 'hour')} of elapsed time after {describe(moment)} "
            "(Europe/London): due by " + describe(due),
        )
    base = _day(start)
    lead = ""
    if start_at == "next_working_day":
        opens = policy.calendar_settings.office_opens
        same_day = (
            calendar.is_working_day(base)
            and isinstance(start, datetime)
            and start.timetz().replace(tzinfo=None) < opens
        )
        shifted = base if same_day else calendar.next_working_day(base)
        lead = f"counted from the next working day, {describe(shifted)}; "
        base = shifted
    if unit == "working_days":
        day = calendar.due_date(base, amount, counting)
        skipped = tuple(calendar.non_working_weekdays(base, day))
        which = (
            "the trigger's date is day 0"
            if counting is Counting.DAY0
            else "the trigger's date is day 1"
        )
        text = f"{lead}{_count(amount, 'working day')} from {describe(base)} ({which})"
        if skipped:
            text += ", skipping " + ", ".join(describe(d) for d in skipped)
        caveats: tuple[str, ...] = ()
        listed = policy.closures_listed_until
        if listed is not None and day > listed:
            caveats = (
                f"the pack lists local closure days only up to {describe(listed)}: a later "
                "closure it has not listed yet is not counted",
            )
        return DueDate(day, f"{text}: due {describe(day)}", skipped, caveats)
    if unit == "calendar_days":
        day = add_calendar_days(base, amount)
    elif unit == "weeks":
        day = add_weeks(base, amount)
    else:
        day = add_months(base, amount)
    noun = {"calendar_days": "calendar day", "weeks": "week", "months": "month"}[unit]
    return DueDate(day, f"{lead}{_count(amount, noun)} from {describe(base)}: due {describe(day)}")


@dataclass
class _Run:
    policy: Policy
    ctx: FactContext
    plan: _Plan
    deadlines: list[Deadline] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    permitted: list[PermittedAction] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    missing: list[MissingFacts] = field(default_factory=list)

    # -- shared pieces ----------------------------------------------------------------------

    def contexts(self, scope: str | None) -> list[tuple[FactContext, str | None]]:
        if scope is None:
            return [(self.ctx, None)]
        return [
            (self.ctx.for_item(scope, item), f"{scope}[{i}]")
            for i, item in enumerate(collection_items(self.ctx, scope))
        ]

    def undecided(
        self,
        rule: Any,
        facts: Iterable[str],
        needed_for: str,
        subject: str | None,
        sources: tuple[Citation, ...] | None = None,
    ) -> None:
        """Report that ``rule`` cannot be decided without ``facts``."""
        cited = self.plan.cite(rule.sources) if sources is None else sources
        self.missing.append(
            MissingFacts(rule.id, rule.title, cited, tuple(facts), needed_for, subject)
        )

    def violated(
        self,
        rule: Any,
        message: str,
        subject: str | None,
        step: str | None = None,
        cited: tuple[Citation, ...] | None = None,
        branch: str | None = None,
    ) -> None:
        """Report a violation of ``rule`` (citing its sources unless ``cited`` is given)."""
        sources = self.plan.cite(rule.sources) if cited is None else cited
        self.violations.append(
            Violation(rule.id, rule.title, sources, rule.severity, message, subject, step, branch)
        )

    def test(
        self,
        text: str | None,
        ctx: FactContext,
        scope: str | None,
        rule: Any,
        needed_for: str,
        subject: str | None,
    ) -> bool | None:
        """Evaluate a condition; an undetermined one is reported under missing facts."""
        if text is None:
            return True
        condition = self.policy.condition(text, scope)
        outcome = condition(ctx)
        if outcome is None:
            self.undecided(rule, tuple(condition.unknown_facts(ctx)), needed_for, subject)
        return outcome

    def due(
        self, start: date | datetime, within: Duration, counting: Counting, start_at: str = "event"
    ) -> DueDate:
        return compute_due(self.policy, start, within, counting, start_at)

    def on_time(self, done: datetime, due: date | datetime) -> bool:
        if isinstance(due, datetime):
            return done <= due
        return done.date() <= due

    def past(self, due: date | datetime) -> bool:
        if isinstance(due, datetime):
            return self.ctx.cutoff > due
        return self.ctx.as_of > due

    def rank_ok(self, actual: str | None, required: str | None) -> bool | None:
        if required is None:
            return True
        return self.policy.may_act(actual, required)

    # -- timescales -------------------------------------------------------------------------

    def timescale(self, rule: TimescaleRule) -> None:
        for ctx, subject in self.contexts(rule.for_each):
            self._timescale_one(rule, ctx, subject)

    def _timescale_one(self, rule: TimescaleRule, ctx: FactContext, subject: str | None) -> None:
        start = ctx.get(rule.start)
        if start is None:
            # Not triggered, unless its end has happened: then its start is missing, not absent.
            if rule.end is not None and ctx.get(rule.end) is not None:
                self.undecided(
                    rule,
                    (rule.start,),
                    f"when this timescale started ({rule.end} is recorded)",
                    subject,
                )
            return
        applies = self.test(
            rule.applies_when, ctx, rule.for_each, rule, "whether this timescale applies", subject
        )
        if applies is False:
            return
        counting = rule.counting or self.policy.counting
        base = self.due(start, rule.within, counting, rule.start_at)
        done = ctx.get(rule.end) if rule.end else None
        chosen, granted = base, None
        unknown: tuple[str, ...] = ()
        if done is None or not self.on_time(done, base.due):
            for extension in rule.extensions:
                condition = self.policy.condition(extension.when, rule.for_each)
                if verdict := condition(ctx):
                    chosen = self.due(start, extension.within, counting, rule.start_at)
                    granted = extension
                    break
                if verdict is None:
                    unknown = tuple(condition.unknown_facts(ctx))
                    break
        status: DeadlineStatus
        if applies is None:
            status = "undetermined"
        elif done is not None:
            if self.on_time(done, chosen.due):
                status = "met"
            else:
                status = "undetermined" if unknown else "missed"
        elif self.past(chosen.due):
            status = "undetermined" if unknown else "missed"
        else:
            status = "pending"
        computation = chosen.computation
        cited = self.plan.cite(rule.sources)
        if granted is not None:
            computation = f"extended by {granted.id!r}: {computation}"
            cited = _cite((*rule.sources, *granted.sources))  # rare: not kept
        missing_facts = unknown
        if applies is None:
            missing_facts = tuple(
                self.policy.condition(rule.applies_when or "", rule.for_each).unknown_facts(ctx)
            )
        self.deadlines.append(
            Deadline(
                rule=rule.id,
                title=rule.title,
                sources=cited,
                status=status,
                start_event=rule.start,
                start=start
                if isinstance(start, datetime)
                else datetime.combine(start, time.min, LONDON),
                end_event=rule.end,
                due=_end_of(chosen.due),
                amount=(granted or rule).within.count,
                unit=rule.within.unit,
                computation=computation,
                skipped_days=chosen.skipped,
                caveats=chosen.caveats,
                done=done,
                extension=granted.id if granted else None,
                subject=subject,
                missing_facts=missing_facts,
            )
        )
        if unknown and status == "undetermined":
            self.undecided(rule, unknown, "whether the extension applies", subject)
        if status == "missed":
            what = f"done {describe(done)}" if done is not None else "not done"
            message = f"{rule.title}: due {describe(chosen.due)}, {what}"
            if rule.effect == "warning":
                self.warnings.append(Warning(rule.id, rule.title, cited, message, subject))
            else:
                self.violated(rule, message, subject, cited=cited)
        if done is None and status in {"pending", "missed"}:
            self.obligations.append(
                Obligation(
                    rule.id,
                    rule.title,
                    cited,
                    rule.owner,
                    "overdue" if status == "missed" else "open",
                    chosen.due,
                    None,
                    subject,
                )
            )

    # -- steps (obligations, consent branches, cancellation prerequisites) ------------------

    def find_record(
        self, step: Step, ctx: FactContext, after: datetime | None
    ) -> tuple[datetime | None, str | None]:
        """When the step was done (the earliest qualifying record among those it names), and
        why a record did not count (recorded by too junior a role), if that was the reason."""
        names = (step.record,) if isinstance(step.record, str) else step.record
        best: datetime | None = None
        refused: str | None = None
        for name in names:
            done, why = self._find_one(name, step, ctx, after)
            if done is not None and (best is None or done < best):
                best = done
            refused = refused or why
        return best, None if best is not None else refused

    def _find_one(
        self, name: str, step: Step, ctx: FactContext, after: datetime | None
    ) -> tuple[datetime | None, str | None]:
        family, _, kind = name.partition(".")
        if family in {"oversight", "action"} and "." not in kind:
            records = ctx.case.oversight if family == "oversight" else ctx.case.actions
            junior: str | None = None
            best: datetime | None = None
            for record in records:
                if record.kind != kind or record.at > ctx.cutoff:
                    continue
                if after is not None and record.at < after:
                    continue
                if self.rank_ok(record.by, step.by) is not True:
                    junior = record.by or "an unnamed role"
                    continue
                if best is None or record.at < best:
                    best = record.at
            if best is None and junior is not None:
                return None, (
                    f"recorded by {self.policy.role_label(junior)}, which does not "
                    f"count: needs {self.policy.role_label(step.by or '')}"
                )
            return best, None
        moment = ctx.get(name)
        if isinstance(moment, date) and not isinstance(moment, datetime):
            moment = datetime.combine(moment, time.min, LONDON)
        if moment is None or (after is not None and moment < after):
            return None, None
        if step.by_fact is not None and self.rank_ok(ctx.get(step.by_fact), step.by) is False:
            return None, f"done by a role below {self.policy.role_label(step.by or '')}"
        return moment, None

    def steps(
        self,
        rule: Any,
        steps: Iterable[Step],
        ctx: FactContext,
        scope: str | None,
        trigger: datetime | None,
        subject: str | None,
        owner: str | None,
        *,
        default_before: str | None = None,
        after_trigger: bool = True,
    ) -> list[str]:
        """Check each step; report violations and open obligations. Returns the titles of
        steps not yet done (for prerequisites)."""
        outstanding: list[str] = []
        counting = self.policy.counting
        for step in steps:
            if step.unless is not None:
                skip = self.test(
                    step.unless, ctx, scope, rule, f"whether step {step.id!r} is needed", subject
                )
                if skip:
                    continue
            after = ctx.get(step.after) if step.after else (trigger if after_trigger else None)
            done, refused = self.find_record(step, ctx, after)
            due: date | datetime | None = None
            if step.within is not None:
                origin = ctx.get(step.from_) if step.from_ else trigger
                if origin is not None:
                    due = self.due(origin, step.within, counting).due
            before_name = step.before or default_before
            before = ctx.get(before_name) if before_name else None
            sources = self.plan.cite(step.sources or rule.sources)
            who = step.owner or step.by or owner
            label = f"{rule.title}: {step.title}"
            if done is not None:
                if due is not None and not self.on_time(done, due):
                    self.violated(
                        rule,
                        f"{label}: due {describe(due)}, done {describe(done)}",
                        subject,
                        step=step.id,
                        cited=sources,
                    )
                elif before is not None and done > before:
                    self.violated(
                        rule,
                        f"{label}: recorded {describe(done)}, "
                        f"after {before_name} ({describe(before)})",
                        subject,
                        step=step.id,
                        cited=sources,
                    )
                continue
            outstanding.append(step.title)
            extra = f" ({refused})" if refused else ""
            if before is not None:
                self.violated(
                    rule,
                    f"{label}: not recorded before {before_name} ({describe(before)}){extra}",
                    subject,
                    step=step.id,
                    cited=sources,
                )
            elif due is not None and self.past(due):
                self.violated(
                    rule,
                    f"{label}: due {describe(due)}, not done{extra}",
                    subject,
                    step=step.id,
                    cited=sources,
                )
                self.obligations.append(
                    Obligation(rule.id, label, sources, who, "overdue", due, step.id, subject)
                )
            else:
                self.obligations.append(
                    Obligation(rule.id, label, sources, who, "open", due, step.id, subject)
                )
        return outstanding

    def consent(self, rule: ConsentRule) -> None:
        if self.ctx.get("consent.branch") != rule.branch:
            return
        if (
            self.test(
                rule.applies_when, self.ctx, None, rule, "whether this consent branch applies", None
            )
            is not True
        ):
            return
        trigger = self.ctx.get(_CONSENT_TRIGGER[rule.branch])
        self.steps(rule, rule.steps, self.ctx, None, trigger, None, rule.owner)

    def obligation(self, rule: ObligationRule) -> None:
        for ctx, subject in self.contexts(rule.for_each):
            trigger = ctx.get(rule.trigger)
            if trigger is None:
                continue  # an obligation cannot arise before the event that triggers it
            judged = ctx
            if rule.judged_at == "trigger":
                moment = (
                    trigger
                    if isinstance(trigger, datetime)
                    else datetime.combine(trigger, time.max, LONDON)
                )
                judged = self.ctx.as_at(min(moment, self.ctx.cutoff))
                if subject is not None and rule.for_each is not None:
                    judged = judged.for_item(rule.for_each, ctx.item)
            arises = self.test(
                rule.when, judged, rule.for_each, rule, "whether this obligation arises", subject
            )
            if arises is not True:
                continue
            if isinstance(trigger, date) and not isinstance(trigger, datetime):
                trigger = datetime.combine(trigger, time.min, LONDON)
            self.steps(rule, rule.steps, ctx, rule.for_each, trigger, subject, rule.owner)

    # -- checks, warnings, authorities --------------------------------------------------------

    def check(self, rule: CheckRule) -> None:
        for ctx, subject in self.contexts(rule.for_each):
            if self.test(
                rule.violation_when,
                ctx,
                rule.for_each,
                rule,
                "whether this check is broken",
                subject,
            ):
                self.violated(rule, rule.message, subject)

    def warning(self, rule: WarningRule) -> None:
        for ctx, subject in self.contexts(rule.for_each):
            if self.test(
                rule.when, ctx, rule.for_each, rule, "whether this warning applies", subject
            ):
                self.warnings.append(
                    Warning(
                        rule.id, rule.title, self.plan.cite(rule.sources), rule.message, subject
                    )
                )

    def authority(self, rule: AuthorityRule) -> None:
        label = rule.action.replace("_", " ")
        who_may = self.plan.authorities.get(rule.id)
        if who_may is None:  # depends on the policy alone: built once, then shared
            who_may = self.plan.authorities[rule.id] = PermittedAction(
                action=rule.action,
                option=None,
                label=rule.title,
                status="allowed",
                why=(
                    f"{label}: only {self.policy.role_label(rule.role)}"
                    f"{' or higher' if self.policy.higher_roles_may_act else ''} may do this",
                ),
                approver=rule.role,
                rule=rule.id,
                sources=self.plan.cite(rule.sources),
                prerequisites=(rule.also_requires,) if rule.also_requires else (),
            )
        self.permitted.append(who_may)
        for ctx, subject in self.contexts(rule.for_each):
            if (
                self.test(
                    rule.applies_when,
                    ctx,
                    rule.for_each,
                    rule,
                    "whether this action was taken",
                    subject,
                )
                is not True
            ):
                continue
            actual = ctx.get(rule.role_fact)
            fits = self.policy.may_act(actual, rule.role)
            if fits is None:
                self.undecided(rule, (rule.role_fact,), f"who may {label}", subject)
            elif not fits:
                self.violated(
                    rule,
                    f"{label} by {self.policy.role_label(actual)}; needs "
                    f"{self.policy.role_label(rule.role)}",
                    subject,
                )
            if (
                rule.also_requires is not None
                and self.test(
                    rule.also_requires,
                    ctx,
                    rule.for_each,
                    rule,
                    f"whether {label} met its requirements",
                    subject,
                )
                is False
            ):
                self.violated(rule, f"{label}: requirement not met: {rule.also_requires}", subject)

    # -- requested actions (cancelling, not progressing, ...) ---------------------------------

    def actions(self, referral_day: date) -> None:
        """Answer every request in the snapshot and list each open option of each action."""
        plan, policy = self.plan, self.policy

        def in_force(rules: Iterable[Any]) -> list[Any]:
            return [r for r in rules if r.id not in plan.dated or policy.in_force(r, referral_day)]

        rules = in_force(plan.action_rules)
        prohibitions = in_force(plan.prohibitions)
        warnings = in_force(plan.action_warnings)
        for index, request in enumerate(collection_items(self.ctx, "cancellations")):
            action = request.action
            self._request(
                request,
                f"cancellations[{index}]",
                [r for r in rules if r.action == action],
                [p for p in prohibitions if p.action == action],
                [w for w in warnings if w.action == action],
            )
        status = self.ctx.get("assessment.status")
        if status in {"not_started", "in_progress"} and not self.ctx.get("cancellation.approved"):
            for rule in rules:
                self._options(
                    rule,
                    [p for p in prohibitions if p.action == rule.action],
                    [w for w in warnings if w.action == rule.action],
                )

    def _advice(self, warnings: list[WarningRule], ctx: FactContext) -> list[WarningRule]:
        return [w for w in warnings if self.policy.condition(w.when, "cancellations")(ctx)]

    def _judge(
        self,
        rule: CancellationRule | None,
        reason: CancellationReason | None,
        prohibitions: list[ProhibitionRule],
        ctx: FactContext,
        memo: dict[str, tuple[bool | None, list[str]]] | None = None,
    ) -> _Decision:
        """What the pack says of ``reason`` (``None``: a reason the rule does not list, or an
        action no rule governs) in ``ctx``: its conditions and every prohibition. ``memo``
        keeps the verdicts of conditions shared by the options judged in one ``ctx``."""
        decision = _Decision()
        if rule is not None and rule.applies_when:
            verdict, unknown = self._verdict(rule.applies_when, ctx, memo)
            if verdict is False:
                decision.refuse(
                    f"{rule.title!r} applies only when {rule.applies_when}", rule.sources
                )
            elif verdict is None:
                decision.hold(f"cannot tell whether {rule.title!r} applies", unknown)
        if reason is not None and reason.when is not None:
            holds, fails, undecided = self.plan.reason_texts(reason)
            condition = self.policy.condition(reason.when, "cancellations")
            verdict = condition(ctx)
            if verdict is False:
                decision.refuse(fails, reason.sources or (rule.sources if rule else ()))
            elif verdict is None:
                decision.hold(undecided, condition.unknown_facts(ctx))
            else:
                decision.grant(holds)
        elif reason is not None:
            decision.grant(f"{reason.label!r} is a listed reason with no further condition")
        grounds = set(reason.grounds) if reason is not None else set()
        for prohibition in prohibitions:
            if prohibition.grounds and not grounds.intersection(prohibition.grounds):
                continue
            if grounds.intersection(prohibition.except_grounds):
                continue
            verdict, unknown = self._verdict(prohibition.when, ctx, memo)
            if verdict is None:
                decision.hold(f"cannot rule out: {prohibition.message} ({prohibition.id})", unknown)
            elif verdict:
                decision.blocked_by.append(prohibition.id)
                if prohibition.effect == "refuse":
                    decision.refuse(prohibition.message, prohibition.sources)
                else:
                    decision.hold(f"for a manager to decide: {prohibition.message}", ())
        return decision

    def _verdict(
        self,
        text: str,
        ctx: FactContext,
        memo: dict[str, tuple[bool | None, list[str]]] | None,
    ) -> tuple[bool | None, list[str]]:
        """A condition's verdict in ``ctx``, and the facts it lacks when undecided; kept in
        ``memo`` (conditions are pure, so a second call would give the same)."""
        if memo is not None and text in memo:
            return memo[text]
        condition = self.policy.condition(text, "cancellations")
        verdict = condition(ctx)
        found = (verdict, condition.unknown_facts(ctx) if verdict is None else [])
        if memo is not None:
            memo[text] = found
        return found

    def _options(
        self,
        rule: CancellationRule,
        prohibitions: list[ProhibitionRule],
        warnings: list[WarningRule],
    ) -> None:
        """Each reason of ``rule`` as an option for the case as it stands."""
        ctx = self.ctx
        if (
            rule.applies_when
            and self.policy.condition(rule.applies_when, "cancellations")(ctx) is False
        ):
            return
        prerequisites = tuple(
            step.title for step in rule.requires if self.find_record(step, ctx, None)[0] is None
        )
        advice = tuple(w.message for w in self._advice(warnings, ctx))
        memo: dict[str, tuple[bool | None, list[str]]] = {}  # every option is judged in ctx
        for reason in rule.reasons:
            decision = self._judge(rule, reason, prohibitions, ctx, memo)
            if reason.requires_free_text:
                decision.note("needs free text explaining the reason")
            self.permitted.append(
                PermittedAction(
                    action=rule.action,
                    option=reason.id,
                    label=reason.label,
                    status=decision.status(outstanding=bool(prerequisites)),
                    why=decision.reasons(),
                    approver=reason.decided_by or rule.decided_by,
                    rule=rule.id,
                    sources=self.plan.cite(reason.sources or rule.sources),
                    recommended_by=rule.recommended_by,
                    prerequisites=prerequisites,
                    warnings=advice,
                    missing_facts=decision.facts(),
                    blocked_by=tuple(decision.blocked_by),
                )
            )

    def _request(
        self,
        request: CancellationRequest,
        subject: str,
        rules: list[CancellationRule],
        prohibitions: list[ProhibitionRule],
        warnings: list[WarningRule],
    ) -> None:
        """Answer one request: judged as the case stood when it was decided, if it was."""
        decided = self.ctx.seen(request.decided_at)
        if decided is not None:
            ctx = self.ctx.as_at(decided).for_item("cancellations", request)
        else:
            ctx = self.ctx.for_item("cancellations", request)
        outcome = ctx.get("cancellation.outcome")
        advice = self._advice(warnings, ctx)
        for warning in advice:
            self.warnings.append(
                Warning(
                    warning.id,
                    warning.title,
                    self.plan.cite(warning.sources),
                    warning.message,
                    subject,
                )
            )
        if not rules:
            self._ungoverned(request, subject, prohibitions, ctx, advice)
            return
        applicable = [
            r
            for r in rules
            if not r.applies_when
            or self.policy.condition(r.applies_when, "cancellations")(ctx) is not False
        ]
        matches = [
            (r, reason) for r in applicable for reason in r.reasons if reason.id == request.reason
        ]
        if matches:
            rule, reason = matches[0]
        else:
            rule, reason = (applicable or rules)[0], None
        decision = self._judge(rule, reason, prohibitions, ctx)
        cited = reason.sources if reason is not None and reason.sources else rule.sources
        if reason is None and applicable:
            listed = ", ".join(r.id for r_ in applicable for r in r_.reasons)
            text = f"{request.reason!r} is not a reason this pack lists; listed: {listed}"
            if rule.unlisted_reasons == "undecided":
                decision.hold(
                    f"{text}; another reason is for a manager to decide with a recorded rationale",
                    (),
                )
            else:
                decision.refuse(text, rule.sources)
        if reason is not None and reason.requires_free_text:
            if ctx.get("cancellation.has_free_text"):
                decision.grant("free text explains the reason")
            else:
                decision.refuse("this reason needs free text", cited)
        if (
            rule.recommended_by is not None
            and request.recommended_by is not None
            and self.policy.may_act(request.recommended_by, rule.recommended_by) is False
        ):
            text = (
                f"recommended by {self.policy.role_label(request.recommended_by)}"
                f"; must be {self.policy.role_label(rule.recommended_by)}"
            )
            decision.refuse(text, rule.sources)
        approver = (reason.decided_by if reason is not None else None) or rule.decided_by
        if decided is not None and request.outcome == "approved":
            fits = self.policy.may_act(
                request.decided_by, approver, higher_allowed=rule.higher_roles_may_decide
            )
            if fits is False:
                text = (
                    f"decided by {self.policy.role_label(request.decided_by or '')}"
                    f"; only {self.policy.role_label(approver)} may decide"
                )
                decision.refuse(text, rule.sources, "approver")
            elif fits is None:
                decision.hold("who decided is not recorded", ("cancellation.decided_by",))
            else:
                decision.grant(
                    f"decided by {self.policy.role_label(request.decided_by or '')}, who may decide"
                )
        if outcome == "approved":
            self._prohibited(decision, prohibitions, subject)
        if decision.missing and outcome != "refused":
            self.undecided(
                rule,
                decision.facts(),
                f"whether request {request.reason!r} may be granted",
                subject,
                sources=self.plan.cite(cited),
            )
        outstanding: list[str] = []
        if outcome == "refused":
            decision.note("the request was refused when it was decided")
        else:
            outstanding = self.steps(
                rule,
                rule.requires,
                ctx,
                "cancellations",
                ctx.get("cancellation.recommended"),
                subject,
                rule.recommended_by,
                default_before="cancellation.decided",
                after_trigger=False,
            )
        if outcome == "approved":
            for refusal in decision.refusals:
                self.violated(
                    rule,
                    f"cancelled with a problem: {refusal.why}",
                    subject,
                    cited=self.plan.cite(refusal.sources or rule.sources),
                    branch=refusal.branch,
                )
        if outstanding and decided is not None:
            decision.refuse("decided before its prerequisites were recorded", rule.sources)
        self.permitted.append(
            PermittedAction(
                action=rule.action,
                option=request.reason,
                label=reason.label if reason is not None else request.reason,
                status=decision.status(outstanding=bool(outstanding)),
                why=decision.reasons(),
                approver=approver,
                rule=rule.id,
                sources=self.plan.cite(cited),
                recommended_by=rule.recommended_by,
                prerequisites=tuple(outstanding),
                warnings=tuple(w.message for w in advice),
                missing_facts=decision.facts(),
                subject=subject,
                blocked_by=tuple(decision.blocked_by),
            )
        )

    def _prohibited(
        self, decision: _Decision, prohibitions: list[ProhibitionRule], subject: str
    ) -> None:
        """An approved request that a refusing prohibition forbade breaks that prohibition."""
        for prohibition in prohibitions:
            if prohibition.id in decision.blocked_by and prohibition.effect == "refuse":
                self.violated(
                    prohibition, f"cancelled while not permitted: {prohibition.message}", subject
                )

    def _ungoverned(
        self,
        request: CancellationRequest,
        subject: str,
        prohibitions: list[ProhibitionRule],
        ctx: FactContext,
        advice: list[WarningRule],
    ) -> None:
        """A request for an action no rule of the pack governs: said so, never dropped, and
        judged against the prohibitions that do apply to it."""
        decision = self._judge(None, None, prohibitions, ctx)
        decision.hold(
            f"this pack has no rule for {request.action.replace('_', ' ')}: who may decide it "
            "and for which reasons is for the local protocol",
            (),
        )
        if ctx.get("cancellation.outcome") == "approved":
            self._prohibited(decision, prohibitions, subject)
        first = next((p for p in prohibitions if p.id in decision.blocked_by), None)
        judged = first or (prohibitions[0] if prohibitions else None)
        self.permitted.append(
            PermittedAction(
                action=request.action,
                option=request.reason,
                label=request.reason,
                status=decision.status(outstanding=False),
                why=decision.reasons(),
                approver=None,
                rule=judged.id if judged is not None else None,
                sources=_cite(s for p in prohibitions for s in p.sources),
                warnings=tuple(w.message for w in advice),
                missing_facts=decision.facts(),
                subject=subject,
                blocked_by=tuple(decision.blocked_by),
            )
        )


@dataclass(frozen=True)
class _Refusal:
    why: str
    sources: tuple[SourceRef, ...] = ()
    branch: str | None = None


@dataclass
class _Decision:
    """What was found about one option or request, most decisive first when read out:
    anything refusing it, then anything leaving it undecidable, then what held."""

    refusals: list[_Refusal] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)

    def refuse(
        self, why: str, sources: tuple[SourceRef, ...] = (), branch: str | None = None
    ) -> None:
        self.refusals.append(_Refusal(why, sources, branch))

    def hold(self, why: str, facts: Iterable[str]) -> None:
        self.holds.append(why)
        self.missing += facts

    def grant(self, why: str) -> None:
        self.grants.append(why)

    def note(self, why: str) -> None:
        self.notes.append(why)

    def status(self, *, outstanding: bool) -> DecisionStatus:
        if self.refusals:
            return "refused"
        if self.holds:
            return "undecidable"
        return "allowed_once" if outstanding else "allowed"

    def reasons(self) -> tuple[str, ...]:
        if self.refusals:
            return (*(r.why for r in self.refusals), *self.notes)
        if self.holds:
            return (*self.holds, *self.notes)
        found = (*self.grants, *self.notes)
        return found or ("no condition of the pack stands against it",)

    def facts(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.missing)))
