"""AI-QA-1: counting cancelled assessments per month over many cases."""

import io
import json
from datetime import date
from pathlib import Path

from assess_rules import load_policy, parse_case, review_caseload
from assess_rules.cli import EXIT_INVALID, run

POLICY = load_policy("assessment_intervention")


def cancelled(case_id: str, decided: str | None, *, outcome: str = "approved") -> dict:
    raw: dict = {
        "case_id": case_id,
        "referral": {"received_at": "2026-06-01"},
        "assessment": {"status": "cancelled" if outcome == "approved" else "in_progress"},
    }
    if decided is not None:
        raw["cancellations"] = [
            {
                "reason": "no-consent",
                "recommended_at": "2026-06-02",
                "decided_at": decided,
                "decided_by": "team_manager",
                "outcome": outcome,
            }
        ]
    return raw


def counts(raws: list[dict], as_of: date) -> list[tuple[str, int, bool]]:
    review = review_caseload(POLICY, [parse_case(r) for r in raws], as_of)[0]
    return [(p.period, p.count, p.review_due) for p in review.periods]


def test_months_are_counted_with_empty_months_and_a_significant_rise_flagged() -> None:
    raws = [
        cancelled("A", "2026-07-10"),
        cancelled("B", "2026-07-20"),
        cancelled("C", "2026-09-01"),
        cancelled("D", "2026-09-02"),
        cancelled("E", "2026-09-03"),
        cancelled("F", "2026-09-30T23:30"),
    ]
    # July 2, August 0, September 4 (a rise of 4 from 0: at least 2 more, no % to test),
    # October 0 up to the 15th.
    assert counts(raws, date(2026, 10, 15)) == [
        ("2026-07", 2, False),
        ("2026-08", 0, False),
        ("2026-09", 4, True),
        ("2026-10", 0, False),
    ]


def test_the_threshold_needs_both_the_percentage_and_the_minimum_increase() -> None:
    july = [cancelled(f"J{i}", "2026-07-05") for i in range(4)]
    # 4 -> 5 is +25%: not significant. 4 -> 6 is +50% and +2: significant.
    five = [cancelled(f"A{i}", "2026-08-05") for i in range(5)]
    six = [cancelled(f"A{i}", "2026-08-05") for i in range(6)]
    assert counts(july + five, date(2026, 8, 31))[-1] == ("2026-08", 5, False)
    assert counts(july + six, date(2026, 8, 31))[-1] == ("2026-08", 6, True)


def test_refused_requests_and_later_decisions_do_not_count() -> None:
    raws = [
        cancelled("A", "2026-07-10"),
        cancelled("B", "2026-07-11", outcome="refused"),
        cancelled("C", "2026-11-01"),
    ]
    assert counts(raws, date(2026, 7, 31)) == [("2026-07", 1, False)]


def test_cancelled_without_a_decision_date_is_reported_as_undated() -> None:
    review = review_caseload(POLICY, [parse_case(cancelled("A", None))], date(2026, 7, 31))[0]
    assert review.undated == 1
    assert review.periods == ()
    assert [s.id for s in review.sources] == ["AI-QA-1"]


def test_packs_without_a_caseload_rule_give_nothing() -> None:
    assert review_caseload(load_policy("generic_s17"), [], date(2026, 7, 31)) == []


def test_the_caseload_command_reports_bad_records_and_counts_the_rest(tmp_path: Path) -> None:
    batch = tmp_path / "cases.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps(cancelled("A", "2026-07-10")),
                json.dumps({"case_id": "bad"}),
                json.dumps(cancelled("B", "2026-08-10")),
                json.dumps(cancelled("C", "2026-08-11")),
                json.dumps(cancelled("D", "2026-08-12")),
            ]
        )
    )
    out, err = io.StringIO(), io.StringIO()
    code = run(
        [
            "caseload",
            "--policy",
            "assessment_intervention",
            "--case",
            str(batch),
            "--as-of",
            "2026-08-31",
        ],
        out,
        err,
    )
    assert code == EXIT_INVALID
    assert "referral: Field required" in err.getvalue()
    assert "2026-07: 1" in out.getvalue()
    assert "2026-08: 3 (+2)  -> dip review due" in out.getvalue()
