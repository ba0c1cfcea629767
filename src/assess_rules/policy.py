"""A loaded policy: a pack with ``extends`` resolved, its calendar built and its conditions
compiled. Made by :func:`assess_rules.load_policy`; read-only, and safe to share between
threads and evaluations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from assess_rules.calendar import Counting, WorkingDayCalendar
from assess_rules.case import RecordVocabulary
from assess_rules.conditions import CompiledCondition
from assess_rules.errors import NoVersionInForceError
from assess_rules.facts import FactRegistry
from assess_rules.pack import (
    CalendarSettings,
    PackInfo,
    Parameter,
    RecordKindDefinition,
    RemovedRule,
    RoleDefinition,
    Rule,
)

__all__ = ["Policy"]

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Policy:
    """A policy pack ready to evaluate cases against.

    ``rules`` are in evaluation order: the extended pack's first, each replaced in place by
    an ``override``, then the pack's own. ``origin`` names the pack each rule came from.
    """

    info: PackInfo
    chain: tuple[PackInfo, ...]
    calendar_settings: CalendarSettings
    calendar: WorkingDayCalendar
    roles: tuple[RoleDefinition, ...]
    roles_note: str | None
    higher_roles_may_act: bool
    rules: tuple[Rule, ...]
    origin: Mapping[str, str]
    removed: tuple[RemovedRule, ...]
    content_hash: str
    files: tuple[str, ...]
    parameters: Mapping[str, Parameter]
    #: the words a case may use (requestable actions, oversight and action kinds), as the
    #: pack and the packs it extends declare them
    vocabulary: RecordVocabulary
    #: the same words with their labels and descriptions, by list (``requestable_actions``,
    #: ``oversight_kinds``, ``action_kinds``), for the pack's page
    declared_vocabulary: Mapping[str, tuple[RecordKindDefinition, ...]]
    #: the pack that declared each word, by (list, word)
    vocabulary_origin: Mapping[tuple[str, str], str]
    #: the facts its conditions may read: the national ones and its record kinds'
    facts: FactRegistry
    #: the last day a pack's one-by-one closure list covers (31 December of its last year),
    #: past which due dates may miss closures it has not listed yet; None when it recurs
    closures_listed_until: date | None
    _conditions: Mapping[tuple[str, str | None], CompiledCondition] = field(repr=False)
    #: every dated version of this pack installed side by side, oldest first (itself alone
    #: unless files such as ``kent@1.0.0.yaml`` sit beside ``kent.yaml``)
    versions: tuple[Policy, ...] = field(default=(), repr=False)
    _ranks: Mapping[str, int] = field(init=False, repr=False)
    _derived: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ranks", {role.id: i for i, role in enumerate(self.roles)})
        object.__setattr__(self, "_derived", {})

    def version_on(self, day: date) -> Policy:
        """The version of this pack in force on ``day`` (its ``effective_from`` and
        ``effective_to``, both inclusive); raise :class:`NoVersionInForceError` if none is.

        >>> from datetime import date
        >>> from assess_rules import load_policy
        >>> load_policy("kent").version_on(date(2026, 12, 1)).version
        '1.1.0'
        """
        for version in self.versions or (self,):
            info = version.info
            if (info.effective_from is None or info.effective_from <= day) and (
                info.effective_to is None or day <= info.effective_to
            ):
                return version
        raise NoVersionInForceError(
            f"no version of pack {self.id!r} is in force on {day.isoformat()} "
            f"(the referral date): {self.versions_in_force()}"
        )

    def versions_in_force(self) -> str:
        """When each installed version of this pack is in force, in words, for messages.

        >>> from assess_rules import load_policy
        >>> load_policy("generic_s17").versions_in_force()  # doctest: +ELLIPSIS
        '... from ... to now'
        """
        return "; ".join(
            f"{v.version} from {v.info.effective_from or 'the start'} to "
            f"{v.info.effective_to or 'now'}"
            for v in self.versions or (self,)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the pack's source (where it was loaded from, its id and content hash,
        the folders of the packs it extends), not as objects: compiled conditions are
        closures. Unpickling re-loads the pack, looking in those folders first for the packs
        it extends; the pack of that name where the file is not there (another machine);
        and refuses it with :class:`PolicyError` if its content has changed since."""
        from pathlib import Path

        folders = tuple(dict.fromkeys(str(Path(f).resolve().parent) for f in self.files[:-1]))
        return (
            _unpickle,
            (str(Path(self.files[-1]).resolve()), self.id, self.content_hash, folders),
        )

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """A value derived from this policy alone, built on first use and kept with it (for
        example the evaluator's plan). ``build`` must be pure: the policy never changes."""
        try:
            value: T = self._derived[key]
        except KeyError:
            value = self._derived[key] = build()
        return value

    @property
    def id(self) -> str:
        """The pack's id."""
        return self.info.id

    @property
    def version(self) -> str:
        """The pack's version."""
        return self.info.version

    @property
    def counting(self) -> Counting:
        """The pack's working-day counting convention."""
        return self.calendar_settings.counting

    @property
    def role_ranks(self) -> Mapping[str, int]:
        """Rank of each role on the ladder, lowest 0."""
        return self._ranks

    def role_label(self, role: str) -> str:
        """The pack's own name for ``role``."""
        for definition in self.roles:
            if definition.id == role:
                return definition.label
        return role.replace("_", " ")

    def may_act(
        self, actual: str | None, required: str, *, higher_allowed: bool | None = None
    ) -> bool | None:
        """Whether ``actual`` may do what ``required`` must do (``None``: not recorded)."""
        if actual is None:
            return None
        allowed = self.higher_roles_may_act if higher_allowed is None else higher_allowed
        have, need = self._ranks.get(actual, -1), self._ranks.get(required, -1)
        return have >= need if allowed else have == need

    def condition(self, text: str, scope: str | None = None) -> CompiledCondition:
        """The compiled form of a condition of this pack."""
        return self._conditions[(text, scope)]

    def in_force(self, rule: Rule, on: date) -> bool:
        """Whether ``rule`` is in force on ``on`` (its ``effective_from``/``to``)."""
        if rule.effective_from is not None and on < rule.effective_from:
            return False
        return not (rule.effective_to is not None and on > rule.effective_to)

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _unpickle(path: str, pack_id: str, content_hash: str, folders: tuple[str, ...] = ()) -> Policy:
    # loading imports this module, so it is imported here, when a policy is unpickled
    from assess_rules.loading import reload_policy

    return reload_policy(path, pack_id, content_hash, folders)
