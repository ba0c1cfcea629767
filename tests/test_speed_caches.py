"""What is kept or shortcut for speed (issue 7) gives exactly what the plain way gives."""

from __future__ import annotations

import dataclasses
import inspect
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from assess_rules import bundled_policies, evaluate, load_policy, parse_case, result
from assess_rules.calendar import LONDON, age_in_years
from assess_rules.case import (
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_TEXT,
    _check_wall_clock,
    _first_oversize,
    _oversized,
)

EXAMPLES = sorted((Path(__file__).parents[1] / "examples" / "cases").glob("*.json"))


@pytest.mark.parametrize("pack", bundled_policies())
def test_kept_options_and_due_dates_match_a_fresh_evaluation(pack: str) -> None:
    """Each example evaluated by a policy that has already evaluated every other example
    (so its options and due dates come from what was kept) equals the same evaluation by a
    freshly loaded policy, which keeps nothing yet."""
    cases = [parse_case(json.loads(p.read_text())) for p in EXAMPLES]
    warm = load_policy(pack)
    for day in (date(2026, 12, 22), date(2027, 1, 4), date(2027, 3, 1)):
        for case in cases:
            evaluate(warm, case, day)
        for case in cases:
            fresh = load_policy(pack)
            assert evaluate(warm, case, day) == evaluate(fresh, case, day)


@pytest.mark.parametrize("pack", ["kent", "buckinghamshire", "assessment_intervention"])
def test_kept_options_match_a_fresh_evaluation_on_generated_cases(pack: str) -> None:
    """The kit's cases, each evaluated by one policy kept across all of them (so a case may
    meet options kept for an earlier, different case) and by a freshly loaded one."""
    from assess_rules.testing.cases import evaluations_for

    warm = load_policy(pack)

    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    @given(evaluations_for(warm))
    def check(pair: tuple[Any, date]) -> None:
        case, as_of = pair
        assert evaluate(warm, case, as_of) == evaluate(load_policy(pack), case, as_of)

    check()


@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.integers(-800, 40_000))
@settings(max_examples=500, deadline=None)
def test_age_in_years_counts_as_relativedelta_does(birth: date, days: int) -> None:
    on = birth + timedelta(days=days)
    assert age_in_years(birth, on) == relativedelta(on, birth).years


def test_a_leap_day_birthday_falls_on_28_february() -> None:
    # relativedelta's count, kept: born 29 Feb 2008, 18 on 28 Feb 2026 (2026 has no 29th)
    assert age_in_years(date(2008, 2, 29), date(2026, 2, 27)) == 17
    assert age_in_years(date(2008, 2, 29), date(2026, 2, 28)) == 18


def _slow_wall_clock(naive: datetime) -> str:
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "ok"
    round_trip = first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    return "gap" if round_trip != naive else "fold"


@pytest.mark.parametrize("year", [1996, 2026, 2027, 2099])
def test_the_clock_change_check_still_refuses_the_gap_and_the_fold(year: int) -> None:
    """Every 5 minutes of March and October (the clock changes), as the full check says."""
    for month in (3, 10):
        moment = datetime(year, month, 1)
        while moment.month == month:
            try:
                _check_wall_clock(moment)
                found = "ok"
            except ValueError as exc:
                found = "gap" if "does not exist" in str(exc) else "fold"
            assert found == _slow_wall_clock(moment), moment
            moment += timedelta(minutes=5)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from(["x" * MAX_TEXT, "x" * (MAX_TEXT + 1)]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=30,
)


def _nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@given(_JSON, st.integers(0, MAX_DEPTH + 2))
@settings(max_examples=400, deadline=None)
def test_the_quick_bound_check_finds_what_the_located_one_finds(value: Any, depth: int) -> None:
    raw = {"case_id": "C", "x": _nest(value, depth)}
    assert _oversized(raw) == _first_oversize(raw)


def test_the_quick_bound_check_counts_items_and_values() -> None:
    wide = {"x": list(range(MAX_ITEMS + 1))}
    assert _oversized(wide) == _first_oversize(wide)
    assert _oversized(wide) is not None
    many = {f"k{i}": list(range(MAX_ITEMS)) for i in range(45)}  # 225,000 values
    assert _oversized(many) == _first_oversize(many)
    assert _oversized(many) is not None


@pytest.mark.parametrize(
    "cls",
    [
        result.Citation,
        result.PackStamp,
        result.Deadline,
        result.Violation,
        result.Warning,
        result.PermittedAction,
        result.Obligation,
        result.MissingFacts,
        result.Result,
    ],
)
def test_result_objects_built_by_the_quick_init_are_the_dataclass_they_were(cls: type) -> None:
    """The quick ``__init__`` of a result class takes what the dataclass's took (each field,
    in order, with its default), fills every field, and leaves the object frozen."""
    fields = dataclasses.fields(cls)
    parameters = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert [p.default for p in parameters] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    values = {f.name: object() for f in fields}
    by_name, by_place = cls(**values), cls(*values.values())
    for f in fields:
        assert getattr(by_name, f.name) is values[f.name]
        assert getattr(by_place, f.name) is values[f.name]
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_name.__setattr__(fields[0].name, "changed")
    defaulted = cls(*(values[f.name] for f in fields if f.default is dataclasses.MISSING))
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert getattr(defaulted, f.name) == f.default


_DATED_PROHIBITION = """\
pack: {id: datedshire, title: Datedshire, authority: Test, version: '1.0.0', extends: kent}
rules:
  - id: no-step-across-from-june
    kind: prohibition
    effect: refuse
    title: No step across from June
    sources: [{id: KENT-EH-1, para: "Cancellation Approval, last para"}]
    action: step_across_to_early_help
    when: "not strategy_discussion.s47_ruled_out"
    message: not from June
    effective_from: 2026-06-01
"""


def test_options_kept_before_a_prohibition_came_into_force_are_not_given_after(
    tmp_path: Path,
) -> None:
    """A prohibition in force only from June reads no fact the options did not read
    already: a June referral must still get options judged with it, not those kept for a
    May referral whose facts read the same (they were once kept by the facts alone)."""
    (tmp_path / "datedshire.yaml").write_text(_DATED_PROHIBITION, encoding="utf-8")

    def case(day: str) -> Any:
        return parse_case(
            {
                "case_id": "D",
                "referral": {"received_at": f"{day}T10:00"},
                "assessment": {"started_at": f"{day}T12:00"},
            }
        )

    warm = load_policy(tmp_path / "datedshire.yaml")
    may, june, as_of = case("2026-05-20"), case("2026-06-10"), date(2026, 7, 1)
    before = evaluate(warm, may, as_of)
    after = evaluate(warm, june, as_of)
    assert after == evaluate(load_policy(tmp_path / "datedshire.yaml"), june, as_of)
    step_across = [p for p in after.permitted_actions if p.action == "step_across_to_early_help"]
    assert step_across
    assert all(p.blocked_by == ("no-step-across-from-june",) for p in step_across)
    assert not any("no-step-across-from-june" in p.blocked_by for p in before.permitted_actions)
