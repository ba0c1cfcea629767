"""Golden tables: every timescale's due date for every start date from 2022 to 2028.

One CSV per pack, committed under ``tests/golden/``: a row per start date (the event at
10:00 London time), a column per timescale and per extension. Any change in the calendar,
the counting or a pack's timescales shows up as a reviewable diff. Regenerate with
``python scripts/regenerate_golden.py`` and read the diff before committing it.

>>> from assess_rules import load_policy
>>> table = golden_table(load_policy("generic_s17"), date(2026, 12, 18), date(2026, 12, 19))
>>> print(table.splitlines()[0])
start,referral-decision,assessment-completion,icpc-timescale
>>> print(table.splitlines()[1])  # ICPC: Dec 21-24, 29-31, Jan 4-8, 11-13 = 15 working days
2026-12-18,2026-12-21,2027-02-24,2027-01-13
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

from assess_rules.calendar import LONDON
from assess_rules.pack import Duration, TimescaleRule
from assess_rules.policy import Policy
from assess_rules.timing import compute_due

__all__ = ["FIRST", "LAST", "golden_table", "write_golden"]

FIRST = date(2022, 1, 1)
LAST = date(2028, 12, 31)
START_TIME = time(10, 0)


def _columns(policy: Policy) -> list[tuple[str, TimescaleRule, Duration]]:
    columns = []
    for rule in policy.rules:
        if isinstance(rule, TimescaleRule):
            columns.append((rule.id, rule, rule.within))
            for extension in rule.extensions:
                columns.append((f"{rule.id}/{extension.id}", rule, extension.within))
    return columns


def golden_table(policy: Policy, first: date = FIRST, last: date = LAST) -> str:
    """The CSV text of ``policy``'s golden table for start dates ``first`` to ``last``."""
    columns = _columns(policy)
    lines = [",".join(["start", *(name for name, _, _ in columns)])]
    day = first
    while day <= last:
        start = datetime.combine(day, START_TIME, LONDON)
        row = [day.isoformat()]
        for _name, rule, within in columns:
            counting = rule.counting or policy.counting
            row.append(compute_due(policy, start, within, counting, rule.start_at).due.isoformat())
        lines.append(",".join(row))
        day += timedelta(days=1)
    return "\n".join(lines) + "\n"


def write_golden(directory: Path, names: list[str]) -> list[Path]:
    """Write ``<name>.csv`` for each bundled pack name into ``directory``."""
    from assess_rules.loading import load_policy

    written = []
    for name in names:
        target = directory / f"{name}.csv"
        target.write_text(golden_table(load_policy(name)), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover - see scripts/regenerate_golden.py
    from assess_rules.loading import bundled_policies

    for path in write_golden(Path(sys.argv[1]), bundled_policies()):
        print(path)
