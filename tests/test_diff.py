"""``assess-rules show`` (the pack as written, and resolved) and ``assess-rules diff`` (what
changed between two packs, and in which cases): docs/diff.md."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from assess_rules import (
    bundled_policies,
    evaluate,
    load_policy,
    parse_case,
    resolved_pack,
    resolved_yaml,
    select_policy,
)
from assess_rules.cli import run
from assess_rules.diff import diff_policies, outcome_changes
from assess_rules.loading import bundled_dir
from assess_rules.scenarios import load_scenario_file

ROOT = Path(__file__).parents[1]
NORTHSHIRE = ROOT / "examples" / "packs" / "northshire.yaml"
NORTHSHIRE_1 = ROOT / "examples" / "packs" / "northshire@1.0.0.yaml"
KENT = bundled_dir("policies") / "kent.yaml"


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def edited_kent(tmp_path: Path, *edits: tuple[str, str, str]) -> Path:
    """A copy of Kent with each edit (the text after ``anchor``: ``old`` becomes ``new``)."""
    text = KENT.read_text(encoding="utf-8")
    for anchor, old, new in edits:
        start = text.index(anchor)
        at = text.index(old, start)
        text = text[:at] + new + text[at + len(old) :]
    path = tmp_path / "kent.yaml"
    path.write_text(text, encoding="utf-8")
    return path


#: the 10-calendar-day cancellation timescale (KENT-TIME-1) cut to 7
SHORTER = ("- id: cancellation-within-10-days", "{amount: 10,", "{amount: 7,")
#: the step across to Early Help decided by a service manager, not a team manager
RAISED = ("- id: early-help-step-across", "decided_by: team_manager", "decided_by: service_manager")
#: the step across's second reason (the parents agreed to continue with Early Help) removed
REASON = (
    "- id: early-help-step-across",
    """      - id: parents-agreed-continue-with-early-help
        label: Parents agreed to continue receiving a service from EH.
        when: "known(action.parents_agreed_continue_early_help)"
        sources: [{id: KENT-REASON-2, para: "Criteria, bullet 4"}]
""",
    "",
)


# --- show ------------------------------------------------------------------------------------


def scenario_results(
    policy_path: str | Path, scenario_file: Path, original: str | Path
) -> list[dict[str, Any]]:
    """The result under the pack at ``policy_path`` of every scenario that the current
    version of ``original`` judges (not those of a referral date an older version installed
    beside it covers), without the pack stamp (the content hash differs between a pack and
    its resolved copy)."""
    policy = load_policy(policy_path)
    current = load_policy(original)
    out = []
    for scenario in load_scenario_file(scenario_file).scenarios:
        case = parse_case(dict(scenario.case), vocabulary=current.vocabulary)
        if current.version_on(case.referral.received_at.date()) is not current:
            continue
        result = evaluate(policy, case, scenario.as_of).to_dict()
        del result["pack"]
        out.append(result)
    return out


@pytest.mark.parametrize(
    ("name", "scenarios"),
    [
        ("kent", bundled_dir("policies") / "kent.scenarios.yaml"),
        (str(NORTHSHIRE), NORTHSHIRE.with_name("northshire.scenarios.yaml")),
    ],
    ids=["kent", "northshire"],
)
def test_show_resolved_loads_back_and_judges_every_example_alike(
    tmp_path: Path, name: str, scenarios: Path
) -> None:
    code, text, err = call("show", name, "--resolved")
    assert (code, err) == (0, "")
    copy = tmp_path / "resolved.yaml"
    copy.write_text(text, encoding="utf-8")
    reloaded = load_policy(copy)
    assert reloaded.info.extends is None
    assert resolved_pack(reloaded) == resolved_pack(load_policy(name))
    expected = scenario_results(name, scenarios, name)
    assert len(expected) > 5
    assert scenario_results(copy, scenarios, name) == expected


@pytest.mark.parametrize("name", bundled_policies())
def test_every_bundled_pack_resolves_to_itself(tmp_path: Path, name: str) -> None:
    policy = load_policy(name)
    for form in ("yaml", "json"):  # JSON is YAML too: both load back
        code, text, _ = call("show", name, "--resolved", "--format", form)
        assert code == 0
        copy = tmp_path / f"{name}.{form}.yaml"
        copy.write_text(text, encoding="utf-8")
        reloaded = load_policy(copy)
        assert resolved_pack(reloaded, defaults=True) == resolved_pack(policy, defaults=True)
        assert [r.id for r in reloaded.rules] == [r.id for r in policy.rules]
        assert diff_policies(policy, reloaded) == []


def test_resolved_yaml_says_where_rules_come_from_and_which_parameter_a_number_is() -> None:
    text = resolved_yaml(load_policy(NORTHSHIRE))
    lines = text.splitlines()
    assert "extends:" not in text
    at = lines.index("  - id: assessment-completion")
    assert lines[at - 1] == "  # from generic_s17"
    within = next(line for line in lines[at:] if line.strip().startswith("within:"))
    # generic_s17 writes {amount: assessment_days}; Northshire sets the parameter to 40
    assert within == "    within: {amount: 40, unit: working_days}  # parameter assessment_days"
    at = lines.index("  - id: transfer-to-another-authority")
    assert lines[at - 1] == "  # from northshire"


def test_show_without_resolved_is_the_file_as_written() -> None:
    code, text, _ = call("show", str(NORTHSHIRE))
    assert (code, text) == (0, NORTHSHIRE.read_text(encoding="utf-8"))
    code, text, _ = call("show", str(NORTHSHIRE), "--format", "json")
    data = json.loads(text)
    assert code == 0
    assert data["pack"]["extends"] == "generic_s17"
    assert data["rules"][0]["id"] == "family-group-conference-offered"


def test_a_version_is_named_by_file_or_by_name_at_version() -> None:
    assert select_policy(NORTHSHIRE_1).version == "1.0.0"
    assert select_policy(f"{NORTHSHIRE}@1.0.0").version == "1.0.0"
    assert select_policy(f"{NORTHSHIRE}@2.0.0").version == "2.0.0"
    code, text, _ = call("show", f"{NORTHSHIRE}@1.0.0", "--resolved", "--format", "json")
    assert code == 0
    assert json.loads(text)["parameters"]["assessment_days"]["value"] == 45
    code, _, err = call("show", f"{NORTHSHIRE}@3.0.0")
    assert code == 2
    assert "has no version '3.0.0'; its versions: 1.0.0, 2.0.0" in err


def test_show_of_a_bad_pack_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack:\n  id: x\n  title: y\n  version: '1'\n", encoding="utf-8")
    code, out, err = call("show", str(bad), "--resolved")
    assert (code, out) == (2, "")
    assert err.startswith(f"assess-rules: {bad}:2:3: missing required key 'authority'")
    assert "Traceback" not in err


# --- diff of two packs -----------------------------------------------------------------------


def test_diff_of_the_example_pack_s_two_versions() -> None:
    code, text, err = call("diff", str(NORTHSHIRE_1), str(NORTHSHIRE))
    assert (code, err) == (1, "")
    lines = text.splitlines()
    assert lines[0] == "Changes from northshire 1.0.0 to northshire 2.0.0 (16 changes):"
    for expected in [
        "Pack: version 1.0.0 -> 2.0.0",
        "Pack: effective from 2024-01-01 -> 2026-01-01",
        "Pack: effective to 2025-12-31 -> none",
        "Vocabulary: oversight kind family_group_conference added: Family group conference",
        "Vocabulary: requestable action transfer_assessment added: Transfer the assessment",
        "Calendar: recurring closure added: Christmas Eve (every 12-24)",
        "Parameter assessment_days: 45 -> 40",
        "Timescale assessment-completion: 45 working days -> 40 working days",
        "Obligation assessment-overrun-reasons: its conditions read parameter assessment_days,"
        " 45 -> 40",
        "Action rule transfer-to-another-authority added: Transferring an assessment to the "
        "authority the family moved to",
        "Recurring duty plan-reviewed-every-three-months added: The plan of action is reviewed "
        "at least every 3 months while involvement continues",
    ]:
        assert f"  {expected}" in lines, expected
    # the same two versions, named as versions of the current file
    assert call("diff", f"{NORTHSHIRE}@1.0.0", str(NORTHSHIRE))[1] == text


def test_diff_of_kent_with_a_timescale_cut_a_reason_removed_and_an_approver_raised(
    tmp_path: Path,
) -> None:
    edited = edited_kent(tmp_path, SHORTER, RAISED, REASON)
    code, text, err = call("diff", "kent", str(edited))
    assert (code, err) == (1, "")
    assert text.splitlines()[1:] == [
        "  Timescale cancellation-within-10-days: 10 calendar days -> 7 calendar days",
        "  Action rule early-help-step-across: decided by Team Manager -> Service Manager (raised)",
        "  Action rule early-help-step-across: reason parents-agreed-continue-with-early-help "
        "removed: Parents agreed to continue receiving a service from EH.",
    ]
    code, text, _ = call("diff", "kent", str(edited), "--format", "json")
    changes = json.loads(text)["changes"]
    assert code == 1
    assert [(c["target"], c["path"], c["change"], c["old"], c["new"]) for c in changes[:2]] == [
        (
            "cancellation-within-10-days",
            ["within"],
            "changed",
            {"amount": 10, "unit": "calendar_days"},
            {"amount": 7, "unit": "calendar_days"},
        ),
        ("early-help-step-across", ["decided_by"], "changed", "team_manager", "service_manager"),
    ]
    assert changes[2]["path"] == ["reasons", "parents-agreed-continue-with-early-help"]
    assert (changes[2]["change"], changes[2]["new"]) == ("removed", None)
    # and back again: the approver is lowered, the reason added
    _, text, _ = call("diff", str(edited), "kent")
    assert "decided by Service Manager -> Team Manager (lowered)" in text
    assert "reason parents-agreed-continue-with-early-help added: Parents agreed" in text


def test_a_pack_against_itself_has_no_differences() -> None:
    code, text, _ = call("diff", "kent", str(KENT))
    assert code == 0
    assert text.startswith("No differences between kent 1.1.0")


def test_markdown_for_sign_off(tmp_path: Path) -> None:
    edited = edited_kent(tmp_path, SHORTER)
    code, text, _ = call("diff", "kent", str(edited), "--format", "markdown")
    assert code == 1
    assert text.startswith("# Changes to pack kent: 1.1.0 → 1.1.0\n")
    assert f"| content hash | `{load_policy('kent').content_hash}` |" in text
    assert (
        "## Rules\n\n- Timescale cancellation-within-10-days: 10 calendar days → 7 calendar" in text
    )


def test_a_removed_rule_carries_the_new_pack_s_reason(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        "pack: {id: child, title: C, authority: A, version: '1', extends: kent}\n"
        "removed_rules:\n"
        "  - {id: cancellation-within-10-days, reason: The council sets no cancellation limit}\n",
        encoding="utf-8",
    )
    code, text, _ = call("diff", "kent", str(child))
    assert code == 1
    assert (
        "  Timescale cancellation-within-10-days removed: Cancellation completed within 10 days "
        "of the referral (the new pack says why: The council sets no cancellation limit)"
    ) in text.splitlines()


def test_a_bad_pack_is_invalid_input(tmp_path: Path) -> None:
    code, out, err = call("diff", "kent", str(tmp_path / "missing.yaml"))
    assert (code, out) == (2, "")
    assert "no such file" in err


# --- diff of outcomes ------------------------------------------------------------------------

#: Referral Tue 1 Dec 2026 10:00 (GMT), as in kent.scenarios.yaml
BASE: dict[str, Any] = {
    "referral": {"received_at": "2026-12-01T10:00", "referrer_kind": "professional"},
    "decision": {
        "made_at": "2026-12-01T15:00",
        "made_by": "team_manager",
        "response": "assessment",
    },
    "child": {"date_of_birth": "2012-05-01", "resides_in_area": True},
    "concerns": {"significant_harm_suspected": False, "threshold_met": True},
    "assessment": {"allocated_at": "2026-12-01T16:00", "started_at": "2026-12-01T16:00"},
}
#: Cancelled (opened in error) on Wed 9 Dec: within 10 calendar days of Tue 1 Dec (due Fri 11
#: Dec), not within 7 (due Tue 8 Dec)
LATE = {
    **BASE,
    "case_id": "late",
    "assessment": {**BASE["assessment"], "status": "cancelled"},
    "consent": [{"event": "given", "at": "2026-12-02T10:00", "by": "parent"}],
    "oversight": [
        {"kind": "cancellation_rationale", "at": "2026-12-08T10:00", "by": "team_manager"},
        {"kind": "cancellation_review", "at": "2026-12-09T10:00", "by": "service_manager",
         "agrees": True},
    ],
    "actions": [{"kind": "case_file_updated", "at": "2026-12-08T10:00", "by": "team_manager"}],
    "cancellations": [
        {"reason": "opened-in-error", "recommended_by": "team_manager",
         "recommended_at": "2026-12-08T10:00", "reassigned_at": "2026-12-08T10:05",
         "decided_by": "service_manager", "decided_at": "2026-12-09T10:00", "outcome": "approved"}
    ],
}  # fmt: skip
#: Cancelled on Thu 3 Dec: in time either way
EARLY = {
    **LATE,
    "case_id": "early",
    "oversight": [
        {"kind": "cancellation_rationale", "at": "2026-12-02T10:00", "by": "team_manager"},
        {"kind": "cancellation_review", "at": "2026-12-03T10:00", "by": "service_manager",
         "agrees": True},
    ],
    "actions": [{"kind": "case_file_updated", "at": "2026-12-02T10:00", "by": "team_manager"}],
    "cancellations": [
        {**LATE["cancellations"][0], "recommended_at": "2026-12-02T10:00",
         "reassigned_at": "2026-12-02T10:05", "decided_at": "2026-12-03T10:00"}
    ],
}  # fmt: skip
#: A team manager approves the step across to Early Help, with the parents' agreement
STEP = {
    **BASE,
    "case_id": "step",
    "actions": [
        {"kind": "parents_agreed_step_across_to_early_help", "at": "2026-12-02T15:00",
         "by": "social_worker"}
    ],
    "cancellations": [
        {"action": "step_across_to_early_help", "reason": "parents-agreed-step-across",
         "recommended_at": "2026-12-04T15:00", "decided_by": "team_manager",
         "decided_at": "2026-12-04T16:00", "outcome": "approved"}
    ],
}  # fmt: skip
#: No cancellation: the cancellation timescale does not apply
QUIET = {**BASE, "case_id": "quiet"}


def jsonl(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cases_whose_outcome_flips_and_one_that_does_not(tmp_path: Path) -> None:
    edited = edited_kent(tmp_path, SHORTER)
    cases = jsonl(tmp_path, json.dumps(LATE), json.dumps(QUIET), json.dumps(EARLY))
    code, text, err = call(
        "diff", "kent", str(edited), "--cases", str(cases), "--as-of", "2026-12-14"
    )
    assert (code, err) == (1, "")
    report = text[text.index("Cases whose outcome changes") :].splitlines()
    assert report == [
        "Cases whose outcome changes (as of 2026-12-14):",
        "  line 1, case late:",
        "      deadline cancellation-within-10-days: due 2026-12-11 -> 2026-12-08, status met "
        "-> missed, within 10 calendar days -> 7 calendar days",
        "      violation cancellation-within-10-days added (severity high)",
        # Thu 3 Dec: met either way; only the due date moves (Fri 11 -> Tue 8 Dec)
        "  line 3, case early:",
        "      deadline cancellation-within-10-days: due 2026-12-11 -> 2026-12-08, within 10 "
        "calendar days -> 7 calendar days (status met)",
        "Cases: 3 records read, 3 compared, 2 changed, 1 unchanged, 0 refused.",
        "Changes: deadlines changed: 2, violations added: 1.",
    ]


def test_a_raised_approver_and_a_removed_reason_change_permitted_actions(tmp_path: Path) -> None:
    edited = edited_kent(tmp_path, RAISED, REASON)
    cases = jsonl(tmp_path, json.dumps(STEP))
    code, text, _ = call(
        "diff", "kent", str(edited), "--cases", str(cases), "--as-of", "2026-12-10", "--format",
        "json",
    )  # fmt: skip
    report = json.loads(text)
    assert code == 1
    [case] = report["cases"]
    found = {(c["finding"], tuple(c["key"]), c["change"]): (c["old"], c["new"]) for c in
             case["changes"]}  # fmt: skip
    # decided by a team manager: allowed when a team manager decides, refused (and a
    # violation of the approver) when a service manager must
    assert found[
        ("permitted_action", ("step_across_to_early_help", "parents-agreed-step-across",
                              "cancellations[0]"), "changed")
    ] == (
        {"status": "allowed", "approver": "team_manager"},
        {"status": "refused", "approver": "service_manager"},
    )  # fmt: skip
    assert ("violation", ("early-help-step-across", "cancellations[0]", "", "approver"),
            "added") in found  # fmt: skip
    removed = ("step_across_to_early_help", "parents-agreed-continue-with-early-help", "")
    assert ("permitted_action", removed, "removed") in found
    assert report["case_summary"]["changed"] == 1


def test_bad_lines_are_reported_each_on_its_line_and_the_rest_go_on(tmp_path: Path) -> None:
    edited = edited_kent(tmp_path, SHORTER)
    cases = jsonl(
        tmp_path,
        json.dumps(LATE),
        "",
        '{"case_id": "dup", "referral": {"received_at": "x", "received_at": "y"}}',
        '{"case_id": "no-referral"}',
        json.dumps(QUIET),
    )
    code, text, _ = call(
        "diff", "kent", str(edited), "--cases", str(cases), "--as-of", "2026-12-14"
    )
    assert code == 2
    assert "  line 3, case dup: refused (json): referral.received_at: the key appears more than " \
        "once in its object" in text.splitlines()  # fmt: skip
    assert "  line 4, case no-referral: refused (case): referral: " in text
    assert "  line 1, case late:" in text
    assert "Cases: 4 records read, 2 compared, 1 changed, 1 unchanged, 2 refused." in text
    assert '"x"' not in text  # values are never echoed
    assert '"y"' not in text


def test_a_case_only_the_new_pack_can_read(tmp_path: Path) -> None:
    """Northshire 2.0.0 declares a record kind 1.0.0 does not know: the record is refused by
    the old pack and judged by the new, and that is the change."""
    case = {
        "case_id": "fgc",
        "referral": {"received_at": "2026-02-02T10:00"},
        "oversight": [
            {"kind": "family_group_conference", "at": "2026-02-03T10:00", "by": "team_manager"}
        ],
    }
    cases = jsonl(tmp_path, json.dumps(case))
    code, text, _ = call(
        "diff", str(NORTHSHIRE_1), str(NORTHSHIRE), "--cases", str(cases), "--as-of", "2026-02-04",
        "--format", "json",
    )  # fmt: skip
    [change] = json.loads(text)["cases"][0]["changes"]
    assert code == 1
    assert change["finding"] == "record"
    assert change["old"]["status"] == "refused (case)"
    assert change["old"]["why"].startswith("oversight.0.kind: ")
    assert change["new"] == {"status": "judged"}
    assert change["text"].startswith("record: refused (case) (oversight.0.kind: ")
    assert change["text"].endswith(" by the old pack -> judged by the new")


def test_each_pack_judges_a_case_whatever_its_own_dates(tmp_path: Path) -> None:
    """A 2026 referral is out of Northshire 1.0.0's dates (2024-2025), yet the diff judges
    it under both. From Mon 2 Feb 2026 (day 0): Feb 3-27 are days 1-19, Mar 2-31 days 20-41,
    so 40 working days end Mon 30 Mar; Apr 1-2 are days 42-43, Good Friday 3 Apr and Easter
    Monday 6 Apr are bank holidays, Apr 7-8 days 44-45: 45 working days end Wed 8 Apr."""
    case = {
        "case_id": "feb",
        "referral": {"received_at": "2026-02-02T10:00"},
        "decision": {"made_at": "2026-02-02T15:00", "made_by": "team_manager",
                     "response": "assessment"},
        "assessment": {"allocated_at": "2026-02-02T16:00", "started_at": "2026-02-02T16:00"},
    }  # fmt: skip
    cases = jsonl(tmp_path, json.dumps(case))
    code, text, _ = call(
        "diff", str(NORTHSHIRE_1), str(NORTHSHIRE), "--cases", str(cases), "--as-of", "2026-02-04",
    )  # fmt: skip
    assert code == 1
    assert (
        "      deadline assessment-completion: due 2026-04-08 -> 2026-03-30, within 45 working "
        "days -> 40 working days (status pending)"
    ) in text.splitlines()


def test_the_older_name_of_a_kind_is_no_change(tmp_path: Path) -> None:
    renamed = edited_kent(tmp_path, ("  - id: cancellation\n", "kind: cancellation",
                                     "kind: action"))  # fmt: skip
    assert "kind: action\n    title: Cancelling a child" in renamed.read_text(encoding="utf-8")
    code, text, _ = call("diff", "kent", str(renamed))
    assert code == 0, text


def test_show_resolved_lists_the_rules_a_pack_removes_and_leaves_them_out(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        "pack: {id: child, title: C, authority: A, version: '1', extends: kent}\n"
        "removed_rules:\n"
        "  - {id: cancellation-within-10-days, reason: The council sets no cancellation limit}\n",
        encoding="utf-8",
    )
    code, text, _ = call("show", str(child), "--resolved")
    assert code == 0
    lines = text.splitlines()
    at = lines.index("# rules of the extended packs that this pack does not apply:")
    assert (
        lines[at + 1] == "#   cancellation-within-10-days: The council sets no cancellation limit"
    )
    assert "- id: cancellation-within-10-days" not in text
    copy = tmp_path / "resolved.yaml"
    copy.write_text(text, encoding="utf-8")
    assert resolved_pack(load_policy(copy)) == resolved_pack(load_policy(child))
    assert "cancellation-within-10-days" not in {r.id for r in load_policy(copy).rules}


def test_a_finding_met_twice_is_counted_not_merged() -> None:
    """Two violations of one rule on one subject: losing one of them is a change."""
    policy = load_policy("kent")
    case = parse_case({**LATE, "cancellations": [{**LATE["cancellations"][0],
                                                  "decided_by": "team_manager"}]})  # fmt: skip
    before = evaluate(policy, case, "2026-12-14")
    assert before.violations
    twice = dataclasses.replace(before, violations=(*before.violations, before.violations[0]))
    [change] = outcome_changes(twice, before)
    assert (change.finding, change.change, change.key[-1]) == ("violation", "removed", "#2")
    assert outcome_changes(before, before) == []


def test_markdown_lists_the_cases_and_a_missing_case_file_is_invalid_input(
    tmp_path: Path,
) -> None:
    edited = edited_kent(tmp_path, SHORTER)
    cases = jsonl(tmp_path, json.dumps(LATE), json.dumps(QUIET))
    code, text, _ = call(
        "diff", "kent", str(edited), "--cases", str(cases), "--as-of", "2026-12-14", "--format",
        "markdown",
    )  # fmt: skip
    assert code == 1
    section = text[text.index("## Cases whose outcome changes") :].splitlines()
    assert section[:4] == [
        "## Cases whose outcome changes (as of 2026-12-14)",
        "",
        "- line 1, case late",
        "  - deadline cancellation-within-10-days: due 2026-12-11 → 2026-12-08, status met → "
        "missed, within 10 calendar days → 7 calendar days",
    ]
    assert "Cases: 2 records read, 2 compared, 1 changed, 1 unchanged, 0 refused." in section
    code, out, err = call("diff", "kent", str(edited), "--cases", str(tmp_path / "none.jsonl"))
    assert (code, out) == (2, "")
    assert "cannot read the file" in err
