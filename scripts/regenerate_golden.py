"""Rewrite tests/golden/<pack>.csv for every bundled pack.

Run after a deliberate change to the calendar, the counting or a pack's timescales:
    .venv/bin/python scripts/regenerate_golden.py
then read `git diff tests/golden` before committing it: every changed due date is there.
"""

from pathlib import Path

from assess_rules import bundled_policies
from assess_rules.testing.golden import write_golden

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "tests" / "golden"
    target.mkdir(parents=True, exist_ok=True)
    for path in write_golden(target, bundled_policies()):
        print(f"wrote {path}")
