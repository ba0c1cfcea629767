"""assess_rules: children's social care assessment protocols as YAML policy packs.

Load a pack, parse a case snapshot, evaluate it as of a date:

>>> from datetime import date
>>> import assess_rules
>>> policy = assess_rules.load_policy("generic_s17")
>>> case = assess_rules.parse_case({
...     "case_id": "C1",
...     "referral": {"received_at": "2026-12-19T11:00"},      # a Saturday
...     "assessment": {"started_at": "2026-12-21T09:30"}})
>>> result = assess_rules.evaluate(policy, case, as_of=date(2026, 12, 22))
>>> [(d.rule, d.due_date.isoformat(), d.status) for d in result.deadlines]
[('referral-decision', '2026-12-21', 'missed'), ('assessment-completion', '2027-02-24', 'pending')]
>>> [v.rule for v in result.violations]
['referral-decision']
"""

from importlib.metadata import PackageNotFoundError, version

from assess_rules.calendar import Counting, Region, WorkingDayCalendar
from assess_rules.case import CaseSnapshot, parse_case
from assess_rules.caseload import CaseloadReview, PeriodCount, review_caseload
from assess_rules.diff import CaseDiff, OutcomeChange, PackChange, diff_outcomes, diff_policies
from assess_rules.errors import (
    AssessRulesError,
    CalendarError,
    CaseError,
    CaseIssue,
    ConditionError,
    EvaluationDateError,
    NoVersionInForceError,
    PolicyError,
    UnknownRuleError,
)
from assess_rules.evaluation import evaluate
from assess_rules.explain import Explanation, explain, format_explanation
from assess_rules.lint import LINTS, Lint, lint_pack
from assess_rules.loading import bundled_policies, check_policy_file, load_policy
from assess_rules.policy import Policy
from assess_rules.resolved import resolved_pack, resolved_yaml, select_policy
from assess_rules.result import (
    RESULT_SCHEMA_VERSION,
    Citation,
    Deadline,
    MissingFacts,
    Obligation,
    PermittedAction,
    Result,
    Violation,
    Warning,
)

try:
    __version__ = version("assess-rules")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "LINTS",
    "RESULT_SCHEMA_VERSION",
    "AssessRulesError",
    "CalendarError",
    "CaseDiff",
    "CaseError",
    "CaseIssue",
    "CaseSnapshot",
    "CaseloadReview",
    "Citation",
    "ConditionError",
    "Counting",
    "Deadline",
    "EvaluationDateError",
    "Explanation",
    "Lint",
    "MissingFacts",
    "NoVersionInForceError",
    "Obligation",
    "OutcomeChange",
    "PackChange",
    "PeriodCount",
    "PermittedAction",
    "Policy",
    "PolicyError",
    "Region",
    "Result",
    "UnknownRuleError",
    "Violation",
    "Warning",
    "WorkingDayCalendar",
    "__version__",
    "bundled_policies",
    "check_policy_file",
    "diff_outcomes",
    "diff_policies",
    "evaluate",
    "explain",
    "format_explanation",
    "lint_pack",
    "load_policy",
    "parse_case",
    "resolved_pack",
    "resolved_yaml",
    "review_caseload",
    "select_policy",
]
