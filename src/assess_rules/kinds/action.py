"""``kind: action`` (older name ``cancellation``): who may ask for an action (cancelling an
assessment, not progressing it, ...), who may decide it, for which reasons, after which
steps.

Once per case the action answers every request the snapshot records, judged as the case
stood when it was decided, and lists each open option; it asks the prohibitions and the
warnings on it for their verdicts (they do not know about it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from assess_rules.case import CancellationRequest
from assess_rules.facts import FactContext, collection_items
from assess_rules.kinds import prohibition, warning
from assess_rules.kinds._base import Checker, Judge, RuleKind, cite
from assess_rules.kinds._page import Page, md, sources_md
from assess_rules.kinds._steps import check_steps, find_record, judge_steps, step_md
from assess_rules.pack import (
    CancellationReason,
    CancellationRule,
    ProhibitionRule,
    Rule,
    SourceRef,
    WarningRule,
)
from assess_rules.policy import Policy
from assess_rules.result import DecisionStatus, PermittedAction

__all__ = ["KIND"]

#: the verdict of a condition in one context, and the facts it lacks when undecided
Verdict = tuple[bool | None, list[str]]


def check(rule: CancellationRule, at: Checker) -> None:
    """Its conditions, roles, prerequisite steps and reasons name what exists; reason ids
    are unique."""
    at.condition(rule.applies_when, "cancellations", ("applies_when",))
    at.role(rule.recommended_by, ("recommended_by",))
    at.role(rule.decided_by, ("decided_by",))
    check_steps(rule.requires, "cancellations", at, ("requires",))
    seen: set[str] = set()
    for j, reason in enumerate(rule.reasons):
        if reason.id in seen:
            at.error(f"reason id {reason.id!r} is used twice", ("reasons", j, "id"))
        seen.add(reason.id)
        at.condition(reason.when, "cancellations", ("reasons", j, "when"))
        at.role(reason.decided_by, ("reasons", j, "decided_by"))


def concerns(rule: Rule) -> bool:
    """The rules judged with the requests: actions, prohibitions, warnings on an action."""
    if isinstance(rule, WarningRule):
        return rule.action is not None
    return isinstance(rule, CancellationRule | ProhibitionRule)


class _Plan:
    """What answering requests and listing options needs from the rules this kind concerns
    that depends on the policy alone: the rules by kind, and for each set of them in force
    on a referral date (one set unless some rule has dates of its own) what listing the
    options needs (:class:`_InForce`)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.actions = tuple(r for r in rules if isinstance(r, CancellationRule))
        self.prohibitions = tuple(r for r in rules if isinstance(r, ProhibitionRule))
        self.warnings = tuple(r for r in rules if isinstance(r, WarningRule))
        self.dated = any(r.effective_from or r.effective_to for r in rules)
        self._in_force: dict[tuple[str, ...], _InForce] = {}

    def in_force(self, judge: Judge) -> _InForce:
        """The rules in force on the judge's referral date, with what their options need."""
        actions, prohibitions, warnings = self.actions, self.prohibitions, self.warnings
        if self.dated:
            actions = tuple(judge.in_force(actions))
            prohibitions = tuple(judge.in_force(prohibitions))
            warnings = tuple(judge.in_force(warnings))
            ids = tuple(r.id for r in (*actions, *prohibitions, *warnings))
        else:
            ids = ()
        found = self._in_force.get(ids)
        if found is None:  # at most one per span of dates between the rules' own dates
            found = self._in_force[ids] = _InForce(judge.policy, actions, prohibitions, warnings)
        return found


class _InForce:
    """The action rules, prohibitions and warnings in force together, and for each action
    rule what listing its options needs (:class:`_Options`)."""

    def __init__(
        self,
        policy: Policy,
        actions: tuple[CancellationRule, ...],
        prohibitions: tuple[ProhibitionRule, ...],
        warnings: tuple[WarningRule, ...],
    ) -> None:
        self.actions = actions
        self.prohibitions = prohibitions
        self.warnings = warnings
        self.options = tuple(
            _Options(
                policy,
                rule,
                [p for p in prohibitions if p.action == rule.action],
                [w for w in warnings if w.action == rule.action],
            )
            for rule in actions
        )

    def on(
        self, action: str
    ) -> tuple[list[CancellationRule], list[ProhibitionRule], list[WarningRule]]:
        """The rules on ``action``."""
        return (
            [r for r in self.actions if r.action == action],
            [p for p in self.prohibitions if p.action == action],
            [w for w in self.warnings if w.action == action],
        )


class _Options:
    """What listing the options of one action rule needs, judged with the prohibitions and
    warnings on its action: its conditions compiled, every fact and condition they read,
    and the options already built, by what they were built from (see :func:`_options`)."""

    def __init__(
        self,
        policy: Policy,
        rule: CancellationRule,
        prohibitions: list[ProhibitionRule],
        warnings: list[WarningRule],
    ) -> None:
        self.rule = rule
        self.prohibitions = prohibitions
        self.applies = (
            policy.condition(rule.applies_when, "cancellations") if rule.applies_when else None
        )
        self.advice = tuple(
            (policy.condition(w.when, "cancellations"), w.message) for w in warnings
        )
        self.names, self.texts = _option_facts(policy, rule, prohibitions)
        self.kept: dict[tuple[Any, ...], tuple[PermittedAction, ...]] = {}


def requests(rules: Sequence[Rule], judge: Judge) -> None:
    """Answer every request in the snapshot and list each open option of each action.
    ``rules``: every rule of the policy this kind ``concerns``, in force or not."""
    in_force = judge.memo.of(rules, _Plan).in_force(judge)
    ctx = judge.ctx
    for index, request in enumerate(collection_items(ctx, "cancellations")):
        _request(judge, request, f"cancellations[{index}]", *in_force.on(request.action))
    if not in_force.options:
        return
    status = ctx.get("assessment.status")
    if status in {"not_started", "in_progress"} and not ctx.get("cancellation.approved"):
        for options in in_force.options:
            _options(judge, options)


def _reason_texts(reason: CancellationReason) -> tuple[str, str, str]:
    """What to say when a reason's condition holds, fails or cannot be decided."""
    when = reason.when
    return (
        f"its condition holds: {when}",
        f"its condition does not hold: {when}",
        f"its condition cannot be decided yet: {when}",
    )


def _judge(
    judge: Judge,
    rule: CancellationRule | None,
    reason: CancellationReason | None,
    prohibitions: list[ProhibitionRule],
    ctx: FactContext,
    memo: dict[str, Verdict] | None = None,
) -> _Decision:
    """What the pack says of ``reason`` (``None``: a reason the rule does not list, or an
    action no rule governs) in ``ctx``: its conditions and every prohibition. ``memo``
    keeps the verdicts of conditions shared by the options judged in one ``ctx``."""
    policy = judge.policy
    decision = _Decision()
    if rule is not None and rule.applies_when:
        verdict, unknown = _verdict(judge, rule.applies_when, ctx, memo)
        if verdict is False:
            decision.refuse(f"{rule.title!r} applies only when {rule.applies_when}", rule.sources)
        elif verdict is None:
            decision.hold(f"cannot tell whether {rule.title!r} applies", unknown)
    if reason is not None and reason.when is not None:
        holds, fails, undecided = judge.memo.of(reason, _reason_texts)
        condition = policy.condition(reason.when, "cancellations")
        verdict = condition(ctx)
        if verdict is False:
            decision.refuse(fails, reason.sources or (rule.sources if rule else ()))
        elif verdict is None:
            decision.hold(undecided, condition.unknown_facts(ctx))
        else:
            decision.grant(holds)
    elif reason is not None:
        decision.grant(f"{reason.label!r} is a listed reason with no further condition")
    grounds = set(reason.grounds) if reason is not None else set()
    for rule_ in prohibitions:
        # the reasons a prohibition concerns: its grounds, none of its except_grounds
        if rule_.grounds and not grounds.intersection(rule_.grounds):
            continue
        if grounds.intersection(rule_.except_grounds):
            continue
        verdict, unknown = _verdict(judge, rule_.when, ctx, memo)
        if verdict is None:
            decision.hold(f"cannot rule out: {rule_.message} ({rule_.id})", unknown)
        elif verdict:
            decision.blocked_by.append(rule_.id)
            if rule_.effect == "refuse":
                decision.refuse(rule_.message, rule_.sources)
            else:
                decision.hold(f"for a manager to decide: {rule_.message}", ())
    return decision


def _verdict(judge: Judge, text: str, ctx: FactContext, memo: dict[str, Verdict] | None) -> Verdict:
    """A condition's verdict in ``ctx``, and the facts it lacks when undecided; kept in
    ``memo`` (conditions are pure, so a second call would give the same)."""
    if memo is not None and text in memo:
        return memo[text]
    condition = judge.policy.condition(text, "cancellations")
    verdict = condition(ctx)
    found = (verdict, condition.unknown_facts(ctx) if verdict is None else [])
    if memo is not None:
        memo[text] = found
    return found


def _options(judge: Judge, options: _Options) -> None:
    """Each reason of an action rule as an option for the case as it stands."""
    ctx = judge.ctx
    if options.applies is not None and options.applies(ctx) is False:
        return
    rule = options.rule
    prerequisites = tuple(
        step.title for step in rule.requires if find_record(judge, step, ctx, None)[0] is None
    )
    advice = tuple(message for condition, message in options.advice if condition(ctx))
    # The options are a function of the verdicts of their conditions (with the facts each
    # lacks), the prerequisites and the advice; and the verdicts, of the facts the
    # conditions read. Few cases differ in those, so the options are built once per policy
    # for each and reused: found by the facts' values (cheapest), else by the verdicts.
    kept = options.kept
    key = _option_key(ctx, options.names, prerequisites, advice)
    keyed = True
    try:
        found = kept.get(key)
    except TypeError:  # a value that cannot be a key
        found, keyed = None, False
    if found is not None:
        judge.permitted.extend(found)
        return
    prohibitions = options.prohibitions
    memo: dict[str, Verdict] = {}  # every option is judged in ctx
    verdicts = ("verdicts", prerequisites, advice, *_verdicts(judge, options.texts, ctx, memo))
    found = kept.get(verdicts)
    if found is not None:
        judge.permitted.extend(found)
        if keyed:
            _keep(kept, key, found)
        return
    first = len(judge.permitted)
    for reason in rule.reasons:
        decision = _judge(judge, rule, reason, prohibitions, ctx, memo)
        if reason.requires_free_text:
            decision.note("needs free text explaining the reason")
        judge.permitted.append(
            PermittedAction(
                action=rule.action,
                option=reason.id,
                label=reason.label,
                status=decision.status(outstanding=bool(prerequisites)),
                why=decision.reasons(),
                approver=reason.decided_by or rule.decided_by,
                rule=rule.id,
                sources=judge.cite(reason.sources or rule.sources),
                recommended_by=rule.recommended_by,
                prerequisites=prerequisites,
                warnings=advice,
                missing_facts=decision.facts(),
                blocked_by=tuple(decision.blocked_by),
            )
        )
    built = tuple(judge.permitted[first:])
    _keep(kept, verdicts, built)
    if keyed:
        _keep(kept, key, built)


def _keep(
    kept: dict[tuple[Any, ...], tuple[PermittedAction, ...]],
    key: tuple[Any, ...],
    options: tuple[PermittedAction, ...],
) -> None:
    if len(kept) >= _OPTION_CACHE_SIZE:
        kept.clear()
    kept[key] = options


def _verdicts(
    judge: Judge, texts: tuple[str, ...], ctx: FactContext, memo: dict[str, Verdict]
) -> list[tuple[bool | None, tuple[str, ...]]]:
    """The verdict of each condition the options read, with the facts it lacks (kept in
    ``memo`` for the options judged next)."""
    found = []
    for text in texts:
        verdict, unknown = _verdict(judge, text, ctx, memo)
        found.append((verdict, tuple(unknown)))
    return found


#: how many option lists (for distinct facts) are kept per action rule before starting afresh
_OPTION_CACHE_SIZE = 4096


def _option_facts(
    policy: Policy, rule: CancellationRule, prohibitions: list[ProhibitionRule]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every fact the options of ``rule`` may read, and every condition: its own and its
    reasons', and every prohibition's (a compiled condition reads only the facts it names,
    the role ladder and the calendar)."""
    texts = [rule.applies_when, *(r.when for r in rule.reasons), *(p.when for p in prohibitions)]
    conditions = tuple(dict.fromkeys(t for t in texts if t))
    names: set[str] = set()
    for text in conditions:
        names |= policy.condition(text, "cancellations").facts
    return tuple(sorted(names)), conditions


#: the types of value a key holds as they are; a moment also needs its offset and zone
_PLAIN = frozenset({type(None), bool, int, float, str, date})


def _option_key(
    ctx: FactContext,
    reads: tuple[str, ...],
    prerequisites: tuple[str, ...],
    advice: tuple[str, ...],
) -> tuple[Any, ...]:
    """What the options are built from (not hashable when a value cannot be a key). A
    moment is kept with its offset and zone, so equal instants read differently are not
    confused; a value's type is kept too (``1 == 1.0 == True``)."""
    values = tuple(map(ctx.get, reads))
    types = tuple(map(type, values))
    if _PLAIN.issuperset(types):
        return (prerequisites, advice, values, types)
    moments = tuple([(v.utcoffset(), v.tzinfo, v.fold) for v in values if isinstance(v, datetime)])
    return (prerequisites, advice, values, types, moments)


def _request(
    judge: Judge,
    request: CancellationRequest,
    subject: str,
    rules: list[CancellationRule],
    prohibitions: list[ProhibitionRule],
    warnings: list[WarningRule],
) -> None:
    """Answer one request: judged as the case stood when it was decided, if it was."""
    policy = judge.policy
    decided = judge.ctx.seen(request.decided_at)
    if decided is not None:
        ctx = judge.ctx.as_at(decided).for_item("cancellations", request)
    else:
        ctx = judge.ctx.for_item("cancellations", request)
    outcome = ctx.get("cancellation.outcome")
    advice = warning.advice(policy, warnings, ctx)
    for given in advice:
        judge.warned(given, given.message, subject)
    if not rules:
        _ungoverned(judge, request, subject, prohibitions, ctx, advice)
        return
    applicable = [
        r
        for r in rules
        if not r.applies_when or policy.condition(r.applies_when, "cancellations")(ctx) is not False
    ]
    matches = [
        (r, reason) for r in applicable for reason in r.reasons if reason.id == request.reason
    ]
    if matches:
        rule, reason = matches[0]
    else:
        rule, reason = (applicable or rules)[0], None
    decision = _judge(judge, rule, reason, prohibitions, ctx)
    cited = reason.sources if reason is not None and reason.sources else rule.sources
    if reason is None and applicable:
        ids = [r.id for r_ in applicable for r in r_.reasons]
        nearest = difflib.get_close_matches(request.reason, ids, n=1)
        hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
        text = (
            f"{request.reason!r} is not a reason this pack lists{hint} (listed: {', '.join(ids)})"
        )
        if rule.unlisted_reasons == "undecided":
            decision.hold(
                f"{text}; another reason is for a manager to decide with a recorded rationale",
                (),
            )
        else:
            decision.refuse(text, rule.sources)
    if reason is not None and reason.requires_free_text:
        if ctx.get("cancellation.has_free_text"):
            decision.grant("free text explains the reason")
        else:
            decision.refuse("this reason needs free text", cited)
    if (
        rule.recommended_by is not None
        and request.recommended_by is not None
        and policy.may_act(request.recommended_by, rule.recommended_by) is False
    ):
        text = (
            f"recommended by {policy.role_label(request.recommended_by)}"
            f"; must be {policy.role_label(rule.recommended_by)}"
        )
        decision.refuse(text, rule.sources)
    approver = (reason.decided_by if reason is not None else None) or rule.decided_by
    if decided is not None and request.outcome in {"approved", "refused"}:
        # Whoever decides, to grant or to refuse, must be a role that may decide: a
        # decision by a more junior role is not the pack's decision either way.
        fits = policy.may_act(
            request.decided_by, approver, higher_allowed=rule.higher_roles_may_decide
        )
        if fits is False:
            text = (
                f"decided by {policy.role_label(request.decided_by or '')}"
                f"; only {policy.role_label(approver)} may decide"
            )
            decision.refuse(text, rule.sources, "approver")
        elif fits is None:
            decision.hold("who decided is not recorded", ("cancellation.decided_by",))
        else:
            decision.grant(
                f"decided by {policy.role_label(request.decided_by or '')}, who may decide"
            )
    if outcome == "approved":
        prohibition.broken_by_approval(judge, prohibitions, decision.blocked_by, subject)
    if decision.missing and outcome != "refused":
        judge.undecided(
            rule,
            decision.facts(),
            f"whether request {request.reason!r} may be granted",
            subject,
            sources=judge.cite(cited),
        )
    outstanding: list[str] = []
    if outcome == "refused":
        decision.note("the request was refused when it was decided")
    else:
        outstanding = judge_steps(
            judge,
            rule,
            rule.requires,
            ctx,
            "cancellations",
            ctx.get("cancellation.recommended"),
            subject,
            rule.recommended_by,
            default_before="cancellation.decided",
            after_trigger=False,
        )
    if outcome == "approved":
        for refusal in decision.refusals:
            judge.violated(
                rule,
                f"cancelled with a problem: {refusal.why}",
                subject,
                cited=judge.cite(refusal.sources or rule.sources),
                branch=refusal.branch,
            )
    if outstanding and decided is not None:
        decision.refuse("decided before its prerequisites were recorded", rule.sources)
    judge.permitted.append(
        PermittedAction(
            action=rule.action,
            option=request.reason,
            label=reason.label if reason is not None else request.reason,
            status=decision.status(outstanding=bool(outstanding)),
            why=decision.reasons(),
            approver=approver,
            rule=rule.id,
            sources=judge.cite(cited),
            recommended_by=rule.recommended_by,
            prerequisites=tuple(outstanding),
            warnings=tuple(w.message for w in advice),
            missing_facts=decision.facts(),
            subject=subject,
            blocked_by=tuple(decision.blocked_by),
        )
    )


def _ungoverned(
    judge: Judge,
    request: CancellationRequest,
    subject: str,
    prohibitions: list[ProhibitionRule],
    ctx: FactContext,
    advice: list[WarningRule],
) -> None:
    """A request for an action no rule of the pack governs: said so, never dropped, and
    judged against the prohibitions that do apply to it."""
    decision = _judge(judge, None, None, prohibitions, ctx)
    decision.hold(
        f"this pack has no rule for {request.action.replace('_', ' ')}: who may decide it "
        "and for which reasons is for the local protocol",
        (),
    )
    if ctx.get("cancellation.outcome") == "approved":
        prohibition.broken_by_approval(judge, prohibitions, decision.blocked_by, subject)
    first = next((p for p in prohibitions if p.id in decision.blocked_by), None)
    judged = first or (prohibitions[0] if prohibitions else None)
    judge.permitted.append(
        PermittedAction(
            action=request.action,
            option=request.reason,
            label=request.reason,
            status=decision.status(outstanding=False),
            why=decision.reasons(),
            approver=None,
            rule=judged.id if judged is not None else None,
            sources=cite(s for p in prohibitions for s in p.sources),
            warnings=tuple(w.message for w in advice),
            missing_facts=decision.facts(),
            subject=subject,
            blocked_by=tuple(decision.blocked_by),
        )
    )


@dataclass(frozen=True)
class _Refusal:
    why: str
    sources: tuple[SourceRef, ...] = ()
    branch: str | None = None


@dataclass
class _Decision:
    """What was found about one option or request, most decisive first when read out:
    anything refusing it, then anything leaving it undecidable, then what held."""

    refusals: list[_Refusal] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)

    def refuse(
        self, why: str, sources: tuple[SourceRef, ...] = (), branch: str | None = None
    ) -> None:
        self.refusals.append(_Refusal(why, sources, branch))

    def hold(self, why: str, facts: Iterable[str]) -> None:
        self.holds.append(why)
        self.missing += facts

    def grant(self, why: str) -> None:
        self.grants.append(why)

    def note(self, why: str) -> None:
        self.notes.append(why)

    def status(self, *, outstanding: bool) -> DecisionStatus:
        if self.refusals:
            return "refused"
        if self.holds:
            return "undecidable"
        return "allowed_once" if outstanding else "allowed"

    def reasons(self) -> tuple[str, ...]:
        if self.refusals:
            return (*(r.why for r in self.refusals), *self.notes)
        if self.holds:
            return (*self.holds, *self.notes)
        found = (*self.grants, *self.notes)
        return found or ("no condition of the pack stands against it",)

    def facts(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.missing)))


def render(rules: Sequence[CancellationRule], page: Page) -> None:
    """A section per action rule: who decides, prerequisites, and a table of reasons."""
    role = page.role
    for c in rules:
        page.add(f"## Cancellation: {md(c.title)} (`{c.id}`){page.origin(c)}", "")
        if c.applies_when:
            page.add(f"Applies when `{c.applies_when}`.")
        who = f"Decided by **{role(c.decided_by)}**"
        if c.recommended_by:
            who = (
                f"Recommended by **{role(c.recommended_by)}**; decided by **{role(c.decided_by)}**"
            )
        may = c.higher_roles_may_decide
        if may is None:
            may = page.policy.higher_roles_may_act
        page.add(
            f"{who} ({'or higher' if may else 'that role only'}). "
            f"Sources: {sources_md(c.sources)}.",
            "",
        )
        if c.requires:
            page.add("Before the decision:", "", *(f"- {step_md(s, role)}" for s in c.requires), "")
        page.add(
            "| reason | label | condition | free text | decided by | sources |",
            "| --- | --- | --- | --- | --- | --- |",
        )
        for r in c.reasons:
            grounds = f" (grounds: {', '.join(r.grounds)})" if r.grounds else ""
            page.add(
                f"| `{r.id}`{grounds} | {md(r.label)} | "
                f"{'`' + md(r.when) + '`' if r.when else '-'} | "
                f"{'required' if r.requires_free_text else '-'} | "
                f"{role(r.decided_by or c.decided_by)} | "
                f"{sources_md(r.sources or c.sources)} |"
            )
        page.add("")


def branches(rule: CancellationRule) -> Iterator[tuple[str, str]]:
    """Each reason allowed (and refused on its condition), the approver level respected and
    broken, each prerequisite missing."""
    for reason in rule.reasons:
        yield f"{rule.id}/{reason.id}#allowed", f"{rule.id}/{reason.id}: never allowed"
        if reason.when:
            yield (
                f"{rule.id}/{reason.id}#refused",
                f"{rule.id}/{reason.id}: never refused on its condition",
            )
    yield (
        f"{rule.id}#approver-respected",
        f"{rule.id}: no request decided by an allowed approver",
    )
    yield (
        f"{rule.id}#approver-broken",
        f"{rule.id}: no request decided by a role below {rule.decided_by}",
    )
    for step in rule.requires:
        yield f"{rule.id}/{step.id}#step", f"{rule.id}/{step.id}: never missing"


KIND = RuleKind(
    "action",
    CancellationRule,
    check,
    render,
    branches,
    page_order=20,
    aliases=("cancellation",),
    requests=requests,
    concerns=concerns,
)
