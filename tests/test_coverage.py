"""Every catalogue ID is encoded, and every rule and branch is exercised by a scenario."""

import re
from pathlib import Path

import pytest
import yaml

from assess_rules import bundled_policies, load_policy
from assess_rules.loading import bundled_dir
from assess_rules.reporting import _all_sources
from assess_rules.testing.coverage import scenario_coverage

POLICIES = bundled_dir("policies")
CATALOGUE = yaml.safe_load((POLICIES / "catalogue.ids.yaml").read_text())["ids"]
SHARED = Path(__file__).parents[2] / "shared" / "domain" / "rule-catalogue.md"


def cited_ids() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for name in bundled_policies():
        policy = load_policy(name)
        for rule in policy.rules:
            if policy.origin[rule.id] != name:
                continue
            for source in _all_sources(rule):
                cited.setdefault(source.id, set()).add(name)
    return cited


def test_the_catalogue_has_77_ids() -> None:
    assert len(CATALOGUE) == 77


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/ is not beside this checkout")
def test_the_id_list_matches_the_catalogue_itself() -> None:
    ids = re.findall(r"^- \*\*([A-Z]+-[A-Za-z0-9.\-]+)\*\*", SHARED.read_text(), re.M)
    assert sorted(ids) == sorted(CATALOGUE)


def test_every_catalogue_id_is_encoded_by_a_pack() -> None:
    missing = sorted(set(CATALOGUE) - set(cited_ids()))
    assert missing == []


def test_packs_cite_only_catalogue_ids() -> None:
    unknown = {i: packs for i, packs in cited_ids().items() if i not in CATALOGUE}
    assert unknown == {}


def test_each_council_pack_encodes_its_own_ids() -> None:
    cited = cited_ids()
    owner = {
        "GEN": "generic_s17",
        "BUCKS": "buckinghamshire",
        "KENT": "kent",
        "AI": "assessment_intervention",
        "SA": "single_assessments",
    }
    for catalogue_id in CATALOGUE:
        assert owner[catalogue_id.split("-")[0]] in cited[catalogue_id], catalogue_id


def test_every_rule_and_branch_is_exercised_by_a_scenario() -> None:
    # the bundled packs' scenario files, not whatever else lies in the folder
    files = [POLICIES / f"{name}.scenarios.yaml" for name in bundled_policies()]
    assert all(f.is_file() for f in files)
    coverage = scenario_coverage(files)
    assert coverage.failures == []
    assert coverage.gaps() == []
