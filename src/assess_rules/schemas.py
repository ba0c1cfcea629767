"""The JSON Schemas of packs, case snapshots and results, generated from the models.

The committed copies under ``schemas/`` are canonical for editors and other languages;
``python -m assess_rules.schemas`` rewrites them, and a test fails when they drift.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from assess_rules.case import DATE_PATTERN, MAX_ITEMS, MAX_TEXT, CaseSnapshot
from assess_rules.pack import Pack
from assess_rules.result import RESULT_SCHEMA_VERSION, Result

__all__ = ["SCHEMA_FILES", "generate", "write_all"]

_BASE = "https://assess-rules.example/schemas/"


def _case() -> dict[str, Any]:
    schema = CaseSnapshot.model_json_schema()
    schema["title"] = "assess_rules case snapshot"
    _dates_as_text(schema)
    schema["description"] = (
        "One child's case as recorded up to some moment. Beyond what this schema says, the "
        "parser refuses events out of order (a decision before the referral, ...), impossible "
        "calendar dates, London times in a clock change's gap or (without an offset) fold, "
        "dates outside 1990-2100, nesting deeper than 12 levels and more than 200,000 values."
    )
    return schema


def _dates_as_text(node: Any) -> None:
    """Give every ``format: date`` the pattern the parser holds dates to, and every text and
    list the parser's bounds, so a validator that does not check formats still agrees with
    :func:`parse_case`."""
    if isinstance(node, dict):
        if node.get("type") == "string":
            node.setdefault("maxLength", MAX_TEXT)
        if node.get("type") == "array":
            node.setdefault("maxItems", MAX_ITEMS)
        if node.get("format") == "date" and node.get("type") == "string":
            node["pattern"] = DATE_PATTERN
        for value in node.values():
            _dates_as_text(value)
    elif isinstance(node, list):
        for value in node:
            _dates_as_text(value)


def _pack() -> dict[str, Any]:
    schema = Pack.model_json_schema(by_alias=True)
    schema["title"] = "assess_rules policy pack"
    return schema


def _result() -> dict[str, Any]:
    schema = TypeAdapter(Result).json_schema(mode="serialization")
    schema["title"] = f"assess_rules evaluation result, schema_version {RESULT_SCHEMA_VERSION}"
    return schema


def _explain() -> dict[str, Any]:
    # imported here: the explanation's models sit above evaluation, which this module's
    # other schemas do not need
    from assess_rules.explain import EXPLAIN_SCHEMA_VERSION, Explanation

    schema = TypeAdapter(Explanation).json_schema(mode="serialization")
    schema["title"] = f"assess_rules explanation, schema_version {EXPLAIN_SCHEMA_VERSION}"
    return schema


SCHEMA_FILES = {
    "case.schema.json": _case,
    "explain.schema.json": _explain,
    "policy-pack.schema.json": _pack,
    "result.schema.json": _result,
}


def generate(name: str) -> str:
    """The text of schema file ``name`` as the models define it now."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + name,
        **SCHEMA_FILES[name](),
    }
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def write_all(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the paths written."""
    written = []
    for name in SCHEMA_FILES:
        target = directory / name
        target.write_text(generate(name), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("schemas")
    for path in write_all(out):
        print(path)
