"""Each pack's timescales over 2022-2028 match the committed golden tables."""

from datetime import date
from pathlib import Path

import pytest

from assess_rules import bundled_policies, load_policy
from assess_rules.testing.golden import golden_table

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", bundled_policies())
def test_golden_table_is_unchanged(name: str) -> None:
    committed = (GOLDEN / f"{name}.csv").read_text()
    current = golden_table(load_policy(name))
    if committed != current:
        old, new = committed.splitlines(), current.splitlines()
        changed = [f"{a}  ->  {b}" for a, b in zip(old, new, strict=False) if a != b][:5]
        pytest.fail(
            f"{name}: due dates changed (run scripts/regenerate_golden.py and review "
            f"the diff if this is deliberate):\n" + "\n".join(changed)
        )


def test_golden_rows_agree_with_hand_worked_dates() -> None:
    rows = {
        line.split(",")[0]: line.split(",")
        for line in (GOLDEN / "buckinghamshire.csv").read_text().splitlines()
    }
    header = rows.pop("start")
    column = {name: i for i, name in enumerate(header)}
    friday = rows["2026-12-18"]
    assert friday[column["child-seen"]] == "2026-12-29"
    assert friday[column["assessment-completion"]] == "2027-02-24"
    # The 2022 state funeral (Mon 19 Sep) and the 2023 coronation (Mon 8 May).
    assert rows["2022-09-16"][column["referral-decision"]] == "2022-09-20"
    assert rows["2023-05-05"][column["referral-decision"]] == "2023-05-09"
    # 24 elapsed hours from Sat 24 Oct 2026 10:00 BST end Sun 25 Oct 09:00 GMT.
    assert rows["2026-10-24"][column["strategy-record-shared"]] == "2026-10-25T09:00:00+00:00"


def test_the_table_covers_2022_to_2028() -> None:
    lines = (GOLDEN / "kent.csv").read_text().splitlines()
    assert lines[1].startswith("2022-01-01,")
    assert lines[-1].startswith("2028-12-31,")
    assert len(lines) == 1 + (date(2028, 12, 31) - date(2022, 1, 1)).days + 1
