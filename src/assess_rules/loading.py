"""From YAML to a :class:`Policy`: strict, safe, and precise about where a pack is wrong.

- Safe YAML only; anchors and aliases are refused (no alias bombs), as are duplicate keys.
- Bounded cost: a file over 1 MiB, nesting deeper than 40 or more than 200,000 YAML nodes fails
  fast, before any object is built.
- Every error names the file, line and column, what was expected and, where one fits, the
  name that was probably meant.
- Validated against ``schemas/policy-pack.schema.json``, then the pydantic models, then the
  cross-references a schema cannot check (fact names, roles, ``extends``, overrides).
- ``extends`` is resolved with cycle detection: first beside the file, then along the search
  path (:mod:`assess_rules.packpath`), which ends with the bundled packs.

>>> policy = load_policy("generic_s17")
>>> policy.id
'generic_s17'
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
import yaml
from pydantic import BaseModel, ValidationError

from assess_rules.calendar import (
    FIRST_SUPPORTED,
    LAST_SUPPORTED,
    WorkingDayCalendar,
    fridays_before_monday_holidays,
    yearly_days,
)
from assess_rules.case import ROLES, RecordVocabulary
from assess_rules.conditions import CompiledCondition, compile_condition
from assess_rules.errors import ConditionError, PolicyError
from assess_rules.facts import FACTS, FactRegistry, kind_specs, kinds_read_by
from assess_rules.kinds import KINDS, kind_of
from assess_rules.pack import (
    FACT_NAME_PATTERN,
    FACT_TYPES,
    CalendarSettings,
    CancellationRule,
    Duration,
    Pack,
    Parameter,
    ProhibitionRule,
    RecordKindDefinition,
    RoleDefinition,
    Rule,
    WarningRule,
)
from assess_rules.packpath import PackSearchPath, bundled_dir, bundled_names, pack_search_path
from assess_rules.policy import Policy

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "SearchPath",
    "bundled_dir",
    "bundled_policies",
    "check_policy_file",
    "load_policy",
    "read_yaml",
    "reload_policy",
    "schema_errors",
    "schema_path",
]

MAX_FILE_BYTES = 1_048_576
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_EXTENDS = 8

# libyaml's parser when PyYAML was built with it (same YAML 1.1 rules, several times faster);
# the pure-Python one otherwise. Either way only safe tags are ever constructed.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]

#: where :func:`load_policy` looks for a pack by name: a :class:`PackSearchPath`, or
#: directories searched before the default path (as ``--pack-dir``), or ``None``: the default
SearchPath = PackSearchPath | Iterable[str | Path] | None


# --- where bundled files live -------------------------------------------------------------


def schema_path(name: str) -> Path:
    """Path of a bundled JSON Schema, e.g. ``policy-pack.schema.json``."""
    return bundled_dir("schemas") / name


def bundled_policies() -> list[str]:
    """Names of the bundled packs, e.g. ``['buckinghamshire', 'generic_s17', ...]``: those
    the manifest ``bundled-packs.txt`` lists, never a stray file beside them."""
    return bundled_names()


@cache
def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path(name).read_text("utf-8"))
    return schema


# --- YAML with positions --------------------------------------------------------------------


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML plus where each value (and each mapping key) stood in the file."""

    data: Any
    file: str
    values: Mapping[Path_, tuple[int, int]]
    keys: Mapping[Path_, tuple[int, int]]
    styles: Mapping[Path_, str | None]

    def where(self, path: Iterable[str | int], *, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the value at ``path`` (or its key), or of its nearest
        parent."""
        trail = tuple(path)
        if key and trail in self.keys:
            return self.keys[trail]
        while trail:
            if trail in self.values:
                return self.values[trail]
            trail = trail[:-1]
        return self.values.get((), None)

    def error(
        self,
        reason: str,
        path: Iterable[str | int],
        *,
        key: bool = False,
        suggestion: str | None = None,
        column_offset: int = 0,
    ) -> PolicyError:
        """A :class:`PolicyError` located at ``path``."""
        trail = tuple(path)
        position = self.where(trail, key=key)
        line, column = position if position else (None, None)
        if column is not None and column_offset:
            quoted = self.styles.get(trail) in {"'", '"'}
            column += column_offset - 1 + (1 if quoted else 0)
        return PolicyError(
            reason, file=self.file, line=line, column=column, path=trail, suggestion=suggestion
        )


def read_yaml(text: str, file: str) -> YamlDocument:
    """Parse ``text`` safely, with positions; raise :class:`PolicyError` on anything unsafe."""
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise PolicyError(
            f"the file is {size:,} bytes; a policy pack may be at most {MAX_FILE_BYTES:,}",
            file=file,
        )
    _scan_events(text, file)
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None
    values: dict[Path_, tuple[int, int]] = {}
    keys: dict[Path_, tuple[int, int]] = {}
    styles: dict[Path_, str | None] = {}
    constructor = yaml.SafeLoader("")
    data = None if node is None else _convert(node, (), file, values, keys, styles, constructor)
    return YamlDocument(data, file, values, keys, styles)


def _scan_events(text: str, file: str) -> None:
    depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line, column = _mark(event.start_mark)
                raise PolicyError(
                    "anchors and aliases (& and *) are not allowed in a policy "
                    "pack; write the value out in full",
                    kind="yaml-anchor",
                    file=file,
                    line=line,
                    column=column,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, column = _mark(event.start_mark)
                    raise PolicyError(
                        f"nesting deeper than {MAX_DEPTH} levels",
                        kind="yaml-depth",
                        file=file,
                        line=line,
                        column=column,
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise PolicyError(
                        f"more than {MAX_NODES:,} values; a policy pack is much smaller",
                        kind="yaml-size",
                        file=file,
                    )
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None


def _mark(mark: Any) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def _yaml_error(exc: yaml.YAMLError, file: str) -> PolicyError:
    if not isinstance(exc, yaml.MarkedYAMLError):
        # e.g. a ReaderError: a character YAML does not allow, with its offset in the text
        position = getattr(exc, "position", None)
        where = f" at character {position}" if position is not None else ""
        return PolicyError(f"not valid YAML{where}: {exc}", file=file, kind="yaml-syntax")
    mark = exc.problem_mark or exc.context_mark
    reason = f"not valid YAML: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        line, column = _mark(exc.context_mark)
        reason += f" ({exc.context} that starts at line {line}, column {column})"
    if mark is None:
        return PolicyError(reason, file=file, kind="yaml-syntax")
    return PolicyError(
        reason, file=file, line=mark.line + 1, column=mark.column + 1, kind="yaml-syntax"
    )


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
)


def _convert(
    node: yaml.Node,
    path: Path_,
    file: str,
    values: dict[Path_, tuple[int, int]],
    keys: dict[Path_, tuple[int, int]],
    styles: dict[Path_, str | None],
    constructor: yaml.SafeLoader,
) -> Any:
    values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _PLAIN_TAGS:
        raise PolicyError(
            f"the YAML tag {node.tag!r} is not allowed in a policy pack",
            kind="yaml-tag",
            file=file,
            line=values[path][0],
            column=values[path][1],
            path=path,
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, str):
                raise PolicyError(
                    f"keys must be text, found {key!r}",
                    kind="yaml-key",
                    file=file,
                    line=where[0],
                    column=where[1],
                    path=path,
                )
            if key in out:
                first = keys[(*path, key)]
                raise PolicyError(
                    f"duplicate key {key!r} (first given on line {first[0]})",
                    kind="yaml-duplicate",
                    file=file,
                    line=where[0],
                    column=where[1],
                    path=(*path, key),
                )
            keys[(*path, key)] = where
            out[key] = _convert(value_node, (*path, key), file, values, keys, styles, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, i), file, values, keys, styles, constructor)
            for i, item in enumerate(node.value)
        ]
    styles[path] = getattr(node, "style", None)
    try:
        value = constructor.construct_object(node)
    except ValueError as exc:
        line, column = _mark(node.start_mark)
        raise PolicyError(
            f"{node.value!r} is not a valid value here ({exc})",
            kind="yaml-value",
            file=file,
            line=line,
            column=column,
            path=path,
        ) from None
    if hasattr(value, "isoformat"):  # YAML dates become ISO text, as JSON would carry them
        return value.isoformat()
    return value


# --- schema and model validation -----------------------------------------------------------

#: each YAML ``kind:`` (older names too) and the schema definition of its model
_KIND_DEFS = {name: kind.model.__name__ for kind in KINDS.values() for name in kind.names}
_PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9_\-]*$": "lower-case letters, digits, '_' and '-', e.g. 'child-seen'",
    r"^[A-Z]+-[A-Za-z0-9.\-]+$": "a catalogue ID such as 'BUCKS-2.11a'",
    r"^[a-z_][a-z0-9_.]*$": "a fact name such as 'referral.received'",
}
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "nothing",
    "number": "a number",
}


def schema_errors(doc: YamlDocument, name: str = "policy-pack.schema.json") -> list[PolicyError]:
    """Every place ``doc`` breaks the bundled JSON Schema ``name``, one located error each,
    in the order they appear in the file. A rule is checked against its own kind only (the
    schema's ``if``/``then`` on ``kind``), so one mistake gives one error; a fact name of the
    right form the schema does not list is left to the cross-reference checks, which know
    the pack's own record kinds and say more."""
    schema = _schema(name)
    validator_cls = jsonschema.validators.validator_for(schema)
    found: list[PolicyError] = []
    checker = validator_cls.FORMAT_CHECKER
    defs = schema.get("$defs", {})
    facts = [defs[fact] for fact in FACT_TYPES if fact in defs]
    for error in validator_cls(schema, format_checker=checker).iter_errors(doc.data):
        described = _describe_schema_error(doc, error, facts)
        if described is not None:
            found.append(described)
    return _ordered(_unique(found))


def _unique(errors: list[PolicyError]) -> list[PolicyError]:
    seen: set[str] = set()
    out = []
    for error in errors:
        if str(error) not in seen:
            seen.add(str(error))
            out.append(error)
    return out


def _json_type(value: Any) -> str:
    for name, kind in (
        ("boolean", bool),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("array", list),
        ("object", dict),
    ):
        if isinstance(value, kind):
            return name
    return "null"


def _describe_schema_error(
    doc: YamlDocument, error: Any, facts: list[dict[str, Any]]
) -> PolicyError | None:
    path = tuple(error.absolute_path)
    validator = error.validator
    at_rule = len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int)
    if at_rule and len(path) == 2 and validator == "type":
        return doc.error(
            "expected a rule (a mapping with 'kind', 'id', ...), got "
            f"{_TYPE_WORDS.get(_json_type(error.instance), 'a value')}",
            path,
        )
    if at_rule and len(path) == 2 and validator == "required" and "'kind'" in error.message:
        return doc.error(f"a rule needs a 'kind' (one of: {', '.join(_KIND_DEFS)})", path)
    if at_rule and path[2:] == ("kind",) and validator == "enum":
        close = difflib.get_close_matches(str(error.instance), list(_KIND_DEFS), n=1)
        return doc.error(
            f"unknown rule kind; expected one of: {', '.join(_KIND_DEFS)}",
            path,
            suggestion=close[0] if close else None,
        )
    if validator == "anyOf" and error.schema in facts:
        if isinstance(error.instance, str) and re.fullmatch(FACT_NAME_PATTERN, error.instance):
            return None  # the cross-reference checks name the fact and suggest one
        return doc.error("expected a fact name such as 'referral.received'", path)
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        key = extras[0] if extras else "?"
        close = difflib.get_close_matches(key, allowed, n=1)
        return doc.error(
            f"unknown key {key!r}; allowed keys here: {', '.join(allowed)}",
            (*path, key),
            key=True,
            suggestion=close[0] if close else None,
        )
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        allowed = sorted(error.schema.get("properties", {}))
        strays = [k for k in error.instance if k not in allowed]
        close = difflib.get_close_matches(missing, strays, n=1)
        if close:
            return doc.error(
                f"unknown key {close[0]!r}; allowed keys here: {', '.join(allowed)}",
                (*path, close[0]),
                key=True,
                suggestion=missing,
            )
        return doc.error(f"missing required key {missing!r}", path)
    if validator in {"enum", "const"}:
        options = error.validator_value if validator == "enum" else [error.validator_value]
        words = [str(o) for o in options]
        close = difflib.get_close_matches(str(error.instance), words, n=1)
        return doc.error(
            f"not a value allowed here; expected one of: {', '.join(words)}",
            path,
            suggestion=close[0] if close else None,
        )
    if validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected)
        got = _TYPE_WORDS.get(_json_type(error.instance), "a value")
        return doc.error(f"expected {wanted}, got {got}", path)
    if validator == "pattern":
        form = _PATTERN_WORDS.get(error.validator_value, f"the pattern {error.validator_value}")
        return doc.error(f"not of the expected form: {form}", path)
    if validator == "format" and error.validator_value == "date":
        return doc.error("not a date; write YYYY-MM-DD", path)
    if validator == "minItems":
        return doc.error(f"expected a list of at least {error.validator_value}", path)
    if validator == "minLength":
        return doc.error("expected some text here, not an empty value", path)
    if validator == "oneOf" and not error.context:
        keys = [str(k) for branch in error.validator_value for k in branch.get("required", [])]
        return doc.error(f"give only one of the keys {' or '.join(map(repr, keys))}", path)
    if (
        validator in {"anyOf", "oneOf"}
        and error.context
        and all(e.validator == "required" for e in error.context)
    ):
        keys = [str(e.validator_value[0]) for e in error.context]
        return doc.error(f"expected one of the keys {' or '.join(map(repr, keys))}", path)
    if validator in {"anyOf", "oneOf"} and error.context:
        # not the branch that allows nothing (an optional key left empty), when it has a value
        branches = [
            e for e in error.context if not (e.validator == "type" and e.validator_value == "null")
        ] or list(error.context)
        deepest = max(branches, key=lambda e: len(e.absolute_path))
        return _describe_schema_error(doc, deepest, facts)
    return doc.error(error.message, path)


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _ordered(errors: list[PolicyError]) -> list[PolicyError]:
    return sorted(errors, key=lambda e: (e.line or 0, e.column or 0))


def _model(doc: YamlDocument) -> Pack:
    try:
        return Pack.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = tuple(p for p in first["loc"] if not (isinstance(p, str) and p in _KIND_DEFS))
        raise doc.error(str(first["msg"]), path) from None


# --- cross-references ---------------------------------------------------------------------


@dataclass
class _Checker:
    """Compiles a file's conditions and checks its names, collecting located errors."""

    doc: YamlDocument
    roles: tuple[str, ...]
    compiled: dict[tuple[str, str | None], CompiledCondition]
    errors: list[PolicyError]
    parameters: Mapping[str, int]
    facts: FactRegistry
    #: the vocabulary declared so far in the chain, by list (``requestable_actions``, ...)
    words: Mapping[str, frozenset[str]]

    def condition(self, text: str | None, scope: str | None, path: Path_) -> None:
        if text is None:
            return
        try:
            compiled = self.compiled[(text, scope)] = compile_condition(
                text, self.facts, scope, self.parameters
            )
        except ConditionError as exc:
            self.errors.append(
                self.doc.error(
                    f"in the condition {text!r}: {exc.reason}",
                    path,
                    suggestion=exc.suggestion,
                    column_offset=exc.column or 0,
                )
            )
            return
        for name in sorted(compiled.facts):
            self.words_read(name, path)

    def fact(
        self,
        name: str | None,
        scope: str | None,
        path: Path_,
        kinds: tuple[str, ...] = ("moment", "date"),
    ) -> None:
        if name is None:
            return
        spec = self.facts.lookup(name, scope)
        home = self.facts.scope_of(name) if spec is None else None
        if home is not None:
            self.errors.append(
                self.doc.error(
                    f"{name!r} is a fact of each item of {home}; use it in a rule with "
                    f"'for_each: {home}'",
                    path,
                )
            )
        elif spec is None:
            names = [
                n
                for n in self.facts.names(scope)
                if (s := self.facts.lookup(n, scope)) is not None and s.type in kinds
            ]
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            self.errors.append(
                self.doc.error(
                    f"unknown fact {name!r}", path, suggestion=close[0] if close else None
                )
            )
        elif spec.type not in kinds:
            self.errors.append(
                self.doc.error(
                    f"{name!r} is {_a(spec.type)} fact; "
                    f"expected {_a(' or '.join(kinds))} fact here",
                    path,
                )
            )
        else:
            self.words_read(name, path)

    def words_read(self, fact: str, path: Path_) -> None:
        """A built-in fact that reads particular words of the vocabulary (an oversight kind,
        a requestable action, ...) needs the pack, or one it extends, to declare them."""
        for field_name, word in kinds_read_by(fact):
            if word not in self.words[field_name]:
                self.errors.append(
                    self.doc.error(
                        f"the fact {fact!r} reads the {_VOCABULARY_LISTS[field_name]} "
                        f"{word!r}, which this pack's vocabulary does not declare (declare it "
                        f"under vocabulary.{field_name}, or extend a pack that does)",
                        path,
                    )
                )

    def action(self, rule: Rule, at: Path_) -> None:
        """A rule about a requestable action names one the vocabulary declares."""
        if not isinstance(rule, CancellationRule | ProhibitionRule | WarningRule):
            return
        if rule.action is None or rule.action in self.words["requestable_actions"]:
            return
        known = sorted(self.words["requestable_actions"])
        close = difflib.get_close_matches(rule.action, known, n=1)
        self.errors.append(
            self.doc.error(
                f"action {rule.action!r} is not one of this pack's requestable actions "
                "(declare it under vocabulary.requestable_actions, or extend a pack that does)",
                (*at, "action"),
                suggestion=close[0] if close else None,
            )
        )

    def role(self, role: str | None, path: Path_) -> None:
        if role is not None and role not in self.roles:
            self.errors.append(
                self.doc.error(
                    f"role {role!r} is not on this pack's role ladder ({', '.join(self.roles)})",
                    path,
                )
            )

    def error(self, message: str, path: Path_) -> None:
        """Report a problem at ``path``."""
        self.errors.append(self.doc.error(message, path))

    def durations(self, rule: Rule, at: Path_) -> None:
        """Every duration that names a parameter names one the pack (or one it extends)
        defines."""
        for duration, path in _durations(rule, at):
            if isinstance(duration.amount, str) and duration.amount not in self.parameters:
                close = difflib.get_close_matches(duration.amount, list(self.parameters), n=1)
                self.errors.append(
                    self.doc.error(
                        f"parameter {duration.amount!r} is not defined in 'parameters:'",
                        (*path, "amount"),
                        suggestion=close[0] if close else None,
                    )
                )

    def rule(self, rule: Rule, index: int) -> None:
        """Check one rule: what every rule shares here, what is particular to its kind in
        its module (``assess_rules.kinds``), with paths placed under ``rules[index]``."""
        at: Path_ = ("rules", index)
        self.durations(rule, at)
        if rule.effective_from and rule.effective_to and rule.effective_from > rule.effective_to:
            self.errors.append(
                self.doc.error("effective_from is after effective_to", (*at, "effective_from"))
            )
        self.action(rule, at)
        kind_of(rule).check(rule, _RuleChecker(self, at))


@dataclass(frozen=True)
class _RuleChecker:
    """A kind's view of the checker: paths relative to the rule, placed under it here."""

    checker: _Checker
    at: Path_

    def condition(self, text: str | None, scope: str | None, path: Path_) -> None:
        self.checker.condition(text, scope, (*self.at, *path))

    def fact(
        self,
        name: str | None,
        scope: str | None,
        path: Path_,
        kinds: tuple[str, ...] = ("moment", "date"),
    ) -> None:
        self.checker.fact(name, scope, (*self.at, *path), kinds)

    def role(self, role: str | None, path: Path_) -> None:
        self.checker.role(role, (*self.at, *path))

    def error(self, message: str, path: Path_) -> None:
        self.checker.error(message, (*self.at, *path))


# --- resolution of extends ----------------------------------------------------------------


def _read_file(path: Path) -> tuple[str, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise PolicyError(
            f"the file is {len(raw):,} bytes; a policy pack may be at most {MAX_FILE_BYTES:,}",
            file=str(path),
        )
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError as exc:
        raise PolicyError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None


def _parse_file(path: Path) -> tuple[Pack, YamlDocument, bytes]:
    text, raw = _read_file(path)
    doc = read_yaml(text, str(path))
    if not isinstance(doc.data, dict):
        raise doc.error("a policy pack is a mapping with 'pack:' and 'rules:' at the top", ())
    errors = schema_errors(doc)
    if errors:
        raise errors[0]
    return _model(doc), doc, raw


class _Finder:
    """Finds packs by name along a search path, built only when a name must be looked up
    (loading by path a pack that extends nothing, or a pack beside it, reads no entry
    points)."""

    def __init__(self, search_path: SearchPath) -> None:
        self._given = search_path
        self._path: PackSearchPath | None = None

    @property
    def path(self) -> PackSearchPath:
        if self._path is None:
            given = self._given
            if isinstance(given, PackSearchPath):
                self._path = given
            else:
                self._path = pack_search_path(() if given is None else given)
        return self._path

    def resolve(self, reference: str | Path, beside: Path | None) -> Path:
        """The file of ``reference``: a path (relative to ``beside`` if given), or a name
        looked for beside ``beside`` first, then along the search path."""
        text = str(reference)
        if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
            candidate = Path(text)
            if beside is not None and not candidate.is_absolute():
                candidate = beside / candidate
            return candidate
        if beside is not None:
            local = beside / f"{text}.yaml"
            if local.is_file():
                return local
        found = self.path.find(text)
        if found is not None:
            return found
        names = self.path.names()
        close = difflib.get_close_matches(text, names, n=1)
        trouble = "".join(f"; {problem}" for problem in self.path.problems)
        raise PolicyError(
            f"no policy pack named {text!r}; packs found: {', '.join(names)} "
            f"(looked in: {self.path.describe()}{trouble})",
            suggestion=close[0] if close else None,
        )


def _is_name(reference: str | Path) -> bool:
    """Whether a pack reference is a name to look up (``kent``), not a file's path."""
    text = str(reference)
    return not (text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text)


def _named_right(doc: YamlDocument, pack: Pack, path: Path, name: str | None) -> None:
    """A pack found by ``name`` must have that id: ``mismatch.yaml`` holding pack
    ``other`` is refused when looked up by name (its path still loads it)."""
    if name is not None and pack.pack.id != name:
        raise doc.error(
            f"file {path.name} holds pack {pack.pack.id!r}, not {name!r}: a pack is found by "
            f"name in a file named after its id ({pack.pack.id}.yaml); rename the file, or "
            "give its path",
            ("pack", "id"),
        )


def _load_chain(
    path: Path, finder: _Finder, name: str | None = None
) -> list[tuple[Path, Pack, YamlDocument, bytes]]:
    """The packs from ``path`` up its ``extends``, root first; ``name``: the name ``path``
    was found by, if it was (the pack must have that id; a parent named in ``extends`` is
    not held to it, as its file name is what ``extends`` gives)."""
    chain: list[tuple[Path, Pack, YamlDocument, bytes]] = []
    seen: list[str] = []
    current: Path | None = path
    while current is not None:
        resolved = str(current.resolve())
        if resolved in seen:
            names = " -> ".join([c[1].pack.id for c in chain] + [chain[0][1].pack.id])
            raise chain[-1][2].error(
                f"'extends' goes round in a circle: {names}", ("pack", "extends")
            )
        if len(chain) >= MAX_EXTENDS:
            raise chain[-1][2].error(
                f"'extends' is more than {MAX_EXTENDS} packs deep", ("pack", "extends")
            )
        seen.append(resolved)
        pack, doc, raw = _parse_file(current)
        _named_right(doc, pack, current, name if not chain else None)
        chain.append((current, pack, doc, raw))
        parent = pack.pack.extends
        if parent is None:
            current = None
        else:
            try:
                current = finder.resolve(parent, current.parent)
            except PolicyError as exc:
                raise doc.error(
                    exc.reason, ("pack", "extends"), suggestion=exc.suggestion
                ) from None
            if not current.is_file():
                raise doc.error(
                    f"the pack it extends, {parent!r}, is not there", ("pack", "extends")
                )
    chain.reverse()  # root first
    return chain


def _durations(node: BaseModel, path: Path_) -> Iterator[tuple[Duration, Path_]]:
    """Each duration inside ``node`` (a rule), with its path."""
    for name in type(node).model_fields:
        value = getattr(node, name)
        key = "from" if name == "from_" else name
        if isinstance(value, Duration):
            yield value, (*path, key)
        elif isinstance(value, BaseModel):
            yield from _durations(value, (*path, key))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _durations(item, (*path, key, i))


def _with_parameters(node: M, values: Mapping[str, int]) -> M:
    """``node`` with every duration that names a parameter given its value."""
    changes: dict[str, Any] = {}
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, Duration):
            if isinstance(value.amount, str):
                changes[name] = value.model_copy(update={"amount": values[value.amount]})
        elif isinstance(value, BaseModel):
            resolved = _with_parameters(value, values)
            if resolved is not value:
                changes[name] = resolved
        elif isinstance(value, tuple) and any(isinstance(v, BaseModel) for v in value):
            items = tuple(
                _with_parameters(v, values) if isinstance(v, BaseModel) else v for v in value
            )
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[name] = items
    return node.model_copy(update=changes) if changes else node


def _check_parameters(pack: Pack, doc: YamlDocument, errors: list[PolicyError]) -> None:
    """A parameter's name must not be a fact's (a condition would read it as the fact)."""
    for name in pack.parameters:
        if FACTS.lookup(name, None) is not None:
            errors.append(
                doc.error(f"parameter {name!r} has the name of a fact", ("parameters", name))
            )


#: The lists of a pack's ``vocabulary:``, and what each holds, for messages.
_VOCABULARY_LISTS = {
    "requestable_actions": "requestable action",
    "oversight_kinds": "oversight kind",
    "action_kinds": "action kind",
}


def _declare_kinds(
    pack: Pack,
    doc: YamlDocument,
    declared: dict[str, dict[str, RecordKindDefinition]],
    facts: FactRegistry,
) -> FactRegistry:
    """Add ``pack``'s vocabulary to that of the packs it extends (``declared``, by list,
    updated in place) and its record kinds' facts to ``facts``; a word declared twice in the
    chain is a located error."""
    if pack.vocabulary is None:
        return facts
    added: dict[str, list[str]] = {name: [] for name in _VOCABULARY_LISTS}
    for field_name, what in _VOCABULARY_LISTS.items():
        known = declared[field_name]
        for i, kind in enumerate(getattr(pack.vocabulary, field_name)):
            if kind.id in known:
                where = "this pack" if kind.id in added[field_name] else "an extended pack"
                raise doc.error(
                    f"{what} {kind.id!r} is already declared by {where}",
                    ("vocabulary", field_name, i, "id"),
                )
            known[kind.id] = kind
            added[field_name].append(kind.id)
    return facts.extended(kind_specs(added["oversight_kinds"], added["action_kinds"]))


def _closure_days(settings: CalendarSettings) -> frozenset[date]:
    """The pack's closure days: those it lists, and every year's recurring ones."""
    days = set(settings.closures)
    for closure in settings.recurring_closures:
        if closure.every is not None:
            month, day = (int(part) for part in closure.every.split("-"))
            days |= yearly_days(month, day)
        else:
            days |= fridays_before_monday_holidays(settings.region)
    return frozenset(days)


def _build(chain: list[tuple[Path, Pack, YamlDocument, bytes]]) -> Policy:
    rules: list[Rule] = []
    origin: dict[str, str] = {}
    calendar = CalendarSettings()
    roles: tuple[RoleDefinition, ...] = tuple(
        RoleDefinition.model_validate({"id": r, "label": r.replace("_", " ").capitalize()})
        for r in ROLES
    )
    higher = True
    roles_note: str | None = None
    compiled: dict[tuple[str, str | None], CompiledCondition] = {}
    removed = []
    parameters: dict[str, Parameter] = {}
    declared: dict[str, dict[str, RecordKindDefinition]] = {n: {} for n in _VOCABULARY_LISTS}
    word_origin: dict[tuple[str, str], str] = {}
    facts = FACTS
    for path, pack, doc, _raw in chain:
        parameters.update(pack.parameters)
        values = {name: parameter.value for name, parameter in parameters.items()}
        facts = _declare_kinds(pack, doc, declared, facts)
        for name, kinds in declared.items():
            for word in kinds:
                word_origin.setdefault((name, word), pack.pack.id)
        if pack.calendar is not None:
            calendar = pack.calendar
            for i, closure in enumerate(calendar.closures):
                if not FIRST_SUPPORTED <= closure <= LAST_SUPPORTED:
                    raise doc.error(
                        f"closure day {closure} is outside the supported range "
                        f"{FIRST_SUPPORTED} to {LAST_SUPPORTED}",
                        ("calendar", "closures", i),
                    )
        if pack.roles is not None:
            roles = pack.roles
        if pack.roles_note is not None:
            roles_note = pack.roles_note
        if pack.higher_roles_may_act is not None:
            higher = pack.higher_roles_may_act
        errors: list[PolicyError] = []
        _check_parameters(pack, doc, errors)
        for i, removal in enumerate(pack.removed_rules):
            if removal.id not in origin:
                errors.append(
                    doc.error(
                        f"removed_rules names {removal.id!r}, which the "
                        "extended packs do not define",
                        ("removed_rules", i, "id"),
                    )
                )
            else:
                rules = [r for r in rules if r.id != removal.id]
                del origin[removal.id]
                removed.append(removal)
        words = {name: frozenset(kinds) for name, kinds in declared.items()}
        checker = _Checker(doc, tuple(r.id for r in roles), compiled, errors, values, facts, words)
        own: set[str] = set()
        for i, rule in enumerate(pack.rules):
            checker.rule(rule, i)
            if rule.id in own:
                errors.append(
                    doc.error(f"rule id {rule.id!r} is used twice in this pack", ("rules", i, "id"))
                )
                continue
            own.add(rule.id)
            if rule.id in origin:
                if not rule.override:
                    errors.append(
                        doc.error(
                            f"rule {rule.id!r} is already defined by pack {origin[rule.id]!r}; "
                            "add 'override: true' to replace it",
                            ("rules", i, "id"),
                        )
                    )
                    continue
                rules = [rule if r.id == rule.id else r for r in rules]
            elif rule.override:
                errors.append(
                    doc.error(
                        f"rule {rule.id!r} says 'override: true' but no extended pack defines it",
                        ("rules", i, "override"),
                    )
                )
                continue
            else:
                rules.append(rule)
            origin[rule.id] = pack.pack.id
        for i, change in enumerate(pack.pack.changes):
            for j, rule_id in enumerate(change.rules):
                if rule_id not in origin:
                    errors.append(
                        doc.error(
                            f"changes names rule {rule_id!r}, which this pack does not have",
                            ("pack", "changes", i, "rules", j),
                        )
                    )
        if errors:
            raise _ordered(errors)[0]
        del path
    if parameters:
        # A pack may change a parameter the pack it extends set: every rule, inherited ones
        # too, takes the final value, in its durations and in its conditions.
        rules = [_with_parameters(rule, values) for rule in rules]
        compiled = {
            (text, scope): compile_condition(text, facts, scope, values) for text, scope in compiled
        }
    digest = hashlib.sha256()
    for _path, _pack, _doc, raw in chain:
        digest.update(hashlib.sha256(raw).digest())
    return Policy(
        info=chain[-1][1].pack,
        chain=tuple(c[1].pack for c in chain),
        calendar_settings=calendar,
        calendar=WorkingDayCalendar(calendar.region, _closure_days(calendar)),
        closures_listed_until=(
            date(max(calendar.closures).year, 12, 31)
            if calendar.closures and not calendar.recurring_closures
            else None
        ),
        roles=roles,
        roles_note=roles_note,
        higher_roles_may_act=higher,
        rules=tuple(rules),
        origin=origin,
        removed=tuple(removed),
        content_hash="sha256:" + digest.hexdigest(),
        files=tuple(str(c[0]) for c in chain),
        parameters=dict(parameters),
        vocabulary=RecordVocabulary(
            oversight=frozenset(declared["oversight_kinds"]),
            action=frozenset(declared["action_kinds"]),
            requests=frozenset(declared["requestable_actions"]),
        ),
        declared_vocabulary={name: tuple(kinds.values()) for name, kinds in declared.items()},
        vocabulary_origin=word_origin,
        facts=facts,
        _conditions=compiled,
    )


def load_policy(name_or_path: str | Path, *, search_path: SearchPath = None) -> Policy:
    """Load a policy pack by name (``"kent"``) or by path, with ``extends`` resolved.

    A name is looked for along ``search_path``, and so is a name in ``extends`` when it is
    not beside the pack that extends it. ``search_path`` is a
    :func:`~assess_rules.packpath.pack_search_path`, or directories searched first (as
    ``--pack-dir``) before the default path: the directories of ``ASSESS_RULES_PACK_PATH``,
    the ``assess_rules.packs`` entry points, then the bundled packs (docs/pack-location.md).
    The environment and entry points are read at the call, never kept.

    Raises :class:`PolicyError` (located at file:line:column) if the pack is wrong.

    >>> load_policy("northshire", search_path=["examples/packs"]).chain[0].id
    'generic_s17'
    """
    finder = _Finder(search_path)
    path = finder.resolve(name_or_path, None)
    if not path.is_file():
        raise PolicyError("no such file", file=str(path))
    chain = _load_chain(path, finder, str(name_or_path) if _is_name(name_or_path) else None)
    current = _build(chain)
    others = sorted(path.parent.glob(f"{path.stem}@*{path.suffix}"))
    if "@" in path.stem or not others:
        return current
    versions = [(current, chain[-1][2])]
    for other in others:
        other_chain = _load_chain(other, finder)
        versions.append((_build(other_chain), other_chain[-1][2]))
    return _shelve(versions)


def _shelve(versions: list[tuple[Policy, YamlDocument]]) -> Policy:
    """Dated versions of one pack side by side (``kent.yaml``, ``kent@1.0.0.yaml``, ...):
    each evaluation picks the one in force on the referral date. Their ids must agree and
    their dates must not overlap; the current file's policy is returned, holding them all."""
    current = versions[0][0]
    for policy, doc in versions[1:]:
        if policy.id != current.id:
            raise doc.error(
                f"a version of pack {current.id!r} must have its id, not {policy.id!r}",
                ("pack", "id"),
            )
    ordered = sorted(versions, key=lambda v: v[0].info.effective_from or date.min)
    for (earlier, _), (later, doc) in pairwise(ordered):
        ends = earlier.info.effective_to
        starts = later.info.effective_from
        if ends is None or starts is None or starts <= ends:
            raise doc.error(
                f"versions {earlier.version} and {later.version} of pack {current.id!r} are "
                "both in force on some dates: give the earlier an effective_to before this "
                "effective_from",
                ("pack", "effective_from"),
            )
    shelf = tuple(policy for policy, _ in ordered)
    for policy in shelf:
        object.__setattr__(policy, "versions", shelf)
    return current


def reload_policy(
    path: str, pack_id: str, content_hash: str, folders: tuple[str, ...] = ()
) -> Policy:
    """Load a pickled policy again: from ``path``, or where that file is not there (another
    machine) the pack named ``pack_id``; :class:`PolicyError` unless its content hash is
    still ``content_hash``. ``folders`` (those of the packs it extends) are searched first,
    so a pack found through ``--pack-dir`` reloads with the same packs under it."""
    key = (path, pack_id, content_hash, folders)
    cached = _RELOADED.get(key)
    if cached is not None:
        return cached
    search = [folder for folder in folders if Path(folder).is_dir()]
    policy = load_policy(path if Path(path).is_file() else pack_id, search_path=search)
    if policy.content_hash != content_hash:
        raise PolicyError(
            f"the pack {pack_id!r} has changed since it was loaded and pickled "
            f"(content hash {policy.content_hash}, expected {content_hash})",
            file=path,
        )
    _RELOADED[key] = policy
    return policy


#: policies unpickled in this process, so that tasks sent one by one (Dask) load a pack once
_RELOADED: dict[tuple[str, str, str, tuple[str, ...]], Policy] = {}


def check_policy_file(path: str | Path, *, search_path: SearchPath = None) -> list[PolicyError]:
    """Every problem found in the pack at ``path`` (empty when it loads; the packs it
    extends are looked for as :func:`load_policy` does). A name (``kent``) is found as
    :func:`load_policy` finds it: along ``search_path``, then the default search path."""
    try:
        file = Path(path)
        if not file.exists():
            file = _Finder(search_path).resolve(path, None)
        if not file.is_file():
            return [PolicyError("no such file", file=str(file))]
        text, _raw = _read_file(file)
        doc = read_yaml(text, str(file))
        if not isinstance(doc.data, dict):
            return [
                doc.error("a policy pack is a mapping with 'pack:' and 'rules:' at the top", ())
            ]
        errors = schema_errors(doc)
        if errors:
            return errors
        load_policy(file, search_path=search_path)
    except PolicyError as exc:
        return [exc]
    return []
