"""Loading packs: one broken file per failure mode, each with a located, readable error."""

import re
import time
from pathlib import Path

import pytest

from assess_rules import PolicyError, bundled_policies, check_policy_file, load_policy
from assess_rules.loading import MAX_FILE_BYTES, read_yaml

BROKEN = Path(__file__).parent / "broken_packs"

# file, line, column, words in the message, suggestion
CASES = [
    ("duplicate_key", 6, 3, "duplicate key 'title' (first given on line 3)", None),
    ("unknown_key", 3, 3, "unknown key 'titel'; allowed keys here: authority", "title"),
    ("yaml_syntax", 5, 1, "while scanning a quoted scalar that starts at line 3", None),
    ("alias", 1, 7, "anchors and aliases", None),
    ("unknown_kind", 4, 11, "unknown rule kind; expected one of", "timescale"),
    ("missing_required", 3, 5, "missing required key 'sources'", None),
    ("wrong_type", 8, 22, "expected a whole number, got text", None),
    ("bad_unit", 8, 31, "not a value allowed here; expected one of: working_days", "working_days"),
    ("bad_rule_id", 3, 9, "lower-case letters, digits", None),
    ("bad_source_id", 6, 20, "a catalogue ID such as 'BUCKS-2.11a'", None),
    ("unknown_fact_in_condition", 7, 22, "unknown fact 'child.agee'", "child.age"),
    (
        "unknown_value_in_condition",
        7,
        37,
        "'out_of_hourz' is not a value of referral.route",
        "out_of_hours",
    ),
    ("condition_syntax", 7, 41, "expected a value or a fact name", None),
    ("condition_too_deep", 7, 54, "nested more than 32 levels deep", None),
    ("changes_unknown_rule", 8, 51, "changes names rule 'child-seen'", None),
    ("parameter_undefined", 8, 22, "parameter 'asessment_days' is not defined", "assessment_days"),
    ("parameter_named_like_a_fact", 3, 10, "parameter 'as_of' has the name of a fact", None),
    (
        "parameter_undefined_in_condition",
        7,
        71,
        "unknown fact or parameter 'assesment_days'",
        "assessment_days",
    ),
    ("unknown_start_fact", 7, 12, "unknown fact 'referral.recieved'", "referral.received"),
    ("wrong_fact_type", 7, 12, "'child.age' is an int fact; expected a moment or date", None),
    ("item_fact_outside_for_each", 7, 12, "for_each: strategy_discussions", None),
    ("unknown_role", 10, 17, "role 'service_manager' is not on this pack's role ladder", None),
    ("duplicate_rule_id", 9, 9, "rule id 'child-seen' is used twice", None),
    ("extends_missing", 1, 75, "no policy pack named 'generic_s71'", "generic_s17"),
    ("cycle_a", 1, 71, "'extends' goes round in a circle: cycle-a -> cycle-b -> cycle-a", None),
    ("shadowed_rule", 3, 9, "add 'override: true' to replace it", None),
    ("override_nothing", 4, 15, "says 'override: true' but no extended pack defines it", None),
    ("removed_unknown", 3, 10, "removed_rules names 'no-such-rule'", None),
    ("bad_date", 1, 82, "'2026-02-30' is not a valid value", None),
    ("not_a_mapping", 1, 1, "a policy pack is a mapping", None),
    ("deep_nesting", 2, 47, "nesting deeper than 40 levels", None),
    ("closure_out_of_range", 3, 26, "closure day 2150-12-29 is outside the supported range", None),
    ("warning_action_for_each", 3, 5, "a warning on an action cannot also say for_each", None),
]


def test_every_broken_file_is_in_the_table() -> None:
    on_disk = {p.stem for p in BROKEN.glob("*.yaml")} - {"cycle_b"}
    assert on_disk == {c[0] for c in CASES}


@pytest.mark.parametrize(("name", "line", "column", "words", "suggestion"), CASES)
def test_broken_pack_gets_a_located_readable_error(
    name: str, line: int, column: int, words: str, suggestion: str | None
) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(BROKEN / f"{name}.yaml")
    error = caught.value
    assert words in error.reason
    assert error.suggestion == suggestion
    assert (error.line, error.column) == (line, column)
    expected_file = "cycle_b.yaml" if name == "cycle_a" else f"{name}.yaml"
    assert str(error).startswith(str(BROKEN / expected_file) + f":{line}:{column}: ")
    # check_policy_file reports the same problem first, without raising.
    assert str(check_policy_file(BROKEN / f"{name}.yaml")[0]) == str(error)


def test_a_huge_file_fails_fast(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("pack:\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(PolicyError, match="at most 1,048,576"):
        load_policy(big)


def test_a_billion_laughs_file_is_refused_at_its_first_anchor() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        previous = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    started = time.perf_counter()
    with pytest.raises(PolicyError, match="anchors and aliases"):
        read_yaml("\n".join(lines), "laughs.yaml")
    assert time.perf_counter() - started < 5  # a safety net, not a benchmark


def test_too_many_nodes_is_refused() -> None:
    text = "rules: [" + ", ".join("1" for _ in range(200_001)) + "]"
    with pytest.raises(PolicyError, match="more than 200,000 values"):
        read_yaml(text, "many.yaml")


def test_python_tags_are_not_constructed() -> None:
    with pytest.raises(PolicyError) as caught:
        read_yaml("pack: !!python/object/apply:os.system ['true']", "evil.yaml")
    assert "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in str(caught.value)
    assert (caught.value.line, caught.value.column) == (1, 7)


def test_bundled_packs_load_by_name_and_by_path() -> None:
    assert "generic_s17" in bundled_policies()
    by_name = load_policy("generic_s17")
    by_path = load_policy(Path(by_name.files[0]))
    assert by_name.content_hash == by_path.content_hash
    assert by_name.id == "generic_s17"


def test_an_unknown_bundled_name_suggests_the_closest() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy("generic_s71")
    assert caught.value.suggestion == "generic_s17"


def test_extends_inherits_overrides_in_place_and_removes(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        """
pack: {id: child, title: Child, authority: Test, version: "2", extends: generic_s17}
removed_rules:
  - {id: plan-of-action, reason: not used here}
rules:
  - id: referral-decision
    override: true
    kind: timescale
    title: Decision within 2 working days
    sources: [{id: GEN-REF-1, para: "local"}]
    start: referral.received
    end: decision.made
    within: {amount: 2, unit: working_days}
  - id: complaints
    kind: timescale
    for_each: complaints
    title: Complaints answered in 10 working days
    sources: [{id: BUCKS-11.1, para: "11.1"}]
    start: complaint.received
    end: complaint.responded
    within: {amount: 10, unit: working_days}
"""
    )
    policy = load_policy(child)
    ids = [r.id for r in policy.rules]
    assert ids[0] == "referral-decision"  # replaced in place, order kept
    assert policy.rule("referral-decision").within.amount == 2  # type: ignore[union-attr]
    assert "plan-of-action" not in ids
    assert ids[-1] == "complaints"
    assert policy.origin["referral-decision"] == "child"
    assert policy.origin["icpc-timescale"] == "generic_s17"
    assert [p.id for p in policy.chain] == ["generic_s17", "child"]
    assert policy.calendar_settings.region == "england_and_wales"  # inherited


def test_the_content_hash_changes_with_the_content(tmp_path: Path) -> None:
    source = Path(load_policy("generic_s17").files[0]).read_text()
    copy = tmp_path / "generic_s17.yaml"
    copy.write_text(source)
    first = load_policy(copy).content_hash
    changed = re.sub(r'version: "([^"]+)"', r'version: "\1.1"', source, count=1)
    assert changed != source
    copy.write_text(changed)
    assert load_policy(copy).content_hash != first
