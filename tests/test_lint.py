"""assess-rules lint: each lint fires on a small pack written here and stays quiet on its
corrected form; findings are located; silencing needs a reason and is itself checked."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
import yaml

from assess_rules import LINTS, Lint, PolicyError, bundled_policies, lint_pack
from assess_rules.cli import run
from assess_rules.lint import ambiguous_catalogue_ids, lint_paths
from assess_rules.loading import bundled_dir

EXAMPLES = Path(__file__).parents[1] / "examples" / "packs"
SHARED = Path(__file__).parents[2] / "shared" / "domain" / "rule-catalogue.md"
AS_OF = date(2026, 11, 23)

HEADER = """\
pack: {{id: {id}, title: A small pack, authority: Testshire, version: "1"{extends}}}
"""

VOCABULARY = """\
vocabulary:
  requestable_actions: [{id: cancel_assessment, label: Cancel the assessment}]
"""

COMPLETION = """\
  - id: completion
    kind: timescale
    title: Assessment completed within 45 working days
    sources: [{id: GEN-ASM-1, para: "1"}]
    start: referral.received
    end: assessment.authorised
    within: {amount: AMOUNT, unit: working_days}
"""


def write(tmp_path: Path, body: str, *, name: str = "tiny", extends: str | None = None) -> Path:
    """A pack file ``name.yaml`` in ``tmp_path``: the header, then ``body`` as written."""
    path = tmp_path / f"{name}.yaml"
    extra = f", extends: {extends}" if extends else ""
    # a pack that extends none declares the words it uses (docs/pack-format.md)
    words = "" if extends else VOCABULARY
    path.write_text(HEADER.format(id=name, extends=extra) + words + body, encoding="utf-8")
    return path


def lints(path: Path | str, lint_id: str, *, ambiguous: Iterable[str] = ()) -> list[Lint]:
    """The findings of one lint, silenced or not."""
    return [f for f in lint_pack(path, as_of=AS_OF, ambiguous=ambiguous) if f.id == lint_id]


def position(path: Path, text: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the ``occurrence``-th ``text`` in the file."""
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        column = line.find(text)
        if column >= 0:
            seen += 1
            if seen == occurrence:
                return number, column + 1
    raise AssertionError(f"{text!r} not in {path}")


# --- AR101, AR102: numbers written twice ----------------------------------------------------


def test_a_number_equal_to_a_parameter_is_reported_where_it_is_written(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 45}\nrules:\n"
        + COMPLETION.replace("AMOUNT", "45"),
    )
    (finding,) = lints(pack, "AR101")
    assert (finding.line, finding.column) == position(pack, "45, unit")
    assert finding.rule == "completion"
    assert finding.severity == "warning"
    assert "assessment_days" in finding.message
    assert "amount: assessment_days" in finding.fix


def test_a_named_parameter_is_not_reported(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 45}\nrules:\n"
        + COMPLETION.replace("AMOUNT", "assessment_days"),
    )
    assert lints(pack, "AR101") == []


def test_an_inherited_parameter_counts_too(tmp_path: Path) -> None:
    # generic_s17 has assessment_days: 45; a child pack writing 45 again duplicates it
    pack = write(
        tmp_path,
        "rules:\n" + COMPLETION.replace("completion", "own-completion").replace("AMOUNT", "45"),
        extends="generic_s17",
    )
    (finding,) = lints(pack, "AR101")
    assert "'assessment_days'" in finding.message


def test_a_duration_the_extended_pack_writes_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "rules:\n" + COMPLETION.replace("AMOUNT", "30"), name="base")
    child = write(
        tmp_path,
        "rules:\n" + COMPLETION.replace("completion", "own-review").replace("AMOUNT", "30"),
        extends="base",
    )
    (finding,) = lints(child, "AR102")
    assert "'completion'" in finding.message
    assert (finding.line, finding.column) == position(child, "30, unit")
    other = write(
        tmp_path,
        "rules:\n" + COMPLETION.replace("completion", "own-review").replace("AMOUNT", "31"),
        name="other",
        extends="base",
    )
    assert lints(other, "AR102") == []


# --- AR201, AR202: loosening the extended pack ---------------------------------------------

BASE_LIMITS = """\
rules:
  - id: completion
    kind: timescale
    title: Completed within 45 working days
    sources: [{id: GEN-ASM-1, para: "1"}]
    start: referral.received
    end: assessment.authorised
    within: {amount: 45, unit: working_days}
  - id: cancellation
    kind: action
    title: Cancelling an assessment
    sources: [{id: X-1, para: "1"}]
    decided_by: service_manager
    reasons:
      - {id: opened-in-error, label: Opened in error}
  - id: no-cancel-while-harm
    kind: prohibition
    title: No cancellation while harm is suspected
    sources: [{id: X-2, para: "2"}]
    when: "concerns.significant_harm_suspected"
    message: not while harm is suspected
"""


def test_an_override_that_gives_more_time_or_a_lower_approver_is_an_error(
    tmp_path: Path,
) -> None:
    write(tmp_path, BASE_LIMITS, name="base")
    child = write(
        tmp_path,
        """\
rules:
  - id: completion
    override: true
    kind: timescale
    title: Completed within 50 working days
    sources: [{id: GEN-ASM-1, para: "1"}]
    start: referral.received
    end: assessment.authorised
    within: {amount: 50, unit: working_days}
  - id: cancellation
    override: true
    kind: action
    title: Cancelling an assessment
    sources: [{id: X-1, para: "1"}]
    decided_by: team_manager
    reasons:
      - {id: opened-in-error, label: Opened in error}
""",
        extends="base",
    )
    found = lints(child, "AR201")
    assert [(f.rule, f.severity) for f in found] == [
        ("completion", "error"),
        ("cancellation", "error"),
    ]
    assert "50 working days" in found[0].message
    assert "45 working days" in found[0].message
    assert (found[0].line, found[0].column) == position(child, "50, unit")
    assert "team_manager" in found[1].message
    assert "service_manager" in found[1].message
    assert (found[1].line, found[1].column) == position(child, "team_manager")


def test_an_override_that_tightens_is_not_reported(tmp_path: Path) -> None:
    write(tmp_path, BASE_LIMITS, name="base")
    child = write(
        tmp_path,
        "rules:\n"
        + COMPLETION.replace(
            "  - id: completion\n", "  - id: completion\n    override: true\n"
        ).replace("AMOUNT", "40"),
        extends="base",
    )
    assert lints(child, "AR201") == []


def test_a_raised_parameter_loosens_the_rules_that_use_it(tmp_path: Path) -> None:
    pack = write(tmp_path, "parameters:\n  assessment_days: {value: 50}\n", extends="generic_s17")
    (finding,) = lints(pack, "AR201")
    assert "45 to 50" in finding.message
    assert "'assessment-completion'" in finding.message
    assert (finding.line, finding.column) == position(pack, "50")
    lowered = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 40}\n",
        name="lowered",
        extends="generic_s17",
    )
    assert lints(lowered, "AR201") == []


def prohibition(when: str) -> str:
    return f"""\
rules:
  - id: no-cancel-while-harm
    override: true
    kind: prohibition
    title: No cancellation while harm is suspected
    sources: [{{id: X-2, para: "2"}}]
    when: "{when}"
    message: not while harm is suspected
"""


def test_a_prohibition_whose_condition_holds_in_fewer_cases_is_loosened(tmp_path: Path) -> None:
    write(tmp_path, BASE_LIMITS, name="base")
    child = write(
        tmp_path,
        prohibition("concerns.significant_harm_suspected and child.disabled"),
        extends="base",
    )
    (finding,) = lints(child, "AR201")
    assert "holds in fewer cases" in finding.message
    # harm suspected, disability not recorded: the extended pack refuses, this one does not
    assert "for example concerns.significant_harm_suspected = true)" in finding.message
    assert (finding.line, finding.column) == position(child, '"concerns.')


def test_a_prohibition_whose_condition_holds_in_more_cases_is_not_reported(
    tmp_path: Path,
) -> None:
    write(tmp_path, BASE_LIMITS, name="base")
    child = write(
        tmp_path,
        prohibition("concerns.significant_harm_suspected or child.disabled"),
        extends="base",
    )
    assert lints(child, "AR201") == []


def test_an_override_that_adds_applies_when_is_loosened(tmp_path: Path) -> None:
    write(tmp_path, BASE_LIMITS, name="base")
    narrowed = COMPLETION.replace(
        "  - id: completion\n", "  - id: completion\n    override: true\n"
    ).replace("    start:", "    applies_when: child.disabled\n    start:")
    child = write(tmp_path, "rules:\n" + narrowed.replace("AMOUNT", "45"), extends="base")
    (finding,) = lints(child, "AR201")
    assert "adds 'applies_when'" in finding.message
    assert (finding.line, finding.column) == position(child, "child.disabled")


def test_removing_a_prohibition_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, BASE_LIMITS, name="base")
    child = write(
        tmp_path,
        "removed_rules:\n  - {id: no-cancel-while-harm, reason: not in our protocol}\n",
        extends="base",
    )
    (finding,) = lints(child, "AR202")
    assert finding.rule == "no-cancel-while-harm"
    assert (finding.line, finding.column) == position(child, "no-cancel-while-harm")
    kept = write(
        tmp_path,
        "removed_rules:\n  - {id: cancellation, reason: we do not cancel}\n",
        name="kept",
        extends="base",
    )
    assert lints(kept, "AR202") == []  # removing an action permits less, not more


# --- AR301, AR302: conditions -----------------------------------------------------------------


def action(*reasons: str) -> str:
    lines = "".join(f"      - {reason}\n" for reason in reasons)
    return f"""\
rules:
  - id: cancellation
    kind: action
    title: Cancelling an assessment
    sources: [{{id: X-1, para: "1"}}]
    decided_by: team_manager
    reasons:
{lines}"""


def test_a_reason_that_can_never_hold_is_an_error(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        action(
            "{id: moved, label: Moved, when: 'child.resides_in_area and not child.resides_in_area'}"
        ),
    )
    (finding,) = lints(pack, "AR301")
    assert finding.severity == "error"  # a boolean fact: every combination was tried
    assert "every combination" in finding.message
    assert (finding.line, finding.column) == position(pack, "'child.resides_in_area and")


def test_a_reason_that_can_hold_is_not_reported(tmp_path: Path) -> None:
    pack = write(tmp_path, action("{id: moved, label: Moved, when: 'not child.resides_in_area'}"))
    assert lints(pack, "AR301") == []


def test_a_number_condition_that_never_holds_is_only_a_warning(tmp_path: Path) -> None:
    pack = write(
        tmp_path, action("{id: old, label: Adult, when: 'child.age >= 18 and child.age < 16'}")
    )
    (finding,) = lints(pack, "AR301")
    assert finding.severity == "warning"  # numbers are sampled: the message says so
    assert "sample" in finding.message


def test_a_long_condition_that_can_hold_is_not_reported_from_a_sample(tmp_path: Path) -> None:
    # 12 yes/no facts: 3**12 combinations, more than are tried, so a sample is taken; it
    # must still find the one kind of case (all twelve true) that makes the condition hold
    facts = [
        "assessment.exists",
        "child.agencies_involved",
        "child.competent_to_consent",
        "child.disabled",
        "child.looked_after",
        "child.resides_in_area",
        "concerns.significant_harm_suspected",
        "concerns.case_open",
        "concerns.threshold_met",
        "concerns.new_risks",
        "concerns.circumstances_unchanged",
        "concerns.level4_indicators",
    ]
    pack = write(tmp_path, action(f"{{id: all, label: All, when: '{' and '.join(facts)}'}}"))
    assert lints(pack, "AR301") == []


def test_two_reasons_that_always_hold_together_are_reported(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        action(
            "{id: moved, label: Moved, when: 'not child.resides_in_area'}",
            "{id: gone, label: Gone, when: 'not (child.resides_in_area == true)'}",
        ),
    )
    (finding,) = lints(pack, "AR302")
    assert "'moved' and 'gone'" in finding.message
    assert (finding.line, finding.column) == position(pack, "'not (child")


def test_two_reasons_that_differ_are_not_reported(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        action(
            "{id: moved, label: Moved, when: 'not child.resides_in_area'}",
            "{id: here, label: Here, when: 'child.resides_in_area'}",
        ),
    )
    assert lints(pack, "AR302") == []


# --- AR401: closure lists -----------------------------------------------------------------------


def test_a_closure_list_ending_within_two_years_is_reported(tmp_path: Path) -> None:
    # the list covers up to 31 Dec 2027, less than two years after 23 Nov 2026
    pack = write(tmp_path, "calendar:\n  closures: [2026-12-29, 2027-12-29]\n")
    (finding,) = lints(pack, "AR401")
    assert "2027-12-31" in finding.message
    assert (finding.line, finding.column) == position(pack, "2027-12-29")


def test_a_closure_list_reaching_past_two_years_is_not_reported(tmp_path: Path) -> None:
    # 31 Dec 2028 is after 23 Nov 2028, two years after the lint date
    pack = write(tmp_path, "calendar:\n  closures: [2026-12-29, 2028-12-29]\n")
    assert lints(pack, "AR401") == []


def test_the_closure_lint_counts_from_the_lint_date(tmp_path: Path) -> None:
    pack = write(tmp_path, "calendar:\n  closures: [2028-12-29]\n")
    assert lints(pack, "AR401") == []
    later = lint_pack(pack, as_of=date(2027, 1, 4), ambiguous=())
    assert [f.id for f in later] == ["AR401"]


# --- AR501: roles -------------------------------------------------------------------------------

ROLES = """\
roles:
  - {id: social_worker, label: Social Worker}
  - {id: team_manager, label: Team Manager}
  - {id: service_manager, label: Service Manager}
"""


def test_a_role_no_rule_lets_act_is_reported(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        ROLES
        + "higher_roles_may_act: false\n"
        + action("{id: opened-in-error, label: Opened in error}"),
    )
    found = lints(pack, "AR501")
    assert [f.role for f in found] == ["social_worker", "service_manager"]
    assert (found[1].line, found[1].column) == position(pack, "service_manager")


def test_higher_roles_acting_for_lower_ones_can_act(tmp_path: Path) -> None:
    pack = write(tmp_path, ROLES + action("{id: opened-in-error, label: Opened in error}"))
    found = lints(pack, "AR501")
    assert [f.role for f in found] == ["social_worker"]  # below every role a rule names


def test_a_ladder_whose_every_role_may_act_is_not_reported(tmp_path: Path) -> None:
    ladder = ROLES.replace("  - {id: social_worker, label: Social Worker}\n", "")
    pack = write(tmp_path, ladder + action("{id: opened-in-error, label: Opened in error}"))
    assert lints(pack, "AR501") == []  # team manager decides; a service manager may too


# --- AR601, AR602: scenarios ----------------------------------------------------------------

TWO_TIMESCALES = (
    "rules:\n"
    + COMPLETION.replace("AMOUNT", "45")
    + """\
  - id: decision
    kind: timescale
    title: Decision within 1 working day
    sources: [{id: GEN-REF-1, para: "1"}]
    applies_when: "referral.route == 'out_of_hours'"
    start: referral.received
    end: decision.made
    within: {amount: 1, unit: working_days}
"""
)

SCENARIOS = """\
pack: tiny
scenarios:
  - name: a referral in office hours
    note: 45 working days from Mon 1 Jun 2026 (day 0) is Mon 3 Aug 2026.
    as_of: 2026-06-02
    case:
      case_id: T-1
      referral: {received_at: 2026-06-01T10:00, route: office_hours}
    expect:
      deadlines:
        completion: {due: 2026-08-03, status: pending}
"""


def test_a_rule_no_scenario_exercises_is_reported(tmp_path: Path) -> None:
    pack = write(tmp_path, TWO_TIMESCALES)
    (tmp_path / "tiny.scenarios.yaml").write_text(SCENARIOS)
    (finding,) = lints(pack, "AR601")
    assert finding.rule == "decision"
    assert (finding.line, finding.column) == position(pack, "decision", 1)
    assert lints(pack, "AR602") == []


def test_every_rule_in_a_scenario_is_not_reported(tmp_path: Path) -> None:
    pack = write(tmp_path, TWO_TIMESCALES)
    scenarios = SCENARIOS.replace("route: office_hours", "route: out_of_hours")
    (tmp_path / "tiny.scenarios.yaml").write_text(scenarios)
    assert lints(pack, "AR601") == []


def test_a_pack_with_no_scenario_file_is_reported_once(tmp_path: Path) -> None:
    pack = write(tmp_path, TWO_TIMESCALES)
    (finding,) = lints(pack, "AR602")
    assert "tiny.scenarios.yaml" in finding.message
    assert lints(pack, "AR601") == []


# --- AR701: notes where the catalogue marks ambiguity ---------------------------------------


def test_a_rule_citing_an_ambiguous_entry_needs_a_note(tmp_path: Path) -> None:
    pack = write(tmp_path, "rules:\n" + COMPLETION.replace("AMOUNT", "45"))
    (finding,) = lints(pack, "AR701", ambiguous={"GEN-ASM-1"})
    assert "GEN-ASM-1" in finding.message
    assert finding.severity == "error"
    assert (finding.line, finding.column) == position(pack, "[{id: GEN-ASM-1")
    assert lints(pack, "AR701", ambiguous={"GEN-REF-1"}) == []


def test_a_note_anywhere_in_the_rule_answers_it(tmp_path: Path) -> None:
    noted = COMPLETION.replace("AMOUNT", "45") + "    note: completed means authorised\n"
    pack = write(tmp_path, "rules:\n" + noted)
    assert lints(pack, "AR701", ambiguous={"GEN-ASM-1"}) == []


def test_a_reason_citing_an_ambiguous_entry_needs_its_own_note(tmp_path: Path) -> None:
    reason = "{id: moved, label: Moved, sources: [{id: X-9, para: '9'}]}"
    pack = write(tmp_path, action(reason))
    (finding,) = lints(pack, "AR701", ambiguous={"X-9"})
    assert "part of the rule" in finding.message
    noted = write(
        tmp_path,
        action(reason.replace("}]}", "}], note: 'moved is read as ...'}")),
        name="noted",
    )
    assert lints(noted, "AR701", ambiguous={"X-9"}) == []


def test_the_ambiguity_marks_are_read_from_the_catalogue() -> None:
    text = (
        "- **A-1**: within 20 days (no unit: encode calendar days, with a note).\n"
        "- **A-2**: the team manager decides.\n"
        "- **A-3**: is left undecided for a manager (reading: the source is silent; note).\n"
        "\n## Next section\n"
        "- **A-4**: a SA note, proposed wording to families, says 45 working days.\n"
    )
    assert ambiguous_catalogue_ids(text) == {"A-1", "A-3"}


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/ is not beside this checkout")
def test_the_bundled_ambiguity_list_matches_the_catalogue() -> None:
    bundled = yaml.safe_load((bundled_dir("policies") / "catalogue.ids.yaml").read_text())
    assert set(bundled["ambiguous"]) == ambiguous_catalogue_ids(SHARED.read_text())


# --- silencing ----------------------------------------------------------------------------------


def test_an_ignore_silences_the_finding_with_its_reason(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 45}\nrules:\n"
        + COMPLETION.replace("AMOUNT", "45")
        + "lint:\n  ignore:\n    - {id: AR101, rule: completion, reason: a different 45}\n",
    )
    (finding,) = lints(pack, "AR101")
    assert finding.silenced == "a different 45"
    assert lints(pack, "AR001") == []


def test_an_ignore_that_silences_nothing_is_a_finding(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 45}\nrules:\n"
        + COMPLETION.replace("AMOUNT", "assessment_days")
        + "lint:\n  ignore:\n    - {id: AR101, rule: completion, reason: a different 45}\n",
    )
    (finding,) = lints(pack, "AR001")
    assert "AR101" in finding.message
    assert finding.silenced is None
    assert (finding.line, finding.column) == position(pack, "{id: AR101")


def test_an_ignore_of_another_rule_does_not_silence(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 45}\nrules:\n"
        + COMPLETION.replace("AMOUNT", "45")
        + "lint:\n  ignore:\n    - {id: AR101, rule: other, reason: not this one}\n",
    )
    (finding,) = lints(pack, "AR101")
    assert finding.silenced is None
    assert len(lints(pack, "AR001")) == 1


def test_an_ignore_needs_a_reason(tmp_path: Path) -> None:
    pack = write(tmp_path, "lint:\n  ignore:\n    - {id: AR101, rule: completion}\n")
    with pytest.raises(PolicyError, match="reason") as caught:
        lint_pack(pack, as_of=AS_OF)
    assert caught.value.line == position(pack, "{id: AR101")[0]


# --- the bundled packs, the command line ----------------------------------------------------


EXAMPLE_PACKS = sorted(
    str(p) for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".scenarios.yaml")
)


@pytest.mark.parametrize("pack", [*bundled_policies(), *EXAMPLE_PACKS])
def test_bundled_packs_lint_clean(pack: str) -> None:
    # today's date, as the command uses: a closure list running out is meant to show here
    standing = [str(f) for f in lint_pack(pack) if f.silenced is None]
    assert standing == []


def test_every_lint_has_a_documented_section() -> None:
    page = (Path(__file__).parents[1] / "docs" / "lint.md").read_text()
    for info in LINTS.values():
        assert f"## {info.id} {info.name}" in page


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["lint", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_the_command_exits_0_on_clean_packs() -> None:
    code, out, _ = cli("kent", "generic_s17", "--as-of", "2026-11-23")
    assert code == 0
    assert out.startswith("0 findings")


def test_the_command_fails_on_errors_only_unless_asked(tmp_path: Path) -> None:
    warned = write(
        tmp_path,
        "parameters:\n  assessment_days: {value: 45}\nrules:\n"
        + COMPLETION.replace("completion", "own").replace("AMOUNT", "45"),
        name="warned",
    )
    (tmp_path / "warned.scenarios.yaml").write_text(SCENARIOS.replace("tiny", "warned"))
    code, out, _ = cli(str(warned), "--as-of", "2026-11-23", "--catalogue", "/dev/null")
    assert code == 0, out  # a warning alone
    line, column = position(warned, "45, unit")
    assert f"{warned}:{line}:{column}: AR101 " in out
    assert "fix: write 'amount: assessment_days'" in out
    assert cli(str(warned), "--fail-on", "warning", "--catalogue", "/dev/null")[0] == 1
    assert cli(str(warned), "--strict", "--catalogue", "/dev/null")[0] == 1


def test_the_command_reads_directories_and_writes_json(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        action(
            "{id: moved, label: Moved, when: 'child.resides_in_area and not child.resides_in_area'}"
        ),
    )
    (tmp_path / "tiny.scenarios.yaml").write_text("pack: tiny\nscenarios: []\n")
    code, out, _ = cli(str(tmp_path), "--format", "json", "--as-of", "2026-11-23")
    assert code == 1
    document = json.loads(out)
    ids = sorted(f["id"] for f in document["findings"])
    assert "AR301" in ids
    first = next(f for f in document["findings"] if f["id"] == "AR301")
    assert first["file"] == str(pack)
    assert first["severity"] == "error"
    assert first["name"] == "condition-never-holds"
    assert first["rule"] == "cancellation"
    assert document["silenced"] == []


def test_a_directory_holds_packs_but_not_scenario_files(tmp_path: Path) -> None:
    write(tmp_path, TWO_TIMESCALES)
    write(tmp_path, TWO_TIMESCALES.replace("id: decision", "id: other-decision"), name="other")
    (tmp_path / "tiny.scenarios.yaml").write_text(SCENARIOS)
    (tmp_path / "catalogue.ids.yaml").write_text("ids: {}\n")
    files = {Path(f.file).name for f in lint_paths([tmp_path], as_of=AS_OF, ambiguous=())}
    assert files == {"tiny.yaml", "other.yaml"}  # AR601 on 'decision', AR602 on 'other'


def test_the_command_exits_2_on_a_pack_that_does_not_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: {id: broken}\n")
    code, out, err = cli(str(broken))
    assert code == 2
    assert "broken.yaml:1" in err
    # the summary must not read as a clean pack (the trial's fourteenth finding)
    assert out == "1 pack could not be read; 0 findings; 0 silenced by the packs' lint: ignore:\n"
    assert cli("no-such-pack")[0] == 2
