"""The command line, run in-process through run(argv, stdout, stderr)."""

import errno
import io
import json
from pathlib import Path

import jsonschema
import pytest

from assess_rules.cli import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_PIPE_CLOSED,
    EXIT_VIOLATION,
    run,
)
from assess_rules.loading import schema_path

EXAMPLE = Path(__file__).parents[1] / "examples" / "cases" / "saturday-referral.json"


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_evaluate_text_reads_well() -> None:
    code, out, err = call(
        "evaluate", "--policy", "generic_s17", "--case", str(EXAMPLE), "--as-of", "2027-01-04"
    )
    assert code == EXIT_OK, err
    assert "Case EX-001 as of Mon 04 Jan 2027" in out
    assert "MET          Decision on the type of response" in out
    assert "due Wed 24 Feb 2027" in out  # 45 working days from Sat 19 Dec 2026
    assert "GEN-ASM-1" in out


def test_evaluate_json_follows_the_result_schema() -> None:
    code, out, _ = call(
        "evaluate",
        "--policy",
        "generic_s17",
        "--case",
        str(EXAMPLE),
        "--as-of",
        "2027-01-04",
        "--format",
        "json",
    )
    assert code == EXIT_OK
    payload = json.loads(out)
    schema = json.loads(schema_path("result.schema.json").read_text())
    jsonschema.validate(payload, schema)
    assert payload["schema_version"] == "2.2"
    assert payload["pack"]["id"] == "generic_s17"
    assert payload["pack"]["content_hash"].startswith("sha256:")


def test_fail_on_violation(tmp_path: Path) -> None:
    late = tmp_path / "late.json"
    late.write_text(json.dumps({"case_id": "L", "referral": {"received_at": "2026-12-18"}}))
    code, _, _ = call(
        "evaluate",
        "--policy",
        "generic_s17",
        "--case",
        str(late),
        "--as-of",
        "2026-12-29",
        "--fail-on-violation",
    )
    assert code == EXIT_VIOLATION
    code, _, _ = call(
        "evaluate", "--policy", "generic_s17", "--case", str(late), "--as-of", "2026-12-29"
    )
    assert code == EXIT_OK


def test_a_batch_processes_good_records_and_reports_each_bad_one(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"case_id": "A", "referral": {"received_at": "2026-12-18T10:00"}}),
                "{not json",
                json.dumps(
                    {
                        "case_id": "B",
                        "referral": {"received_at": "2026-12-18T10:00"},
                        "child": {
                            "date_of_birth": "2015-03-02",
                            "expected_birth_date": "2015-03-01",
                        },
                    }
                ),
                json.dumps({"case_id": "C", "referral": {"received_at": "2026-12-19T10:00"}}),
            ]
        )
    )
    code, out, err = call(
        "evaluate",
        "--policy",
        "generic_s17",
        "--case",
        str(batch),
        "--as-of",
        "2026-12-21",
        "--format",
        "json",
    )
    assert code == EXIT_INVALID
    payload = json.loads(out)
    assert [r["case_id"] for r in payload["results"]] == ["A", "C"]
    assert [e["index"] for e in payload["errors"]] == [1, 2]
    assert [e["line"] for e in payload["errors"]] == [2, 3]
    assert payload["errors"][1]["error"]["stage"] == "case"
    assert payload["errors"][1]["error"]["issues"] == [
        {
            "path": ["child", "expected_birth_date"],
            "reason": "a child has a date of birth or an expected birth date, not both",
        }
    ]
    assert "batch.jsonl:2: invalid case snapshot" in err
    assert "  - not valid JSON at column 2" in err
    assert "Traceback" not in err


def test_a_bad_case_file_is_invalid_input_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"case_id": "X", "referral": {"received_at": "yesterday"}}')
    code, _, err = call("evaluate", "--policy", "generic_s17", "--case", str(bad))
    assert code == EXIT_INVALID
    assert "referral.received_at" in err
    assert "Traceback" not in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"case_id": ')
    code, _, err = call("evaluate", "--policy", "generic_s17", "--case", str(broken))
    assert code == EXIT_INVALID
    assert "not valid JSON at line 1" in err


def test_validate_reports_located_errors() -> None:
    broken = Path(__file__).parent / "broken_packs" / "unknown_key.yaml"
    code, out, err = call("validate", str(broken), "policies/generic_s17.yaml")
    assert code == EXIT_INVALID
    assert f"{broken}:3:3: unknown key 'titel'" in err
    assert "policies/generic_s17.yaml: ok" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["evaluate", "--policy", "generic_s17"], "required: --case"),
        (["evaluate", "--policy", "kentt", "--case", "x.json"], "no policy pack named"),
        (["evaluate", "--policy", "generic_s17", "--case", "missing.json"], "cannot read"),
        (
            ["evaluate", "--policy", "generic_s17", "--case", "x", "--as-of", "2026-13-01"],
            "that date does not exist",
        ),
    ],
)
def test_usage_and_input_errors_exit_2(argv: list[str], words: str) -> None:
    code, _, err = call(*argv)
    assert code == EXIT_INVALID
    assert words in err


def test_list_names_the_bundled_packs() -> None:
    code, out, _ = call("list")
    assert code == EXIT_OK
    assert "generic_s17" in out.split()
    # Each with its version and when it is in force (Kent's from 1 July 2023).
    assert "kent 1.1.0 (from 2023-07-01) [bundled]" in [
        " ".join(s.split()) for s in out.splitlines()
    ]


def test_a_record_that_cannot_be_evaluated_does_not_stop_the_batch(tmp_path: Path) -> None:
    batch = tmp_path / "batch.json"
    batch.write_text(
        json.dumps(
            [
                {
                    "case_id": "A",
                    "referral": {"received_at": "2026-12-18T10:00"},
                    "assessment": {"started_at": "2026-12-21"},
                },
                {"case_id": "B", "referral": {"received_at": "2026-12-18T10:00"}},
            ]
        )
    )
    # Counting working days up to 2101 is beyond the calendar: A cannot be evaluated; B can,
    # because none of its rules needs that count.
    code, out, err = call(
        "evaluate",
        "--policy",
        "generic_s17",
        "--case",
        str(batch),
        "--as-of",
        "2101-01-01",
        "--format",
        "json",
    )
    assert code == EXIT_INVALID
    payload = json.loads(out)
    assert [r["case_id"] for r in payload["results"]] == ["B"]
    assert payload["errors"][0]["case_id"] == "A"
    assert payload["errors"][0]["error"]["stage"] == "evaluation"
    assert "outside the supported range" in payload["errors"][0]["error"]["issues"][0]["reason"]
    assert "Traceback" not in err


def test_policy_authors_can_run_scenario_files_without_pytest(tmp_path: Path) -> None:
    code, out, _ = call("test", "policies/generic_s17.scenarios.yaml")
    assert code == EXIT_OK
    assert "ok   policies/generic_s17.scenarios.yaml: Saturday referral decided" in out
    assert out.rstrip().endswith("passed, 0 failed")
    wrong = tmp_path / "wrong.scenarios.yaml"
    wrong.write_text(
        "pack: generic_s17\n"
        "scenarios:\n"
        "  - name: wrong due date\n"
        "    as_of: 2026-12-21\n"
        "    case: {case_id: W, referral: {received_at: 2026-12-19T11:00}}\n"
        "    expect:\n"
        "      deadlines:\n"
        "        referral-decision: {due: 2026-12-22}\n"
    )
    code, out, _ = call("test", str(wrong))
    assert code == EXIT_VIOLATION
    assert "FAIL" in out
    assert "due expected 2026-12-22, got 2026-12-21" in out
    assert out.rstrip().endswith("0 passed, 1 failed")


@pytest.mark.parametrize("as_of", ["x" * 100_000, "20261201", "2026-W49-2", "2026-02-30"])
def test_a_bad_as_of_is_refused_without_repeating_it(as_of: str) -> None:
    code, _out, err = call(
        "evaluate", "--policy", "generic_s17", "--case", str(EXAMPLE), "--as-of", as_of
    )
    assert code == EXIT_INVALID
    assert "not a date" in err or "that date does not exist" in err
    assert as_of not in err
    assert len(err) < 1_000


class _Failing(io.StringIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_a_full_disk_is_a_clear_output_error_not_an_internal_error(output_format: str) -> None:
    err = io.StringIO()
    code = run(
        [
            "evaluate",
            "--policy",
            "generic_s17",
            "--case",
            str(EXAMPLE),
            "--as-of",
            "2027-01-04",
            "--format",
            output_format,
        ],
        _Failing(OSError(errno.ENOSPC, "No space left on device")),
        err,
    )
    assert code == EXIT_OUTPUT
    assert err.getvalue() == "assess-rules: cannot write the output: No space left on device\n"


def test_a_closed_output_pipe_ends_quietly() -> None:
    err = io.StringIO()
    code = run(
        ["evaluate", "--policy", "generic_s17", "--case", str(EXAMPLE), "--as-of", "2027-01-04"],
        _Failing(BrokenPipeError(errno.EPIPE, "Broken pipe")),
        err,
    )
    assert code == EXIT_PIPE_CLOSED
    assert err.getvalue() == ""


def test_timeline_previews_every_deadline_a_referral_starts() -> None:
    """Easter 2027 (Good Friday 26 Mar, Easter Monday 29 Mar), a referral on Thu 25 Mar:
    1 working day is Tue 30 Mar; 3 is Thu 1 Apr; 5 is Mon 5 Apr; 45 is Wed 2 Jun (skipping
    also the bank holidays of 3 and 31 May)."""
    code, out, _ = call(
        "timeline",
        "--policy",
        "buckinghamshire",
        "--referral",
        "2027-03-25T10:00",
        "--format",
        "json",
    )
    assert code == EXIT_OK
    due = {row["rule"]: row["due"][:10] for row in json.loads(out)}
    assert due["referral-decision"] == "2027-03-30"
    assert due["final-decision-after-mash-enquiries"] == "2027-04-01"
    assert due["child-seen"] == "2027-04-05"
    assert due["assessment-completion"] == "2027-06-02"
    rows = json.loads(out)
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)
    assert "2027-03-26" in rows[0]["skipped_days"]


def test_timeline_text_names_the_pack_version_and_refuses_a_bad_date() -> None:
    code, out, _ = call("timeline", "--policy", "kent", "--referral", "2026-12-01T10:00")
    assert code == EXIT_OK
    assert out.startswith("Referral Tue 01 Dec 2026 10:00, pack kent 1.1.0")
    assert "due Fri 11 Dec 2026  Cancellation completed within 10 days" in out
    code, _, err = call("timeline", "--policy", "kent", "--referral", "2026-13-01")
    assert code == EXIT_INVALID
    assert "2026-13-01" not in err


def _batch_file(tmp_path: Path, *, good: int, bad: int) -> Path:
    lines = [
        json.dumps({"case_id": f"G{i}", "referral": {"received_at": "2026-12-18T10:00"}})
        for i in range(good)
    ]
    lines += ["{not json"] * bad
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    return batch


@pytest.mark.parametrize(("good", "bad"), [(3, 2), (2, 0), (0, 2)])
def test_a_json_batch_is_written_as_one_indented_document(
    tmp_path: Path, good: int, bad: int
) -> None:
    """Written a result at a time, the document is the one ``json.dumps(indent=2)`` gives."""
    batch = _batch_file(tmp_path, good=good, bad=bad)
    argv = ["evaluate", "--policy", "generic_s17", "--case", str(batch), "--as-of", "2026-12-21"]
    code, out, _ = call(*argv, "--format", "json")
    assert code == (EXIT_INVALID if bad else EXIT_OK)
    payload = json.loads(out)
    assert [r["case_id"] for r in payload["results"]] == [f"G{i}" for i in range(good)]
    assert len(payload["errors"]) == bad
    assert out == json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def test_a_json_batch_writes_each_result_before_evaluating_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results are not kept until the end: memory stays flat whatever the batch size."""
    import assess_rules.cli as cli

    out = io.StringIO()
    seen: list[str] = []
    evaluate = cli.evaluate

    def spying(*args: object, **kwargs: object) -> object:
        seen.append(out.getvalue())  # what was written before this case was evaluated
        return evaluate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "evaluate", spying)
    batch = _batch_file(tmp_path, good=3, bad=0)
    argv = ["evaluate", "--policy", "generic_s17", "--case", str(batch), "--as-of", "2026-12-21"]
    assert run([*argv, "--format", "json"], out, io.StringIO()) == EXIT_OK
    assert [text.count('"case_id": "G') for text in seen] == [0, 1, 2]


# --- what a new user tripped on (trial report, items 2 to 5) ---------------------------------


@pytest.mark.parametrize("command", ["test", "check"])
def test_a_scenario_file_that_is_not_there_is_invalid_input(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "kent.scenario.yaml"
    code, out, err = call(command, str(missing))
    assert code == EXIT_INVALID
    assert f"{missing}: no such file" in err
    assert "Errno" not in err
    assert "cannot write" not in err
    assert "1 failed" not in out


@pytest.mark.parametrize("command", ["test", "check"])
def test_a_folder_or_non_utf8_scenario_file_is_invalid_input(tmp_path: Path, command: str) -> None:
    code, _, err = call(command, str(tmp_path))
    assert code == EXIT_INVALID
    assert "a folder, not a scenario file" in err
    latin = tmp_path / "x.scenarios.yaml"
    latin.write_bytes(b"pack: generic_s17\n# caf\xe9\n")
    code, _, err = call(command, str(latin))
    assert code == EXIT_INVALID
    assert "not UTF-8 text (byte 24)" in err  # the 0xE9 is the 24th byte


@pytest.mark.parametrize("command", ["test", "check"])
def test_a_pack_given_for_a_scenario_file_says_so_and_names_the_scenario_file(
    command: str,
) -> None:
    pack = Path("policies/kent.yaml")
    code, _, err = call(command, str(pack))
    assert code == EXIT_INVALID
    assert "this is a policy pack, not a scenario file" in err
    assert "did you mean 'policies/kent.scenarios.yaml'?" in err
    assert "Integrated Children" not in err  # nothing of the pack is repeated
    assert len(err) < 400


def test_a_scenario_schema_error_names_the_type_found_never_the_value(tmp_path: Path) -> None:
    path = tmp_path / "x.scenarios.yaml"
    path.write_text(
        "pack: generic_s17\n"
        "scenarios:\n"
        "  - {name: a, as_of: 2026-12-01, case: 'Amy Smith, 12 Acacia Road'}\n",
        encoding="utf-8",
    )
    code, _, err = call("test", str(path))
    assert code == EXIT_INVALID
    assert "expected a mapping of keys to values, got text" in err
    assert "Amy" not in err
    assert "Acacia" not in err


def test_validate_finds_packs_by_name_as_every_command_does(tmp_path: Path) -> None:
    code, out, err = call("validate", "kent")
    assert code == EXIT_OK, err
    assert "kent: ok" in out
    (tmp_path / "testshire.yaml").write_text(
        "pack: {id: testshire, title: T, authority: T, version: '1.0.0', extends: generic_s17}\n",
        encoding="utf-8",
    )
    code, out, err = call("validate", "--pack-dir", str(tmp_path), "testshire")
    assert code == EXIT_OK, err
    code, _, err = call("validate", "kentt")
    assert code == EXIT_INVALID
    assert "no policy pack named 'kentt'" in err
    assert "did you mean 'kent'?" in err


# --- trial report, items 10 and 11 ------------------------------------------------------------


def test_an_unlisted_reason_is_refused_naming_the_nearest_listed_one() -> None:
    from assess_rules import evaluate, load_policy, parse_case

    case = parse_case(
        {
            "case_id": "X",
            "referral": {"received_at": "2026-12-01T10:00"},
            "concerns": {"significant_harm_suspected": False},
            "decision": {"made_at": "2026-12-01T12:00", "response": "assessment"},
            "assessment": {"started_at": "2026-12-02T10:00"},
            "cancellations": [{"reason": "alredy-18"}],
        }
    )
    result = evaluate(load_policy("kent"), case, "2026-12-10")
    (request,) = [a for a in result.permitted_actions if a.subject]
    assert request.status == "refused"
    assert any("did you mean 'already-18'?" in why for why in request.why)


def test_a_yaml_case_syntax_error_gives_the_parsers_reason_not_the_text(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "case_id: A\nreferral:\n  received_at: 2026-12-01T10:00\n"
        "  note: [Amy Smith, 12 Acacia Road\nchild: {}\n",
        encoding="utf-8",
    )
    code, _, err = call("evaluate", "--policy", "generic_s17", "--case", str(case))
    assert code == EXIT_INVALID
    assert "not valid YAML: did not find expected ',' or ']'" in err
    assert "at line 5, column 6" in err
    assert "Amy" not in err
    assert "Acacia" not in err


@pytest.mark.parametrize("command", ["evaluate", "explain", "caseload"])
def test_standard_input_without_jsonl_says_what_it_needs(command: str) -> None:
    code, out, err = call(
        command, "--policy", "generic_s17", "--case", "-", "--as-of", "2026-12-10"
    )
    assert code == EXIT_INVALID
    assert err.startswith("assess-rules: '-' (standard input) needs --format jsonl")
    assert "No such file" not in err
    assert out == ""


def test_a_dated_version_given_for_a_scenario_file_names_the_packs_scenario_file() -> None:
    code, _, err = call("test", "examples/packs/northshire@1.0.0.yaml")
    assert code == EXIT_INVALID
    assert "did you mean 'examples/packs/northshire.scenarios.yaml'?" in err
