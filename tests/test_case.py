"""Case snapshots: what is accepted, how times are read, and what is refused with a path."""

from datetime import UTC, timedelta

import pytest

from assess_rules import CaseError, parse_case

REFERRAL = {"received_at": "2026-12-18T10:00"}


def refused(raw: dict) -> dict[str, str]:
    with pytest.raises(CaseError) as caught:
        parse_case(raw)
    return {".".join(str(p) for p in issue.path): issue.reason for issue in caught.value.issues}


def test_a_minimal_case_is_accepted() -> None:
    case = parse_case({"case_id": "C1", "referral": REFERRAL})
    assert case.assessment is None
    assert case.visits == ()


def test_naive_times_are_london_wall_clock_and_dates_are_midnight() -> None:
    summer = parse_case({"case_id": "C", "referral": {"received_at": "2026-07-01T10:00"}})
    assert summer.referral.received_at.utcoffset() == timedelta(hours=1)
    winter = parse_case({"case_id": "C", "referral": {"received_at": "2026-12-01"}})
    assert winter.referral.received_at.hour == 0
    assert winter.referral.received_at.utcoffset() == timedelta(0)


def test_offsets_are_converted_to_london() -> None:
    case = parse_case({"case_id": "C", "referral": {"received_at": "2026-07-01T09:00Z"}})
    assert case.referral.received_at.hour == 10


def test_a_professional_recorded_as_anonymous_is_accepted() -> None:
    """Bucks 2.5: a warning on the record (the pack's rule), not invalid input."""
    case = parse_case(
        {
            "case_id": "C",
            "referral": {**REFERRAL, "referrer_kind": "professional", "referrer_anonymous": True},
        }
    )
    assert case.referral.referrer_anonymous


@pytest.mark.parametrize(
    ("extra", "path", "words"),
    [
        (
            {"assessment": {"started_at": "2026-12-17"}},
            "assessment.started_at",
            "before the referral",
        ),
        (
            {"visits": [{"at": "2026-12-17T12:00", "child_seen": True}]},
            "visits.0.at",
            "child was seen",
        ),
        ({"visits": [{"at": "2026-12-17T12:00"}]}, "visits.0.at", "a visit"),
        (
            {"strategy_discussions": [{"held_at": "2026-12-01"}]},
            "strategy_discussions.0.held_at",
            "strategy discussion",
        ),
        (
            {"assessment": {"authorised_at": "2026-12-17"}},
            "assessment.authorised_at",
            "before the referral",
        ),
        (
            {"assessment": {"started_at": "2026-12-21", "authorised_at": "2026-12-20"}},
            "assessment.authorised_at",
            "authorised before it started",
        ),
        (
            {
                "cancellations": [
                    {
                        "reason": "x",
                        "recommended_at": "2026-12-22",
                        "decided_at": "2026-12-21",
                        "outcome": "approved",
                    }
                ]
            },
            "cancellations.0.decided_at",
            "decided before it was recommended",
        ),
        (
            {"consent": [{"event": "overridden", "at": "2026-12-20"}]},
            "consent.0.overridden_by",
            "must name the role",
        ),
        (
            {"initial_conference": {"held_at": "2026-12-01"}},
            "initial_conference.held_at",
            "before the referral",
        ),
        (
            {"decision": {"made_at": "2026-12-17T16:00", "response": "assessment"}},
            "decision.made_at",
            "before the referral",
        ),
        ({"closure": {"closed_at": "2026-12-01"}}, "closure.closed_at", "before the referral"),
        (
            {"assessment": {"started_at": "2026-12-21", "completed_at": "2026-12-20"}},
            "assessment.completed_at",
            "completed before it started",
        ),
        (
            {
                "concerns": {"case_open": False},
                "visits": [{"at": "2026-12-17T12:00", "child_seen": True}],
            },
            "visits.0.at",
            "before the referral",
        ),
        (
            # an earlier episode's assessment cannot be authorised after this referral (the
            # invariants kit's 10,000-case search found a case that did; see docs/snapshot.md)
            {"previous_assessments": [{"authorised_on": "2026-12-19"}]},
            "previous_assessments.0.authorised_on",
            "after the referral was received (referral.received_at)",
        ),
        (
            # also found by the 10,000-case search: a response before the complaint
            {
                "complaints": [
                    {"received_at": "2026-12-21T10:00", "responded_at": "2026-12-18T12:00"}
                ]
            },
            "complaints.0.responded_at",
            "responded to before it was received (complaints[0].received_at)",
        ),
    ],
)
def test_contradictory_dates_are_refused_with_the_path(extra: dict, path: str, words: str) -> None:
    problems = refused({"case_id": "C", "referral": REFERRAL, **extra})
    assert path in problems
    assert words in problems[path]


def test_every_problem_is_reported_not_just_the_first() -> None:
    problems = refused(
        {
            "case_id": "C",
            "referral": REFERRAL,
            "colour": "blue",
            "child": {"date_of_birth": "not a date"},
            "assessment": {"status": "finished"},
        }
    )
    assert problems["colour"] == "unknown field"
    assert "child.date_of_birth" in problems
    assert "expected" in problems["assessment.status"]


def test_a_non_mapping_is_refused() -> None:
    with pytest.raises(CaseError, match="expected an object"):
        parse_case(["not", "a", "case"])  # type: ignore[arg-type]


def test_snapshots_are_frozen() -> None:
    case = parse_case({"case_id": "C1", "referral": REFERRAL})
    with pytest.raises(ValueError):
        case.case_id = "other"  # type: ignore[misc]


def test_dates_the_calendar_cannot_count_from_are_refused_with_their_path() -> None:
    problems = refused(
        {
            "case_id": "C",
            "referral": {"received_at": "1985-06-01"},
            "complaints": [{"received_at": "2101-01-02"}],
        }
    )
    assert "outside the supported range" in problems["referral.received_at"]
    assert "outside the supported range" in problems["complaints.0.received_at"]


def test_an_open_cases_earlier_visits_may_predate_the_referral_and_do_not_count() -> None:
    """Catalogue, "Order of events": events of an earlier episode are not contradictions, and
    an earlier episode's visit does not see the child for this referral (BUCKS-2.11a)."""
    from datetime import date

    from assess_rules import evaluate, load_policy

    case = parse_case(
        {
            "case_id": "C",
            "referral": REFERRAL,
            "concerns": {"case_open": True},
            "visits": [{"at": "2026-12-10T12:00", "child_seen": True}],
            "assessment": {"started_at": "2026-12-18T12:00"},
        }
    )
    # Referral Fri 18 Dec 2026 (day 0); 5 working days: 21, 22, 23, 24, 29 Dec (25 and 28
    # Dec are bank holidays). Not seen in this episode by then: missed.
    result = evaluate(load_policy("buckinghamshire"), case, as_of=date(2026, 12, 30))
    seen = result.deadline("child-seen")
    assert (seen.due_date, seen.status) == (date(2026, 12, 29), "missed")


@pytest.mark.parametrize(
    ("extra", "path", "words"),
    [
        # Booleans are booleans, as the published schema says.
        (
            {"concerns": {"significant_harm_suspected": "yes"}},
            "concerns.significant_harm_suspected",
            "true or false",
        ),
        (
            {"concerns": {"significant_harm_suspected": "on"}},
            "concerns.significant_harm_suspected",
            "true or false",
        ),
        (
            {"concerns": {"significant_harm_suspected": 1}},
            "concerns.significant_harm_suspected",
            "true or false",
        ),
        (
            {"visits": [{"at": "2026-12-21T10:00", "child_seen": 1.0}]},
            "visits.0.child_seen",
            "true or false",
        ),
        # Timestamps are ISO 8601 text only.
        (
            {"decision": {"made_at": 1766052000, "response": "assessment"}},
            "decision.made_at",
            "not a number",
        ),
        (
            {"decision": {"made_at": "20261221", "response": "assessment"}},
            "decision.made_at",
            "ISO 8601",
        ),
        (
            {"decision": {"made_at": "2026-W52-1", "response": "assessment"}},
            "decision.made_at",
            "ISO 8601",
        ),
        (
            {"decision": {"made_at": "1766052000", "response": "assessment"}},
            "decision.made_at",
            "ISO 8601",
        ),
        (
            {"decision": {"made_at": "2026-02-30", "response": "assessment"}},
            "decision.made_at",
            "not a real date",
        ),
        ({"child": {"date_of_birth": 20150302}}, "child.date_of_birth", "not a number"),
        ({"child": {"date_of_birth": "2015-03-02T10:00"}}, "child.date_of_birth", "YYYY-MM-DD"),
        ({"child": {"date_of_birth": "2015-02-30"}}, "child.date_of_birth", "not a real date"),
        # The clock changes: Sun 28 Mar 2027 01:30 does not exist; Sun 31 Oct 2027 01:30
        # happens twice.
        ({"visits": [{"at": "2027-03-28T01:30"}]}, "visits.0.at", "does not exist in London"),
        ({"visits": [{"at": "2027-10-31T01:30"}]}, "visits.0.at", "happens twice"),
        # Empty identifiers and reasons.
        ({"case_id": "   "}, "case_id", "at least 1"),
        ({"cancellations": [{"reason": " "}]}, "cancellations.0.reason", "at least 1"),
    ],
)
def test_sloppy_values_are_refused_with_the_path_and_not_echoed(
    extra: dict, path: str, words: str
) -> None:
    problems = refused({"case_id": "C", "referral": REFERRAL, **extra})
    assert path in problems, problems
    assert words in problems[path]
    for value in extra.values():
        text = str(value)
        for echoed in ("1766052000", "20261221", "2026-W52", "2015-02-30", "20150302"):
            if echoed in text:
                assert echoed not in problems[path]


def test_a_time_in_the_autumn_fold_is_read_when_it_carries_its_offset() -> None:
    case = parse_case(
        {
            "case_id": "C",
            "referral": {"received_at": "2027-10-30T10:00"},
            "visits": [{"at": "2027-10-31T01:30+01:00"}, {"at": "2027-10-31T01:30+00:00"}],
        }
    )
    # Compared in UTC: Python compares two times of one zone by their wall clocks.
    first, second = (visit.at.astimezone(UTC) for visit in case.visits)
    assert (second - first).total_seconds() == 3600
    assert [visit.at.utcoffset() for visit in case.visits] == [timedelta(hours=1), timedelta()]


def test_a_huge_snapshot_is_refused_before_it_is_validated() -> None:
    visits = [{"at": "1900-01-01", "child_seen": "maybe"}] * 1_000_000
    problems = refused({"case_id": "C", "referral": REFERRAL, "visits": visits})
    assert problems == {"visits": "more than 5,000 items"}


def test_a_snapshot_with_many_problems_lists_twenty_and_counts_the_rest() -> None:
    visits = [{"at": "2026-12-21", "child_seen": "maybe"}] * 30
    with pytest.raises(CaseError) as caught:
        parse_case({"case_id": "C", "referral": REFERRAL, "visits": visits})
    assert len(caught.value.issues) == 30
    assert str(caught.value).count("\n  - ") == 20
    assert "and 10 more" in str(caught.value)


def test_who_acted_looked_after_status_and_consent_scope_are_held() -> None:
    case = parse_case(
        {
            "case_id": "C",
            "referral": REFERRAL,
            "child": {"looked_after": True},
            "consent": [
                {
                    "event": "given",
                    "at": "2026-12-18T12:00",
                    "by": "parent",
                    "person": "mother",
                    "about": "contacting_professionals",
                }
            ],
            "oversight": [
                {
                    "kind": "allocation",
                    "at": "2026-12-18T12:00",
                    "by": "team_manager",
                    "team": "front_door",
                }
            ],
            "actions": [{"kind": "case_notes_recorded", "at": "2026-12-18T13:00", "team": "mash"}],
        }
    )
    assert case.child.looked_after is True
    assert (case.oversight[0].team, case.actions[0].team) == ("front_door", "mash")
    assert case.consent[0].about == "contacting_professionals"
    problems = refused(
        {
            "case_id": "C",
            "referral": REFERRAL,
            "actions": [{"kind": "case_notes_recorded", "at": "2026-12-18T13:00", "team": "mesh"}],
        }
    )
    assert "actions.0.team" in problems


# --- what a new user tripped on (trial report, item 10) --------------------------------------


def test_a_number_where_text_is_expected_hints_to_quote_it() -> None:
    problems = refused({"case_id": 123, "referral": {"received_at": "2026-12-01"}})
    assert problems["case_id"] == (
        "expected text, got a number; put it in quotes to give it as text"
    )
    assert "123" not in problems["case_id"]


@pytest.mark.parametrize(
    ("raw", "path", "nearest"),
    [
        ({"refferal": {}}, "refferal", "referral"),
        ({"child": {"date_of_brith": "2015-01-01"}}, "child.date_of_brith", "date_of_birth"),
        (
            {"visits": [{"at": "2026-12-02", "child_sen": True}]},
            "visits.0.child_sen",
            "child_seen",
        ),
    ],
)
def test_an_unknown_field_gets_the_nearest_field_of_its_section(
    raw: dict, path: str, nearest: str
) -> None:
    case = {"case_id": "X", "referral": {"received_at": "2026-12-01"}}
    for key, value in raw.items():
        case[key] = {**case[key], **value} if key in case else value
    assert refused(case)[path] == f"unknown field; did you mean {nearest!r}?"


def test_an_unknown_field_like_nothing_of_the_model_gets_no_guess() -> None:
    problems = refused({"case_id": "X", "referral": {"received_at": "2026-12-01"}, "zzz": 1})
    assert problems["zzz"] == "unknown field"


def _required(model: type, prefix: str, seen: frozenset[type]) -> set[str]:
    from typing import get_origin

    from assess_rules.case import _model_in

    out: set[str] = set()
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        path = f"{prefix}{name}"
        if field.is_required():
            out.add(path)
        sub = _model_in(field.annotation)
        if sub is not None and sub not in seen:
            listed = get_origin(field.annotation) is tuple or "tuple" in str(field.annotation)
            out |= _required(sub, path + ("[]." if listed else "."), seen | {sub})
    return out


def test_docs_snapshot_marks_every_required_field_of_the_model() -> None:
    import re
    from pathlib import Path

    from assess_rules.case import CaseSnapshot

    text = (Path(__file__).parents[1] / "docs" / "snapshot.md").read_text(encoding="utf-8")
    section = text.split("<!-- required-fields:")[1].split("\n\n")[0]
    documented = set(re.findall(r"`([^`]+)`", section.split("\n", 1)[1]))
    assert documented == _required(CaseSnapshot, "", frozenset({CaseSnapshot}))
    assert "decision.response" in documented
