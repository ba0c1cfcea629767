"""A family case (issue 6): a snapshot may list the children of one family; every rule is
applied to each child, and every finding names its child."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from assess_rules import CaseError, evaluate, load_policy, parse_case
from assess_rules.case import Child, FamilyChild, per_child
from assess_rules.loading import schema_path
from assess_rules.testing.strategies import case_snapshots

BUCKS = load_policy("buckinghamshire")

# Referral Fri 18 Dec 2026 (day 0). Bucks 2.11: the child is seen within 5 working days:
# Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4), [Fri 25 Christmas, Mon 28 Boxing Day
# substitute], Tue 29 Dec (5): due Tue 29 Dec 2026 for each child.
FAMILY = {
    "case_id": "F-1",
    "referral": {"received_at": "2026-12-18T10:00"},
    "decision": {
        "made_at": "2026-12-18T15:00",
        "made_by": "team_manager",
        "response": "assessment",
    },
    "children": [{"id": "amy", "date_of_birth": "2015-03-02"}, {"id": "ben"}],
    "visits": [
        {"at": "2026-12-22T14:00", "children_seen": ["amy"]},
        {"at": "2026-12-30T11:00", "children_seen": ["ben"]},
    ],
}


def test_each_child_has_their_own_deadline_and_findings_name_the_child() -> None:
    result = evaluate(BUCKS, parse_case(FAMILY, vocabulary=BUCKS.vocabulary), date(2027, 1, 4))
    amy = result.deadline("child-seen", child="amy")
    ben = result.deadline("child-seen", child="ben")
    assert (amy.due_date, amy.status) == (date(2026, 12, 29), "met")
    assert (ben.due_date, ben.status) == (date(2026, 12, 29), "missed")
    assert {v.child for v in result.violations if v.rule == "child-seen"} == {"ben"}
    assert result.of_child("amy").violated_rules() == result.violated_rules() - {"child-seen"}
    # the JSON form carries the child, and follows the published result schema
    data = result.to_dict()
    assert data["schema_version"] == "2.2"
    assert {d["child"] for d in data["deadlines"]} == {"amy", "ben"}
    schema = json.loads(schema_path("result.schema.json").read_text())
    jsonschema.validate(data, schema)


def test_a_single_child_case_is_unchanged() -> None:
    single = {k: v for k, v in FAMILY.items() if k != "children"}
    single["visits"] = [{"at": "2026-12-22T14:00", "child_seen": True}]
    result = evaluate(BUCKS, parse_case(single, vocabulary=BUCKS.vocabulary), date(2027, 1, 4))
    assert result.deadline("child-seen").status == "met"
    assert all(d.child is None for d in result.deadlines)


def test_records_that_name_children_concern_only_them() -> None:
    case = parse_case(
        {
            **FAMILY,
            "actions": [
                {"kind": "chronology_updated", "at": "2026-12-21T10:00", "children": ["ben"]},
                {"kind": "case_notes_recorded", "at": "2026-12-21T10:00"},
            ],
        }
    )
    (amy_id, amy), (ben_id, ben) = per_child(case)
    assert (amy_id, ben_id) == ("amy", "ben")
    assert [a.kind for a in amy.actions] == ["case_notes_recorded"]
    assert [a.kind for a in ben.actions] == ["chronology_updated", "case_notes_recorded"]
    assert amy.child.date_of_birth == date(2015, 3, 2)
    assert ben.child.date_of_birth is None
    assert [v.child_seen for v in amy.visits] == [True, False]
    assert not amy.children
    assert not ben.children


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"child": {"disabled": True}}, ("child",), "not child"),
        ({"children": [{"id": "amy"}, {"id": "amy"}]}, ("children", 1, "id"), "another child"),
        (
            {"visits": [{"at": "2026-12-22T14:00", "children_seen": ["cara"]}]},
            ("visits", 0, "children_seen", 0),
            "not one of the case's children",
        ),
        (
            {
                "children": [
                    {
                        "id": "amy",
                        "date_of_birth": "2015-03-02",
                        "expected_birth_date": "2027-01-01",
                    }
                ]
            },
            ("children", 0, "expected_birth_date"),
            "not both",
        ),
    ],
)
def test_a_bad_family_case_is_refused_at_the_field(
    change: dict[str, object], path: tuple[object, ...], words: str
) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({**FAMILY, **change})
    issues = {issue.path: issue.reason for issue in caught.value.issues}
    assert path in issues
    assert words in issues[path]
    assert "cara" not in str(caught.value)  # never echoes the input


def test_children_named_in_a_case_that_lists_none_are_refused() -> None:
    single = {k: v for k, v in FAMILY.items() if k != "children"}
    with pytest.raises(CaseError, match="names children, but the case lists none"):
        parse_case(single)


def test_a_family_is_capped_at_twenty_children() -> None:
    many = {**FAMILY, "children": [{"id": f"c{i}"} for i in range(21)], "visits": []}
    with pytest.raises(CaseError) as caught:
        parse_case(many)
    assert caught.value.issues[0].path == ("children",)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_snapshots())
def test_each_child_of_a_family_of_twins_gets_what_the_child_alone_gets(case) -> None:  # type: ignore[no-untyped-def]
    """A family of two children with the same details, seen at the same visits, gives each
    child exactly the findings the single-child case gives (only ``child`` is added)."""
    generic = load_policy("generic_s17")
    details = case.child.model_dump()
    family = case.model_copy(
        update={
            "child": Child(),
            "children": (FamilyChild(id="amy", **details), FamilyChild(id="ben", **details)),
        }
    )
    alone = evaluate(generic, case, date(2028, 1, 1))
    together = evaluate(generic, family, date(2028, 1, 1))
    for child in ("amy", "ben"):
        mine = together.of_child(child)
        for name in ("deadlines", "violations", "warnings", "obligations", "missing_facts"):
            assert [replace(x, child=None) for x in getattr(mine, name)] == list(
                getattr(alone, name)
            )
        assert [replace(x, child=None) for x in mine.permitted_actions] == list(
            alone.permitted_actions
        )
