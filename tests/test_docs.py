"""Generated documentation is current: a pack change shows up as a docs diff."""

from pathlib import Path

import pytest

from assess_rules import bundled_policies, load_policy
from assess_rules.reporting import facts_markdown, pack_markdown

DOCS = Path(__file__).parents[1] / "docs"


@pytest.mark.parametrize("name", bundled_policies())
def test_each_pack_has_a_current_page(name: str) -> None:
    page = DOCS / "packs" / f"{name}.md"
    assert page.is_file(), f"run: assess-rules docs {name} > docs/packs/{name}.md"
    assert page.read_text() == pack_markdown(load_policy(name)), (
        f"docs/packs/{name}.md is stale: run assess-rules docs {name} > docs/packs/{name}.md"
    )


def test_the_fact_reference_is_current() -> None:
    assert (DOCS / "facts.md").read_text() == facts_markdown(), (
        "run: assess-rules docs --facts > docs/facts.md"
    )


def test_every_pack_page_shows_every_interpretation_note() -> None:
    for name in bundled_policies():
        policy = load_policy(name)
        page = pack_markdown(policy)
        for rule in policy.rules:
            if rule.note:
                assert " ".join(rule.note.split())[:60] in page, (name, rule.id)
