"""``kind: caseload_review``: a rule over many cases, a measure counted each period and
reviewed by a role. Evaluated by ``assess_rules.caseload``, not per case; scenario files do
not cover it (ordinary tests do)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assess_rules.kinds._base import Checker, RuleKind
from assess_rules.kinds._page import Page, md, sources_md
from assess_rules.pack import CaseloadReviewRule

__all__ = ["KIND"]


def check(rule: CaseloadReviewRule, at: Checker) -> None:
    """Its reviewer is on the role ladder."""
    at.role(rule.reviewed_by, ("reviewed_by",))


def render(rules: Sequence[CaseloadReviewRule], page: Page) -> None:
    """Each review in words."""
    page.add("## Reviews over the whole caseload", "")
    for r in rules:
        rise = r.significant_rise
        page.add(
            f"### {md(r.title)} (`{r.id}`){page.origin(r)}",
            "",
            f"{r.measure.replace('_', ' ').capitalize()} are counted each {r.period} "
            f"and reviewed by the {page.role(r.reviewed_by)}. A rise of at least "
            f"{rise.percent}% and at least {rise.minimum_increase} on the {r.period} "
            f"before triggers a {md(r.follow_up)}. Sources: {sources_md(r.sources)}. "
            "Run it with `assess-rules caseload`.",
            "",
        )


def branches(rule: CaseloadReviewRule) -> Iterator[tuple[str, str]]:
    """None: left to ordinary tests."""
    yield from ()


KIND = RuleKind("caseload_review", CaseloadReviewRule, check, render, branches, page_order=90)
