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
            "not a value allowed here; expected one of: allowed, allowed_once",
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


def _sections_drawn(name: str, examples: int = 120) -> set[str]:
    seen: set[str] = set()

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None)
    @given(evaluations_for(POLICIES[name]))
    def collect(pair: tuple) -> None:
        dumped = pair[0].model_dump(exclude_defaults=True)
        seen.update(dumped)
        seen.update(f"{key}.{field}" for key, value in dumped.items() for field in _fields(value))

    collect()
    return seen


def _fields(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value)
    if isinstance(value, list | tuple):
        return {field for item in value if isinstance(item, dict) for field in item}
    return set()


def test_generated_cases_reach_every_record_the_pack_reads() -> None:
    # Buckinghamshire's rules read complaints (8.x), returns home (8.1, 8.5), emergency
    # action, previous assessments, siblings (7.2.2) and the closure of the record.
    seen = _sections_drawn("buckinghamshire", examples=300)  # one case in four gets them
    assert {
        "complaints",
        "returns_home",
        "emergency_actions",
        "previous_assessments",
        "siblings",
        "closure",
    } <= seen
    # optional fields are drawn too: the EPO application, the appropriateness assessment
    assert {"emergency_actions.epo_applied_at", "returns_home.appropriateness_assessed_at"} <= seen
    assert "professional_conversations" in _sections_drawn("single_assessments")


def test_generated_cases_leave_out_records_the_pack_never_reads() -> None:
    # generic_s17 has no rule on complaints or returns home: drawing them would only slow
    # the search down
    seen = _sections_drawn("generic_s17", examples=60)
    assert not {"complaints", "returns_home", "previous_assessments"} & seen


def test_invariants_searched_together_report_each_one_that_fails() -> None:
    from assess_rules.testing.invariants import working_day_due_dates
    from assess_rules.testing.search import find_counterexamples

    generic = POLICIES["generic_s17"]
    every_request_undecidable = Never("cancel_assessment", "undecidable", name="all undecidable")
    found = find_counterexamples(
        generic, [working_day_due_dates, every_request_undecidable], examples=50
    )
    # generic_s17 leaves every request to a manager, so only the false one fails, once
    assert [c.invariant for c in found] == ["all undecidable"]
    assert len(found[0].case.cancellations) == 1
    assert find_counterexamples(generic, BUILT_IN, examples=20) == []


def test_pytest_collects_a_file_of_invariants_alone(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "mine.invariants.yaml").write_text(
        f"pack: {bundled_dir('policies') / 'generic_s17.yaml'}\n"
        "invariants:\n"
        "  - name: never refused\n"  # generic_s17 lists no reasons: it never refuses one
        "    never: {action: cancel_assessment, status: refused, when: 'false'}\n"
        "  - name: never undecidable\n"  # false: every request is left to a manager
        "    never: {action: cancel_assessment, status: undecidable}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "ASSESS_RULES_INVARIANT_EXAMPLES": "10"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(tmp_path / "mine.invariants.yaml"),
            "-k",
            "never",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    assert "never undecidable" in run.stdout


def test_a_requests_reason_is_aimed_at_by_the_flags_its_condition_reads() -> None:
    from assess_rules.testing.cases import _aim_at

    raw: dict = {"concerns": {"threshold_met": True}}
    _aim_at(
        raw,
        "not concerns.threshold_met and child.disabled == false and "
        "concerns.significant_harm_suspected != false and concerns.presenting_concern == 'x'",
    )
    assert raw == {
        "concerns": {"threshold_met": False, "significant_harm_suspected": True},
        "child": {"disabled": False},
    }


_RECENT_PACK = """\
pack:
  id: recentshire
  title: A pack that came into force recently
  authority: Recentshire Council
  version: "1.0.0"
  effective_from: 2026-01-01
  extends: generic_s17
"""


def test_generated_referrals_fall_on_days_the_pack_is_in_force(tmp_path: Path) -> None:
    """The trial's first finding: a pack in force from 2026-01-01 got 2024 referrals, which
    no version answers. Every drawn referral now falls from 2026-01-01 to the default end."""
    (tmp_path / "recentshire.yaml").write_text(_RECENT_PACK, encoding="utf-8")
    policy = load_policy(tmp_path / "recentshire.yaml")
    seen: list[date] = []

    @settings(max_examples=60, database=None)
    @given(evaluations_for(policy))
    def drawn(pair: tuple) -> None:
        case, _as_of = pair
        day = case.referral.received_at.date()
        seen.append(day)
        assert date(2026, 1, 1) <= day <= date(2027, 12, 31)
        policy.version_on(day)  # raises if no version is in force

    drawn()
    assert seen


def test_a_pack_in_force_on_no_day_of_the_span_is_refused_at_once(tmp_path: Path) -> None:
    from assess_rules.errors import NoVersionInForceError
    from assess_rules.testing.cases import cases_for

    (tmp_path / "recentshire.yaml").write_text(_RECENT_PACK, encoding="utf-8")
    policy = load_policy(tmp_path / "recentshire.yaml")
    with pytest.raises(NoVersionInForceError, match="in force between 2024-01-01 and 2025-12-31"):
        cases_for(policy, end=date(2025, 12, 31))


def test_check_runs_on_a_recent_pack(tmp_path: Path) -> None:
    import io

    from assess_rules.cli import run

    (tmp_path / "recentshire.yaml").write_text(_RECENT_PACK, encoding="utf-8")
    scenarios = tmp_path / "recentshire.scenarios.yaml"
    scenarios.write_text("pack: recentshire\nscenarios: []\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", str(scenarios), "--examples", "15", "--seed", "1"], out, err)
    assert code == 0, err.getvalue() + out.getvalue()
    assert " 0 failed" in out.getvalue()
