"""The JSON Schemas as an editor uses them (issue 8): every property described, fact names
offered where a fact is expected, agreement with the loader on every pack we ship and on
the broken ones, and one error for one mistake."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

from assess_rules import (
    PolicyError,
    case,
    check_policy_file,
    conditions,
    load_policy,
    pack,
    result,
    scenarios,
)
from assess_rules.facts import FACTS, kinds_read_by
from assess_rules.loading import schema_path
from assess_rules.scenarios import load_scenario_file
from assess_rules.schemas import SCHEMA_FILES, national_facts

#: the module (the package exports a function of the same name)
EXPLAIN_MODULE = importlib.import_module("assess_rules.explain")
ROOT = Path(__file__).parents[1]
BROKEN = ROOT / "tests" / "broken_packs"


class _EditorYaml(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2): a date is text, which the
    schema's ``format: date`` then checks, as it does in the editor."""


_EditorYaml.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return loaded


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = _schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _editor_errors(path: Path, schema: str = "policy-pack.schema.json") -> list[Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorYaml)
    return list(_validator(schema).iter_errors(data))


def _properties(node: Any, at: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every property schema anywhere in ``node``, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            found.append((f"{at}/properties/{key}", value))
        for key, value in node.items():
            if key != "if":  # a test on a rule's kind, not a key an author writes
                found += _properties(value, f"{at}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _properties(value, f"{at}/{i}")
    return found


# --- 1. a description on every property ----------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_every_property_of_every_schema_has_a_description(name: str) -> None:
    properties = _properties(_schema(name))
    assert len(properties) > 20, "the walk found the properties"
    bare = [where for where, node in properties if not str(node.get("description", "")).strip()]
    assert bare == [], f"{name}: give these a description in the model: {bare}"


def _documented_fields(module: ModuleType) -> list[tuple[str, str, str]]:
    """(class, field, docstring) for each field with a docstring under it in ``module``."""
    found = []
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.ClassDef):
            for field, below in itertools.pairwise(node.body):
                if (
                    isinstance(field, ast.AnnAssign)
                    and isinstance(field.target, ast.Name)
                    and isinstance(below, ast.Expr)
                    and isinstance(below.value, ast.Constant)
                    and isinstance(below.value.value, str)
                ):
                    text = inspect.cleandoc(below.value.value)
                    found.append((node.name, field.target.id, text))
    return found


@pytest.mark.parametrize(
    ("module", "schema"),
    [
        (pack, "policy-pack.schema.json"),
        (case, "case.schema.json"),
        (scenarios, "scenarios.schema.json"),
        (result, "result.schema.json"),
        (EXPLAIN_MODULE, "explain.schema.json"),
        (conditions, "explain.schema.json"),
    ],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_a_docstring_under_a_field_is_its_description(module: ModuleType, schema: str) -> None:
    """What is written under a field is what an editor shows for it, in every model that
    has the field (inherited ones too), and wins over a description its type gives."""
    documented = _documented_fields(module)
    assert len(documented) >= 4, "the walk found the docstrings"
    whole = _schema(schema)
    defs = whole.get("$defs", {})
    seen = set()
    for model in vars(module).values():
        if not isinstance(model, type) or model.__module__ != module.__name__:
            continue
        node = defs.get(model.__name__) or (whole if _is_root(whole, model) else None)
        for owner, field, text in documented:
            if node is None or not issubclass(model, getattr(module, owner)):
                continue
            key = "from" if field == "from_" else field
            shown = node["properties"][key]["description"]
            assert shown == " ".join(text.split()), (model.__name__, field)
            seen.add((owner, field))
    assert seen == {(owner, field) for owner, field, _ in documented}


def _is_root(whole: dict[str, Any], model: type) -> bool:
    """Whether ``model`` is the one ``whole`` describes at its top."""
    return set(whole.get("properties", {})) == set(
        getattr(model, "model_fields", None) or getattr(model, "__dataclass_fields__", {})
    )


def test_the_walk_finds_a_property_without_a_description() -> None:
    schema = {"properties": {"a": {"description": "x"}}, "$defs": {"B": {"properties": {"b": {}}}}}
    assert [w for w, n in _properties(schema) if "description" not in n] == [
        "#/$defs/B/properties/b"
    ]


# --- 2. fact names where a fact is expected --------------------------------------------------


def _fact_def(name: str) -> dict[str, Any]:
    definition: dict[str, Any] = _schema("policy-pack.schema.json")["$defs"][name]
    return definition


def test_every_national_moment_fact_is_offered_where_a_moment_is_expected() -> None:
    # national: the built-in facts and those of the words generic_s17 declares
    national = national_facts()
    assert {s.name for s in FACTS.all_specs()} < {s.name for s in national}
    enum = set(_fact_def("MomentFact")["anyOf"][0]["enum"])
    moments = {s.name for s in national if s.type in {"moment", "date"}}
    assert enum == moments
    assert "referral.received" in enum
    assert "child.age" not in enum
    roles = set(_fact_def("RoleFact")["anyOf"][0]["enum"])
    assert roles == {s.name for s in national if s.type == "role"}
    records = set(_fact_def("RecordFact")["anyOf"][0]["enum"])
    assert "oversight.allocation" in records
    assert "action.chronology_updated" in records
    assert "action.family_informed" not in records  # Kent declares it, not generic_s17
    assert "referral.received" not in records


@pytest.mark.parametrize(
    ("where", "definition"),
    [
        ("TimescaleRule/properties/start", "MomentFact"),
        ("TimescaleRule/properties/end", "MomentFact"),
        ("ObligationRule/properties/trigger", "MomentFact"),
        ("Step/properties/record", "MomentFact"),
        ("Step/properties/after", "MomentFact"),
        ("Step/properties/by_fact", "RoleFact"),
        ("AuthorityRule/properties/role_fact", "RoleFact"),
        ("RecurringRule/properties/start", "MomentFact"),
        ("RecurringRule/properties/record", "RecordFact"),
        ("RecurringRule/properties/until", "MomentFact"),
    ],
)
def test_a_key_that_names_a_fact_offers_the_facts(where: str, definition: str) -> None:
    model, _, key = where.split("/")
    node = _schema("policy-pack.schema.json")["$defs"][model]["properties"][key]
    assert f'"#/$defs/{definition}"' in json.dumps(node)


def _timescale(**changes: Any) -> dict[str, Any]:
    rule = {
        "id": "child-seen",
        "kind": "timescale",
        "title": "Child seen",
        "sources": [{"id": "GEN-REF-1", "para": "1"}],
        "start": "referral.received",
        "within": {"amount": 5, "unit": "working_days"},
    }
    rule.update(changes)
    return {"pack": {"id": "p", "title": "P", "authority": "T", "version": "1"}, "rules": [rule]}


@pytest.mark.parametrize(
    ("start", "valid"),
    [
        ("referral.received", True),
        ("strategy_discussion.held", True),  # an item's fact: the loader wants for_each
        ("oversight.family_group_conference", True),  # a kind the pack may declare
        ("action.legal_planning_meeting", True),
        ("referral.recieved", False),  # misspelt
        ("child.age", False),  # a number, not a moment
        ("Referral received", False),
    ],
)
def test_the_schema_accepts_national_facts_and_the_form_of_a_packs_own(
    start: str, valid: bool
) -> None:
    errors = list(_validator("policy-pack.schema.json").iter_errors(_timescale(start=start)))
    assert (errors == []) is valid, [e.message for e in errors]


# --- 3. the schema agrees with the loader --------------------------------------------------

SHIPPED = sorted(
    [
        *(ROOT / "policies").glob("*.yaml"),
        *(ROOT / "examples" / "packs").glob("*.yaml"),
        *(ROOT / "tests" / "packs").glob("*.yaml"),
    ]
)
PACKS = [p for p in SHIPPED if not p.name.endswith((".scenarios.yaml", ".ids.yaml"))]
SCENARIO_FILES = [p for p in SHIPPED if p.name.endswith(".scenarios.yaml")]


def test_the_shipped_files_are_all_here() -> None:
    names = {p.name for p in PACKS}
    assert {"generic_s17.yaml", "northshire.yaml", "northshire@1.0.0.yaml"} <= names
    assert len(SCENARIO_FILES) >= 6


@pytest.mark.parametrize("path", PACKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_pack_and_version_file_follows_the_schema_and_loads(path: Path) -> None:
    assert [e.message for e in _editor_errors(path)] == []
    assert check_policy_file(path) == []
    load_policy(path)


#: broken packs the loader refuses that a JSON Schema cannot, and why (docs/editors.md)
SCHEMA_CANNOT = {
    # the YAML itself: refused before any schema applies, and marked by the editor's YAML
    # parser (or, for duplicate keys and aliases, only by `assess-rules validate`)
    "yaml_syntax": "not YAML",
    "duplicate_key": "a YAML reader keeps the last of two equal keys",
    "deep_nesting": "refused by the loader's YAML reader before the schema",
    # the condition language: a condition is text the loader compiles
    "condition_syntax": "conditions are text",
    "condition_too_deep": "conditions are text",
    "unknown_fact_in_condition": "conditions are text",
    "unknown_value_in_condition": "conditions are text",
    "parameter_undefined_in_condition": "conditions are text",
    # cross-references: one part of the pack (or another pack) against another
    "changes_unknown_rule": "names a rule defined elsewhere",
    "duplicate_rule_id": "ids unique across list items",
    "extends_missing": "another file",
    "cycle_a": "another file",
    "cycle_b": "another file",
    "override_nothing": "another file",
    "shadowed_rule": "another file",
    "removed_unknown": "another file",
    "parameter_undefined": "names a parameter defined elsewhere in the pack",
    "parameter_named_like_a_fact": "a parameter's name against the fact registry",
    "unknown_role": "a role against the pack's own ladder",
    "item_fact_outside_for_each": "a fact against the rule's for_each",
    "warning_action_for_each": "two keys that may not go together",
    "closure_out_of_range": "a date's range",
}


def test_every_schema_exception_is_a_broken_pack() -> None:
    assert set(SCHEMA_CANNOT) <= {p.stem for p in BROKEN.glob("*.yaml")}


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_schema_refuses_what_the_loader_refuses_where_a_schema_can(path: Path) -> None:
    with pytest.raises(PolicyError):
        load_policy(path)
    if path.stem in SCHEMA_CANNOT:
        try:
            errors = _editor_errors(path)
        except yaml.YAMLError:
            return
        # documented, and still true: were the schema to catch it, move it out of the list
        assert errors == [] or path.stem == "deep_nesting", [e.message for e in errors]
        return
    assert _editor_errors(path), f"{path.stem}: the loader refuses it, the schema accepts it"


# --- 4. one error for one mistake ----------------------------------------------------------

MISTAKES = [
    # (what is written wrong, the change to a good rule, the key on the line, words)
    ("a unit", {"within": {"amount": 5, "unit": "working_dayz"}}, "unit", "working_days"),
    ("a kind", {"kind": "timescal"}, "kind", "unknown rule kind; expected one of"),
    ("a key", {"owner_role": "social_worker"}, "owner_role", "unknown key 'owner_role'"),
    ("a severity", {"severity": "severe"}, "severity", "expected one of: low, medium, high"),
    ("an amount", {"within": {"amount": "5 days", "unit": "hours"}}, "amount", "whole number"),
    ("a fact's form", {"start": "Referral received"}, "start", "expected a fact name"),
    ("a misspelt fact", {"start": "referral.recieved"}, "start", "unknown fact"),
    ("a fact's type", {"start": "child.age"}, "start", "expected a moment or date fact"),
    ("an end", {"end": "decision.mdae"}, "end", "unknown fact 'decision.mdae'"),
    ("a role", {"owner": "director"}, "owner", "not a value allowed here"),
]


@pytest.mark.parametrize(("what", "change", "key", "words"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_one_mistake_gives_one_located_error(
    tmp_path: Path, what: str, change: dict[str, Any], key: str, words: str
) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(_timescale(), sort_keys=False), encoding="utf-8")
    assert check_policy_file(path) == []
    text = yaml.safe_dump(_timescale(**change), sort_keys=False)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith(key))
    errors = check_policy_file(path)
    assert len(errors) == 1, [str(e) for e in errors]
    (error,) = errors
    assert str(error).startswith(f"{path}:{line}:{error.column}: "), str(error)
    assert error.column is not None
    assert error.column > 0
    assert words in error.reason
    # and an editor marks one place, with nothing nested under it from other rule kinds
    # (before, a rule was checked against all ten kinds: 42 errors for a bad unit)
    marked = _editor_errors(path)
    assert len(marked) == 1, [e.message for e in marked]
    leaves = list(_leaves(marked[0]))
    assert len(leaves) <= 3
    assert {tuple(e.absolute_path) for e in leaves} == {tuple(marked[0].absolute_path)}


def _leaves(error: Any) -> Any:
    if not error.context:
        yield error
    for sub in error.context:
        yield from _leaves(sub)


def test_a_bad_unit_gave_dozens_of_errors_before_and_gives_one_now() -> None:
    """The issue's example: one bad unit in the broken pack, one error, located."""
    errors = check_policy_file(BROKEN / "bad_unit.yaml")
    assert [str(e) for e in errors] == [
        f"{BROKEN / 'bad_unit.yaml'}:8:31: not a value allowed here; expected one "
        "of: working_days, calendar_days, hours, weeks, months; did you mean 'working_days'? "
        "(at rules[0].within.unit)"
    ]
    (marked,) = _editor_errors(BROKEN / "bad_unit.yaml")
    assert marked.validator == "enum"
    assert marked.context == []


# --- 5. the scenario file's own schema -------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_scenario_file_follows_its_schema_and_loads(path: Path) -> None:
    assert [e.message for e in _editor_errors(path, "scenarios.schema.json")] == []
    assert load_scenario_file(path).scenarios


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_file_names_its_schema_for_editors(path: Path) -> None:
    pack = path.with_name(path.name.replace(".scenarios.yaml", ".yaml"))
    for file, schema in ((path, "scenarios"), (pack, "policy-pack")):
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), file
        target = (file.parent / first.split("$schema=")[1]).resolve()
        assert target == (ROOT / "schemas" / f"{schema}.schema.json").resolve(), file


GOOD_SCENARIOS = """\
pack: generic_s17
scenarios:
  - name: a referral
    as_of: 2026-12-21
    case: {case_id: S1, referral: {received_at: 2026-12-18T10:00}}
    expect:
      deadlines:
        referral-decision: {due: 2026-12-21, status: pending}
      violations: []
"""

#: a mistake in a scenario file, what the loader says, and whether the schema can see it
SCENARIO_MISTAKES = [
    (
        "status: pending",
        "status: pendng",
        "not a value allowed here; expected one of: pending",
        True,
    ),
    ("violations: []", "violation: []", "unknown key 'violation'", True),
    ("as_of: 2026-12-21", "as_of: 21/12/2026", "not of the expected form", True),
    ("    as_of: 2026-12-21\n", "", "missing required key 'as_of'", True),
    ("due: 2026-12-21", "due: [2026-12-21]", "expected text, got a list", True),
    ("pack: generic_s17", "pack: generic_s17\nbase: []", "expected a mapping", True),
    (
        "violations: []",
        "violations: [a]\n  - name: a referral\n    as_of: 2026-12-21\n    case: {case_id: S2}",
        "scenario name 'a referral' is used twice",
        False,
    ),
]


@pytest.mark.parametrize(
    ("good", "bad", "words", "schema_sees_it"),
    SCENARIO_MISTAKES,
    ids=[m[2] for m in SCENARIO_MISTAKES],
)
def test_a_scenario_file_mistake_is_refused_by_the_loader_and_the_schema_alike(
    tmp_path: Path, good: str, bad: str, words: str, schema_sees_it: bool
) -> None:
    path = tmp_path / "x.scenarios.yaml"
    path.write_text(GOOD_SCENARIOS, encoding="utf-8")
    assert _editor_errors(path, "scenarios.schema.json") == []
    load_scenario_file(path)
    assert good in GOOD_SCENARIOS
    path.write_text(GOOD_SCENARIOS.replace(good, bad, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_scenario_file(path)
    assert words in caught.value.reason
    assert caught.value.line is not None
    assert str(caught.value).startswith(f"{path}:{caught.value.line}:")
    assert bool(_editor_errors(path, "scenarios.schema.json")) is schema_sees_it


# --- 6. the editor set-up documented -------------------------------------------------------


def test_the_documented_vs_code_settings_map_every_shipped_file_to_its_schema() -> None:
    text = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    mapping = json.loads(block)["yaml.schemas"]
    schemas = {Path(schema).name: patterns for schema, patterns in mapping.items()}
    assert set(schemas) == {"policy-pack.schema.json", "scenarios.schema.json"}
    for schema in mapping:
        assert (ROOT / schema).is_file(), schema

    def matches(path: Path, patterns: list[str]) -> bool:
        relative = path.relative_to(ROOT)
        return any(relative.match(p) or path.match(p) for p in patterns)

    for path in PACKS:
        if "tests" not in path.relative_to(ROOT).parts:  # the test packs carry schema lines
            assert matches(path, schemas["policy-pack.schema.json"]), path
    for path in SCENARIO_FILES:
        assert matches(path, schemas["scenarios.schema.json"]), path


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_broken_pack_has_one_mistake_and_gets_one_error(path: Path) -> None:
    assert len(check_policy_file(path)) == 1


def _authority(role_fact: str) -> dict[str, Any]:
    rule = {
        "id": "decided-by-a-manager",
        "kind": "authority",
        "title": "A manager decides",
        "sources": [{"id": "GEN-REF-1", "para": "1"}],
        "action": "decide",
        "applies_when": "known(decision.made)",
        "role_fact": role_fact,
        "role": "team_manager",
    }
    return {"pack": {"id": "p", "title": "P", "authority": "T", "version": "1"}, "rules": [rule]}


@pytest.mark.parametrize(
    ("definition", "pack_with"),
    [("MomentFact", lambda name: _timescale(start=name)), ("RoleFact", _authority)],
)
def test_the_schema_and_the_loader_agree_on_every_fact_name(
    tmp_path: Path, definition: str, pack_with: Any
) -> None:
    """Every fact of the registry, written where a fact of one type is expected: the schema
    accepts it exactly when the loader does, but for a fact of a list's items, which only
    the loader refuses outside for_each (documented)."""
    validator = _validator("policy-pack.schema.json")
    path = tmp_path / "p.yaml"
    disagree = []
    verdicts = set()
    declared = {
        (name, word.id)
        for name, words in load_policy("generic_s17").declared_vocabulary.items()
        for word in words
    }
    for spec in national_facts():
        if not set(kinds_read_by(spec.name)) <= declared:
            continue  # it reads a word only a council pack declares: the loader's check
        data = pack_with(spec.name)
        data["pack"]["extends"] = "generic_s17"  # the national words
        data["rules"][0]["id"] = "schema-and-loader"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        schema_accepts = not list(validator.iter_errors(data))
        loader_accepts = check_policy_file(path) == []
        verdicts.add(loader_accepts)
        item_fact = FACTS.lookup(spec.name, None) is None
        if schema_accepts != loader_accepts and not (item_fact and schema_accepts):
            disagree.append(spec.name)
    assert disagree == []
    assert verdicts == {True, False}, "some facts fit here and some do not"
