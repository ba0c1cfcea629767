"""What ``parse_case`` shortcuts for speed (issue 7) gives exactly what the full checks give:
strict types instead of a validator on every field, the range check noted by the validators,
the size bounds proven by the reader's text length, and the quick reading of common moments."""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from assess_rules import parse_case
from assess_rules.calendar import LONDON
from assess_rules.case import (
    _STEADY_SINCE,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_TEXT,
    CaseSnapshot,
    Complaint,
    Day,
    Moment,
    _as_london,
    _day,
    _moment,
    _steady_day,
)
from assess_rules.errors import CaseError
from assess_rules.records import loads_record

EXAMPLES = sorted((Path(__file__).parents[1] / "examples" / "cases").glob("*.json"))
BASE = {"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"}}


def _models(model: type[BaseModel] = CaseSnapshot) -> set[type[BaseModel]]:
    """``model`` and every record model its fields hold."""
    found = {model}
    for field in model.model_fields.values():
        for inner in _leaves(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in found:
                found |= _models(inner)
    return found


def _leaves(annotation: Any) -> list[Any]:
    """The types inside unions, tuples and ``Annotated`` (``Annotated`` kept whole)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple):
        return [x for a in typing.get_args(annotation) if a is not ... for x in _leaves(a)]
    return [annotation]


def _issues(raw: Any, **kwargs: Any) -> list[tuple[tuple[str | int, ...], str]] | str:
    try:
        return parse_case(raw, **kwargs).model_dump_json()
    except CaseError as exc:
        return [(issue.path, issue.reason) for issue in exc.issues]


def test_every_boolean_is_strict_and_every_date_a_day() -> None:
    """No boolean field of any snapshot record takes pydantic's lenient reading ("yes", 1),
    and every date or moment goes through the snapshot's own validators: a field added
    later as plain ``bool`` or ``date`` fails here."""
    checked = 0
    for model in _models():
        for name, field in model.model_fields.items():
            leaves = _leaves(field.annotation)
            if bool in leaves:
                assert any(getattr(m, "strict", False) for m in field.metadata), (model, name)
                checked += 1
            if field.annotation in (date, datetime):  # required: pydantic took Annotated off
                funcs = [getattr(m, "func", None) for m in field.metadata]
                assert (_day if field.annotation is date else _moment) in funcs, (model, name)
                continue
            for leaf in leaves:
                assert leaf not in (date, datetime), (model, name, "use Day or Moment")
                if typing.get_origin(leaf) is Annotated:
                    assert typing.get_args(leaf)[0] not in (date, datetime) or leaf in (
                        Day,
                        Moment,
                    ), (model, name)
    assert checked >= 40


def _deepest(annotation: Any) -> int:
    """How deep the JSON of a valid value of this type can nest (a scalar is 0)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _deepest(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return max(_deepest(a) for a in typing.get_args(annotation))
    if origin is tuple:
        return 1 + max(_deepest(a) for a in typing.get_args(annotation) if a is not ...)
    if origin is Literal or annotation in (str, bool, date, datetime, type(None)):
        return 0
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return 1 + max(_deepest(f.annotation) for f in annotation.model_fields.values())
    raise AssertionError(f"no known depth for {annotation!r}: extend this proof")


def test_a_valid_snapshot_nests_well_within_the_depth_bound() -> None:
    """The proof ``parse_case(read_from=...)`` rests on: a value that validates as a
    snapshot nests no deeper than its models (the case, a list of records, a record, a
    list of ids, an id), so a valid record read from JSON never breaks ``MAX_DEPTH``."""
    assert _deepest(CaseSnapshot) == 4
    assert _deepest(CaseSnapshot) < MAX_DEPTH


def test_a_list_is_never_taken_from_an_object() -> None:
    # the depth proof counts a tuple field as one level: pydantic must not read an object
    # (whose values could nest deeper) as a list
    raw = {**BASE, "visits": {"a": {"at": "2026-12-19"}}}
    assert _issues(raw) == [(("visits",), "Input should be a valid tuple")]


def _hostile() -> list[Any]:
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    return [
        {**BASE, "note": deep},  # unknown field, too deep: the bound wins
        {**BASE, "visits": deep},
        {**BASE, "referral": {"received_at": deep}},
        {**BASE, "child": {"date_of_birth": "2015-01-01", "x": [[[[[[[[[[[[[1]]]]]]]]]]]]]}},
        {**BASE, "case_id": "x" * (MAX_TEXT + 1)},
        {**BASE, "visits": [{"at": "2026-12-19"}] * (MAX_ITEMS + 1)},
        {**BASE, "oversight": [{"kind": "allocation", "at": "2026-12-19", "by": "x"}]},
        {**BASE, "closure": {"closed_at": "1850-01-01"}, "child": {"disabled": "yes"}},
        {**BASE, "assessment": {"started_at": "2101-01-01", "completed_at": "1989-12-31"}},
        {"case_id": "C", "referral": {"received_at": "2026-12-18"}, "x": [[]] * 30},
    ]


@pytest.mark.parametrize("index", range(10))
def test_a_record_read_from_a_short_text_gets_the_same_issues(index: int) -> None:
    """``read_from`` (the reader's text length) skips the size walk for a valid record; an
    invalid one is walked after validation fails, so the bound, not pydantic's complaint,
    is reported, as without it."""
    raw = _hostile()[index]
    text = json.dumps(raw)
    assert _issues(loads_record(text), read_from=len(text)) == _issues(raw)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_examples_read_the_same_either_way(path: Path) -> None:
    text = path.read_text()
    raw = loads_record(text)
    assert parse_case(raw, read_from=len(text)) == parse_case(raw)


def test_a_long_text_is_walked_before_validation() -> None:
    # 30,000 characters: more than a short text; the bound is found first, as always
    raw = {**BASE, "visits": [{"at": "2026-12-19", "note": "x" * 30_000}]}
    text = json.dumps(raw)
    assert _issues(loads_record(text), read_from=len(text)) == [
        (("visits", 0, "note"), f"text longer than {MAX_TEXT:,} characters")
    ]


def test_an_out_of_range_date_in_a_record_instance_is_still_found() -> None:
    """A record given as a model instance is taken by validation as it is (its validators
    ran without ``parse_case``'s context), so its dates are walked."""
    old = Complaint(received_at="1850-01-01")
    assert _issues({**BASE, "complaints": [old]}) == [
        (
            ("complaints", 0, "received_at"),
            "outside the supported range 1990-01-01 to 2100-12-31",
        )
    ]


def test_out_of_range_dates_are_all_reported_with_the_contradictions() -> None:
    raw = {
        **BASE,
        "decision": {"made_at": "1850-01-01", "response": "assessment"},
        "child": {"date_of_birth": "2150-01-01"},
    }
    assert _issues(raw) == [
        (
            ("decision", "made_at"),
            "outside the supported range 1990-01-01 to 2100-12-31",
        ),
        (
            ("child", "date_of_birth"),
            "outside the supported range 1990-01-01 to 2100-12-31",
        ),
        (
            ("decision", "made_at"),
            "the decision on the referral is dated before the referral was received "
            "(referral.received_at)",
        ),
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("yes", "expected true or false, not this text"),
        (1, "expected true or false, not a number"),
        (1.0, "expected true or false, not a number"),
        ([], "expected true or false, not a list"),
        ({}, "expected true or false, not an object"),
    ],
)
def test_a_strict_boolean_says_what_it_was_given(value: Any, reason: str) -> None:
    raw = {**BASE, "visits": [{"at": "2026-12-19", "child_seen": value}]}
    assert _issues(raw) == [(("visits", 0, "child_seen"), reason)]


def test_a_null_boolean_keeps_pydantics_words() -> None:
    raw = {**BASE, "visits": [{"at": "2026-12-19", "child_seen": None}]}
    assert _issues(raw) == [(("visits", 0, "child_seen"), "Input should be a valid boolean")]


class _Info:
    context = None


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=2)


@st.composite
def _moment_texts(draw: st.DrawFn) -> str:
    """Texts of the quick shapes and near them: real and impossible days, times in the
    clock changes' hours, other digits and separators."""
    day = draw(st.dates(date(1985, 1, 1), date(2105, 12, 31)))
    text = day.isoformat()
    if draw(st.booleans()):
        text += draw(st.sampled_from("T T T  t")) + f"{draw(st.integers(0, 25)):02d}"
        text += ":" + f"{draw(st.integers(0, 61)):02d}"
    if draw(st.integers(0, 4)) == 0:  # break it somewhere
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["3", "-", "W", "Z", "\u0663", " ", "\n"]))
            + text[at + 1 :]
        )
    return text


def _outcome(function: Any, value: Any) -> Any:
    try:
        moment = function(value)
    except ValueError as exc:
        return str(exc)
    return (moment, moment.tzinfo, moment.fold, moment.utcoffset())


@given(_moment_texts())
@settings(max_examples=2_000, deadline=None)
def test_the_quick_moment_reading_is_the_general_one(text: str) -> None:
    assert _outcome(lambda v: _moment(v, _Info()), text) == _outcome(_as_london, text)


def test_the_quick_moment_reading_keeps_the_clock_change_refusals() -> None:
    gap, fold = "2026-03-29T01:30", "2026-10-25T01:30"
    for text in (gap, fold):
        assert _outcome(lambda v: _moment(v, _Info()), text) == _outcome(_as_london, text)
    assert "does not exist" in _outcome(_as_london, gap)
    assert "happens twice" in _outcome(_as_london, fold)


def test_every_minute_of_a_clock_change_day_reads_the_same_quickly() -> None:
    for start in (datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2100, 3, 28)):
        for minute in range(0, 24 * 60, 7):
            text = (start + timedelta(minutes=minute)).isoformat(timespec="minutes")
            assert _outcome(lambda v: _moment(v, _Info()), text) == _outcome(_as_london, text)
    assert _moment("2026-07-01T10:00", _Info()).tzinfo is LONDON


def test_london_changes_its_clocks_only_in_march_and_october_since_1972() -> None:
    """What the quick moment reading skips the clock-change check on: every day from 1972
    to 2200 outside March and October keeps one UTC offset all day. (1968-1971 did not:
    British Standard Time began on 18 February 1968.)"""
    day = date(1972, 1, 1)
    while day.year <= 2200:
        if day.month not in (3, 10):
            assert _steady_day(day), day
        day += timedelta(days=1)
    assert not _steady_day(date(1968, 2, 18))
    assert _STEADY_SINCE == 1972
