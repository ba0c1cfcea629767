"""The policy-pack format: frozen pydantic models of what a pack's YAML says.

``docs/pack-format.md`` explains each part for policy authors; ``schemas/policy-pack.schema.json``
is the JSON Schema generated from these models (``scripts/generate_schemas.py``).
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from assess_rules.calendar import Counting, Region
from assess_rules.case import Role

__all__ = [
    "AuthorityRule",
    "CalendarSettings",
    "CancellationReason",
    "CancellationRule",
    "CaseloadReviewRule",
    "CheckRule",
    "ConsentRule",
    "Duration",
    "Extension",
    "ObligationRule",
    "Pack",
    "PackInfo",
    "Parameter",
    "ProhibitionRule",
    "ReadingChange",
    "RecordKindDefinition",
    "RecurringClosure",
    "RecurringRule",
    "RemovedRule",
    "RiseThreshold",
    "RoleDefinition",
    "Rule",
    "SourceDocument",
    "SourceRef",
    "Step",
    "TimescaleRule",
    "Vocabulary",
    "WarningRule",
]

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=80)]
Condition = Annotated[
    str,
    Field(min_length=1, max_length=2000, description="a condition in the pack condition language"),
]
FactName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_.]*$", max_length=120)]
Collection = Literal[
    "strategy_discussions", "complaints", "cancellations", "returns_home", "emergency_actions"
]
Severity = Literal["low", "medium", "high"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(_Strict):
    """Where a rule comes from: a catalogue ID and the source's paragraph."""

    id: str = Field(pattern=r"^[A-Z]+-[A-Za-z0-9.\-]+$", description="catalogue ID")
    para: str = Field(min_length=1, description="paragraph or section of the source")


ParameterName = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=60,
        description="the name of one of the pack's parameters (no dots, unlike a fact)",
    ),
]


class Parameter(_Strict):
    """A named number rules refer to (``assessment_days: {value: 45}``), so a council that
    changes it changes every rule that uses it, and no number is written twice."""

    value: int = Field(ge=0, le=10_000)
    description: str | None = None
    sources: tuple[SourceRef, ...] = ()


class Duration(_Strict):
    """An amount of time: ``{amount: 5, unit: working_days}``; the amount may name one of
    the pack's parameters (``{amount: assessment_days, unit: working_days}``)."""

    amount: Annotated[int, Field(ge=0, le=10_000)] | ParameterName = Field(
        description="a whole number, or a parameter's name"
    )
    unit: Literal["working_days", "calendar_days", "hours", "weeks", "months"]

    @property
    def count(self) -> int:
        """The amount as a number (the loader resolves parameter names before evaluation)."""
        if isinstance(self.amount, str):
            raise ValueError(f"parameter {self.amount!r} is not resolved")
        return self.amount


class Extension(_Strict):
    """A longer limit that applies when its condition holds."""

    id: Identifier
    when: Condition
    within: Duration
    sources: tuple[SourceRef, ...] = ()
    note: str | None = None


class Step(_Strict):
    """One thing that must be recorded: an oversight, an action or any moment fact."""

    id: Identifier
    title: str
    record: FactName | tuple[FactName, ...] = Field(
        description="the moment fact that shows the step was done; a list means any of them"
    )
    by: Role | None = Field(None, description="the lowest role that may record it")
    by_fact: FactName | None = Field(
        None, description="the role fact that says who recorded it (defaults to record + '.by')"
    )
    owner: Role | None = Field(None, description="who must do it (defaults to 'by')")
    after: FactName | None = Field(None, description="it counts only if recorded after this")
    before: FactName | None = Field(
        None, description="it must be recorded before this moment, once that moment exists"
    )
    within: Duration | None = None
    from_: FactName | None = Field(
        None, alias="from", description="what 'within' counts from (default: trigger)"
    )
    unless: Condition | None = None
    sources: tuple[SourceRef, ...] = ()
    note: str | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class _RuleBase(_Strict):
    id: Identifier
    title: str = Field(min_length=1)
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    note: str | None = Field(None, description="how an ambiguous phrase is read")
    effective_from: date | None = None
    effective_to: date | None = None
    severity: Severity = "high"
    override: bool = Field(False, description="replaces the rule of the same id it extends")


class TimescaleRule(_RuleBase):
    """A duty with a deadline: ``end`` must happen within ``within`` of ``start``."""

    kind: Literal["timescale"]
    applies_when: Condition | None = None
    for_each: Collection | None = None
    start: FactName
    start_at: Literal["event", "next_working_day"] = Field(
        "event",
        description="next_working_day: count from the start of the first working "
        "day that opens after the event (out-of-hours referrals)",
    )
    end: FactName | None = Field(None, description="the event that meets the duty")
    within: Duration
    counting: Counting | None = None
    extensions: tuple[Extension, ...] = ()
    owner: Role | None = None
    effect: Literal["violation", "warning"] = Field(
        "violation",
        description="what a missed deadline raises: a violation, or a warning where the "
        "source sets a target ('normally', 'should') rather than a limit",
    )


class CancellationReason(_Strict):
    """One allowed reason for cancelling, with the conditions it needs."""

    id: Identifier
    label: str
    grounds: tuple[Identifier, ...] = ()
    when: Condition | None = None
    requires_free_text: bool = False
    decided_by: Role | None = None
    sources: tuple[SourceRef, ...] = ()
    note: str | None = None


class CancellationRule(_RuleBase):
    """Who may cancel an assessment, for which reasons, after which steps."""

    kind: Literal["action", "cancellation"] = Field(
        description="'action' (any action: not progressing, closing with signposting, "
        "finalising, sharing, ...); 'cancellation' is its older name"
    )
    action: Identifier = Field(
        "cancel_assessment",
        description="the action requested (cancel_assessment, not_progress_assessment, ...)",
    )
    unlisted_reasons: Literal["refuse", "undecided"] = Field(
        "refuse",
        description="a request with a reason not listed here is refused, or (undecided) left "
        "to a manager to decide with a recorded rationale",
    )
    applies_when: Condition | None = None
    recommended_by: Role | None = None
    decided_by: Role
    higher_roles_may_decide: bool | None = None
    requires: tuple[Step, ...] = ()
    reasons: tuple[CancellationReason, ...] = Field(min_length=1)


class ConsentRule(_RuleBase):
    """What a consent branch requires: its steps, and what it permits or forbids."""

    kind: Literal["consent"]
    branch: Literal["declined", "withdrawn_before_visit", "withdrawn_after_visit", "overridden"]
    applies_when: Condition | None = None
    owner: Role | None = None
    steps: tuple[Step, ...] = ()


class ObligationRule(_RuleBase):
    """Steps that become due when ``when`` holds, counted from ``trigger``."""

    kind: Literal["obligation"]
    when: Condition
    trigger: FactName
    judged_at: Literal["evaluation", "trigger"] = Field(
        "evaluation",
        description="judge 'when' as the case stands now, or as it stood at the trigger "
        "(so a later change does not erase a duty that arose)",
    )
    for_each: Collection | None = None
    owner: Role | None = None
    steps: tuple[Step, ...] = Field(min_length=1)


class WarningRule(_RuleBase):
    """Advice, not a prohibition: reported when ``when`` holds."""

    kind: Literal["warning"]
    when: Condition
    action: Identifier | None = None
    for_each: Collection | None = Field(
        None, description="warn about each item of a collection (not with 'action')"
    )
    message: str


class ProhibitionRule(_RuleBase):
    """An action that is not permitted while ``when`` holds."""

    kind: Literal["prohibition"]
    action: Identifier = "cancel_assessment"
    grounds: tuple[Identifier, ...] = Field(
        (), description="only reasons with one of these grounds (empty: every reason)"
    )
    except_grounds: tuple[Identifier, ...] = Field(
        (), description="not reasons with one of these grounds"
    )
    effect: Literal["refuse", "undecided"] = Field(
        "refuse",
        description="refuse the action, or leave it undecidable, for a manager to decide",
    )
    when: Condition
    message: str


class CheckRule(_RuleBase):
    """A violation whenever ``violation_when`` holds."""

    kind: Literal["check"]
    violation_when: Condition
    for_each: Collection | None = None
    message: str


class AuthorityRule(_RuleBase):
    """Who may take an action recorded in the case, and what else it needs."""

    kind: Literal["authority"]
    action: Identifier
    applies_when: Condition
    for_each: Collection | None = None
    role_fact: FactName = Field(description="the role fact that says who took the action")
    role: Role
    also_requires: Condition | None = None


class RecurringRule(_RuleBase):
    """A duty that comes back ("reviewed at least every 6 months"): a record of ``record``'s
    kind is due ``every`` after ``start``, then ``every`` after each one made (or after each
    due date missed), while ``applies_when`` holds and until ``until`` happens."""

    kind: Literal["recurring"]
    applies_when: Condition | None = None
    start: FactName = Field(description="when the first interval starts")
    every: Duration
    record: FactName = Field(description="oversight.<kind> or action.<kind>: what meets it")
    by: Role | None = Field(None, description="the lowest role whose record counts")
    until: FactName | None = Field(None, description="the duty stops once this happens")
    owner: Role | None = None


class RiseThreshold(_Strict):
    """When a rise from one period to the next counts as significant."""

    percent: int = Field(ge=0, le=10_000, description="rise over the previous period, in %")
    minimum_increase: int = Field(
        1, ge=0, description="and at least this many more than the previous period"
    )


class CaseloadReviewRule(_RuleBase):
    """A rule over many cases: a measure counted each period, reviewed by a role, with a
    follow-up when it rises significantly. Evaluated by ``assess_rules.caseload``, not per
    case."""

    kind: Literal["caseload_review"]
    measure: Literal["cancelled_assessments"]
    period: Literal["month"] = "month"
    reviewed_by: Role
    significant_rise: RiseThreshold
    follow_up: str = Field(description="what a significant rise triggers, e.g. 'dip review'")


Rule = Annotated[
    TimescaleRule
    | CancellationRule
    | ConsentRule
    | ObligationRule
    | WarningRule
    | ProhibitionRule
    | CheckRule
    | AuthorityRule
    | RecurringRule
    | CaseloadReviewRule,
    Field(discriminator="kind"),
]


class SourceDocument(_Strict):
    """A document the pack encodes."""

    id: Identifier
    title: str
    file: str | None = None


class ReadingChange(_Strict):
    """A reading of the sources that changed in a version of the pack, for the pack page's
    "Readings changed" section: what a manager would now be told differently, and why."""

    version: str = Field(min_length=1, description="the pack version that made the change")
    rules: tuple[Identifier, ...] = Field(
        min_length=1, description="the rules of this pack (or the one it extends) it changed"
    )
    summary: str = Field(min_length=1, description="what changed and why, in plain words")


class PackInfo(_Strict):
    """Who the pack is for, what it encodes and what it extends."""

    id: Identifier
    title: str
    authority: str
    version: str = Field(min_length=1)
    effective_from: date | None = None
    effective_to: date | None = None
    description: str | None = None
    documents: tuple[SourceDocument, ...] = ()
    extends: Identifier | None = None
    override_policy: str | None = Field(
        None, description="what this pack changes in the one it extends, in words"
    )
    changes: tuple[ReadingChange, ...] = Field(
        (), description="readings of the sources changed by each version, newest first"
    )


class RecurringClosure(_Strict):
    """A local closure day that comes back every year: a date (``every: "12-24"``, every 24
    December) or ``friday_before_monday_bank_holidays`` (the Friday before each bank holiday
    that falls on a Monday)."""

    label: str = Field(min_length=1)
    every: str | None = Field(
        None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", description="MM-DD"
    )
    rule: Literal["friday_before_monday_bank_holidays"] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> RecurringClosure:
        if (self.every is None) == (self.rule is None):
            raise ValueError("a recurring closure gives either 'every' (MM-DD) or 'rule'")
        return self


class CalendarSettings(_Strict):
    """The working-day calendar: region, counting convention, local closures."""

    region: Region = Region.ENGLAND_AND_WALES
    counting: Counting = Counting.DAY0
    closures: tuple[date, ...] = Field(
        (), description="closure days listed one by one (a list that ends is warned about)"
    )
    recurring_closures: tuple[RecurringClosure, ...] = Field(
        (), description="closure days that come back every year"
    )
    office_opens: Annotated[
        time,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
                "description": 'when the office opens, HH:MM in London (quote it: "09:00")',
            }
        ),
    ] = time(9, 0)
    note: str | None = None


class RoleDefinition(_Strict):
    """A role on the pack's approver ladder, with the pack's own name for it."""

    id: Role
    label: str
    aliases: tuple[str, ...] = ()


class RemovedRule(_Strict):
    """A rule of the extended pack that this pack does not apply, and why."""

    id: Identifier
    reason: str


class RecordKindDefinition(_Strict):
    """One word of a pack's vocabulary: an action someone may ask to do, or a kind of
    record (management oversight, something done) the case-management system keeps."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
    label: str = Field(min_length=1)
    description: str | None = None


class Vocabulary(_Strict):
    """The words a case may use, declared by packs: ``generic_s17`` declares the national
    ones and a pack that extends it adds its own (it inherits the extended packs' words).

    - ``requestable_actions``: what someone may ask to do (a request's ``action``, and the
      ``action`` of a rule of kind ``action``, ``prohibition`` or ``warning``);
    - ``oversight_kinds``: a manager's record (facts ``oversight.<kind>``, ``.by``,
      ``.agrees``);
    - ``action_kinds``: something done on the case (fact ``action.<kind>``).
    """

    requestable_actions: tuple[RecordKindDefinition, ...] = ()
    oversight_kinds: tuple[RecordKindDefinition, ...] = ()
    action_kinds: tuple[RecordKindDefinition, ...] = ()


class Pack(_Strict):
    """A whole policy pack as written in one file (before ``extends`` is resolved)."""

    pack: PackInfo
    vocabulary: Vocabulary | None = Field(
        None,
        description="the actions and record kinds this pack declares (generic_s17: the "
        "national ones; a council pack: its own)",
    )
    calendar: CalendarSettings | None = None
    roles: tuple[RoleDefinition, ...] | None = None
    roles_note: str | None = Field(
        None,
        description="how the ladder is read: for example that group manager below service "
        "manager is an assumption (no source ranks them)",
    )
    higher_roles_may_act: bool | None = Field(
        None, description="a duty naming a role may be done by a higher one (default true)"
    )
    parameters: dict[ParameterName, Parameter] = Field(
        default_factory=dict,
        description="named numbers the rules use; a pack that extends another may change them",
    )
    removed_rules: tuple[RemovedRule, ...] = ()
    rules: tuple[Rule, ...] = ()
