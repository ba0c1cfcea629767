"""The benchmarks' caseload: the six example cases of ``examples/cases/``, each copy moved in
time so that no two neighbouring cases carry the same dates.

A real caseload has dates of its own in every case: a benchmark that evaluated the same six
snapshots over and over would measure only what is kept between cases (the options kept per
policy, the due dates kept per policy), not the work a new case costs. So case ``i`` is the
example ``i % 6`` with every date and time moved back by the same number of days (0 to 364,
spread by a multiplier prime to 365: the order of its events, and so their meaning, is kept),
and the child's date of birth moved again on its own (0 to 3,649 days), so that ages vary too.
Case ids and teams are each case's own. Evaluated as of 2027-01-04, some cases are recent
(deadlines pending), most are older (deadlines met or missed), as in a nightly sweep.

``same=True`` gives the previous benchmark's caseload (the six examples unmoved), for
comparison.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parents[1] / "examples" / "cases"
TEAMS = ["assessment_team", "help_and_protection", "cp_and_court", None]
AS_OF = "2027-01-04"
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def templates() -> list[dict[str, Any]]:
    """The example cases, in file-name order."""
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def _moved(value: Any, days: int) -> Any:
    """``value`` with every ISO date or date-time text moved back ``days`` days."""
    if isinstance(value, dict):
        return {k: _moved(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, days) for v in value]
    if isinstance(value, str):
        found = _DATED.match(value)
        if found:
            day = date.fromisoformat(found.group(1)) - timedelta(days=days)
            return day.isoformat() + value[10:]
    return value


def case(i: int, examples: list[dict[str, Any]], *, same: bool = False) -> dict[str, Any]:
    """Case number ``i`` of the benchmark caseload (see the module's docstring)."""
    one = dict(examples[i % len(examples)])
    if not same:
        one = _moved(one, (i * 7919) % 365)
        child = one.get("child")
        if isinstance(child, dict) and isinstance(child.get("date_of_birth"), str):
            born = date.fromisoformat(child["date_of_birth"])
            one["child"] = {
                **child,
                "date_of_birth": (born - timedelta(days=(i * 104_729) % 3_650)).isoformat(),
            }
    one["case_id"] = f"BENCH-{i:07d}"
    team = TEAMS[i % len(TEAMS)]
    if team and "assessment" in one:
        one["assessment"] = {**one["assessment"], "allocated_team": team}
    return one


def write_cases(path: Path, count: int, *, same: bool = False) -> int:
    """``count`` cases as JSON Lines at ``path``; the file's size in bytes."""
    examples = templates()
    with path.open("w", encoding="utf-8") as file:
        for i in range(count):
            file.write(json.dumps(case(i, examples, same=same)) + "\n")
    return path.stat().st_size
