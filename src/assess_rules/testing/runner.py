"""``assess-rules test``: run scenario files, report coverage, and rerun on change.

- :func:`run_scenario_files` runs every scenario once, printing ok or FAIL with the
  differences, and collects coverage as it goes (every rule, reason, approver level, consent
  branch, extension and step, with the scenarios that exercised it).
- :func:`coverage_text` and :func:`coverage_data` are the coverage report for people and
  for tools.
- :func:`watch` reruns when a scenario file or a pack it loads changes: it polls the files'
  modification times, with the clock (``sleep``) and the number of runs injectable so that a
  test drives it without waiting.

Needs nothing beyond the library (no Hypothesis).
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from assess_rules.errors import AssessRulesError
from assess_rules.loading import SearchPath
from assess_rules.policy import Policy
from assess_rules.scenarios import check_scenario, load_scenario_file
from assess_rules.testing.coverage import Coverage

__all__ = [
    "POLL_SECONDS",
    "ScenarioOutcome",
    "TestRun",
    "coverage_data",
    "coverage_text",
    "run_scenario_files",
    "run_test_command",
    "watch",
    "write_outcomes",
]


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario's run: where, which, and what differed (empty: passed)."""

    file: str
    name: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether it found what it expected."""
        return not self.problems


@dataclass
class TestRun:
    """One run of scenario files: each scenario's outcome, the files that could not be
    run, the coverage, and the files read (scenario files and every pack file loaded)."""

    __test__ = False  # not a pytest test class, whatever its name

    outcomes: list[ScenarioOutcome] = field(default_factory=list)
    #: a file that could not be loaded, and why
    broken: list[tuple[str, str]] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    files: set[Path] = field(default_factory=set)

    @property
    def passed(self) -> int:
        """Scenarios that passed."""
        return sum(o.passed for o in self.outcomes)

    @property
    def failed(self) -> int:
        """Scenarios that failed (a file that could not be run is in :attr:`broken`)."""
        return sum(not o.passed for o in self.outcomes)


def _pack_files(policy: Policy) -> set[Path]:
    return {Path(f) for version in policy.versions or (policy,) for f in version.files}


def run_scenario_files(paths: Iterable[str | Path], search_path: SearchPath = None) -> TestRun:
    """Run every scenario of ``paths`` once; a file that cannot be loaded is noted and the
    others still run."""
    run = TestRun()
    for path in paths:
        run.files.add(Path(path))
        try:
            scenario_file = load_scenario_file(path)
            policy = scenario_file.policy(search_path)
        except AssessRulesError as exc:  # the file cannot be read, or its pack is wrong
            run.broken.append((str(path), str(exc)))
            continue
        run.files |= _pack_files(policy)
        run.coverage.policies[policy.id] = policy
        for scenario in scenario_file.scenarios:
            problems, result = check_scenario(policy, scenario)
            if problems:
                run.coverage.failures.append(f"{path}: {scenario.name}")
            if result is not None:
                run.coverage.record(result, f"{Path(path).name}: {scenario.name}")
            run.outcomes.append(ScenarioOutcome(str(path), scenario.name, tuple(problems)))
    return run


def write_outcomes(run: TestRun, stdout: TextIO, stderr: TextIO) -> None:
    """The run as ``ok`` / ``FAIL`` lines and a count, as ``assess-rules test`` prints it."""
    for path, reason in run.broken:  # a located error names the file already
        where = "" if reason.startswith(f"{path}:") else f"{path}: "
        stderr.write(f"assess-rules: {where}{reason}\n")
    for outcome in run.outcomes:
        if outcome.passed:
            stdout.write(f"ok   {outcome.file}: {outcome.name}\n")
        else:
            stdout.write(f"FAIL {outcome.file}: {outcome.name}\n")
            for problem in outcome.problems:  # each line of a long one under the first
                stdout.write(textwrap.indent(f"{problem}\n", "     "))
    tail = ""
    if run.broken:
        count = len(run.broken)
        tail = f", {count} file{'s' if count != 1 else ''} could not be run"
    stdout.write(f"{run.passed} passed, {run.failed} failed{tail}\n")


def coverage_text(coverage: Coverage) -> str:
    """The coverage report for people: pack by pack, each rule's branches with how many
    scenarios exercised them (and the first), then every branch never exercised.

    Each line reads ``  [x] key  (N scenarios: first one)`` or ``  [ ] key  never
    exercised``; the last line gives the share exercised.
    """
    branches = coverage.branches()
    lines: list[str] = []
    pack = None
    for branch in branches:
        if branch.pack != pack:
            pack = branch.pack
            lines.append(f"{pack}")
        if branch.exercised:
            count = len(branch.scenarios)
            more = f"{count} scenario{'s' if count != 1 else ''}: {branch.scenarios[0]}"
            if count > 1:
                more += ", ..."
            lines.append(f"  [x] {branch.key}  ({more})")
        else:
            lines.append(f"  [ ] {branch.key}  never exercised")
    gaps = [b for b in branches if not b.exercised]
    if gaps:
        lines.append("")
        lines.append(f"never exercised ({len(gaps)}):")
        lines.extend(f"  {b.pack}: {b.gap}" for b in gaps)
    done = len(branches) - len(gaps)
    lines.append("")
    lines.append(
        f"coverage: {done} of {len(branches)} rules and branches exercised "
        f"({_percent(coverage.percent())})"
    )
    return "\n".join(lines) + "\n"


def coverage_data(coverage: Coverage) -> dict[str, Any]:
    """The coverage report for tools: every branch, the scenarios that exercised it, the
    gaps, and the share exercised (``percent``, 0 to 100)."""
    branches = coverage.branches()
    return {
        "percent": round(coverage.percent(), 2),
        "exercised": sum(b.exercised for b in branches),
        "total": len(branches),
        "branches": [
            {
                "pack": b.pack,
                "rule": b.rule,
                "branch": b.key,
                "scenarios": list(b.scenarios),
                "gap": None if b.exercised else b.gap,
            }
            for b in branches
        ],
        "gaps": coverage.gaps(),
    }


def _percent(value: float) -> str:
    """``97.5%``, rounded down: a shortfall never shows as 100%."""
    return f"{int(value * 10) / 10:.1f}%"


#: how often :func:`watch` looks at the files, in seconds
POLL_SECONDS = 0.5

Stamp = tuple[int, int] | None


def _stamps(files: Iterable[Path]) -> dict[Path, Stamp]:
    """Each file's modification time and size (``None``: not there)."""
    stamps: dict[Path, Stamp] = {}
    for path in files:
        try:
            info = os.stat(path)
        except OSError:
            stamps[path] = None
        else:
            stamps[path] = (info.st_mtime_ns, info.st_size)
    return stamps


def watch(
    run_once: Callable[[], tuple[int, Iterable[Path]]],
    status: TextIO,
    *,
    interval: float = POLL_SECONDS,
    sleep: Callable[[float], object] | None = None,
    max_runs: int | None = None,
) -> int:
    """Run ``run_once`` (which returns an exit code and the files it read), then again each
    time one of those files changes, until Ctrl-C (then 130) or ``max_runs`` runs (then the
    last exit code). Files are polled every ``interval`` seconds through ``sleep``; what
    it is doing (watching, a change, stopped) goes to ``status`` (the command's stderr, so
    that ``--format json`` output stays one document a run)."""
    try:
        code, watched, stamps = _run(run_once, [])
        runs = 1
        _waiting(status, watched)
        while max_runs is None or runs < max_runs:
            (time.sleep if sleep is None else sleep)(interval)
            now = _stamps(watched)
            if now == stamps:
                continue
            changed = sorted(str(p) for p in watched if now.get(p) != stamps.get(p))
            status.write(f"\nchanged: {', '.join(changed)}; running again\n\n")
            code, watched, stamps = _run(run_once, watched)
            runs += 1
            _waiting(status, watched)
    except KeyboardInterrupt:
        status.write("stopped\n")
        return 130
    return code


def _run(
    run_once: Callable[[], tuple[int, Iterable[Path]]], watched: Sequence[Path]
) -> tuple[int, list[Path], dict[Path, Stamp]]:
    """Run once; the files to watch next, each stamped as it was before the run where it
    was watched already, so that a file saved during the run is seen as changed."""
    before = _stamps(watched)
    code, files = run_once()
    watching = sorted(set(files))
    after = _stamps(watching)
    return code, watching, {p: before[p] if p in before else after[p] for p in watching}


def _waiting(status: TextIO, watched: Sequence[Path]) -> None:
    status.write(f"watching {len(watched)} files for changes; Ctrl-C to stop\n")
    status.flush()


def run_test_command(
    paths: Sequence[str],
    stdout: TextIO,
    stderr: TextIO,
    *,
    search_path: SearchPath = None,
    coverage: bool = False,
    min_coverage: float | None = None,
    output: str = "text",
    watching: bool = False,
    sleep: Callable[[float], object] | None = None,
    max_runs: int | None = None,
) -> int:
    """``assess-rules test``: 0 when every scenario passed (and the coverage is at least
    ``min_coverage`` percent, when given); 2 when a file could not be run (it cannot be
    read, is not a scenario file, or its pack does not load: invalid input); 1 otherwise;
    with ``watching``, the same again on every change until Ctrl-C (130)."""

    def once() -> tuple[int, Iterable[Path]]:
        run = run_scenario_files(paths, search_path)
        below = min_coverage is not None and run.coverage.percent() < min_coverage
        if output == "json":
            payload: dict[str, Any] = {
                "passed": run.passed,
                "failed": run.failed,
                "scenarios": [
                    {"file": o.file, "name": o.name, "problems": list(o.problems)}
                    for o in run.outcomes
                ],
                "broken": [{"file": f, "reason": r} for f, r in run.broken],
            }
            if coverage or min_coverage is not None:
                payload["coverage"] = coverage_data(run.coverage)
                payload["min_coverage"] = min_coverage
            stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        else:
            write_outcomes(run, stdout, stderr)
            if coverage or min_coverage is not None:
                stdout.write("\n" + coverage_text(run.coverage))
        if below:
            stderr.write(
                f"assess-rules: coverage {_percent(run.coverage.percent())} is below the "
                f"minimum {min_coverage:g}%\n"
            )
        stdout.flush()
        return (2 if run.broken else 1 if run.failed or below else 0), run.files

    if watching:
        return watch(once, stderr, sleep=sleep, max_runs=max_runs)
    return once()[0]
