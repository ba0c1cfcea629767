"""What every rule kind plugs into: :class:`RuleKind` (the interface), :class:`Checker` (what
a kind may ask of the loader), :class:`Judge` (what a kind may ask of the evaluation of one
case) and :class:`Memo` (what is kept per policy, so per-case work is only what depends on the
case).

A kind says only what is particular to it. The walker knows the location: load-time checks
name paths relative to their rule, and the loader adds where the rule is in the pack. The
judge fills in each finding's rule id, title and citations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from assess_rules.calendar import Counting
from assess_rules.conditions import CompiledCondition
from assess_rules.facts import FactContext, collection_items
from assess_rules.pack import Duration, Rule, SourceRef
from assess_rules.policy import Policy
from assess_rules.result import (
    Citation,
    Deadline,
    MissingFacts,
    Obligation,
    PermittedAction,
    Violation,
    Warning,
)
from assess_rules.timing import DueDate, compute_due, end_of

if TYPE_CHECKING:
    from assess_rules.kinds._page import Page

__all__ = ["Checker", "Judge", "Memo", "Path", "RuleKind", "cite"]

R = TypeVar("R")
RuleT = TypeVar("RuleT", bound=Rule)
K = TypeVar("K")
V = TypeVar("V")

#: where something is, relative to its rule: keys and list indexes
Path = tuple[str | int, ...]


class Checker(Protocol):
    """What a kind's load-time check may ask of the loader. Paths are relative to the rule;
    the loader adds where the rule is in the pack, with line and column."""

    def condition(self, text: str | None, scope: str | None, path: Path) -> None:
        """Compile ``text`` (if any) in ``scope``; a wrong one is a located error."""

    def fact(
        self,
        name: str | None,
        scope: str | None,
        path: Path,
        kinds: tuple[str, ...] = ("moment", "date"),
    ) -> None:
        """Check that ``name`` (if any) is a fact of one of ``kinds`` in ``scope``."""

    def role(self, role: str | None, path: Path) -> None:
        """Check that ``role`` (if any) is on the pack's role ladder."""

    def error(self, message: str, path: Path) -> None:
        """Report a problem at ``path``."""


@dataclass(frozen=True)
class RuleKind(Generic[R]):
    """One kind of rule: its model and everything done with it.

    ``evaluate`` judges one rule against a case (``None``: not judged rule by rule);
    ``prepare``, if given, builds once per policy what judging one rule needs (its
    conditions compiled, its citations) and returns the judging of it, called once per
    case (``evaluate`` is then that, built and called at once); ``requests`` judges, once
    per case, every rule in force that ``concerns`` it together (the requested actions,
    with the prohibitions and warnings on them).
    """

    #: the YAML ``kind:``
    name: str
    #: the frozen model of one rule
    model: type[R]
    #: its load-time checks: names, roles, conditions
    check: Callable[[R, Checker], None]
    #: its section of the pack page, given every rule of the kind in pack order
    render: Callable[[Sequence[R], Page], None]
    #: what scenario files should exercise: (what a result shows when seen, the gap if not)
    branches: Callable[[R], Iterable[tuple[str, str]]]
    #: where its section sits on the pack page, lowest first
    page_order: int
    evaluate: Callable[[R, Judge], None] | None = None
    #: older YAML names of the kind, still accepted
    aliases: tuple[str, ...] = ()
    requests: Callable[[Sequence[Any], Judge], None] | None = None
    concerns: Callable[[Rule], bool] | None = None
    prepare: Callable[[R, Policy], Callable[[Judge], None]] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every YAML ``kind:`` that means this kind."""
        return (self.name, *self.aliases)


def cite(sources: Iterable[SourceRef]) -> tuple[Citation, ...]:
    """The citations of ``sources``."""
    return tuple(Citation(s.id, s.para) for s in sources)


class Memo:
    """What evaluation keeps per policy (it depends on the policy alone): the citations of
    each source list, and values a kind derives from one part of a rule."""

    def __init__(self) -> None:
        self._citations: dict[int, tuple[tuple[SourceRef, ...], tuple[Citation, ...]]] = {}
        self._kept: dict[int, tuple[Any, Any]] = {}
        #: due dates already computed, with the moment each ends, by what they were
        #: computed from (see Judge.due_and_end)
        self.due_dates: dict[tuple[Any, ...], tuple[DueDate, datetime]] = {}

    def cite(self, sources: tuple[SourceRef, ...]) -> tuple[Citation, ...]:
        """The citations of a source list of the policy (kept, so built once)."""
        found = self._citations.get(id(sources))
        if found is None or found[0] is not sources:
            found = self._citations[id(sources)] = (sources, cite(sources))
        return found[1]

    def of(self, part: K, build: Callable[[K], V]) -> V:
        """``build(part)``, built once for this part of the policy and then kept."""
        found = self._kept.get(id(part))
        if found is None or found[0] is not part:
            found = self._kept[id(part)] = (part, build(part))
        value: V = found[1]
        return value


#: how many due dates are kept per policy before starting afresh
_DUE_DATES_KEPT = 16_384


class Judge:
    """The evaluation of one case: the facts, and every finding in the order it was found.
    Each finding is filled in with its rule's id, title and citations."""

    __slots__ = (
        "_contexts",
        "case",
        "cite",
        "ctx",
        "dated",
        "day",
        "deadlines",
        "memo",
        "missing",
        "obligations",
        "permitted",
        "policy",
        "violations",
        "warnings",
    )

    def __init__(
        self, policy: Policy, ctx: FactContext, memo: Memo, day: date, dated: frozenset[str]
    ) -> None:
        self.policy = policy
        self.ctx = ctx
        self.memo = memo
        #: the date that decides which rules are in force (the referral's)
        self.day = day
        #: the rules with their own dates (the others are always in force)
        self.dated = dated
        #: the citations of a source list of the policy (the memo's, called often)
        self.cite: Callable[[tuple[SourceRef, ...]], tuple[Citation, ...]] = memo.cite
        self.deadlines: list[Deadline] = []
        self.violations: list[Violation] = []
        self.warnings: list[Warning] = []
        self.permitted: list[PermittedAction] = []
        self.obligations: list[Obligation] = []
        self.missing: list[MissingFacts] = []
        #: the case's own context with no subject: ``contexts(None)``, without a call
        self.case: tuple[tuple[FactContext, str | None], ...] = ((ctx, None),)
        #: the contexts of each scope, built on first use (see contexts)
        self._contexts: dict[str | None, tuple[tuple[FactContext, str | None], ...]] = {
            None: self.case
        }

    def in_force(self, rules: Iterable[RuleT]) -> list[RuleT]:
        """Those of ``rules`` in force on the referral date."""
        dated, policy, day = self.dated, self.policy, self.day
        return [r for r in rules if r.id not in dated or policy.in_force(r, day)]

    def contexts(self, scope: str | None) -> tuple[tuple[FactContext, str | None], ...]:
        """The case (subject ``None``), or each item of the collection ``scope`` with its
        subject (``"collection[i]"``). Built once per evaluation and scope, and shared by
        the rules over it: an item's facts depend on the case, the moment and the item
        alone."""
        found = self._contexts.get(scope)
        if found is None:
            found = self._contexts[scope] = self._items(scope)
        return found

    def _items(self, scope: str | None) -> tuple[tuple[FactContext, str | None], ...]:
        ctx = self.ctx
        if scope is None:
            return ((ctx, None),)
        items = collection_items(ctx, scope)
        if not items:
            return ()
        # an item is named by its place in the snapshot, not among those visible on the
        # evaluation date, so one item keeps one name whatever the date
        place = {id(item): i for i, item in enumerate(getattr(ctx.case, scope))}
        return tuple((ctx.for_item(scope, item), f"{scope}[{place[id(item)]}]") for item in items)

    def undecided(
        self,
        rule: Any,
        facts: Iterable[str],
        needed_for: str,
        subject: str | None,
        sources: tuple[Citation, ...] | None = None,
    ) -> None:
        """Report that ``rule`` cannot be decided without ``facts``."""
        cited = self.cite(rule.sources) if sources is None else sources
        self.missing.append(
            MissingFacts(rule.id, rule.title, cited, tuple(facts), needed_for, subject)
        )

    def owed(
        self,
        rule: Any,
        cited: tuple[Citation, ...],
        overdue: bool,
        due: date | datetime,
        subject: str | None,
    ) -> None:
        """Report that ``rule``'s duty is still to do: open, or overdue past ``due``."""
        self.obligations.append(
            Obligation(
                rule.id,
                rule.title,
                cited,
                rule.owner,
                "overdue" if overdue else "open",
                due,
                None,
                subject,
            )
        )

    def violated(
        self,
        rule: Any,
        message: str,
        subject: str | None,
        step: str | None = None,
        cited: tuple[Citation, ...] | None = None,
        branch: str | None = None,
    ) -> None:
        """Report a violation of ``rule`` (citing its sources unless ``cited`` is given)."""
        sources = self.cite(rule.sources) if cited is None else cited
        self.violations.append(
            Violation(rule.id, rule.title, sources, rule.severity, message, subject, step, branch)
        )

    def warned(
        self,
        rule: Any,
        message: str,
        subject: str | None,
        cited: tuple[Citation, ...] | None = None,
    ) -> None:
        """Report a warning from ``rule`` (citing its sources unless ``cited`` is given)."""
        sources = self.cite(rule.sources) if cited is None else cited
        self.warnings.append(Warning(rule.id, rule.title, sources, message, subject))

    def test(
        self,
        text: str | None,
        ctx: FactContext,
        scope: str | None,
        rule: Any,
        needed_for: str,
        subject: str | None,
    ) -> bool | None:
        """Evaluate a condition; an undetermined one is reported under missing facts."""
        if text is None:
            return True
        return self.holds(self.policy.condition(text, scope), ctx, rule, needed_for, subject)

    def holds(
        self,
        condition: CompiledCondition,
        ctx: FactContext,
        rule: Any,
        needed_for: str,
        subject: str | None,
    ) -> bool | None:
        """Evaluate a compiled condition; an undetermined one is reported under missing
        facts."""
        outcome = condition(ctx)
        if outcome is None:
            self.undecided(rule, tuple(condition.unknown_facts(ctx)), needed_for, subject)
        return outcome

    def due(
        self, start: date | datetime, within: Duration, counting: Counting, start_at: str = "event"
    ) -> DueDate:
        """The due date of ``within`` from ``start`` under the policy's calendar (kept per
        policy: many cases start on the same day)."""
        return self.due_and_end(start, within, counting, start_at)[0]

    def due_and_end(
        self, start: date | datetime, within: Duration, counting: Counting, start_at: str = "event"
    ) -> tuple[DueDate, datetime]:
        """:meth:`due`, and the moment it ends (``timing.end_of``), kept with it."""
        unit = within.unit
        moment: Any
        if unit != "hours" and start_at == "event":
            # counted in days from the start's day alone (compute_due reads nothing else)
            moment = start.date() if isinstance(start, datetime) else start
        elif isinstance(start, datetime):
            moment = (start, start.utcoffset(), start.tzinfo, start.fold)
        else:
            moment = (type(start), start)
        key = (moment, unit, within.amount, counting, start_at)
        kept = self.memo.due_dates
        found = kept.get(key)
        if found is None:
            due = compute_due(self.policy, start, within, counting, start_at)
            if len(kept) >= _DUE_DATES_KEPT:
                kept.clear()
            found = kept[key] = (due, end_of(due.due))
        return found

    def past(self, due: date | datetime) -> bool:
        """Whether ``due`` has passed as of the evaluation moment."""
        if isinstance(due, datetime):
            return self.ctx.cutoff > due
        return self.ctx.as_of > due

    def rank_ok(self, actual: str | None, required: str | None) -> bool | None:
        """Whether role ``actual`` may do what ``required`` must (``None``: not recorded)."""
        if required is None:
            return True
        return self.policy.may_act(actual, required)
