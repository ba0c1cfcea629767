"""The facts a pack's rules may read, derived from a case snapshot as of a moment.

Every fact has a dotted name, a type (``bool``, ``int``, ``str``, ``role``, ``date`` or
``moment``), a description and, for text facts, the values it can take, so a misspelt name
or value in a pack is a load error. A fact is ``None`` when the snapshot does not record it
as of the evaluation moment: events after that moment are ignored.

Facts of a collection item (``strategy_discussion.held`` for each strategy discussion) are
visible only in a rule that says ``for_each:`` that collection. Case-level
``cancellation.*`` facts describe the latest cancellation request.

``docs/facts.md`` lists every fact; ``FACTS`` is the registry.

>>> FACTS.lookup("child.age", None).type
'int'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from assess_rules.calendar import LONDON, WorkingDayCalendar, age_in_years
from assess_rules.case import (
    PRESENTING_CONCERNS,
    ROLES,
    CancellationRequest,
    CaseSnapshot,
    ConsentEvent,
    ProfessionalConversation,
    StrategyDiscussion,
    Visit,
)

__all__ = [
    "COLLECTIONS",
    "FACTS",
    "KINDS_READ_BY_FACTS",
    "FactContext",
    "FactRegistry",
    "FactSpec",
    "kinds_read_by",
]

#: Collections a rule may iterate over with ``for_each``, and the singular its facts use.
COLLECTIONS: Mapping[str, str] = {
    "strategy_discussions": "strategy_discussion",
    "complaints": "complaint",
    "cancellations": "cancellation",
    "returns_home": "return_home",
    "emergency_actions": "emergency_action",
}

Extractor = Callable[["FactContext"], Any]
ItemExtractor = Callable[["FactContext", Any], Any]


@dataclass(frozen=True)
class FactSpec:
    """One fact: its name, type, allowed values, meaning and where it comes from."""

    name: str
    type: str
    description: str
    values: tuple[str, ...] | None = None
    scope: str | None = None
    extract: Extractor | None = field(default=None, repr=False, compare=False)
    extract_item: ItemExtractor | None = field(default=None, repr=False, compare=False)


class FactRegistry:
    """Look-up of fact specs by name and scope (case level, or one collection's items)."""

    def __init__(self, specs: Iterable[FactSpec]) -> None:
        self._case: dict[str, FactSpec] = {}
        self._items: dict[str, dict[str, FactSpec]] = {scope: {} for scope in COLLECTIONS}
        for spec in specs:
            table = self._case if spec.scope is None else self._items[spec.scope]
            if spec.name in table:
                raise ValueError(f"fact {spec.name!r} registered twice")
            table[spec.name] = spec

    def lookup(self, name: str, scope: str | None) -> FactSpec | None:
        """The spec of ``name`` as seen from ``scope`` (item facts shadow case facts)."""
        if scope is not None:
            found = self._items[scope].get(name)
            if found is not None:
                return found
        return self._case.get(name)

    def scope_of(self, name: str) -> str | None:
        """The collection whose items have fact ``name``, if only items have it."""
        for scope, table in self._items.items():
            if name in table:
                return scope
        return None

    def names(self, scope: str | None) -> Sequence[str]:
        """Every name visible from ``scope``."""
        names = list(self._case)
        if scope is not None:
            names += list(self._items[scope])
        return sorted(set(names))

    def extended(self, specs: Iterable[FactSpec]) -> FactRegistry:
        """This registry with ``specs`` added (a pack's own record kinds, for example)."""
        added = list(specs)
        if not added:
            return self
        return FactRegistry([*self.all_specs(), *added])

    def all_specs(self) -> list[FactSpec]:
        """Every spec, case-level first, for documentation."""
        specs = list(self._case.values())
        for table in self._items.values():
            specs += table.values()
        return specs


class FactContext(dict[str, Any]):
    """The facts of one case as of one moment: a mapping from fact name to value, in which a
    value is computed on first read and then kept (``ctx.get(name)``, or ``ctx[name]``).
    Values derived from the snapshot that several facts share are kept in it too, under
    keys that start with ``#``.

    Implements the interface compiled conditions read (:class:`FactValues`): ``get`` is the
    mapping's own look-up, so reading a fact already computed costs no Python call.

    >>> from datetime import datetime, time
    >>> from assess_rules import load_policy, parse_case
    >>> policy = load_policy("generic_s17")
    >>> case = parse_case({"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"},
    ...                    "child": {"date_of_birth": "2010-01-01"}})
    >>> day = date(2027, 1, 4)
    >>> ctx = FactContext(case, datetime.combine(day, time.max, LONDON), day,
    ...                   policy.calendar, policy.role_ranks)
    >>> ctx.get("child.age"), ctx.get("child.first_seen")
    (17, None)
    """

    __slots__ = (
        "_item",
        "_of_item",
        "_parent",
        "_ranks",
        "_scope",
        "as_of",
        "calendar",
        "case",
        "cutoff",
    )

    def __init__(
        self,
        case: CaseSnapshot,
        cutoff: datetime,
        as_of: date,
        calendar: WorkingDayCalendar,
        role_ranks: Mapping[str, int],
        *,
        scope: str | None = None,
        item: Any = None,
        parent: FactContext | None = None,
    ) -> None:
        self.case = case
        self.cutoff = cutoff
        self.as_of = as_of
        self.calendar = calendar
        self._ranks = role_ranks
        self._scope = scope
        self._item = item
        self._parent = parent
        self._of_item = None if scope is None else _ITEM_EXTRACTORS[scope]

    if TYPE_CHECKING:

        def get(self, name: str) -> Any:  # type: ignore[override]
            """The value of fact ``name`` (``None`` when not recorded)."""

    else:
        # the mapping's own look-up: a value not yet computed is computed by __missing__
        get = dict.__getitem__

    def __missing__(self, name: str) -> Any:
        """Compute fact ``name`` (read for the first time in this context) and keep it."""
        of_item = self._of_item
        if of_item is not None:
            extract_item = of_item.get(name)
            if extract_item is not None:
                value = extract_item(self, self._item)
            else:
                assert self._parent is not None
                value = self._parent.get(name)
        else:
            extract = _CASE_EXTRACTORS.get(name)
            if extract is None:
                extract = _pack_kind_extractor(name)
            value = extract(self)
        self[name] = value
        return value

    def as_at(self, moment: datetime) -> FactContext:
        """The same case as it stood at ``moment`` (events after it unseen), for rules judged
        when something happened: a decision, or the trigger of a duty."""
        return FactContext(self.case, moment, moment.date(), self.calendar, self._ranks)

    def for_item(self, scope: str, item: Any) -> FactContext:
        """A context that sees ``item``'s facts as well as the case's."""
        return FactContext(
            self.case,
            self.cutoff,
            self.as_of,
            self.calendar,
            self._ranks,
            scope=scope,
            item=item,
            parent=self,
        )

    @property
    def item(self) -> Any:
        """The collection item this context is about, if any."""
        return self._item

    def role_rank(self, role: str) -> int:
        """Rank of ``role`` on the pack's ladder (higher is more senior)."""
        return self._ranks.get(role, -1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to ``end`` on the pack's calendar."""
        return self.calendar.working_days_between(start, end)

    def seen(self, moment: datetime | None) -> datetime | None:
        """``moment`` if it is on or before the evaluation moment, else ``None``."""
        if moment is None or moment > self.cutoff:
            return None
        return moment

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A derived value shared by several facts, computed once per context (``key``
        starts with ``#``)."""
        found = _peek(self, key, _NOTHING)
        if found is _NOTHING:
            found = self[key] = compute()
        return found


#: a value kept in a context, or the default, without computing it
_peek = dict.get
_NOTHING: Any = object()
_BY_AT = attrgetter("at")
_BY_HELD_AT = attrgetter("held_at")


# --- helpers used by the extractors -------------------------------------------------------


_POSITIONS = ("given", "declined", "withdrawn")

#: the consent history as the facts read it: the events seen, oldest first; each person's
#: latest position; the latest event of each kind
_ConsentHistory = tuple[list[ConsentEvent], dict[str, ConsentEvent], dict[str, ConsentEvent]]


def _consent(ctx: FactContext) -> _ConsentHistory:
    """The consent history seen by the evaluation moment, in one pass (kept per context)."""
    history: _ConsentHistory | None = _peek(ctx, "#consent")
    if history is None:
        positions: dict[str, ConsentEvent] = {}
        latest: dict[str, ConsentEvent] = {}
        recorded = ctx.case.consent
        if recorded:
            cutoff = ctx.cutoff
            events = sorted([e for e in recorded if e.at <= cutoff], key=_BY_AT)
            for event in events:  # oldest first: each entry ends as the latest
                kind = event.event
                latest[kind] = event
                if kind in _POSITIONS:
                    positions[event.person or event.by or "unnamed"] = event
        else:
            events = []
        history = ctx["#consent"] = (events, positions, latest)
    return history


def _consent_events(ctx: FactContext) -> list[ConsentEvent]:
    """The consent events seen by the evaluation moment, oldest first."""
    return _consent(ctx)[0]


def _latest_consent(ctx: FactContext, kind: str) -> ConsentEvent | None:
    """The latest consent event of ``kind`` seen by the evaluation moment."""
    return _consent(ctx)[2].get(kind)


def _positions(ctx: FactContext) -> dict[str, ConsentEvent]:
    """Each person's latest consent position (given, declined or withdrawn), keyed by the
    event's ``person`` id, or by whose consent it is when no id is recorded. Consent is a
    position, not a history: a parent who declined and later consented is consenting."""
    return _consent(ctx)[1]


def _refusal(ctx: FactContext) -> ConsentEvent | None:
    """The latest event of anyone whose current position is declined or withdrawn."""
    refusals = [e for e in _positions(ctx).values() if e.event != "given"]
    return max(refusals, key=_BY_AT) if refusals else None


def _consent_status(ctx: FactContext) -> str:
    """``declined`` or ``withdrawn`` while anyone's latest position is that (``overridden``
    once a later override sets it aside), else ``given`` when someone consents; ``sought``
    or ``none`` before any position is recorded."""
    events, positions, latest = _consent(ctx)
    if not events:
        return "none"
    refusals = [e for e in positions.values() if e.event != "given"]
    refusal = max(refusals, key=_BY_AT) if refusals else None
    override = latest.get("overridden")
    if refusal is not None:
        if override is not None and override.at >= refusal.at:
            return "overridden"
        return refusal.event
    if positions:
        return "given"
    if override is not None:
        return "overridden"
    return "sought"


def _episode_visits(ctx: FactContext) -> list[Visit]:
    """Visits of this referral's episode seen by the evaluation moment: an open case's
    earlier visits (before the referral) belong to an earlier episode and do not count."""
    visits: list[Visit] = _in_episode(ctx, "#visits", ctx.case.visits, _BY_AT)
    return visits


def _in_episode(
    ctx: FactContext, key: str, recorded: Sequence[Any], moment: Callable[[Any], datetime]
) -> list[Any]:
    """The records of ``recorded`` whose ``moment`` falls in this referral's episode, from
    its receipt to the evaluation moment; worked out once per context (kept under ``key``)."""
    found: list[Any] | None = _peek(ctx, key)
    if found is None:
        if recorded:
            received, cutoff = ctx.case.referral.received_at, ctx.cutoff
            found = [r for r in recorded if received <= moment(r) <= cutoff]
        else:
            found = []
        ctx[key] = found
    return found


def _first_visit(ctx: FactContext, *, child_seen: bool) -> datetime | None:
    visits = _episode_visits(ctx)
    if not visits:
        return None
    moments = [v.at for v in visits if v.child_seen or not child_seen]
    return min(moments) if moments else None


def _consent_branch(ctx: FactContext) -> str:
    status: str = ctx.get("consent.status")
    if status != "withdrawn":
        return status
    withdrawn = _refusal(ctx)
    assert withdrawn is not None
    visited = any(v.at <= withdrawn.at for v in _episode_visits(ctx))
    return "withdrawn_after_visit" if visited else "withdrawn_before_visit"


def _visible_cancellations(ctx: FactContext) -> list[CancellationRequest]:
    """The requests seen by the evaluation moment (their first step on or before it, or no
    step dated), in snapshot order (kept per context)."""
    visible: list[CancellationRequest] | None = _peek(ctx, "#cancellations")
    if visible is None:
        visible = []
        cutoff = ctx.cutoff
        for request in ctx.case.cancellations:
            first = request.recommended_at or request.reassigned_at or request.decided_at
            if first is None or first <= cutoff:
                visible.append(request)
        ctx["#cancellations"] = visible
    return visible


def _latest_cancellation(ctx: FactContext) -> CancellationRequest | None:
    visible = _visible_cancellations(ctx)
    return visible[-1] if visible else None


def _cancellation_outcome(ctx: FactContext, request: CancellationRequest | None) -> str | None:
    if request is None:
        return None
    if ctx.seen(request.decided_at) is None:
        return "pending"
    return request.outcome


def _approved_request(action: str) -> Extractor:
    """The decision of the first approved request for ``action`` (actions, issue 6)."""

    def extract(ctx: FactContext) -> Any:
        visible = _visible_cancellations(ctx)
        if not visible:
            return None
        moments = [
            moment
            for q in visible
            if q.action == action
            and _cancellation_outcome(ctx, q) == "approved"
            and (moment := ctx.seen(q.decided_at)) is not None
        ]
        return min(moments) if moments else None

    return extract


def _approved_request_by(action: str) -> Extractor:
    """Who decided the first approved request for ``action`` (actions, issue 6)."""

    def extract(ctx: FactContext) -> Any:
        visible = _visible_cancellations(ctx)
        if not visible:
            return None
        decided = [
            (moment, q.decided_by)
            for q in visible
            if q.action == action
            and _cancellation_outcome(ctx, q) == "approved"
            and (moment := ctx.seen(q.decided_at)) is not None
        ]
        return min(decided, key=lambda pair: pair[0])[1] if decided else None

    return extract


def _by_kind(ctx: FactContext, family: str) -> dict[str, list[Any]]:
    """The records of ``family`` (``oversight`` or ``actions``) seen by the evaluation moment,
    by kind, each kind's in snapshot order (kept per context: one pass for every fact)."""
    key = "#" + family
    index: dict[str, list[Any]] | None = _peek(ctx, key)
    if index is None:
        index = {}
        cutoff = ctx.cutoff
        for record in getattr(ctx.case, family):
            if record.at <= cutoff:
                found = index.get(record.kind)
                if found is None:
                    index[record.kind] = [record]
                else:
                    found.append(record)
        ctx[key] = index
    return index


def _front_door_overturned(ctx: FactContext) -> datetime | None:
    """The first overturn of a Front Door decision, recorded as oversight or as an approved
    request (actions, issue 6)."""
    moments = [
        m
        for m in (
            _oversight_first("front_door_decision_overturned")(ctx),
            _approved_request("overturn_front_door_decision")(ctx),
        )
        if m is not None
    ]
    return min(moments) if moments else None


def _oversight_first(kind: str) -> Extractor:
    def extract(ctx: FactContext) -> Any:
        records = _by_kind(ctx, "oversight").get(kind)
        return min(map(_BY_AT, records)) if records else None

    return extract


def _oversight_latest_field(kind: str, attribute: str) -> Extractor:
    def extract(ctx: FactContext) -> Any:
        records = _by_kind(ctx, "oversight").get(kind)
        if not records:
            return None
        return getattr(max(records, key=_BY_AT), attribute)

    return extract


def _action_first(kind: str) -> Extractor:
    def extract(ctx: FactContext) -> Any:
        records = _by_kind(ctx, "actions").get(kind)
        return min(map(_BY_AT, records)) if records else None

    return extract


def _seen_field(section: str, attribute: str, moment: str) -> Extractor:
    """``case.<section>.<attribute>``, once the section's ``moment`` is visible."""

    def extract(ctx: FactContext) -> Any:
        record = getattr(ctx.case, section)
        if record is None:
            return None
        at = getattr(record, moment)
        if at is None or at > ctx.cutoff:
            return None
        return getattr(record, attribute)

    return extract


def _seen_moment(section: str, attribute: str) -> Extractor:
    """``case.<section>.<attribute>`` (a moment), once it is on or before the evaluation
    moment."""

    def extract(ctx: FactContext) -> Any:
        record = getattr(ctx.case, section)
        if record is None:
            return None
        at = getattr(record, attribute)
        return None if at is None or at > ctx.cutoff else at

    return extract


def _assessment(attribute: str, *, moment: bool = False) -> Extractor:
    if moment:
        return _seen_moment("assessment", attribute)

    def extract(ctx: FactContext) -> Any:
        assessment = ctx.case.assessment
        return None if assessment is None else getattr(assessment, attribute)

    return extract


def _completion_due_on(ctx: FactContext) -> date | None:
    assessment = ctx.case.assessment
    if assessment is None or assessment.completion_due_on is None:
        return None
    if assessment.timescale_set_at is not None and ctx.seen(assessment.timescale_set_at) is None:
        return None  # set after the moment judged
    return assessment.completion_due_on


def _assessment_status(ctx: FactContext) -> str | None:
    assessment = ctx.case.assessment
    if assessment is None:
        return None
    status = assessment.status
    if status in {"completed", "partially_complete"} and assessment.completed_at is not None:
        return status if ctx.seen(assessment.completed_at) else "in_progress"
    if status == "cancelled":
        approved = [
            c
            for c in ctx.case.cancellations
            if c.outcome == "approved" and c.decided_at is not None
        ]
        if approved and not any(ctx.seen(c.decided_at) for c in approved):
            return "in_progress"
    if status == "not_started" and ctx.seen(assessment.started_at) is not None:
        return "in_progress"
    return status


def _child_age(ctx: FactContext) -> int | None:
    birth = ctx.case.child.date_of_birth
    if birth is None or birth > ctx.as_of:
        return None
    return age_in_years(birth, ctx.as_of)


def _child_unborn(ctx: FactContext) -> bool | None:
    child = ctx.case.child
    if child.date_of_birth is not None and child.date_of_birth <= ctx.as_of:
        return False
    if child.expected_birth_date is not None:
        return True
    return None


def _initiated_s47(discussion: StrategyDiscussion) -> bool:
    """One fact, one field: a discussion whose outcome is "s47 threshold met" initiated s47
    enquiries whether or not ``initiated_s47`` was also set."""
    return discussion.initiated_s47 or discussion.outcome == "s47_threshold_met"


def _s47_discussion(ctx: FactContext) -> datetime | None:
    discussions = _discussions(ctx)
    if not discussions:
        return None
    moments = [d.held_at for d in discussions if _initiated_s47(d)]
    return min(moments) if moments else None


def _s47_ruled_out(ctx: FactContext) -> bool:
    """The latest concluded strategy discussion of this episode concluded that the s47
    threshold is not met (GEN-S47-1's words; "no further action" alone does not say so) and
    did not initiate s47 enquiries."""
    discussions = _discussions(ctx)
    if not discussions:
        return False
    concluded = [d for d in discussions if d.concluded]
    if not concluded:
        return False
    latest = max(concluded, key=lambda d: d.held_at)
    return not _initiated_s47(latest) and latest.outcome == "s47_threshold_not_met"


def _discussions(ctx: FactContext) -> list[StrategyDiscussion]:
    """Strategy discussions of this referral's episode seen by the evaluation moment: an open
    case's earlier discussions (before the referral) were about earlier concerns, so they
    neither rule s47 out nor start this referral's ICPC clock."""
    discussions: list[StrategyDiscussion] = _in_episode(
        ctx, "#discussions", ctx.case.strategy_discussions, _BY_HELD_AT
    )
    return discussions


def _latest_previous_assessment(ctx: FactContext) -> date | None:
    recorded = ctx.case.previous_assessments
    if not recorded:
        return None
    as_of = ctx.as_of
    dates = [p.authorised_on for p in recorded if p.authorised_on <= as_of]
    return max(dates) if dates else None


def _latest_authorised(ctx: FactContext) -> date | None:
    candidates = []
    previous = _latest_previous_assessment(ctx)
    if previous is not None:
        candidates.append(previous)
    authorised = _assessment("authorised_at", moment=True)(ctx)
    if authorised is not None:
        candidates.append(authorised.date())
    return max(candidates) if candidates else None


def _conversation_without_agreement(ctx: FactContext) -> bool | None:
    agreed = [
        c.family_agreed
        for c in ctx.case.professional_conversations
        if c.at <= ctx.cutoff and not c.s47_enquiry
    ]
    if any(a is False for a in agreed):
        return True
    return None if any(a is None for a in agreed) else False


def _assessment_decided(ctx: FactContext) -> datetime | None:
    """The decision that sent the referral for assessment, directly or after MASH
    further enquiries (SA note, "When consent is not gained by the MASH")."""
    decision = ctx.case.decision
    if decision is None:
        return None
    if decision.response == "assessment":
        return ctx.seen(decision.made_at)
    if decision.final_response == "assessment":
        return ctx.seen(decision.final_made_at)
    return None


def _changed_mind(ctx: FactContext) -> ConsentEvent | None:
    """The latest withdrawal of consent, or refusal by someone who had given consent, that is
    still that person's position: the family "change their mind" (SA note). Read once per
    context, by the fact ``consent.changed_mind``."""
    events = _consent_events(ctx)
    changes = [
        e
        for who, e in _positions(ctx).items()
        if e.event == "withdrawn"
        or (
            e.event == "declined"
            and any(
                g.event == "given" and (g.person or g.by or "unnamed") == who and g.at < e.at
                for g in events
            )
        )
    ]
    return max(changes, key=_BY_AT) if changes else None


def _withdrawal_windows(ctx: FactContext) -> list[tuple[datetime, datetime | None]]:
    """Each time the family changed their mind (a withdrawal, or a refusal by someone who had
    given consent), until that person's next consent given (``None``: not given since)."""
    windows: list[tuple[datetime, datetime | None]] = []
    by_person: dict[str, list[ConsentEvent]] = {}
    for event in _consent_events(ctx):
        by_person.setdefault(event.person or event.by or "unnamed", []).append(event)
    for events in by_person.values():
        given_before = False
        for index, event in enumerate(events):
            if event.event == "given":
                given_before = True
            elif event.event == "withdrawn" or (event.event == "declined" and given_before):
                later = (e.at for e in events[index + 1 :] if e.event == "given")
                windows.append((event.at, next(later, None)))
    return windows


def _activity_after_withdrawal(ctx: FactContext) -> datetime | None:
    """The first visit or conversation with another professional, not part of s47 enquiries,
    recorded while the family's agreement was withdrawn: after a change of mind and before
    that person's next consent (review fixes, issue 10: a later consent does not erase it)."""
    windows = _withdrawal_windows(ctx)
    if not windows:
        return None
    records: list[Visit | ProfessionalConversation] = [
        *_episode_visits(ctx),
        *(c for c in ctx.case.professional_conversations if c.at <= ctx.cutoff),
    ]
    moments = [
        r.at
        for r in records
        if not r.s47_enquiry
        and any(r.at > start and (end is None or r.at < end) for start, end in windows)
    ]
    return min(moments, default=None)


# --- the registry ------------------------------------------------------------------------

_RESPONSES = (
    "threshold_not_met",
    "early_help",
    "information_and_advice",
    "strategy_discussion",
    "assessment",
    "further_enquiries",
)


def _case_fact(
    name: str,
    kind: str,
    description: str,
    extract: Extractor,
    values: tuple[str, ...] | None = None,
) -> FactSpec:
    return FactSpec(name, kind, description, values, None, extract)


def _item_fact(
    scope: str,
    name: str,
    kind: str,
    description: str,
    extract: ItemExtractor,
    values: tuple[str, ...] | None = None,
) -> FactSpec:
    return FactSpec(name, kind, description, values, scope, None, extract)


def _field(attribute: str, *, moment: bool = False) -> ItemExtractor:
    if not moment:
        read = attrgetter(attribute)
        return lambda ctx, item: read(item)

    def extract(ctx: FactContext, item: Any) -> Any:
        at = getattr(item, attribute)
        return None if at is None or at > ctx.cutoff else at

    return extract


def _consent_not_given(ctx: FactContext) -> Any:
    """The moment the consent branch starts from when consent is not given (review, issue 10)."""
    branch = _consent_branch(ctx)
    if branch == "declined":
        return _moment(_latest_consent(ctx, "declined"))
    if branch in ("withdrawn_before_visit", "withdrawn_after_visit"):
        return _moment(_latest_consent(ctx, "withdrawn"))
    return None


def _first_by_manager(kind: str) -> Extractor:
    """The first oversight of ``kind`` recorded by a team manager or above (kent, issue 10)."""

    def extract(ctx: FactContext) -> Any:
        records = _by_kind(ctx, "oversight").get(kind)
        if not records:
            return None
        floor = ctx.role_rank("team_manager")
        moments = [r.at for r in records if ctx.role_rank(r.by) >= floor]
        return min(moments) if moments else None

    return extract


def _latest_rescheduled_date(ctx: FactContext) -> date | None:
    """The new date of the latest child_seen_delay record that sets one (bucks review, issue
    10): a later note without a date does not erase the date a manager set."""
    records = [
        r
        for r in _by_kind(ctx, "oversight").get("child_seen_delay", ())
        if r.rescheduled_date is not None
    ]
    if not records:
        return None
    found: date | None = max(records, key=_BY_AT).rescheduled_date
    return found


_OUTCOMES_TOLD = ("outcome_to_family", "outcome_to_referrer", "outcome_to_agencies")


def _outcome_communicated(ctx: FactContext) -> datetime | None:
    """The first outcome of this referral's episode told to anyone (bucks review, issue 10)."""
    received = ctx.case.referral.received_at
    index = _by_kind(ctx, "actions")
    moments = [a.at for kind in _OUTCOMES_TOLD for a in index.get(kind, ()) if received <= a.at]
    return min(moments) if moments else None


def _age_at_previous_assessment(ctx: FactContext) -> int | None:
    """Age on the latest previous assessment's authorisation (bucks review, issue 10)."""
    on = _latest_previous_assessment(ctx)
    birth = ctx.case.child.date_of_birth
    if on is None or birth is None:
        return None
    return 0 if birth > on else age_in_years(birth, on)


# --- bucks review 2 (issue 10)


def _start_of_day(moment: datetime | None) -> datetime | None:
    """The start of ``moment``'s London date (bucks review 2, issue 10)."""
    if moment is None:
        return None
    day = moment.astimezone(LONDON).date()
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def _bucks_review_2_specs() -> list[FactSpec]:
    """Facts added by the second Buckinghamshire review (issue 10)."""
    c = _case_fact
    return [
        c(
            "consent.given_in_writing",
            "moment",
            "the first consent given in writing, to the assessment (an event given, written: "
            "true, not about information sharing), by anyone (Bucks 2.10a)",
            lambda ctx: min(
                (
                    e.at
                    for e in _consent_events(ctx)
                    if e.event == "given" and e.written is True and e.about != "information_sharing"
                ),
                default=None,
            ),
        ),
        c(
            "assessment.allocated_on",
            "moment",
            "the start (00:00, London) of the date the assessment was allocated: a record made "
            "on the allocation date, before or after the allocation, counts (Bucks 2.14a)",
            lambda ctx: (
                _start_of_day(ctx.seen(ctx.case.assessment.allocated_at))
                if ctx.case.assessment is not None
                else None
            ),
        ),
        c(
            "child.born",
            "moment",
            "the start (00:00, London) of the child's date of birth, once it has passed "
            "(unknown for an unborn child, or when no date of birth is recorded) (Bucks 2.11, "
            "2.14b: pre-birth assessments)",
            _born,
        ),
    ]


def _born(ctx: FactContext) -> datetime | None:
    """The start of the child's date of birth, if it is on or before the evaluation date."""
    birth = ctx.case.child.date_of_birth
    if birth is None or birth > ctx.as_of:
        return None
    return datetime(birth.year, birth.month, birth.day, tzinfo=LONDON)


def _specs() -> list[FactSpec]:
    c = _case_fact
    r = ROLES
    specs = [
        c(
            "as_of",
            "moment",
            "the evaluation moment (the end of the evaluation date)",
            lambda ctx: ctx.cutoff,
        ),
        # referral and decision
        c(
            "referral.received",
            "moment",
            "when the referral was received (CINreferralDate)",
            attrgetter("case.referral.received_at"),
        ),
        c(
            "referral.route",
            "str",
            "office_hours or out_of_hours (ESWT)",
            attrgetter("case.referral.route"),
            ("office_hours", "out_of_hours"),
        ),
        c(
            "referral.referrer_kind",
            "str",
            "who referred",
            attrgetter("case.referral.referrer_kind"),
            ("professional", "member_of_public", "family", "self"),
        ),
        c(
            "referral.referrer_anonymous",
            "bool",
            "the referrer asked to stay anonymous (only a member of the public may)",
            attrgetter("case.referral.referrer_anonymous"),
        ),
        c(
            "decision.made",
            "moment",
            "when the decision on the type of response was made",
            _seen_moment("decision", "made_at"),
        ),
        c(
            "decision.made_by",
            "role",
            "who made the decision on the response",
            _seen_field("decision", "made_by", "made_at"),
            r,
        ),
        c(
            "decision.response",
            "str",
            "the response decided",
            _seen_field("decision", "response", "made_at"),
            _RESPONSES,
        ),
        c(
            "decision.final_made",
            "moment",
            "the final decision after MASH enquiries",
            _seen_moment("decision", "final_made_at"),
        ),
        c(
            "decision.final_response",
            "str",
            "the final response after MASH enquiries",
            _seen_field("decision", "final_response", "final_made_at"),
            _RESPONSES[:-1],
        ),
        c(
            "decision.assessment_decided",
            "moment",
            "when the referral was sent for an assessment: the decision, if its response was "
            "assessment, or else the final decision after MASH enquiries, if that was",
            _assessment_decided,
        ),
        # child
        c("child.age", "int", "age in whole years at the evaluation date", _child_age),
        c(
            "child.unborn",
            "bool",
            "the child is not yet born (expected birth date only)",
            _child_unborn,
        ),
        c(
            "child.disabled",
            "bool",
            "the child has a disability",
            attrgetter("case.child.disabled"),
        ),
        c(
            "child.resides_in_area",
            "bool",
            "ordinarily resident in the authority's area",
            attrgetter("case.child.resides_in_area"),
        ),
        c(
            "child.other_authority_responsible",
            "bool",
            "looked after by, or on a plan of, another local authority",
            attrgetter("case.child.other_authority_responsible"),
        ),
        c(
            "child.died",
            "bool",
            "the child has died (by the evaluation date)",
            lambda ctx: ctx.case.child.died_on is not None and ctx.case.child.died_on <= ctx.as_of,
        ),
        c(
            "child.pregnancy_ended",
            "str",
            "how a pregnancy ended, if it did",
            attrgetter("case.child.pregnancy_ended"),
            ("termination", "miscarriage", "still_birth"),
        ),
        c(
            "child.first_seen",
            "moment",
            "the first visit at which the child was seen",
            lambda ctx: _first_visit(ctx, child_seen=True),
        ),
        c(
            "child.seen",
            "bool",
            "the child has been seen",
            lambda ctx: ctx.get("child.first_seen") is not None,
        ),
        c(
            "visit.first",
            "moment",
            "the first visit to the family",
            lambda ctx: _first_visit(ctx, child_seen=False),
        ),
        c(
            "visit.any",
            "bool",
            "the family has been visited",
            lambda ctx: ctx.get("visit.first") is not None,
        ),
        # concerns
        c(
            "concerns.significant_harm_suspected",
            "bool",
            "reasonable cause to suspect significant harm",
            attrgetter("case.concerns.significant_harm_suspected"),
        ),
        c(
            "concerns.level4_indicators",
            "bool",
            "Level 4 indicators identified",
            lambda ctx: ctx.case.concerns.level4_indicators,
        ),
        c(
            "concerns.referral_malicious",
            "bool",
            "the referral is shown to be malicious",
            attrgetter("case.concerns.referral_malicious"),
        ),
        c(
            "concerns.new_risks",
            "bool",
            "new risks since the most recent plan",
            attrgetter("case.concerns.new_risks"),
        ),
        c(
            "concerns.circumstances_unchanged",
            "bool",
            "no significant change since the most recent assessment",
            attrgetter("case.concerns.circumstances_unchanged"),
        ),
        c(
            "concerns.threshold_met",
            "bool",
            "the threshold for an assessment is met",
            attrgetter("case.concerns.threshold_met"),
        ),
        c(
            "concerns.case_open",
            "bool",
            "the family has an open case",
            attrgetter("case.concerns.case_open"),
        ),
        c(
            "concerns.previous_involvement_closed_on",
            "date",
            "when a previous involvement closed",
            attrgetter("case.concerns.previous_involvement_closed_on"),
        ),
        # consent
        c(
            "consent.status",
            "str",
            "the consent position: declined or withdrawn while anyone's latest position is",
            _consent_status,
            ("none", "sought", "given", "declined", "withdrawn", "overridden"),
        ),
        c(
            "consent.branch",
            "str",
            "the consent branch: withdrawals split by whether a visit came first",
            _consent_branch,
            (
                "none",
                "sought",
                "given",
                "declined",
                "withdrawn_before_visit",
                "withdrawn_after_visit",
                "overridden",
            ),
        ),
        c(
            "consent.ever_given",
            "bool",
            "consent was given at some point",
            lambda ctx: any(e.event == "given" for e in _consent_events(ctx)),
        ),
        c(
            "consent.given",
            "moment",
            "when consent was (last) given",
            lambda ctx: _moment(_latest_consent(ctx, "given")),
        ),
        c(
            "consent.declined",
            "moment",
            "when consent was (last) declined",
            lambda ctx: _moment(_latest_consent(ctx, "declined")),
        ),
        c(
            "consent.withdrawn",
            "moment",
            "when consent was (last) withdrawn",
            lambda ctx: _moment(_latest_consent(ctx, "withdrawn")),
        ),
        c(
            "consent.not_given",
            "moment",
            "when consent was not given, as the consent branch counts it: the latest decline in "
            "the declined branch, the latest withdrawal in a withdrawn branch (unknown in any "
            "other branch)",
            _consent_not_given,
        ),
        c(
            "consent.overridden",
            "moment",
            "when consent was (last) overridden",
            lambda ctx: _moment(_latest_consent(ctx, "overridden")),
        ),
        c(
            "consent.overridden_by",
            "role",
            "who overrode consent",
            lambda ctx: _attr(_latest_consent(ctx, "overridden"), "overridden_by"),
            r,
        ),
        c(
            "consent.override_reasons_recorded",
            "bool",
            "the override's reasons are recorded",
            lambda ctx: _attr(_latest_consent(ctx, "overridden"), "reasons_recorded"),
        ),
        c(
            "consent.override_shared_with_partners",
            "bool",
            "the override's reasons are shared with partner agencies",
            lambda ctx: _attr(_latest_consent(ctx, "overridden"), "shared_with_partners"),
        ),
        c(
            "consent.young_person_declined",
            "bool",
            "a young person's latest position is that they decline or withdraw consent",
            lambda ctx: any(
                e.by == "young_person" and e.event != "given" for e in _positions(ctx).values()
            ),
        ),
        c(
            "consent.sought_from_child",
            "moment",
            "the first consent event involving the child or young person themselves",
            lambda ctx: min(
                (e.at for e in _consent_events(ctx) if e.by in {"child", "young_person"}),
                default=None,
            ),
        ),
        c(
            "child.competent_to_consent",
            "bool",
            "the child is age-appropriate and competent to consent",
            attrgetter("case.child.competent_to_consent"),
        ),
        c(
            "child.non_resident_parent",
            "bool",
            "a parent lives elsewhere",
            attrgetter("case.child.non_resident_parent"),
        ),
        c(
            "child.looked_after",
            "bool",
            "looked after by this authority",
            attrgetter("case.child.looked_after"),
        ),
        c(
            "concerns.plan_adhered_to",
            "bool",
            "the most recent plan is adhered to",
            attrgetter("case.concerns.plan_adhered_to"),
        ),
        c(
            "case.closed",
            "moment",
            "when the child's record was closed (CINclosureDate)",
            _seen_moment("closure", "closed_at"),
        ),
        c(
            "consent.written",
            "bool",
            "the latest consent given was in writing",
            lambda ctx: _attr(_latest_consent(ctx, "given"), "written"),
        ),
        c(
            "consent.obtained_by",
            "str",
            "who obtained the latest consent given",
            lambda ctx: _attr(_latest_consent(ctx, "given"), "obtained_by"),
            ("front_door", "mash", "social_worker"),
        ),
        # strategy discussions, s47, ICPC, emergency action
        c(
            "strategy_discussion.any",
            "bool",
            "a strategy discussion has been held",
            lambda ctx: bool(_discussions(ctx)),
        ),
        c(
            "strategy_discussion.first",
            "moment",
            "the first strategy discussion",
            lambda ctx: min((d.held_at for d in _discussions(ctx)), default=None),
        ),
        c(
            "strategy_discussion.latest",
            "moment",
            "the latest strategy discussion",
            lambda ctx: max((d.held_at for d in _discussions(ctx)), default=None),
        ),
        c(
            "strategy_discussion.concluded",
            "bool",
            "a strategy discussion has concluded",
            lambda ctx: any(d.concluded for d in _discussions(ctx)),
        ),
        c(
            "strategy_discussion.s47_ruled_out",
            "bool",
            "the latest concluded strategy discussion found the s47 threshold not met",
            _s47_ruled_out,
        ),
        c(
            "strategy_discussion.s47_initiating",
            "moment",
            "the strategy discussion at which s47 enquiries were initiated (S47ActualStartDate)",
            _s47_discussion,
        ),
        c(
            "strategy_discussion.outcome",
            "str",
            "the latest strategy discussion's outcome",
            lambda ctx: _discussions(ctx)[-1].outcome if _discussions(ctx) else None,
            ("s47_threshold_met", "s47_threshold_not_met", "no_further_action"),
        ),
        c(
            "initial_conference.held",
            "moment",
            "when the ICPC was held (DateOfInitialCPC)",
            _seen_moment("initial_conference", "held_at"),
        ),
        c(
            "initial_conference.not_required",
            "bool",
            "the ICPC was deemed unnecessary",
            lambda ctx: (
                ctx.case.initial_conference.not_required if ctx.case.initial_conference else False
            ),
        ),
        c(
            "emergency_action.taken",
            "moment",
            "the latest emergency action",
            _emergency_taken,
        ),
        # assessment
        c(
            "assessment.exists",
            "bool",
            "an assessment is recorded",
            lambda ctx: ctx.case.assessment is not None,
        ),
        c(
            "assessment.trigger",
            "str",
            "what opened the assessment",
            _assessment("trigger"),
            ("referral", "s47", "automatic"),
        ),
        c(
            "assessment.allocated",
            "moment",
            "when the assessment was allocated",
            _assessment("allocated_at", moment=True),
        ),
        c(
            "assessment.allocated_team",
            "str",
            "the team the assessment went to",
            _assessment("allocated_team"),
            (
                "assessment_team",
                "help_and_protection",
                "cp_and_court",
                "children_with_disabilities",
                "other",
            ),
        ),
        c(
            "assessment.pre_birth_tier4",
            "bool",
            "a pre-birth assessment meeting Tier 4",
            _assessment("pre_birth_tier4"),
        ),
        c(
            "assessment.started",
            "moment",
            "when the assessment started (AssessmentActualStartDate)",
            _assessment("started_at", moment=True),
        ),
        c(
            "assessment.timescale_set",
            "moment",
            "when a completion timescale was set",
            _assessment("timescale_set_at", moment=True),
        ),
        c(
            "assessment.completed",
            "moment",
            "when the assessment was submitted as complete",
            _assessment("completed_at", moment=True),
        ),
        c(
            "assessment.authorised",
            "moment",
            "when the assessment was authorised (AssessmentAuthorisationDate)",
            _assessment("authorised_at", moment=True),
        ),
        c(
            "assessment.authorised_by",
            "role",
            "who authorised the assessment",
            _seen_field("assessment", "authorised_by", "authorised_at"),
            r,
        ),
        c(
            "assessment.status",
            "str",
            "the assessment's status as of the evaluation date",
            _assessment_status,
            ("not_started", "in_progress", "completed", "partially_complete", "cancelled"),
        ),
        c(
            "assessment.outcome",
            "str",
            "the assessment's outcome",
            _assessment("outcome"),
            ("no_further_action", "continued_involvement", "early_help"),
        ),
        c(
            "assessment.latest_authorised",
            "date",
            "the latest authorisation of this or a previous assessment",
            _latest_authorised,
        ),
        c(
            "previous_assessment.latest",
            "date",
            "when the latest previous assessment was authorised",
            _latest_previous_assessment,
        ),
        c(
            "previous_assessment.any",
            "bool",
            "a previous assessment is recorded",
            lambda ctx: ctx.get("previous_assessment.latest") is not None,
        ),
        # latest cancellation request (case level)
        c(
            "cancellation.requested",
            "bool",
            "a cancellation has been requested",
            lambda ctx: _latest_cancellation(ctx) is not None,
        ),
        c(
            "cancellation.approved",
            "bool",
            "a request to cancel the assessment (action cancel_assessment) has been approved; "
            "an approved request for another action (sharing, stepping across, ...) is not a "
            "cancellation",
            _assessment_cancelled,
        ),
        # --- actions (issue 6)
        c(
            "close_referral.approved",
            "moment",
            "the decision of the first approved request to close the referral (action "
            "close_referral; SA-MASH-1)",
            _approved_request("close_referral"),
        ),
        c(
            "step_across.approved",
            "moment",
            "the decision of the first approved request to step the child across to Early Help "
            "(action step_across_to_early_help; KENT-EH-1)",
            _approved_request("step_across_to_early_help"),
        ),
        c(
            "step_across.approved_by",
            "role",
            "who decided the first approved request to step the child across to Early Help",
            _approved_request_by("step_across_to_early_help"),
            r,
        ),
        c(
            "front_door_decision.overturned",
            "moment",
            "when a Front Door decision was first overturned: an oversight of kind "
            "front_door_decision_overturned, or the decision of an approved request to "
            "overturn it (action overturn_front_door_decision; AI-DISPUTE-1)",
            _front_door_overturned,
        ),
        *_assessment_cancellation_specs(),
        # --- ai (issue 10)
        c(
            "assessment.completion_due_on",
            "date",
            "the completion date the team manager set, as last reviewed (known once set)",
            _completion_due_on,
        ),
        # --- kent (issue 10)
        c(
            "initial_conference.convened",
            "moment",
            "when the ICPC was convened (arranged), whether or not it has been held",
            _seen_moment("initial_conference", "convened_at"),
        ),
        c(
            "oversight.exceptional_circumstances.first_by_manager",
            "moment",
            "the first management-oversight note of exceptional circumstances recorded by a "
            "team manager or above",
            _first_by_manager("exceptional_circumstances"),
        ),
        c(
            "oversight.line_management_discussion.first_by_manager",
            "moment",
            "the first management-oversight record of a line-management discussion made by a "
            "team manager or above",
            _first_by_manager("line_management_discussion"),
        ),
        c(
            "oversight.non_resident_parent_rationale.first_by_manager",
            "moment",
            "the first rationale for not contacting a non-resident parent recorded by a team "
            "manager or above",
            _first_by_manager("non_resident_parent_rationale"),
        ),
        # --- bucks-a (issue 10)
        c(
            "concerns.previous_involvement_met_threshold",
            "bool",
            "the previous involvement was assessed to meet Threshold for intervention",
            attrgetter("case.concerns.previous_involvement_met_threshold"),
        ),
        c(
            "consent.override_risk_of_harm_recorded",
            "bool",
            "the latest override records that the refusal would place the child at risk of harm",
            lambda ctx: _attr(_latest_consent(ctx, "overridden"), "risk_of_harm_recorded"),
        ),
        c(
            "consent.sharing_refused_before_override",
            "bool",
            "consent to share information was declined or withdrawn before the latest override "
            "(unknown when an earlier refusal does not say what it refused)",
            _sharing_refused_before_override,
        ),
        # --- bucks consent override as an action (issue 6)
        c(
            "consent.sharing_refused",
            "bool",
            "someone's latest position on sharing information is a refusal: their latest "
            "consent event about information sharing (or not saying what it is about) declines "
            "or withdraws it (unknown when only an event that does not say what it is about "
            "leaves the answer open) (Bucks 2.10)",
            _sharing_refused,
        ),
        c(
            "consent_override.approved",
            "moment",
            "the decision of the first approved request to override consent (action "
            "override_consent; BUCKS-2.10b)",
            _approved_request("override_consent"),
        ),
        c(
            "oversight.child_seen_delay.rescheduled_date",
            "date",
            "the new date set for seeing the child at the latest child_seen_delay discussion "
            "that sets one",
            _latest_rescheduled_date,
        ),
        c(
            "visit.adults_seen_before_mid_point_review",
            "bool",
            "the adults in the family were seen at a visit of this episode on or before the "
            "first mid-point review (unknown when a visit does not say)",
            _adults_seen_before_mid_point_review,
        ),
        c(
            "child.age_at_latest_authorised",
            "int",
            "age in whole years on the date of the latest authorised assessment (0 if not yet "
            "born on that date)",
            _age_at_latest_authorised,
        ),
        # --- bucks-b (issue 10)
        # the latest emergency action (HIPS Immediate protection, Multi-agency working)
        c(
            "emergency_action.agency",
            "str",
            "the agency that took the latest emergency action",
            _emergency("agency"),
            ("local_authority", "police", "nspcc"),
        ),
        c(
            "emergency_action.planned",
            "bool",
            "the latest emergency action was planned (not a single agency acting immediately)",
            _emergency("planned"),
        ),
        c(
            "emergency_action.removal_from_home",
            "bool",
            "the latest emergency action removed the child from home",
            _emergency("removal_from_home"),
        ),
        c(
            "emergency_action.epo_applied",
            "moment",
            "when an Emergency Protection Order was applied for in the latest emergency action",
            _emergency("epo_applied_at", moment=True),
        ),
        c(
            "emergency_action.immediate_risk_recorded",
            "bool",
            "recorded that the child's safety was otherwise at immediate risk",
            _emergency("immediate_risk_recorded"),
        ),
        c(
            "emergency_action.legal_action",
            "moment",
            "when legal action (an EPO application or other) was first initiated in the latest "
            "emergency action",
            _emergency_legal_action,
        ),
        c(
            "emergency_action.legal_advice",
            "moment",
            "when legal advice was obtained for the latest emergency action",
            _emergency("legal_advice_at", moment=True),
        ),
        c(
            "emergency_action.child_seen",
            "moment",
            "when a practitioner of the agency taking the latest emergency action saw the child",
            _emergency("child_seen_at", moment=True),
        ),
        # siblings (HIPS Focusing on the needs and views of the child; Bucks 7.2.2)
        c(
            "siblings.any",
            "bool",
            "the case lists brothers or sisters of the child",
            lambda ctx: bool(ctx.case.siblings),
        ),
        c(
            "siblings.referral_accepted",
            "bool",
            "a listed sibling's own referral has been accepted (unknown if not recorded for one)",
            _siblings_referral_accepted,
        ),
        c(
            "siblings.needs_assessed",
            "moment",
            "when the last sibling whose referral was accepted had their own needs assessed "
            "(none while any is outstanding)",
            _siblings_needs_assessed,
        ),
        c(
            "siblings.same_worker",
            "bool",
            "every listed sibling is allocated to the worker of the child's assessment "
            "(false if one has another; unknown while a worker is not recorded)",
            _siblings_same_worker,
        ),
        # the child, concerns and information sharing (Bucks 4.2, 4.3, 7.2.2, 7.3.1, 7.5.1)
        c(
            "child.agencies_involved",
            "bool",
            "other agencies are known to be involved with the child and family",
            attrgetter("case.child.agencies_involved"),
        ),
        c(
            "child.remand",
            "str",
            "the remand the YOS told Children's Services of",
            lambda ctx: (
                ctx.case.child.remand if ctx.seen(ctx.case.child.remand_notified_at) else None
            ),
            ("local_authority_accommodation", "youth_detention_accommodation"),
        ),
        c(
            "child.remand_notified",
            "moment",
            "when the YOS told Children's Services of the remand",
            lambda ctx: ctx.seen(ctx.case.child.remand_notified_at),
        ),
        c(
            "concerns.presenting_concern",
            "str",
            "the presenting concern (CIN census primary need; 'disability' is N2)",
            attrgetter("case.concerns.presenting_concern"),
            PRESENTING_CONCERNS,
        ),
        c(
            "concerns.cwd_threshold_met",
            "bool",
            "a recorded decision that the child meets the Children with Disabilities threshold",
            attrgetter("case.concerns.cwd_threshold_met"),
        ),
        c(
            "concerns.fabricated_or_induced_illness",
            "bool",
            "concerns that the child may have been subject to fabricated or induced illness",
            attrgetter("case.concerns.fabricated_or_induced_illness"),
        ),
        c(
            "information_sharing.requested_without_consent",
            "moment",
            "when information sharing without consent was first requested (a sharing with no "
            "request recorded counts as its own request)",
            lambda ctx: min(
                (
                    a.at
                    for kind in (
                        "information_sharing_requested_without_consent",
                        "information_shared_without_consent",
                    )
                    for a in _by_kind(ctx, "actions").get(kind, ())
                ),
                default=None,
            ),
        ),
        # --- sa (issue 10)
        c(
            "assessment.family_disagreed",
            "moment",
            "when the family said they disagree with the assessment",
            _assessment("family_disagreed_at", moment=True),
        ),
        c(
            "professional_conversation.without_family_agreement",
            "bool",
            "a conversation with another professional, as part of the assessment rather than "
            "of s47 enquiries, was held without the family's agreement (unknown if any such "
            "conversation does not record whether the family agreed)",
            _conversation_without_agreement,
        ),
        c(
            "consent.sought",
            "moment",
            "when consent was (last) sought",
            lambda ctx: _moment(_latest_consent(ctx, "sought")),
        ),
        c(
            "consent.changed_mind",
            "moment",
            "when the family last changed their mind: a withdrawal of consent, or a refusal "
            "by someone who had given consent, that is still that person's latest position",
            lambda ctx: _moment(_changed_mind(ctx)),
        ),
        c(
            "assessment.activity_after_withdrawal",
            "moment",
            "the first visit or conversation with another professional, not part of s47 "
            "enquiries, while the family's agreement was withdrawn: after a withdrawal (or a "
            "refusal by someone who had consented) and before that person next consented",
            _activity_after_withdrawal,
        ),
        # --- bucks review (issue 10)
        c(
            "oversight.child_seen_delay.first_by_manager",
            "moment",
            "the first discussion of a delay in seeing the child recorded by a team manager or "
            "above (Bucks 2.11b)",
            _first_by_manager("child_seen_delay"),
        ),
        c(
            "oversight.mid_point_review.first_by_manager",
            "moment",
            "the first mid-point review recorded by a team manager or above (Bucks 2.14b)",
            _first_by_manager("mid_point_review"),
        ),
        c(
            "assessment.outcome_communicated",
            "moment",
            "the first outcome_to_family, outcome_to_referrer or outcome_to_agencies action at "
            "or after this referral (an earlier episode's outcome does not count)",
            _outcome_communicated,
        ),
        c(
            "child.age_at_previous_assessment",
            "int",
            "age in whole years on the date the latest previous assessment was authorised (0 if "
            "not yet born on that date)",
            _age_at_previous_assessment,
        ),
        _item_fact(
            "cancellations",
            "cancellation.action",
            "str",
            "this request: the action asked for (cancel_assessment, not_progress_assessment, ...)",
            lambda ctx, q: q.action,
        ),
    ]
    specs += _bucks_review_2_specs()
    specs += _cancellation_specs()
    specs += _item_specs()
    return specs


def kind_specs(oversight_kinds: Iterable[str], action_kinds: Iterable[str]) -> list[FactSpec]:
    """The facts of each oversight kind (``oversight.<kind>``, ``.by``, ``.agrees``) and each
    action kind (``action.<kind>``): those a pack declares (generic_s17 the national ones)."""
    specs: list[FactSpec] = []
    for kind in oversight_kinds:
        specs.append(
            _case_fact(
                f"oversight.{kind}",
                "moment",
                f"the first management oversight of kind {kind}",
                _oversight_first(kind),
            )
        )
        specs.append(
            _case_fact(
                f"oversight.{kind}.by",
                "role",
                f"who recorded the latest oversight of kind {kind}",
                _oversight_latest_field(kind, "by"),
                ROLES,
            )
        )
        specs.append(
            _case_fact(
                f"oversight.{kind}.agrees",
                "bool",
                f"whether the latest oversight of kind {kind} agrees",
                _oversight_latest_field(kind, "agrees"),
            )
        )
    for kind in action_kinds:
        specs.append(
            _case_fact(
                f"action.{kind}", "moment", f"the first action of kind {kind}", _action_first(kind)
            )
        )
    return specs


# --- actions (issue 6)
def _assessment_cancellation_specs() -> list[FactSpec]:
    """``assessment_cancellation.*``: the case-level ``cancellation.*`` facts read from the
    latest request to cancel the assessment (action ``cancel_assessment``) only, so a later
    request for another action (sharing, stepping across, ...) does not move them."""
    out: list[FactSpec] = []
    for suffix, kind, description, extract, values in _cancellation_rows():

        def latest(ctx: FactContext, extract: Any = extract) -> Any:
            request = _latest_assessment_cancellation(ctx)
            return None if request is None else extract(ctx, request)

        out.append(
            _case_fact(
                f"assessment_cancellation.{suffix}",
                kind,
                f"the latest request to cancel the assessment: {description}",
                latest,
                values,
            )
        )
    out.append(
        _case_fact(
            "assessment_cancellation.requested",
            "bool",
            "a request to cancel the assessment has been made",
            lambda ctx: any(q.action == "cancel_assessment" for q in _visible_cancellations(ctx)),
        )
    )
    return out


_CancellationRow = tuple[
    str, str, str, Callable[[FactContext, CancellationRequest], Any], tuple[str, ...] | None
]


def _cancellation_rows() -> list[_CancellationRow]:
    """Each ``cancellation.*`` fact of a request: suffix, type, meaning, extractor, values."""
    return [
        ("reason", "str", "the reason id given", lambda ctx, q: q.reason, None),
        (
            "has_free_text",
            "bool",
            "free text was given with the reason",
            lambda ctx, q: bool(q.free_text and q.free_text.strip()),
            None,
        ),
        (
            "line_management_discussed",
            "bool",
            "discussed through line management",
            lambda ctx, q: q.line_management_discussed,
            None,
        ),
        (
            "recommended",
            "moment",
            "when it was recommended",
            lambda ctx, q: ctx.seen(q.recommended_at),
            None,
        ),
        (
            "recommended_by",
            "role",
            "who recommended it",
            lambda ctx, q: q.recommended_by if ctx.seen(q.recommended_at) else None,
            ROLES,
        ),
        (
            "reassigned",
            "moment",
            "when it was passed to the decider",
            lambda ctx, q: ctx.seen(q.reassigned_at),
            None,
        ),
        ("decided", "moment", "when it was decided", lambda ctx, q: ctx.seen(q.decided_at), None),
        (
            "reassigned_or_decided",
            "moment",
            "when it was passed to the decider: the reassignment, or the decision itself when "
            "no reassignment is recorded",
            lambda ctx, q: ctx.seen(q.reassigned_at) or ctx.seen(q.decided_at),
            None,
        ),
        (
            "decided_by",
            "role",
            "who decided it",
            lambda ctx, q: q.decided_by if ctx.seen(q.decided_at) else None,
            ROLES,
        ),
        (
            "outcome",
            "str",
            "pending, approved or refused as of the evaluation date",
            _cancellation_outcome,
            ("pending", "approved", "refused"),
        ),
    ]


def _cancellation_specs() -> list[FactSpec]:
    """``cancellation.*``: at case level the latest request; in ``for_each`` the item."""
    out: list[FactSpec] = []
    for suffix, kind, description, extract, values in _cancellation_rows():
        name = f"cancellation.{suffix}"
        out.append(
            _item_fact("cancellations", name, kind, f"this request: {description}", extract, values)
        )

        def latest(ctx: FactContext, extract: Any = extract) -> Any:
            request = _latest_cancellation(ctx)
            return None if request is None else extract(ctx, request)

        out.append(_case_fact(name, kind, f"the latest request: {description}", latest, values))
    return out


def _item_specs() -> list[FactSpec]:
    i = _item_fact
    return [
        i(
            "strategy_discussions",
            "strategy_discussion.held",
            "moment",
            "when this strategy discussion was held",
            _field("held_at", moment=True),
        ),
        i(
            "strategy_discussions",
            "strategy_discussion.record_shared",
            "moment",
            "when its record was shared with the participating agencies",
            _field("record_shared_at", moment=True),
        ),
        i(
            "strategy_discussions",
            "strategy_discussion.initiated_s47",
            "bool",
            "s47 enquiries were initiated at it (or its outcome was s47 threshold met)",
            lambda ctx, item: _initiated_s47(item),
        ),
        i(
            "complaints",
            "complaint.received",
            "moment",
            "when the complaint was received",
            _field("received_at", moment=True),
        ),
        i(
            "complaints",
            "complaint.responded",
            "moment",
            "when it was responded to",
            _field("responded_at", moment=True),
        ),
        i(
            "returns_home",
            "return_home.at",
            "moment",
            "when the child returned home",
            _field("at", moment=True),
        ),
        i(
            "returns_home",
            "return_home.circumstance",
            "str",
            "the legal circumstance",
            _field("circumstance"),
            ("police_protection", "section_20_withdrawn", "care_order", "section_20"),
        ),
        i(
            "returns_home",
            "return_home.consented_by",
            "role",
            "who consented",
            _field("consented_by"),
            ROLES,
        ),
        # --- bucks-b (issue 10): Bucks 6.2, 8.1, 8.5
        i(
            "strategy_discussions",
            "strategy_discussion.chaired_by",
            "role",
            "who chaired this strategy discussion",
            _field("chaired_by"),
            ROLES,
        ),
        i(
            "returns_home",
            "return_home.appropriateness_assessed",
            "moment",
            "when the assessment of the appropriateness of this return was recorded",
            _field("appropriateness_assessed_at", moment=True),
        ),
        i(
            "returns_home",
            "return_home.planned",
            "bool",
            "this return home was planned",
            _field("planned"),
        ),
        i(
            "returns_home",
            "return_home.looked_after_review",
            "moment",
            "the looked-after review (or urgent review) that agreed the plan and its timing",
            _field("looked_after_review_at", moment=True),
        ),
        i(
            "returns_home",
            "return_home.next_review_due",
            "date",
            "the next looked-after review as scheduled when the return was planned",
            _field("next_review_due_on"),
        ),
        # review fixes (issue 10): each emergency action judged on its own (HIPS)
        i(
            "emergency_actions",
            "emergency_action.taken",
            "moment",
            "when this emergency action was taken",
            _field("taken_at", moment=True),
        ),
        i(
            "emergency_actions",
            "emergency_action.agency",
            "str",
            "the agency that took this emergency action",
            _field("agency"),
            ("local_authority", "police", "nspcc"),
        ),
        i(
            "emergency_actions",
            "emergency_action.planned",
            "bool",
            "this emergency action was planned (false: a single agency acting immediately)",
            _field("planned"),
        ),
        i(
            "emergency_actions",
            "emergency_action.removal_from_home",
            "bool",
            "this emergency action removed the child from home",
            _field("removal_from_home"),
        ),
        i(
            "emergency_actions",
            "emergency_action.epo_applied",
            "moment",
            "when an Emergency Protection Order was applied for in this emergency action",
            _field("epo_applied_at", moment=True),
        ),
        i(
            "emergency_actions",
            "emergency_action.immediate_risk_recorded",
            "bool",
            "recorded, for this action, that the child's safety was otherwise at immediate risk",
            _field("immediate_risk_recorded"),
        ),
        i(
            "emergency_actions",
            "emergency_action.legal_action",
            "moment",
            "when legal action (an EPO application or other) was first initiated in this "
            "emergency action",
            _item_legal_action,
        ),
        i(
            "emergency_actions",
            "emergency_action.legal_advice",
            "moment",
            "when legal advice was obtained for this emergency action",
            _field("legal_advice_at", moment=True),
        ),
        i(
            "emergency_actions",
            "emergency_action.child_seen",
            "moment",
            "when a practitioner of the agency taking this emergency action saw the child",
            _field("child_seen_at", moment=True),
        ),
    ]


def _emergency_taken(ctx: FactContext) -> datetime | None:
    """The latest emergency action seen by the evaluation moment."""
    actions = ctx.case.emergency_actions
    if not actions:
        return None
    cutoff = ctx.cutoff
    return max((e.taken_at for e in actions if e.taken_at <= cutoff), default=None)


def _assessment_cancelled(ctx: FactContext) -> bool:
    """A request to cancel the assessment has been approved (as of the evaluation moment)."""
    visible = _visible_cancellations(ctx)
    return bool(visible) and any(
        q.action == "cancel_assessment" and _cancellation_outcome(ctx, q) == "approved"
        for q in visible
    )


def _latest_assessment_cancellation(ctx: FactContext) -> CancellationRequest | None:
    """The latest request seen to cancel the assessment (kept per context)."""
    found = _peek(ctx, "#assessment_cancellation", _NOTHING)
    if found is _NOTHING:
        requests = [q for q in _visible_cancellations(ctx) if q.action == "cancel_assessment"]
        found = ctx["#assessment_cancellation"] = requests[-1] if requests else None
    request: CancellationRequest | None = found
    return request


def _item_legal_action(ctx: FactContext, action: Any) -> datetime | None:
    moments = [ctx.seen(m) for m in (action.legal_action_at, action.epo_applied_at)]
    return min((m for m in moments if m is not None), default=None)


def _moment(event: ConsentEvent | None) -> datetime | None:
    return None if event is None else event.at


def _attr(event: ConsentEvent | None, attribute: str) -> Any:
    return None if event is None else getattr(event, attribute)


def _sharing_refused_before_override(ctx: FactContext) -> bool | None:
    override = _latest_consent(ctx, "overridden")
    if override is None:
        return None
    refusals = [
        e
        for e in _consent_events(ctx)
        if e.event in {"declined", "withdrawn"} and e.at <= override.at
    ]
    if any(e.about == "information_sharing" for e in refusals):
        return True
    if any(e.about is None for e in refusals):
        return None
    return False


def _sharing_refused(ctx: FactContext) -> bool | None:
    """Whether someone's latest position on sharing information is a refusal. Events about
    the assessment are out of scope; an event that does not say what it is about may be
    either, so where it decides a person's position the answer is unknown."""
    latest: dict[str, ConsentEvent] = {}
    refused_sharing: set[str] = set()
    for e in _consent_events(ctx):
        if e.event in _POSITIONS and e.about != "assessment":
            who = e.person or e.by or "unnamed"
            latest[who] = e
            if e.about == "information_sharing" and e.event != "given":
                refused_sharing.add(who)
    answer: bool | None = False
    for who, e in latest.items():
        if e.about == "information_sharing":
            if e.event != "given":
                return True
        elif e.event != "given" or who in refused_sharing:
            answer = None
    return answer


def _adults_seen_before_mid_point_review(ctx: FactContext) -> bool | None:
    review = _oversight_first("mid_point_review")(ctx)
    if review is None:
        return None
    visits = [v for v in _episode_visits(ctx) if v.at <= review]
    if any(v.adults_seen for v in visits):
        return True
    if any(v.adults_seen is None for v in visits):
        return None
    return False


def _age_at_latest_authorised(ctx: FactContext) -> int | None:
    on = _latest_authorised(ctx)
    birth = ctx.case.child.date_of_birth
    if on is None or birth is None:
        return None
    return 0 if birth > on else age_in_years(birth, on)


# --- bucks-b (issue 10): helpers of the emergency-action and sibling facts


def _latest_emergency(ctx: FactContext) -> Any:
    taken = [e for e in ctx.case.emergency_actions if e.taken_at <= ctx.cutoff]
    return max(taken, key=lambda e: e.taken_at) if taken else None


def _emergency(attribute: str, *, moment: bool = False) -> Extractor:
    def extract(ctx: FactContext) -> Any:
        action = _latest_emergency(ctx)
        if action is None:
            return None
        value = getattr(action, attribute)
        return ctx.seen(value) if moment else value

    return extract


def _emergency_legal_action(ctx: FactContext) -> datetime | None:
    action = _latest_emergency(ctx)
    if action is None:
        return None
    moments = [ctx.seen(m) for m in (action.legal_action_at, action.epo_applied_at)]
    return min((m for m in moments if m is not None), default=None)


def _siblings_referral_accepted(ctx: FactContext) -> bool | None:
    flags = [s.referral_accepted for s in ctx.case.siblings]
    if any(flags):
        return True
    return None if None in flags else False


def _siblings_needs_assessed(ctx: FactContext) -> datetime | None:
    accepted = [s for s in ctx.case.siblings if s.referral_accepted]
    moments = [ctx.seen(s.needs_assessed_at) for s in accepted]
    if not accepted or None in moments:
        return None
    return max(m for m in moments if m is not None)


def _siblings_same_worker(ctx: FactContext) -> bool | None:
    assessment = ctx.case.assessment
    worker = assessment.allocated_worker if assessment is not None else None
    others = [s.allocated_worker for s in ctx.case.siblings]
    if worker is not None and any(o is not None and o != worker for o in others):
        return False
    if worker is None or None in others:
        return None
    return True


def collection_items(ctx: FactContext, scope: str) -> list[Any]:
    """The items of collection ``scope`` visible as of the context's moment (kept per
    context: the same list each time)."""
    if scope == "cancellations":
        return _visible_cancellations(ctx)
    if scope == "strategy_discussions":
        return _discussions(ctx)
    key = "#" + scope
    items: list[Any] | None = _peek(ctx, key)
    if items is None:
        cutoff = ctx.cutoff
        if scope == "complaints":
            items = [x for x in ctx.case.complaints if x.received_at <= cutoff]
        elif scope == "returns_home":
            items = [x for x in ctx.case.returns_home if x.at <= cutoff]
        elif scope == "emergency_actions":
            items = [x for x in ctx.case.emergency_actions if x.taken_at <= cutoff]
        else:
            raise KeyError(scope)
        ctx[key] = items
    return items


FACTS = FactRegistry(_specs())

#: The built-in facts that read particular words of a pack's vocabulary, by vocabulary list
#: (``requestable_actions``, ``oversight_kinds``, ``action_kinds``). The words themselves
#: are declared by packs (``generic_s17`` the national ones, a council pack its own); the
#: loader checks that a pack whose rules read one of these facts declares what it reads.
KINDS_READ_BY_FACTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "cancellation.approved": (("requestable_actions", "cancel_assessment"),),
    "assessment_cancellation.requested": (("requestable_actions", "cancel_assessment"),),
    "close_referral.approved": (("requestable_actions", "close_referral"),),
    "step_across.approved": (("requestable_actions", "step_across_to_early_help"),),
    "step_across.approved_by": (("requestable_actions", "step_across_to_early_help"),),
    "consent_override.approved": (("requestable_actions", "override_consent"),),
    "front_door_decision.overturned": (
        ("oversight_kinds", "front_door_decision_overturned"),
        ("requestable_actions", "overturn_front_door_decision"),
    ),
    "oversight.exceptional_circumstances.first_by_manager": (
        ("oversight_kinds", "exceptional_circumstances"),
    ),
    "oversight.line_management_discussion.first_by_manager": (
        ("oversight_kinds", "line_management_discussion"),
    ),
    "oversight.non_resident_parent_rationale.first_by_manager": (
        ("oversight_kinds", "non_resident_parent_rationale"),
    ),
    "oversight.child_seen_delay.rescheduled_date": (("oversight_kinds", "child_seen_delay"),),
    "oversight.child_seen_delay.first_by_manager": (("oversight_kinds", "child_seen_delay"),),
    "oversight.mid_point_review.first_by_manager": (("oversight_kinds", "mid_point_review"),),
    "visit.adults_seen_before_mid_point_review": (("oversight_kinds", "mid_point_review"),),
    "information_sharing.requested_without_consent": (
        ("action_kinds", "information_sharing_requested_without_consent"),
        ("action_kinds", "information_shared_without_consent"),
    ),
    "assessment.outcome_communicated": (
        ("action_kinds", "outcome_to_family"),
        ("action_kinds", "outcome_to_referrer"),
        ("action_kinds", "outcome_to_agencies"),
    ),
}


def kinds_read_by(fact: str) -> tuple[tuple[str, str], ...]:
    """The vocabulary words (list, word) the built-in fact ``fact`` reads; none for most.

    >>> kinds_read_by("close_referral.approved")
    (('requestable_actions', 'close_referral'),)
    >>> kinds_read_by("assessment_cancellation.reason")
    (('requestable_actions', 'cancel_assessment'),)
    """
    if fact.startswith("assessment_cancellation."):
        return (("requestable_actions", "cancel_assessment"),)
    return KINDS_READ_BY_FACTS.get(fact, ())


@functools.cache
def _pack_kind_extractor(name: str) -> Extractor:
    """The extractor of a fact of a record kind a pack declares (``oversight.<kind>``,
    ``oversight.<kind>.by``, ``oversight.<kind>.agrees``, ``action.<kind>``): the loader has
    checked the name against the pack's vocabulary, so only those forms reach here."""
    family, _, rest = name.partition(".")
    kind, _, field_name = rest.partition(".")
    if family == "oversight" and field_name in {"by", "agrees"}:
        return _oversight_latest_field(kind, field_name)
    if family == "oversight" and not field_name:
        return _oversight_first(kind)
    if family == "action" and not field_name:
        return _action_first(kind)
    raise KeyError(f"unknown fact {name!r}")


# Look-up tables for FactContext.get, derived once from the registry (read-only).
_CASE_EXTRACTORS: dict[str, Extractor] = {
    spec.name: spec.extract
    for spec in FACTS.all_specs()
    if spec.scope is None and spec.extract is not None
}
_ITEM_EXTRACTORS: dict[str, dict[str, ItemExtractor]] = {
    scope: {
        spec.name: spec.extract_item
        for spec in FACTS.all_specs()
        if spec.scope == scope and spec.extract_item is not None
    }
    for scope in COLLECTIONS
}
