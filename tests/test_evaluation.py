"""Evaluation as a whole: purity, the evaluation moment, conventions and extensions."""

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given

from assess_rules import (
    CaseError,
    EvaluationDateError,
    NoVersionInForceError,
    PolicyError,
    evaluate,
    load_policy,
    parse_case,
)
from assess_rules.calendar import LONDON
from assess_rules.testing.strategies import case_snapshots

GENERIC = load_policy("generic_s17")


def write_pack(tmp_path: Path, body: str, name: str = "local") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f'pack: {{id: {name}, title: Local, authority: Test, version: "1", '
        "extends: generic_s17}\n" + body
    )
    return path


@given(case_snapshots())
def test_evaluation_is_deterministic_and_leaves_the_case_alone(case) -> None:  # type: ignore[no-untyped-def]
    before = case.model_dump()
    first = evaluate(GENERIC, case, as_of=date(2028, 1, 1))
    second = evaluate(GENERIC, case, as_of=date(2028, 1, 1))
    assert first == second
    assert case.model_dump() == before
    for deadline in first.deadlines:
        assert deadline.status in {"pending", "met", "missed", "undetermined"}
        assert deadline.sources, deadline.rule
    for violation in first.violations:
        assert violation.sources


@given(case_snapshots())
def test_a_missed_deadline_is_always_a_violation(case) -> None:  # type: ignore[no-untyped-def]
    """In the baseline, whose timescales are all limits (none says effect: warning)."""
    result = evaluate(GENERIC, case, as_of=date(2028, 1, 1))
    missed = {(d.rule, d.subject) for d in result.deadlines if d.status == "missed"}
    violated = {(v.rule, v.subject) for v in result.violations}
    assert missed <= violated


def test_a_datetime_as_of_is_that_moment() -> None:
    case = parse_case(
        {
            "case_id": "M",
            "referral": {"received_at": "2026-12-18T10:00"},
            "decision": {"made_at": "2026-12-21T15:00", "response": "assessment"},
        }
    )
    morning = evaluate(GENERIC, case, as_of=datetime(2026, 12, 21, 12, 0, tzinfo=LONDON))
    assert morning.deadline("referral-decision").status == "pending"
    evening = evaluate(GENERIC, case, as_of=datetime(2026, 12, 21, 18, 0, tzinfo=LONDON))
    assert evening.deadline("referral-decision").status == "met"


def test_the_clock_is_read_only_when_as_of_is_omitted() -> None:
    case = parse_case({"case_id": "N", "referral": {"received_at": "2026-01-05T10:00"}})
    result = evaluate(GENERIC, case)
    assert result.as_of >= date(2026, 11, 1)


def test_a_pack_can_count_the_trigger_day_as_day_one(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "calendar: {counting: trigger_is_day_1}\nrules: []\n")
    case = parse_case(
        {
            "case_id": "D1",
            "referral": {"received_at": "2026-12-18T10:00"},
            "assessment": {"started_at": "2026-12-21"},
        }
    )
    # Day 1 is Fri 18 Dec, so day 45 is one working day before the day-0 reading (Wed 24 Feb).
    result = evaluate(load_policy(pack), case, as_of=date(2026, 12, 21))
    assert result.deadline("assessment-completion").due_date == date(2027, 2, 23)
    assert result.deadline("referral-decision").due_date == date(2026, 12, 18)


def test_hours_timescale_across_the_october_clock_change(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        """rules:
  - id: record-shared
    kind: timescale
    for_each: strategy_discussions
    title: Strategy discussion record shared within 24 hours
    sources: [{id: BUCKS-6.3, para: "6.3"}]
    start: strategy_discussion.held
    end: strategy_discussion.record_shared
    within: {amount: 24, unit: hours}
""",
    )
    # Held Sat 24 Oct 2026 at 10:00 BST; 24 elapsed hours later is Sun 25 Oct 09:00 GMT.
    case = parse_case(
        {
            "case_id": "H",
            "referral": {"received_at": "2026-10-24T08:00"},
            "strategy_discussions": [
                {"held_at": "2026-10-24T10:00", "record_shared_at": "2026-10-25T09:00"},
                {"held_at": "2026-10-24T10:00", "record_shared_at": "2026-10-25T09:01"},
            ],
        }
    )
    result = evaluate(load_policy(pack), case, as_of=date(2026, 10, 26))
    first = result.deadline("record-shared", "strategy_discussions[0]")
    assert first.due == datetime(2026, 10, 25, 9, 0, tzinfo=LONDON)
    assert first.status == "met"
    assert result.deadline("record-shared", "strategy_discussions[1]").status == "missed"


def test_an_extension_applies_only_with_its_condition(tmp_path: Path) -> None:
    pack = load_policy(
        write_pack(
            tmp_path,
            """rules:
  - id: child-seen
    kind: timescale
    title: Child seen within 5 working days
    sources: [{id: BUCKS-2.11a, para: "2.11"}]
    start: referral.received
    end: child.first_seen
    within: {amount: 5, unit: working_days}
    extensions:
      - id: manager-discussion
        when: "known(oversight.child_seen_delay)"
        within: {amount: 7, unit: working_days}
""",
        )
    )
    base = {
        "case_id": "E",
        "referral": {"received_at": "2026-12-18T10:00"},
        "visits": [{"at": "2026-12-31T10:00", "child_seen": True}],
    }
    # Fri 18 Dec: day 5 is Tue 29 Dec, day 7 is Thu 31 Dec.
    plain = evaluate(pack, parse_case(base), as_of=date(2027, 1, 4))
    assert (plain.deadline("child-seen").due_date, plain.deadline("child-seen").status) == (
        date(2026, 12, 29),
        "missed",
    )
    extended = evaluate(
        pack,
        parse_case(
            {
                **base,
                "oversight": [
                    {"kind": "child_seen_delay", "at": "2026-12-24T10:00", "by": "team_manager"}
                ],
            }
        ),
        as_of=date(2027, 1, 4),
    )
    deadline = extended.deadline("child-seen")
    assert (deadline.due_date, deadline.status, deadline.extension) == (
        date(2026, 12, 31),
        "met",
        "manager-discussion",
    )


def test_a_granted_extension_cites_its_own_source_too(tmp_path: Path) -> None:
    pack = load_policy(
        write_pack(
            tmp_path,
            """rules:
  - id: child-seen
    kind: timescale
    title: Child seen within 5 working days
    sources: [{id: BUCKS-2.11a, para: "2.11"}]
    start: referral.received
    end: child.first_seen
    within: {amount: 5, unit: working_days}
    extensions:
      - id: manager-discussion
        when: "known(oversight.child_seen_delay)"
        within: {amount: 7, unit: working_days}
        sources: [{id: BUCKS-2.11b, para: "2.11"}]
""",
        )
    )
    case = parse_case(
        {
            "case_id": "E",
            "referral": {"received_at": "2026-12-18T10:00"},
            "oversight": [
                {"kind": "child_seen_delay", "at": "2026-12-24T10:00", "by": "team_manager"}
            ],
        }
    )
    result = evaluate(pack, case, as_of=date(2027, 1, 4))
    deadline = result.deadline("child-seen")
    # Fri 18 Dec 2026 + 7 working days (25 and 28 Dec are holidays) = Thu 31 Dec 2026.
    assert (deadline.due_date, deadline.extension) == (date(2026, 12, 31), "manager-discussion")
    assert [s.id for s in deadline.sources] == ["BUCKS-2.11a", "BUCKS-2.11b"]
    violation = next(v for v in result.violations if v.rule == "child-seen")
    assert [s.id for s in violation.sources] == ["BUCKS-2.11a", "BUCKS-2.11b"]


def test_bucks_seen_after_day_7_despite_a_timely_discussion_is_a_warning() -> None:
    import json

    example = Path(__file__).parents[1] / "examples" / "cases" / "bucks-child-not-seen.json"
    case = parse_case(json.loads(example.read_text()))
    result = evaluate(load_policy("buckinghamshire"), case, as_of=date(2027, 1, 4))
    # The discussion on Thu 24 Dec is day 4, in time (BUCKS-2.11b); Mon 4 Jan is day 8.
    assert "child-seen" not in {v.rule for v in result.violations}
    assert "child-seen-within-7" in {w.rule for w in result.warnings}


def test_as_of_may_be_a_date_a_datetime_or_an_iso_string() -> None:
    case = parse_case({"case_id": "S", "referral": {"received_at": "2026-12-18T10:00"}})
    by_date = evaluate(GENERIC, case, as_of=date(2026, 12, 21))
    assert evaluate(GENERIC, case, as_of="2026-12-21") == by_date
    at_noon = evaluate(GENERIC, case, as_of="2026-12-21T12:00")
    assert at_noon.as_of == date(2026, 12, 21)


@pytest.mark.parametrize("as_of", [20261221, 2026.12, "21/12/2026", "x" * 100_000, ["2026-12-21"]])
def test_any_other_as_of_is_refused_with_the_librarys_own_error(as_of: object) -> None:
    case = parse_case({"case_id": "S", "referral": {"received_at": "2026-12-18T10:00"}})
    with pytest.raises(EvaluationDateError) as caught:
        evaluate(GENERIC, case, as_of=as_of)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 200
    assert "2026" not in str(caught.value)


def test_a_timescale_with_a_warning_effect_warns_instead_of_violating(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        """rules:
  - id: complaint-target
    kind: timescale
    for_each: complaints
    title: Complaints normally answered within 10 working days
    sources: [{id: BUCKS-11.1, para: "11.1"}]
    start: complaint.received
    end: complaint.responded
    within: {amount: 10, unit: working_days}
    effect: warning
""",
    )
    case = parse_case(
        {
            "case_id": "W",
            "referral": {"received_at": "2026-12-18T10:00"},
            "complaints": [{"received_at": "2026-12-18T11:00", "responded_at": "2027-01-07"}],
        }
    )
    result = evaluate(load_policy(path), case, as_of=date(2027, 1, 8))
    deadline = result.deadline("complaint-target", "complaints[0]")
    assert deadline.status == "missed"
    assert [v.rule for v in result.violations if v.rule == "complaint-target"] == []
    assert [(w.rule, w.subject) for w in result.warnings] == [("complaint-target", "complaints[0]")]


def test_a_warning_for_each_item_names_the_item(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        """rules:
  - id: unplanned-return
    kind: warning
    for_each: returns_home
    title: Unplanned return
    sources: [{id: BUCKS-8.5, para: "8.5"}]
    when: "not return_home.planned"
    message: the return was not planned
""",
    )
    case = parse_case(
        {
            "case_id": "W",
            "referral": {"received_at": "2026-12-18T10:00"},
            "returns_home": [
                {"circumstance": "section_20", "at": "2026-12-21T10:00", "planned": True},
                {"circumstance": "section_20", "at": "2026-12-22T10:00", "planned": False},
            ],
        }
    )
    result = evaluate(load_policy(path), case, as_of=date(2026, 12, 23))
    assert [(w.rule, w.subject) for w in result.warnings] == [
        ("unplanned-return", "returns_home[1]")
    ]


def test_a_council_that_changes_a_parameter_changes_every_rule_that_uses_it(
    tmp_path: Path,
) -> None:
    """35 working days instead of 45: the inherited completion timescale and the inherited
    overrun duty both follow, with no rule rewritten."""
    pack = write_pack(tmp_path, "parameters:\n  assessment_days: {value: 35}\nrules: []\n")
    policy = load_policy(pack)
    assert policy.parameters["assessment_days"].value == 35
    case = parse_case(
        {
            "case_id": "P",
            "referral": {"received_at": "2027-01-04T10:00"},
            "assessment": {"started_at": "2027-01-04T12:00"},
        }
    )
    # Mon 4 Jan 2027 is day 0; 35 working days on: Jan 5-8 (4), 11-15 (9), 18-22 (14),
    # 25-29 (19), Feb 1-5 (24), 8-12 (29), 15-19 (34), Mon 22 Feb (35).
    result = evaluate(policy, case, as_of=date(2027, 2, 23))
    completion = result.deadline("assessment-completion")
    assert (completion.due_date, completion.status, completion.amount) == (
        date(2027, 2, 22),
        "missed",
        35,
    )
    # The overrun duty arises past day 35, not 45: Tue 23 Feb is day 36.
    assert "assessment-overrun-reasons" in {o.rule for o in result.obligations}
    on_time = evaluate(GENERIC, case, as_of=date(2027, 2, 23))
    assert "assessment-overrun-reasons" not in {o.rule for o in on_time.obligations}


def test_a_closure_day_can_recur_every_year(tmp_path: Path) -> None:
    """Every 24 December is closed: the 5-working-day count from Fri 18 Dec 2026 skips Thu
    24 Dec as well as the bank holidays Fri 25 and Mon 28 Dec, so day 5 is Wed 30 Dec; a
    year later, from Mon 20 Dec 2027, 24 Dec is a Friday: 21, 22, 23 Dec, then (25-28 Dec
    closed: a weekend and the substitute bank holidays) 29, 30 Dec = day 5."""
    body = (
        "calendar:\n  recurring_closures:\n    - {label: Christmas Eve, every: '12-24'}\n"
        "rules:\n  - id: five-days\n    kind: timescale\n    title: Five days\n"
        "    sources: [{id: GEN-REF-1, para: test}]\n    start: referral.received\n"
        "    within: {amount: 5, unit: working_days}\n"
    )
    policy = load_policy(write_pack(tmp_path, body))
    for received, due in (
        ("2026-12-18T10:00", date(2026, 12, 30)),
        ("2027-12-20T10:00", date(2027, 12, 30)),
    ):
        case = parse_case({"case_id": "R", "referral": {"received_at": received}})
        deadline = evaluate(policy, case, as_of=date(2028, 1, 31)).deadline("five-days")
        assert (deadline.due_date, deadline.caveats) == (due, ())


def test_the_friday_before_a_monday_bank_holiday_can_be_closed(tmp_path: Path) -> None:
    """Spring bank holiday Mon 31 May 2027: with the Friday before closed, 1 working day from
    Thu 27 May is Tue 1 Jun (Fri 28 May and Mon 31 May closed)."""
    body = (
        "calendar:\n  recurring_closures:\n"
        "    - {label: Friday before a bank holiday, rule: friday_before_monday_bank_holidays}\n"
        "rules: []\n"
    )
    policy = load_policy(write_pack(tmp_path, body))
    case = parse_case({"case_id": "R", "referral": {"received_at": "2027-05-27T10:00"}})
    deadline = evaluate(policy, case, as_of=date(2027, 5, 27)).deadline("referral-decision")
    assert deadline.due_date == date(2027, 6, 1)


def test_a_closure_list_that_ends_is_a_caveat_on_later_due_dates(tmp_path: Path) -> None:
    body = "calendar:\n  closures: [2026-12-29, 2026-12-30]\nrules: []\n"
    policy = load_policy(write_pack(tmp_path, body))
    case = parse_case({"case_id": "R", "referral": {"received_at": "2026-12-18T10:00"}})
    # 1 working day from Fri 18 Dec is Mon 21 Dec: within the list's year, no caveat.
    result = evaluate(policy, case, as_of=date(2026, 12, 18))
    assert result.deadline("referral-decision").caveats == ()
    late = parse_case(
        {
            "case_id": "R",
            "referral": {"received_at": "2026-12-18T10:00"},
            "assessment": {"started_at": "2026-12-18T12:00"},
        }
    )
    # 45 working days run into 2027, past the list's last year.
    completion = evaluate(policy, late, as_of=date(2026, 12, 18)).deadline("assessment-completion")
    assert len(completion.caveats) == 1
    assert "only up to Thu 31 Dec 2026" in completion.caveats[0]


def _versioned(tmp_path: Path, older_to: str = "2025-12-31") -> Path:
    """A council pack in two dated versions: 50 working days until 2025, 35 from 2026."""
    head = "pack: {{id: local, title: Local, authority: Test, version: '{v}', extends: generic_s17,"
    (tmp_path / "local@1.yaml").write_text(
        head.format(v="1") + f" effective_from: 2020-01-01, effective_to: {older_to}}}\n"
        "parameters: {assessment_days: {value: 50}}\nrules: []\n"
    )
    current = tmp_path / "local.yaml"
    current.write_text(
        head.format(v="2") + " effective_from: 2026-01-01}\n"
        "parameters: {assessment_days: {value: 35}}\nrules: []\n"
    )
    return current


def test_the_version_in_force_on_the_referral_date_judges_the_case(tmp_path: Path) -> None:
    policy = load_policy(_versioned(tmp_path))
    assert [v.version for v in policy.versions] == ["1", "2"]
    old = parse_case(
        {
            "case_id": "V1",
            "referral": {"received_at": "2025-06-02T10:00"},
            "assessment": {"started_at": "2025-06-02T12:00"},
        }
    )
    new = parse_case(
        {
            "case_id": "V2",
            "referral": {"received_at": "2026-06-01T10:00"},
            "assessment": {"started_at": "2026-06-01T12:00"},
        }
    )
    first = evaluate(policy, old, as_of=date(2026, 12, 1))
    second = evaluate(policy, new, as_of=date(2026, 12, 1))
    assert (first.pack.version, first.deadline("assessment-completion").amount) == ("1", 50)
    assert (second.pack.version, second.deadline("assessment-completion").amount) == ("2", 35)


def test_a_referral_before_every_version_is_a_clear_error(tmp_path: Path) -> None:
    policy = load_policy(_versioned(tmp_path))
    case = parse_case({"case_id": "V0", "referral": {"received_at": "2019-05-01T10:00"}})
    with pytest.raises(
        NoVersionInForceError, match="no version of pack 'local' is in force on 2019-05-01"
    ):
        evaluate(policy, case, as_of=date(2026, 12, 1))
    # One version only: its own effective_from is enforced too (Kent's is 1 July 2023).
    kent_case = parse_case({"case_id": "K0", "referral": {"received_at": "2023-06-30T10:00"}})
    with pytest.raises(NoVersionInForceError, match=r"1\.1\.0 from 2023-07-01"):
        evaluate(load_policy("kent"), kent_case, as_of=date(2023, 7, 3))


def test_versions_whose_dates_overlap_are_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(_versioned(tmp_path, older_to="2026-03-31"))
    error = caught.value
    assert str(error.file).endswith("local.yaml")
    assert error.line == 1
    assert "both in force on some dates" in str(error)


def test_each_emergency_action_is_judged_with_its_own_facts() -> None:
    """A later emergency action does not erase what an earlier one raised (HIPS; issue 10)."""
    case = parse_case(
        {
            "case_id": "E",
            "referral": {"received_at": "2026-12-21T10:00"},
            "concerns": {"significant_harm_suspected": True},
            "emergency_actions": [
                {
                    "taken_at": "2026-12-21T14:00",
                    "agency": "local_authority",
                    "planned": True,
                    "removal_from_home": True,
                    "legal_action_at": "2026-12-21T13:00",
                },
                {
                    "taken_at": "2026-12-22T02:00",
                    "agency": "police",
                    "planned": False,
                    "child_seen_at": "2026-12-22T02:00",
                },
            ],
        }
    )
    result = evaluate(load_policy("generic_s17"), case, as_of=date(2026, 12, 23))
    assert sorted((w.rule, w.subject) for w in result.warnings) == [
        ("epo-where-possible", "emergency_actions[0]"),
        ("legal-advice-before-legal-action", "emergency_actions[0]"),
        ("strategy-discussion-before-planned-action", "emergency_actions[0]"),
    ]
    assert sorted((o.rule, o.subject) for o in result.obligations if o.subject is not None) == [
        ("child-seen-in-emergency-action", "emergency_actions[0]"),
        ("strategy-discussion-after-emergency-action", "emergency_actions[1]"),
    ]


def test_emergency_action_item_facts_shadow_the_latest_action() -> None:
    from assess_rules.facts import COLLECTIONS, FACTS

    assert COLLECTIONS["emergency_actions"] == "emergency_action"
    item = FACTS.lookup("emergency_action.agency", "emergency_actions")
    latest = FACTS.lookup("emergency_action.agency", None)
    assert item is not None
    assert item.scope == "emergency_actions"
    assert latest is not None
    assert latest.scope is None


def test_the_example_council_pack_has_no_version_before_2024() -> None:
    """examples/packs/northshire.yaml and its 1.0.0 beside it cover 2024 onwards."""
    example = Path(__file__).parents[1] / "examples" / "packs" / "northshire.yaml"
    policy = load_policy(example)
    assert [(v.version, str(v.info.effective_from)) for v in policy.versions] == [
        ("1.0.0", "2024-01-01"),
        ("2.0.0", "2026-01-01"),
    ]
    case = parse_case({"case_id": "N0", "referral": {"received_at": "2023-12-29T10:00"}})
    with pytest.raises(NoVersionInForceError, match=r"1\.0\.0 from 2024-01-01 to 2025-12-31"):
        evaluate(policy, case, as_of=date(2024, 1, 5))


def test_a_pack_declares_its_own_record_kinds_and_rules_read_them(tmp_path: Path) -> None:
    """Issue 6: a council's own record (a family group conference) with no code change."""
    body = (
        "vocabulary:\n  oversight_kinds:\n"
        "    - {id: family_group_conference, label: Family group conference}\n"
        "rules:\n  - id: fgc-before-authorisation\n    kind: check\n"
        "    title: A family group conference before the assessment is authorised\n"
        "    sources: [{id: GEN-PLAN-1, para: test}]\n"
        "    violation_when: >-\n      known(assessment.authorised)\n"
        "      and not known(oversight.family_group_conference)\n"
        "    message: no family group conference before authorisation\n"
    )
    policy = load_policy(write_pack(tmp_path, body))
    raw = {
        "case_id": "V",
        "referral": {"received_at": "2026-12-01T10:00"},
        "assessment": {"started_at": "2026-12-01T12:00", "authorised_at": "2026-12-10T12:00"},
    }
    late = evaluate(policy, parse_case(raw, vocabulary=policy.vocabulary), as_of=date(2026, 12, 11))
    assert "fgc-before-authorisation" in late.violated_rules()
    held = {
        **raw,
        "oversight": [
            {"kind": "family_group_conference", "at": "2026-12-05T10:00", "by": "team_manager"}
        ],
    }
    done = evaluate(
        policy, parse_case(held, vocabulary=policy.vocabulary), as_of=date(2026, 12, 11)
    )
    assert "fgc-before-authorisation" not in done.violated_rules()
    # The national vocabulary alone does not know the kind: refused.
    with pytest.raises(
        CaseError, match="'family_group_conference' is not one of this pack's oversight kinds"
    ):
        parse_case(held, vocabulary=GENERIC.vocabulary)
    typo = {
        **raw,
        "oversight": [
            {"kind": "family_group_conferance", "at": "2026-12-05T10:00", "by": "team_manager"}
        ],
    }
    with pytest.raises(CaseError, match="did you mean 'family_group_conference'"):
        parse_case(typo, vocabulary=policy.vocabulary)


def test_a_kind_declared_twice_is_a_located_error(tmp_path: Path) -> None:
    body = "vocabulary:\n  action_kinds:\n    - {id: chronology_updated, label: Again}\nrules: []\n"
    with pytest.raises(
        PolicyError,
        match="action kind 'chronology_updated' is already declared by an extended pack",
    ) as caught:
        load_policy(write_pack(tmp_path, body))
    assert caught.value.line == 4


def test_the_example_packs_page_lists_its_own_record_kind() -> None:
    from assess_rules.reporting import pack_markdown

    example = Path(__file__).parents[1] / "examples" / "packs" / "northshire.yaml"
    page = pack_markdown(load_policy(example))
    assert "## Vocabulary" in page
    assert "| `family_group_conference` | Family group conference | a meeting" in page
    assert "`oversight.family_group_conference`, `.by`, `.agrees` | northshire |" in page
    # the action it declares, and the national words it inherits, named with their pack
    assert "| `transfer_assessment` | Transfer the assessment |" in page
    assert "| `cancel_assessment` | Cancel the assessment |" in page
    assert "`oversight.allocation`, `.by`, `.agrees` | generic_s17 |" in page


def test_an_item_of_a_list_is_named_by_its_place_in_the_snapshot_whatever_the_date() -> None:
    # Found by the invariants kit's 10,000-case search: items not yet visible on the
    # evaluation date were skipped when numbering, so "complaints[0]" named the second
    # complaint on 16 Apr and the first on 16 May. A complaint received Fri 29 Mar 2024 is
    # due a response in 10 working days: Mon 15 Apr (Easter Monday 1 Apr skipped).
    bucks = load_policy("buckinghamshire")
    case = parse_case(
        {
            "case_id": "C",
            "referral": {"received_at": "2024-03-29T10:00"},
            "complaints": [
                {"received_at": "2024-04-21T10:00"},  # after 16 Apr: not yet visible
                {"received_at": "2024-03-29T10:00"},
            ],
        }
    )
    early = evaluate(bucks, case, date(2024, 4, 16))
    late = evaluate(bucks, case, date(2024, 5, 16))
    due_early = {d.subject: d.due_date for d in early.deadlines if d.rule == "complaint-response"}
    due_late = {d.subject: d.due_date for d in late.deadlines if d.rule == "complaint-response"}
    assert due_early == {"complaints[1]": date(2024, 4, 15)}
    # 21 Apr 2024 was a Sunday: Mon 22 Apr is day 1 (docs/counting.md), day 10 is Fri 3 May
    assert due_late == {"complaints[0]": date(2024, 5, 3), "complaints[1]": date(2024, 4, 15)}
