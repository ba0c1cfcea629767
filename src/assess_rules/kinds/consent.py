"""``kind: consent``: what a consent branch (declined, withdrawn before or after the visit,
overridden) requires: its steps, counted from the moment consent took that branch."""

from __future__ import annotations

from collections.abc import Sequence

from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page, md, sources_md
from assess_rules.kinds._steps import check_steps, judge_steps, step_branches, step_md
from assess_rules.pack import ConsentRule

__all__ = ["KIND"]

_TRIGGER = {
    "declined": "consent.declined",
    "withdrawn_before_visit": "consent.withdrawn",
    "withdrawn_after_visit": "consent.withdrawn",
    "overridden": "consent.overridden",
}


def check(rule: ConsentRule, at: Checker) -> None:
    """Its condition, owner and steps name what exists."""
    at.condition(rule.applies_when, None, ("applies_when",))
    at.role(rule.owner, ("owner",))
    check_steps(rule.steps, None, at, ("steps",))


def evaluate(rule: ConsentRule, judge: Judge) -> None:
    """The branch's steps, when the case took that branch and the rule applies."""
    ctx = judge.ctx
    if ctx.get("consent.branch") != rule.branch:
        return
    if (
        judge.test(rule.applies_when, ctx, None, rule, "whether this consent branch applies", None)
        is not True
    ):
        return
    trigger = ctx.get(_TRIGGER[rule.branch])
    judge_steps(judge, rule, rule.steps, ctx, None, trigger, None, rule.owner)


def render(rules: Sequence[ConsentRule], page: Page) -> None:
    """Each branch with its steps."""
    page.add("## Consent branches", "")
    for r in rules:
        page.add(
            f"### {r.branch.replace('_', ' ')}: {md(r.title)} (`{r.id}`){page.origin(r)}",
            "",
            f"Sources: {sources_md(r.sources)}.",
            "",
        )
        page.add(*(f"- {step_md(s, page.role)}" for s in r.steps), "")


KIND = RuleKind(
    "consent", ConsentRule, check, render, step_branches, page_order=30, evaluate=evaluate
)
