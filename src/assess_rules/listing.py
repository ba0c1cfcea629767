"""``assess-rules list``: every pack found by name, where it comes from, what it hides.

Each pack is listed with its versions and when each is in force, and the place on the
search path it was found (``--pack-dir``, ``ASSESS_RULES_PACK_PATH``, an entry point, or
``bundled``). A name found in more than one place is taken from the first, and the line
says which places it shadows. Places that could not be searched, packs that do not load,
and stray files in the bundled folder are reported on stderr.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from assess_rules.errors import PolicyError
from assess_rules.loading import load_policy
from assess_rules.packpath import PackDirectory, PackSearchPath, unlisted_files
from assess_rules.policy import Policy

__all__ = ["in_force", "list_packs"]


def in_force(policy: Policy) -> str:
    """A version and when it is in force: ``1.1.0 (from 2023-07-01)``."""
    start, end = policy.info.effective_from, policy.info.effective_to
    if start and end:
        return f"{policy.version} ({start} to {end})"
    if start:
        return f"{policy.version} (from {start})"
    return f"{policy.version} (until {end})" if end else f"{policy.version} (no dates)"


def _place(directory: PackDirectory) -> dict[str, str]:
    return {"source": directory.origin, "place": directory.label, "folder": str(directory.path)}


def list_packs(
    search_path: PackSearchPath, stdout: TextIO, stderr: TextIO, *, output: str = "text"
) -> int:
    """List the packs of ``search_path``; 0, or 2 when a pack does not load or a place on
    the path could not be searched (the others are still listed)."""
    rows: list[dict[str, Any]] = []
    failed = False
    for location in search_path.packs():
        row: dict[str, Any] = {
            "name": location.name,
            **_place(location.directory),
            "path": str(location.path),
            "shadows": [_place(d) for d in location.shadows],
        }
        try:
            policy = load_policy(location.path, search_path=search_path)
        except PolicyError as exc:
            failed = True
            stderr.write(f"assess-rules: {exc}\n")
            row["error"] = str(exc)
            row["versions"] = []
        else:
            row["id"] = policy.id
            row["versions"] = [
                {
                    "version": v.version,
                    "effective_from": v.info.effective_from and v.info.effective_from.isoformat(),
                    "effective_to": v.info.effective_to and v.info.effective_to.isoformat(),
                    "in_force": in_force(v),
                }
                for v in policy.versions or (policy,)
            ]
        rows.append(row)
    for problem in search_path.problems:
        failed = True
        stderr.write(f"assess-rules: {problem}\n")
    for stray in unlisted_files():
        stderr.write(
            f"assess-rules: {stray} lies among the bundled packs but is not one (the list is "
            "bundled-packs.txt beside it); a council's pack lives in a folder of its own, "
            "given by --pack-dir or ASSESS_RULES_PACK_PATH: see docs/pack-location.md\n"
        )
    if output == "json":
        stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        spans = [
            "; ".join(v["in_force"] for v in row["versions"]) or "does not load" for row in rows
        ]
        ids = [row.get("id", row["name"]) for row in rows]
        id_width = max(map(len, ids), default=0)
        span_width = max(map(len, spans), default=0)
        for row, pack_id, span in zip(rows, ids, spans, strict=True):
            where = "bundled" if row["source"] == "bundled" else f"{row['place']} {row['path']}"
            stdout.write(f"{pack_id:<{id_width}}  {span:<{span_width}}  [{where}]\n")
            if pack_id != row["name"]:
                stdout.write(
                    f"  ! file {row['name']}.yaml holds pack {pack_id!r}: not found by either "
                    f"name until it is renamed {pack_id}.yaml\n"
                )
            if row["shadows"]:
                hidden = "; ".join(
                    s["place"] if s["source"] == "bundled" else f"{s['place']} {s['folder']}"
                    for s in row["shadows"]
                )
                stdout.write(f"  ! shadows the pack of that name in: {hidden}\n")
    return 2 if failed else 0
