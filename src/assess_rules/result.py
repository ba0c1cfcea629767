"""What an evaluation returns: frozen, cheap to build, JSON-serialisable.

The JSON form (``Result.to_json()``) follows ``schemas/result.schema.json``; its
``schema_version`` changes whenever the form does (major: a field removed or its meaning
changed; minor: a field added). Every finding names the pack's rule id (``rule``) and the
catalogue IDs with their paragraphs (``sources``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Literal, TypeVar

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "Citation",
    "Deadline",
    "DeadlineStatus",
    "DecisionStatus",
    "MissingFacts",
    "Obligation",
    "PackStamp",
    "PermittedAction",
    "Result",
    "Violation",
    "Warning",
    "family_result",
]

RESULT_SCHEMA_VERSION = "2.2"

DeadlineStatus = Literal["pending", "met", "missed", "undetermined"]
#: What the pack says of a permitted action: ``allowed``; ``allowed_once`` its listed
#: prerequisites are recorded (nothing else stands against it); ``refused``; or
#: ``undecidable`` from the snapshot (the facts needed are listed), left to a manager.
DecisionStatus = Literal["allowed", "allowed_once", "refused", "undecidable"]
Severity = Literal["low", "medium", "high"]

T = TypeVar("T")


def _quick_init(cls: type[T]) -> type[T]:
    """``cls`` (a frozen dataclass) with an ``__init__`` of the same signature that fills
    each field directly (its slot's descriptor, or its entry in the instance's dict): the
    one ``dataclass`` writes goes through ``object.__setattr__`` field by field, about
    twice as slow, and evaluation builds a dozen of these a case. Still frozen: assigning to
    a field afterwards raises ``FrozenInstanceError`` as before.

    The findings a sweep writes (citations, deadlines, violations, warnings, permitted
    actions, obligations, missing facts, the pack's stamp) keep their fields in an instance
    dict, not slots: ``orjson`` writes such a dataclass from its dict, and a slotted one
    field by field, so a Kent result's output line took 20 us instead of 12.

    >>> Citation("GEN-REF-1", "1.2") == Citation(id="GEN-REF-1", para="1.2")
    True
    """
    scope: dict[str, Any] = {}
    slotted = "__slots__" in vars(cls)
    params, body = [], [] if slotted else ["    d = self.__dict__"]
    for f in fields(cls):  # type: ignore[arg-type]
        assert f.default_factory is MISSING  # results have only plain defaults
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        if slotted:
            scope[f"_set_{f.name}"] = vars(cls)[f.name].__set__
            body.append(f"    _set_{f.name}(self, {f.name})")
        else:
            body.append(f"    d[{f.name!r}] = {f.name}")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body)
    exec(source, scope)  # as dataclass itself builds __init__
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@_quick_init
@dataclass(frozen=True)
class Citation:
    """A catalogue ID and the source paragraph it comes from."""

    id: str
    """The rule catalogue ID, e.g. GEN-REF-1."""
    para: str
    """The paragraph or section of the source document."""

    def __str__(self) -> str:
        return f"{self.id} (para {self.para})"


@_quick_init
@dataclass(frozen=True)
class PackStamp:
    """Which pack, in which version and exact content, produced a result."""

    id: str
    """The pack's id."""
    version: str
    """The pack's version that applied (the one in force on the referral date)."""
    content_hash: str
    """A hash of the pack's files (and those it extends), so the exact text used can be found
    again."""


@_quick_init
@dataclass(frozen=True)
class Deadline:
    """A duty's due date, how it was computed, and whether it was met."""

    rule: str
    """The id of the rule that sets the deadline."""
    title: str
    """The rule's title."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    status: DeadlineStatus
    """pending (not yet due and not done), met, missed, or undetermined (a fact it needs is not
    recorded)."""
    start_event: str
    """The fact the time is counted from."""
    start: datetime
    """When the time started (London time)."""
    end_event: str | None
    """The fact that meets the duty."""
    due: datetime
    """When it is due: the end of the due day for times in days, the exact moment for hours."""
    amount: int
    """How long there is, in the unit given."""
    unit: str
    """The unit of the amount: working_days, calendar_days, hours, weeks or months."""
    computation: str
    """How the due date was worked out, in words."""
    skipped_days: tuple[date, ...] = ()
    """Weekend days, bank holidays and closure days skipped in counting."""
    done: datetime | None = None
    """When the duty was met, if it was."""
    extension: str | None = None
    """The id of the extension that applied, if one did."""
    subject: str | None = None
    """For a rule over a list in the case: which item (e.g. strategy_discussions[0])."""
    missing_facts: tuple[str, ...] = ()
    """The facts not recorded that leave the deadline undetermined."""
    caveats: tuple[str, ...] = ()
    """What the reader should know about how the date was found (for example: the pack's closure
    days are not listed this far ahead)."""
    child: str | None = None
    """In a family case (children:), the id of the child it is about; null otherwise."""

    @property
    def due_date(self) -> date:
        """The day the duty is due (``due`` is a London moment: the end of that day for
        duties counted in days, the exact moment for hours)."""
        return self.due.date()


@_quick_init
@dataclass(frozen=True)
class Violation:
    """Something that has gone wrong."""

    rule: str
    """The id of the rule broken."""
    title: str
    """The rule's title."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    severity: Severity
    """How serious the breach is: low, medium or high."""
    message: str
    """What went wrong, in words."""
    subject: str | None = None
    """For a rule over a list in the case: which item."""
    step: str | None = None
    """The id of the step missed or late, for a rule with steps."""
    branch: str | None = None
    """Which part of the rule was broken, where it has parts (approver: decided by too junior a
    role)."""
    child: str | None = None
    """In a family case (children:), the id of the child it is about; null otherwise."""


@_quick_init
@dataclass(frozen=True)
class Warning:
    """Advice that is not a prohibition (for example: cancelling after the child was seen)."""

    rule: str
    """The id of the rule that warns."""
    title: str
    """The rule's title."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    message: str
    """The advice, in words."""
    subject: str | None = None
    """For a rule over a list in the case: which item."""
    child: str | None = None
    """In a family case (children:), the id of the child it is about; null otherwise."""


@_quick_init
@dataclass(frozen=True)
class PermittedAction:
    """Whether an action (with an option, such as a cancellation reason) is allowed, and who
    must approve it. ``why`` is never empty: what refused it, what leaves it undecidable, or
    which conditions held. An entry with a ``subject`` answers a request in the snapshot;
    ``rule`` is ``None`` only for a requested action that no rule of the pack governs."""

    action: str
    """The action, e.g. cancel_assessment."""
    option: str | None
    """The option of the action, such as a cancellation reason's id; none for the action as a
    whole."""
    label: str
    """The option as the source words it."""
    status: DecisionStatus
    """allowed; allowed_once its prerequisites are recorded; refused; or undecidable from the
    snapshot (left to a manager)."""
    why: tuple[str, ...]
    """Why: what refused it, what leaves it undecidable, or which conditions held. Never empty."""
    approver: str | None
    """The role that must decide it."""
    rule: str | None
    """The id of the rule that governs the action; none only for a requested action no rule
    governs."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    recommended_by: str | None = None
    """The role that must recommend it first."""
    prerequisites: tuple[str, ...] = ()
    """Steps to record before it is allowed."""
    warnings: tuple[str, ...] = ()
    """Advice that goes with it."""
    missing_facts: tuple[str, ...] = ()
    """The facts not recorded that leave it undecidable."""
    subject: str | None = None
    """For an answer to a request in the case: which request (e.g. cancellations[0])."""
    blocked_by: tuple[str, ...] = ()
    """The ids of the prohibitions that refuse it or leave it to a manager."""
    child: str | None = None
    """In a family case (children:), the id of the child it is about; null otherwise."""


@_quick_init
@dataclass(frozen=True)
class Obligation:
    """Something someone must still do."""

    rule: str
    """The id of the rule that sets the obligation."""
    title: str
    """The rule's title."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    owner: str | None
    """The role that must do it."""
    status: Literal["open", "overdue"]
    """open (still to do) or overdue."""
    due: date | datetime | None = None
    """When it is due, if the rule sets a time."""
    step: str | None = None
    """The id of the step still to do."""
    subject: str | None = None
    """For a rule over a list in the case: which item."""
    child: str | None = None
    """In a family case (children:), the id of the child it is about; null otherwise."""


@_quick_init
@dataclass(frozen=True)
class MissingFacts:
    """A rule that cannot be decided from the snapshot, and the facts it needs."""

    rule: str
    """The id of the rule that cannot be decided."""
    title: str
    """The rule's title."""
    sources: tuple[Citation, ...]
    """The catalogue IDs and paragraphs the rule cites."""
    facts: tuple[str, ...]
    """The facts the snapshot does not record."""
    needed_for: str
    """What the facts are needed for, in words."""
    subject: str | None = None
    """For a rule over a list in the case: which item."""
    child: str | None = None
    """In a family case (children:), the id of the child it is about; null otherwise."""


@_quick_init
@dataclass(frozen=True, slots=True)
class Result:
    """Everything an evaluation found, stamped with the pack and the evaluation date."""

    case_id: str
    """The case's identifier, as the snapshot gives it."""
    as_of: date
    """The date the case was evaluated as of."""
    pack: PackStamp
    """Which pack, in which version and exact content, produced the result."""
    deadlines: tuple[Deadline, ...]
    """Every deadline, with how it was computed and whether it was met."""
    violations: tuple[Violation, ...]
    """Every rule broken."""
    warnings: tuple[Warning, ...]
    """Every piece of advice that applies."""
    permitted_actions: tuple[PermittedAction, ...]
    """Each action and option: whether it is allowed, and who decides."""
    obligations: tuple[Obligation, ...]
    """What someone must still do."""
    missing_facts: tuple[MissingFacts, ...]
    """Rules that cannot be decided from the snapshot, and the facts they need."""
    schema_version: str = RESULT_SCHEMA_VERSION
    """The version of this JSON form (major: a field removed or changed; minor: a field added)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values (dates as ISO 8601 text)."""
        converted: dict[str, Any] = _plain(asdict(self))
        return converted

    def to_json(self, *, indent: int | None = 2) -> str:
        """The result as JSON text that validates against ``schemas/result.schema.json``."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def deadline(self, rule: str, subject: str | None = None, child: str | None = None) -> Deadline:
        """The deadline of ``rule`` (and ``subject``, for rules over a collection; and
        ``child``, in a family case)."""
        for deadline in self.deadlines:
            if (
                deadline.rule == rule
                and (subject is None or deadline.subject == subject)
                and (child is None or deadline.child == child)
            ):
                return deadline
        raise KeyError(rule)

    def of_child(self, child: str) -> Result:
        """Only the findings about ``child``, in a family case."""
        return Result(
            case_id=self.case_id,
            as_of=self.as_of,
            pack=self.pack,
            deadlines=tuple(x for x in self.deadlines if x.child == child),
            violations=tuple(x for x in self.violations if x.child == child),
            warnings=tuple(x for x in self.warnings if x.child == child),
            permitted_actions=tuple(x for x in self.permitted_actions if x.child == child),
            obligations=tuple(x for x in self.obligations if x.child == child),
            missing_facts=tuple(x for x in self.missing_facts if x.child == child),
            schema_version=self.schema_version,
        )

    def violated_rules(self) -> set[str]:
        """The ids of every rule with a violation."""
        return {v.rule for v in self.violations}


def family_result(parts: Sequence[tuple[str, Result]]) -> Result:
    """One result for a family case from each child's (``parts``: child id and result, in
    the order the case lists the children): every finding, stamped with its child's id."""

    def tagged(items: Iterable[Any], child: str) -> tuple[Any, ...]:
        return tuple(replace(item, child=child) for item in items)

    first = parts[0][1]
    return Result(
        case_id=first.case_id,
        as_of=first.as_of,
        pack=first.pack,
        deadlines=tuple(x for c, r in parts for x in tagged(r.deadlines, c)),
        violations=tuple(x for c, r in parts for x in tagged(r.violations, c)),
        warnings=tuple(x for c, r in parts for x in tagged(r.warnings, c)),
        permitted_actions=tuple(x for c, r in parts for x in tagged(r.permitted_actions, c)),
        obligations=tuple(x for c, r in parts for x in tagged(r.obligations, c)),
        missing_facts=tuple(x for c, r in parts for x in tagged(r.missing_facts, c)),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
