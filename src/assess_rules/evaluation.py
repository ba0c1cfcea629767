"""``evaluate(policy, case, as_of)``: deadlines, violations, warnings, permitted actions,
open obligations and missing facts, each citing its rule and sources.

Pure and deterministic: the same policy, case and date give the same result; nothing is
mutated, nothing global is read, and the clock is read only when ``as_of`` is omitted.

Evaluation date: a ``date`` means "as of the end of that day in London"; a ``datetime``
means that moment. Events recorded after it are ignored. Checks on a decided cancellation
look at the case as it stood when the decision was made.

Which rules apply: the version of the pack in force on the date the referral was received
(:meth:`Policy.version_on`; a date outside every version's is an error), and within it the
rules whose own ``effective_from``/``effective_to`` include that date.

This module only orchestrates: each rule is judged by its kind (``assess_rules.kinds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any

from assess_rules.calendar import LONDON, Now, Today, evaluation_date_words, to_london
from assess_rules.case import CaseSnapshot, per_child, unknown_kinds
from assess_rules.errors import CaseError, EvaluationDateError
from assess_rules.facts import FactContext
from assess_rules.kinds import KINDS, Judge, Memo, kind_of
from assess_rules.pack import Rule
from assess_rules.policy import Policy
from assess_rules.result import PackStamp, Result, family_result
from assess_rules.timing import DueDate, compute_due

__all__ = ["DueDate", "compute_due", "evaluate"]


def evaluate(
    policy: Policy, case: CaseSnapshot, as_of: date | datetime | str | None = None
) -> Result:
    """Evaluate ``case`` against ``policy`` as of ``as_of`` (default: now, in London): a
    date, a datetime, or an ISO 8601 string; anything else raises
    :class:`EvaluationDateError`.

    >>> from assess_rules import load_policy, parse_case
    >>> policy = load_policy("generic_s17")
    >>> case = parse_case({"case_id": "C1",
    ...                    "referral": {"received_at": "2026-12-18T10:00"}})
    >>> result = evaluate(policy, case, as_of=date(2026, 12, 18))
    >>> deadline = result.deadline("referral-decision")
    >>> deadline.due_date, deadline.status
    (datetime.date(2026, 12, 21), 'pending')
    """
    as_of = _evaluation_date(as_of)
    if case.children:  # a family case: each child judged on their own (issue 6)
        return family_result([(c, evaluate(policy, one, as_of)) for c, one in per_child(case)])
    if isinstance(as_of, datetime):
        cutoff = to_london(as_of)
        day = cutoff.date()
    else:
        day = as_of
        cutoff = datetime.combine(day, time.max, LONDON)
    if case.referral.received_at > cutoff:
        raise EvaluationDateError(
            "the referral was received after the evaluation date, "
            f"{evaluation_date_words(day, defaulted=isinstance(as_of, Today | Now))}: there "
            "is nothing to evaluate yet (evaluate as of a later date)"
        )
    referral_day = case.referral.received_at.date()
    policy = policy.version_on(referral_day)
    vocabulary = policy.vocabulary
    if not (
        {r.kind for r in case.oversight} <= vocabulary.oversight
        and {r.kind for r in case.actions} <= vocabulary.action
        and {r.action for r in case.cancellations} <= vocabulary.requests
    ):  # a record kind the pack in force does not know: say so, never ignore it
        raise CaseError(unknown_kinds(case, vocabulary), source=case.case_id)
    ctx = FactContext(case, cutoff, day, policy.calendar, policy.role_ranks)
    plan = policy.derived("evaluation-plan", lambda: _Plan.build(policy))
    judge = Judge(policy, ctx, plan.memo, referral_day, plan.dated)
    if plan.dated:
        in_force = policy.in_force
        for judge_rule, rule in plan.per_rule:
            if rule.id not in plan.dated or in_force(rule, referral_day):
                judge_rule(judge)
    else:
        for judge_rule, _ in plan.per_rule:
            judge_rule(judge)
    for requests, rules in plan.together:
        requests(rules, judge)
    return Result(
        case.case_id,
        day,
        plan.stamp,
        tuple(judge.deadlines),
        tuple(judge.violations),
        tuple(judge.warnings),
        tuple(judge.permitted),
        tuple(judge.obligations),
        tuple(judge.missing),
    )


def _evaluation_date(as_of: object) -> date | datetime:
    """``as_of`` as a date or datetime: now in London when omitted; an ISO 8601 date or
    date-time string is read as one; anything else is refused."""
    if as_of is None:
        return Now.now(LONDON)
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str) and len(as_of) <= 40:
        try:
            return date.fromisoformat(as_of) if len(as_of) == 10 else datetime.fromisoformat(as_of)
        except ValueError:
            pass
        raise EvaluationDateError(
            "as_of must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM)"
        )
    raise EvaluationDateError(
        f"as_of must be a date, a datetime or an ISO 8601 string, not {type(as_of).__name__}"
    )


@dataclass(frozen=True)
class _Plan:
    """What evaluation needs from a policy that does not depend on the case, built once per
    loaded policy (``Policy.derived``): the judging of each rule on its own, in pack order
    (what its kind's ``prepare`` builds for it, else its kind's ``evaluate``); then each
    kind that judges rules together (the requested actions) with every rule it concerns,
    which it narrows to those in force (``Judge.in_force``); the memo of citations; and
    the pack's stamp on results."""

    per_rule: tuple[tuple[Callable[[Judge], None], Rule], ...]
    together: tuple[tuple[Callable[[Any, Judge], None], tuple[Rule, ...]], ...]
    dated: frozenset[str]
    memo: Memo
    stamp: PackStamp

    @classmethod
    def build(cls, policy: Policy) -> _Plan:
        together = tuple(
            (kind.requests, tuple(r for r in policy.rules if kind.concerns(r)))
            for kind in KINDS.values()
            if kind.requests is not None and kind.concerns is not None
        )
        judged_together = {id(r) for _, rules in together for r in rules}
        per_rule: list[tuple[Callable[[Judge], None], Rule]] = []
        for rule in policy.rules:
            kind = kind_of(rule)
            if id(rule) in judged_together:
                continue
            if kind.prepare is not None:
                per_rule.append((kind.prepare(rule, policy), rule))
            elif kind.evaluate is not None:
                per_rule.append((partial(kind.evaluate, rule), rule))
        return cls(
            per_rule=tuple(per_rule),
            together=together,
            dated=frozenset(r.id for r in policy.rules if r.effective_from or r.effective_to),
            memo=Memo(),
            stamp=PackStamp(policy.id, policy.version, policy.content_hash),
        )
