"""Hostile and sloppy snapshots (``tests/hostile_cases/``, written by
``scripts/make_hostile_cases.py``): each is refused with exit 2 and a short message that
names the field and never repeats the value, or, where it is valid, evaluated. None gives a
traceback or exit 3. The published case schema agrees with the parser on each."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from assess_rules.cli import EXIT_INVALID, EXIT_OK, run
from assess_rules.loading import schema_path

CORPUS = Path(__file__).parent / "hostile_cases"
SECRETS = ("Jane", "Secretname", "1764583200", "20261201", "2026-W49", "2015-03-02", "99999")

#: file -> (exit code, words the message must hold)
EXPECTED: dict[str, tuple[int, str]] = {
    "type_top_level_string.json": (2, "expected an object"),
    "type_top_level_number.json": (2, "expected an object"),
    "type_case_id_number.json": (2, "case_id"),
    "type_referral_text.json": (2, "referral"),
    "type_visits_object.json": (2, "visits"),
    "type_child_list.json": (2, "child"),
    "type_role_unknown.json": (2, "decision.made_by"),
    "type_response_unknown.json": (2, "decision.response"),
    "type_unknown_section.json": (2, "referal: unknown field"),
    "type_unknown_field_with_personal_data.json": (2, "child.full_name: unknown field"),
    "type_missing_referral.json": (2, "referral: Field required"),
    "type_missing_case_id.json": (2, "case_id: Field required"),
    "type_null_case.json": (2, "expected an object"),
    "bool_yes.json": (2, "true or false"),
    "bool_on.json": (2, "true or false"),
    "bool_one.json": (2, "true or false"),
    "bool_float.json": (2, "true or false"),
    "bool_true_text.json": (2, "true or false"),
    "huge_text.json": (2, "longer than 20,000"),
    "huge_note.json": (2, "longer than 20,000"),
    "huge_list.json": (2, "more than 5,000 items"),
    "huge_case_id.json": (2, "case_id"),
    "huge_float_date.json": (2, "not a number"),
    "deep_objects.json": (2, "concerns.a: unknown field"),
    "date_epoch_number.json": (2, "not a number"),
    "date_epoch_text.json": (2, "ISO 8601"),
    "date_compact.json": (2, "ISO 8601"),
    "date_week.json": (2, "ISO 8601"),
    "date_ordinal.json": (2, "ISO 8601"),
    "date_slashes.json": (2, "ISO 8601"),
    "date_impossible.json": (2, "not a real date"),
    "date_hour_only.json": (2, "ISO 8601"),
    "date_trailing_text.json": (2, "ISO 8601"),
    "date_spring_gap.json": (2, "does not exist in London"),
    "date_autumn_fold.json": (2, "happens twice in London"),
    "date_out_of_range.json": (2, "outside the supported range"),
    "date_birth_with_time.json": (2, "YYYY-MM-DD"),
    "date_birth_impossible.json": (2, "not a real date"),
    "date_birth_out_of_range.json": (2, "outside the supported range"),
    "date_birth_number.json": (2, "not a number"),
    "date_empty_text.json": (2, "ISO 8601"),
    "order_decision_before_referral.json": (2, "decision.made_at"),
    "order_closure_before_referral.json": (2, "closure.closed_at"),
    "order_started_before_referral.json": (2, "assessment.started_at"),
    "order_authorised_before_started.json": (2, "authorised before it started"),
    "order_completed_before_started.json": (2, "completed before it started"),
    "order_visit_before_referral.json": (2, "visits[0].at"),
    "order_discussion_before_referral.json": (2, "strategy_discussions[0].held_at"),
    "order_icpc_before_referral.json": (2, "initial_conference.held_at"),
    "order_cancellation_decided_before_recommended.json": (2, "decided before it was recommended"),
    "order_outcome_without_decision_time.json": (2, "needs the time it was decided"),
    "order_override_without_role.json": (2, "must name the role"),
    "order_birth_and_expected_birth.json": (2, "not both"),
    "order_referral_after_evaluation_date.json": (2, "after the evaluation date"),
    "empty_case_id.json": (2, "case_id"),
    "empty_case_id_whitespace.json": (2, "case_id"),
    "empty_reason.json": (2, "cancellations[0].reason"),
    "personal_note_beside_bad_boolean.json": (2, "concerns.new_risks"),
    "personal_name_as_role.json": (2, "decision.made_by"),
    "valid_fold_with_offset.json": (0, ""),
    "valid_line_separator_in_note.json": (0, ""),
    "json_syntax_with_personal_data.json": (2, "not valid JSON"),
    "json_duplicate_key.json": (2, "received_at"),
    "json_duplicate_top_key.json": (2, "case_id"),
    "json_huge_number.json": (2, "number"),
    "json_deep_1000.json": (2, "nested"),
    "json_deep_100000.json": (2, "nested"),
    "json_nan.json": (2, "NaN and Infinity are not JSON"),
    "json_empty.json": (2, "empty"),
    "json_whitespace.json": (2, "empty"),
    "json_trailing_garbage.json": (2, "not valid JSON"),
    "encoding_latin1.json": (2, "UTF-8"),
    "encoding_utf16.json": (2, "UTF-8"),
    "encoding_nul.json": (2, "not valid JSON"),
    "yaml_impossible_date.yaml": (2, "received_at"),
    "yaml_syntax_with_personal_data.yaml": (2, "not valid YAML"),
    "yaml_duplicate_key.yaml": (2, "received_at"),
    "yaml_anchor_bomb.yaml": (2, "anchors"),
    "yaml_python_tag.yaml": (2, "tag"),
}


def evaluate_file(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["evaluate", "--policy", "generic_s17", "--case", str(path), "--as-of", "2027-01-04"],
        out,
        err,
    )
    return code, out.getvalue(), err.getvalue()


def test_the_corpus_and_the_table_agree() -> None:
    on_disk = {p.name for p in CORPUS.iterdir()}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 60


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_case_is_refused_clearly_or_evaluated(name: str) -> None:
    code, out, err = evaluate_file(CORPUS / name)
    expected_code, words = EXPECTED[name]
    assert code == expected_code, err
    assert "Traceback" not in err + out
    if expected_code == EXIT_INVALID:
        assert words in err, err
        assert len(err) < 2_000, "one screen, not a flood"
        for secret in SECRETS:
            assert secret not in err, f"{secret!r} echoed: {err}"
    else:
        assert code == EXIT_OK
        assert out


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _as_json(path: Path) -> object | None:
    """The file's JSON value, or None when it is not one UTF-8 JSON document with unique
    keys (refused before any schema applies)."""
    try:
        return json.loads(path.read_text("utf-8"), object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError):
        return None


#: Refusals the schema cannot express: the order of events and what the evaluation date says.
ORDER_ONLY = {
    n for n in EXPECTED if n.startswith(("order_", "date_out_of_range", "date_birth_out"))
}
ORDER_ONLY |= {"date_spring_gap.json", "date_autumn_fold.json", "date_impossible.json"}
ORDER_ONLY |= {"date_birth_impossible.json"}


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".json")))
def test_the_published_schema_agrees_with_the_parser(name: str) -> None:
    value = _as_json(CORPUS / name)
    if value is None:
        pytest.skip("not a JSON document: refused before any schema applies")
    schema = json.loads(schema_path("case.schema.json").read_text())
    valid = jsonschema.Draft202012Validator(schema).is_valid(value)
    refused = EXPECTED[name][0] == EXIT_INVALID
    if name in ORDER_ONLY:
        assert refused  # the schema checks each value; the parser also checks their order
    else:
        assert valid is not refused, (name, valid)


def test_a_million_invalid_visits_under_a_1_gib_memory_cap_is_refused_not_a_crash(
    tmp_path: Path,
) -> None:
    """Issue 11: under ``ulimit -v 1048576`` no input crashes or hangs the process."""
    import resource
    import subprocess
    import sys

    visit = '{"at": "1900-01-01", "child_seen": "maybe"}'
    path = tmp_path / "million.json"
    with path.open("w") as out:
        out.write('{"case_id": "M", "referral": {"received_at": "2026-12-01T10:00"}, "visits": [')
        out.write(", ".join([visit] * 1_000_000))
        out.write("]}")

    def cap() -> None:
        limit = 1024 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assess_rules",
            "evaluate",
            "--policy",
            "generic_s17",
            "--case",
            str(path),
            "--as-of",
            "2027-01-04",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        check=False,
    )
    assert done.returncode == EXIT_INVALID, done.stderr[-2_000:]
    assert "Traceback" not in done.stderr
    assert "more than 5,000 items" in done.stderr
    assert len(done.stderr) < 2_000
