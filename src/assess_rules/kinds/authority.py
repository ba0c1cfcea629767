"""``kind: authority``: who may take an action recorded in the case, and what else it
needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from assess_rules.kinds._base import Checker, Judge, RuleKind, cite
from assess_rules.kinds._page import Page
from assess_rules.pack import AuthorityRule
from assess_rules.policy import Policy
from assess_rules.result import PermittedAction

__all__ = ["KIND"]


def check(rule: AuthorityRule, at: Checker) -> None:
    """Its conditions, role fact and role name what exists."""
    scope = rule.for_each
    at.condition(rule.applies_when, scope, ("applies_when",))
    at.condition(rule.also_requires, scope, ("also_requires",))
    at.fact(rule.role_fact, scope, ("role_fact",), ("role",))
    at.role(rule.role, ("role",))


def _who_may(rule: AuthorityRule, policy: Policy) -> PermittedAction:
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
        sources=cite(rule.sources),
        prerequisites=(rule.also_requires,) if rule.also_requires else (),
    )


def prepare(rule: AuthorityRule, policy: Policy) -> Callable[[Judge], None]:
    """Judging ``rule``: who may take the action (a permitted action, the same for every
    case, built here once), and a violation wherever it was taken by a role that may not,
    or without what it needs."""
    label = rule.action.replace("_", " ")
    who_may = _who_may(rule, policy)
    scope = rule.for_each
    applies = policy.condition(rule.applies_when, scope)
    also = policy.condition(rule.also_requires, scope) if rule.also_requires else None

    def judge_rule(judge: Judge) -> None:
        judge.permitted.append(who_may)
        for ctx, subject in judge.contexts(scope) if scope else judge.case:
            if (
                judge.holds(applies, ctx, rule, "whether this action was taken", subject)
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
                also is not None
                and judge.holds(also, ctx, rule, f"whether {label} met its requirements", subject)
                is False
            ):
                judge.violated(rule, f"{label}: requirement not met: {rule.also_requires}", subject)

    return judge_rule


def evaluate(rule: AuthorityRule, judge: Judge) -> None:
    """Who may take the action (a permitted action, the same for every case), and a
    violation wherever it was taken by a role that may not, or without what it needs."""
    prepare(rule, judge.policy)(judge)


def render(rules: Sequence[AuthorityRule], page: Page) -> None:
    """A row each in the shared table."""
    for r in rules:
        page.short_rule(r, f"{r.applies_when}; by {page.role(r.role)} or higher")


def branches(rule: AuthorityRule) -> Iterator[tuple[str, str]]:
    """Broken at least once."""
    yield f"{rule.id}#violation", f"{rule.id}: never broken"


KIND = RuleKind(
    "authority",
    AuthorityRule,
    check,
    render,
    branches,
    page_order=80,
    evaluate=evaluate,
    prepare=prepare,
)
