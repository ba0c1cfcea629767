"""The policy-pack format: frozen pydantic models of what a pack's YAML says.

``docs/pack-format.md`` explains each part for policy authors; ``schemas/policy-pack.schema.json``
is the JSON Schema generated from these models (``python -m assess_rules.schemas``). Every field
carries a description in plain words for policy authors (a ``Field(description=...)`` or the
docstring under it), which editors show as help; a test fails on a field without one.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator
from typing_extensions import TypeAliasType

from assess_rules.calendar import Counting, Region
from assess_rules.case import Role

__all__ = [
    "FACT_NAME_PATTERN",
    "FACT_TYPES",
    "AuthorityRule",
    "CalendarSettings",
    "CancellationReason",
    "CancellationRule",
    "CaseloadReviewRule",
    "CheckRule",
    "ConsentRule",
    "Duration",
    "Extension",
    "LintIgnore",
    "LintSettings",
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
#: a condition in the pack's condition language (docs/conditions.md); each field that takes
#: one says in its own description what the condition decides
Condition = Annotated[str, Field(min_length=1, max_length=2000)]
#: the form of every fact name (``referral.received``); the schema lists the national ones
FACT_NAME_PATTERN = r"^[a-z_][a-z0-9_.]*$"
_FactText = Annotated[str, Field(pattern=FACT_NAME_PATTERN, max_length=120)]
#: a fact that is a moment or a date (what a duty counts from, or what meets it)
MomentFact = TypeAliasType("MomentFact", _FactText)
#: a fact that says which role did something (``oversight.<kind>.by``)
RoleFact = TypeAliasType("RoleFact", _FactText)
#: a fact that is a kind of record (``oversight.<kind>`` or ``action.<kind>``)
RecordFact = TypeAliasType("RecordFact", _FactText)
#: each fact type's name in the JSON Schema (``$defs``), and the fact types it accepts; the
#: generator (:mod:`assess_rules.schemas`) lists the national facts of those types there
FACT_TYPES: dict[str, tuple[str, ...]] = {
    "MomentFact": ("moment", "date"),
    "RoleFact": ("role",),
    "RecordFact": ("moment",),
}
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
    """The number, a whole number from 0 to 10,000."""
    description: str | None = None
    """What the number is for, in words, shown on the pack page."""
    sources: tuple[SourceRef, ...] = ()
    """Where the number comes from: catalogue IDs and paragraphs."""


class Duration(_Strict):
    """An amount of time: ``{amount: 5, unit: working_days}``; the amount may name one of
    the pack's parameters (``{amount: assessment_days, unit: working_days}``)."""

    amount: Annotated[int, Field(ge=0, le=10_000)] | ParameterName = Field(
        description="a whole number, or a parameter's name"
    )
    unit: Literal["working_days", "calendar_days", "hours", "weeks", "months"]
    """What the amount counts: working days, calendar days, hours, weeks or months."""

    @property
    def count(self) -> int:
        """The amount as a number (the loader resolves parameter names before evaluation)."""
        if isinstance(self.amount, str):
            raise ValueError(f"parameter {self.amount!r} is not resolved")
        return self.amount


class Extension(_Strict):
    """A longer limit that applies when its condition holds."""

    id: Identifier
    """A short name for this extension, unique within the rule (lower-case letters, digits, '-' and
    '_')."""
    when: Condition
    """A condition: the longer limit applies while it holds."""
    within: Duration
    """The longer limit that applies when the extension's condition holds."""
    sources: tuple[SourceRef, ...] = ()
    """Where the extension comes from: catalogue IDs and paragraphs."""
    note: str | None = None
    """How an ambiguous phrase in the source is read, in words."""


class Step(_Strict):
    """One thing that must be recorded: an oversight, an action or any moment fact."""

    id: Identifier
    """A short name for this step, unique within the rule (lower-case letters, digits, '-' and
    '_')."""
    title: str
    """What the step is, in a few words, as a manager would say it."""
    record: MomentFact | tuple[MomentFact, ...] = Field(
        description="the moment fact that shows the step was done; a list means any of them"
    )
    by: Role | None = Field(None, description="the lowest role that may record it")
    by_fact: RoleFact | None = Field(
        None, description="the role fact that says who recorded it (defaults to record + '.by')"
    )
    owner: Role | None = Field(None, description="who must do it (defaults to 'by')")
    after: MomentFact | None = Field(None, description="it counts only if recorded after this")
    before: MomentFact | None = Field(
        None, description="it must be recorded before this moment, once that moment exists"
    )
    within: Duration | None = None
    """How long there is to record the step, counted from 'from' (or the rule's trigger)."""
    from_: MomentFact | None = Field(
        None, alias="from", description="what 'within' counts from (default: trigger)"
    )
    unless: Condition | None = None
    """A condition under which the step is not needed."""
    sources: tuple[SourceRef, ...] = ()
    """Where the step comes from: catalogue IDs and paragraphs."""
    note: str | None = None
    """How an ambiguous phrase in the source is read, in words."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class _RuleBase(_Strict):
    id: Identifier
    """The rule's name, unique in the pack (lower-case letters, digits, '-' and '_'); findings name
    it."""
    title: str = Field(min_length=1)
    """What the rule requires, in a few words, as a manager would say it."""
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    """Where the rule comes from: at least one catalogue ID with the source's paragraph."""
    note: str | None = Field(None, description="how an ambiguous phrase is read")
    effective_from: date | None = None
    """The first day the rule applies (YYYY-MM-DD); cases referred earlier are not judged by it."""
    effective_to: date | None = None
    """The last day the rule applies (YYYY-MM-DD)."""
    severity: Severity = "high"
    """How serious a breach is: low, medium or high (the default)."""
    override: bool = Field(False, description="replaces the rule of the same id it extends")


class TimescaleRule(_RuleBase):
    """A duty with a deadline: ``end`` must happen within ``within`` of ``start``."""

    kind: Literal["timescale"]
    """timescale: something must happen within a time of something else."""
    applies_when: Condition | None = None
    """A condition: the duty exists only for cases where it holds."""
    for_each: Collection | None = None
    """Apply the duty to each item of a list in the case (each strategy discussion, ...), one
    deadline per item."""
    start: MomentFact
    """The fact whose moment the time is counted from, e.g. referral.received."""
    start_at: Literal["event", "next_working_day"] = Field(
        "event",
        description="next_working_day: count from the start of the first working "
        "day that opens after the event (out-of-hours referrals)",
    )
    end: MomentFact | None = Field(None, description="the event that meets the duty")
    within: Duration
    """How long there is: an amount and a unit."""
    counting: Counting | None = None
    """Whether the day of the start is day 0 (the default) or day 1; leave it out to use the pack
    calendar's."""
    extensions: tuple[Extension, ...] = ()
    """Longer limits that apply when their condition holds; the first that holds is used."""
    owner: Role | None = None
    """The role responsible for meeting the deadline."""
    effect: Literal["violation", "warning"] = Field(
        "violation",
        description="what a missed deadline raises: a violation, or a warning where the "
        "source sets a target ('normally', 'should') rather than a limit",
    )


class CancellationReason(_Strict):
    """One allowed reason for cancelling, with the conditions it needs."""

    id: Identifier
    """The reason's name, as a request in the case gives it (lower-case letters, digits, '-' and
    '_')."""
    label: str
    """The reason as the source words it."""
    grounds: tuple[Identifier, ...] = ()
    """Groups this reason belongs to, which prohibitions can name instead of listing reasons."""
    when: Condition | None = None
    """A condition: the reason may be used only while it holds."""
    requires_free_text: bool = False
    """The request must explain the reason in its own words."""
    decided_by: Role | None = None
    """The role that decides a request for this reason, if not the rule's decided_by."""
    sources: tuple[SourceRef, ...] = ()
    """Where the reason comes from: catalogue IDs and paragraphs."""
    note: str | None = None
    """How an ambiguous phrase in the source is read, in words."""


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
    """A condition: the rule governs the action only in cases where it holds."""
    recommended_by: Role | None = None
    """The role that recommends the action before it is decided."""
    decided_by: Role
    """The role that decides the action."""
    higher_roles_may_decide: bool | None = None
    """Whether a role above decided_by may decide too; leave it out to use the pack's
    higher_roles_may_act."""
    requires: tuple[Step, ...] = ()
    """Steps that must be recorded before the action is allowed."""
    reasons: tuple[CancellationReason, ...] = Field(min_length=1)
    """The reasons the action may be taken for, at least one."""


class ConsentRule(_RuleBase):
    """What a consent branch requires: its steps, and what it permits or forbids."""

    kind: Literal["consent"]
    """consent: what a consent branch (declined, withdrawn, overridden) requires."""
    branch: Literal["declined", "withdrawn_before_visit", "withdrawn_after_visit", "overridden"]
    """Which consent branch: declined, withdrawn_before_visit, withdrawn_after_visit or
    overridden."""
    applies_when: Condition | None = None
    """A condition: the rule applies only in cases where it holds."""
    owner: Role | None = None
    """The role responsible for the steps."""
    steps: tuple[Step, ...] = ()
    """What must be recorded on this branch."""


class ObligationRule(_RuleBase):
    """Steps that become due when ``when`` holds, counted from ``trigger``."""

    kind: Literal["obligation"]
    """obligation: steps that fall due when something happens."""
    when: Condition
    """A condition: the steps fall due while it holds."""
    trigger: MomentFact
    """The fact whose moment the steps' times are counted from."""
    judged_at: Literal["evaluation", "trigger"] = Field(
        "evaluation",
        description="judge 'when' as the case stands now, or as it stood at the trigger "
        "(so a later change does not erase a duty that arose)",
    )
    for_each: Collection | None = None
    """Apply the rule to each item of a list in the case (each complaint, ...)."""
    owner: Role | None = None
    """The role responsible for the steps."""
    steps: tuple[Step, ...] = Field(min_length=1)
    """What must be recorded, at least one step."""


class WarningRule(_RuleBase):
    """Advice, not a prohibition: reported when ``when`` holds."""

    kind: Literal["warning"]
    """warning: advice shown when a condition holds; it refuses nothing."""
    when: Condition
    """A condition: the warning is shown while it holds."""
    action: Identifier | None = None
    """The action the warning is about (cancel_assessment, ...); the warning is then shown with that
    action's options."""
    for_each: Collection | None = Field(
        None, description="warn about each item of a collection (not with 'action')"
    )
    message: str
    """The advice, in plain words, as a manager will read it."""


class ProhibitionRule(_RuleBase):
    """An action that is not permitted while ``when`` holds."""

    kind: Literal["prohibition"]
    """prohibition: an action that is not permitted while a condition holds."""
    action: Identifier = "cancel_assessment"
    """The action it forbids (cancel_assessment unless given)."""
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
    """A condition: the action is forbidden while it holds."""
    message: str
    """Why the action is refused, in plain words, as a manager will read it."""


class CheckRule(_RuleBase):
    """A violation whenever ``violation_when`` holds."""

    kind: Literal["check"]
    """check: a violation whenever a condition holds."""
    violation_when: Condition
    """A condition: the case is in breach while it holds."""
    for_each: Collection | None = None
    """Check each item of a list in the case (each strategy discussion, ...)."""
    message: str
    """What is wrong, in plain words, as a manager will read it."""


class AuthorityRule(_RuleBase):
    """Who may take an action recorded in the case, and what else it needs."""

    kind: Literal["authority"]
    """authority: who may take an action recorded in the case."""
    action: Identifier
    """The action whose authority is checked (a short name, e.g. end_s47_enquiry)."""
    applies_when: Condition
    """A condition that says the action was taken."""
    for_each: Collection | None = None
    """Check each item of a list in the case (each strategy discussion, ...)."""
    role_fact: RoleFact = Field(description="the role fact that says who took the action")
    role: Role
    """The lowest role that may take the action."""
    also_requires: Condition | None = None
    """A condition that must also hold when the action is taken."""


class RecurringRule(_RuleBase):
    """A duty that comes back ("reviewed at least every 6 months"): a record of ``record``'s
    kind is due ``every`` after ``start``, then ``every`` after each one made (or after each
    due date missed), while ``applies_when`` holds and until ``until`` happens."""

    kind: Literal["recurring"]
    """recurring: a duty that comes back, such as a review every 6 months."""
    applies_when: Condition | None = None
    """A condition: the duty exists only while it holds."""
    start: MomentFact = Field(description="when the first interval starts")
    every: Duration
    """How often the duty comes back: an amount and a unit."""
    record: RecordFact = Field(description="oversight.<kind> or action.<kind>: what meets it")
    by: Role | None = Field(None, description="the lowest role whose record counts")
    until: MomentFact | None = Field(None, description="the duty stops once this happens")
    owner: Role | None = None
    """The role responsible for the duty."""


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
    """caseload_review: a measure over many cases, reviewed each period."""
    measure: Literal["cancelled_assessments"]
    """What is counted each period."""
    period: Literal["month"] = "month"
    """How long each period is (a calendar month)."""
    reviewed_by: Role
    """The role that reviews the count each period."""
    significant_rise: RiseThreshold
    """How large a rise from one period to the next must be to call for the follow-up."""
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
    """A short name for the document (lower-case letters, digits, '-' and '_')."""
    title: str
    """The document's title, as published."""
    file: str | None = None
    """The file name of the document's text, if kept with the sources."""


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
    """The pack's name, used to load it and in every result (lower-case letters, digits, '-' and
    '_')."""
    title: str
    """The pack's title, as the protocol is called."""
    authority: str
    """The council (or body) whose protocol this is."""
    version: str = Field(min_length=1)
    """The pack's version; quote it ("1.2.0"), or YAML may read it as a number."""
    effective_from: date | None = None
    """The first referral date the pack applies to (YYYY-MM-DD)."""
    effective_to: date | None = None
    """The last referral date the pack applies to (YYYY-MM-DD)."""
    description: str | None = None
    """What the pack covers, in a few sentences."""
    documents: tuple[SourceDocument, ...] = ()
    """The documents the pack encodes."""
    extends: Identifier | None = None
    """The pack this one starts from (a pack's id, e.g. generic_s17); its rules apply unless
    overridden or removed."""
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
    """What the closure day is called, e.g. Christmas Eve."""
    every: str | None = Field(
        None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", description="MM-DD"
    )
    rule: Literal["friday_before_monday_bank_holidays"] | None = None
    """friday_before_monday_bank_holidays: the Friday before each bank holiday that falls on a
    Monday (instead of 'every')."""

    @model_validator(mode="after")
    def _one_kind(self) -> RecurringClosure:
        if (self.every is None) == (self.rule is None):
            raise ValueError("a recurring closure gives either 'every' (MM-DD) or 'rule'")
        return self


class CalendarSettings(_Strict):
    """The working-day calendar: region, counting convention, local closures."""

    region: Region = Region.ENGLAND_AND_WALES
    """Whose bank holidays count: england_and_wales, scotland or northern_ireland."""
    counting: Counting = Counting.DAY0
    """Whether the day something happens is day 0 (trigger_is_day_0, the default) or day 1 of a time
    in working days."""
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
    """How the calendar is read, in words."""


class RoleDefinition(_Strict):
    """A role on the pack's approver ladder, with the pack's own name for it."""

    id: Role
    """The role's standard name (social_worker, team_manager, ...), which rules use."""
    label: str
    """The pack's own name for the role, as shown to readers."""
    aliases: tuple[str, ...] = ()
    """Other names the council uses for the same role."""


class RemovedRule(_Strict):
    """A rule of the extended pack that this pack does not apply, and why."""

    id: Identifier
    """The id of the extended pack's rule that does not apply here."""
    reason: str
    """Why it does not apply, in words."""


class RecordKindDefinition(_Strict):
    """One word of a pack's vocabulary: an action someone may ask to do, or a kind of
    record (management oversight, something done) the case-management system keeps."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
    """The kind's name as records in the case give it (lower-case letters, digits and '_')."""
    label: str = Field(min_length=1)
    """What the record is called, in words."""
    description: str | None = None
    """What the record is, in a sentence."""


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
    """What someone may ask to do that this pack adds (a request's action, and the action
    a rule of kind action, prohibition or warning governs)."""
    oversight_kinds: tuple[RecordKindDefinition, ...] = ()
    """Kinds of manager's record this pack adds (each gives the facts oversight.<kind>,
    oversight.<kind>.by and oversight.<kind>.agrees)."""
    action_kinds: tuple[RecordKindDefinition, ...] = ()
    """Kinds of action this pack adds (each gives the fact action.<kind>)."""


class LintIgnore(_Strict):
    """A lint finding silenced on purpose (``assess-rules lint``), with the reason why: every
    finding of lint ``id`` on rule ``rule`` (or role ``role``; neither: every finding of that
    lint in this file)."""

    id: str = Field(pattern=r"^AR[0-9]{3}$", description="the lint's id, e.g. 'AR101'")
    rule: Identifier | None = Field(None, description="only the findings on this rule")
    role: Role | None = Field(None, description="only the findings on this role")
    reason: str = Field(min_length=1, description="why the finding is right to silence here")


class LintSettings(_Strict):
    """What ``assess-rules lint`` should not report for this pack, and why."""

    ignore: tuple[LintIgnore, ...] = ()
    """The findings silenced, each with the lint's id, where it applies and why."""


class Pack(_Strict):
    """A whole policy pack as written in one file (before ``extends`` is resolved)."""

    pack: PackInfo
    """The pack's id, title, council and version, the documents it encodes and the pack it
    extends."""
    vocabulary: Vocabulary | None = Field(
        None,
        description="the actions and record kinds this pack declares (generic_s17: the "
        "national ones; a council pack: its own)",
    )
    calendar: CalendarSettings | None = None
    """The working-day calendar: region, counting and local closure days (inherited from the pack
    extended if left out)."""
    roles: tuple[RoleDefinition, ...] | None = None
    """The approver ladder, lowest role first (inherited from the pack extended if left out)."""
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
    """Rules of the extended pack that this pack does not apply, each with a reason."""
    rules: tuple[Rule, ...] = ()
    """The rules, each with a 'kind' that says what sort of rule it is."""
    lint: LintSettings | None = None
    """Lint findings silenced on purpose, each with its reason (docs/lint.md)."""
