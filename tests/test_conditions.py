"""The condition language: parsing, load-time checks, three-valued logic, safety."""

from datetime import date, datetime
from typing import Any

import pytest

from assess_rules import ConditionError
from assess_rules.conditions import compile_condition
from assess_rules.facts import FACTS

RANKS = {"social_worker": 0, "team_manager": 1, "group_manager": 2, "service_manager": 3}


class Facts:
    """A stand-in for a case's facts: a plain mapping."""

    def __init__(self, **values: Any) -> None:
        self.values = {k.replace("__", "."): v for k, v in values.items()}

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def role_rank(self, role: str) -> int:
        return RANKS.get(role, -1)

    def working_days_between(self, start: date, end: date) -> int:
        return (end - start).days  # good enough for these tests


def run(text: str, **values: Any) -> bool | None:
    return compile_condition(text, FACTS)(Facts(**values))


@pytest.mark.parametrize(
    ("text", "words", "column", "suggestion"),
    [
        ("child.agee >= 18", "unknown fact 'child.agee'", 1, "child.age"),
        ("referral.route == 'out_of_hourz'", "not a value of referral.route", 16, "out_of_hours"),
        ("child.age >= ", "expected a value", 14, None),
        ("child.age", "must be true or false", 1, None),
        ("known(1)", "known() takes a fact name", 1, None),
        ("knwon(child.age)", "unknown function 'knwon'", 1, "known"),
        ("child.age >= 18 and", "expected a value", 20, None),
        ("(child.age >= 18", "expected ')'", 17, None),
        ("child.age >= 18 child.seen", "unexpected 'child.seen'", 17, None),
        ("child.age == 'ten'", "cannot compare an int value with a str", 11, None),
        ("child.seen > true", "needs numbers or dates", 12, None),
        ("child.age in 18", "needs a list", 11, None),
        ("child.age $ 3", "unexpected character '$'", 11, None),
        ("__import__('os')", "unknown function '__import__'", 1, None),
        ("cancellation.decided_by >= 'service_managr'", "not a value", 25, "service_manager"),
        (
            "strategy_discussion.held < as_of",
            "use it in a rule with 'for_each: strategy_discussions'",
            1,
            None,
        ),
    ],
)
def test_errors_are_located_and_suggest_a_fix(
    text: str, words: str, column: int, suggestion: str | None
) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(text, FACTS)
    assert words in str(caught.value)
    assert caught.value.column == column
    assert caught.value.suggestion == suggestion


def test_item_facts_are_visible_only_in_their_collection() -> None:
    compiled = compile_condition(
        "known(strategy_discussion.record_shared)", FACTS, "strategy_discussions"
    )
    assert compiled.facts == {"strategy_discussion.record_shared"}


@pytest.mark.parametrize(
    ("a", "b", "and_", "or_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (False, None, False, None),
        (None, False, False, None),
        (True, None, None, True),
        (None, True, None, True),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_kleene_logic(a: bool | None, b: bool | None, and_: bool | None, or_: bool | None) -> None:
    values = {"child__seen": a, "child__disabled": b}
    assert run("child.seen and child.disabled", **values) is and_
    assert run("child.seen or child.disabled", **values) is or_


def test_not_of_unknown_is_unknown_and_known_is_never_unknown() -> None:
    assert run("not child.seen") is None
    assert run("not child.seen", child__seen=False) is True
    assert run("known(child.seen)") is False
    assert run("not known(child.first_seen)") is True


def test_comparisons_and_membership() -> None:
    assert run("child.age >= 18", child__age=18) is True
    assert run("child.age >= 18", child__age=17) is False
    assert run("child.age >= 18") is None
    assert run("consent.status in ['declined', 'withdrawn']", consent__status="declined")
    assert run("consent.status not in ['declined', 'withdrawn']", consent__status="given")
    assert run("consent.status in ['declined']") is None


def test_roles_compare_by_rank() -> None:
    text = "cancellation.decided_by >= 'service_manager'"
    assert run(text, cancellation__decided_by="service_manager") is True
    assert run(text, cancellation__decided_by="team_manager") is False
    assert (
        run("cancellation.decided_by < 'group_manager'", cancellation__decided_by="social_worker")
        is True
    )


def test_date_functions() -> None:
    referral = datetime(2026, 12, 1, 10, 0)
    previous = date(2026, 9, 8)
    assert (
        run(
            "weeks_between(previous_assessment.latest, referral.received) <= 12",
            previous_assessment__latest=previous,
            referral__received=referral,
        )
        is True
    )
    assert (
        run(
            "months_between(previous_assessment.latest, referral.received) == 2",
            previous_assessment__latest=previous,
            referral__received=referral,
        )
        is True
    )
    assert (
        run(
            "days_between(previous_assessment.latest, referral.received) == 84",
            previous_assessment__latest=previous,
            referral__received=referral,
        )
        is True
    )
    assert run("referral.received >= date('2017-06-01')", referral__received=referral) is True
    with pytest.raises(ConditionError, match="not a date"):
        compile_condition("referral.received >= date('2017-13-01')", FACTS)


def test_unknown_facts_are_named() -> None:
    compiled = compile_condition("child.age >= 18 and known(child.first_seen)", FACTS)
    assert compiled.unknown_facts(Facts(child__first_seen=datetime(2026, 1, 1))) == ["child.age"]


@pytest.mark.parametrize(
    ("function", "closed", "referral", "within"),
    [
        # 31 Jan + 3 months is 30 Apr 2027 (clamped): the boundary day counts as within.
        ("within_months", date(2027, 1, 31), datetime(2027, 4, 30, 23, 0), True),
        ("within_months", date(2027, 1, 31), datetime(2027, 5, 1, 0, 30), False),
        # 10 Sep + 12 weeks is 3 Dec 2026.
        ("within_weeks", date(2026, 9, 10), datetime(2026, 12, 3, 12, 0), True),
        ("within_weeks", date(2026, 9, 10), datetime(2026, 12, 4, 9, 0), False),
        ("within_days", date(2026, 12, 1), datetime(2026, 12, 11, 17, 0), True),
        ("within_days", date(2026, 12, 1), datetime(2026, 12, 12, 9, 0), False),
        # Before the start is not "within" it.
        ("within_days", date(2026, 12, 1), datetime(2026, 11, 30, 9, 0), False),
    ],
)
def test_within_reads_the_boundary_day_as_within(
    function: str, closed: date, referral: datetime, within: bool
) -> None:
    amount = {"within_months": 3, "within_weeks": 12, "within_days": 10}[function]
    text = f"{function}(concerns.previous_involvement_closed_on, referral.received, {amount})"
    assert (
        run(
            text,
            concerns__previous_involvement_closed_on=closed,
            referral__received=referral,
        )
        is within
    )
    assert run(text, referral__received=referral) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("within_months(referral.received, as_of, child.age)", "a whole number of months last"),
        ("within_months(referral.received, as_of, -1)", "unexpected character '-'"),
        ("within_weeks(child.age, as_of, 2)", "takes two dates or moments first"),
        ("within_days(referral.received, as_of)", "takes 3 arguments, got 2"),
    ],
)
def test_within_takes_two_dates_and_a_whole_number(text: str, words: str) -> None:
    with pytest.raises(ConditionError, match=words):
        compile_condition(text, FACTS)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 200 + "child.seen" + ")" * 200,
        "not " * 500 + "child.seen",
        "known(" * 100 + "child.seen" + ")" * 100,
    ],
)
def test_deep_nesting_is_a_located_error_not_a_crash(text: str) -> None:
    with pytest.raises(ConditionError, match="nested more than 32 levels deep"):
        compile_condition(text, FACTS)


def test_nesting_up_to_the_limit_compiles() -> None:
    text = "(" * 32 + "child.seen" + ")" * 32
    assert run(text, child__seen=True) is True
