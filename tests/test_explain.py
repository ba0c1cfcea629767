"""assess-rules explain: why each rule applied to a case or not (issue 8).

Dates worked out by hand (England and Wales; the packs count the trigger's date as day 0):
a referral on Tue 1 Dec 2026 gives 5 working days on Tue 8 Dec (2, 3, 4, 7, 8 Dec) and 7 on
Thu 10 Dec (9, 10 Dec).
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import assess_rules
from assess_rules import load_policy, parse_case
from assess_rules.cli import run
from assess_rules.conditions import trace_condition
from assess_rules.errors import UnknownRuleError
from assess_rules.explain import ExplainedPart, explain, format_explanation
from assess_rules.loading import schema_path

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples" / "explain"
EXTENSION_PACK = EXAMPLES / "extension.yaml"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _kent_request(reason: str, **case: Any) -> dict[str, Any]:
    """A Kent case: referral Tue 1 Dec 2026, consent given, one request decided Fri 4 Dec
    by a service manager, with only the team manager's rationale recorded before it."""
    return {
        "case_id": "K",
        "referral": {"received_at": "2026-12-01T10:00", "referrer_kind": "professional"},
        "child": {"date_of_birth": "2012-05-01"},
        "concerns": {"significant_harm_suspected": False},
        "consent": [{"event": "given", "at": "2026-12-02T10:00", "by": "parent"}],
        "assessment": {
            "allocated_at": "2026-12-01T16:00",
            "started_at": "2026-12-01T16:00",
            "status": "cancelled",
        },
        "oversight": [
            {"kind": "cancellation_rationale", "at": "2026-12-03T10:00", "by": "team_manager"}
        ],
        "cancellations": [
            {
                "reason": reason,
                "recommended_by": "team_manager",
                "recommended_at": "2026-12-03T10:00",
                "reassigned_at": "2026-12-03T10:05",
                "decided_by": "service_manager",
                "decided_at": "2026-12-04T10:00",
                "outcome": "approved",
            }
        ],
        **case,
    }


def _request_part(raw: dict[str, Any], as_of: str = "2026-12-14") -> ExplainedPart:
    policy = load_policy("kent")
    case = parse_case(raw, vocabulary=policy.vocabulary)
    rule = explain(policy, case, as_of, rule="cancellation").rule("cancellation")
    (part,) = [p for p in rule.parts if p.subject == "cancellations[0]"]
    return part


def test_a_reason_whose_condition_fails_shows_each_fact_it_read() -> None:
    # Consent was given, and no decision that the strategy threshold is not met is recorded:
    # both halves of the no-consent reason are shown false, with the values read.
    part = _request_part(_kent_request("no-consent-no-strategy-threshold"))
    (reason,) = [c for c in part.conditions if c.where == "reason no-consent-no-strategy-threshold"]
    assert reason.value is False
    assert reason.facts == {
        "consent.status": "given",
        "oversight.no_strategy_discussion_rationale": None,
    }
    assert reason.unknown_facts == ("oversight.no_strategy_discussion_rationale",)
    assert [(p.text, p.value) for p in reason.trace.parts] == [
        ("consent.status in ['declined', 'withdrawn']", False),
        ("known(oversight.no_strategy_discussion_rationale)", False),
    ]


def test_the_age_read_as_the_case_stood_at_the_decision() -> None:
    # Born 10 Dec 2008: 17 on Fri 4 Dec 2026 when the request was decided (the evaluation
    # date, 14 Dec, is after the 18th birthday: the request is judged as it stood then).
    part = _request_part(_kent_request("already-18", child={"date_of_birth": "2008-12-10"}))
    (reason,) = [c for c in part.conditions if c.where == "reason already-18"]
    assert (reason.value, reason.facts) == (False, {"child.age": 17})
    assert part.checks == {
        "decided by Service Manager; may decide: Service Manager or higher": True,
        "recommended by Team Manager; may recommend: Team Manager or higher": True,
    }


def test_each_step_found_or_missing_with_the_record_looked_for() -> None:
    part = _request_part(_kent_request("already-18"))
    steps = {s.id: s for s in part.steps}
    assert steps["team-manager-rationale"].status == "done"
    assert steps["team-manager-rationale"].found == datetime.fromisoformat("2026-12-03T10:00+00:00")
    missing = steps["case-file-updated"]
    assert (missing.status, missing.found, missing.records) == (
        "missing",
        None,
        ("action.case_file_updated",),
    )
    assert "by Team Manager or higher" in missing.looked_for
    assert "before cancellation.reassigned_or_decided (Thu 03 Dec 2026 10:05)" in (
        missing.looked_for
    )
    assert steps["service-manager-review"].status == "missing"


def test_a_step_recorded_by_too_junior_a_role_says_so() -> None:
    raw = _kent_request("already-18")
    raw["oversight"].append(
        {"kind": "cancellation_review", "at": "2026-12-04T09:00", "by": "team_manager"}
    )
    steps = {s.id: s for s in _request_part(raw).steps}
    review = steps["service-manager-review"]
    assert review.status == "missing"
    assert "recorded by Team Manager, which does not count: needs Service Manager" in review.why


def _extension_case(discussion: bool, seen_on: str) -> assess_rules.CaseSnapshot:
    raw: dict[str, Any] = {
        "case_id": "X",
        "referral": {"received_at": "2026-12-01T10:00"},
        "visits": [{"at": f"{seen_on}T11:00", "child_seen": True}],
    }
    if discussion:
        raw["oversight"] = [
            {"kind": "child_seen_delay", "at": "2026-12-04T10:00", "by": "team_manager"}
        ]
    return parse_case(raw)


def _child_seen(discussion: bool, seen_on: str) -> ExplainedPart:
    policy = load_policy(EXTENSION_PACK)
    found = explain(policy, _extension_case(discussion, seen_on), "2026-12-14", "child-seen")
    (part,) = found.rule("child-seen").parts
    return part


def test_an_extension_that_applied() -> None:
    # Seen Wed 9 Dec, after the base 5 working days (Tue 8 Dec); a manager discussion on
    # Fri 4 Dec gives 7 working days: due Thu 10 Dec, met.
    part = _child_seen(True, "2026-12-09")
    (extension,) = part.extensions
    assert (extension.id, extension.considered, extension.applied) == (
        "manager-discussion",
        True,
        True,
    )
    assert extension.condition is not None
    assert extension.condition.facts == {
        "oversight.child_seen_delay": datetime.fromisoformat("2026-12-04T10:00+00:00")
    }
    assert "due Tue 08 Dec 2026" in extension.why
    (deadline,) = part.deadlines
    assert (deadline.due.date().isoformat(), deadline.status, deadline.extension) == (
        "2026-12-10",
        "met",
        "manager-discussion",
    )
    assert (deadline.start_fact, deadline.end_fact, deadline.amount, deadline.unit) == (
        "referral.received",
        "child.first_seen",
        7,
        "working_days",
    )


def test_an_extension_whose_condition_fails() -> None:
    # No discussion: the base 5 working days stand (Tue 8 Dec); seen Wed 9 Dec is missed.
    part = _child_seen(False, "2026-12-09")
    (extension,) = part.extensions
    assert (extension.considered, extension.applied) == (True, False)
    assert extension.condition is not None
    assert extension.condition.facts == {"oversight.child_seen_delay": None}
    (deadline,) = part.deadlines
    assert (deadline.due.date().isoformat(), deadline.status, deadline.extension) == (
        "2026-12-08",
        "missed",
        None,
    )


def test_an_extension_not_needed_when_done_within_the_base_limit() -> None:
    # Seen Mon 7 Dec, within the 5 working days: the extension is not even considered.
    (extension,) = _child_seen(True, "2026-12-07").extensions
    assert (extension.considered, extension.applied, extension.condition) == (False, False, None)
    assert extension.why.startswith("not needed")


def test_a_timescale_not_started_and_one_that_does_not_apply() -> None:
    policy = load_policy("generic_s17")
    case = parse_case(
        {
            "case_id": "G",
            "referral": {"received_at": "2026-12-01T10:00"},
            "assessment": {"started_at": "2026-12-02T10:00", "status": "cancelled"},
        }
    )
    found = explain(policy, case, "2026-12-03")
    icpc = found.rule("icpc-timescale")
    assert icpc.applied is False
    assert "strategy_discussion.s47_initiating is not recorded" in icpc.why
    completion = found.rule("assessment-completion")
    assert completion.applied is False
    (applies,) = completion.parts[0].conditions
    assert applies.where == "applies_when"
    assert applies.value is False
    assert applies.facts["assessment.status"] == "cancelled"
    # every rule of the pack is explained, in pack order
    assert [r.rule for r in found.rules] == [r.id for r in policy.rules]


def test_trace_condition_agrees_with_the_compiled_condition() -> None:
    policy = load_policy("kent")
    case = parse_case(_kent_request("already-18"), vocabulary=policy.vocabulary)
    from assess_rules.facts import FactContext

    ctx = FactContext(
        case,
        datetime.fromisoformat("2026-12-14T23:59+00:00"),
        datetime(2026, 12, 14).date(),
        policy.calendar,
        policy.role_ranks,
    )
    parameters = {name: p.value for name, p in policy.parameters.items()}
    for text, scope in policy._conditions:  # every condition of the pack, of the case or a request
        if scope not in {None, "cancellations"}:
            continue
        values = ctx if scope is None else ctx.for_item(scope, case.cancellations[0])
        traced = trace_condition(text, policy.facts, values, scope, parameters)
        assert traced.value == policy.condition(text, scope)(values), text


def test_an_unknown_rule_is_an_error_with_the_nearest_id() -> None:
    policy = load_policy("kent")
    case = parse_case(_kent_request("already-18"), vocabulary=policy.vocabulary)
    with pytest.raises(UnknownRuleError, match="did you mean 'cancellation'") as caught:
        explain(policy, case, "2026-12-14", rule="cancelation")
    assert (caught.value.rule, caught.value.suggestion) == ("cancelation", "cancellation")


def test_cli_text_marks_each_rule_and_condition() -> None:
    code, out, err = _run(
        "explain",
        "--policy",
        "kent",
        "--case",
        str(EXAMPLES / "kent-already-18.json"),
        "--as-of",
        "2026-12-14",
    )
    assert (code, err) == (0, "")
    assert "✓ cancellation (action): Cancelling a child and family assessment" in out
    assert "✗ reason already-18: does not hold" in out
    assert "child.age = 17" in out
    assert "✗ step case-file-updated: missing" in out
    # a rule of the pack it extends, with its origin
    assert "✗ icpc-timescale (timescale)" in out
    assert "from pack generic_s17" in out


def test_cli_json_follows_its_schema() -> None:
    code, out, _ = _run(
        "explain",
        "--policy",
        str(EXTENSION_PACK),
        "--case",
        str(EXAMPLES / "seen-day-6-after-discussion.json"),
        "--as-of",
        "2026-12-14",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, json.loads(schema_path("explain.schema.json").read_text()))
    (rule,) = [r for r in data["rules"] if r["rule"] == "child-seen"]
    assert rule["applied"] is True
    assert rule["parts"][0]["extensions"][0]["applied"] is True
    assert rule["parts"][0]["deadlines"][0]["due"].startswith("2026-12-10")


def test_cli_bad_rule_exits_2_with_a_suggestion() -> None:
    code, out, err = _run(
        "explain",
        "--policy",
        "kent",
        "--case",
        str(EXAMPLES / "kent-already-18.json"),
        "--as-of",
        "2026-12-14",
        "--rule",
        "cancelation",
    )
    assert (code, out) == (2, "")
    assert "has no rule 'cancelation'; did you mean 'cancellation'?" in err


def test_cli_needs_exactly_one_case(tmp_path: Path) -> None:
    one = json.loads((EXAMPLES / "kent-already-18.json").read_text())
    two = tmp_path / "two.json"
    two.write_text(json.dumps([one, {**one, "case_id": "other"}]))
    code, out, err = _run("explain", "--policy", "kent", "--case", str(two))
    assert (code, out) == (2, "")
    assert "explain takes one case; the file holds 2" in err


def test_cli_bad_case_exits_2_without_echoing_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"case_id": "B", "referral": {"received_at": "Jane Doe"}}))
    code, _, err = _run("explain", "--policy", "kent", "--case", str(bad))
    assert code == 2
    assert "referral.received_at" in err
    assert "Jane Doe" not in err


def test_the_text_form_is_the_library_text() -> None:
    policy = load_policy("kent")
    raw = json.loads((EXAMPLES / "kent-already-18.json").read_text())
    case = parse_case(raw, vocabulary=policy.vocabulary)
    text = format_explanation(explain(policy, case, "2026-12-14", "cancellation"))
    code, out, _ = _run(
        "explain",
        "--policy",
        "kent",
        "--case",
        str(EXAMPLES / "kent-already-18.json"),
        "--as-of",
        "2026-12-14",
        "--rule",
        "cancellation",
    )
    assert (code, out) == (0, text)


def test_explain_is_public() -> None:
    assert assess_rules.explain is explain
    assert "explain" in assess_rules.__all__


# -- docs/explain.md: each shown command gives the output shown -------------------------------

DOC = ROOT / "docs" / "explain.md"
_CONSOLE = re.compile(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", re.DOTALL)


def _doc_examples() -> list[tuple[str, str]]:
    return [(m["command"], m["output"]) for m in _CONSOLE.finditer(DOC.read_text())]


def test_the_docs_show_examples() -> None:
    assert len(_doc_examples()) >= 3


@pytest.mark.parametrize(("command", "output"), _doc_examples())
def test_each_docs_example_runs_as_shown(
    command: str, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv = command.split()
    assert argv[0] == "assess-rules"
    code, out, err = _run(*argv[1:])
    assert (code, err) == (0, "")
    stale = "docs/explain.md is stale: run scripts/regenerate_explain_docs.py, review the diff"
    if "--format json" in command:  # the page shows the start of the JSON
        # the pack's content hash changes with any edit to the packs it extends
        hashed = re.compile(r'"content_hash": "[^"]*"')
        shown = hashed.sub('"content_hash": "..."', output.rstrip("\n.").rstrip())
        assert hashed.sub('"content_hash": "..."', out).startswith(shown), stale
    else:
        assert out == output, stale


def test_a_prohibition_that_refuses_shows_why() -> None:
    # Consent declined, significant harm suspected, no strategy discussion: the baseline's
    # ban on cancelling for lack of consent holds for the request (grounds no_consent).
    raw = _kent_request(
        "no-consent-no-strategy-threshold",
        concerns={"significant_harm_suspected": True},
        consent=[{"event": "declined", "at": "2026-12-02T10:00", "by": "parent"}],
    )
    policy = load_policy("kent")
    case = parse_case(raw, vocabulary=policy.vocabulary)
    rule = explain(
        policy, case, "2026-12-14", "no-consent-cancellation-while-harm-suspected"
    ).rules[0]
    assert (rule.applied, rule.origin) == (True, "generic_s17")
    (part,) = rule.parts
    (when,) = part.conditions
    assert (when.value, when.facts) == (
        True,
        {"concerns.significant_harm_suspected": True, "strategy_discussion.s47_ruled_out": False},
    )
    decisions = [f for f in rule.findings if f.type == "decision"]
    assert decisions
    assert all(": refused (" in f.text for f in decisions)
    assert any(f.type == "violation" for f in rule.findings)  # it was approved all the same


def test_a_consent_branch_and_its_step() -> None:
    # Consent declined on Wed 2 Dec with no harm suspected: the declined branch applies and
    # its supervision discussion is owed, not yet recorded.
    policy = load_policy("assessment_intervention")
    case = parse_case(
        {
            "case_id": "A",
            "referral": {"received_at": "2026-12-01T10:00"},
            "concerns": {"significant_harm_suspected": False},
            "consent": [{"event": "declined", "at": "2026-12-02T10:00", "by": "parent"}],
        },
        vocabulary=policy.vocabulary,
    )
    found = explain(policy, case, "2026-12-03")
    refused = found.rule("consent-refused")
    assert refused.applied is True
    (part,) = refused.parts
    assert part.facts["consent.branch"] == "declined"
    (applies,) = part.conditions
    assert applies.value is True
    (step,) = part.steps
    assert (step.id, step.status, step.records) == (
        "supervision-discussion",
        "missing",
        ("oversight.supervision_discussion",),
    )
    withdrawn = found.rule("consent-withdrawn-before-visit")
    assert withdrawn.applied is False
    assert "not on the withdrawn before visit branch" in withdrawn.why


def test_a_check_that_cannot_be_decided_names_the_fact_it_needs() -> None:
    # The cancellation was approved; whether the service manager agreed is not recorded.
    part_rule = explain(
        load_policy("kent"),
        parse_case(_kent_request("already-18"), vocabulary=load_policy("kent").vocabulary),
        "2026-12-14",
        "approved-despite-disagreement",
    ).rules[0]
    assert part_rule.applied is None
    (condition,) = part_rule.parts[0].conditions
    assert condition.unknown_facts == ("oversight.cancellation_review.agrees",)
    assert [f.type for f in part_rule.findings] == ["missing_facts"]
