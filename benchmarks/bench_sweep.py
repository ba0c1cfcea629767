"""Benchmark of caseload sweeps: parse, evaluate and serialise one core at a time, then the
whole ``evaluate --format jsonl`` command end to end, with the peak memory of its processes.

Run (figures for docs/performance.md; asserts nothing):

    .venv/bin/python benchmarks/bench_sweep.py --cases 10000
    .venv/bin/python benchmarks/bench_sweep.py --cases 1000000 --stages 0   # the big sweep

The cases are the six examples of ``examples/cases/`` in turn, each copy moved in time so that
every case has dates of its own, with its own case id and team (``benchmarks/caseload.py``;
``--same`` gives the six examples unmoved, as this benchmark did before), written as JSON
Lines to a temporary file; the output goes to ``/dev/null`` (a million Kent results are about
20 GB of JSON).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from caseload import AS_OF, write_cases

from assess_rules import evaluate, load_policy, parse_case
from assess_rules.records import loads_record
from assess_rules.sweep import _result_line, default_workers


def per_case(function: Callable[[], object], count: int, repeat: int = 3) -> tuple[float, float]:
    """Best and median over ``repeat`` runs of ``function`` (which does ``count`` cases), in
    microseconds of CPU time per case."""
    runs = []
    for _ in range(repeat):
        started = time.process_time()  # CPU time: the machine may be shared
        function()
        runs.append((time.process_time() - started) / count * 1e6)
    return min(runs), statistics.median(runs)


def _each(function: Callable[[Any], object], values: list[Any]) -> None:
    """``function`` on each of ``values``, its answers dropped."""
    for value in values:
        function(value)


def stages(path: Path, pack: str, count: int) -> None:
    lines = path.read_bytes().splitlines()[:count]
    policy = load_policy(pack)
    as_of = AS_OF
    raws = [loads_record(line) for line in lines]
    cases = [parse_case(raw) for raw in raws]
    results = [evaluate(policy, case, as_of) for case in cases]
    n = len(lines)
    pairs = list(zip(raws, lines, strict=True))
    # Each stage's answers are dropped as they come, as a sweep drops them: keeping 10,000
    # of them in a list would time the memory they take (page faults) too, not the work.
    # The inputs prepared above are set aside from the garbage collector (gc.freeze): a
    # sweep holds no 10,000 cases and results for each collection to walk through.
    gc.collect()
    gc.freeze()
    figures = {
        "read JSON (strict reader)": per_case(lambda: _each(loads_record, lines), n),
        "parse_case (as the sweep calls it)": per_case(
            lambda: _each(lambda pair: parse_case(pair[0], read_from=len(pair[1])), pairs), n
        ),
        f"evaluate ({pack})": per_case(
            lambda: _each(lambda c: evaluate(policy, c, as_of), cases), n
        ),
        "serialise (output line)": per_case(
            lambda: _each(lambda r: _result_line(1, r.case_id, r), results), n
        ),
        "serialise (Result.to_json, for comparison)": per_case(
            lambda: _each(lambda r: r.to_json(indent=None), results[:2000]), min(n, 2000)
        ),
    }
    gc.unfreeze()
    print(f"\nper case, one core, {n:,} cases (best / median of 3):")
    for name, (best, median) in figures.items():
        print(f"  {name:45} {best:8.1f} / {median:8.1f} us")
    total = sum(v[1] for k, v in figures.items() if "comparison" not in k)
    print(f"  {'total (median)':45} {total:8.1f} us = {60e6 / total:,.0f} cases/minute/core")


def _tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants, in bytes (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        stack.extend(int(c) for c in children)
    return total


def end_to_end(path: Path, pack: str, workers: int, count: int) -> dict[str, Any]:
    command = [
        sys.executable,
        "-c",
        "from assess_rules.cli import main; main()",
        "evaluate",
        "--policy",
        pack,
        "--case",
        str(path),
        "--as-of",
        AS_OF,
        "--format",
        "jsonl",
        "--workers",
        str(workers),
    ]
    peak = [0]
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(process.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, err = process.communicate()
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    return {
        "workers": workers,
        "seconds": seconds,
        "per_minute": count / seconds * 60,
        "peak_mb": peak[0] / 1e6,
        "exit": process.returncode,
        "summary": err.decode().strip().splitlines()[-1] if err else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--pack", default="kent")
    parser.add_argument("--workers", type=int, nargs="+", default=sorted({1, default_workers()}))
    parser.add_argument(
        "--stages", type=int, default=20_000, help="cases for the per-stage figures (0: skip)"
    )
    parser.add_argument(
        "--same", action="store_true", help="the six examples unmoved (the old caseload)"
    )
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores; pack {args.pack}; {args.cases:,} cases"
        f"{' (the six examples unmoved)' if args.same else ' (dates moved per case)'}"
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cases.jsonl"
        size = write_cases(path, args.cases, same=args.same)
        print(f"input: {size / 1e6:,.1f} MB of JSON Lines ({size / args.cases:,.0f} bytes a case)")
        if args.stages:
            stages(path, args.pack, min(args.stages, args.cases))
        print("\nend to end: evaluate --format jsonl > /dev/null")
        for workers in args.workers:
            run = end_to_end(path, args.pack, workers, args.cases)
            print(
                f"  workers {run['workers']}: {run['seconds']:8.1f} s, "
                f"{run['per_minute']:,.0f} cases/minute, peak memory {run['peak_mb']:,.0f} MB "
                f"(all processes), exit {run['exit']}; {run['summary']}"
            )


if __name__ == "__main__":
    main()
