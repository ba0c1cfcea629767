"""``kind: prohibition``: an action that is not permitted (or is left to a manager) while
``when`` holds. Judged by the action it concerns (``kinds.action``, which reads its
``when``, ``grounds`` and ``except_grounds``), never on its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page
from assess_rules.pack import ProhibitionRule

__all__ = ["KIND", "broken_by_approval"]


def check(rule: ProhibitionRule, at: Checker) -> None:
    """Its condition compiles, as a condition of a request."""
    at.condition(rule.when, "cancellations", ("when",))


def broken_by_approval(
    judge: Judge, prohibitions: Sequence[ProhibitionRule], blocked_by: Sequence[str], subject: str
) -> None:
    """An approved request that a refusing prohibition forbade breaks that prohibition."""
    for prohibition in prohibitions:
        if prohibition.id in blocked_by and prohibition.effect == "refuse":
            judge.violated(
                prohibition, f"cancelled while not permitted: {prohibition.message}", subject
            )


def render(rules: Sequence[ProhibitionRule], page: Page) -> None:
    """A row each in the shared table."""
    for r in rules:
        page.short_rule(r, r.when)


def branches(rule: ProhibitionRule) -> Iterator[tuple[str, str]]:
    """Refused an action at least once."""
    yield f"{rule.id}#prohibited", f"{rule.id}: never refused an action"


KIND = RuleKind("prohibition", ProhibitionRule, check, render, branches, page_order=60)
