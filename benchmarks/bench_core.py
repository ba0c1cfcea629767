"""Benchmarks of the core: calendar look-ups, pack loading, case evaluation.

Run: .venv/bin/python benchmarks/bench_core.py [--cases N] [--same]

Cases are the benchmark caseload of ``benchmarks/caseload.py``: the six examples, each copy
with dates of its own (``--same``: the six examples unmoved, as before).
Prints figures for docs/performance.md; asserts nothing.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import timeit
from collections.abc import Callable
from datetime import date

from caseload import case as caseload_case
from caseload import templates

from assess_rules import WorkingDayCalendar, bundled_policies, evaluate, load_policy, parse_case


def per_call(function: Callable[[], object], number: int, repeat: int = 5) -> float:
    """Best of ``repeat`` runs of ``number`` calls: seconds per call."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            function()
        timings.append((time.perf_counter() - started) / number)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument(
        "--same", action="store_true", help="the six examples unmoved (the old caseload)"
    )
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, one core")

    started = time.perf_counter()
    calendar = WorkingDayCalendar()
    print(f"calendar build (1990-2100, England and Wales): {time.perf_counter() - started:.3f} s")
    day = date(2026, 12, 18)
    later = date(2027, 1, 4)
    for statement in (
        "calendar.add_working_days(day, 45)",
        "calendar.is_working_day(day)",
        "calendar.working_days_between(day, later)",
        "calendar.due_date(day, 5)",
    ):
        seconds = min(timeit.repeat(statement, globals=locals(), number=200_000, repeat=5))
        print(f"{statement}: {seconds / 200_000 * 1e9:.0f} ns/call")

    for name in bundled_policies():
        seconds = per_call(lambda name=name: load_policy(name), 5, repeat=3)
        print(f"load_policy({name!r}): {seconds * 1e3:.1f} ms")

    examples = templates()
    raws = [caseload_case(i, examples, same=args.same) for i in range(min(args.cases, 3000))]
    cases = [parse_case(raw) for raw in raws]
    parse_time = per_call(lambda: [parse_case(raw) for raw in raws], 3) / len(raws)
    print(f"parse_case: {parse_time * 1e6:.1f} us/case ({len(raws):,} cases)")
    for name in bundled_policies():
        policy = load_policy(name)
        as_of = date(2027, 1, 4)
        runs = []
        for _ in range(3):
            started = time.process_time()  # CPU time: the machine may be shared
            for i in range(args.cases):
                evaluate(policy, cases[i % len(cases)], as_of)
            runs.append((time.process_time() - started) / args.cases)
        best = min(runs)
        print(
            f"evaluate with {name!r}: {best * 1e6:.1f} us/case "
            f"(median {statistics.median(runs) * 1e6:.1f}), "
            f"{60 / best:,.0f} cases/minute/core"
        )


if __name__ == "__main__":
    main()
