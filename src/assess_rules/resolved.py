"""A pack as one piece of data: the effective pack after ``extends`` is resolved.

:func:`resolved_pack` turns a loaded :class:`Policy` into plain data (mappings, lists, text,
numbers) in the pack format, with no ``extends``: the rules of every pack in the chain, each
override in place of the rule it replaced, removed rules gone, parameters merged and their
values written into the durations that name them, record kinds and the calendar as the last
pack left them. The data loads back with :func:`assess_rules.load_policy` and evaluates every
case as the original does (``tests/test_diff.py`` checks this on every bundled pack).

:func:`resolved_yaml` writes it as YAML for people, with comments saying where each rule came
from and which parameter each number stands for. :func:`select_policy` finds a pack by
name, file, or ``NAME@VERSION`` (one of the versions installed side by side).

>>> from assess_rules import load_policy
>>> data = resolved_pack(load_policy("kent"))
>>> "extends" in data["pack"], data["rules"][0]["id"]
(False, 'referral-decision')
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import BaseModel

from assess_rules.errors import PolicyError
from assess_rules.loading import SearchPath, bundled_dir, load_policy, read_yaml
from assess_rules.pack import Duration, Pack, RecordKindDefinition
from assess_rules.policy import Policy

__all__ = [
    "resolved_pack",
    "resolved_yaml",
    "select_policy",
    "show_command",
    "written_pack",
    "written_text",
]

_WIDTH = 96


def select_policy(spec: str | Path, *, search_path: SearchPath = None) -> Policy:
    """The pack ``spec`` names: a bundled name (``kent``), a file
    (``examples/packs/northshire@1.0.0.yaml``), or ``NAME@VERSION`` where NAME is either of
    those and VERSION one of the versions installed beside it (``northshire.yaml@1.0.0``).
    The policy returned is that version itself. Names are looked for along
    ``search_path`` (see :func:`~assess_rules.load_policy`).

    >>> select_policy("examples/packs/northshire.yaml@1.0.0").version
    '1.0.0'
    """
    text = str(spec)
    if "@" in text and not Path(text).exists():
        base, version = text.rsplit("@", 1)
        bundled = bundled_dir("policies") / f"{text}.yaml"
        if not bundled.is_file() and base and version:
            policy = load_policy(base, search_path=search_path)
            for candidate in policy.versions or (policy,):
                if candidate.version == version:
                    return candidate
            found = ", ".join(v.version for v in policy.versions or (policy,))
            raise PolicyError(
                f"pack {policy.id!r} has no version {version!r}; its versions: {found}",
                file=policy.files[-1],
            )
    return load_policy(text, search_path=search_path)


def resolved_pack(policy: Policy, *, defaults: bool = False) -> dict[str, Any]:
    """The effective pack of ``policy`` as plain data in the pack format, ``extends``
    resolved (see the module's documentation). Durations hold numbers (a parameter's value
    where the rule names it); conditions keep the parameter's name, which the ``parameters``
    section defines. With ``defaults``, every field is written, defaults too (for comparing
    two packs field by field); without, fields left at their default are left out.

    >>> from assess_rules import load_policy
    >>> northshire = load_policy("examples/packs/northshire.yaml")
    >>> data = resolved_pack(northshire)
    >>> data["parameters"]["assessment_days"]["value"]
    40
    >>> [r["within"] for r in data["rules"] if r["id"] == "assessment-completion"]
    [{'amount': 40, 'unit': 'working_days'}]
    """

    def dump(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = model.model_dump(
            mode="json",
            by_alias=True,
            exclude_defaults=not defaults,
            exclude=exclude,
        )
        return data

    info = dump(policy.info, exclude={"extends"})
    if not defaults:
        # the pack's own fields a reader wants to see even when they hold a default
        info = {"id": policy.info.id, **info}
    out: dict[str, Any] = {"pack": info}
    declared = _declared_kinds(policy)
    if defaults or any(declared.values()):
        out["vocabulary"] = {
            name: [dump(kind) for kind in kinds] for name, kinds in declared.items()
        }
    out["calendar"] = policy.calendar_settings.model_dump(
        mode="json", by_alias=True, exclude_none=not defaults
    )
    out["roles"] = [dump(role) for role in policy.roles]
    if defaults or policy.roles_note is not None:
        out["roles_note"] = policy.roles_note
    out["higher_roles_may_act"] = policy.higher_roles_may_act
    out["parameters"] = {name: dump(p) for name, p in policy.parameters.items()}
    out["rules"] = [_rule_data(dump(rule, exclude={"override"})) for rule in policy.rules]
    return out


def _rule_data(data: dict[str, Any]) -> dict[str, Any]:
    # the discriminator first, as packs are written; its value always (it has no default)
    return {"id": data.pop("id"), "kind": data.pop("kind"), **data}


def _declared_kinds(policy: Policy) -> dict[str, list[RecordKindDefinition]]:
    """The words the pack's chain declares, by list (``requestable_actions``,
    ``oversight_kinds``, ``action_kinds``), as the loader keeps them
    (``Policy.declared_vocabulary``): the resolved pack declares them all itself."""
    return {name: list(kinds) for name, kinds in policy.declared_vocabulary.items()}


# --- the pack as written ------------------------------------------------------------------


def written_text(policy: Policy) -> str:
    """The text of the file ``policy`` was loaded from (the pack as written, comments and
    all; its ``extends`` not resolved)."""
    return Path(policy.files[-1]).read_text(encoding="utf-8")


def written_pack(policy: Policy) -> dict[str, Any]:
    """The file ``policy`` was loaded from, as plain data (``extends`` not resolved)."""
    path = policy.files[-1]
    data: dict[str, Any] = read_yaml(written_text(policy), path).data
    return data


# --- YAML for people ----------------------------------------------------------------------


def resolved_yaml(policy: Policy) -> str:
    """:func:`resolved_pack` as YAML: what the loader reads, with comments for people (the
    pack each rule comes from, the parameter each number stands for, the rules removed).

    >>> from assess_rules import load_policy
    >>> text = resolved_yaml(load_policy("examples/packs/northshire.yaml"))
    >>> [line.strip() for line in text.splitlines() if line.endswith("# parameter assessment_days")]
    ['within: {amount: 40, unit: working_days}  # parameter assessment_days']
    """
    data = resolved_pack(policy)
    chain = " -> ".join(info.id for info in policy.chain)
    lines = [
        f"# The effective pack {policy.id} {policy.version}, 'extends' resolved ({chain}).",
        "# Generated by 'assess-rules show --resolved': edit the pack files, not this.",
    ]
    for key, value in data.items():
        if key == "rules":
            continue
        lines += _block(key, value, 0)
    lines.append("")
    if policy.removed:
        lines.append("# rules of the extended packs that this pack does not apply:")
        for removal in policy.removed:
            text = " ".join(f"{removal.id}: {removal.reason}".split())
            lines += [f"#   {line}" for line in textwrap.wrap(text, _WIDTH - 4)]
    lines.append("rules:")
    references = _parameter_references(policy)
    for rule, item in zip(policy.rules, data["rules"], strict=True):
        origin = policy.origin.get(rule.id, policy.id)
        how = "overridden by" if getattr(rule, "override", False) else "from"
        lines.append("")
        lines.append(f"  # {how} {origin}")
        body = _block(None, item, 1)
        lines += _annotate(body, references.get(rule.id, []))
    return "\n".join(lines) + "\n"


def _annotate(body: list[str], durations: list[tuple[str, str | None]]) -> list[str]:
    """Comment each duration that a parameter gave its number: ``# parameter NAME``.
    ``durations`` are the rule's, in the order they are written (``key: {amount: ...}``,
    and the parameter's name or None)."""
    out = []
    pending = iter(durations)
    current = next(pending, None)
    for line in body:
        if current is not None and line.rstrip().endswith(current[0]):
            if current[1] is not None:
                line = f"{line}  # parameter {current[1]}"
            current = next(pending, None)
        out.append(line)
    return out


def _parameter_references(policy: Policy) -> dict[str, list[tuple[str, str | None]]]:
    """For each rule, its durations in order: the rendering (``key: {amount: 40, ...}``)
    and the parameter's name where one was written. Read from the files of the chain,
    since the loaded rules hold the values."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    chain = [Pack.model_validate(_file_data(path)) for path in policy.files]
    for rule in policy.rules:
        origin = policy.origin.get(rule.id)
        written = next(
            (
                r
                for pack in reversed(chain)
                if pack.pack.id == origin
                for r in pack.rules
                if r.id == rule.id
            ),
            None,
        )
        if written is None:
            continue
        found[rule.id] = [
            (
                f"{key}: {_scalar_or_flow(effective.model_dump(mode='json'))}",
                duration.amount if isinstance(duration.amount, str) else None,
            )
            for (key, duration), (_key, effective) in zip(
                _durations(written), _durations(rule), strict=False
            )
        ]
    return found


def _file_data(path: str) -> Any:
    return read_yaml(Path(path).read_text(encoding="utf-8"), path).data


def _durations(node: BaseModel) -> Iterator[tuple[str, Duration]]:
    for name in type(node).model_fields:
        value = getattr(node, name)
        key = "from" if name == "from_" else name
        if isinstance(value, Duration):
            yield key, value
        elif isinstance(value, BaseModel):
            yield from _durations(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    yield from _durations(item)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def _block(key: str | None, value: Any, depth: int) -> list[str]:
    """YAML lines for ``key: value`` (or a list item when ``key`` is None) at ``depth``."""
    pad = "  " * depth
    head = f"{pad}{_key(key)}: " if key is not None else f"{pad}- "
    if isinstance(value, str) and _foldable(value, len(head)):
        wrapped = textwrap.wrap(
            value, _WIDTH - len(pad) - 2, break_on_hyphens=False, break_long_words=False
        )
        return [f"{head}>-", *(f"{pad}  {line}" for line in wrapped)]
    flow = _scalar_or_flow(value)
    if flow is not None and len(head) + len(flow) <= _WIDTH:
        return [head + flow]
    if isinstance(value, dict):
        items = list(value.items())
        if key is None:  # a list item: the first key goes on the dash's line
            first = _block(items[0][0], items[0][1], depth + 1)
            lines = [head + first[0].lstrip(), *first[1:]]
            for k, v in items[1:]:
                lines += _block(k, v, depth + 1)
            return lines
        lines = [head.rstrip()]
        for k, v in items:
            lines += _block(k, v, depth + 1)
        return lines
    if isinstance(value, list):
        lines = [head.rstrip()]
        for item in value:
            lines += _block(None, item, depth + 1)
        return lines
    return [head + _scalar(value)]


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else _scalar(key)


def _foldable(text: str, used: int) -> bool:
    """Long plain prose that a folded block (``>-``) carries exactly: words separated by
    single spaces, no line breaks, tabs or leading or trailing space."""
    return (
        used + len(text) > _WIDTH
        and text == " ".join(text.split(" "))
        and not re.search(r"\s{2,}|[\t\r\n\u0085\u2028\u2029]|^\s|\s$", text)
        and text.isprintable()
    )


def _scalar_or_flow(value: Any) -> str | None:
    """A one-line rendering (a scalar, or a flow mapping or list of scalars), or None."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        if all(not isinstance(v, dict | list) for v in value.values()):
            return "{" + ", ".join(f"{_key(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
        return None
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(not isinstance(v, dict | list) for v in value):
            return "[" + ", ".join(_scalar(v) for v in value) + "]"
        return None
    return _scalar(value)


def _scalar(value: Any) -> str:
    """One scalar as YAML that reads back as the same value: plain where YAML would read
    the same text back, else JSON's double-quoted form (valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if _plain(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain(text: str) -> bool:
    """Whether ``text`` may be written unquoted, in a block or a flow collection, and read
    back as the same text."""
    if (
        not text
        or text != text.strip()
        or not text.isprintable()
        or text[0] in "-?:,[]{}#&*!|>'\"%@`"
        or any(c in text for c in ",[]{}")
        or ": " in text
        or " #" in text
        or text.endswith(":")
    ):
        return False
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False


# --- the command ---------------------------------------------------------------------------


def show_command(
    spec: str,
    *,
    resolved: bool,
    output_format: str,
    stdout: TextIO,
    search_path: SearchPath = None,
) -> int:
    """``assess-rules show P [--resolved] [--format yaml|json]``: write the pack as written
    (the file's text for YAML, its data for JSON) or, with ``resolved``, the effective pack;
    return 0. A bad pack raises :class:`PolicyError` (the command line makes it exit 2)."""
    policy = select_policy(spec, search_path=search_path)
    if output_format == "json":
        data = resolved_pack(policy) if resolved else written_pack(policy)
        stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        stdout.write(resolved_yaml(policy) if resolved else written_text(policy))
    return 0
