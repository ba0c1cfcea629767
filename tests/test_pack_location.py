"""Where packs live: --pack-dir, ASSESS_RULES_PACK_PATH, entry points, the bundled manifest."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import textwrap
from pathlib import Path

import pytest

from assess_rules import PolicyError, bundled_policies, load_policy
from assess_rules.cli import EXIT_INVALID, EXIT_OK, run
from assess_rules.loading import bundled_dir
from assess_rules.packpath import (
    MANIFEST,
    PACK_PATH_ENV,
    PackDirectory,
    bundled_names,
    pack_search_path,
    unlisted_files,
)

ROOT = Path(__file__).parents[1]
EXAMPLE_PACKS = ROOT / "examples" / "packs"
POLICIES = bundled_dir("policies")


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def council_pack(folder: Path, pack_id: str, extends: str = "generic_s17") -> Path:
    """A small council pack in ``folder``: ``extends`` with one parameter changed (the
    assessment timescale, 40 working days instead of 45)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pack_id}.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            pack:
              id: {pack_id}
              title: {pack_id} (a test pack)
              authority: Nowhere Council (fictional)
              version: "1.0.0"
              extends: {extends}
            parameters:
              assessment_days: {{value: 40, description: a shorter timescale of its own}}
            """
        )
    )
    return path


@pytest.fixture(autouse=True)
def _no_pack_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here sees the developer's own ASSESS_RULES_PACK_PATH."""
    monkeypatch.delenv(PACK_PATH_ENV, raising=False)


def test_a_council_pack_in_its_own_folder_is_found_by_name_and_extends_the_bundled_one(
    tmp_path: Path,
) -> None:
    council_pack(tmp_path / "packs", "eastshire")
    policy = load_policy("eastshire", search_path=[tmp_path / "packs"])
    assert policy.id == "eastshire"
    assert [info.id for info in policy.chain] == ["generic_s17", "eastshire"]
    assert policy.parameters["assessment_days"].value == 40
    with pytest.raises(PolicyError, match="no policy pack named 'eastshire'"):
        load_policy("eastshire")  # not on the default path


def test_extends_is_resolved_along_the_search_path(tmp_path: Path) -> None:
    # a council's base pack in one folder, the team's pack extending it in another
    council_pack(tmp_path / "shared", "county_base")
    council_pack(tmp_path / "team", "county_team", extends="county_base")
    policy = load_policy("county_team", search_path=[tmp_path / "team", tmp_path / "shared"])
    assert [info.id for info in policy.chain] == ["generic_s17", "county_base", "county_team"]
    # by path too: the name in extends is not beside the file, so the path is searched
    by_path = load_policy(tmp_path / "team" / "county_team.yaml", search_path=[tmp_path / "shared"])
    assert by_path.content_hash == policy.content_hash
    with pytest.raises(PolicyError) as raised:
        load_policy(tmp_path / "team" / "county_team.yaml")
    assert "no policy pack named 'county_base'" in str(raised.value)
    assert raised.value.line == 6  # the extends line of county_team.yaml


def test_the_environment_variable_is_read_when_a_pack_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    council_pack(tmp_path / "a", "westshire")
    council_pack(tmp_path / "b", "northvale")
    monkeypatch.setenv(PACK_PATH_ENV, os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert load_policy("westshire").id == "westshire"
    assert load_policy("northvale").id == "northvale"
    monkeypatch.delenv(PACK_PATH_ENV)
    with pytest.raises(PolicyError):
        load_policy("westshire")
    # an explicit environment (a library caller's) needs no variable at all
    path = pack_search_path(environ={PACK_PATH_ENV: str(tmp_path / "a")})
    assert path.find("westshire") == tmp_path / "a" / "westshire.yaml"


def test_a_name_in_two_places_comes_from_the_first_and_list_flags_the_shadowing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same name in --pack-dir, in the environment and among the bundled packs
    first = council_pack(tmp_path / "first", "generic_s17", extends="kent")
    council_pack(tmp_path / "second", "generic_s17", extends="kent")
    monkeypatch.setenv(PACK_PATH_ENV, str(tmp_path / "second"))
    search = pack_search_path([tmp_path / "first"])
    assert [d.origin for d in search.directories] == ["pack-dir", "environment", "bundled"]
    assert search.find("generic_s17") == first
    (location,) = [p for p in search.packs() if p.name == "generic_s17"]
    assert location.directory.origin == "pack-dir"
    assert [d.origin for d in location.shadows] == ["environment", "bundled"]

    code, out, _ = call("list", "--pack-dir", str(tmp_path / "first"))
    assert code == EXIT_OK
    lines = out.splitlines()
    line = next(i for i, text in enumerate(lines) if text.startswith("generic_s17 "))
    assert f"[--pack-dir {first}]" in lines[line]
    assert "shadows" in lines[line + 1]
    assert f"{PACK_PATH_ENV} {tmp_path / 'second'}" in lines[line + 1]
    assert "bundled" in lines[line + 1]
    # an unshadowed bundled pack is listed as bundled, with no such line
    kent = next(i for i, text in enumerate(lines) if text.split()[:1] == ["kent"])
    assert " ".join(lines[kent].split()) == "kent 1.1.0 (from 2023-07-01) [bundled]"
    assert not lines[kent + 1].startswith("  !")

    code, out, _ = call("list", "--format", "json", "--pack-dir", str(tmp_path / "first"))
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["generic_s17"]["source"] == "pack-dir"
    assert [s["source"] for s in rows["generic_s17"]["shadows"]] == ["environment", "bundled"]
    assert rows["kent"]["source"] == "bundled"
    assert rows["kent"]["shadows"] == []


def _fake_distribution(site: Path, dist: str, entry_points: str) -> None:
    """An installed distribution as importlib.metadata finds one on sys.path: a
    ``.dist-info`` folder with its metadata and entry points (no pip, no network)."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[assess_rules.packs]\n{entry_points}\n")


def test_packs_installed_as_a_python_package_are_found_through_the_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    # a module whose folder holds the packs, and an attribute naming another folder
    package = site / "southshire_packs"
    council_pack(package, "southshire")
    council_pack(package / "more", "southshire_pilot", extends="southshire")
    (package / "__init__.py").write_text(
        "from pathlib import Path\nMORE = Path(__file__).parent / 'more'\n"
    )
    _fake_distribution(
        site,
        "southshire_packs",
        "southshire = southshire_packs\npilot = southshire_packs:MORE\n",
    )
    monkeypatch.syspath_prepend(str(site))

    policy = load_policy("southshire_pilot")  # no --pack-dir, no environment variable
    assert [info.id for info in policy.chain] == ["generic_s17", "southshire", "southshire_pilot"]
    search = pack_search_path()
    origins = {p.name: (p.directory.origin, p.directory.label) for p in search.packs()}
    assert origins["southshire"] == (
        "entry-point",
        "entry point 'southshire' (southshire_packs 1.0)",
    )
    assert origins["southshire_pilot"][0] == "entry-point"
    assert origins["kent"] == ("bundled", "bundled")
    # an explicit --pack-dir comes before the entry point
    council_pack(tmp_path / "local", "southshire", extends="kent")
    local = load_policy("southshire", search_path=[tmp_path / "local"])
    assert [info.id for info in local.chain] == ["generic_s17", "kent", "southshire"]
    code, out, _ = call("list")
    assert code == EXIT_OK
    assert "[entry point 'southshire' (southshire_packs 1.0) " in out


def test_an_entry_point_that_does_not_load_is_reported_and_the_others_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _fake_distribution(site, "broken_packs", "broken = no_such_module_anywhere")
    monkeypatch.syspath_prepend(str(site))
    search = pack_search_path()
    assert search.problems == (
        "entry point 'broken' (broken_packs 1.0) cannot be loaded (ModuleNotFoundError)",
    )
    assert load_policy("kent").id == "kent"
    with pytest.raises(PolicyError) as raised:
        load_policy("eastshire")
    assert "entry point 'broken' (broken_packs 1.0) cannot be loaded" in str(raised.value)
    code, _, err = call("list")
    assert code == EXIT_INVALID
    assert "entry point 'broken'" in err


def test_a_pack_dir_that_is_not_there_is_invalid_input(tmp_path: Path) -> None:
    code, _, err = call("list", "--pack-dir", str(tmp_path / "nowhere"))
    assert code == EXIT_INVALID
    assert "not a directory" in err
    assert "Traceback" not in err


def test_an_environment_entry_that_is_not_there_does_not_hide_the_other_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    council_pack(tmp_path / "a", "westshire")
    monkeypatch.setenv(
        PACK_PATH_ENV, os.pathsep.join([str(tmp_path / "gone"), str(tmp_path / "a")])
    )
    assert load_policy("westshire").id == "westshire"
    assert pack_search_path().problems == (
        f"{PACK_PATH_ENV} names {tmp_path / 'gone'}, which is not a directory",
    )


def test_every_command_that_names_a_pack_takes_pack_dir(
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = ROOT / "examples" / "cases" / "saturday-referral.json"
    code, out, err = call(
        "evaluate",
        "--policy",
        "northshire",
        "--pack-dir",
        str(EXAMPLE_PACKS),
        "--case",
        str(case),
        "--as-of",
        "2027-01-04",
        "--format",
        "json",
    )
    assert code == EXIT_OK, err
    assert json.loads(out)["pack"]["id"] == "northshire"
    code, out, _ = call("docs", "northshire", "--pack-dir", str(EXAMPLE_PACKS))
    assert code == EXIT_OK
    assert out.startswith("# Northshire")
    code, out, _ = call(
        "timeline",
        "--policy",
        "northshire",
        "--referral",
        "2026-03-02",
        "--pack-dir",
        str(EXAMPLE_PACKS),
    )
    assert code == EXIT_OK
    assert "northshire" in out
    code, out, err = call("show", "northshire", "--resolved", "--pack-dir", str(EXAMPLE_PACKS))
    assert code == EXIT_OK, err
    assert "id: northshire" in out
    code, out, err = call(
        "diff", "northshire@1.0.0", "northshire", "--pack-dir", str(EXAMPLE_PACKS)
    )
    assert code == 1, err  # the two versions differ
    code, out, err = call(
        "explain",
        "--policy",
        "northshire",
        "--pack-dir",
        str(EXAMPLE_PACKS),
        "--case",
        str(case),
        "--as-of",
        "2027-01-04",
    )
    assert code == EXIT_OK, err
    assert "assessment-completion" in out
    code, out, err = call("lint", "northshire", "--pack-dir", str(EXAMPLE_PACKS))
    assert code == EXIT_OK, err
    for command in (
        "evaluate",
        "caseload",
        "timeline",
        "docs",
        "validate",
        "test",
        "check",
        "list",
        "explain",
        "show",
        "diff",
        "lint",
    ):
        code, _, _ = call(command, "--help")  # argparse prints help to sys.stdout
        assert code == EXIT_OK
        assert "--pack-dir DIR" in capsys.readouterr().out, command


def test_validate_and_test_find_the_pack_a_local_pack_extends(tmp_path: Path) -> None:
    council_pack(tmp_path / "shared", "county_base")
    team = council_pack(tmp_path / "team", "county_team", extends="county_base")
    code, _, err = call("validate", str(team))
    assert code == EXIT_INVALID
    assert "no policy pack named 'county_base'" in err
    code, out, _ = call("validate", str(team), "--pack-dir", str(tmp_path / "shared"))
    assert code == EXIT_OK
    assert out == f"{team}: ok\n"


def test_a_policy_from_a_pack_dir_pickles_without_the_search_path(tmp_path: Path) -> None:
    # worker processes of a sweep unpickle the policy: the pack it extends, found through
    # --pack-dir, is found again from the folders of its chain
    council_pack(tmp_path / "shared", "county_base")
    council_pack(tmp_path / "team", "county_team", extends="county_base")
    policy = load_policy("county_team", search_path=[tmp_path / "team", tmp_path / "shared"])
    again = pickle.loads(pickle.dumps(policy))
    assert again.content_hash == policy.content_hash
    assert [info.id for info in again.chain] == ["generic_s17", "county_base", "county_team"]


# --- the project's own tests check the bundled packs only -----------------------------------


def test_the_bundled_packs_are_the_manifests_list() -> None:
    listed = (POLICIES / MANIFEST).read_text().split("\n")
    names = sorted(line for line in listed if line and not line.startswith("#"))
    assert bundled_policies() == names
    for name in names:
        assert (POLICIES / f"{name}.yaml").is_file(), name
        assert (POLICIES / f"{name}.scenarios.yaml").is_file(), name


def test_a_stray_pack_in_the_bundled_folder_is_not_bundled(tmp_path: Path) -> None:
    # a council pack dropped into a copy of policies/, with its scenario file
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    shutil.copy(EXAMPLE_PACKS / "northshire.yaml", folder)
    shutil.copy(EXAMPLE_PACKS / "northshire.scenarios.yaml", folder)
    assert bundled_names(folder) == bundled_policies()
    assert unlisted_files(folder) == [folder / "northshire.yaml"]
    bundled = PackDirectory(folder, "bundled", "bundled", frozenset(bundled_names(folder)))
    assert bundled.find("northshire") is None
    assert bundled.find("kent") == folder / "kent.yaml"
    assert "northshire" not in bundled.names()


def test_the_projects_test_run_leaves_out_a_stray_scenario_file_and_says_so(
    pytester: pytest.Pytester,
) -> None:
    # a copy of the project's layout: its conftest, policies/ with one bundled pack and a
    # council's pack dropped beside it
    shutil.copy(ROOT / "conftest.py", pytester.path / "conftest.py")
    folder = pytester.path / "policies"
    folder.mkdir()
    (folder / MANIFEST).write_text("# bundled\nkent\n")
    shutil.copy(POLICIES / "kent.yaml", folder)
    (folder / "kent.scenarios.yaml").write_text("pack: kent\nscenarios: []\n")
    for name in ("northshire.yaml", "northshire@1.0.0.yaml", "northshire.scenarios.yaml"):
        shutil.copy(EXAMPLE_PACKS / name, folder)
    result = pytester.runpytest("--collect-only", "-p", "no:cacheprovider", "policies")
    lines = result.stdout.lines
    assert any("kent.scenarios.yaml" in line for line in lines)
    (header,) = [line for line in lines if "northshire" in line]  # and no item of it
    assert header.startswith("policies/ holds files of packs that are not bundled")
    assert "northshire.yaml, northshire.scenarios.yaml" in header
    assert "docs/pack-location.md" in header
    # without the project's conftest the stray file would be collected (and run)
    (pytester.path / "conftest.py").unlink()
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider", "policies")
    assert "policies/northshire.scenarios.yaml::" in result.stdout.str()


def test_a_pack_written_outside_the_repository_is_found_validated_documented_and_tested(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "council"
    pack = council_pack(folder, "eastshire")
    # one scenario of its own: the 40 working days of its parameter, from Mon 2 Mar 2026:
    # March 3-6 (4), 9-13 (9), 16-20 (14), 23-27 (19), 30-31 (21), April 1-2 (23; Good Friday
    # 3 April and Easter Monday 6 April are holidays), 7-10 (27), 13-17 (32), 20-24 (37),
    # 27-29 (40): due Wed 29 April 2026
    scenario_file = folder / "eastshire.scenarios.yaml"
    scenario_file.write_text(
        textwrap.dedent(
            """\
            pack: eastshire
            scenarios:
              - name: an assessment is due in 40 working days
                as_of: 2026-03-03
                case:
                  case_id: E1
                  referral: {received_at: 2026-03-02T09:00}
                  decision: {made_at: 2026-03-02T12:00, made_by: team_manager, response: assessment}
                  assessment: {allocated_at: 2026-03-02T13:00, started_at: 2026-03-02T13:00}
                expect:
                  deadlines:
                    assessment-completion: {due: 2026-04-29}
            """
        )
    )
    code, out, err = call("validate", str(pack))
    assert (code, out) == (EXIT_OK, f"{pack}: ok\n"), err
    code, out, _ = call("docs", "eastshire", "--pack-dir", str(folder))
    assert code == EXIT_OK
    assert out.startswith("# eastshire (a test pack)")
    code, out, err = call("test", str(scenario_file), "--coverage")
    assert code == EXIT_OK, out + err
    assert "1 passed, 0 failed" in out
    code, out, _ = call("list", "--pack-dir", str(folder))
    assert f"[--pack-dir {pack}]" in out
