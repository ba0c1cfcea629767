"""The committed JSON Schemas agree with the models, and the bundled files follow them."""

import functools
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from assess_rules import bundled_policies, evaluate, parse_case
from assess_rules import load_policy as _load_policy
from assess_rules.loading import bundled_dir, schema_path
from assess_rules.schemas import SCHEMA_FILES, generate

ROOT = Path(__file__).parents[1]
load_policy = functools.cache(_load_policy)


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_committed_schema_matches_the_models(name: str) -> None:
    committed = (ROOT / "schemas" / name).read_text()
    assert committed == generate(name), f"run: python -m assess_rules.schemas schemas ({name})"


@pytest.mark.parametrize("name", bundled_policies())
def test_bundled_packs_follow_the_pack_schema(name: str) -> None:
    schema = json.loads(schema_path("policy-pack.schema.json").read_text())
    text = (bundled_dir("policies") / f"{name}.yaml").read_text()
    jsonschema.validate(json.loads(json.dumps(yaml.safe_load(text), default=str)), schema)
    assert text.startswith("# yaml-language-server: $schema=../schemas/policy-pack.schema.json")


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples" / "cases").glob("*.json")), ids=lambda p: p.name
)
def test_example_cases_follow_the_case_schema_and_evaluate(path: Path) -> None:
    raw = json.loads(path.read_text())
    jsonschema.validate(raw, json.loads(schema_path("case.schema.json").read_text()))
    case = parse_case(raw)
    for name in bundled_policies():
        result = evaluate(load_policy(name), case, as_of=case.referral.received_at.date())
        jsonschema.validate(
            result.to_dict(), json.loads(schema_path("result.schema.json").read_text())
        )


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples" / "cases").glob("*.json")), ids=lambda p: p.name
)
@pytest.mark.parametrize("name", bundled_policies())
def test_every_example_gives_an_actionable_result_with_every_pack(path: Path, name: str) -> None:
    from assess_rules.reporting import format_text

    policy = load_policy(name)
    case = parse_case(json.loads(path.read_text()))
    result = evaluate(policy, case, as_of=date(2027, 1, 4))
    assert result.deadlines, "a team manager needs to see what is due when"
    for finding in (
        *result.deadlines,
        *result.violations,
        *result.obligations,
        *result.permitted_actions,
        *result.warnings,
        *result.missing_facts,
    ):
        assert finding.sources, finding
        assert finding.rule in {r.id for r in policy.rules}
    text = format_text(result, policy)
    for deadline in result.deadlines:
        assert deadline.title in text
    for violation in result.violations:
        assert violation.message in text
    for action in result.permitted_actions:
        # A refused option (not a request) says why, not who would decide it.
        if action.approver and not (action.status == "refused" and action.subject is None):
            assert f"decided by {policy.role_label(action.approver)}" in text


def test_the_documented_office_opens_form_is_valid_for_editors() -> None:
    """Issue 8: the pack schema said `format: time`, so editors marked `office_opens: "09:00"`
    (the documented form) invalid."""
    schema = json.loads(schema_path("policy-pack.schema.json").read_text())
    checker = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    pack = {
        "pack": {"id": "oo", "title": "O", "authority": "T", "version": "1"},
        "calendar": {"office_opens": "09:00"},
    }
    assert list(checker.iter_errors(pack)) == []
    pack["calendar"]["office_opens"] = "9am"
    assert list(checker.iter_errors(pack))
