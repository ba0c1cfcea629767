"""The messages and docs a new user tripped on in a trial of the CLI (issue 8)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from assess_rules.calendar import LONDON
from assess_rules.cli import run

ROOT = Path(__file__).parents[1]


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def future_case(tmp_path: Path, suffix: str = ".json") -> Path:
    """A referral in 2099: after any evaluation date the tests can default to."""
    case = {"case_id": "F1", "referral": {"received_at": "2099-01-05T10:00"}}
    path = tmp_path / f"future{suffix}"
    path.write_text(json.dumps(case) + "\n", encoding="utf-8")
    return path


# --- 9: a defaulted evaluation date is named -------------------------------------------------


def test_a_defaulted_evaluation_date_is_named_by_evaluate_and_explain(tmp_path: Path) -> None:
    case = str(future_case(tmp_path))
    today = datetime.now(LONDON).date().isoformat()
    for command in ("evaluate", "explain"):
        code, _out, err = call(command, "--policy", "generic_s17", "--case", case)
        assert code == 2, (command, err)
        assert f"after the evaluation date, {today} (today; give --as-of)" in err, command


def test_a_given_evaluation_date_is_named_without_the_hint(tmp_path: Path) -> None:
    case = str(future_case(tmp_path))
    code, _out, err = call(
        "evaluate", "--policy", "generic_s17", "--case", case, "--as-of", "2026-12-01"
    )
    assert code == 2
    assert "after the evaluation date, 2026-12-01:" in err
    assert "today" not in err


def test_a_defaulted_evaluation_date_is_named_in_sweeps_and_diff_cases(tmp_path: Path) -> None:
    case = str(future_case(tmp_path, ".jsonl"))
    today = datetime.now(LONDON).date().isoformat()
    code, out, _err = call(
        "evaluate", "--policy", "generic_s17", "--case", case, "--format", "jsonl"
    )
    assert code == 2
    assert f"{today} (today; give --as-of)" in out
    code, out, _err = call("diff", "generic_s17", "kent", "--cases", case, "--format", "json")
    assert f"{today} (today; give --as-of)" in out


def test_caseload_names_the_defaulted_date_it_counts_up_to() -> None:
    case = str(ROOT / "examples" / "cases" / "kent-cancellation-request.json")
    today = datetime.now(LONDON).date().isoformat()
    _code, out, _err = call("caseload", "--policy", "kent", "--case", case)
    assert out.startswith(f"Counted up to {today} (today; give --as-of)\n")
    _code, out, _err = call("caseload", "--policy", "kent", "--case", case, "--as-of", today)
    assert "Counted up to" not in out


# --- 8: diff of two different packs ------------------------------------------------------------


def other_pack(tmp_path: Path) -> Path:
    """A council's own pack (a different id) changing one timescale of generic_s17."""
    path = tmp_path / "testshire.yaml"
    path.write_text(
        """pack:
  id: testshire
  title: Testshire assessment protocol
  authority: Testshire Council
  version: "1.0.0"
  effective_from: 2018-07-01
  extends: generic_s17

rules:
  - id: referral-decision
    override: true
    kind: timescale
    title: Decision on the type of response within 2 working days of the referral
    sources:
      - {id: GEN-REF-1, para: "Testshire 1.1"}
    start: referral.received
    end: decision.made
    within: {amount: 2, unit: working_days}
    owner: team_manager
""",
        encoding="utf-8",
    )
    return path


def test_diff_of_two_packs_puts_rule_changes_first_and_groups_pack_details(
    tmp_path: Path,
) -> None:
    code, out, _err = call("diff", "generic_s17", str(other_pack(tmp_path)))
    assert code == 1
    lines = out.splitlines()
    body = [line.strip() for line in lines[1:] if line.startswith("  ") and line[2] != " "]
    assert body[0].startswith("Timescale referral-decision")
    firsts = [i for i, line in enumerate(body) if line.startswith("Pack:")]
    assert firsts
    assert all(line.startswith("Pack:") for line in body[firsts[0] :])
    # generic_s17 1.1.0 lists 13 change notes (its `changes:`), none of them testshire's
    notes = [line for line in body if "change note" in line]
    assert notes == ["Pack: 13 change notes removed"]
    code, out, _err = call("diff", "generic_s17", str(other_pack(tmp_path)), "--format", "json")
    grouped = [c for c in json.loads(out)["changes"] if c["path"] == ["changes"]]
    assert len(grouped) == 1
    assert len(grouped[0]["old"]) == 13


def test_diff_markdown_heading_names_both_packs_with_their_own_versions(tmp_path: Path) -> None:
    _code, out, _err = call(
        "diff", "generic_s17", str(other_pack(tmp_path)), "--format", "markdown"
    )
    assert out.splitlines()[0] == "# Changes from generic_s17 1.1.0 to testshire 1.0.0"


# --- 12: one shape of error record in every output format -------------------------------------


def test_a_single_bad_case_in_json_gives_an_error_document_on_stdout(tmp_path: Path) -> None:
    case = tmp_path / "bad.json"
    case.write_text(json.dumps({"case_id": "B", "referral": {"received_at": "Jane Doe"}}))
    code, out, err = call(
        "evaluate", "--policy", "generic_s17", "--case", str(case), "--format", "json"
    )
    assert code == 2
    assert "invalid case snapshot" in err  # the stderr line stays
    document = json.loads(out)
    assert document["case_id"] == "B"
    assert document["error"]["stage"] == "case"
    assert document["error"]["issues"][0]["path"] == ["referral", "received_at"]
    assert document["error"]["more_issues"] == 0
    assert "Jane" not in out


def test_a_case_file_that_cannot_be_read_gives_an_error_document_in_json(tmp_path: Path) -> None:
    code, out, _err = call(
        "evaluate", "--policy", "generic_s17", "--case", str(tmp_path / "none.json"),
        "--format", "json",
    )  # fmt: skip
    assert code == 2
    document = json.loads(out)
    assert (document["case_id"], document["error"]["stage"]) == (None, "file")


def test_json_batch_errors_are_shaped_as_jsonl_error_records(tmp_path: Path) -> None:
    lines = [
        {"case_id": "A", "referral": {"received_at": "2026-12-18T10:00"}},
        {"case_id": "B", "referral": {"received_at": "not a date"}},
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(x) for x in lines) + "\n{not json\n")
    common = ["--policy", "generic_s17", "--case", str(cases), "--as-of", "2026-12-22"]
    _code, out, _err = call("evaluate", *common, "--format", "json")
    batch = json.loads(out)["errors"]
    _code, out, _err = call("evaluate", *common, "--format", "jsonl", "--workers", "1")
    streamed = [r for r in map(json.loads, out.splitlines()) if "error" in r]
    assert [{k: v for k, v in e.items() if k != "index"} for e in batch] == streamed
    assert [e["index"] for e in batch] == [1, 2]
    assert [e["error"]["stage"] for e in batch] == ["case", "json"]


# --- 13: a pack file named otherwise than its id ------------------------------------------------


def mismatched(tmp_path: Path) -> Path:
    folder = tmp_path / "packs"
    folder.mkdir()
    text = other_pack(tmp_path).read_text(encoding="utf-8")
    (folder / "mismatch.yaml").write_text(text.replace("id: testshire", "id: other"))
    return folder


def test_a_pack_looked_up_by_a_name_that_is_not_its_id_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    folder = mismatched(tmp_path)
    code, _out, err = call(
        "timeline", "--pack-dir", str(folder), "--policy", "mismatch", "--referral", "2026-12-01"
    )
    assert code == 2
    assert f"{folder / 'mismatch.yaml'}:2:" in err  # line 2: `id: other`
    assert "file mismatch.yaml holds pack 'other', not 'mismatch'" in err


def test_a_pack_given_by_path_loads_whatever_its_file_is_called(tmp_path: Path) -> None:
    path = mismatched(tmp_path) / "mismatch.yaml"
    code, out, _err = call("timeline", "--policy", str(path), "--referral", "2026-12-01")
    assert code == 0
    assert "pack other 1.0.0" in out


def test_list_shows_the_pack_id_and_says_the_file_is_misnamed(tmp_path: Path) -> None:
    folder = mismatched(tmp_path)
    code, out, _err = call("list", "--pack-dir", str(folder))
    assert code == 0
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert "other" in names
    assert "mismatch" not in names
    assert "file mismatch.yaml holds pack 'other'" in out
    code, out, _err = call("list", "--pack-dir", str(folder), "--format", "json")
    row = next(r for r in json.loads(out) if r["name"] == "mismatch")
    assert row["id"] == "other"


def test_list_columns_line_up() -> None:
    _code, out, _err = call("list")
    lines = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len({line.index("[") for line in lines}) == 1


def test_versions_named_id_at_version_still_load() -> None:
    code, _out, err = call(
        "validate",
        str(ROOT / "examples/packs/northshire.yaml"),
        str(ROOT / "examples/packs/northshire@1.0.0.yaml"),
    )
    assert code == 0, err
    code, out, _err = call("show", "northshire@1.0.0", "--pack-dir", str(ROOT / "examples/packs"))
    assert code == 0
    assert "northshire" in out


# --- nits: "1 working day", one wording of durations ------------------------------------------


def test_one_working_day_is_singular_in_lint_and_diff_cases(tmp_path: Path) -> None:
    pack = str(other_pack(tmp_path))
    _code, out, _err = call("lint", pack)
    assert "gives 2 working days where the extended pack gives 1 working day " in out
    # referral Mon 30 Nov 2026 10:00, decided Wed 2 Dec: due Tue 1 Dec under generic_s17
    # (1 working day), Wed 2 Dec under testshire (2 working days)
    cases = tmp_path / "d.jsonl"
    case = {
        "case_id": "D1",
        "referral": {"received_at": "2026-11-30T10:00"},
        "decision": {"made_at": "2026-12-02T10:00", "response": "assessment"},
    }
    cases.write_text(json.dumps(case) + "\n")
    _code, out, _err = call(
        "diff", "generic_s17", pack, "--cases", str(cases), "--as-of", "2026-12-10"
    )
    assert "due 2026-12-01 -> 2026-12-02, status missed -> met" in out
    assert "within 1 working day -> 2 working days" in out
    assert "1 working days" not in out


# --- nits: docs --html leaves nothing behind, and tidies only its own pages --------------------


def test_docs_html_with_an_unknown_pack_leaves_nothing_behind(tmp_path: Path) -> None:
    site = tmp_path / "site"
    code, _out, err = call("docs", "--html", str(site), "kent", "kentt")
    assert code == 2
    assert "did you mean 'kent'?" in err
    assert not site.exists()


def test_docs_html_rebuild_removes_its_own_stale_pages_and_nothing_else(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert call("docs", "--html", str(site), "kent", "generic_s17")[0] == 0
    assert (site / "packs" / "generic_s17.html").is_file()
    assert any((site / "scenarios" / "generic_s17").iterdir())
    (site / "notes.txt").write_text("the user's own file")
    (site / "packs" / "mine.html").write_text("a page the user wrote")
    assert call("docs", "--html", str(site), "kent")[0] == 0
    assert (site / "packs" / "kent.html").is_file()
    assert not (site / "packs" / "generic_s17.html").exists()
    assert not (site / "scenarios" / "generic_s17").exists()
    assert (site / "notes.txt").read_text() == "the user's own file"
    assert (site / "packs" / "mine.html").is_file()
    assert "generic_s17" not in (site / "index.html").read_text()


# --- nits: dates that do not exist, the chart file, the prefix ---------------------------------


def test_an_as_of_date_that_does_not_exist_is_told_apart_from_a_wrong_form() -> None:
    common = ["evaluate", "--policy", "kent", "--case", "x.json", "--as-of"]
    assert "that date does not exist (no such day of that month)" in call(*common, "2027-02-30")[2]
    assert "that date does not exist (no such month)" in call(*common, "2027-13-04")[2]
    assert "not a date (write YYYY-MM-DD)" in call(*common, "4 March")[2]


def test_timeline_names_the_chart_file_it_cannot_write(tmp_path: Path) -> None:
    chart = tmp_path / "missing" / "x.svg"
    code, _out, err = call(
        "timeline", "--policy", "kent", "--referral", "2026-12-01", "--svg", str(chart)
    )
    assert code == 4
    assert f"assess-rules: cannot write {chart}: " in err


def test_an_unknown_pack_name_has_no_placeholder_for_a_location() -> None:
    _code, _out, err = call("timeline", "--policy", "kentt", "--referral", "2026-12-01")
    assert err.startswith("assess-rules: no policy pack named 'kentt'")
    assert "<policy>" not in err


def test_validate_problems_carry_the_prefix() -> None:
    broken = ROOT / "tests" / "broken_packs" / "cycle_a.yaml"
    _code, _out, err = call("validate", str(broken))
    assert err.startswith("assess-rules: ")


def test_timeline_wraps_a_long_condition_under_only_when() -> None:
    _code, out, _err = call("timeline", "--policy", "buckinghamshire", "--referral", "2026-12-01")
    conditions = [
        line for line in out.splitlines() if line.startswith(("      only when:", " " * 10))
    ]
    assert len(conditions) > out.count("only when:")  # child-seen's condition is wrapped
    assert max(map(len, conditions)) <= 96


def test_a_failing_scenarios_problem_lines_are_indented_under_it(tmp_path: Path) -> None:
    scenarios = tmp_path / "t.scenarios.yaml"
    scenarios.write_text(
        """pack: generic_s17
scenarios:
  - name: no response
    as_of: 2026-12-21
    case:
      case_id: T1
      referral: {received_at: 2026-12-19T11:00}
      decision: {made_at: 2026-12-21T16:00, made_by: team_manager}
    expect:
      violations: []
""",
        encoding="utf-8",
    )
    code, out, _err = call("test", str(scenarios))
    assert code == 1
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if "the case was refused" in line)
    indent = len(lines[first]) - len(lines[first].lstrip())
    assert lines[first + 1].strip().startswith("- decision.response")
    assert len(lines[first + 1]) - len(lines[first + 1].lstrip()) > indent


def test_help_has_no_rest_markup_and_every_format_is_explained(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert call("--help")[0] == 0
    assert "``" not in capsys.readouterr().out
    for command in ("evaluate", "explain", "list", "diff", "show", "lint", "test", "timeline"):
        assert call(command, "--help")[0] == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "how to write the output: " in text, command
