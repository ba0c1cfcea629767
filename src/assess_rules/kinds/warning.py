"""``kind: warning``: advice, not a prohibition, reported when ``when`` holds: of the case (or
each item), or, with ``action``, of each request for that action and each open option."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from assess_rules.facts import FactContext
from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page
from assess_rules.pack import WarningRule
from assess_rules.policy import Policy

__all__ = ["KIND", "advice"]


def check(rule: WarningRule, at: Checker) -> None:
    """Its condition compiles (of a request, on an action); not both action and for_each."""
    at.condition(rule.when, "cancellations" if rule.action else rule.for_each, ("when",))
    if rule.action and rule.for_each:
        at.error("a warning on an action cannot also say for_each", ())


def prepare(rule: WarningRule, policy: Policy) -> Callable[[Judge], None]:
    """Judging ``rule``: a warning for the case (or each item) where the condition holds. A
    warning on an action is the action's to give (:func:`advice`): nothing to do here."""
    if rule.action is not None:
        return _nothing
    scope = rule.for_each
    when = policy.condition(rule.when, scope)

    def judge_rule(judge: Judge) -> None:
        for ctx, subject in judge.contexts(scope) if scope else judge.case:
            if judge.holds(when, ctx, rule, "whether this warning applies", subject):
                judge.warned(rule, rule.message, subject)

    return judge_rule


def _nothing(judge: Judge) -> None:
    return None


def evaluate(rule: WarningRule, judge: Judge) -> None:
    """A warning for the case (or each item) where the condition holds. A warning on an
    action is the action's to give (:func:`advice`): evaluation hands it to the action."""
    prepare(rule, judge.policy)(judge)


def advice(policy: Policy, warnings: Sequence[WarningRule], ctx: FactContext) -> list[WarningRule]:
    """The warnings on an action that hold for a request (or the case) in ``ctx``."""
    return [w for w in warnings if policy.condition(w.when, "cancellations")(ctx)]


def render(rules: Sequence[WarningRule], page: Page) -> None:
    """A row each in the shared table."""
    for r in rules:
        condition = r.when
        if r.for_each:
            condition += f"; for each of {r.for_each}"
        page.short_rule(r, condition)


def branches(rule: WarningRule) -> Iterator[tuple[str, str]]:
    """Warned at least once."""
    yield f"{rule.id}#warning", f"{rule.id}: never warned"


KIND = RuleKind(
    "warning",
    WarningRule,
    check,
    render,
    branches,
    page_order=70,
    evaluate=evaluate,
    prepare=prepare,
)
