"""Deliberately broken copies of bundled packs are each caught by an invariant their
scenario file states, with a small counter-example (issue 9)."""

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from assess_rules import load_policy
from assess_rules.loading import bundled_dir
from assess_rules.scenarios import load_scenario_file
from assess_rules.testing.invariants import authored
from assess_rules.testing.search import find_counterexample

POLICIES = bundled_dir("policies")


def _invariant(pack: str, name: str):  # type: ignore[no-untyped-def]
    specs = load_scenario_file(POLICIES / f"{pack}.scenarios.yaml").invariants
    return authored(next(spec for spec in specs if spec.name == name))


def _lower_kents_approver(folder: Path) -> None:
    path = folder / "kent.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace(
        "    recommended_by: team_manager\n    decided_by: service_manager\n",
        "    recommended_by: team_manager\n    decided_by: team_manager\n",
        1,
    )
    assert broken != text
    path.write_text(broken, encoding="utf-8")


def _remove_the_other_cancellation_prohibition(folder: Path) -> None:
    path = folder / "generic_s17.yaml"
    text = path.read_text(encoding="utf-8")
    # In effect removed: its condition never holds (deleting the block would also need the
    # pack's change log edited, which names it).
    broken = re.sub(
        r"(  - id: other-cancellation-while-harm-suspected\n.*?\n    when: ).*?\n",
        r'\1"false"\n',
        text,
        count=1,
        flags=re.DOTALL,
    )
    assert broken != text
    path.write_text(broken, encoding="utf-8")


def _count_the_decision_in_calendar_days(folder: Path) -> None:
    path = folder / "generic_s17.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace(
        "within: {amount: referral_decision_days, unit: working_days}",
        "within: {amount: referral_decision_days, unit: calendar_days}",
    )
    assert broken != text
    path.write_text(broken, encoding="utf-8")


BREAKAGES: list[tuple[str, Callable[[Path], None], str, str]] = [
    (
        "an approver lowered",
        _lower_kents_approver,
        "kent",
        "No one below a service manager ever gets an allowed cancellation",
    ),
    (
        "a prohibition removed",
        _remove_the_other_cancellation_prohibition,
        "kent",
        "While s47 is live only the two s47-route reasons can be allowed",
    ),
    (
        "a timescale counted in calendar days",
        _count_the_decision_in_calendar_days,
        "generic_s17",
        "A deadline counted in working days never falls on a day the office is closed",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "pack", "invariant_name"),
    [(b, p, n) for _, b, p, n in BREAKAGES],
    ids=[label for label, *_ in BREAKAGES],
)
def test_a_broken_copy_is_caught_with_a_small_counter_example(
    tmp_path: Path, breakage: Callable[[Path], None], pack: str, invariant_name: str
) -> None:
    for path in POLICIES.glob("*.yaml"):
        if not path.name.endswith(".scenarios.yaml"):
            shutil.copy(path, tmp_path / path.name)
    invariant = _invariant(pack, invariant_name)
    assert (
        find_counterexample(load_policy(POLICIES / f"{pack}.yaml"), invariant, examples=300) is None
    )
    breakage(tmp_path)
    # 600 examples: a counter-example to a prohibition needs a request decided by the right
    # role with its steps recorded, which the search reaches less often than a bad approver.
    found = find_counterexample(load_policy(tmp_path / f"{pack}.yaml"), invariant, examples=600)
    assert found is not None, f"{invariant_name} missed the broken copy"
    case = found.case
    assert len(case.cancellations) <= 2  # small: one request, or one beside the one that fails
    assert len(case.consent) + len(case.visits) + len(case.oversight) <= 3
    assert invariant_name in str(found)
