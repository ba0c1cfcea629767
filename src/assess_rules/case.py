"""The case snapshot: everything the catalogue's rules read about one child's case.

A snapshot is a frozen pydantic model. Its names follow the DfE CIN census and Ofsted Annex A
where those formats hold the concept (``referral.received_at`` is ``CINreferralDate``,
``assessment.started_at`` is ``AssessmentActualStartDate``, ``assessment.authorised_at`` is
``AssessmentAuthorisationDate``); what they do not hold (consent, cancellations, approvers,
management oversight) comes from the case-management system.

Timestamps may carry a UTC offset; a naive timestamp is taken as Europe/London wall-clock time.
A date alone (``2026-12-18``) is read as the start of that day in London.

:func:`parse_case` validates a mapping (from JSON or YAML) and raises :class:`CaseError` with
every problem's field path, including the event-order contradictions of the catalogue.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)

from assess_rules.calendar import FIRST_SUPPORTED, LAST_SUPPORTED, LONDON, to_london
from assess_rules.errors import CaseError, CaseIssue

__all__ = [
    "PRESENTING_CONCERNS",
    "ROLES",
    "Action",
    "Assessment",
    "CancellationRequest",
    "CaseSnapshot",
    "Child",
    "ChildId",
    "Closure",
    "Complaint",
    "Concerns",
    "ConsentEvent",
    "EmergencyAction",
    "FamilyChild",
    "InitialConference",
    "ManagementOversight",
    "PreviousAssessment",
    "ProfessionalConversation",
    "Referral",
    "ReferralDecision",
    "ReturnHome",
    "Role",
    "Sibling",
    "StrategyDiscussion",
    "Visit",
    "parse_case",
    "per_child",
]

#: The approver ladder of the catalogue, lowest first. Packs may relabel these.
ROLES: tuple[str, ...] = (
    "social_worker",
    "team_manager",
    "group_manager",
    "service_manager",
    "head_of_service",
    "service_director",
)

Role = Literal[
    "social_worker",
    "team_manager",
    "group_manager",
    "service_manager",
    "head_of_service",
    "service_director",
]

PresentingConcern = Literal[
    "abuse_or_neglect",
    "disability",
    "parental_illness_or_disability",
    "family_in_acute_stress",
    "family_dysfunction",
    "socially_unacceptable_behaviour",
    "low_income",
    "absent_parenting",
    "other",
]
#: The CIN census primary need codes N1-N9, in the snapshot's words.
PRESENTING_CONCERNS: tuple[str, ...] = PresentingConcern.__args__  # type: ignore[attr-defined]


#: The only text a date field takes: ISO 8601 ``YYYY-MM-DD``.
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
#: The only text a moment field takes: an ISO 8601 date, or a date and time with minutes,
#: optional seconds (and fraction) and an optional UTC offset (``Z`` or ``+01:00``).
MOMENT_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
)
_DATE_TEXT = re.compile(DATE_PATTERN)
_MOMENT_TEXT = re.compile(MOMENT_PATTERN)
_MAX_TEXT = 64
#: The two shapes almost every moment takes (``2026-12-18``, ``2026-12-18T10:00``), in ASCII
#: digits: a subset of :data:`MOMENT_PATTERN` read without it (see :func:`_moment`).
_PLAIN_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2})?")


class _Checks:
    """What the validators of one :func:`parse_case` call report besides errors, passed to
    them as pydantic's validation context: whether any date or moment lies outside the
    range the calendar counts in (the issues, with their paths, are then found by a walk of
    the validated snapshot, :func:`_out_of_range`; most snapshots need no walk)."""

    __slots__ = ("out_of_range",)

    def __init__(self) -> None:
        self.out_of_range = False


def _in_range(day: date, info: ValidationInfo) -> None:
    """Note in the validation context (when :func:`parse_case` gave one) that ``day`` is
    outside the calendar's range."""
    if not FIRST_SUPPORTED <= day <= LAST_SUPPORTED:
        checks = info.context
        if isinstance(checks, _Checks):
            checks.out_of_range = True


def _moment(value: Any, info: ValidationInfo) -> datetime:
    """A moment field's value: :func:`_as_london`, reading the two common shapes of text
    (naive ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM``) the same way without its general
    pattern and conversion; notes a moment outside the calendar's range."""
    if type(value) is str and _PLAIN_MOMENT.fullmatch(value):
        try:
            naive = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not a real date or time (check the day of the month)") from None
        month = naive.month
        if month == 3 or month == 10 or naive.year < _STEADY_SINCE:
            _check_wall_clock(naive)
        # what ``to_london`` gives (``naive.replace(tzinfo=LONDON)``), built directly
        moment = datetime(naive.year, month, naive.day, naive.hour, naive.minute, 0, 0, LONDON)
    else:
        moment = _as_london(value)
    _in_range(moment.date(), info)
    return moment


#: From this year on, London changes its clocks only in March and October (the tz database,
#: and its rule for the years after it; checked day by day to 2200 in the tests), so a time
#: in another month is neither in the spring gap nor in the autumn fold.
_STEADY_SINCE = 1972


def _day(value: Any, info: ValidationInfo) -> Any:
    """A date field's value: :func:`_as_day`; notes a date outside the calendar's range."""
    day = _as_day(value)
    if day is not None:
        _in_range(day, info)
    return day


def _as_london(value: Any) -> datetime:
    """An aware London datetime from a datetime, a date (its start in London) or ISO 8601
    text. A naive time is London wall-clock time: one that does not exist (the hour the
    clocks go forward) is refused, and so is one that happens twice (the hour they go back)
    unless it carries its UTC offset. Anything else (numbers, week dates, ``20261201``) is
    refused; no message repeats the value."""
    if isinstance(value, str):
        if len(value) > _MAX_TEXT or not _MOMENT_TEXT.match(value):
            raise ValueError(
                "expected an ISO 8601 date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM, "
                "optional seconds and UTC offset)"
            )
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("not a real date or time (check the day of the month)") from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    elif not isinstance(value, datetime):
        raise ValueError(f"expected an ISO 8601 date or date-time as text, not {_kind_of(value)}")
    if value.tzinfo is None:
        _check_wall_clock(value)
    return to_london(value)


def _check_wall_clock(naive: datetime) -> None:
    """Refuse a London wall-clock time in the spring gap or the autumn fold."""
    if _steady_day(naive.date()):
        return
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() == second.utcoffset():
        return
    round_trip = first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    if round_trip != naive:
        raise ValueError(
            "this time does not exist in London: the clocks go forward an hour that night "
            "(give a time outside the missing hour, or a UTC offset)"
        )
    raise ValueError(
        "this time happens twice in London: the clocks go back an hour that night; "
        "give its UTC offset (+01:00 for the first, +00:00 for the second)"
    )


@lru_cache(maxsize=4096)
def _steady_day(day: date) -> bool:
    """Whether London keeps one UTC offset all through ``day`` (the clocks do not change
    that day: no time of it is missing or happens twice), so no time of it need be checked;
    London changes its clocks at most once a day."""
    start = datetime(day.year, day.month, day.day, tzinfo=LONDON)
    end = start.replace(hour=23, minute=59, second=59, microsecond=999_999)
    offsets = {moment.replace(fold=f).utcoffset() for moment in (start, end) for f in (0, 1)}
    return len(offsets) == 1


def _as_day(value: Any) -> Any:
    """A date from a date or ``YYYY-MM-DD`` text; nothing else (no numbers, no times)."""
    if isinstance(value, datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date) or value is None:
        return value
    if isinstance(value, str) and len(value) <= _MAX_TEXT and _DATE_TEXT.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("not a real date (check the day of the month)") from None
    raise ValueError(f"expected an ISO 8601 date (YYYY-MM-DD) as text, not {_kind_of(value)}")


def _kind_of(value: Any) -> str:
    """What a JSON value is, in words, without repeating it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "this text"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


#: A moment in Europe/London (naive input is London wall-clock time).
Moment = Annotated[
    datetime,
    BeforeValidator(_moment),
    WithJsonSchema({"type": "string", "pattern": MOMENT_PATTERN, "format": "date-time"}),
]
#: A date: ``YYYY-MM-DD`` text (or a ``date``), nothing else (no numbers, no times).
Day = Annotated[date, BeforeValidator(_day)]


class _Record(BaseModel):
    """A snapshot record. Booleans are booleans and dates are ``YYYY-MM-DD``: the published
    schema's reading, not pydantic's lenient one ("yes", "on", 1 and 1.0 are not true), so
    every boolean field is ``strict`` and every date field a :data:`Day`."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"additionalProperties": False},
    )


class Referral(_Record):
    """The referral: CIN ``CINreferralDate`` / Annex A List 3 "Date of Referral"."""

    received_at: Moment
    """When the referral was received (date and time, London time unless an offset is given)."""
    route: Literal["office_hours", "out_of_hours"] = "office_hours"
    """Whether it came in during office hours or out of hours."""
    source: str | None = Field(None, description="CIN ReferralSource code, e.g. '1A'")
    referrer_kind: Literal["professional", "member_of_public", "family", "self"] | None = None
    """Who referred: a professional, a member of the public, the family, or the child or young
    person themselves."""
    referrer_anonymous: bool = Field(
        False,
        strict=True,
        description="the referrer asked to stay anonymous (only a member of the public may: "
        "Bucks 2.5; a professional recorded so is a warning, not invalid input)",
    )


class ReferralDecision(_Record):
    """The decision on the type of response (Working Together's 1 working day)."""

    made_at: Moment
    """When the decision on the type of response was made."""
    made_by: Role | None = None
    """The role that made the decision."""
    response: Literal[
        "threshold_not_met",
        "early_help",
        "information_and_advice",
        "strategy_discussion",
        "assessment",
        "further_enquiries",
    ]
    """The response decided on: threshold not met, early help, information and advice, a strategy
    discussion, an assessment, or further enquiries first."""
    final_made_at: Moment | None = Field(
        None, description="after further enquiries in the MASH: the final decision's time"
    )
    final_response: (
        Literal[
            "threshold_not_met",
            "early_help",
            "information_and_advice",
            "strategy_discussion",
            "assessment",
        ]
        | None
    ) = None
    """After further enquiries: the response finally decided on."""


class Child(_Record):
    """The child: CIN ``ChildIdentifiers`` and ``ChildCharacteristics``."""

    date_of_birth: Day | None = Field(None, description="CIN PersonBirthDate")
    expected_birth_date: Day | None = Field(None, description="CIN ExpectedPersonBirthDate")
    disabled: bool | None = Field(None, strict=True, description="any CIN disability code but NONE")
    resides_in_area: bool | None = Field(
        None, strict=True, description="the child is ordinarily resident in the authority's area"
    )
    other_authority_responsible: bool | None = Field(
        None, strict=True, description="looked after by, or on a plan of, another local authority"
    )
    died_on: Day | None = Field(None, description="CIN PersonDeathDate")
    pregnancy_ended: Literal["termination", "miscarriage", "still_birth"] | None = None
    """For an unborn child: how the pregnancy ended, if it did."""
    competent_to_consent: bool | None = Field(
        None, strict=True, description="age-appropriate and competent to consent for themselves"
    )
    non_resident_parent: bool | None = Field(
        None,
        strict=True,
        description="a parent lives elsewhere",
    )
    looked_after: bool | None = Field(
        None, strict=True, description="looked after by this authority (CIN census, Annex A List 6)"
    )
    agencies_involved: bool | None = Field(
        None,
        strict=True,
        description="the social worker knows of other agencies (school, health, police, ...) "
        "involved with the child and family (Bucks 4.3)",
    )
    remand: Literal["local_authority_accommodation", "youth_detention_accommodation"] | None = (
        Field(None, description="the YOS has told Children's Services of a remand (Bucks 7.3.1)")
    )
    remand_notified_at: Moment | None = Field(
        None, description="when the YOS told Children's Services of the remand"
    )


#: The most children one family case may list: each is evaluated on their own, so the bound
#: keeps one snapshot's cost in proportion (a larger family is split into several cases).
MAX_CHILDREN = 20

#: A child's id in a family case (``children[].id``), named by the events about that child.
ChildId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=40, description="a child's id")
]


class FamilyChild(Child):
    """One child of a family case (``children:``): the child's own details, with the id the
    events about them use (``visits[].children_seen``, ``oversight[].children``, ...). CIN
    census: one ``Child`` record each."""

    id: ChildId


class Concerns(_Record):
    """What is known of risk: the facts thresholds and cancellation reasons turn on."""

    significant_harm_suspected: bool | None = Field(
        None, strict=True, description="reasonable cause to suspect significant harm (s47)"
    )
    level4_indicators: bool | None = Field(None, strict=True)
    """The referral shows indicators of level 4 need (the highest level on the threshold
    document)."""
    referral_malicious: bool | None = Field(
        None,
        strict=True,
        description="further information clearly shows the referral to be malicious",
    )
    new_risks: bool | None = Field(None, strict=True)
    """New risks have come to light since the last involvement."""
    circumstances_unchanged: bool | None = Field(
        None, strict=True, description="no significant change since the most recent assessment"
    )
    threshold_met: bool | None = Field(
        None,
        strict=True,
        description="after further enquiries, the threshold for an assessment is met",
    )
    case_open: bool | None = Field(None, strict=True, description="the family has an open case")
    plan_adhered_to: bool | None = Field(
        None,
        strict=True,
        description="the most recent plan (safety, moving forward or other) is adhered to",
    )
    previous_involvement_closed_on: Day | None = None
    """The day the family's previous involvement with children's services closed."""
    previous_involvement_met_threshold: bool | None = Field(
        None,
        strict=True,
        description="the previous involvement was assessed to meet Threshold for intervention "
        "(Bucks 2.6)",
    )
    presenting_concern: PresentingConcern | None = Field(
        None,
        description="the presenting concern, as the CIN census primary need (N1-N9); "
        "'disability' is N2, the child's disability or illness",
    )
    cwd_threshold_met: bool | None = Field(
        None,
        strict=True,
        description="a recorded decision that the child meets the threshold for the Children "
        "with Disabilities team (Bucks 7.2.2)",
    )
    fabricated_or_induced_illness: bool | None = Field(
        None,
        strict=True,
        description="the referral raises concerns that the child may have been subject to "
        "fabricated or induced illness (FII, Bucks 7.5.1)",
    )


class ConsentEvent(_Record):
    """One event in the consent history."""

    event: Literal["sought", "given", "declined", "withdrawn", "overridden"]
    """What happened: consent sought, given, declined, withdrawn, or overridden by a manager."""
    at: Moment
    """When it happened."""
    by: Literal["parent", "carer", "child", "young_person", "social_work_manager"] | None = Field(
        None, description="whose consent (or, for 'overridden', left empty)"
    )
    person: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="who, when several people hold parental responsibility (any stable id); "
        "each person's latest position counts",
    )
    written: bool | None = Field(None, strict=True)
    """Consent was given or withdrawn in writing."""
    obtained_by: Literal["front_door", "mash", "social_worker"] | None = None
    """Who obtained it: the Front Door, the MASH or the social worker."""
    overridden_by: Role | None = None
    """For an override: the role that decided to proceed without consent."""
    reasons_recorded: bool | None = Field(None, strict=True)
    """The reasons for the event (an override, say) are recorded on the file."""
    shared_with_partners: bool | None = Field(None, strict=True)
    """The decision was shared with partner agencies."""
    about: Literal["assessment", "information_sharing", "contacting_professionals"] | None = Field(
        None,
        description="what the consent is to: the assessment, sharing information with "
        "other agencies (Bucks 2.10, 4.2), or the social worker contacting the "
        "professionals involved (single assessments note)",
    )
    risk_of_harm_recorded: bool | None = Field(
        None,
        strict=True,
        description="for 'overridden': the record says the refusal would place the child at "
        "risk of harm (Bucks 2.10)",
    )


class Visit(_Record):
    """A visit to the family; ``child_seen`` is Annex A List 4 "Child Seen"."""

    at: Moment
    """When the visit took place."""
    child_seen: bool = Field(False, strict=True)
    """The child was seen during the visit."""
    adults_seen: bool | None = Field(
        None,
        strict=True,
        description="the adults in the family (parents or carers) were seen at this visit",
    )
    s47_enquiry: bool = Field(
        False,
        strict=True,
        description="made as part of s47 enquiries rather than of the assessment",
    )
    children_seen: tuple[ChildId, ...] | None = Field(
        None,
        description="in a family case, the children seen at this visit (without it, "
        "child_seen says it of every child)",
    )


class StrategyDiscussion(_Record):
    """A strategy discussion; the one that initiated s47 is CIN ``S47ActualStartDate``."""

    held_at: Moment
    """When the strategy discussion was held."""
    initiated_s47: bool = Field(False, strict=True)
    """The discussion started section 47 enquiries."""
    concluded: bool = Field(True, strict=True)
    """The discussion reached its conclusion (true unless it was adjourned)."""
    outcome: Literal["s47_threshold_met", "s47_threshold_not_met", "no_further_action"] | None = (
        None
    )
    """What it decided: the section 47 threshold is met, is not met, or no further action."""
    record_shared_at: Moment | None = None
    """When the record of the discussion was shared with those who took part."""
    chaired_by: Role | None = Field(None, description="who chaired it (Bucks 6.2)")


class InitialConference(_Record):
    """The initial child protection conference: CIN ``DateOfInitialCPC``, ``ICPCnotRequired``."""

    held_at: Moment | None = None
    """When the initial child protection conference was held."""
    not_required: bool = Field(False, strict=True)
    """An initial conference was found not to be needed."""
    convened_at: Moment | None = Field(
        None, description="when the ICPC was convened (arranged), whether or not held yet"
    )


class EmergencyAction(_Record):
    """Emergency protective action (EPO, police protection)."""

    taken_at: Moment
    """When the emergency action was taken."""
    single_agency: bool = Field(False, strict=True)
    """One agency acted alone, without a strategy discussion first."""
    agency: Literal["local_authority", "police", "nspcc"] | None = Field(
        None, description="the agency that took the action"
    )
    planned: bool | None = Field(
        None,
        strict=True,
        description="planned emergency action, not a single agency acting immediately",
    )
    removal_from_home: bool | None = Field(
        None,
        strict=True,
        description="the child was removed from home",
    )
    epo_applied_at: Moment | None = Field(
        None, description="when an Emergency Protection Order was applied for"
    )
    immediate_risk_recorded: bool | None = Field(
        None,
        strict=True,
        description="recorded that the child's safety was otherwise at immediate risk, so no "
        "EPO could be sought first",
    )
    legal_action_at: Moment | None = Field(
        None, description="when other legal action was initiated (an EPO application also counts)"
    )
    legal_advice_at: Moment | None = Field(None, description="when legal advice was obtained")
    child_seen_at: Moment | None = Field(
        None,
        description="when a practitioner of the agency taking the action saw the child, to "
        "decide how best to protect them and whether to seek an EPO",
    )
    children_seen: tuple[ChildId, ...] | None = Field(
        None,
        description="in a family case, the children seen by that practitioner (without it, "
        "child_seen_at says it of every child)",
    )


#: The team or service a record was made by: the Front Door and MASH (referrals), the A&I or
#: locality teams (assessments), Early Help, Children with Disabilities, or another.
Team = Literal[
    "front_door",
    "mash",
    "assessment_and_intervention",
    "locality",
    "early_help",
    "children_with_disabilities",
    "other",
]

#: A record kind: one the pack the case is evaluated with declares (``vocabulary:``; the
#: national ones are declared by ``generic_s17``).
RecordKind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]


class ManagementOversight(_Record):
    """A recorded management oversight, case note or supervision discussion."""

    kind: RecordKind
    """What sort of record it is (allocation, mid_point_review, ...): a national kind or one the
    pack declares."""
    at: Moment
    """When it was recorded."""
    by: Role
    """The role of the person who recorded it."""
    agrees: bool | None = Field(None, strict=True)
    """The manager agrees with what is proposed (where the record is a decision on a proposal)."""
    note: str | None = None
    """What the record says, in short."""
    team: Team | None = Field(None, description="the team or service that recorded it")
    rescheduled_date: Day | None = Field(
        None,
        description="the new date set at this discussion (child_seen_delay: the date the "
        "child is now to be seen by, Bucks 2.11)",
    )
    children: tuple[ChildId, ...] | None = Field(
        None, description="in a family case, the children it concerns (default: all)"
    )


class Action(_Record):
    """Something done on the case (family told, chronology updated, ...)."""

    kind: RecordKind
    """What was done (family_informed, chronology_updated, ...): a national kind or one the pack
    declares."""
    at: Moment
    """When it was done."""
    by: Role | None = None
    """The role of the person who did it."""
    note: str | None = None
    """What was done, in short."""
    team: Team | None = Field(None, description="the team or service that acted")
    children: tuple[ChildId, ...] | None = Field(
        None, description="in a family case, the children it concerns (default: all)"
    )


class Assessment(_Record):
    """The child and family assessment: CIN ``Assessments`` / Annex A List 4."""

    trigger: Literal["referral", "s47", "automatic"] = "referral"
    """What started the assessment: the referral, section 47 enquiries, or an automatic start."""
    allocated_at: Moment | None = None
    """When the assessment was allocated to a worker."""
    allocated_team: (
        Literal[
            "assessment_team",
            "help_and_protection",
            "cp_and_court",
            "children_with_disabilities",
            "other",
        ]
        | None
    ) = None
    """The team the assessment was allocated to."""
    pre_birth_tier4: bool | None = Field(None, strict=True)
    """A pre-birth assessment at tier 4 (the highest level of need)."""
    started_at: Moment | None = Field(None, description="CIN AssessmentActualStartDate")
    timescale_set_at: Moment | None = None
    """When the team manager set the assessment's timescale."""
    completed_at: Moment | None = Field(None, description="submitted as complete")
    authorised_at: Moment | None = Field(None, description="CIN AssessmentAuthorisationDate")
    authorised_by: Role | None = None
    """The role that authorised the completed assessment."""
    status: Literal[
        "not_started", "in_progress", "completed", "partially_complete", "cancelled"
    ] = "in_progress"
    """Where the assessment stands: not started, in progress, completed, partially complete or
    cancelled."""
    outcome: Literal["no_further_action", "continued_involvement", "early_help"] | None = None
    """What the assessment concluded: no further action, continued involvement, or early help."""
    # A&I service pack (issue 10)
    completion_due_on: Day | None = Field(
        None,
        description="the completion date the team manager set (as last reviewed, at "
        "timescale_set_at); no CIN census field holds it",
    )
    allocated_worker: str | None = Field(
        None, description="Annex A List 4 'Allocated worker': who the assessment is allocated to"
    )
    family_disagreed_at: Moment | None = Field(
        None, description="when the family said they disagree with the assessment"
    )


class ProfessionalConversation(_Record):
    """The social worker's conversation with another professional involved with the family."""

    at: Moment
    """When the conversation took place."""
    family_agreed: bool | None = Field(
        None,
        strict=True,
        description="the family agreed to the social worker holding this conversation",
    )
    s47_enquiry: bool = Field(
        False,
        strict=True,
        description="held as part of s47 enquiries rather than of the assessment",
    )


class CancellationRequest(_Record):
    """A request to cancel (or not progress) the assessment and the decision on it."""

    action: str = Field(
        "cancel_assessment",
        pattern=r"^[a-z0-9][a-z0-9_\-]*$",
        max_length=80,
        description="what is asked: cancel_assessment, not_progress_assessment, ...",
    )
    reason: str = Field(
        min_length=1,
        max_length=80,
        pattern=r"\S",
        description="a reason id from the pack's rule for the action",
    )
    free_text: str | None = None
    """The request's own explanation of the reason."""
    line_management_discussed: bool | None = Field(None, strict=True)
    """The request was discussed with a line manager first."""
    recommended_by: Role | None = None
    """The role that recommended the request."""
    recommended_at: Moment | None = None
    """When it was recommended."""
    reassigned_at: Moment | None = Field(None, description="passed to the decider")
    decided_by: Role | None = None
    """The role that decided the request."""
    decided_at: Moment | None = None
    """When it was decided."""
    outcome: Literal["pending", "approved", "refused"] = "pending"
    """Whether the request is still pending, or was approved or refused."""


class PreviousAssessment(_Record):
    """An earlier assessment of the same child."""

    authorised_on: Day
    """The day the earlier assessment was authorised."""


class Complaint(_Record):
    """A complaint and its response."""

    received_at: Moment
    """When the complaint was received."""
    responded_at: Moment | None = None
    """When the complaint was responded to."""


class ReturnHome(_Record):
    """A child in care returned home, and who consented."""

    circumstance: Literal["police_protection", "section_20_withdrawn", "care_order", "section_20"]
    """How the child had been away from home: police protection, section 20 accommodation (ended or
    withdrawn), or a care order."""
    at: Moment
    """When the child returned home."""
    consented_by: Role | None = None
    """The role that agreed to the return."""
    appropriateness_assessed_at: Moment | None = Field(
        None,
        description="when the assessment of the appropriateness of the return home was "
        "recorded (Bucks 8.1)",
    )
    planned: bool | None = Field(None, strict=True, description="a planned return home (Bucks 8.5)")
    looked_after_review_at: Moment | None = Field(
        None,
        description="the looked-after review (or urgent review) that agreed the plan and its "
        "timing",
    )
    next_review_due_on: Day | None = Field(
        None, description="the next looked-after review as scheduled when the return was planned"
    )


class Sibling(_Record):
    """A brother or sister of the child, as far as this case records them."""

    name: str | None = Field(None, description="how the case refers to them")
    referral_accepted: bool | None = Field(
        None,
        strict=True,
        description="their own referral has been accepted by children's social care",
    )
    needs_assessed_at: Moment | None = Field(
        None,
        description="when their individual needs were assessed (their own assessment, or "
        "distinctly within a family assessment)",
    )
    allocated_worker: str | None = Field(
        None, description="who their assessment is allocated to (none: not allocated yet)"
    )


class Closure(_Record):
    """The closure of the child's record: CIN ``CINclosureDate`` and ``ReasonForClosure``."""

    closed_at: Moment
    """When the case was closed."""
    reason: str | None = Field(None, description="CIN ReasonForClosure code, e.g. 'RC8'")


class CaseSnapshot(_Record):
    """One case as recorded up to some moment; see the module docstring.

    >>> case = parse_case({"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"}})
    >>> case.referral.received_at.isoformat()
    '2026-12-18T10:00:00+00:00'
    """

    case_id: str = Field(min_length=1, max_length=200, pattern=r"\S")
    """The case's identifier in the case-management system; results carry it."""
    referral: Referral
    """The referral that started this episode."""
    decision: ReferralDecision | None = None
    """The decision on the type of response to the referral."""
    child: Child = Child()
    """What is known about the child."""
    children: tuple[FamilyChild, ...] = Field((), max_length=MAX_CHILDREN)
    """A family case: the children of one family, each judged by the rules on their own
    (instead of child)."""
    concerns: Concerns = Concerns()
    """The concerns the referral raises, as judged so far."""
    consent: tuple[ConsentEvent, ...] = ()
    """Every consent event, in the order they happened."""
    visits: tuple[Visit, ...] = ()
    """Every visit to the child or family."""
    strategy_discussions: tuple[StrategyDiscussion, ...] = ()
    """Every strategy discussion held."""
    initial_conference: InitialConference | None = None
    """The initial child protection conference, if any."""
    emergency_actions: tuple[EmergencyAction, ...] = ()
    """Every emergency action taken to protect the child."""
    oversight: tuple[ManagementOversight, ...] = ()
    """Every management oversight, case note or supervision record."""
    actions: tuple[Action, ...] = ()
    """Every recorded action (families informed, records updated, ...)."""
    assessment: Assessment | None = None
    """The child and family assessment, once there is one."""
    cancellations: tuple[CancellationRequest, ...] = ()
    """Every request to cancel or not progress the assessment, with its decision."""
    previous_assessments: tuple[PreviousAssessment, ...] = ()
    """Earlier assessments of the child."""
    complaints: tuple[Complaint, ...] = ()
    """Every complaint received about the case."""
    returns_home: tuple[ReturnHome, ...] = ()
    """Every return home of a child who had been away from home."""
    closure: Closure | None = None
    """The case's closure, if it is closed."""
    siblings: tuple[Sibling, ...] = ()
    """The child's brothers and sisters in the same referral."""
    professional_conversations: tuple[ProfessionalConversation, ...] = ()
    """Every conversation with another professional about the child."""


def parse_case(
    raw: Mapping[str, Any],
    *,
    source: str | None = None,
    vocabulary: RecordVocabulary | None = None,
    read_from: int | None = None,
) -> CaseSnapshot:
    """Validate ``raw`` as a case snapshot; raise :class:`CaseError` naming every bad field.

    Requested actions and oversight and action kinds are checked against ``vocabulary`` (the
    pack's: :attr:`Policy.vocabulary`), with the nearest declared word suggested; without
    one, only their form is checked (:func:`assess_rules.evaluate` checks them against the
    pack it evaluates with in any case).

    ``read_from`` is for a caller that has just read ``raw`` with
    :func:`assess_rules.records.loads_record`: the length of the text it read (characters,
    or bytes, which are never fewer). A record read from a short text cannot break the size
    bounds (:data:`MAX_ITEMS`, :data:`MAX_TEXT`, :data:`MAX_VALUES`) and a valid one cannot
    break :data:`MAX_DEPTH`, so they are then checked only if validation fails; the issues
    are the same either way.
    """
    if not isinstance(raw, Mapping):
        raise CaseError([CaseIssue((), f"expected an object, not {_kind_of(raw)}")], source=source)
    proven = read_from is not None and read_from <= _PROVEN_SIZE
    holds_records = False
    if not proven:
        found = _bounds_walk(raw)
        too_big = _first_oversize(raw) if found is None else None
        if too_big is not None:
            raise CaseError([too_big], source=source)
        holds_records = found is not False
    checks = _Checks()
    try:
        case = CaseSnapshot.model_validate(raw, context=checks)
    except ValidationError as exc:
        too_big = _oversized(raw) if proven else None
        if too_big is not None:
            raise CaseError([too_big], source=source) from None
        issues = [CaseIssue(tuple(err["loc"]), _describe(err)) for err in exc.errors()]
        raise CaseError(issues, source=source) from None
    # a record instance in ``raw`` is taken as it is, unseen by the validators: walk it
    dates = checks.out_of_range or holds_records
    unknown = unknown_kinds(case, vocabulary) if vocabulary is not None else []
    problems = [*unknown, *_contradictions(case, dates=dates), *_family_problems(case, dates)]
    if problems:
        raise CaseError(problems, source=source)
    return case


def per_child(case: CaseSnapshot) -> tuple[tuple[str, CaseSnapshot], ...]:
    """A family case as one snapshot per child, in the order listed: each with that child as
    ``child``, its visits saying whether that child was seen (``children_seen``), and only
    the oversight and action records that concern that child. A case with no ``children``
    gives nothing.

    >>> case = parse_case({"case_id": "F", "referral": {"received_at": "2026-12-01"},
    ...     "children": [{"id": "amy"}, {"id": "ben"}],
    ...     "visits": [{"at": "2026-12-02", "children_seen": ["amy"]}]})
    >>> [(i, one.visits[0].child_seen) for i, one in per_child(case)]
    [('amy', True), ('ben', False)]
    """
    out = []
    for member in case.children:
        visits = tuple(
            v
            if v.children_seen is None
            else v.model_copy(update={"child_seen": member.id in v.children_seen})
            for v in case.visits
        )
        emergency = tuple(
            e
            if e.children_seen is None or member.id in e.children_seen
            else e.model_copy(update={"child_seen_at": None})
            for e in case.emergency_actions
        )
        one = case.model_copy(
            update={
                "children": (),
                "emergency_actions": emergency,
                "child": Child.model_validate(member.model_dump(exclude={"id"})),
                "visits": visits,
                "oversight": tuple(
                    r for r in case.oversight if r.children is None or member.id in r.children
                ),
                "actions": tuple(
                    r for r in case.actions if r.children is None or member.id in r.children
                ),
            }
        )
        out.append((member.id, one))
    return tuple(out)


def _family_problems(case: CaseSnapshot, dates: bool = True) -> list[CaseIssue]:
    """A family case names its children once each, by ids its events use; a case with one
    child (``child``) names none."""
    if not case.children and not _names_children(case):
        return []  # nothing to check: no children listed, none named
    issues: list[CaseIssue] = []
    ids = [member.id for member in case.children]
    if case.children and "child" in case.model_fields_set:
        issues.append(
            CaseIssue(("child",), "a family case lists its children under children, not child")
        )
    seen: set[str] = set()
    for i, child_id in enumerate(ids):
        if child_id in seen:
            issues.append(CaseIssue(("children", i, "id"), "this id is used by another child"))
        seen.add(child_id)
    named: list[tuple[tuple[str | int, ...], tuple[str, ...] | None]] = [
        (("visits", i, "children_seen"), v.children_seen) for i, v in enumerate(case.visits)
    ]
    named += [
        (("emergency_actions", i, "children_seen"), e.children_seen)
        for i, e in enumerate(case.emergency_actions)
    ]
    named += [(("oversight", i, "children"), r.children) for i, r in enumerate(case.oversight)]
    named += [(("actions", i, "children"), r.children) for i, r in enumerate(case.actions)]
    for path, children in named:
        for j, child_id in enumerate(children or ()):
            if child_id not in seen:
                reason = (
                    "names a child that is not one of the case's children"
                    if case.children
                    else "names children, but the case lists none (children)"
                )
                issues.append(CaseIssue((*path, j), reason))
    for i, (_, one) in enumerate(per_child(case)):
        # each child's own details, checked as a single child's are, at the child's path
        for issue in _contradictions(one, dates=dates):
            if issue.path[:1] == ("child",):
                issues.append(CaseIssue(("children", i, *issue.path[1:]), issue.reason))
    return issues


def _names_children(case: CaseSnapshot) -> bool:
    """Whether any visit, emergency action, oversight or action record names children."""
    for visit in case.visits:
        if visit.children_seen:
            return True
    for emergency in case.emergency_actions:
        if emergency.children_seen:
            return True
    for record in case.oversight:
        if record.children:
            return True
    return any(record.children for record in case.actions)


@dataclass(frozen=True)
class RecordVocabulary:
    """The words a case may use, as a pack declares them (``vocabulary:``): the actions
    someone may ask to do (``requests``), and the oversight and action record kinds."""

    oversight: frozenset[str]
    action: frozenset[str]
    requests: frozenset[str] = frozenset()


def unknown_kinds(case: CaseSnapshot, vocabulary: RecordVocabulary) -> list[CaseIssue]:
    """A problem for each request or record whose action or kind ``vocabulary`` does not
    hold, with the nearest it does (a kind is vocabulary, not personal data, so it is named)."""
    issues = []
    sections: tuple[tuple[str, str, str, Sequence[Any], frozenset[str]], ...] = (
        ("oversight", "kind", "oversight kinds", case.oversight, vocabulary.oversight),
        ("actions", "kind", "action kinds", case.actions, vocabulary.action),
        ("cancellations", "action", "requestable actions", case.cancellations, vocabulary.requests),
    )
    for section, field_name, what, records, known in sections:
        for i, record in enumerate(records):
            word = getattr(record, field_name)
            if word not in known:
                close = difflib.get_close_matches(word, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                issues.append(
                    CaseIssue(
                        (section, i, field_name),
                        f"{word!r} is not one of this pack's {what}{hint}",
                    )
                )
    return issues


#: Bounds on what one snapshot may hold, checked before validation so a hostile record costs
#: little: nesting depth, items in one list, characters in one text, values in all.
MAX_DEPTH = 12
MAX_ITEMS = 5_000
MAX_TEXT = 20_000
MAX_VALUES = 200_000


#: A record that :func:`assess_rules.records.loads_record` read from a text of at most this
#: many characters keeps the bounds on text, items and values: a JSON text holds no longer
#: text than itself, no more values than characters, and no list of ``n`` items in fewer
#: than ``2n + 1`` characters. A valid snapshot keeps :data:`MAX_DEPTH` too (its fields
#: nest four deep: ``tests/test_parse_speed.py`` works it out from the models).
_PROVEN_SIZE = min(MAX_TEXT, 2 * MAX_ITEMS + 1, MAX_VALUES)


def _oversized(raw: Mapping[str, Any]) -> CaseIssue | None:
    """The first bound ``raw`` breaks, if any (walked without recursion)."""
    if _bounds_walk(raw) is not None:
        return None
    return _first_oversize(raw)


def _within_bounds(raw: Any) -> bool:
    """Whether ``raw`` keeps every bound :func:`_first_oversize` checks."""
    return _bounds_walk(raw) is not None


def _bounds_walk(raw: Any) -> bool | None:
    """``None`` if ``raw`` breaks a bound :func:`_first_oversize` checks, else whether it
    holds a record (a model instance, which validation takes as it is). The same checks on
    every value, without the paths (only containers are stacked), so that the common case
    is cheap; the paths are worked out only when a bound is broken."""
    holds_records = False
    seen = 1
    pending: list[tuple[Any, int]] = [(raw, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return None
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            if isinstance(value, str):
                if len(value) > MAX_TEXT:
                    return None
            elif isinstance(value, BaseModel):
                holds_records = True
            continue
        if len(value) > MAX_ITEMS:
            return None
        seen += len(value)
        if seen > MAX_VALUES:
            return None
        deeper = depth + 1
        for child in children:
            if type(child) is str:
                if len(child) > MAX_TEXT:
                    return None
                if deeper > MAX_DEPTH:
                    return None
            elif child is None or type(child) in _PLAIN:
                if deeper > MAX_DEPTH:
                    return None
            else:
                pending.append((child, deeper))
    return holds_records


#: JSON scalars other than text: nothing to check in them but their depth
_PLAIN = (bool, int, float)


def _first_oversize(raw: Mapping[str, Any]) -> CaseIssue | None:
    """The first bound ``raw`` breaks, if any, and where (walked without recursion)."""
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(raw, ())]
    seen = 0
    while pending:
        value, path = pending.pop()
        seen += 1
        if seen > MAX_VALUES:
            return CaseIssue((), f"more than {MAX_VALUES:,} values in one snapshot")
        if len(path) > MAX_DEPTH:
            return CaseIssue(path[:MAX_DEPTH], f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, Mapping):
            if len(value) > MAX_ITEMS:
                return CaseIssue(path, f"more than {MAX_ITEMS:,} fields")
            pending.extend((v, (*path, str(k)[:80])) for k, v in value.items())
        elif isinstance(value, list | tuple):
            if len(value) > MAX_ITEMS:
                return CaseIssue(path, f"more than {MAX_ITEMS:,} items")
            pending.extend((v, (*path, i)) for i, v in enumerate(value))
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            return CaseIssue(path, f"text longer than {MAX_TEXT:,} characters")
    return None


def _describe(err: Any) -> str:
    """A pydantic error in the snapshot's words, repeating nothing of the input but a field
    name: an unknown field gets the nearest field the model has; a number given where text
    is expected, the hint to quote it."""
    message = str(err["msg"])
    if err["type"] == "extra_forbidden":
        loc = tuple(err["loc"])
        close = difflib.get_close_matches(str(loc[-1]), _field_names(loc[:-1]), n=1, cutoff=0.8)
        return f"unknown field; did you mean {close[0]!r}?" if close else "unknown field"
    if err["type"] == "bool_type" and err.get("input") is not None:
        # a strict boolean field given anything else (a null keeps pydantic's words)
        return f"expected true or false, not {_kind_of(err['input'])}"
    if err["type"] == "string_type" and isinstance(err.get("input"), int | float):
        return "expected text, got a number; put it in quotes to give it as text"
    if err["type"] == "literal_error":
        return message.replace("Input should be", "expected")
    if err["type"] == "value_error":
        return message.removeprefix("Value error, ")
    return message


def _field_names(path: tuple[str | int, ...]) -> list[str]:
    """The field names of the snapshot model at ``path`` (list indexes skipped); none if
    the path leads to no model (a mapping of free keys, say)."""
    model: type[BaseModel] | None = CaseSnapshot
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        model = _model_in(field.annotation) if field is not None else None
    return sorted(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, inside ``X | None``, ``tuple[X, ...]`` and ``Annotated``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _out_of_range(value: Any, path: tuple[str | int, ...]) -> Iterator[CaseIssue]:
    """Dates and times the working-day calendar cannot count from (1990 to 2100)."""
    found: list[CaseIssue] = []
    _collect_out_of_range(value, path, found)
    yield from found


def _collect_out_of_range(value: Any, path: tuple[str | int, ...], found: list[CaseIssue]) -> None:
    """:func:`_out_of_range` into ``found``, in the same order, skipping text, numbers and
    absent values without a call each (a snapshot is mostly those)."""
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if not FIRST_SUPPORTED <= day <= LAST_SUPPORTED:
            found.append(
                CaseIssue(
                    path,
                    # the value itself is never repeated: it may be a child's birth date
                    "outside the supported range "
                    f"{FIRST_SUPPORTED.isoformat()} to {LAST_SUPPORTED.isoformat()}",
                )
            )
    elif isinstance(value, BaseModel):
        for name in _dated_fields(type(value)):
            item = getattr(value, name)
            if item is not None and type(item) not in _SCALARS:
                _collect_out_of_range(item, (*path, name), found)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            if item is not None and type(item) not in _SCALARS:
                _collect_out_of_range(item, (*path, i), found)


#: values that hold no date
_SCALARS = frozenset({str, bool, int, float})
_DATED_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _dated_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model``, in order, that may hold a date, a moment or a record (the
    others, text, numbers and choices, cannot be out of range); worked out once a model."""
    found = _DATED_FIELDS.get(model)
    if found is None:
        found = _DATED_FIELDS[model] = tuple(
            name for name, spec in model.model_fields.items() if _may_hold_dates(spec.annotation)
        )
    return found


def _may_hold_dates(annotation: Any) -> bool:
    """Whether a field of this annotation may hold a date (``True`` when unsure)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _may_hold_dates(get_args(annotation)[0])
    if origin is Literal or annotation is None or annotation is type(None):
        return False
    if origin is not None:  # a union, a tuple or a list: any of its parts
        return any(_may_hold_dates(a) for a in get_args(annotation) if a is not Ellipsis)
    return not (isinstance(annotation, type) and issubclass(annotation, str | bool | int | float))


def _contradictions(case: CaseSnapshot, *, dates: bool = True) -> list[CaseIssue]:
    """The catalogue's event-order contradictions and impossible combinations, and (with
    ``dates``, when validation noted one) the dates outside the calendar's range."""
    issues: list[CaseIssue] = list(_out_of_range(case, ())) if dates else []
    received = case.referral.received_at

    # each check compares in place and builds its reason only when it fails (a snapshot
    # mostly has none); a moment before the referral is refused, except that an open case
    # may carry visits and strategy discussions from an earlier episode (catalogue, "Order
    # of events")
    decision = case.decision
    if decision is not None and decision.made_at < received:
        issues.append(_before_referral(("decision", "made_at"), "the decision on the referral"))
    closure = case.closure
    if closure is not None and closure.closed_at < received:
        issues.append(_before_referral(("closure", "closed_at"), "the closure"))
    assessment = case.assessment
    if assessment is not None:
        started = assessment.started_at
        authorised = assessment.authorised_at
        completed = assessment.completed_at
        if started is not None and started < received:
            issues.append(_before_referral(("assessment", "started_at"), "the assessment started"))
        if authorised is not None and authorised < received:
            issues.append(
                _before_referral(("assessment", "authorised_at"), "the assessment was authorised")
            )
        if authorised is not None and started is not None and authorised < started:
            issues.append(
                CaseIssue(
                    ("assessment", "authorised_at"),
                    "the assessment was authorised before it started (assessment.started_at)",
                )
            )
        if completed is not None and started is not None and completed < started:
            issues.append(
                CaseIssue(
                    ("assessment", "completed_at"),
                    "the assessment was completed before it started (assessment.started_at)",
                )
            )
    if case.concerns.case_open is not True:
        for i, visit in enumerate(case.visits):
            if visit.at < received:
                what = "the child was seen" if visit.child_seen else "a visit"
                issues.append(_before_referral(("visits", i, "at"), what))
        for i, discussion in enumerate(case.strategy_discussions):
            if discussion.held_at < received:
                path = ("strategy_discussions", i, "held_at")
                issues.append(_before_referral(path, "a strategy discussion"))
    conference = case.initial_conference
    if conference is not None and conference.held_at is not None and conference.held_at < received:
        issues.append(
            _before_referral(
                ("initial_conference", "held_at"), "the initial child protection conference"
            )
        )
    for i, complaint in enumerate(case.complaints):
        responded = complaint.responded_at
        if responded is not None and responded < complaint.received_at:
            issues.append(
                CaseIssue(
                    ("complaints", i, "responded_at"),
                    "the complaint was responded to before it was received "
                    f"(complaints[{i}].received_at)",
                )
            )
    for i, previous in enumerate(case.previous_assessments):
        # an earlier episode's assessment: on or before the day this referral arrived
        if previous.authorised_on > received.date():
            issues.append(
                CaseIssue(
                    ("previous_assessments", i, "authorised_on"),
                    "a previous assessment is dated after the referral was received "
                    "(referral.received_at); this referral's own assessment is 'assessment'",
                )
            )
    for i, request in enumerate(case.cancellations):
        decided, recommended = request.decided_at, request.recommended_at
        if decided is not None and recommended is not None and decided < recommended:
            issues.append(
                CaseIssue(
                    ("cancellations", i, "decided_at"),
                    "the cancellation was decided before it was recommended "
                    f"(cancellations[{i}].recommended_at)",
                )
            )
        if request.outcome != "pending" and request.decided_at is None:
            issues.append(
                CaseIssue(
                    ("cancellations", i, "decided_at"),
                    f"an outcome of {request.outcome!r} needs the time it was decided",
                )
            )
    for i, event in enumerate(case.consent):
        if event.event == "overridden" and event.overridden_by is None:
            issues.append(
                CaseIssue(
                    ("consent", i, "overridden_by"), "an override must name the role that made it"
                )
            )
    if case.child.date_of_birth and case.child.expected_birth_date:
        issues.append(
            CaseIssue(
                ("child", "expected_birth_date"),
                "a child has a date of birth or an expected birth date, not both",
            )
        )
    return issues


def _before_referral(path: tuple[str | int, ...], what: str) -> CaseIssue:
    """The issue of an event (``what``) dated before the referral was received."""
    return CaseIssue(
        path, f"{what} is dated before the referral was received (referral.received_at)"
    )
