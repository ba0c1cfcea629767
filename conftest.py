"""The project's own test run checks the bundled packs only.

``policies/`` holds the packs bundled with assess_rules, those ``policies/bundled-packs.txt``
lists. A council's pack copied there is not one of them: its scenario file is not collected
here, and the run's header names it and says where a local pack lives
(docs/pack-location.md). The council's own repository runs its scenarios with the plugin.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assess_rules.packpath import bundled_names, unlisted_files

pytest_plugins = ["pytester"]  # tests/test_pack_location.py runs a copy of this layout

POLICIES = Path(__file__).parent / "policies"
SCENARIOS = ".scenarios.yaml"


def _stray_scenarios(folder: Path) -> list[Path]:
    listed = set(bundled_names(folder))
    return [
        path
        for path in sorted(folder.glob(f"*{SCENARIOS}"))
        if path.name[: -len(SCENARIOS)] not in listed
    ]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out a scenario file in ``policies/`` of a pack that is not bundled."""
    if collection_path.parent == POLICIES and collection_path in _stray_scenarios(POLICIES):
        return True
    return None


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name the files in ``policies/`` that are not bundled packs, and so not tested here."""
    strays = [*unlisted_files(POLICIES), *_stray_scenarios(POLICIES)]
    if not strays:
        return []
    names = ", ".join(p.name for p in strays)
    return [
        f"policies/ holds files of packs that are not bundled, not tested here: {names} "
        "(a local pack lives in a folder of its own: see docs/pack-location.md)"
    ]
