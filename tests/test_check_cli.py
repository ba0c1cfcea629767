"""assess-rules check: invariants from the command line (issue 9)."""

import io
import json
import shutil
from pathlib import Path

from assess_rules.cli import run
from assess_rules.loading import bundled_dir

POLICIES = bundled_dir("policies")


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_bundled_pack_passes() -> None:
    code, out, _ = _run(
        "check", str(POLICIES / "generic_s17.scenarios.yaml"), "--examples", "5", "--seed", "1"
    )
    assert code == 0
    assert "13 passed, 0 failed" in out


def test_a_broken_copy_prints_a_scenario_to_paste(tmp_path: Path) -> None:
    for path in POLICIES.glob("generic_s17*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    pack = tmp_path / "generic_s17.yaml"
    pack.write_text(
        pack.read_text().replace(
            "within: {amount: referral_decision_days, unit: working_days}",
            "within: {amount: referral_decision_days, unit: calendar_days}",
        )
    )
    scenarios = tmp_path / "generic_s17.scenarios.yaml"
    scenarios.write_text(
        scenarios.read_text().replace("pack: generic_s17", "pack: ./generic_s17.yaml")
    )
    code, out, _ = _run("check", str(scenarios), "--examples", "50")
    assert code == 1
    failure = out.split("FAIL ", 1)[1]
    assert "never falls on a day the office is closed" in failure
    start, end = failure.index("\n     ["), failure.index("\n     ]")
    pasted = json.loads(failure[start : end + 7])
    assert pasted[0]["case"]["referral"]["received_at"]
    # With the answer of the pack for that case, rule by rule, so the author sees why.
    assert "what the pack says of this case:" in failure
    assert "Decision on the type of response within 1 working day" in failure
    # and the explanation of the rule that broke it: its deadline, counted in calendar days
    assert "why referral-decision answered so (explain):" in failure
    assert "✓ referral-decision (timescale)" in failure
    assert "within 1 calendar day, counted" in failure


def test_the_time_budget_stops_starting_invariants() -> None:
    code, out, _ = _run(
        "check", str(POLICIES / "kent.scenarios.yaml"), "--examples", "200", "--time-budget", "1"
    )
    assert code == 0
    assert "not run (time budget)" in out


def test_only_the_built_in_or_only_the_files_own_invariants() -> None:
    scenarios = str(POLICIES / "generic_s17.scenarios.yaml")
    code, out, _ = _run("check", scenarios, "--examples", "3", "--only", "built-in")
    assert code == 0
    assert out.count("built-in: ") == 9
    assert "invariant: " not in out
    assert "9 passed, 0 failed" in out
    code, out, _ = _run("check", scenarios, "--examples", "3", "--only", "authored")
    assert code == 0
    assert "built-in: " not in out
    assert "4 passed, 0 failed" in out  # generic_s17 states four of its own
