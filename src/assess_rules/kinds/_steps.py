"""Steps: one thing that must be recorded (an oversight, an action or any moment fact), shared
by obligations, consent branches and an action's prerequisites: how a step is checked at load,
judged against the records of a case, and shown on the pack page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from assess_rules.calendar import LONDON, describe
from assess_rules.facts import FactContext
from assess_rules.kinds._base import Checker, Judge, Path
from assess_rules.kinds._page import md, within_words
from assess_rules.pack import ConsentRule, ObligationRule, Step
from assess_rules.result import Obligation
from assess_rules.timing import on_time

__all__ = ["check_steps", "find_record", "judge_steps", "step_branches", "step_md"]


def check_steps(steps: Iterable[Step], scope: str | None, at: Checker, path: Path) -> None:
    """Load-time checks of a rule's steps: unique ids, known facts and roles, conditions."""
    seen: set[str] = set()
    for i, step in enumerate(steps):
        here = (*path, i)
        if step.id in seen:
            at.error(f"step id {step.id!r} is used twice", (*here, "id"))
        seen.add(step.id)
        if isinstance(step.record, str):
            at.fact(step.record, scope, (*here, "record"))
        else:
            for k, record in enumerate(step.record):
                at.fact(record, scope, (*here, "record", k))
        at.fact(step.after, scope, (*here, "after"))
        at.fact(step.before, scope, (*here, "before"))
        at.fact(step.from_, scope, (*here, "from"))
        at.fact(step.by_fact, scope, (*here, "by_fact"), ("role",))
        at.role(step.by, (*here, "by"))
        at.role(step.owner, (*here, "owner"))
        at.condition(step.unless, scope, (*here, "unless"))


def find_record(
    judge: Judge, step: Step, ctx: FactContext, after: datetime | None
) -> tuple[datetime | None, str | None]:
    """When the step was done (the earliest qualifying record among those it names), and
    why a record did not count (recorded by too junior a role), if that was the reason."""
    if isinstance(step.record, str):
        return _find_one(judge, step.record, step, ctx, after)
    best: datetime | None = None
    refused: str | None = None
    for name in step.record:
        done, why = _find_one(judge, name, step, ctx, after)
        if done is not None and (best is None or done < best):
            best = done
        refused = refused or why
    return best, None if best is not None else refused


def _find_one(
    judge: Judge, name: str, step: Step, ctx: FactContext, after: datetime | None
) -> tuple[datetime | None, str | None]:
    family, _, kind = name.partition(".")
    if (family == "oversight" or family == "action") and "." not in kind:
        records = ctx.case.oversight if family == "oversight" else ctx.case.actions
        junior: str | None = None
        best: datetime | None = None
        cutoff = ctx.cutoff
        for record in records:
            if record.kind != kind or record.at > cutoff:
                continue
            if after is not None and record.at < after:
                continue
            if step.by is not None and judge.policy.may_act(record.by, step.by) is not True:
                junior = record.by or "an unnamed role"
                continue
            if best is None or record.at < best:
                best = record.at
        if best is None and junior is not None:
            policy = judge.policy
            return None, (
                f"recorded by {policy.role_label(junior)}, which does not "
                f"count: needs {policy.role_label(step.by or '')}"
            )
        return best, None
    moment = ctx.get(name)
    if moment is None:
        return None, None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min, LONDON)
    if after is not None and moment < after:
        return None, None
    if step.by_fact is not None and judge.rank_ok(ctx.get(step.by_fact), step.by) is False:
        return None, f"done by a role below {judge.policy.role_label(step.by or '')}"
    return moment, None


def judge_steps(
    judge: Judge,
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
    counting = judge.policy.counting
    for step in steps:
        if step.unless is not None:
            skip = judge.test(
                step.unless, ctx, scope, rule, f"whether step {step.id!r} is needed", subject
            )
            if skip:
                continue
        after = ctx.get(step.after) if step.after else (trigger if after_trigger else None)
        done, refused = find_record(judge, step, ctx, after)
        due: date | datetime | None = None
        if step.within is not None:
            origin = ctx.get(step.from_) if step.from_ else trigger
            if origin is not None:
                due = judge.due(origin, step.within, counting).due
        before_name = step.before or default_before
        before = ctx.get(before_name) if before_name else None
        if (
            done is not None
            and (due is None or on_time(done, due))
            and (before is None or done <= before)
        ):
            continue  # done, in time: nothing to say
        sources = judge.cite(step.sources or rule.sources)
        who = step.owner or step.by or owner
        label = f"{rule.title}: {step.title}"
        if done is not None:
            if due is not None and not on_time(done, due):
                judge.violated(
                    rule,
                    f"{label}: due {describe(due)}, done {describe(done)}",
                    subject,
                    step=step.id,
                    cited=sources,
                )
            elif before is not None and done > before:
                judge.violated(
                    rule,
                    f"{label}: recorded {describe(done)}, after {before_name} ({describe(before)})",
                    subject,
                    step=step.id,
                    cited=sources,
                )
            continue
        outstanding.append(step.title)
        extra = f" ({refused})" if refused else ""
        if before is not None:
            judge.violated(
                rule,
                f"{label}: not recorded before {before_name} ({describe(before)}){extra}",
                subject,
                step=step.id,
                cited=sources,
            )
        elif due is not None and judge.past(due):
            judge.violated(
                rule,
                f"{label}: due {describe(due)}, not done{extra}",
                subject,
                step=step.id,
                cited=sources,
            )
            judge.obligations.append(
                Obligation(rule.id, label, sources, who, "overdue", due, step.id, subject)
            )
        else:
            judge.obligations.append(
                Obligation(rule.id, label, sources, who, "open", due, step.id, subject)
            )
    return outstanding


def step_md(step: Step, role: Callable[[str], str]) -> str:
    """One step as a line of the pack page."""
    records = (step.record,) if isinstance(step.record, str) else step.record
    parts = [f"**{md(step.title)}**: " + " or ".join(f"`{r}`" for r in records)]
    if step.by:
        parts.append(f"by {role(step.by)} or higher")
    if step.within:
        parts.append(f"within {within_words(step.within)}")
    if step.before:
        parts.append(f"before `{step.before}`")
    if step.unless:
        parts.append(f"unless `{step.unless}`")
    return ", ".join(parts)


def step_branches(rule: ConsentRule | ObligationRule) -> Iterator[tuple[str, str]]:
    """The coverage branches of a rule made of steps: each step owed or broken."""
    for step in rule.steps:
        yield f"{rule.id}/{step.id}#step", f"{rule.id}/{step.id}: never owed or broken"
