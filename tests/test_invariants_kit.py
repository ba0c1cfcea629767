"""The invariants kit (issue 9): pack-aware strategies, built-in invariants, the search."""

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings

from assess_rules import (
    AssessRulesError,
    PolicyError,
    bundled_policies,
    evaluate,
    load_policy,
    parse_case,
)
from assess_rules.calendar import LONDON
from assess_rules.loading import bundled_dir
from assess_rules.scenarios import load_scenario_file
from assess_rules.testing.cases import boundary_days, case_to_yaml_dict, evaluations_for
from assess_rules.testing.invariants import (
    BUILT_IN,
    InvariantViolation,
    Never,
    authored,
    check_all,
    declared_catalogue_ids,
    independent_of_time_zone,
)
from assess_rules.testing.search import find_counterexample

POLICIES = {name: load_policy(name) for name in bundled_policies()}
KENT = POLICIES["kent"]


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_bundled_pack_keeps_every_built_in_invariant(name: str) -> None:
    policy = POLICIES[name]

    @settings(max_examples=15, deadline=None, derandomize=True, database=None)
    @given(evaluations_for(policy))
    def check(pair: tuple) -> None:
        check_all(policy, *pair)

    check()


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(evaluations_for(KENT))
def test_generated_cases_round_trip_through_a_scenario_file(pair: tuple) -> None:
    case, as_of = pair
    assert parse_case(case_to_yaml_dict(case)) == case
    assert as_of >= case.referral.received_at.date()


def test_generated_requests_cover_each_action_and_reason_of_the_pack() -> None:
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(evaluations_for(KENT))
    def collect(pair: tuple) -> None:
        seen.update((r.action, r.reason) for r in pair[0].cancellations)

    collect()
    assert {action for action, _ in seen} == {"cancel_assessment", "step_across_to_early_help"}
    assert len(seen) > 10


def test_boundary_days_land_on_the_due_date_and_either_side() -> None:
    # generic_s17: a Friday 18 Dec 2026 referral's decision is due Mon 21 Dec (3 days on).
    received = datetime(2026, 12, 18, 10, 0, tzinfo=LONDON)
    assert {2, 3, 4} <= set(boundary_days(POLICIES["generic_s17"], received))


def test_a_violation_is_one_of_the_librarys_own_errors_and_explains_itself() -> None:
    violation = InvariantViolation("x", "kent", date(2026, 12, 1), "why")
    assert isinstance(violation, AssessRulesError)
    assert str(violation) == "x (kent, as of 2026-12-01): why"


def test_the_time_zone_is_restored_after_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    case = parse_case({"case_id": "T", "referral": {"received_at": "2026-12-18T10:00"}})
    independent_of_time_zone(KENT, case, date(2026, 12, 22))
    assert os.environ["TZ"] == "Asia/Tokyo"


def test_declared_ids_include_the_baselines() -> None:
    assert {"GEN-S47-1", "GEN-REF-1"} <= declared_catalogue_ids(KENT)


def test_built_in_has_each_invariant_once() -> None:
    assert len({f.__name__ for f in BUILT_IN}) == len(BUILT_IN) == 9


def test_a_false_invariant_is_found_and_shrunk_to_one_request() -> None:
    # generic_s17 lists no cancellation reasons: every request is left to a manager.
    generic = POLICIES["generic_s17"]
    found = find_counterexample(generic, Never("cancel_assessment", "undecidable"), examples=50)
    assert found is not None
    assert len(found.case.cancellations) == 1
    scenario = found.scenario()
    assert scenario["as_of"]
    assert scenario["case"]["cancellations"]
    assert "cancellations[0]" in str(found)
    result = evaluate(generic, found.case, found.as_of)
    assert result.permitted_actions


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (
            "- {name: x, never: {action: cancel_assessment, status: alowed}}",
            "'alowed' is not allowed here; expected one of: allowed, allowed_once",
        ),
        ("- {name: x, never: {action: cancel_assessment, colour: red}}", "unknown key 'colour'"),
        ("- {name: x}", "expected one of the keys 'never' or 'due_on_working_days'"),
        ("- {name: x, due_on_working_days: []}", "expected a list of at least 1"),
        (
            "- {name: x, due_on_working_days: [a], never: {action: cancel_assessment}}",
            "give only one of the keys 'never' or 'due_on_working_days'",
        ),
    ],
)
def test_a_malformed_invariant_is_refused_with_its_place(
    tmp_path: Path, entry: str, words: str
) -> None:
    path = tmp_path / "x.scenarios.yaml"
    path.write_text(f"pack: generic_s17\nscenarios: []\ninvariants:\n  {entry}\n")
    with pytest.raises(PolicyError, match=words):
        load_scenario_file(path)


def test_an_invariant_on_an_action_the_pack_does_not_govern_suggests_one() -> None:
    never = Never("cancel_asessment", "allowed", name="x", file="f", line=3)
    with pytest.raises(AssessRulesError, match="did you mean 'cancel_assessment'"):
        never.check_against(KENT)


def test_an_authored_invariant_reads_back_from_a_bundled_scenario_file() -> None:
    specs = load_scenario_file(bundled_dir("policies") / "kent.scenarios.yaml").invariants
    assert len(specs) >= 3
    assert all(isinstance(authored(spec), Never) for spec in specs)
