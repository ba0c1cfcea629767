"""What an evaluation returns: frozen, cheap to build, JSON-serialisable.

The JSON form (``Result.to_json()``) follows ``schemas/result.schema.json``; its
``schema_version`` changes whenever the form does (major: a field removed or its meaning
changed; minor: a field added). Every finding names the pack's rule id (``rule``) and the
catalogue IDs with their paragraphs (``sources``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

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


@dataclass(frozen=True, slots=True)
class Citation:
    """A catalogue ID and the source paragraph it comes from."""

    id: str
    para: str

    def __str__(self) -> str:
        return f"{self.id} (para {self.para})"


@dataclass(frozen=True, slots=True)
class PackStamp:
    """Which pack, in which version and exact content, produced a result."""

    id: str
    version: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """A duty's due date, how it was computed, and whether it was met."""

    rule: str
    title: str
    sources: tuple[Citation, ...]
    status: DeadlineStatus
    start_event: str
    start: datetime
    end_event: str | None
    due: datetime
    amount: int
    unit: str
    computation: str
    skipped_days: tuple[date, ...] = ()
    done: datetime | None = None
    extension: str | None = None
    subject: str | None = None
    missing_facts: tuple[str, ...] = ()
    #: what the reader should know about how the date was found (for example: the pack's
    #: closure days are not listed this far ahead)
    caveats: tuple[str, ...] = ()
    #: in a family case (``children:``), the id of the child it is about
    child: str | None = None

    @property
    def due_date(self) -> date:
        """The day the duty is due (``due`` is a London moment: the end of that day for
        duties counted in days, the exact moment for hours)."""
        return self.due.date()


@dataclass(frozen=True, slots=True)
class Violation:
    """Something that has gone wrong."""

    rule: str
    title: str
    sources: tuple[Citation, ...]
    severity: Severity
    message: str
    subject: str | None = None
    step: str | None = None
    #: which part of the rule was broken, where it has parts (``approver``: decided by too
    #: junior a role)
    branch: str | None = None
    #: in a family case (``children:``), the id of the child it is about
    child: str | None = None


@dataclass(frozen=True, slots=True)
class Warning:
    """Advice that is not a prohibition (for example: cancelling after the child was seen)."""

    rule: str
    title: str
    sources: tuple[Citation, ...]
    message: str
    subject: str | None = None
    #: in a family case (``children:``), the id of the child it is about
    child: str | None = None


@dataclass(frozen=True, slots=True)
class PermittedAction:
    """Whether an action (with an option, such as a cancellation reason) is allowed, and who
    must approve it. ``why`` is never empty: what refused it, what leaves it undecidable, or
    which conditions held. An entry with a ``subject`` answers a request in the snapshot;
    ``rule`` is ``None`` only for a requested action that no rule of the pack governs."""

    action: str
    option: str | None
    label: str
    status: DecisionStatus
    why: tuple[str, ...]
    approver: str | None
    rule: str | None
    sources: tuple[Citation, ...]
    recommended_by: str | None = None
    prerequisites: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    missing_facts: tuple[str, ...] = ()
    subject: str | None = None
    #: the prohibitions that refuse it or leave it to a manager
    blocked_by: tuple[str, ...] = ()
    #: in a family case (``children:``), the id of the child it is about
    child: str | None = None


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something someone must still do."""

    rule: str
    title: str
    sources: tuple[Citation, ...]
    owner: str | None
    status: Literal["open", "overdue"]
    due: date | datetime | None = None
    step: str | None = None
    subject: str | None = None
    #: in a family case (``children:``), the id of the child it is about
    child: str | None = None


@dataclass(frozen=True, slots=True)
class MissingFacts:
    """A rule that cannot be decided from the snapshot, and the facts it needs."""

    rule: str
    title: str
    sources: tuple[Citation, ...]
    facts: tuple[str, ...]
    needed_for: str
    subject: str | None = None
    #: in a family case (``children:``), the id of the child it is about
    child: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """Everything an evaluation found, stamped with the pack and the evaluation date."""

    case_id: str
    as_of: date
    pack: PackStamp
    deadlines: tuple[Deadline, ...]
    violations: tuple[Violation, ...]
    warnings: tuple[Warning, ...]
    permitted_actions: tuple[PermittedAction, ...]
    obligations: tuple[Obligation, ...]
    missing_facts: tuple[MissingFacts, ...]
    schema_version: str = RESULT_SCHEMA_VERSION

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
