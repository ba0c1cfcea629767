"""``kind: check``: a violation whenever ``violation_when`` holds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page
from assess_rules.pack import CheckRule

__all__ = ["KIND"]


def check(rule: CheckRule, at: Checker) -> None:
    """Its condition compiles."""
    at.condition(rule.violation_when, rule.for_each, ("violation_when",))


def evaluate(rule: CheckRule, judge: Judge) -> None:
    """A violation for the case (or each item) where the condition holds."""
    for ctx, subject in judge.contexts(rule.for_each):
        if judge.test(
            rule.violation_when, ctx, rule.for_each, rule, "whether this check is broken", subject
        ):
            judge.violated(rule, rule.message, subject)


def render(rules: Sequence[CheckRule], page: Page) -> None:
    """A row each in the shared table."""
    for r in rules:
        page.short_rule(r, r.violation_when)


def branches(rule: CheckRule) -> Iterator[tuple[str, str]]:
    """Broken at least once."""
    yield f"{rule.id}#violation", f"{rule.id}: never broken"


KIND = RuleKind("check", CheckRule, check, render, branches, page_order=50, evaluate=evaluate)
