"""The rule kinds, one module each: its load-time checks, its evaluation, its section of the
pack page and the branches scenario files should exercise.

``KINDS`` maps each YAML ``kind:`` to its :class:`RuleKind`, in the order kinds are listed to
policy authors. A new kind is a new module here and a line in ``KINDS`` (and its model in
``pack``).
"""

from __future__ import annotations

from typing import Any

from assess_rules.kinds import (
    action,
    authority,
    caseload_review,
    check,
    consent,
    obligation,
    prohibition,
    recurring,
    timescale,
    warning,
)
from assess_rules.kinds._base import Checker, Judge, Memo, RuleKind

__all__ = ["KINDS", "Checker", "Judge", "Memo", "RuleKind", "kind_of"]

KINDS: dict[str, RuleKind[Any]] = {
    kind.name: kind
    for kind in (
        timescale.KIND,
        action.KIND,
        consent.KIND,
        obligation.KIND,
        warning.KIND,
        prohibition.KIND,
        check.KIND,
        authority.KIND,
        recurring.KIND,
        caseload_review.KIND,
    )
}

_BY_MODEL: dict[type, RuleKind[Any]] = {kind.model: kind for kind in KINDS.values()}


def kind_of(rule: object) -> RuleKind[Any]:
    """The kind of ``rule`` (a model of one of ``KINDS``)."""
    return _BY_MODEL[type(rule)]
