"""``kind: authority``: who may take an action recorded in the case, and what else it
needs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page
from assess_rules.pack import AuthorityRule
from assess_rules.result import PermittedAction

__all__ = ["KIND"]


def check(rule: AuthorityRule, at: Checker) -> None:
    """Its conditions, role fact and role name what exists."""
    scope = rule.for_each
    at.condition(rule.applies_when, scope, ("applies_when",))
    at.condition(rule.also_requires, scope, ("also_requires",))
    at.fact(rule.role_fact, scope, ("role_fact",), ("role",))
    at.role(rule.role, ("role",))


def _who_may(rule: AuthorityRule, judge: Judge) -> PermittedAction:
    policy = judge.policy
    label = rule.action.replace("_", " ")
    return PermittedAction(
        action=rule.action,
        option=None,
        label=rule.title,
        status="allowed",
        why=(
            f"{label}: only {policy.role_label(rule.role)}"
            f"{' or higher' if policy.higher_roles_may_act else ''} may do this",
        ),
        approver=rule.role,
        rule=rule.id,
        sources=judge.cite(rule.sources),
        prerequisites=(rule.also_requires,) if rule.also_requires else (),
    )


def evaluate(rule: AuthorityRule, judge: Judge) -> None:
    """Who may take the action (a permitted action, the same for every case), and a
    violation wherever it was taken by a role that may not, or without what it needs."""
    policy = judge.policy
    label = rule.action.replace("_", " ")
    # depends on the policy alone: built once, then shared
    judge.permitted.append(judge.memo.of(rule, lambda r: _who_may(r, judge)))
    for ctx, subject in judge.contexts(rule.for_each):
        if (
            judge.test(
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
        fits = policy.may_act(actual, rule.role)
        if fits is None:
            judge.undecided(rule, (rule.role_fact,), f"who may {label}", subject)
        elif not fits:
            judge.violated(
                rule,
                f"{label} by {policy.role_label(actual)}; needs {policy.role_label(rule.role)}",
                subject,
            )
        if (
            rule.also_requires is not None
            and judge.test(
                rule.also_requires,
                ctx,
                rule.for_each,
                rule,
                f"whether {label} met its requirements",
                subject,
            )
            is False
        ):
            judge.violated(rule, f"{label}: requirement not met: {rule.also_requires}", subject)


def render(rules: Sequence[AuthorityRule], page: Page) -> None:
    """A row each in the shared table."""
    for r in rules:
        page.short_rule(r, f"{r.applies_when}; by {page.role(r.role)} or higher")


def branches(rule: AuthorityRule) -> Iterator[tuple[str, str]]:
    """Broken at least once."""
    yield f"{rule.id}#violation", f"{rule.id}: never broken"


KIND = RuleKind(
    "authority", AuthorityRule, check, render, branches, page_order=80, evaluate=evaluate
)
