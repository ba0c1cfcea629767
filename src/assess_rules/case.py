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

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from assess_rules.calendar import FIRST_SUPPORTED, LAST_SUPPORTED, to_london
from assess_rules.errors import CaseError, CaseIssue

__all__ = [
    "ACTION_KINDS",
    "OVERSIGHT_KINDS",
    "ROLES",
    "Action",
    "Assessment",
    "CancellationRequest",
    "CaseSnapshot",
    "Child",
    "Closure",
    "Complaint",
    "Concerns",
    "ConsentEvent",
    "EmergencyAction",
    "InitialConference",
    "ManagementOversight",
    "PreviousAssessment",
    "ProfessionalConversation",
    "Referral",
    "ReferralDecision",
    "ReturnHome",
    "Role",
    "StrategyDiscussion",
    "Visit",
    "parse_case",
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

OversightKind = Literal[
    "allocation",
    "mid_point_review",
    "authorisation",
    "child_seen_delay",
    "consent_override",
    "information_sharing_without_consent",
    "cancellation_rationale",
    "cancellation_review",
    "cancellation_discussed_with_service_manager",
    "exceptional_circumstances",
    "reason_not_to_tell_family",
    "no_strategy_discussion_rationale",
    "group_manager_review",
    "supervision_discussion",
    "s47_supervision_discussion",
    "level4_review",
    "consent_not_obtained_rationale",
    "front_door_decision_questioned",
    "front_door_decision_overturned",
    "non_resident_parent_rationale",
    "step_across_approval",
]

ActionKind = Literal[
    "referrer_informed",
    "family_informed",
    "professionals_informed",
    "chronology_updated",
    "case_summary_updated",
    "other_services_advised",
    "written_referral_to_other_authority",
    "outcome_to_family",
    "outcome_to_referrer",
    "outcome_to_agencies",
    "assessment_sent_to_family",
    "partial_assessment_sent_to_family",
    "family_invited_to_comment",
    "non_resident_parent_copy_sent",
    "other_authority_consulted",
    "plan_of_action_agreed",
    "plan_reviewed",
    "exceeded_timescale_reasons_recorded",
    "information_recorded_in_assessment",
    "service_manager_informed",
    "receiving_team_manager_informed",
    "consent_requested_in_writing",
    "case_notes_recorded",
    "outstanding_actions_completed",
    "assessment_shared_with_agency",
    "front_door_discussion",
    "service_managers_review",
    "strategy_discussion_convened",
    "referral_closed_with_signposting",
    "immediate_assessment_started",
    "placement_with_parents_completed",
    "information_shared_without_consent",
    "section_20_agreement_withdrawn",
    "marked_consent_not_gained",
    "parents_agreed_step_across_to_early_help",
    "parents_agreed_continue_early_help",
    "returned_to_social_worker",
    "parents_agreed_agency_copy",
    # single assessments (issue 10): SA-COMMENT-2
    "family_views_included",
]

OVERSIGHT_KINDS: tuple[str, ...] = OversightKind.__args__  # type: ignore[attr-defined]
ACTION_KINDS: tuple[str, ...] = ActionKind.__args__  # type: ignore[attr-defined]


def _as_london(value: Any) -> Any:
    """Accept a datetime, an ISO string, or a bare date; give an aware London datetime."""
    if isinstance(value, str) and len(value) == 10:
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value  # pydantic reports the bad value with its path
    if isinstance(value, datetime):
        return to_london(value)
    return value


#: A moment in Europe/London (naive input is London wall-clock time).
Moment = Annotated[datetime, BeforeValidator(_as_london)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Referral(_Record):
    """The referral: CIN ``CINreferralDate`` / Annex A List 3 "Date of Referral"."""

    received_at: Moment
    route: Literal["office_hours", "out_of_hours"] = "office_hours"
    source: str | None = Field(None, description="CIN ReferralSource code, e.g. '1A'")
    referrer_kind: Literal["professional", "member_of_public", "family", "self"] | None = None
    referrer_anonymous: bool = False


class ReferralDecision(_Record):
    """The decision on the type of response (Working Together's 1 working day)."""

    made_at: Moment
    made_by: Role | None = None
    response: Literal[
        "threshold_not_met",
        "early_help",
        "information_and_advice",
        "strategy_discussion",
        "assessment",
        "further_enquiries",
    ]
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


class Child(_Record):
    """The child: CIN ``ChildIdentifiers`` and ``ChildCharacteristics``."""

    date_of_birth: date | None = Field(None, description="CIN PersonBirthDate")
    expected_birth_date: date | None = Field(None, description="CIN ExpectedPersonBirthDate")
    disabled: bool | None = Field(None, description="any CIN disability code but NONE")
    resides_in_area: bool | None = Field(
        None, description="the child is ordinarily resident in the authority's area"
    )
    other_authority_responsible: bool | None = Field(
        None, description="looked after by, or on a plan of, another local authority"
    )
    died_on: date | None = Field(None, description="CIN PersonDeathDate")
    pregnancy_ended: Literal["termination", "miscarriage", "still_birth"] | None = None
    competent_to_consent: bool | None = Field(
        None, description="age-appropriate and competent to consent for themselves"
    )
    non_resident_parent: bool | None = Field(None, description="a parent lives elsewhere")


class Concerns(_Record):
    """What is known of risk: the facts thresholds and cancellation reasons turn on."""

    significant_harm_suspected: bool | None = Field(
        None, description="reasonable cause to suspect significant harm (s47)"
    )
    level4_indicators: bool | None = None
    referral_malicious: bool | None = Field(
        None, description="further information clearly shows the referral to be malicious"
    )
    new_risks: bool | None = None
    circumstances_unchanged: bool | None = Field(
        None, description="no significant change since the most recent assessment"
    )
    threshold_met: bool | None = Field(
        None, description="after further enquiries, the threshold for an assessment is met"
    )
    case_open: bool | None = Field(None, description="the family has an open case")
    plan_adhered_to: bool | None = Field(
        None, description="the most recent plan (safety, moving forward or other) is adhered to"
    )
    previous_involvement_closed_on: date | None = None


class ConsentEvent(_Record):
    """One event in the consent history."""

    event: Literal["sought", "given", "declined", "withdrawn", "overridden"]
    at: Moment
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
    written: bool | None = None
    obtained_by: Literal["front_door", "mash", "social_worker"] | None = None
    overridden_by: Role | None = None
    reasons_recorded: bool | None = None
    shared_with_partners: bool | None = None


class Visit(_Record):
    """A visit to the family; ``child_seen`` is Annex A List 4 "Child Seen"."""

    at: Moment
    child_seen: bool = False
    s47_enquiry: bool = Field(
        False, description="made as part of s47 enquiries rather than of the assessment"
    )


class StrategyDiscussion(_Record):
    """A strategy discussion; the one that initiated s47 is CIN ``S47ActualStartDate``."""

    held_at: Moment
    initiated_s47: bool = False
    concluded: bool = True
    outcome: Literal["s47_threshold_met", "s47_threshold_not_met", "no_further_action"] | None = (
        None
    )
    record_shared_at: Moment | None = None


class InitialConference(_Record):
    """The initial child protection conference: CIN ``DateOfInitialCPC``, ``ICPCnotRequired``."""

    held_at: Moment | None = None
    not_required: bool = False


class EmergencyAction(_Record):
    """Emergency protective action (EPO, police protection)."""

    taken_at: Moment
    single_agency: bool = False


class ManagementOversight(_Record):
    """A recorded management oversight, case note or supervision discussion."""

    kind: OversightKind
    at: Moment
    by: Role
    agrees: bool | None = None
    note: str | None = None


class Action(_Record):
    """Something done on the case (family told, chronology updated, ...)."""

    kind: ActionKind
    at: Moment
    by: Role | None = None
    note: str | None = None


class Assessment(_Record):
    """The child and family assessment: CIN ``Assessments`` / Annex A List 4."""

    trigger: Literal["referral", "s47", "automatic"] = "referral"
    allocated_at: Moment | None = None
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
    pre_birth_tier4: bool | None = None
    started_at: Moment | None = Field(None, description="CIN AssessmentActualStartDate")
    timescale_set_at: Moment | None = None
    completed_at: Moment | None = Field(None, description="submitted as complete")
    authorised_at: Moment | None = Field(None, description="CIN AssessmentAuthorisationDate")
    authorised_by: Role | None = None
    status: Literal[
        "not_started", "in_progress", "completed", "partially_complete", "cancelled"
    ] = "in_progress"
    outcome: Literal["no_further_action", "continued_involvement", "early_help"] | None = None
    family_disagreed_at: Moment | None = Field(
        None, description="when the family said they disagree with the assessment"
    )


class ProfessionalConversation(_Record):
    """The social worker's conversation with another professional involved with the family."""

    at: Moment
    family_agreed: bool | None = Field(
        None, description="the family agreed to the social worker holding this conversation"
    )
    s47_enquiry: bool = Field(
        False, description="held as part of s47 enquiries rather than of the assessment"
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
        min_length=1, max_length=80, description="a reason id from the pack's rule for the action"
    )
    free_text: str | None = None
    line_management_discussed: bool | None = None
    recommended_by: Role | None = None
    recommended_at: Moment | None = None
    reassigned_at: Moment | None = Field(None, description="passed to the decider")
    decided_by: Role | None = None
    decided_at: Moment | None = None
    outcome: Literal["pending", "approved", "refused"] = "pending"


class PreviousAssessment(_Record):
    """An earlier assessment of the same child."""

    authorised_on: date


class Complaint(_Record):
    """A complaint and its response."""

    received_at: Moment
    responded_at: Moment | None = None


class ReturnHome(_Record):
    """A child in care returned home, and who consented."""

    circumstance: Literal["police_protection", "section_20_withdrawn", "care_order"]
    at: Moment
    consented_by: Role | None = None


class Closure(_Record):
    """The closure of the child's record: CIN ``CINclosureDate`` and ``ReasonForClosure``."""

    closed_at: Moment
    reason: str | None = Field(None, description="CIN ReasonForClosure code, e.g. 'RC8'")


class CaseSnapshot(_Record):
    """One case as recorded up to some moment; see the module docstring.

    >>> case = parse_case({"case_id": "C1", "referral": {"received_at": "2026-12-18T10:00"}})
    >>> case.referral.received_at.isoformat()
    '2026-12-18T10:00:00+00:00'
    """

    case_id: str
    referral: Referral
    decision: ReferralDecision | None = None
    child: Child = Child()
    concerns: Concerns = Concerns()
    consent: tuple[ConsentEvent, ...] = ()
    visits: tuple[Visit, ...] = ()
    strategy_discussions: tuple[StrategyDiscussion, ...] = ()
    initial_conference: InitialConference | None = None
    emergency_actions: tuple[EmergencyAction, ...] = ()
    oversight: tuple[ManagementOversight, ...] = ()
    actions: tuple[Action, ...] = ()
    assessment: Assessment | None = None
    cancellations: tuple[CancellationRequest, ...] = ()
    previous_assessments: tuple[PreviousAssessment, ...] = ()
    complaints: tuple[Complaint, ...] = ()
    returns_home: tuple[ReturnHome, ...] = ()
    closure: Closure | None = None
    professional_conversations: tuple[ProfessionalConversation, ...] = ()


def parse_case(raw: Mapping[str, Any], *, source: str | None = None) -> CaseSnapshot:
    """Validate ``raw`` as a case snapshot; raise :class:`CaseError` naming every bad field."""
    if not isinstance(raw, Mapping):
        raise CaseError(
            [CaseIssue((), f"expected an object, got {type(raw).__name__}")], source=source
        )
    try:
        case = CaseSnapshot.model_validate(raw)
    except ValidationError as exc:
        issues = [CaseIssue(tuple(err["loc"]), _describe(err)) for err in exc.errors()]
        raise CaseError(issues, source=source) from None
    problems = list(_contradictions(case))
    if problems:
        raise CaseError(problems, source=source)
    return case


def _describe(err: Any) -> str:
    message = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] == "literal_error":
        return message.replace("Input should be", "expected")
    return message


def _out_of_range(value: Any, path: tuple[str | int, ...]) -> Iterator[CaseIssue]:
    """Dates and times the working-day calendar cannot count from (1990 to 2100)."""
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if not FIRST_SUPPORTED <= day <= LAST_SUPPORTED:
            yield CaseIssue(
                path,
                f"{day.isoformat()} is outside the supported range "
                f"{FIRST_SUPPORTED.isoformat()} to {LAST_SUPPORTED.isoformat()}",
            )
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _out_of_range(getattr(value, name), (*path, name))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _out_of_range(item, (*path, i))


def _contradictions(case: CaseSnapshot) -> list[CaseIssue]:
    """The catalogue's event-order contradictions and impossible combinations."""
    issues: list[CaseIssue] = list(_out_of_range(case, ()))
    received = case.referral.received_at

    def out_of_order(
        path: tuple[str | int, ...],
        later: datetime | None,
        earlier: datetime | None,
        reason: str,
    ) -> None:
        """Report ``reason`` at ``path`` when ``later`` comes before ``earlier``."""
        if later is not None and earlier is not None and later < earlier:
            issues.append(CaseIssue(path, reason))

    def before_referral(path: tuple[str | int, ...], moment: datetime | None, what: str) -> None:
        out_of_order(
            path,
            moment,
            received,
            f"{what} is dated before the referral was received (referral.received_at)",
        )

    earlier_episode = case.concerns.case_open is True

    def before_referral_unless_open(
        path: tuple[str | int, ...], moment: datetime | None, what: str
    ) -> None:
        """Events an open case may carry from an earlier episode (catalogue, "Order of
        events"): allowed before the referral when the case is open, refused otherwise."""
        if not earlier_episode:
            before_referral(path, moment, what)

    if case.decision is not None:
        before_referral(
            ("decision", "made_at"), case.decision.made_at, "the decision on the referral"
        )
    if case.closure is not None:
        before_referral(("closure", "closed_at"), case.closure.closed_at, "the closure")
    if case.referral.referrer_anonymous and case.referral.referrer_kind == "professional":
        issues.append(
            CaseIssue(
                ("referral", "referrer_anonymous"), "a professional referrer cannot be anonymous"
            )
        )
    assessment = case.assessment
    if assessment is not None:
        before_referral(
            ("assessment", "started_at"), assessment.started_at, "the assessment started"
        )
        before_referral(
            ("assessment", "authorised_at"),
            assessment.authorised_at,
            "the assessment was authorised",
        )
        out_of_order(
            ("assessment", "authorised_at"),
            assessment.authorised_at,
            assessment.started_at,
            "the assessment was authorised before it started",
        )
        out_of_order(
            ("assessment", "completed_at"),
            assessment.completed_at,
            assessment.started_at,
            "the assessment was completed before it started",
        )
    for i, visit in enumerate(case.visits):
        before_referral_unless_open(
            ("visits", i, "at"), visit.at, "the child was seen" if visit.child_seen else "a visit"
        )
    for i, discussion in enumerate(case.strategy_discussions):
        before_referral_unless_open(
            ("strategy_discussions", i, "held_at"), discussion.held_at, "a strategy discussion"
        )
    if case.initial_conference is not None:
        before_referral(
            ("initial_conference", "held_at"),
            case.initial_conference.held_at,
            "the initial child protection conference",
        )
    for i, request in enumerate(case.cancellations):
        out_of_order(
            ("cancellations", i, "decided_at"),
            request.decided_at,
            request.recommended_at,
            "the cancellation was decided before it was recommended",
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
