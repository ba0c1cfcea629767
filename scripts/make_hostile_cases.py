"""Write the hostile-input corpus under ``tests/hostile_cases/``: one file per failure mode.

Each file is a case snapshot (or a would-be one) that a careless export or a hostile sender
might produce. ``tests/test_hostile_cases.py`` holds what each must give: the exit code, words
of the message, and values that must never be echoed. Run from the project root:

    python scripts/make_hostile_cases.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parents[1] / "tests" / "hostile_cases"
SECRET = "Jane Secretname"  # personal data placed beside an error: never echoed

BASE: dict[str, Any] = {
    "case_id": "H-1",
    "referral": {"received_at": "2026-12-01T10:00"},
    "decision": {
        "made_at": "2026-12-01T15:00",
        "made_by": "team_manager",
        "response": "assessment",
    },
    "child": {"date_of_birth": "2015-03-02", "resides_in_area": True},
    "assessment": {"started_at": "2026-12-01T16:00"},
    "oversight": [
        {"kind": "allocation", "at": "2026-12-01T16:05", "by": "team_manager", "note": SECRET}
    ],
}


def case(**changes: Any) -> dict[str, Any]:
    """The base case with top-level sections replaced (``None`` removes one)."""
    out = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def with_referral(**fields: Any) -> dict[str, Any]:
    return case(referral={**BASE["referral"], **fields})


def with_child(**fields: Any) -> dict[str, Any]:
    return case(child={**BASE["child"], **fields})


def with_decision(**fields: Any) -> dict[str, Any]:
    return case(decision={**BASE["decision"], **fields})


def with_assessment(**fields: Any) -> dict[str, Any]:
    return case(assessment={**BASE["assessment"], **fields})


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


JSON_FILES: dict[str, Any] = {
    # wrong types
    "type_top_level_string": "a case",
    "type_top_level_number": 42,
    "type_case_id_number": case(case_id=12345),
    "type_referral_text": case(referral="2026-12-01"),
    "type_visits_object": case(visits={"at": "2026-12-02T10:00"}),
    "type_child_list": case(child=["2015-03-02"]),
    "type_role_unknown": with_decision(made_by=SECRET),
    "type_response_unknown": with_decision(response="maybe"),
    "type_unknown_section": case(referal={"received_at": "2026-12-01"}),
    "type_unknown_field_with_personal_data": with_child(full_name=SECRET),
    "type_missing_referral": case(referral=None),
    "type_missing_case_id": case(case_id=None),
    "type_null_case": None,
    # booleans are booleans
    "bool_yes": case(concerns={"significant_harm_suspected": "yes"}),
    "bool_on": case(concerns={"significant_harm_suspected": "on"}),
    "bool_one": case(concerns={"significant_harm_suspected": 1}),
    "bool_float": case(visits=[{"at": "2026-12-02T10:00", "child_seen": 1.0}]),
    "bool_true_text": case(visits=[{"at": "2026-12-02T10:00", "child_seen": "true"}]),
    # huge values
    "huge_text": with_child(pregnancy_ended="x" * 30_000),
    "huge_note": case(oversight=[{**BASE["oversight"][0], "note": SECRET + "y" * 30_000}]),
    "huge_list": case(visits=[{"at": "2026-12-02T10:00"}] * 6_000),
    "huge_case_id": case(case_id="C" * 1_000),
    "huge_float_date": with_referral(received_at=1e300),
    # nesting
    "deep_objects": case(
        concerns={"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {}}}}}}}}}}}}
    ),
    # each bad date form
    "date_epoch_number": with_referral(received_at=1764583200),
    "date_epoch_text": with_referral(received_at="1764583200"),
    "date_compact": with_referral(received_at="20261201"),
    "date_week": with_referral(received_at="2026-W49-2"),
    "date_ordinal": with_referral(received_at="2026-335"),
    "date_slashes": with_referral(received_at="01/12/2026"),
    "date_impossible": with_referral(received_at="2026-02-30"),
    "date_hour_only": with_referral(received_at="2026-12-01T10"),
    "date_trailing_text": with_referral(received_at="2026-12-01 please"),
    "date_spring_gap": with_referral(received_at="2027-03-28T01:30"),
    "date_autumn_fold": with_referral(received_at="2027-10-31T01:30"),
    "date_out_of_range": with_referral(received_at="1850-01-01"),
    "date_birth_with_time": with_child(date_of_birth="2015-03-02T10:00"),
    "date_birth_impossible": with_child(date_of_birth="2015-02-30"),
    "date_birth_out_of_range": with_child(date_of_birth="1850-03-02"),
    "date_birth_number": with_child(date_of_birth=20150302),
    "date_empty_text": with_referral(received_at=""),
    # contradictions in event order
    "order_decision_before_referral": with_decision(made_at="2026-11-30T15:00"),
    "order_closure_before_referral": case(closure={"closed_at": "2026-11-01"}),
    "order_started_before_referral": with_assessment(started_at="2026-11-30T09:00"),
    "order_authorised_before_started": with_assessment(authorised_at="2026-12-01T12:00"),
    "order_completed_before_started": with_assessment(completed_at="2026-12-01T12:00"),
    "order_visit_before_referral": case(visits=[{"at": "2026-11-20T10:00", "child_seen": True}]),
    "order_discussion_before_referral": case(
        strategy_discussions=[{"held_at": "2026-11-20T10:00"}]
    ),
    "order_icpc_before_referral": case(initial_conference={"held_at": "2026-11-20T10:00"}),
    "order_cancellation_decided_before_recommended": case(
        cancellations=[
            {
                "reason": "other",
                "recommended_at": "2026-12-03T10:00",
                "decided_at": "2026-12-02T10:00",
                "outcome": "approved",
            }
        ]
    ),
    "order_outcome_without_decision_time": case(
        cancellations=[{"reason": "other", "outcome": "approved"}]
    ),
    "order_override_without_role": case(
        consent=[{"event": "overridden", "at": "2026-12-02T10:00"}]
    ),
    "order_birth_and_expected_birth": with_child(expected_birth_date="2027-03-01"),
    "order_referral_after_evaluation_date": {
        "case_id": "H-2",
        "referral": {"received_at": "2027-02-01T10:00"},
    },
    # empty identifiers
    "empty_case_id": case(case_id=""),
    "empty_case_id_whitespace": case(case_id="   "),
    "empty_reason": case(cancellations=[{"reason": " ", "recommended_at": "2026-12-02T10:00"}]),
    # personal data beside an error
    "personal_note_beside_bad_boolean": case(concerns={"new_risks": "no"}),
    "personal_name_as_role": with_decision(made_by="Jane Secretname"),
    # valid input that must be evaluated, not refused
    "valid_fold_with_offset": with_referral(received_at="2026-10-25T01:30+00:00"),
    "valid_line_separator_in_note": case(
        oversight=[{**BASE["oversight"][0], "note": "first\u2028second\u2029third"}]
    ),
}

TEXT_FILES: dict[str, str | bytes] = {
    "json_syntax_with_personal_data.json": '{"case_id": "H", "note": "' + SECRET + '" "x": 1}',
    "json_duplicate_key.json": (
        '{"case_id": "H", "referral": {"received_at": "2026-12-01T10:00", '
        '"received_at": "2030-12-01T10:00"}}'
    ),
    "json_duplicate_top_key.json": (
        '{"case_id": "H", "case_id": "I", "referral": {"received_at": "2026-12-01T10:00"}}'
    ),
    "json_huge_number.json": (
        '{"case_id": "H", "referral": {"received_at": "2026-12-01T10:00"}, "n": '
        + "9" * 5_000
        + "}"
    ),
    "json_deep_1000.json": '{"case_id": "H", "x": ' + nested(1_000) + "}",
    "json_deep_100000.json": '{"case_id": "H", "x": ' + nested(100_000) + "}",
    "json_nan.json": '{"case_id": "H", "referral": {"received_at": NaN}}',
    "json_empty.json": "",
    "json_whitespace.json": "   \n\t\n",
    "json_trailing_garbage.json": json.dumps(BASE) + " trailing",
    "encoding_latin1.json": json.dumps(case(case_id="H\u00e9"))
    .replace("\\u00e9", "\u00e9")
    .encode("latin-1"),
    "encoding_utf16.json": json.dumps(BASE).encode("utf-16"),
    "encoding_nul.json": json.dumps(BASE).encode() + b"\x00\x00",
    "yaml_impossible_date.yaml": ("case_id: H\nreferral:\n  received_at: 2026-02-30\n"),
    "yaml_syntax_with_personal_data.yaml": (
        "case_id: H\nreferral: {received_at: 2026-12-01T10:00}\n"
        "oversight:\n  - {kind: allocation, note: " + SECRET + " born 2015-03-02: [\n"
    ),
    "yaml_duplicate_key.yaml": (
        "case_id: H\nreferral:\n  received_at: 2026-12-01T10:00\n  received_at: 2030-12-01T10:00\n"
    ),
    "yaml_anchor_bomb.yaml": (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "case_id: H\nreferral: {received_at: 2026-12-01T10:00}\n"
    ),
    "yaml_python_tag.yaml": "case_id: !!python/object/apply:os.system ['true']\n",
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, value in JSON_FILES.items():
        (OUT / f"{name}.json").write_text(
            json.dumps(value, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    for name, text in TEXT_FILES.items():
        path = OUT / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    print(f"wrote {len(JSON_FILES) + len(TEXT_FILES)} files to {OUT}")


if __name__ == "__main__":
    main()
