"""Pack-aware Hypothesis strategies: valid case snapshots that reach a pack's rules.

:func:`cases_for` draws snapshots for one policy:

- the referral on or near a day where counting is easy to get wrong: a bank holiday or a
  closure of the pack's calendar, a clock change, Christmas, or any day of the range;
- the case-level facts the pack's conditions read (``concerns.*``, ``child.*``), each
  unrecorded, or one of the values its type allows;
- events in an order the parser accepts: each after the referral, an assessment
  authorised after it started, a request decided after it was recommended;
- event dates on the day before, on and after each of the pack's due dates, counted from
  this referral with the pack's own calendar;
- requests (``cancellations:``) for each action the pack governs, with each of its reasons
  and one it does not list, recommended and decided by any role of the pack;
- the other records the pack's facts read (emergency actions, returns home, complaints,
  previous assessments, siblings, professional conversations, the closure) and the optional
  fields of every section it reads, each field drawn from its type: a time on a boundary
  day, a day around the referral, one of its values, or a role of the pack.

Every choice shrinks towards "not recorded" or the first option, so a counter-example
shrinks to a small case. :func:`evaluations_for` adds an evaluation date near the same
boundaries, and :func:`case_to_yaml_dict` writes a case back as the mapping a scenario
file holds.

>>> from hypothesis import given, settings
>>> from assess_rules import evaluate, load_policy
>>> kent = load_policy("kent")
>>> @settings(max_examples=10, deadline=None)
... @given(evaluations_for(kent))
... def test_evaluates(pair):
...     case, as_of = pair
...     assert evaluate(kent, case, as_of).case_id == case.case_id
>>> test_evaluates()
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from hypothesis import strategies as st
from pydantic import BaseModel

from assess_rules.calendar import LONDON
from assess_rules.case import (
    ROLES,
    Assessment,
    CaseSnapshot,
    Child,
    Closure,
    Complaint,
    Concerns,
    ConsentEvent,
    EmergencyAction,
    InitialConference,
    PreviousAssessment,
    ProfessionalConversation,
    Referral,
    ReferralDecision,
    ReturnHome,
    Sibling,
    StrategyDiscussion,
    Visit,
    parse_case,
)
from assess_rules.errors import CaseError, NoVersionInForceError
from assess_rules.evaluation import compute_due
from assess_rules.pack import CancellationRule, ProhibitionRule, Step, TimescaleRule
from assess_rules.policy import Policy

__all__ = [
    "UNLISTED_REASON",
    "boundary_days",
    "case_to_yaml_dict",
    "cases_for",
    "evaluations_for",
    "facts_read",
    "in_force_spans",
]

#: The reason a generated request gives when it gives none the pack lists.
UNLISTED_REASON = "not-a-listed-reason"

#: Times of day events are recorded at: office hours first (they shrink there), then the
#: edges of the day. None falls in a clock change's missing or repeated hour.
_TIMES = (time(10, 0), time(16, 30), time(9, 0), time(23, 59), time(0, 0))


def facts_read(policy: Policy) -> frozenset[str]:
    """Every fact ``policy`` reads: those its compiled conditions name, and the fact names
    its rules use as starts, ends, records and role facts."""
    names: set[str] = set()
    conditions = policy._conditions  # the compiled conditions, keyed by (text, scope)
    for compiled in conditions.values():
        names |= compiled.facts
    known = {spec.name for spec in policy.facts.all_specs()}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value in known:
                names.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for rule in policy.rules:
        walk(rule.model_dump())
    return frozenset(names)


def _options(annotation: Any) -> list[Any] | None:
    """The values a field of this type may take, ``None`` first if it is optional; ``None``
    (the result) for types other than booleans and fixed lists of text."""
    optional = False
    args: list[Any] = []
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
    else:
        members = [annotation]
    for member in members:
        if member is bool:
            args += [False, True]
        elif typing.get_origin(member) is Literal:
            args += list(typing.get_args(member))
        else:
            return None
    return [None, *args] if optional else args


def _case_fields(
    model: type[BaseModel], section: str, read: frozenset[str]
) -> list[tuple[str, list[Any]]]:
    """Fields of ``model`` the pack reads as ``section.field``, with their values."""
    out = []
    for name, info in model.model_fields.items():
        if f"{section}.{name}" not in read:
            continue
        options = _options(info.annotation)
        if options:
            out.append((name, options))
    return out


def boundary_days(policy: Policy, received: datetime) -> list[int]:
    """Day offsets from the referral worth landing an event or evaluation on: 0, then the
    day before, the day of and the day after each of ``policy``'s due dates counted from
    ``received`` (and from the next day, for duties started by later events)."""
    offsets: set[int] = set()
    for rule in policy.rules:
        if not isinstance(rule, TimescaleRule):
            continue
        counting = rule.counting or policy.counting
        for within in (rule.within, *(e.within for e in rule.extensions)):
            if isinstance(within.amount, str) and within.amount not in policy.parameters:
                continue
            for start in (received, received + timedelta(days=1)):
                try:
                    due = compute_due(policy, start, within, counting, rule.start_at).due
                except Exception:
                    continue
                due_day = due.date() if isinstance(due, datetime) else due
                base = (due_day - received.date()).days
                offsets |= {base - 1, base, base + 1}
    return [0, *sorted(o for o in offsets if 0 < o <= 800)]


def _pivot_days(policy: Policy, start: date, end: date) -> list[date]:
    """Days where counting goes wrong: closures and bank holidays, clock changes, 24 Dec."""
    days = list(policy.calendar.non_working_weekdays(start, end))
    for year in range(start.year, end.year + 1):
        for month in (3, 10):  # the last Sunday of March and of October
            last = date(year, month, 31)
            days.append(last - timedelta(days=(last.weekday() + 1) % 7))
        days.append(date(year, 12, 24))
    return sorted({d for d in days if start <= d <= end})


def in_force_spans(policy: Policy, start: date, end: date) -> list[tuple[date, date]]:
    """The spans of days from ``start`` to ``end`` (inclusive) on which some version of
    ``policy`` is in force (each version's ``effective_from`` to ``effective_to``), so that
    a drawn referral date always has a version to answer it. Raise
    :class:`~assess_rules.errors.NoVersionInForceError` if there is none.

    >>> from assess_rules import load_policy
    >>> in_force_spans(load_policy("generic_s17"), date(2024, 1, 1), date(2027, 12, 31))
    [(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31))]
    """
    spans = []
    for version in policy.versions or (policy,):
        info = version.info
        low = max(start, info.effective_from or start)
        high = min(end, info.effective_to or end)
        if low <= high:
            spans.append((low, high))
    if not spans:
        raise NoVersionInForceError(
            f"no version of pack {policy.id!r} is in force between {start.isoformat()} and "
            f"{end.isoformat()}, so no case can be drawn: {policy.versions_in_force()}"
        )
    return sorted(spans)


def cases_for(
    policy: Policy,
    *,
    start: date = date(2024, 1, 1),
    end: date = date(2027, 12, 31),
    max_requests: int = 2,
    max_events: int = 2,
    actions: Sequence[str] | None = None,
) -> st.SearchStrategy[CaseSnapshot]:
    """Valid snapshots that reach ``policy``'s rules and branches (see the module).
    Referral dates fall from ``start`` to ``end`` on days some version of the pack is in
    force (:func:`in_force_spans`; raises
    :class:`~assess_rules.errors.NoVersionInForceError` at once if there are none).
    ``actions`` limits requests to those actions (a search for one action's invariant)."""
    return _cases(
        policy,
        in_force_spans(policy, start, end),
        max_requests=max_requests,
        max_events=max_events,
        actions=actions,
    )


@st.composite
def _cases(
    draw: st.DrawFn,
    policy: Policy,
    spans: Sequence[tuple[date, date]],
    *,
    max_requests: int,
    max_events: int,
    actions: Sequence[str] | None,
) -> CaseSnapshot:
    read = facts_read(policy)
    start, end = draw(st.sampled_from(spans))
    pivots = _pivot_days(policy, start, end)
    pivot = (
        draw(st.sampled_from(pivots) | st.dates(start, end))
        if pivots
        else draw(st.dates(start, end))
    )
    shifted = pivot + timedelta(days=draw(st.sampled_from([0, -1, 1, -2, 2])))
    day = min(max(shifted, start), end)  # a day either side, never out of force
    received = datetime.combine(day, draw(st.sampled_from(_TIMES)), LONDON)
    offsets = boundary_days(policy, received)
    roles = [role.id for role in policy.roles]
    # the version in force on the referral date declares the words the case may use
    words = policy.version_on(received.date())

    def moment(after: datetime | None = None) -> datetime:
        """An event on a boundary day, at a time of day, never before ``after``."""
        floor = after or received
        offset = draw(st.sampled_from(offsets))
        at = datetime.combine(
            received.date() + timedelta(days=offset), draw(st.sampled_from(_TIMES)), LONDON
        )
        return max(at, floor)

    def text(value: datetime) -> str:
        return value.isoformat(timespec="minutes")

    raw: dict[str, Any] = {"case_id": "G1", "referral": {"received_at": text(received)}}
    for section, model in (("concerns", Concerns), ("child", Child)):
        values = {}
        for name, options in _case_fields(model, section, read):
            value = draw(st.sampled_from(options))
            if value is not None:
                values[name] = value
        if values:
            raw[section] = values
    if any(name.startswith("child.age") or name == "child.adult" for name in read) and draw(
        st.booleans()
    ):
        years = draw(st.sampled_from([10, 17, 18, 0, 16]))
        born = date(received.year - years, received.month, min(received.day, 28))
        born += timedelta(days=draw(st.sampled_from([0, 1, -1])))
        raw.setdefault("child", {})["date_of_birth"] = born.isoformat()

    if draw(st.booleans()):
        raw["decision"] = {
            "made_at": text(moment()),
            "made_by": draw(st.sampled_from(roles)),
            "response": draw(st.sampled_from(["assessment", "strategy_discussion", "early_help"])),
        }
    at = st.builds(
        lambda offset, clock: text(
            max(
                received,
                datetime.combine(received.date() + timedelta(days=offset), clock, LONDON),
            )
        ),
        st.sampled_from(offsets),
        st.sampled_from(_TIMES),
    )
    kinds = typing.get_args(ConsentEvent.model_fields["event"].annotation)
    consent_event = st.sampled_from(kinds).flatmap(
        lambda kind: st.fixed_dictionaries(
            {
                "event": st.just(kind),
                "at": at,
                **(
                    {"overridden_by": st.sampled_from(roles)}
                    if kind == "overridden"
                    else {"by": st.sampled_from(["parent", "young_person"])}
                ),
            }
        )
    )
    lists = {
        "consent": consent_event,
        "visits": st.fixed_dictionaries({"at": at, "child_seen": st.booleans()}),
        "strategy_discussions": st.fixed_dictionaries(
            {"held_at": at},
            optional={
                "outcome": st.sampled_from(
                    ["s47_threshold_met", "s47_threshold_not_met", "no_further_action"]
                ),
                "initiated_s47": st.just(True),
            },
        ),
    }
    oversight_kinds = [
        k for k in sorted(words.vocabulary.oversight) if any(k in name for name in read)
    ]
    if oversight_kinds:
        lists["oversight"] = st.fixed_dictionaries(
            {"kind": st.sampled_from(oversight_kinds), "at": at, "by": st.sampled_from(roles)}
        )
    action_kinds = [k for k in sorted(words.vocabulary.action) if any(k in name for name in read)]
    if action_kinds:
        lists["actions"] = st.fixed_dictionaries({"kind": st.sampled_from(action_kinds), "at": at})
    for key, item in lists.items():
        limit = 1 if key == "strategy_discussions" else max_events
        drawn = draw(st.lists(item, max_size=limit))
        if drawn:
            raw[key] = drawn
    if raw.get("strategy_discussions") and draw(st.booleans()):
        raw["initial_conference"] = {"held_at": text(moment())}
    if draw(st.booleans()):
        started = moment()
        assessment: dict[str, Any] = {"started_at": text(started)}
        if draw(st.booleans()):
            done = moment(started)
            assessment["completed_at"] = text(done)
            assessment["authorised_at"] = text(done)
            assessment["authorised_by"] = draw(st.sampled_from(roles))
            assessment["status"] = "completed"
        raw["assessment"] = assessment

    raw_requests, records = _requests(
        draw, words, roles, moment, text, max_requests, actions, aim=raw
    )
    if raw_requests:
        raw["cancellations"] = raw_requests
    for key, items in records.items():
        if items:
            raw[key] = [*raw.get(key, []), *items]
    _draw_more(draw, raw, read, roles, at, received, offsets, max_events)
    return _parse_dropping(raw, words)


#: Sections drawn from their models alone, the fact-name prefixes that show a pack reads
#: them, and whether the snapshot holds a list of them (else one record).
_MORE_SECTIONS: tuple[tuple[str, type[BaseModel], tuple[str, ...], bool], ...] = (
    ("emergency_actions", EmergencyAction, ("emergency_action",), True),
    ("returns_home", ReturnHome, ("return_home",), True),
    ("complaints", Complaint, ("complaint",), True),
    ("previous_assessments", PreviousAssessment, ("previous_assessment",), True),
    ("siblings", Sibling, ("siblings",), True),
    ("professional_conversations", ProfessionalConversation, ("professional_conversation",), True),
    ("closure", Closure, ("case.closed", "closure"), False),
)

#: Sections the strategy draws by hand (their order matters), and the models whose other
#: optional fields are drawn on top when the pack reads a fact of that prefix.
_MORE_FIELDS: tuple[tuple[str, type[BaseModel], tuple[str, ...]], ...] = (
    ("referral", Referral, ("referral",)),
    ("decision", ReferralDecision, ("decision", "front_door_decision")),
    ("assessment", Assessment, ("assessment",)),
    ("initial_conference", InitialConference, ("initial_conference",)),
    ("consent", ConsentEvent, ("consent", "information_sharing")),
    ("visits", Visit, ("visit",)),
    ("strategy_discussions", StrategyDiscussion, ("strategy_discussion",)),
)

#: Day offsets before the referral a date may fall on (earlier involvement, a previous
#: assessment): a day, a month, either side of six months, a year, two years.
_PAST_DAYS = (-1, -30, -182, -183, -365, -366, -730)

#: One case in four, shrinking to none, gets the records and optional fields drawn beside the
#: main ones: they are reached without crowding out the combinations the main sections need
#: (a request decided by the right role with its steps on record).
_SELDOM = st.integers(0, 3).map(lambda n: n == 3)

#: Free-text fields the rules compare (a sibling's allocated worker): two values, so
#: "same" and "different" are both reached.
_TEXTS = ("W1", "W2")


def _reads(read: frozenset[str], prefixes: Sequence[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for name in read for p in prefixes)


def _field_strategy(
    annotation: Any,
    roles: Sequence[str],
    at: st.SearchStrategy[str],
    day: st.SearchStrategy[str],
) -> st.SearchStrategy[Any] | None:
    """Values for a field of this type, ``None`` for types drawn only by hand (nested
    records, record kinds, identifiers)."""
    members = [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
    if len(members) != 1:
        return None
    member = members[0]
    if typing.get_origin(member) is typing.Annotated:
        member = typing.get_args(member)[0]
    if member is datetime:
        return at
    if member is date:
        return day
    if member is bool:
        return st.booleans()
    if typing.get_origin(member) is Literal:
        values = typing.get_args(member)
        if set(values) <= set(ROLES) and len(values) > 3:  # a role: one of the pack's
            return st.sampled_from(list(roles))
        return st.sampled_from(values)
    if member is str:
        return st.sampled_from(_TEXTS)
    return None


def _record(
    draw: st.DrawFn,
    model: type[BaseModel],
    present: dict[str, Any],
    roles: Sequence[str],
    at: st.SearchStrategy[str],
    day: st.SearchStrategy[str],
    *,
    optional: bool,
) -> dict[str, Any] | None:
    """``present`` with ``model``'s other fields drawn: required ones always, optional ones
    each only if a coin says so (they shrink away). ``None`` if a required field cannot be
    drawn."""
    out = dict(present)
    for name, info in model.model_fields.items():
        if name in out:
            continue
        strategy = _field_strategy(info.annotation, roles, at, day)
        if info.is_required():
            if strategy is None:
                return None
            out[name] = draw(strategy)
        elif optional and strategy is not None and draw(st.booleans()):
            out[name] = draw(strategy)
    return out


def _draw_more(
    draw: st.DrawFn,
    raw: dict[str, Any],
    read: frozenset[str],
    roles: Sequence[str],
    at: st.SearchStrategy[str],
    received: datetime,
    offsets: Sequence[int],
    max_events: int,
) -> None:
    """Add to ``raw``, in one case in four, the sections and optional fields the pack
    reads (see the module)."""
    if not draw(_SELDOM):
        return
    future = [received.date() + timedelta(days=o) for o in offsets]
    past = [received.date() + timedelta(days=o) for o in _PAST_DAYS]
    day = st.sampled_from([d.isoformat() for d in [*future, *past]])
    for section, model, prefixes in _MORE_FIELDS:
        if section not in raw or not _reads(read, prefixes):
            continue
        value = raw[section]
        items = value if isinstance(value, list) else [value]
        filled = [_record(draw, model, item, roles, at, day, optional=True) for item in items]
        kept = [item for item in filled if item is not None]
        raw[section] = kept if isinstance(value, list) else kept[0]
    earlier = st.sampled_from([d.isoformat() for d in past])  # an earlier episode's dates
    for section, model, prefixes, many in _MORE_SECTIONS:
        if not _reads(read, prefixes):
            continue
        count = draw(st.integers(0, max_events if many else 1))
        days = earlier if model is PreviousAssessment else day
        drawn = [_record(draw, model, {}, roles, at, days, optional=True) for _ in range(count)]
        records = [r for r in drawn if r is not None]
        if records:
            raw[section] = records if many else records[0]


def _parse_dropping(raw: dict[str, Any], policy: Policy) -> CaseSnapshot:
    """Parse ``raw``; where the parser refuses a drawn field (an order the snapshot cannot
    hold, such as a closure before a return home it records), drop that field, or the
    record if the field is required, and parse again."""
    for _ in range(50):
        try:
            return parse_case(raw, vocabulary=policy.vocabulary)
        except CaseError as error:
            if not any(_drop(raw, issue.path) for issue in error.issues):
                raise
    return parse_case(raw, vocabulary=policy.vocabulary)  # pragma: no cover - 50 drops


def _drop(raw: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    """Remove what ``path`` names from ``raw``: a field, or a list item. ``False`` if the
    path names nothing in ``raw``. A record that loses a field it needs is refused at the
    next parse, at its own path, and dropped then."""
    if not path:
        return False
    holder: Any = raw
    for step in path[:-1]:
        try:
            holder = holder[step]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    if isinstance(holder, dict) and last in holder:
        del holder[last]
        return True
    if isinstance(holder, list) and isinstance(last, int) and 0 <= last < len(holder):
        del holder[last]
        return True
    return False


def _requests(
    draw: st.DrawFn,
    policy: Policy,
    roles: Sequence[str],
    moment: Any,
    text: Any,
    max_requests: int,
    only: Sequence[str] | None = None,
    *,
    aim: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Requests, and the oversight and action records of the steps some of them follow.
    Half the time a request's reason is aimed at: the ``concerns.*`` and ``child.*`` flags
    its condition names are set in ``aim`` (the case) the way the condition reads them, so a
    reason whose condition needs several flags together is reached, not left to chance."""
    choices: dict[str, list[str]] = {}
    conditions: dict[tuple[str, str], str] = {}
    steps: dict[str, list[Step]] = {}
    deciders: dict[str, list[str]] = {}
    recommenders: dict[str, list[str]] = {}
    for rule in policy.rules:
        if isinstance(rule, CancellationRule):
            choices.setdefault(rule.action, []).extend(r.id for r in rule.reasons)
            for r in rule.reasons:
                written = [c for c in (rule.applies_when, r.when) if c]
                conditions[(rule.action, r.id)] = " and ".join(written)
            steps.setdefault(rule.action, []).extend(rule.requires)
            if rule.recommended_by is not None and rule.recommended_by in roles:
                recommenders.setdefault(rule.action, []).extend(_around(roles, rule.recommended_by))
            for need in (rule.decided_by, *(r.decided_by for r in rule.reasons)):
                if need is not None and need in roles:
                    deciders.setdefault(rule.action, []).extend(_around(roles, need))
        elif isinstance(rule, ProhibitionRule):
            choices.setdefault(rule.action, [])
            steps.setdefault(rule.action, [])
    records: dict[str, list[dict[str, Any]]] = {"oversight": [], "actions": []}
    if not choices:
        return [], records
    actions = sorted(a for a in choices if only is None or a in only)
    out: list[dict[str, Any]] = []
    if not actions:
        return out, records
    # one request first (it shrinks there): most of what a pack decides is about requests
    counts = sorted(range(max_requests + 1), key=lambda n: (n != 1, n))
    for _ in range(draw(st.sampled_from(counts))):
        action = draw(st.sampled_from(actions))
        reason = draw(st.sampled_from([*choices[action], UNLISTED_REASON]))
        if aim is not None and conditions.get((action, reason)) and draw(st.booleans()):
            _aim_at(aim, conditions[(action, reason)])
        request: dict[str, Any] = {"action": action, "reason": reason}
        if draw(st.booleans()):
            request["free_text"] = "Recorded reason."
        recommended = moment()
        request["recommended_at"] = text(recommended)
        request["recommended_by"] = _role(draw, recommenders.get(action), roles)
        outcome = draw(st.sampled_from(["approved", "pending", "refused"]))
        request["outcome"] = outcome
        if outcome != "pending":
            prepared: bool = bool(steps[action]) and draw(st.booleans())
            if prepared:
                # the rule's steps, recorded between the recommendation and the decision
                done = recommended + timedelta(minutes=1)
                for step in steps[action]:
                    _record_step(step, text(done), draw(st.sampled_from(roles)), records, policy)
            decided = recommended + timedelta(minutes=2)
            if draw(st.booleans()):
                decided = max(moment(recommended), decided)
            request["decided_at"] = text(decided)
            request["decided_by"] = _role(draw, deciders.get(action), roles)
        out.append(request)
    return out, records


#: A case flag a condition names, negated or compared with a literal: ``not
#: concerns.threshold_met``, ``child.disabled == false``.
_CASE_FLAG = re.compile(
    r"(?P<negated>\bnot\s+)?\b(?P<section>concerns|child)\.(?P<field>[a-z_]+)\b"
    r"(?:\s*(?P<op>==|!=)\s*(?P<literal>true|false)\b)?"
)


def _aim_at(raw: dict[str, Any], condition: str) -> None:
    """Set in ``raw`` each yes/no ``concerns.*``/``child.*`` flag ``condition`` names, the
    way it reads it (``not x``: false; else true). A heuristic: a flag read both ways, or
    inside an ``or``, is set one way, and the search does the rest."""
    for match in _CASE_FLAG.finditer(condition):
        model: type[BaseModel] = Concerns if match["section"] == "concerns" else Child
        info = model.model_fields.get(match["field"])
        if info is None or _options(info.annotation) not in ([None, False, True], [False, True]):
            continue
        value = match["negated"] is None
        if match["literal"] is not None:
            value = value == ((match["literal"] == "true") == (match["op"] == "=="))
        raw.setdefault(match["section"], {})[match["field"]] = value


def _role(draw: st.DrawFn, near: list[str] | None, roles: Sequence[str]) -> str:
    """Usually a role next to a boundary of the ladder (``near``), else any role."""
    pool = sorted(set(near), key=near.index) if near and draw(st.booleans()) else roles
    role: str = draw(st.sampled_from(pool))
    return role


def _around(roles: Sequence[str], need: str) -> list[str]:
    """The role one below ``need`` on the ladder, ``need`` itself, and the one above: where
    an approver check goes wrong."""
    i = list(roles).index(need)
    return [roles[j] for j in (i - 1, i, i + 1) if 0 <= j < len(roles)]


def _record_step(
    step: Step, at: str, role: str, records: dict[str, list[dict[str, Any]]], policy: Policy
) -> None:
    """Record ``step`` at ``at``: its oversight or action records, by the role it names."""
    names = step.record if isinstance(step.record, tuple) else (step.record,)
    for name in names:
        section, _, kind = name.partition(".")
        by = step.by or role
        if section == "oversight" and kind in policy.vocabulary.oversight:
            records["oversight"].append({"kind": kind, "at": at, "by": by})
        elif section == "action" and kind in policy.vocabulary.action:
            records["actions"].append({"kind": kind, "at": at, "by": by})


def evaluations_for(
    policy: Policy,
    *,
    start: date = date(2024, 1, 1),
    end: date = date(2027, 12, 31),
    max_requests: int = 2,
    max_events: int = 2,
    actions: Sequence[str] | None = None,
) -> st.SearchStrategy[tuple[CaseSnapshot, date]]:
    """A case from :func:`cases_for` (referral dates on days the pack is in force) and an
    evaluation date on or after its referral, on a boundary day of the pack's timescales."""
    cases = cases_for(
        policy,
        start=start,
        end=end,
        max_requests=max_requests,
        max_events=max_events,
        actions=actions,
    )
    return _evaluations(policy, cases)


@st.composite
def _evaluations(
    draw: st.DrawFn, policy: Policy, cases: st.SearchStrategy[CaseSnapshot]
) -> tuple[CaseSnapshot, date]:
    case = draw(cases)
    received = case.referral.received_at
    offset = draw(st.sampled_from(boundary_days(policy, received)))
    return case, received.date() + timedelta(days=offset)


def case_to_yaml_dict(case: CaseSnapshot) -> dict[str, Any]:
    """``case`` as the mapping a scenario file's ``case:`` holds (defaults left out)."""
    dumped: dict[str, Any] = case.model_dump(mode="json", exclude_defaults=True)
    return dumped
