"""``kind: check``: a violation whenever ``violation_when`` holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page
from assess_rules.pack import CheckRule
from assess_rules.policy import Policy

__all__ = ["KIND"]


def check(rule: CheckRule, at: Checker) -> None:
    """Its condition compiles."""
    at.condition(rule.violation_when, rule.for_each, ("violation_when",))


def prepare(rule: CheckRule, policy: Policy) -> Callable[[Judge], None]:
    """Judging ``rule``: a violation for the case (or each item) where the condition holds."""
    scope = rule.for_each
    broken = policy.condition(rule.violation_when, scope)

    def judge_rule(judge: Judge) -> None:
        for ctx, subject in judge.contexts(scope) if scope else judge.case:
            if judge.holds(broken, ctx, rule, "whether this check is broken", subject):
                judge.violated(rule, rule.message, subject)

    return judge_rule


def evaluate(rule: CheckRule, judge: Judge) -> None:
    """A violation for the case (or each item) where the condition holds."""
    prepare(rule, judge.policy)(judge)


def render(rules: Sequence[CheckRule], page: Page) -> None:
    """A row each in the shared table."""
    for r in rules:
        page.short_rule(r, r.violation_when)


def branches(rule: CheckRule) -> Iterator[tuple[str, str]]:
    """Broken at least once."""
    yield f"{rule.id}#violation", f"{rule.id}: never broken"


KIND = RuleKind(
    "check", CheckRule, check, render, branches, page_order=50, evaluate=evaluate, prepare=prepare
)
