"""``kind: obligation``: steps that become due when ``when`` holds, counted from ``trigger``;
``when`` judged as the case stands now, or as it stood at the trigger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from assess_rules.calendar import LONDON
from assess_rules.facts import FactContext
from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page, md, sources_md
from assess_rules.kinds._steps import check_steps, judge_steps, step_branches, step_md
from assess_rules.pack import ObligationRule
from assess_rules.policy import Policy

__all__ = ["KIND"]


def check(rule: ObligationRule, at: Checker) -> None:
    """Its condition, trigger, owner and steps name what exists."""
    scope = rule.for_each
    at.condition(rule.when, scope, ("when",))
    at.fact(rule.trigger, scope, ("trigger",))
    at.role(rule.owner, ("owner",))
    check_steps(rule.steps, scope, at, ("steps",))


def judged_context(
    rule: ObligationRule,
    case_ctx: FactContext,
    ctx: FactContext,
    trigger: date | datetime,
    subject: str | None,
) -> FactContext:
    """The context ``rule``'s ``when`` is judged in: ``ctx`` itself, or with ``judged_at:
    trigger`` the case as it stood at the trigger (the end of its day for a date; never
    past the evaluation moment), for the same item of ``for_each``."""
    if rule.judged_at != "trigger":
        return ctx
    moment = (
        trigger if isinstance(trigger, datetime) else datetime.combine(trigger, time.max, LONDON)
    )
    judged = case_ctx.as_at(min(moment, case_ctx.cutoff))
    if subject is not None and rule.for_each is not None:
        judged = judged.for_item(rule.for_each, ctx.item)
    return judged


def prepare(rule: ObligationRule, policy: Policy) -> Callable[[Judge], None]:
    """Judging ``rule``: the steps of each obligation that has arisen, for the case or each
    item. Its condition is found once per policy."""
    scope, trigger_name, steps, owner = rule.for_each, rule.trigger, rule.steps, rule.owner
    when = policy.condition(rule.when, scope)
    at_trigger = rule.judged_at == "trigger"

    def judge_rule(judge: Judge) -> None:
        for ctx, subject in judge.contexts(scope) if scope else judge.case:
            trigger = ctx.get(trigger_name)
            if trigger is None:
                continue  # an obligation cannot arise before the event that triggers it
            judged = judged_context(rule, judge.ctx, ctx, trigger, subject) if at_trigger else ctx
            arises = when(judged)
            if arises is not True:
                if arises is None:
                    unknown = tuple(when.unknown_facts(judged))
                    judge.undecided(rule, unknown, "whether this obligation arises", subject)
                continue
            if not isinstance(trigger, datetime):
                trigger = datetime.combine(trigger, time.min, LONDON)
            judge_steps(judge, rule, steps, ctx, scope, trigger, subject, owner)

    return judge_rule


def evaluate(rule: ObligationRule, judge: Judge) -> None:
    """The steps of each obligation that has arisen, for the case or each item."""
    prepare(rule, judge.policy)(judge)


def render(rules: Sequence[ObligationRule], page: Page) -> None:
    """Each obligation with its steps."""
    page.add("## Obligations", "")
    for r in rules:
        each = f", for each of {r.for_each}" if r.for_each else ""
        page.add(
            f"### {md(r.title)} (`{r.id}`){page.origin(r)}",
            "",
            f"When `{md(r.when)}`, from `{r.trigger}`{each}. Sources: {sources_md(r.sources)}.",
            "",
        )
        page.add(*(f"- {step_md(s, page.role)}" for s in r.steps), "")


KIND = RuleKind(
    "obligation",
    ObligationRule,
    check,
    render,
    step_branches,
    page_order=40,
    evaluate=evaluate,
    prepare=prepare,
)
