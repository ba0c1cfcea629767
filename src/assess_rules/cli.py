"""The ``assess-rules`` command line.

Commands::

    assess-rules evaluate --policy NAME|PATH --case FILE [--as-of DATE] [--format json|text]
    assess-rules evaluate --policy NAME|PATH --case FILE.jsonl|- --format jsonl
                          [--workers N] [--summary FILE.csv]       (a caseload sweep)
    assess-rules validate PATH...
    assess-rules test SCENARIO_FILE... [--coverage] [--min-coverage PCT] [--format text|json]
                      [--watch]
    assess-rules check SCENARIO_FILE... [--examples N] [--seed S] [--time-budget SECONDS]
    assess-rules list [--format text|json]
    assess-rules caseload --policy NAME|PATH --case FILE [--as-of DATE]
    assess-rules explain --policy NAME|PATH --case FILE [--as-of DATE] [--rule ID]
                         [--format text|json]
    assess-rules docs NAME|PATH    (or --facts)
    assess-rules show NAME|PATH|NAME@VERSION [--resolved] [--format yaml|json]
    assess-rules diff OLD NEW [--cases FILE.jsonl] [--as-of DATE] [--format text|json|markdown]

Every command takes ``--pack-dir DIR`` (repeatable): where a pack named on the command line
or in an ``extends`` is looked for first, before ``ASSESS_RULES_PACK_PATH``, installed pack
packages and the bundled packs (docs/pack-location.md).
    assess-rules docs --html DIR [NAME|PATH...]     (a static site: docs/site.md)
    assess-rules timeline --policy NAME|PATH --referral DATETIME [--svg FILE]

``--case`` takes a JSON (or YAML) file holding one case object, a list of cases, or JSON
Lines (``.jsonl``, one case a line). In a batch every good case is evaluated and every bad
one is reported with its index (and line) and field paths.

``--format jsonl`` streams a caseload sweep (docs/sweeps.md): one output line per non-blank
input line, in order, each a result or an error record with the input ``line`` and the
``case_id``; memory stays flat, ``--workers`` processes evaluate, and a summary line goes to
stderr. The reading and the per-record function live in :mod:`assess_rules.sweep`.

Exit codes:

- 0: done (evaluated, or every pack valid); violations in a case do not change this;
  ``diff``: no differences
- 1: ``diff``: the packs differ, or some case's outcome does (docs/diff.md)
- 1: ``--fail-on-violation`` was given and some case has a violation; or a scenario failed
- 2: invalid input: a bad pack, case file, case record or argument (good records of a batch
  are still evaluated and printed)
- 3: internal error (a bug: please report it with the input)
- 4: the output could not be written (a full disk): a clear message, not a traceback
- 130 / 143: a sweep stopped by Ctrl-C / SIGTERM; what was written is whole lines
- 141: the reader closed the output pipe (any command); it ends quietly
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import stat
import sys
import textwrap
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from assess_rules.calendar import describe, evaluation_date_words, today_in_london
from assess_rules.case import CaseSnapshot, parse_case
from assess_rules.caseload import review_caseload
from assess_rules.diff import diff_command
from assess_rules.errors import AssessRulesError, CaseError, CaseIssue, PolicyError
from assess_rules.evaluation import evaluate
from assess_rules.explain import explain as explain_case
from assess_rules.explain import format_explanation
from assess_rules.explain import run_command as run_explain
from assess_rules.lint import lint_command
from assess_rules.listing import list_packs
from assess_rules.loading import check_policy_file, load_policy, read_yaml
from assess_rules.packpath import PackSearchPath, pack_search_path
from assess_rules.policy import Policy
from assess_rules.records import (
    DEFAULT_LIMITS,
    InputTooLargeError,
    Limits,
    RawLine,
    loads_record,
    read_bounded,
    read_lines,
)
from assess_rules.reporting import facts_markdown, format_text, pack_markdown
from assess_rules.resolved import show_command
from assess_rules.result import Result
from assess_rules.scenarios import load_scenario_file
from assess_rules.site import build_site, referral_timeline_svg
from assess_rules.sweep import SweepCounts, case_id_of, default_workers, error_fields, sweep_batches
from assess_rules.timing import timeline

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_PIPE_CLOSED",
    "EXIT_TERMINATED",
    "EXIT_VIOLATION",
    "main",
    "run",
]

EXIT_OK = 0
EXIT_VIOLATION = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_OUTPUT = 4
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_PIPE_CLOSED = 128 + signal.SIGPIPE
EXIT_TERMINATED = 128 + signal.SIGTERM

#: the largest case file read whole (``--format json`` or ``text``); ``--format jsonl``
#: streams JSON Lines of any size
MAX_CASE_FILE_BYTES = 64 * 1024 * 1024


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors through our exit code, not SystemExit(2) text."""

    def error(self, message: str) -> Any:  # pragma: no cover - exercised via run()
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    summary = __doc__.split("\n\n")[0].replace("``", "")  # no reST in --help
    parser = _Parser(prog="assess-rules", description=summary)
    commands = parser.add_subparsers(dest="command", required=True)

    def pack_and_cases(
        name: str, help_text: str, as_of: str, formats: tuple[str, ...] = ("json", "text")
    ) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--policy", required=True, help="a bundled pack name or a pack file")
        command.add_argument(
            "--case",
            required=True,
            help="a case file (.json, .yaml or .jsonl); with --format jsonl, JSON Lines "
            "from a file or '-' (standard input)",
        )
        command.add_argument(
            "--as-of",
            type=_iso_date,
            default=None,
            help=f"{as_of} YYYY-MM-DD (default: today in London)",
        )
        command.add_argument("--format", choices=formats, default="text")
        return command

    ev = pack_and_cases(
        "evaluate",
        "evaluate case snapshots against a pack",
        "evaluation date",
        ("json", "text", "jsonl"),
    )
    ev.add_argument(
        "--fail-on-violation", action="store_true", help="exit 1 when any case has a violation"
    )
    sweeping = ev.add_argument_group(
        "sweeps (--format jsonl: one output line per input line, streamed)"
    )
    sweeping.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="worker processes (default: the machine's cores)",
    )
    sweeping.add_argument(
        "--summary", metavar="FILE.csv", help="write counts per team, rule and status here"
    )
    sweeping.add_argument(
        "--max-line-bytes",
        type=_positive,
        default=DEFAULT_LIMITS.max_line_bytes,
        help="refuse a longer line (default: %(default)s)",
    )
    sweeping.add_argument(
        "--max-input-bytes",
        type=_positive,
        default=DEFAULT_LIMITS.max_input_bytes,
        help="stop reading after this many bytes (default: %(default)s)",
    )
    pack_and_cases("caseload", "apply a pack's caseload reviews to many cases", "count up to")
    ex = pack_and_cases(
        "explain", "why each rule of a pack applied to a case or not (docs/explain.md)", "as of"
    )
    ex.add_argument("--rule", default=None, help="explain only this rule (its id)")
    ch = commands.add_parser(
        "check",
        help="search scenario files' packs for counter-examples to the built-in invariants "
        "and the files' own (needs the test extra: hypothesis)",
    )
    ch.add_argument("paths", nargs="+", help="scenario files (*.scenarios.yaml)")
    ch.add_argument("--examples", type=_positive, default=100, help="cases per invariant")
    ch.add_argument("--seed", type=int, default=None, help="a seed (default: derandomized)")
    ch.add_argument(
        "--time-budget",
        type=_positive,
        default=None,
        help="seconds: start no further invariant once spent",
    )
    ch.add_argument(
        "--only",
        choices=("built-in", "authored"),
        default=None,
        help="run only the built-in invariants, or only the files' own",
    )
    te = commands.add_parser("test", help="run scenario files (*.scenarios.yaml)")
    te.add_argument("paths", nargs="+")
    te.add_argument(
        "--coverage",
        action="store_true",
        help="report every rule and branch, the scenarios that exercised it, and the gaps",
    )
    te.add_argument(
        "--min-coverage",
        type=_percentage,
        metavar="PCT",
        help="fail (exit 1) when fewer than PCT%% of rules and branches are exercised",
    )
    te.add_argument("--format", choices=("text", "json"), default="text")
    te.add_argument(
        "--watch", action="store_true", help="run again whenever a scenario file or pack changes"
    )
    va = commands.add_parser("validate", help="check policy pack files")
    va.add_argument("paths", nargs="+")
    ls = commands.add_parser("list", help="list the packs found, and where each comes from")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    tl = commands.add_parser(
        "timeline", help="every timescale a referral starts, with its due date (a preview)"
    )
    tl.add_argument("--policy", required=True, help="a bundled pack name or a pack file")
    tl.add_argument(
        "--referral",
        required=True,
        type=_iso_moment,
        help="when the referral was received: YYYY-MM-DD or YYYY-MM-DDTHH:MM (London)",
    )
    tl.add_argument("--format", choices=("json", "text"), default="text")
    sh = commands.add_parser("show", help="print a pack as written, or resolved (docs/diff.md)")
    sh.add_argument("policy", help="a bundled pack name, a pack file, or NAME@VERSION")
    sh.add_argument("--resolved", action="store_true", help="the effective pack, extends resolved")
    sh.add_argument("--format", choices=("yaml", "json"), default="yaml")
    df = commands.add_parser(
        "diff",
        help="what changed between two packs, and in which cases (docs/diff.md)",
        description="Exit 0: no differences; 1: differences; 2: invalid input (a bad pack or "
        "argument, or a record of --cases neither pack could judge).",
    )
    df.add_argument("old", help="a bundled pack name, a pack file, or NAME@VERSION")
    df.add_argument("new", help="a bundled pack name, a pack file, or NAME@VERSION")
    df.add_argument("--cases", help="JSON Lines of cases to judge under both packs ('-': stdin)")
    df.add_argument("--as-of", type=_iso_date, help="evaluation date for --cases (default today)")
    df.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    li = commands.add_parser(
        "lint", help="domain lints of policy packs beyond validation (docs/lint.md)"
    )
    li.add_argument("paths", nargs="+", help="pack files, bundled pack names or directories")
    li.add_argument("--as-of", type=_iso_date, default=None, help="the lint date (default: today)")
    li.add_argument("--format", choices=("text", "json"), default="text")
    li.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default="error",
        help="exit 1 when a finding at this level or above stands (default: %(default)s)",
    )
    li.add_argument("--strict", action="store_true", help="exit 1 on any finding (--fail-on info)")
    li.add_argument(
        "--catalogue", metavar="FILE.md", help="read the ambiguity marks from the rule catalogue"
    )
    tl.add_argument("--svg", metavar="FILE", help="also write the timeline as an SVG chart")
    docs = commands.add_parser("docs", help="print a pack's Markdown page (or the fact list)")
    docs.add_argument(
        "policy", nargs="*", help="a bundled pack name or a pack file (with --html: any number)"
    )
    docs.add_argument("--facts", action="store_true", help="print the fact reference instead")
    docs.add_argument(
        "--html", metavar="DIR", help="write a static site (default: every bundled pack) to DIR"
    )
    for command in commands.choices.values():  # every command, those added later too
        _add_pack_dir(command)
        for action in command._actions:  # every --format says what its choices are
            if "--format" in action.option_strings and action.help is None:
                words = ", ".join(f"{c} ({_FORMATS[c]})" for c in action.choices or ())
                action.help = f"how to write the output: {words}; default: %(default)s"
    return parser


#: what each ``--format`` choice gives, for ``--help``
_FORMATS = {
    "text": "for people",
    "json": "one document, for tools",
    "jsonl": "one line per case, streamed: docs/sweeps.md",
    "markdown": "for a sign-off document",
    "yaml": "as a pack file is written",
}


def _add_pack_dir(command: argparse.ArgumentParser) -> None:
    """``--pack-dir DIR`` (repeatable): where packs named on the command line, or in an
    ``extends``, are looked for first (docs/pack-location.md)."""
    command.add_argument(
        "--pack-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="look for packs by name here first (repeatable; then ASSESS_RULES_PACK_PATH, "
        "installed pack packages, the bundled packs)",
    )


def _packs(args: argparse.Namespace) -> PackSearchPath:
    """The search path of a command: its ``--pack-dir`` folders, then the default path."""
    return pack_search_path(getattr(args, "pack_dir", None) or ())


def _percentage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("expected a percentage from 0 to 100")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number, 1 or more")
    return int(text)


def _iso_date(text: str) -> date:
    """``YYYY-MM-DD`` only; the message never repeats what was given, and says whether the
    form is wrong or the date does not exist (``2027-02-30``)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            digits = text[:4] + text[5:7] + text[8:]
            if digits.isascii() and digits.isdigit():
                month = int(text[5:7])
                what = "month" if not 1 <= month <= 12 else "day of that month"
                raise argparse.ArgumentTypeError(
                    f"that date does not exist (no such {what})"
                ) from None
    raise argparse.ArgumentTypeError("not a date (write YYYY-MM-DD)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``assess-rules`` script."""
    _pool_broke.clear()
    code = run(list(sys.argv[1:] if argv is None else argv), sys.stdout, sys.stderr)
    if argv is not None:
        # called from Python (a test, a doctest, a program of the user's): never leave the
        # process nor redirect its output; the exit code says what happened
        return code
    if _pool_broke.is_set():  # pragma: no cover - needs a worker killed
        # Python 3.11's process pool can deadlock at exit after a worker died (CPython
        # gh-94777): everything is written and flushed, so leave without waiting for it
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if code == EXIT_PIPE_CLOSED:  # pragma: no cover - needs a real pipe
        # the reader has gone: let the interpreter's last flush go nowhere, quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(code)


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
            return _validate(args.paths, stdout, stderr, _packs(args))
        if args.command == "docs":
            if args.html:
                return _docs_site(args, stdout)
            if len(args.policy) > 1:
                stderr.write("assess-rules: docs prints one pack's page (or use --html DIR)\n")
                return EXIT_INVALID
            if args.facts or not args.policy:
                stdout.write(facts_markdown())
            else:
                stdout.write(pack_markdown(load_policy(args.policy[0], search_path=_packs(args))))
            return EXIT_OK
        if args.command == "test":
            return _test(args, stdout, stderr)
        if args.command == "lint":
            return lint_command(
                args.paths,
                as_of=args.as_of,
                output=args.format,
                fail_on="info" if args.strict else args.fail_on,
                catalogue=args.catalogue,
                stdout=stdout,
                stderr=stderr,
                search_path=_packs(args),
            )
        if args.command == "check":
            return _check(args, stdout, stderr)
        if args.command == "caseload":
            return _caseload(args, stdout, stderr)
        if args.command == "explain":
            return run_explain(
                args,
                load_policy(args.policy, search_path=_packs(args)),
                _read_cases(Path(args.case)),
                stdout,
            )
        if args.command == "timeline":
            return _timeline(args, stdout, stderr)
        if args.command == "show":
            return show_command(
                args.policy,
                resolved=args.resolved,
                output_format=args.format,
                stdout=stdout,
                search_path=_packs(args),
            )
        if args.command == "diff":
            return diff_command(
                args.old,
                args.new,
                cases=args.cases,
                as_of=args.as_of,
                output_format=args.format,
                stdout=stdout,
                search_path=_packs(args),
            )
        if args.command == "list":
            return list_packs(_packs(args), stdout, stderr, output=args.format)
        if args.format == "jsonl":
            return _sweep(args, stdout, stderr)
        if args.workers is not None or args.summary is not None:
            stderr.write("assess-rules: --workers and --summary go with --format jsonl\n")
            return EXIT_INVALID
        return _evaluate(args, stdout, stderr)
    except AssessRulesError as exc:
        stderr.write(f"assess-rules: {exc}\n")
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_PIPE_CLOSED  # the reader went away (``| head``): nothing more to say
    except OSError as exc:
        # Input problems are reported as invalid input where they are read, so what reaches
        # here is the output failing: a full disk, a closed file.
        stderr.write(f"assess-rules: cannot write the output: {exc.strerror or exc}\n")
        return EXIT_OUTPUT
    except Exception:
        stderr.write("assess-rules: internal error; please report this with the input:\n")
        stderr.write(traceback.format_exc())
        return EXIT_INTERNAL


def _iso_moment(text: str) -> datetime:
    """A referral time as the snapshot reads it (ISO 8601, London); never repeated back."""
    try:
        return parse_case(
            {"case_id": "timeline", "referral": {"received_at": text}}
        ).referral.received_at
    except CaseError:
        raise argparse.ArgumentTypeError(
            "not a date or time (write YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None


def _timeline(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``assess-rules timeline``: the deadlines a referral starts, soonest first."""
    policy = load_policy(args.policy, search_path=_packs(args))
    entries = timeline(policy, args.referral)
    if args.svg:
        chart = referral_timeline_svg(policy, args.referral)
        try:
            Path(args.svg).write_text(chart, encoding="utf-8")
        except OSError as exc:
            stderr.write(f"assess-rules: cannot write {args.svg}: {exc.strerror or exc}\n")
            return EXIT_OUTPUT
    if args.format == "json":
        rows = [
            {
                "rule": e.rule,
                "title": e.title,
                "due": e.due.isoformat(),
                "computation": e.computation,
                "skipped_days": [d.isoformat() for d in e.skipped],
                "applies_when": e.applies_when,
            }
            for e in entries
        ]
        stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    version = policy.version_on(args.referral.date())
    stdout.write(f"Referral {describe(args.referral)}, pack {version.id} {version.version}\n\n")
    for e in entries:
        stdout.write(f"  due {describe(e.due.date())}  {e.title} ({e.rule})\n")
        stdout.write(f"      {e.computation}\n")
        if e.applies_when:  # a long condition wrapped at its words, indented under itself
            lines = textwrap.wrap(
                " ".join(e.applies_when.split()),
                width=96,
                initial_indent="      only when: ",
                subsequent_indent="          ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            stdout.write("\n".join(lines) + "\n")
    if not entries:
        stdout.write("  no timescale of this pack starts from the referral\n")
    return EXIT_OK


def _docs_site(args: argparse.Namespace, stdout: TextIO) -> int:
    """``assess-rules docs --html DIR``: the static site (docs/site.md)."""
    pages = build_site(Path(args.html), args.policy, search_path=_packs(args))
    stdout.write(f"wrote {len(pages)} pages; open {pages[0]}\n")
    return EXIT_OK


def _test(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``assess-rules test``: the logic is :func:`assess_rules.testing.runner.run_test_command`."""
    from assess_rules.testing.runner import run_test_command

    return run_test_command(
        args.paths,
        stdout,
        stderr,
        search_path=_packs(args),
        coverage=args.coverage,
        min_coverage=args.min_coverage,
        output=args.format,
        watching=args.watch,
    )


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``assess-rules check``: built-in and authored invariants of each file's pack; each
    counter-example printed as a scenario (JSON, which YAML reads) to paste into the file.
    The built-in invariants are searched together: every drawn case is checked by each."""
    try:  # the testing helpers need Hypothesis, a test dependency: imported only here
        from assess_rules.testing.invariants import BUILT_IN, authored
        from assess_rules.testing.search import find_counterexample, find_counterexamples
    except ImportError:  # pragma: no cover - the dev install has it
        stderr.write("assess-rules: check needs Hypothesis: pip install 'assess-rules[test]'\n")
        return EXIT_INVALID
    started = time.monotonic()
    passed = failed = skipped = 0

    def spent() -> bool:
        return bool(args.time_budget) and time.monotonic() - started > args.time_budget

    def report(path: str, label: str, found: Any, policy: Policy) -> None:
        nonlocal passed, failed
        if found is None:
            passed += 1
            stdout.write(f"ok   {path}: {label}\n")
            return
        failed += 1
        stdout.write(f"FAIL {path}: {label}\n     {found.violation}\n")
        scenario = json.dumps([found.scenario()], indent=2, ensure_ascii=False)
        stdout.write(textwrap.indent(scenario, "     ") + "\n")
        # What the pack said of that case, rule by rule, with the why of each answer.
        text = format_text(evaluate(policy, found.case, found.as_of), policy)
        stdout.write("     what the pack says of this case:\n")
        stdout.write(textwrap.indent(text, "       ") + "\n")
        if found.violation.rule is not None:  # why the rule that broke it answered so
            why = explain_case(policy, found.case, found.as_of, found.violation.rule)
            stdout.write(f"     why {found.violation.rule} answered so (explain):\n")
            stdout.write(textwrap.indent(format_explanation(why), "       ") + "\n")

    for path in args.paths:
        scenario_file = load_scenario_file(path)
        policy = scenario_file.policy(_packs(args))
        authored_checks = []
        for spec in scenario_file.invariants:
            own = authored(spec)
            own.check_against(policy)
            authored_checks.append((f"invariant: {spec.name}", own))
        if args.only == "authored":
            pass
        elif spent():
            skipped += len(BUILT_IN)
        else:
            found = {
                c.invariant: c
                for c in find_counterexamples(
                    policy, BUILT_IN, examples=args.examples, seed=args.seed
                )
            }
            for built_in in BUILT_IN:
                name = built_in.__name__
                report(path, f"built-in: {name}", found.get(name), policy)
        for label, invariant in authored_checks if args.only != "built-in" else ():
            if spent():
                skipped += 1
                continue
            counterexample = find_counterexample(
                policy, invariant, examples=args.examples, seed=args.seed
            )
            report(path, label, counterexample, policy)
    tail = f", {skipped} not run (time budget)" if skipped else ""
    stdout.write(f"{passed} passed, {failed} failed{tail}\n")
    return EXIT_VIOLATION if failed else EXIT_OK


def _validate(
    paths: Sequence[str], stdout: TextIO, stderr: TextIO, search_path: PackSearchPath
) -> int:
    failed = False
    for path in paths:
        problems = check_policy_file(path, search_path=search_path)
        if problems:
            failed = True
            for problem in problems:
                stderr.write(f"assess-rules: {problem}\n")
        else:
            stdout.write(f"{path}: ok\n")
    return EXIT_INVALID if failed else EXIT_OK


def _read_cases(path: Path) -> list[Any]:
    """The records of a case file, read whole (for ``--format json`` and ``text``): a JSON
    or YAML document (one case or a list), or JSON Lines. A JSON Lines record that cannot be
    read is a :class:`_BadLine`, so the rest are still evaluated."""

    def refuse(reason: str) -> CaseError:
        return CaseError([CaseIssue((), reason)], source=str(path))

    if str(path) == "-":
        raise AssessRulesError(
            "'-' (standard input) needs --format jsonl (evaluate streams JSON Lines from it); "
            "otherwise give a case file"
        )
    try:
        if path.suffix == ".jsonl":
            with path.open("rb") as stream:
                limits = Limits(max_input_bytes=MAX_CASE_FILE_BYTES)
                return [_json_line(raw) for raw in read_lines(stream, limits)]
        with path.open("rb") as stream:
            data = read_bounded(stream, MAX_CASE_FILE_BYTES)
    except OSError as exc:
        raise refuse(f"cannot read the file: {exc.strerror or exc}") from None
    except InputTooLargeError:
        raise refuse(
            f"the case file is larger than {MAX_CASE_FILE_BYTES:,} bytes; split it, or use "
            "--format jsonl on JSON Lines, which streams"
        ) from None
    if not data.strip():
        raise refuse("the file is empty: no case to evaluate")
    if path.suffix in {".yaml", ".yml"}:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise refuse(f"not UTF-8 text (byte {exc.start + 1})") from None
        try:
            loaded = read_yaml(text, str(path)).data
        except PolicyError as exc:
            raise CaseError([_yaml_case_issue(exc)], source=str(path)) from None
    else:
        try:
            loaded = loads_record(data, document=True)
        except CaseError as exc:
            raise CaseError(exc.issues, source=str(path)) from None
    return loaded if isinstance(loaded, list) else [loaded]


#: What each kind of unsafe YAML is, in words that repeat nothing of the file (a case file
#: holds personal data: a child's name beside a syntax error must not reach a log).
_YAML_PROBLEMS = {
    "yaml-syntax": "not valid YAML",
    "yaml-anchor": "anchors and aliases (& and *) are not allowed in a case file",
    "yaml-tag": "a YAML tag (!!...) is not allowed in a case file",
    "yaml-key": "keys must be text",
    "yaml-duplicate": "a key given twice",
    "yaml-value": "not a valid value (check the date or number)",
    "yaml-depth": "nested too deeply",
    "yaml-size": "too many values",
}


def _yaml_case_issue(error: PolicyError) -> CaseIssue:
    """A YAML problem of a case file, located by line and column and field, value-free."""
    where = f" at line {error.line}, column {error.column}" if error.line is not None else ""
    what = _YAML_PROBLEMS.get(error.kind or "", "not a safe YAML case file")
    if error.kind == "yaml-syntax":  # the parser's reason: its own words, not the file's
        what = " ".join(error.reason.split())
    return CaseIssue(error.path, f"{what}{where}")


class _BadLine:
    """A JSON Lines record that cannot be read: reported, and the batch goes on."""

    def __init__(self, line: int, issues: Sequence[CaseIssue], stage: str = "json") -> None:
        self.line = line
        self.issues = tuple(issues)
        self.stage = stage  # as a sweep's error line says it: "line" or "json"


class _Line:
    """A JSON Lines record and its line number."""

    def __init__(self, line: int, value: Any) -> None:
        self.line = line
        self.value = value


def _json_line(raw: RawLine) -> _Line | _BadLine:
    if raw.data is None:
        return _BadLine(
            raw.number, [CaseIssue((), raw.problem or "the line was not read")], stage="line"
        )
    try:
        return _Line(raw.number, loads_record(raw.data))
    except CaseError as exc:
        return _BadLine(raw.number, exc.issues)


def _records(
    path: Path, raw_cases: list[Any], *, batch: bool, policy: Policy
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
            yield (
                index,
                label,
                value,
                parse_case(value, source=label, vocabulary=policy.vocabulary),
            )
        except CaseError as exc:
            yield index, label, value, exc


def _line_of(raw_cases: list[Any], index: int) -> dict[str, int]:
    raw = raw_cases[index]
    return {"line": raw.line} if isinstance(raw, _BadLine | _Line) else {}


def _caseload(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    policy = load_policy(args.policy, search_path=_packs(args))
    cases: list[CaseSnapshot] = []
    bad = 0
    path = Path(args.case)
    records = _records(path, _read_cases(path), batch=True, policy=policy)
    for _index, _label, _raw, parsed in records:
        if isinstance(parsed, CaseError):
            bad += 1
            stderr.write(f"{parsed}\n")
        else:
            cases.append(parsed)
    as_of = args.as_of or today_in_london()
    reviews = review_caseload(policy, cases, as_of)
    if args.format == "json":
        payload = [asdict(review) for review in reviews]
        stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        if args.as_of is None:  # the months run to today's: say so
            stdout.write(f"Counted up to {evaluation_date_words(as_of, defaulted=True)}\n")
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
    policy = load_policy(args.policy, search_path=_packs(args))
    path = Path(args.case)
    try:
        raw_cases = _read_cases(path)
    except CaseError as exc:  # the file as a whole: in JSON, an error document too
        if args.format == "json":
            document = error_fields(None, "file", exc.issues)
            stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        raise
    batch = path.suffix == ".jsonl" or len(raw_cases) != 1
    # Each result is written as soon as it is found, so a batch keeps no results in memory.
    write = _BatchWriter(stdout, args.format, batch, policy)
    violated = False
    errors: list[dict[str, Any]] = []
    for index, label, raw, case in _records(path, raw_cases, batch=batch, policy=policy):
        if isinstance(case, CaseError):
            read = raw_cases[index]
            stage = read.stage if isinstance(read, _BadLine) else "case"
            errors.append(
                {
                    "index": index,
                    **_line_of(raw_cases, index),
                    **error_fields(case_id_of(raw), stage, case.issues),
                }
            )
            stderr.write(f"{case}\n")
            continue
        try:
            result = evaluate(policy, case, args.as_of)
        except AssessRulesError as exc:  # one record's problem must not stop the batch
            errors.append(
                {
                    "index": index,
                    **_line_of(raw_cases, index),
                    **error_fields(case.case_id, "evaluation", [CaseIssue((), str(exc))]),
                }
            )
            stderr.write(f"{label}: {exc}\n")
            continue
        violated = violated or bool(result.violations)
        write.result(result)
    write.end(errors)
    if errors:
        return EXIT_INVALID
    if args.fail_on_violation and violated:
        return EXIT_VIOLATION
    return EXIT_OK


class _BatchWriter:
    """Writes ``evaluate``'s results one at a time, as the whole document would be: for a
    batch in JSON, ``{"results": [...], "errors": [...]}`` indented as ``json.dumps(...,
    indent=2)`` writes it; one case's result alone; or the text reports."""

    def __init__(self, stdout: TextIO, form: str, batch: bool, policy: Policy) -> None:
        self.stdout, self.form, self.batch, self.policy = stdout, form, batch, policy
        self.written = 0

    def result(self, result: Result) -> None:
        out = self.stdout
        if self.form != "json":
            out.write(("\n" if self.written else "") + format_text(result, self.policy))
        elif not self.batch:
            if not self.written:
                out.write(result.to_json() + "\n")
        else:
            text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
            # JSON text holds no raw line breaks, so each line is indented two levels more
            out.write('{\n  "results": [\n' if not self.written else ",\n")
            out.write("\n".join("    " + line for line in text.split("\n")))
        self.written += 1

    def end(self, errors: list[dict[str, Any]]) -> None:
        if self.form != "json":
            return
        out = self.stdout
        if not self.batch:  # one case refused: its error record, as a sweep would write it
            if errors:
                record = {k: v for k, v in errors[0].items() if k != "index"}
                out.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
            return
        out.write('{\n  "results": [],\n' if not self.written else "\n  ],\n")
        text = json.dumps(errors, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.write(f'  "errors": {text}\n}}\n')


# --- sweeps: --format jsonl -----------------------------------------------------------------


#: set when a worker process died during a sweep (see :func:`main`)
#: set when a sweep's worker died, so that the script's ``main`` leaves without waiting on
#: the pool (see there); cleared by each ``main``, and read only when ``main`` is the script
_pool_broke = threading.Event()


class _Stopped(BaseException):
    """Ctrl-C or SIGTERM, raised between output lines (a BaseException, like
    KeyboardInterrupt, so that no per-record handler turns it into an error line)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _OutputError(Exception):
    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _PipeClosedError(Exception):
    pass


class _SignalGuard:
    """Ctrl-C and SIGTERM stop a sweep, but never in the middle of writing a line: a signal
    that comes while a line is written takes effect once it is."""

    def __init__(self) -> None:
        self.writing = False
        self.pending: int | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: object) -> None:
        if self.writing:
            self.pending = signum
        else:
            raise _Stopped(signum)

    def check(self) -> None:
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise _Stopped(signum)


def _binary_writer(stream: TextIO) -> tuple[Callable[[bytes], object], Callable[[], object]]:
    """Write bytes to ``stream``: to its binary buffer where it has one (stdout), else as
    text (a ``StringIO`` in tests)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        return buffer.write, buffer.flush
    return (lambda data: stream.write(data.decode("utf-8"))), stream.flush


def _guarded(action: Callable[[], object]) -> None:
    try:
        action()
    except BrokenPipeError:
        raise _PipeClosedError from None
    except OSError as exc:
        raise _OutputError(exc) from None


def _open_input(name: str) -> tuple[Any, int | None]:
    """The input as a binary stream, and its size when it is a regular file."""
    if name == "-":
        return sys.stdin.buffer, None
    if Path(name).suffix in {".json", ".yaml", ".yml"}:
        raise CaseError(
            [
                CaseIssue(
                    (),
                    "--format jsonl reads JSON Lines (one case a line); "
                    "for a .json or .yaml file use --format json",
                )
            ],
            source=name,
        )
    try:
        stream = open(name, "rb")  # noqa: SIM115 - closed by the caller
        info = os.fstat(stream.fileno())
    except OSError as exc:
        raise CaseError(
            [CaseIssue((), f"cannot read the file: {exc.strerror or exc}")], source=name
        ) from None
    return stream, info.st_size if stat.S_ISREG(info.st_mode) else None


def _progress_bar(stderr: TextIO, size: int | None) -> Any:
    """A progress bar on stderr when it is a terminal (records, rate, time left), else
    ``None``."""
    isatty = getattr(stderr, "isatty", None)
    if not (isatty and isatty()):
        return None
    from tqdm import tqdm

    class _Bar(tqdm):  # type: ignore[type-arg]
        monitor_interval = 0  # no monitor thread: worker processes are forked later

    return _Bar(file=stderr, unit=" records", unit_scale=True, mininterval=0.5, total=size and 0)


def _sweep(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``evaluate --format jsonl``: stream the records, one output line per input line."""
    policy = load_policy(args.policy, search_path=_packs(args))
    as_of = args.as_of or today_in_london()
    limits = Limits(max_line_bytes=args.max_line_bytes, max_input_bytes=args.max_input_bytes)
    workers = args.workers or default_workers()
    source, size = _open_input(args.case)
    counts = SweepCounts()
    write, flush = _binary_writer(stdout)
    bar = _progress_bar(stderr, size)
    read_to = [0]  # how far the reader has got, in bytes, for the time left

    def lines() -> Iterator[RawLine]:
        for raw in read_lines(source, limits):
            read_to[0] = raw.end
            yield raw

    code: int | None = None
    try:
        with _SignalGuard() as guard:
            batches = sweep_batches(policy, lines(), as_of, workers=workers, limits=limits)
            try:
                for batch in batches:
                    guard.writing = True
                    _guarded(partial(write, batch.output))
                    counts.merge(batch.counts)
                    guard.writing = False
                    guard.check()
                    if bar is not None:
                        if size and read_to[0]:
                            bar.total = max(counts.read, counts.read * size // read_to[0])
                        bar.update(batch.counts.read)
                _guarded(flush)
            except _Stopped as exc:
                name = "Ctrl-C" if exc.signum == signal.SIGINT else "SIGTERM"
                _guarded(flush)
                stderr.write(
                    f"assess-rules: stopped by {name} after input line {counts.last_line:,}; "
                    f"the output holds {counts.read:,} complete lines\n"
                )
                code = EXIT_INTERRUPTED if exc.signum == signal.SIGINT else EXIT_TERMINATED
            except InputTooLargeError as exc:
                _guarded(flush)
                stderr.write(f"assess-rules: {args.case}: {exc}\n")
                code = EXIT_INVALID
            except BrokenProcessPool:
                _pool_broke.set()
                _guarded(flush)
                stderr.write(
                    "assess-rules: a worker process died (out of memory, or killed) after "
                    f"input line {counts.last_line:,}; the output holds {counts.read:,} "
                    "complete lines\n"
                )
                code = EXIT_INTERNAL
            except OSError as exc:  # output errors are _OutputError: this is the input
                _guarded(flush)
                stderr.write(
                    f"assess-rules: {args.case}: cannot read the input "
                    f"({exc.strerror or type(exc).__name__}) after line {counts.last_line:,}\n"
                )
                code = EXIT_INVALID
            finally:
                batches.close()
    except _PipeClosedError:
        return EXIT_PIPE_CLOSED
    except _OutputError as exc:
        stderr.write(
            f"assess-rules: cannot write the output ({exc.error.strerror or exc.error}); "
            f"stopped after input line {counts.last_line:,}, the last line written may be "
            "incomplete\n"
        )
        return EXIT_OUTPUT
    finally:
        if bar is not None:
            bar.close()
        if source is not sys.stdin.buffer:
            source.close()
    if args.summary:
        try:
            _write_summary(Path(args.summary), counts)
        except OSError as exc:
            stderr.write(
                f"assess-rules: cannot write the summary {args.summary}: {exc.strerror or exc}\n"
            )
            return EXIT_OUTPUT
    internal = f", {_count(counts.internal, 'internal error')}" if counts.internal else ""
    stderr.write(
        f"assess-rules: {_count(counts.read, 'record')} read, {counts.evaluated:,} evaluated, "
        f"{counts.refused:,} refused{internal}\n"
    )
    if code is not None:
        return code
    if counts.internal:
        return EXIT_INTERNAL
    if counts.refused:
        return EXIT_INVALID
    if args.fail_on_violation and counts.with_violations:
        return EXIT_VIOLATION
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _write_summary(path: Path, counts: SweepCounts) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        table = csv.writer(file)
        table.writerow(["team", "finding", "rule", "status", "count"])
        table.writerows(counts.summary_rows())
