"""The ``assess-rules`` command line.

Commands::

    assess-rules evaluate --policy NAME|PATH --case FILE [--as-of DATE] [--format json|text]
    assess-rules validate PATH...
    assess-rules test SCENARIO_FILE...
    assess-rules list
    assess-rules caseload --policy NAME|PATH --case FILE [--as-of DATE]
    assess-rules docs NAME|PATH    (or --facts)

``--case`` takes a JSON (or YAML) file holding one case object, a list of cases, or JSON
Lines (``.jsonl``, one case a line). In a batch every good case is evaluated and every bad
one is reported with its index and field paths.

Exit codes:

- 0: done (evaluated, or every pack valid); violations in a case do not change this
- 1: ``--fail-on-violation`` was given and some case has a violation; or a scenario failed
- 2: invalid input: a bad pack, case file, case record or argument (good records of a batch
  are still evaluated and printed)
- 3: internal error (a bug: please report it with the input)
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml

from assess_rules.calendar import LONDON
from assess_rules.case import CaseSnapshot, parse_case
from assess_rules.caseload import review_caseload
from assess_rules.errors import AssessRulesError, CaseError, CaseIssue
from assess_rules.evaluation import evaluate
from assess_rules.loading import bundled_policies, check_policy_file, load_policy
from assess_rules.records import InputTooLarge, RawLine, loads_record, read_bounded, read_lines
from assess_rules.reporting import facts_markdown, format_text, pack_markdown
from assess_rules.scenarios import run_file

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_VIOLATION", "main", "run"]

EXIT_OK = 0
EXIT_VIOLATION = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3

MAX_CASE_FILE_BYTES = 512 * 1024 * 1024


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors through our exit code, not SystemExit(2) text."""

    def error(self, message: str) -> Any:  # pragma: no cover - exercised via run()
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="assess-rules", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def pack_and_cases(name: str, help_text: str, as_of: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--policy", required=True, help="a bundled pack name or a pack file")
        command.add_argument("--case", required=True, help="a case file (.json, .yaml or .jsonl)")
        command.add_argument(
            "--as-of",
            type=_iso_date,
            default=None,
            help=f"{as_of} YYYY-MM-DD (default: today in London)",
        )
        command.add_argument("--format", choices=("json", "text"), default="text")
        return command

    ev = pack_and_cases("evaluate", "evaluate case snapshots against a pack", "evaluation date")
    ev.add_argument(
        "--fail-on-violation", action="store_true", help="exit 1 when any case has a violation"
    )
    pack_and_cases("caseload", "apply a pack's caseload reviews to many cases", "count up to")
    te = commands.add_parser("test", help="run scenario files (*.scenarios.yaml)")
    te.add_argument("paths", nargs="+")
    va = commands.add_parser("validate", help="check policy pack files")
    va.add_argument("paths", nargs="+")
    commands.add_parser("list", help="list the bundled packs")
    docs = commands.add_parser("docs", help="print a pack's Markdown page (or the fact list)")
    docs.add_argument("policy", nargs="?", help="a bundled pack name or a pack file")
    docs.add_argument("--facts", action="store_true", help="print the fact reference instead")
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``assess-rules`` script."""
    code = run(list(sys.argv[1:] if argv is None else argv), sys.stdout, sys.stderr)
    if argv is None:
        raise SystemExit(code)
    return code


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    """Run a command; write to ``stdout``/``stderr``; return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        stderr.write(f"assess-rules: {exc}\n")
        return EXIT_INVALID
    except SystemExit as exc:  # --help
        return EXIT_OK if exc.code in (0, None) else EXIT_INVALID
    try:
        if args.command == "validate":
            return _validate(args.paths, stdout, stderr)
        if args.command == "docs":
            if args.facts or not args.policy:
                stdout.write(facts_markdown())
            else:
                stdout.write(pack_markdown(load_policy(args.policy)))
            return EXIT_OK
        if args.command == "test":
            return _test(args.paths, stdout, stderr)
        if args.command == "caseload":
            return _caseload(args, stdout, stderr)
        if args.command == "list":
            for name in bundled_policies():
                stdout.write(f"{name}\n")
            return EXIT_OK
        return _evaluate(args, stdout, stderr)
    except AssessRulesError as exc:
        stderr.write(f"assess-rules: {exc}\n")
        return EXIT_INVALID
    except Exception:
        stderr.write("assess-rules: internal error; please report this with the input:\n")
        stderr.write(traceback.format_exc())
        return EXIT_INTERNAL


def _test(paths: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    passed = failed = 0
    for path in paths:
        try:
            outcomes = run_file(path)
        except (AssessRulesError, OSError) as exc:
            stderr.write(f"{path}: {exc}\n")
            failed += 1
            continue
        for name, problems in outcomes.items():
            if problems:
                failed += 1
                stdout.write(f"FAIL {path}: {name}\n")
                for problem in problems:
                    stdout.write(f"     {problem}\n")
            else:
                passed += 1
                stdout.write(f"ok   {path}: {name}\n")
    stdout.write(f"{passed} passed, {failed} failed\n")
    return EXIT_VIOLATION if failed else EXIT_OK


def _validate(paths: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    failed = False
    for path in paths:
        problems = check_policy_file(path)
        if problems:
            failed = True
            for problem in problems:
                stderr.write(f"{problem}\n")
        else:
            stdout.write(f"{path}: ok\n")
    return EXIT_INVALID if failed else EXIT_OK


def _read_cases(path: Path) -> list[Any]:
    """The records of a case file, read whole (for ``--format json`` and ``text``): a JSON
    or YAML document (one case or a list), or JSON Lines. A JSON Lines record that cannot be
    read is a :class:`_BadLine`, so the rest are still evaluated."""

    def refuse(reason: str) -> CaseError:
        return CaseError([CaseIssue((), reason)], source=str(path))

    try:
        if path.suffix == ".jsonl":
            with path.open("rb") as stream:
                return [_json_line(raw) for raw in read_lines(stream)]
        with path.open("rb") as stream:
            data = read_bounded(stream, MAX_CASE_FILE_BYTES)
    except OSError as exc:
        raise refuse(f"cannot read the file: {exc.strerror or exc}") from None
    except InputTooLarge:
        raise refuse(
            f"the case file is larger than {MAX_CASE_FILE_BYTES:,} bytes; split it, or use "
            "--format jsonl on JSON Lines, which streams"
        ) from None
    if path.suffix in {".yaml", ".yml"}:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise refuse(f"not UTF-8 text (byte {exc.start + 1})") from None
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise refuse(f"not valid YAML: {exc}") from None
    else:
        try:
            loaded = loads_record(data, document=True)
        except CaseError as exc:
            raise CaseError(exc.issues, source=str(path)) from None
    return loaded if isinstance(loaded, list) else [loaded]


class _BadLine:
    """A JSON Lines record that cannot be read: reported, and the batch goes on."""

    def __init__(self, line: int, issues: Sequence[CaseIssue]) -> None:
        self.line = line
        self.issues = tuple(issues)


class _Line:
    """A JSON Lines record and its line number."""

    def __init__(self, line: int, value: Any) -> None:
        self.line = line
        self.value = value


def _json_line(raw: RawLine) -> _Line | _BadLine:
    if raw.data is None:
        return _BadLine(raw.number, [CaseIssue((), raw.problem or "the line was not read")])
    try:
        return _Line(raw.number, loads_record(raw.data))
    except CaseError as exc:
        return _BadLine(raw.number, exc.issues)


def _records(
    path: Path, raw_cases: list[Any], *, batch: bool
) -> Iterator[tuple[int, str, Any, CaseSnapshot | CaseError]]:
    """Each record of a case file: its index, its label for messages (with the line number
    for JSON Lines), the raw value, and the parsed case or the error that refused it. A bad
    record never stops the rest."""
    for index, raw in enumerate(raw_cases):
        label = f"{path}[{index}]" if batch else str(path)
        if isinstance(raw, _BadLine | _Line):
            label = f"{path}:{raw.line}"
        if isinstance(raw, _BadLine):
            yield index, label, None, CaseError(raw.issues, source=label)
            continue
        value = raw.value if isinstance(raw, _Line) else raw
        try:
            yield index, label, value, parse_case(value, source=label)
        except CaseError as exc:
            yield index, label, value, exc


def _line_of(raw_cases: list[Any], index: int) -> dict[str, int]:
    raw = raw_cases[index]
    return {"line": raw.line} if isinstance(raw, _BadLine | _Line) else {}


def _caseload(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    policy = load_policy(args.policy)
    cases: list[CaseSnapshot] = []
    bad = 0
    path = Path(args.case)
    for _index, _label, _raw, parsed in _records(path, _read_cases(path), batch=True):
        if isinstance(parsed, CaseError):
            bad += 1
            stderr.write(f"{parsed}\n")
        else:
            cases.append(parsed)
    as_of = args.as_of or datetime.now(LONDON).date()
    reviews = review_caseload(policy, cases, as_of)
    if args.format == "json":
        payload = [asdict(review) for review in reviews]
        stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        if not reviews:
            stdout.write(f"{policy.id} has no caseload reviews\n")
        for review in reviews:
            stdout.write(
                f"{review.title} ({review.rule}; {'; '.join(str(s) for s in review.sources)})\n"
            )
            for period in review.periods:
                flag = f"  -> {review.follow_up} due" if period.review_due else ""
                rise = "" if period.rise is None else f" ({period.rise:+d})"
                stdout.write(f"  {period.period}: {period.count}{rise}{flag}\n")
            if review.undated:
                stdout.write(f"  cancelled with no decision date: {review.undated}\n")
    return EXIT_INVALID if bad else EXIT_OK


def _evaluate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    policy = load_policy(args.policy)
    path = Path(args.case)
    raw_cases = _read_cases(path)
    batch = path.suffix == ".jsonl" or len(raw_cases) != 1
    results = []
    errors: list[dict[str, Any]] = []
    for index, label, raw, case in _records(path, raw_cases, batch=batch):
        if isinstance(case, CaseError):
            case_id = raw.get("case_id") if isinstance(raw, dict) else None
            errors.append(
                {
                    "index": index,
                    **_line_of(raw_cases, index),
                    "case_id": case_id,
                    "issues": [{"path": list(i.path), "reason": i.reason} for i in case.issues],
                }
            )
            stderr.write(f"{case}\n")
            continue
        try:
            results.append(evaluate(policy, case, args.as_of))
        except AssessRulesError as exc:  # one record's problem must not stop the batch
            errors.append(
                {
                    "index": index,
                    **_line_of(raw_cases, index),
                    "case_id": case.case_id,
                    "issues": [{"path": [], "reason": str(exc)}],
                }
            )
            stderr.write(f"{label}: {exc}\n")
    if args.format == "json":
        if batch:
            payload: Any = {"results": [r.to_dict() for r in results], "errors": errors}
            stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        elif results:
            stdout.write(results[0].to_json() + "\n")
    else:
        stdout.write("\n".join(format_text(r, policy) for r in results))
    if errors:
        return EXIT_INVALID
    if args.fail_on_violation and any(r.violations for r in results):
        return EXIT_VIOLATION
    return EXIT_OK
