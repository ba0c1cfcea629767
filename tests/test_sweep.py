"""Caseload sweeps: ``evaluate --format jsonl``, the strict record reader, workers, signals and
output failures. Everything runs in-process on small inputs; sizes are benchmarks."""

from __future__ import annotations

import contextlib
import errno
import io
import itertools
import json
import os
import pickle
import signal
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess_rules import bundled_policies, evaluate, load_policy, parse_case
from assess_rules.cli import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_PIPE_CLOSED,
    EXIT_TERMINATED,
    EXIT_VIOLATION,
    run,
)
from assess_rules.errors import CaseError, PolicyError
from assess_rules.loading import reload_policy, schema_path
from assess_rules.records import Limits, RawLine, loads_record, read_lines
from assess_rules.sweep import evaluate_line, evaluate_partition, sweep, sweep_batches

EXAMPLES = Path(__file__).parents[1] / "examples" / "cases"
GENERIC = load_policy("generic_s17")
SECRET = "Jane Doe"  # stands for personal data: must never appear in an error


def good(case_id: str, day: str = "2026-12-18", team: str | None = None) -> str:
    case: dict[str, Any] = {"case_id": case_id, "referral": {"received_at": f"{day}T10:00"}}
    if team:
        case["assessment"] = {"allocated_team": team}
    return json.dumps(case)


#: every kind of bad line, and valid lines that a careless reader loses; each with what its
#: output line must say (a result, or an error at this stage with these words)
BAD_LINES: list[tuple[str, bytes, str | None, str]] = [
    ("not JSON", b"{not json", "json", "not valid JSON at column 2"),
    ("5,000 digits", b'{"case_id": "N", "n": ' + b"9" * 5000 + b"}", "json", "a number longer"),
    ("a huge float", b'{"case_id": "F", "n": 1e999}', "json", "too large for a float"),
    ("NaN", b'{"case_id": "K", "n": NaN}', "json", "NaN and Infinity"),
    ("2,000 deep", b"[" * 2000 + b"]" * 2000, "json", "nested more than 32 deep"),
    ("100,000 deep", b"[" * 100_000 + b"]" * 100_000, "json", "nested more than 32 deep"),
    (
        "a duplicate key",
        b'{"case_id": "D", "referral": {"received_at": "2026-12-18", "received_at": "2030-01-01"}}',
        "json",
        "the key appears more than once",
    ),
    ("bad UTF-8", b'{"case_id": "\xff\xfe"}', "json", "not UTF-8"),
    ("an array", b"[1, 2]", "case", "expected an object"),
    (
        "a bad value beside personal data",
        json.dumps(
            {"case_id": "P", "referral": {"received_at": f"{SECRET} born 2010-01-01"}}
        ).encode(),
        "case",
        '["referral", "received_at"]',
    ),
    ("a raw U+2028 in a string", good("U\u2028X\x85Y").encode(), None, "U\u2028X\x85Y"),
    ("a CRLF line end", good("R").encode() + b"\r", None, ""),
]


def call(*argv: str, stdout: Any = None, stderr: Any = None) -> tuple[int, str, str]:
    out = stdout if stdout is not None else io.StringIO()
    err = stderr if stderr is not None else io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue() if hasattr(out, "getvalue") else "", err.getvalue()


def sweep_file(path: Path, *extra: str, **streams: Any) -> tuple[int, str, str]:
    return call(
        "evaluate",
        "--policy",
        "generic_s17",
        "--case",
        str(path),
        "--as-of",
        "2026-12-22",
        "--format",
        "jsonl",
        *extra,
        **streams,
    )


def mixed_file(tmp_path: Path, good_lines: int = 600) -> tuple[Path, list[tuple[int, Any]]]:
    """Good lines with every bad line scattered among them, blank lines too; and what each
    non-blank line's output must be: (line number, case id or the bad line's entry)."""
    lines: list[bytes] = []
    expected: list[tuple[int, Any]] = []
    for i in range(good_lines):
        lines.append(good(f"G{i}").encode())
        expected.append((len(lines), f"G{i}"))
        if i % 50 == 7:
            bad = BAD_LINES[(i // 50) % len(BAD_LINES)]
            lines.append(bad[1])
            expected.append((len(lines), bad))
        if i % 97 == 3:
            lines.append(b"   ")
    for bad in BAD_LINES:
        lines.append(bad[1])
        expected.append((len(lines), bad))
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, expected


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_mixed_file_gives_one_line_per_input_line_in_order(tmp_path: Path, workers: str) -> None:
    path, expected = mixed_file(tmp_path)
    code, out, err = sweep_file(path, "--workers", workers)
    assert code == EXIT_INVALID, err
    # splitlines() also splits on U+2028: output lines escape it, so each is still one line
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in records] == [number for number, _ in expected]
    result_schema = json.loads(schema_path("result.schema.json").read_text())
    for record, (_, want) in zip(records, expected, strict=True):
        if isinstance(want, str):
            assert record["case_id"] == want
            assert record["result"]["case_id"] == want
            continue
        name, _, stage, words = want
        if stage is None:
            assert "result" in record, name
            assert words in record["case_id"], name
            jsonschema.validate(record["result"], result_schema)
        else:
            assert record["error"]["stage"] == stage, name
            assert words in json.dumps(record["error"]), name
    assert SECRET not in out
    assert SECRET not in err
    refused = sum(1 for _, w in expected if not isinstance(w, str) and w[2])
    total = len(expected)
    assert err.splitlines()[-1] == (
        f"assess-rules: {total:,} records read, {total - refused:,} evaluated, {refused:,} refused"
    )
    assert "Traceback" not in err


def test_a_duplicate_key_names_its_path_and_the_case_when_readable() -> None:
    outcome = evaluate_line(load_policy("generic_s17"), BAD_LINES[6][1], "2026-12-22", line=9)
    payload = json.loads(outcome.output)
    assert payload["line"] == 9
    assert payload["case_id"] == "D"
    assert payload["error"]["issues"] == [
        {
            "path": ["referral", "received_at"],
            "reason": "the key appears more than once in its object",
        }
    ]


@pytest.mark.parametrize(
    "text",
    [
        b'{"case_id": "A", "referral": {"received_at": "2026-12-18"}, "case_id": "B"}',
        b'{"case_id": "A", "referral": {"received_at": "2026-12-18"}, "c\\u0061se_id": "B"}',
    ],
)
def test_a_case_id_given_twice_names_no_case(text: bytes) -> None:
    # Either value could be the wrong one: the error must not be filed under B (or A).
    outcome = evaluate_line(GENERIC, text, "2026-12-22", line=4)
    payload = json.loads(outcome.output)
    assert payload["case_id"] is None
    assert outcome.case_id is None
    assert payload["error"]["issues"][0]["path"] == ["case_id"]


def test_a_date_outside_the_calendar_is_refused_without_repeating_it() -> None:
    # A child's date of birth must not reach logs and error records.
    text = json.dumps(
        {
            "case_id": "X",
            "referral": {"received_at": "2026-12-01"},
            "child": {"date_of_birth": "1985-06-15"},
            "visits": [{"at": "2101-01-01T10:00"}],
        }
    ).encode()
    outcome = evaluate_line(GENERIC, text, "2026-12-22", line=1)
    assert b"1985" not in outcome.output
    assert b"2101" not in outcome.output
    issues = json.loads(outcome.output)["error"]["issues"]
    assert [i["path"] for i in issues] == [["child", "date_of_birth"], ["visits", 0, "at"]]
    assert all(i["reason"].startswith("outside the supported range") for i in issues)


def test_an_error_lists_at_most_twenty_issues_and_counts_the_rest() -> None:
    visits = [{"at": "not a time"} for _ in range(30)]
    text = json.dumps({"case_id": "V", "referral": {"received_at": "2026-12-18"}, "visits": visits})
    payload = json.loads(
        evaluate_line(load_policy("generic_s17"), text, "2026-12-22", line=1).output
    )
    assert len(payload["error"]["issues"]) == 20
    assert payload["error"]["more_issues"] == 10


def test_an_evaluation_error_is_that_records_line(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    started = {"case_id": "A", "referral": {"received_at": "2026-12-18"}}
    started["assessment"] = {"started_at": "2026-12-21"}
    path.write_text(json.dumps(started) + "\n" + good("B") + "\n")
    code, out, _ = call(
        "evaluate", "--policy", "generic_s17", "--case", str(path), "--as-of", "2101-01-01",
        "--format", "jsonl", "--workers", "1",
    )  # fmt: skip
    assert code == EXIT_INVALID
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["error"]["stage"] == "evaluation"
    assert first["case_id"] == "A"
    assert second["result"]["case_id"] == "B"


def test_a_bug_in_one_record_is_its_error_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assess_rules.sweep as sweep_module

    def broken(policy: Any, case: Any, as_of: Any) -> Any:
        if case.case_id == "BUG":
            raise ZeroDivisionError("secret detail")
        return evaluate(policy, case, as_of)

    monkeypatch.setattr(sweep_module, "evaluate", broken)
    path = tmp_path / "bug.jsonl"
    path.write_text(good("BUG") + "\n" + good("OK") + "\n")
    code, out, err = sweep_file(path, "--workers", "1")
    assert code == EXIT_INTERNAL
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["error"]["stage"] == "internal"
    assert "ZeroDivisionError" in first["error"]["issues"][0]["reason"]
    assert "secret detail" not in out + err
    assert second["result"]["case_id"] == "OK"
    assert "2 records read, 1 evaluated, 0 refused, 1 internal error\n" in err


def test_fail_on_violation_in_a_sweep(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text(good("L") + "\n")
    code, _, _ = sweep_file(path, "--workers", "1", "--fail-on-violation")
    assert code == EXIT_VIOLATION
    code, _, _ = sweep_file(path, "--workers", "1")
    assert code == EXIT_OK


@pytest.mark.parametrize(("workers", "copies"), [("1", 1), ("2", 1), ("2", 100)])
def test_the_summary_counts_per_team_rule_and_status(
    tmp_path: Path, workers: str, copies: int
) -> None:
    # with workers, each batch is counted where it was evaluated and the counts are added:
    # 100 copies make seven batches of 64 lines across both workers
    path = tmp_path / "teams.jsonl"
    lines = [
        good("A", team="assessment_team"),
        good("B", team="assessment_team"),
        good("C", day="2026-12-21"),
        "{bad",
    ]
    path.write_text("\n".join(lines * copies))
    summary = tmp_path / "summary.csv"
    code, _, err = sweep_file(path, "--workers", workers, "--summary", str(summary))
    assert code == EXIT_INVALID
    rows = summary.read_text().splitlines()
    assert rows[0] == "team,finding,rule,status,count"
    assert f"all,records,,read,{4 * copies}" in rows
    assert f"all,records,,evaluated,{3 * copies}" in rows
    assert f"all,records,,refused,{copies}" in rows
    assert f"assessment_team,violation,referral-decision,high,{2 * copies}" in rows
    assert f"(not recorded),deadline,referral-decision,pending,{copies}" in rows
    assert f"all,deadline,referral-decision,missed,{2 * copies}" in rows
    assert f"all,obligation,referral-decision,overdue,{2 * copies}" in rows
    assert f"{4 * copies:,} records read, {3 * copies:,} evaluated, {copies:,} refused" in err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    path, _ = mixed_file(tmp_path, good_lines=20)
    code, _, err = sweep_file(path, "--workers", "1", stdout=Closed())
    assert code == EXIT_PIPE_CLOSED
    assert err == ""


def test_a_full_disk_is_a_clear_error_with_its_own_exit_code(tmp_path: Path) -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() > 3000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return super().write(text)

    path, _ = mixed_file(tmp_path, good_lines=300)  # several batches: the second write fails
    code, _, err = sweep_file(path, "--workers", "2", stdout=Full())
    assert code == EXIT_OUTPUT
    assert "cannot write the output (No space left on device)" in err
    assert "internal error" not in err
    assert "Traceback" not in err


def test_a_summary_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(good("A") + "\n")
    code, _, err = sweep_file(path, "--summary", str(tmp_path / "no" / "such" / "dir.csv"))
    assert code == EXIT_OUTPUT
    assert "cannot write the summary" in err


@pytest.mark.parametrize(
    ("signum", "exit_code", "name"),
    [(signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C"), (signal.SIGTERM, EXIT_TERMINATED, "SIGTERM")],
)
def test_a_signal_while_writing_stops_after_that_line(
    tmp_path: Path, signum: int, exit_code: int, name: str
) -> None:
    class Interrupting(io.StringIO):
        def write(self, text: str) -> int:
            written = super().write(text)
            if self.getvalue().count("\n") == 3:
                os.kill(os.getpid(), signum)
            return written

    path, _ = mixed_file(tmp_path, good_lines=30)
    code, out, err = sweep_file(path, "--workers", "1", stdout=Interrupting())
    assert code == exit_code
    assert out.endswith("\n")
    assert [json.loads(line)["line"] for line in out.splitlines()] == [1, 2, 3]
    assert f"stopped by {name} after input line 3; the output holds 3 complete lines" in err
    assert signal.getsignal(signum) is not None  # the handler was put back


def test_a_signal_while_reading_stops_cleanly_with_workers(tmp_path: Path) -> None:
    lines = (good(f"G{i}") + "\n" for i in range(10_000))

    class SlowStdin(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            self.reads += 1
            if self.reads == 40:
                os.kill(os.getpid(), signal.SIGINT)
            data = next(lines, "").encode()
            buffer[: len(data)] = data
            return len(data)

    class Stdin:
        buffer = io.BufferedReader(SlowStdin(), buffer_size=64)

    original = __import__("sys").stdin
    __import__("sys").stdin = Stdin()
    try:
        code, out, err = call(
            "evaluate", "--policy", "generic_s17", "--case", "-", "--as-of", "2026-12-22",
            "--format", "jsonl", "--workers", "2",
        )  # fmt: skip
    finally:
        __import__("sys").stdin = original
    assert code == EXIT_INTERRUPTED
    numbers = [json.loads(line)["line"] for line in out.splitlines()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert f"the output holds {len(numbers):,} complete lines" in err


def test_dev_zero_stops_at_the_input_bound() -> None:
    code, out, err = call(
        "evaluate", "--policy", "generic_s17", "--case", "/dev/zero", "--format", "jsonl",
        "--max-input-bytes", "5000000", "--max-line-bytes", "1000",
    )  # fmt: skip
    assert code == EXIT_INVALID
    assert out == ""
    assert "the input is larger than 5,000,000 bytes" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_past_the_input_bound_the_lines_before_are_written(tmp_path: Path, workers: str) -> None:
    path = tmp_path / "big.jsonl"
    lines = [good(f"G{i}") for i in range(300)]
    path.write_text("\n".join(lines) + "\n")
    bound = sum(len(line) + 1 for line in lines[:100]) + 10  # 100 whole lines and a bit
    code, out, err = sweep_file(path, "--workers", workers, "--max-input-bytes", str(bound))
    assert code == EXIT_INVALID
    assert [json.loads(line)["line"] for line in out.splitlines()] == list(range(1, 101))
    assert f"reading stopped at line 101: the input is larger than {bound:,} bytes" in err


def test_dev_zero_read_whole_stops_too() -> None:
    code, _, err = call("evaluate", "--policy", "generic_s17", "--case", "/dev/zero")
    assert code == EXIT_INVALID
    assert "larger than 67,108,864 bytes" in err


def test_an_over_long_line_is_refused_and_the_rest_go_on(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    padding = "x" * 5000
    long = json.dumps({"case_id": "LONG", "note": padding})
    path.write_text(good("A") + "\n" + long + "\n" + good("B") + "\n")
    code, out, _ = sweep_file(path, "--workers", "1", "--max-line-bytes", "1000")
    assert code == EXIT_INVALID
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert records[1]["error"]["stage"] == "line"
    assert "longer than 1,000 bytes" in records[1]["error"]["issues"][0]["reason"]


def test_a_worker_that_dies_is_reported_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real worker killed mid-sweep can race inside concurrent.futures itself, so the pool
    # breaking is simulated where the command meets it.
    import assess_rules.cli as cli_module

    def breaking(*args: Any, **kwargs: Any) -> Any:
        yield from itertools.islice(sweep_batches(*args, **kwargs), 64)
        raise BrokenProcessPool("a child process terminated abruptly")

    monkeypatch.setattr(cli_module, "sweep_batches", breaking)
    # the flag makes main() leave with os._exit: a fresh one, so later tests' main() returns
    monkeypatch.setattr(cli_module, "_pool_broke", threading.Event())
    path = tmp_path / "many.jsonl"
    path.write_text("".join(good(f"G{i}") + "\n" for i in range(200)))
    code, out, err = sweep_file(path, "--workers", "1")
    assert code == EXIT_INTERNAL
    assert "a worker process died" in err
    assert "the output holds 64 complete lines" in err
    assert "Traceback" not in err
    assert [json.loads(line)["line"] for line in out.splitlines()] == list(range(1, 65))


def test_sweep_options_go_with_jsonl() -> None:
    code, _, err = call(
        "evaluate", "--policy", "generic_s17", "--case", str(EXAMPLES / "saturday-referral.json"),
        "--workers", "2",
    )  # fmt: skip
    assert code == EXIT_INVALID
    assert "--workers and --summary go with --format jsonl" in err


@pytest.mark.parametrize("name", ["case.json", "case.yaml"])
def test_jsonl_output_wants_json_lines_input(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("{}")
    code, _, err = sweep_file(path)
    assert code == EXIT_INVALID
    assert "--format jsonl reads JSON Lines" in err


def test_a_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path, _ = mixed_file(tmp_path, good_lines=20)
    _, _, quiet = sweep_file(path, "--workers", "1")
    assert "records/s" not in quiet
    _, _, shown = sweep_file(path, "--workers", "1", stderr=Terminal())
    assert "records/s" in shown or "s/ records" in shown
    assert "100%" in shown


def test_the_output_lines_match_the_result_json() -> None:
    """The fast serialiser writes what ``Result.to_json`` does, for every example and pack,
    on several dates: the first time a list of options is written and when it is reused
    (three rounds), whether the case's actions answer requests or not."""
    for name in bundled_policies():
        policy = load_policy(name)
        for _ in range(3):
            for path in sorted(EXAMPLES.glob("*.json")):
                text = path.read_bytes()
                for as_of in ("2026-12-22", "2027-01-04", "2027-03-01"):
                    outcome = evaluate_line(policy, text, as_of, line=1)
                    expected = evaluate(policy, parse_case(json.loads(text)), as_of)
                    assert json.loads(outcome.output)["result"] == json.loads(expected.to_json())


def test_a_policy_pickles_as_its_source() -> None:
    policy = load_policy("kent")
    clone = pickle.loads(pickle.dumps(policy))
    assert clone.content_hash == policy.content_hash
    case = parse_case(json.loads((EXAMPLES / "kent-cancellation-request.json").read_text()))
    assert evaluate(clone, case, "2027-01-04") == evaluate(policy, case, "2027-01-04")
    assert len(pickle.dumps(policy)) < 1000


def test_a_pickled_policy_whose_pack_changed_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text((Path("policies") / "generic_s17.yaml").read_text())
    policy = load_policy(pack)
    pickled = pickle.dumps(policy)
    pack.write_text(pack.read_text() + "\n# changed\n")
    with pytest.raises(PolicyError, match="has changed since it was loaded"):
        pickle.loads(pickled)
    assert reload_policy(str(tmp_path / "gone.yaml"), "kent", load_policy("kent").content_hash)


# --- the strict reader ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ('{"a": {"b": [1, {"c": 1, "c": 2}]}}', ("a", "b", 1, "c"), "more than once"),
        ('{"a": [1, 2, ' + "1" * 50 + "]}", ("a", 2), "a number longer than 40"),
        ('{"a": -Infinity}', ("a",), "NaN and Infinity"),
        ('{"a": ' + "[" * 40 + "]" * 40 + "}", ("a", *[0] * 31), "nested more than 32 deep"),
    ],
)
def test_the_reader_refuses_with_the_path(text: str, path: tuple[object, ...], words: str) -> None:
    with pytest.raises(CaseError) as caught:
        loads_record(text)
    issue = caught.value.issues[0]
    assert issue.path == path
    assert words in issue.reason


def test_a_whole_document_error_has_line_and_column() -> None:
    with pytest.raises(CaseError, match="at line 2, column 7"):
        loads_record('{"a": 1,\n "b": }', document=True)


class Trickle(io.RawIOBase):
    """A stream that gives at most ``step`` bytes a read, to cross every chunk boundary."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        piece = self.data[self.at : self.at + min(self.step, size if size > 0 else self.step)]
        self.at += len(piece)
        return piece


@given(
    st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.integers(1, 40),
    st.booleans(),
)
def test_lines_are_split_on_newline_only_whatever_the_chunks(
    lines: list[bytes], step: int, final_newline: bool
) -> None:
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    got = [(r.number, r.data) for r in read_lines(Trickle(data, step), Limits(max_line_bytes=20))]  # type: ignore[arg-type]
    want = []
    for number, line in enumerate(lines, start=1):
        kept = line[:-1] if line.endswith(b"\r") else line
        if len(line) > 20:
            want.append((number, None))
        elif kept.strip(b" \t\r"):
            want.append((number, kept))
    assert got == want


_JSON_ISH = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from(["case_id", "referral", "received_at", "a"]), inner)
        ),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode()),
)


@given(_JSON_ISH)
def test_any_line_gives_exactly_one_json_line_and_nothing_escapes(data: bytes) -> None:
    """Only the library's own error leaves the reader; the per-record function never raises
    and always gives one line of JSON with the line number."""
    with contextlib.suppress(CaseError):
        loads_record(data)
    outcome = evaluate_line(GENERIC, data, "2026-12-22", line=7)
    assert b"\n" not in outcome.output
    assert json.loads(outcome.output)["line"] == 7


def test_main_called_from_python_never_leaves_the_process(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A broken pool makes the *script* leave at once (CPython gh-94777); called from
    Python, ``main`` returns its code even after an earlier sweep's pool broke. (Once, a
    test's broken pool made a later doctest's ``main`` call end the whole pytest run with
    exit 0, silently skipping the tests after it.)"""
    from assess_rules import cli

    cli._pool_broke.set()
    assert cli.main(["list"]) == 0
    assert "generic_s17" in capsys.readouterr().out
    assert not cli._pool_broke.is_set()


def test_a_finished_sweep_with_workers_leaves_without_a_traceback(tmp_path: Path) -> None:
    # The whole command in its own process, as a user runs it: the pool used to be left
    # without waiting, and the interpreter's exit handler then raced its manager thread,
    # wrote to the pool's closed wake-up pipe and printed "Exception ignored ... Bad file
    # descriptor" after a small sweep on a busy machine.
    lines = [RawLine(i + 1, good(f"G{i}").encode()) for i in range(3)]
    outcomes = list(sweep(GENERIC, lines, "2026-12-22", workers=2))
    assert [o.case_id for o in outcomes] == ["G0", "G1", "G2"]
    managers = [t for t in threading.enumerate() if "ExecutorManager" in type(t).__name__]
    assert managers == []  # the pool was waited for: nothing left to race at exit
    path = tmp_path / "few.jsonl"
    path.write_text("".join(good(f"G{i}") + "\n" for i in range(3)))
    import subprocess
    import sys

    finished = subprocess.run(
        [
            sys.executable, "-m", "assess_rules", "evaluate", "--policy", "generic_s17",
            "--case", str(path), "--as-of", "2026-12-22", "--format", "jsonl",
            "--workers", "2",
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 0
    assert len(finished.stdout.splitlines()) == 3
    assert finished.stderr.strip().splitlines() == [
        "assess-rules: 3 records read, 3 evaluated, 0 refused"
    ]


@pytest.mark.parametrize(
    ("signum", "exit_code", "name"),
    [(signal.SIGTERM, EXIT_TERMINATED, "SIGTERM"), (signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C")],
)
def test_a_signal_to_the_whole_group_stops_a_sweep_with_workers(
    tmp_path: Path, signum: int, exit_code: int, name: str
) -> None:
    # As a service manager or a terminal sends it: to the parent and its workers at once.
    # Workers used to inherit the parent's SIGTERM handler, die in the middle of a batch,
    # and leave the pool's manager thread dead and the command waiting at exit for ever.
    import subprocess
    import sys
    import time

    path = tmp_path / "many.jsonl"
    path.write_text("".join(good(f"G{i}") + "\n" for i in range(200_000)))
    out_path = tmp_path / "out.jsonl"
    with out_path.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "assess_rules", "evaluate", "--policy", "generic_s17",
                "--case", str(path), "--as-of", "2026-12-22", "--format", "jsonl",
                "--workers", "2",
            ],
            stdout=out, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while out_path.stat().st_size < 100_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signum)
        try:
            _, err = process.communicate(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    text = err.decode()
    assert process.returncode == exit_code, text
    assert f"stopped by {name} after input line" in text
    assert "Traceback" not in text
    assert "Exception" not in text
    lines = out_path.read_bytes().splitlines(keepends=True)
    assert lines
    assert all(line.endswith(b"\n") for line in lines)
    assert [json.loads(line)["line"] for line in lines] == list(range(1, len(lines) + 1))
    assert f"the output holds {len(lines):,} complete lines" in text
    with pytest.raises(ProcessLookupError):  # nothing of the sweep is left running
        os.killpg(process.pid, 0)


def test_a_null_record_and_a_gap_in_a_partition_are_error_lines_in_words() -> None:
    # found by a new user's trial: "expected an object, not NoneType", and a traceback
    null = json.loads(evaluate_line(GENERIC, b"null", "2026-12-22", line=1).output)
    assert null["error"]["issues"][0]["reason"] == "expected an object, not null"
    lines: list[Any] = [good("A"), None, good("B")]
    out = [json.loads(o) for o in evaluate_partition(lines, GENERIC, "2026-12-22")]
    assert [(o["line"], o["case_id"]) for o in out] == [(1, "A"), (2, None), (3, "B")]
    assert out[1]["error"]["issues"][0]["reason"] == "no record in this line (not text)"
