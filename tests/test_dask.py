"""The Dask recipe of docs/sweeps.md, on a small local cluster of processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assess_rules import load_policy
from assess_rules.sweep import FRAME_COLUMNS, evaluate_frame, evaluate_partition

db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local cluster of two processes, shared by the recipes (starting one takes seconds)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local),
    ):
        yield local


def test_the_dask_recipe_gives_each_files_lines_in_order(tmp_path: Path, cluster: Any) -> None:
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


def test_the_dataframe_recipe_gives_one_row_per_row_with_its_index(cluster: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    pandas = pytest.importorskip("pandas")
    good = [
        json.dumps({"case_id": f"D{i}", "referral": {"received_at": "2026-12-18"}})
        for i in range(12)
    ]
    records: list[Any] = list(good)
    records[3] = '{"case_id": "X", "referral": {"received_at": "2026-12-18"}, "n": NaN}'
    records[6] = None  # a row with no record
    records[8] = json.dumps({"case_id": "late", "referral": {"received_at": "2027-02-30"}})
    index = [100 + 2 * i for i in range(12)]
    frame = pandas.DataFrame({"record": pandas.Series(records, index=index, dtype=object)})
    cases = dd.from_pandas(frame, npartitions=3)
    out = cases.map_partitions(
        evaluate_frame, load_policy("kent"), "2026-12-22", meta=FRAME_COLUMNS
    ).compute()
    assert list(out.index) == index  # every row, in order, joined back by its index
    assert list(out.columns) == list(FRAME_COLUMNS)
    errors = dict(zip(out.index, out["error"], strict=True))
    assert errors[106] == "json"
    assert errors[112] == "line"
    assert errors[116] == "case"
    assert [i for i, e in errors.items() if e is None] == [
        i for n, i in enumerate(index) if n not in (3, 6, 8)
    ]
    assert list(out["case_id"]) == [
        f"D{i}" if i not in (3, 6, 8) else {3: "X", 6: None, 8: "late"}[i] for i in range(12)
    ]
    first = json.loads(out["output"].iloc[0])
    assert first["result"]["pack"]["id"] == "kent"
    assert first["case_id"] == "D0"
