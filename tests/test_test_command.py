"""``assess-rules test --coverage [--min-coverage PCT] [--format json] [--watch]``."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from assess_rules.cli import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_VIOLATION, run
from assess_rules.loading import bundled_dir
from assess_rules.testing.runner import run_scenario_files, run_test_command, watch

EXAMPLE_PACKS = Path(__file__).parents[1] / "examples" / "packs"
MOVED = "A transfer for a family that moved, with the written referral made, is allowed"
STILL_HERE = "A transfer for a family that still lives in the area is refused"


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def scenarios(folder: Path, names: Iterable[str], pack: str | None = None) -> Path:
    """Some of the example Northshire pack's scenarios, in a file of their own."""
    data = yaml.safe_load((EXAMPLE_PACKS / "northshire.scenarios.yaml").read_text())
    wanted = list(names)
    data["scenarios"] = [s for s in data["scenarios"] if s["name"] in wanted]
    assert [s["name"] for s in data["scenarios"]] == wanted
    data["pack"] = pack or str(EXAMPLE_PACKS / "northshire.yaml")
    path = folder / "some.scenarios.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def touch(path: Path) -> None:
    """Move the file's modification time a second on, as an editor's save would."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_coverage_names_the_scenarios_that_exercised_each_branch(tmp_path: Path) -> None:
    # The one scenario expects the transfer allowed for family-moved (its `allowed:`), so
    # that reason is exercised by it; no scenario has a request refused on the reason's
    # condition, nor decided by a role below team manager.
    path = scenarios(tmp_path, [MOVED])
    code, out, err = call("test", str(path), "--coverage", "--format", "json")
    assert code == EXIT_OK, err
    report = json.loads(out)
    assert report["passed"] == 1
    assert report["failed"] == 0
    branches = {b["branch"]: b for b in report["coverage"]["branches"]}
    allowed = branches["transfer-to-another-authority/family-moved#allowed"]
    assert allowed["scenarios"] == [f"some.scenarios.yaml: {MOVED}"]
    assert allowed["gap"] is None
    assert allowed["pack"] == "northshire"
    refused = branches["transfer-to-another-authority/family-moved#refused"]
    assert refused["scenarios"] == []
    assert "northshire: " + refused["gap"] in report["coverage"]["gaps"]
    broken = branches["transfer-to-another-authority#approver-broken"]
    assert broken["scenarios"] == []
    # the baseline's rules are under test too, credited to generic_s17
    assert branches["referral-decision#missed"]["pack"] == "generic_s17"
    coverage = report["coverage"]
    exercised = sum(1 for b in coverage["branches"] if b["scenarios"])
    assert coverage["exercised"] == exercised
    assert coverage["total"] == len(coverage["branches"])
    assert coverage["percent"] == round(100 * exercised / coverage["total"], 2)
    assert len(coverage["gaps"]) == coverage["total"] - exercised

    code, text, _ = call("test", str(path), "--coverage")
    assert code == EXIT_OK
    lines = text.splitlines()
    assert f"ok   {path}: {MOVED}" in lines
    assert (
        f"  [x] transfer-to-another-authority/family-moved#allowed  "
        f"(1 scenario: some.scenarios.yaml: {MOVED})"
    ) in lines
    assert "  [ ] transfer-to-another-authority#approver-broken  never exercised" in lines
    assert f"never exercised ({len(coverage['gaps'])}):" in lines
    assert lines[-1].startswith(f"coverage: {exercised} of {coverage['total']} rules and branches")


def test_a_second_scenario_is_credited_with_what_it_exercised(tmp_path: Path) -> None:
    # the family still lives in the area: the reason's condition fails, so it is refused
    path = scenarios(tmp_path, [MOVED, STILL_HERE])
    _, out, _ = call("test", str(path), "--coverage", "--format", "json")
    branches = {b["branch"]: b for b in json.loads(out)["coverage"]["branches"]}
    refused = branches["transfer-to-another-authority/family-moved#refused"]
    assert refused["scenarios"] == [f"some.scenarios.yaml: {STILL_HERE}"]


def test_min_coverage_fails_the_run_below_the_threshold(tmp_path: Path) -> None:
    path = scenarios(tmp_path, [MOVED])
    _, out, _ = call("test", str(path), "--coverage", "--format", "json")
    percent = json.loads(out)["coverage"]["percent"]
    assert 0 < percent < 100
    code, _, err = call("test", str(path), "--min-coverage", str(math.floor(percent)))
    assert code == EXIT_OK, err
    code, out, err = call("test", str(path), "--min-coverage", str(math.ceil(percent) + 1))
    assert code == EXIT_VIOLATION
    assert f"is below the minimum {math.ceil(percent) + 1}%" in err
    assert "1 passed, 0 failed" in out  # the scenarios themselves passed
    assert "coverage:" in out  # a threshold shows the report


@pytest.mark.parametrize("value", ["101", "-1", "most", "nan"])
def test_min_coverage_must_be_a_percentage(tmp_path: Path, value: str) -> None:
    code, _, err = call("test", "x.scenarios.yaml", "--min-coverage", value)
    assert code == EXIT_INVALID
    assert "expected a percentage from 0 to 100" in err


def test_a_failing_scenario_fails_the_run_and_is_still_reported(tmp_path: Path) -> None:
    path = scenarios(tmp_path, [MOVED])
    data = yaml.safe_load(path.read_text())
    data["scenarios"][0]["expect"] = {"refused": ["family-moved@cancellations[0]"]}
    path.write_text(yaml.safe_dump(data))
    code, out, _ = call("test", str(path), "--coverage", "--format", "json")
    assert code == EXIT_VIOLATION
    report = json.loads(out)
    assert report["failed"] == 1
    assert report["scenarios"][0]["problems"] == [
        "refused: 'family-moved@cancellations[0]' was allowed"
    ]


def test_the_files_watched_are_the_scenario_files_and_every_pack_file_they_load(
    tmp_path: Path,
) -> None:
    path = scenarios(tmp_path, [MOVED])
    files = run_scenario_files([path]).files
    assert files == {
        path,
        EXAMPLE_PACKS / "northshire.yaml",
        EXAMPLE_PACKS / "northshire@1.0.0.yaml",  # the dated version beside it
        bundled_dir("policies") / "generic_s17.yaml",  # the pack it extends
    }


def test_watch_runs_again_when_a_watched_file_changes(tmp_path: Path) -> None:
    watched = tmp_path / "a.yaml"
    watched.write_text("x")
    runs: list[int] = []
    sleeps: list[float] = []

    def run_once() -> tuple[int, list[Path]]:
        runs.append(1)
        return len(runs), [watched]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:  # nothing changes for two polls, then the file is saved
            touch(watched)

    out = io.StringIO()
    assert watch(run_once, out, interval=0.25, sleep=sleep, max_runs=2) == 2
    assert len(runs) == 2
    assert sleeps == [0.25, 0.25, 0.25]
    assert f"changed: {watched}; running again" in out.getvalue()


def test_watch_stops_on_ctrl_c_with_130_and_runs_nothing_unchanged(tmp_path: Path) -> None:
    watched = tmp_path / "a.yaml"
    watched.write_text("x")
    runs: list[int] = []
    polls: list[float] = []

    def run_once() -> tuple[int, list[Path]]:
        runs.append(1)
        return 0, [watched]

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 5:
            raise KeyboardInterrupt

    out = io.StringIO()
    assert watch(run_once, out, sleep=sleep) == EXIT_INTERRUPTED
    assert len(runs) == 1
    assert out.getvalue().endswith("stopped\n")


def test_test_watch_reruns_when_the_pack_changes(tmp_path: Path) -> None:
    for name in ("northshire.yaml", "northshire@1.0.0.yaml"):
        shutil.copy(EXAMPLE_PACKS / name, tmp_path)
    path = scenarios(tmp_path, [MOVED], pack="northshire")
    pack = tmp_path / "northshire.yaml"
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:
            touch(pack)

    out, err = io.StringIO(), io.StringIO()
    code = run_test_command(
        [str(path)], out, err, watching=True, coverage=True, sleep=sleep, max_runs=2
    )
    assert code == EXIT_OK
    text = out.getvalue()
    assert text.count("1 passed, 0 failed") == 2
    assert text.count("coverage: ") == 2
    assert f"changed: {pack}; running again" in err.getvalue()


def test_test_watch_from_the_command_line_exits_130_on_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = scenarios(tmp_path, [MOVED])

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", interrupted)
    code, out, err = call("test", str(path), "--watch")
    assert code == EXIT_INTERRUPTED
    assert "1 passed, 0 failed" in out
    assert err == "watching 4 files for changes; Ctrl-C to stop\nstopped\n"


def test_watch_sees_a_file_saved_while_the_scenarios_ran(tmp_path: Path) -> None:
    watched = tmp_path / "a.yaml"
    watched.write_text("x")
    runs: list[int] = []

    def run_once() -> tuple[int, list[Path]]:
        runs.append(1)
        if len(runs) == 2:
            touch(watched)  # saved again while the second run was going on
        return 0, [watched]

    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:
            touch(watched)

    assert watch(run_once, io.StringIO(), sleep=sleep, max_runs=3) == 0
    assert len(runs) == 3
    assert len(polls) == 2  # the save during the second run was seen at the next poll


def test_a_file_that_cannot_be_run_is_invalid_input_not_a_failed_scenario(tmp_path: Path) -> None:
    path = scenarios(tmp_path, [MOVED])
    missing = tmp_path / "nope.scenarios.yaml"
    code, out, err = call("test", str(missing), str(path))
    assert code == EXIT_INVALID
    assert err == f"assess-rules: {missing}: no such file\n"
    assert out.endswith("1 passed, 0 failed, 1 file could not be run\n")  # the rest still ran
    code, out, _ = call("test", str(missing), "--format", "json")
    assert code == EXIT_INVALID
    report = json.loads(out)
    assert (report["failed"], report["broken"]) == (
        0,
        [{"file": str(missing), "reason": f"{missing}: no such file"}],
    )


_TYPOS = """\
pack: kent
scenarios:
  - name: typos
    as_of: 2026-12-21
    case: {case_id: S1, referral: {received_at: 2026-12-18T10:00}}
    expect:
      deadlines:
        referral-decison: {status: pending}
        assessment-completion: {status: pending}
      violations: [referral-decison]
      obligations: [referral-decision/nothing]
      missing_facts: [referal-decision]
      refused: ["alredy-18@cancellations[0]"]
"""


def test_an_expectation_naming_what_the_pack_does_not_have_says_so(tmp_path: Path) -> None:
    """The trial's sixth finding: a mistyped rule id read as 'the rule did not fire'. A
    name the pack has no rule, step or option for is now reported as such, with the nearest
    name; a rule the pack has but that found nothing still reads 'none found'."""
    path = tmp_path / "typos.scenarios.yaml"
    path.write_text(_TYPOS, encoding="utf-8")
    code, out, _ = call("test", str(path))
    assert code == EXIT_VIOLATION
    problems = [line.strip() for line in out.splitlines() if line.startswith("     ")]
    nearest = "did you mean 'referral-decision'?"
    assert problems[:2] == [
        f"deadline referral-decison: pack 'kent' has no rule 'referral-decison'; {nearest}",
        "deadline assessment-completion: none found",  # no assessment yet: no deadline
    ]
    assert f"violations: pack 'kent' has no rule 'referral-decison'; {nearest}" in problems
    assert "obligations: rule 'referral-decision' has no step 'nothing'" in problems
    assert f"missing_facts: pack 'kent' has no rule 'referal-decision'; {nearest}" in problems
    assert (
        "refused: pack 'kent' has no option (reason or action) 'alredy-18'; "
        "did you mean 'already-18'?"
    ) in problems
    assert not any("expected ['referral-decison']" in p for p in problems)
