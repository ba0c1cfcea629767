"""The Dask recipe of docs/sweeps.md, on a small local cluster of processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assess_rules import load_policy
from assess_rules.sweep import evaluate_partition

db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")


def test_the_dask_recipe_gives_each_files_lines_in_order(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for part in range(3):
        lines = [
            json.dumps({"case_id": f"P{part}-{i}", "referral": {"received_at": "2026-12-18"}})
            for i in range(20)
        ]
        lines[5] = '{"case_id": "X", "n": NaN}'
        lines[7] = ""
        lines[9] = json.dumps({"case_id": "U\u2028V", "referral": {"received_at": "2026-12-18"}})
        (inputs / f"cases-{part}.jsonl").write_bytes(("\n".join(lines) + "\n").encode())
    (inputs / "cases-3.jsonl").write_bytes(b'{"case_id": "\xff"}\n')
    outputs = tmp_path / "out"
    policy = load_policy("kent")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        bag = db.read_text(
            str(inputs / "cases-*.jsonl"),
            blocksize=None,
            linedelimiter="\n",
            encoding="utf-8",
            errors="surrogateescape",
        )
        bag.map_partitions(evaluate_partition, policy, "2026-12-22").to_textfiles(
            str(outputs / "results-*.jsonl")
        )
    for part in range(3):
        records = [
            json.loads(line)
            for line in (outputs / f"results-{part}.jsonl").read_text().split("\n")
            if line
        ]
        assert [r["line"] for r in records] == [i + 1 for i in range(20) if i != 7]
        assert records[5]["error"]["stage"] == "json"
        assert records[8]["case_id"] == "U\u2028V"
        assert records[0]["result"]["pack"]["id"] == "kent"
    (bad,) = (outputs / "results-3.jsonl").read_text().split("\n")[:1]
    assert "not UTF-8" in json.loads(bad)["error"]["issues"][0]["reason"]
