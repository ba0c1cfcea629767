"""The JSON Schemas of packs, case snapshots, results and scenario files, generated from
the models.

The committed copies under ``schemas/`` are canonical for editors and other languages;
``python -m assess_rules.schemas`` rewrites them, and a test fails when they drift.

Each property's description is the docstring written under the field in its model (or a
``Field(description=...)``), read here from the source when the schemas are generated, so
importing the library costs nothing for them.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import sys
from functools import cache
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel, TypeAdapter

from assess_rules import case, conditions, pack, result, scenarios
from assess_rules.case import DATE_PATTERN, MAX_ITEMS, MAX_TEXT, CaseSnapshot
from assess_rules.facts import FACTS, FactSpec, kind_specs
from assess_rules.pack import FACT_TYPES, Pack
from assess_rules.result import RESULT_SCHEMA_VERSION, Result
from assess_rules.scenarios import ScenarioFileModel

__all__ = ["SCHEMA_FILES", "field_docstrings", "generate", "write_all"]

_BASE = "https://assess-rules.example/schemas/"


@cache
def _class_bodies(module: ModuleType) -> dict[str, list[ast.stmt]]:
    tree = ast.parse(inspect.getsource(module))
    return {node.name: node.body for node in tree.body if isinstance(node, ast.ClassDef)}


def field_docstrings(cls: type) -> dict[str, str]:
    """The docstring written under each field of ``cls`` (and of the classes it builds on),
    by field name.

    >>> field_docstrings(pack.Duration)["unit"]
    'What the amount counts: working days, calendar days, hours, weeks or months.'
    """
    found: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        module = sys.modules.get(base.__module__)
        if module is None or not base.__module__.startswith("assess_rules."):
            continue
        body = _class_bodies(module).get(base.__name__, [])
        for field, below in pairwise(body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(below, ast.Expr)
                and isinstance(below.value, ast.Constant)
                and isinstance(below.value.value, str)
            ):
                found[field.target.id] = inspect.cleandoc(below.value.value)
    return found


def _models(*modules: ModuleType) -> list[type]:
    """The models (pydantic models and dataclasses) defined in ``modules``."""
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and (issubclass(value, BaseModel) or dataclasses.is_dataclass(value))
    ]


def _with_docstrings(schema: dict[str, Any], root: type, models: list[type]) -> dict[str, Any]:
    """Give each property of ``schema`` the docstring written under its field, where one is
    (it wins over a description a field's type gives)."""
    defs = schema.get("$defs", {})
    for model in models:
        node = schema if model is root else defs.get(model.__name__)
        if node is None:
            continue
        aliases = (
            {name: info.alias or name for name, info in model.model_fields.items()}
            if issubclass(model, BaseModel)
            else {}
        )
        for name, text in field_docstrings(model).items():
            prop = node.get("properties", {}).get(aliases.get(name, name))
            if prop is not None:
                prop["description"] = text
    return schema


def _case() -> dict[str, Any]:
    schema = _with_docstrings(CaseSnapshot.model_json_schema(), CaseSnapshot, _models(case))
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
    schema = _with_docstrings(Pack.model_json_schema(by_alias=True), Pack, _models(pack))
    schema["title"] = "assess_rules policy pack"
    schema["description"] = (
        "A policy pack: a council's assessment protocol as rules. Beyond what this schema "
        "says, the loader checks what a schema cannot: conditions, that a fact of a record "
        "kind is declared under vocabulary, that a fact of a list's items is used under "
        "for_each, roles against the pack's ladder, parameters, extends and overrides, and "
        "duplicate keys or ids (docs/editors.md lists them)."
    )
    _fact_names(schema["$defs"])
    _kinds_as_if_then(schema)
    return schema


#: what each fact type's enum holds, and the pattern of the facts a pack's own record kinds
#: add (``vocabulary:``), which no enum can list
_FACT_WORDS = {
    "MomentFact": (
        "A fact that is a moment or a date: one of the national facts listed in docs/facts.md "
        "(the editor offers them), or oversight.<kind> or action.<kind> for a record kind the "
        "pack (or one it extends) declares under vocabulary. Facts of a list's items, such as "
        "strategy_discussion.held, only in a rule with for_each over that list.",
        r"^(oversight|action)\.[a-z][a-z0-9_]*$",
    ),
    "RoleFact": (
        "A fact that says which role did something: one of the national facts listed in "
        "docs/facts.md (the editor offers them), or oversight.<kind>.by for a record kind the "
        "pack (or one it extends) declares under vocabulary.",
        r"^oversight\.[a-z][a-z0-9_]*\.by$",
    ),
    "RecordFact": (
        "A kind of record: oversight.<kind> (a manager's record) or action.<kind> (something "
        "done), one of the national kinds (the editor offers them) or one the pack (or one it "
        "extends) declares under vocabulary.",
        r"^(oversight|action)\.[a-z][a-z0-9_]*$",
    ),
}


def national_facts() -> list[FactSpec]:
    """The facts every pack extending ``generic_s17`` can read: the built-in ones and those
    of the record kinds ``generic_s17`` declares (the national vocabulary). The kinds are
    read from the bundled file as plain YAML, not through the loader, which checks packs
    against the schema being generated."""
    from assess_rules.loading import bundled_dir, read_yaml

    path = bundled_dir("policies") / "generic_s17.yaml"
    words = read_yaml(path.read_text(encoding="utf-8"), str(path)).data.get("vocabulary") or {}

    def ids(name: str) -> list[str]:
        return [str(word["id"]) for word in words.get(name) or ()]

    return FACTS.extended(kind_specs(ids("oversight_kinds"), ids("action_kinds"))).all_specs()


def _fact_names(defs: dict[str, Any]) -> None:
    """Give each fact type of the pack model (:data:`assess_rules.pack.FACT_TYPES`) the
    national facts of that type as an enum, beside the pattern of a pack's own record
    kinds, so an editor completes fact names and marks a misspelt one."""
    specs = national_facts()
    for name, types in FACT_TYPES.items():
        described, pattern = _FACT_WORDS[name]
        national = {s.name for s in specs if s.type in types}
        if name == "RecordFact":
            national = {n for n in national if re.fullmatch(pattern, n)}
        defs[name] = {
            "description": described,
            "anyOf": [
                {"enum": sorted(national), "description": "a national fact"},
                {
                    "type": "string",
                    "pattern": pattern,
                    "maxLength": 120,
                    "description": "a fact of a record kind the pack declares",
                },
            ],
        }


def _kinds_as_if_then(node: Any) -> None:
    """Rewrite each discriminated union (``oneOf`` with a ``discriminator``, which validators
    ignore) as an enum of the discriminator's values and one ``if``/``then`` per value, so a
    mistake in a rule is checked against its own kind only and gives one error, not one per
    kind."""
    if isinstance(node, list):
        for value in node:
            _kinds_as_if_then(value)
        return
    if not isinstance(node, dict):
        return
    if "oneOf" in node and "discriminator" in node:
        key = node["discriminator"]["propertyName"]
        by_target: dict[str, list[str]] = {}
        for value, target in node["discriminator"]["mapping"].items():
            by_target.setdefault(target, []).append(value)
        del node["oneOf"], node["discriminator"]
        node["type"] = "object"
        node["required"] = [key]
        node["properties"] = {
            key: {
                "enum": sorted(
                    node_value for values in by_target.values() for node_value in values
                ),
                "description": "what sort of rule this is; the other keys depend on it",
            }
        }
        node["allOf"] = [
            {
                "if": {"properties": {key: {"enum": values}}, "required": [key]},
                "then": {"$ref": target},
            }
            for target, values in by_target.items()
        ]
        return
    for value in node.values():
        _kinds_as_if_then(value)


def _result() -> dict[str, Any]:
    schema = TypeAdapter(Result).json_schema(mode="serialization")
    _with_docstrings(schema, Result, _models(result))
    schema["title"] = f"assess_rules evaluation result, schema_version {RESULT_SCHEMA_VERSION}"
    return schema


def _explain() -> dict[str, Any]:
    # imported here: the explanation's models sit above evaluation, which this module's
    # other schemas do not need
    from assess_rules.explain import EXPLAIN_SCHEMA_VERSION, Explanation

    schema = TypeAdapter(Explanation).json_schema(mode="serialization")
    # the module, not the function of the same name the package exports; with it the
    # condition trace, and the pack stamp and citations shared with results
    explaining = sys.modules[Explanation.__module__]
    _with_docstrings(schema, Explanation, _models(explaining, conditions, result))
    schema["title"] = f"assess_rules explanation, schema_version {EXPLAIN_SCHEMA_VERSION}"
    return schema


def _scenarios() -> dict[str, Any]:
    schema = ScenarioFileModel.model_json_schema()
    _with_docstrings(schema, ScenarioFileModel, _models(scenarios))
    schema["title"] = "assess_rules scenario file"
    schema["description"] = (
        "A scenario file (<pack>.scenarios.yaml): cases with the date each is evaluated as "
        "of and what must be found, and invariants no case may break (docs/testing.md). "
        "Beyond what this schema says, the loader refuses a name used twice; each case is "
        "checked against the case schema once merged onto base, when the scenario runs."
    )
    return schema


SCHEMA_FILES = {
    "case.schema.json": _case,
    "explain.schema.json": _explain,
    "policy-pack.schema.json": _pack,
    "result.schema.json": _result,
    "scenarios.schema.json": _scenarios,
}


def generate(name: str) -> str:
    """The text of schema file ``name`` as the models define it now."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + name,
        **SCHEMA_FILES[name](),
    }
    _one_line_paragraphs(schema)
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def _one_line_paragraphs(node: Any) -> None:
    """Join the lines of each paragraph of every description (a docstring wrapped to fit
    the source), so an editor shows it as it would any text."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                paragraphs = re.split(r"\n\s*\n", value.strip())
                node[key] = "\n\n".join(" ".join(p.split()) for p in paragraphs)
            else:
                _one_line_paragraphs(value)
    elif isinstance(node, list):
        for value in node:
            _one_line_paragraphs(value)


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
