"""Vocabularies declared by packs (issue 6): generic_s17 declares the national actions and
record kinds with labels; a council pack adds its own; rules, facts and snapshots are checked
against the vocabulary of the pack they are used with."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assess_rules import CaseError, PolicyError, evaluate, load_policy, parse_case
from assess_rules.reporting import pack_markdown

GENERIC = load_policy("generic_s17")


def _pack(tmp_path: Path, body: str, head: str = "extends: generic_s17") -> Path:
    path = tmp_path / "local.yaml"
    path.write_text(
        f'pack: {{id: local, title: Local, authority: Test, version: "1", {head}}}\n' + body
    )
    return path


def test_the_national_vocabulary_is_declared_by_generic_s17_with_labels() -> None:
    words = GENERIC.declared_vocabulary
    labels = {w.id: w.label for name in words for w in words[name]}
    assert labels["cancel_assessment"] == "Cancel the assessment"
    assert labels["allocation"] == "Allocation"
    assert "chronology_updated" in GENERIC.vocabulary.action
    assert GENERIC.vocabulary.requests == frozenset({"cancel_assessment"})
    for name in words:
        for word in words[name]:
            assert word.description, word.id  # every national word says what it means


def test_council_words_live_in_the_council_pack_not_in_the_baseline() -> None:
    kent = load_policy("kent")
    assert "line_management_discussion" in kent.vocabulary.oversight
    assert "line_management_discussion" not in GENERIC.vocabulary.oversight
    assert "step_across_to_early_help" in kent.vocabulary.requests
    assert kent.vocabulary_origin[("requestable_actions", "step_across_to_early_help")] == "kent"
    assert kent.vocabulary_origin[("oversight_kinds", "allocation")] == "generic_s17"
    bucks = load_policy("buckinghamshire")
    assert {"not_progress_assessment", "override_consent"} <= bucks.vocabulary.requests
    assert "step_across_to_early_help" not in bucks.vocabulary.requests


def test_a_rule_about_an_undeclared_action_is_a_located_error(tmp_path: Path) -> None:
    body = (
        "rules:\n"
        "  - id: no-cancel\n"
        "    kind: prohibition\n"
        "    title: t\n"
        "    sources: [{id: GEN-S47-1, para: test}]\n"
        "    action: cancel_assesment\n"
        "    when: concerns.significant_harm_suspected\n"
        "    message: m\n"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(_pack(tmp_path, body))
    error = caught.value
    assert "action 'cancel_assesment' is not one of this pack's requestable actions" in str(error)
    assert error.suggestion == "cancel_assessment"
    assert (error.line, error.path) == (7, ("rules", 0, "action"))


def test_a_request_for_an_undeclared_action_is_refused_with_a_suggestion() -> None:
    raw = {
        "case_id": "A",
        "referral": {"received_at": "2026-12-01T10:00"},
        "cancellations": [{"action": "cancel_assesment", "reason": "other"}],
    }
    with pytest.raises(CaseError) as caught:
        parse_case(raw, vocabulary=GENERIC.vocabulary)
    (issue,) = caught.value.issues
    assert issue.path == ("cancellations", 0, "action")
    assert "did you mean 'cancel_assessment'?" in str(issue)
    # evaluate checks the case against the pack it evaluates with, whatever parsed it
    kent_request = {
        **raw,
        "cancellations": [{"action": "step_across_to_early_help", "reason": "parents-agreed"}],
    }
    case = parse_case(kent_request)  # no vocabulary: only the form is checked
    with pytest.raises(CaseError, match="not one of this pack's requestable actions"):
        evaluate(GENERIC, case, as_of=date(2026, 12, 2))
    kent = load_policy("kent")
    assert evaluate(kent, case, as_of=date(2026, 12, 2)).permitted_actions


def test_a_pack_that_extends_nothing_declares_its_own_vocabulary(tmp_path: Path) -> None:
    """A standalone pack starts with no words: it declares those its rules and cases use, and
    a built-in fact that reads a word it has not declared is a located error."""
    rule = (
        "rules:\n"
        "  - id: delay-discussed\n"
        "    kind: check\n"
        "    title: t\n"
        "    sources: [{id: BUCKS-2.11a, para: test}]\n"
        "    violation_when: known(oversight.child_seen_delay.first_by_manager)\n"
        "    message: m\n"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(_pack(tmp_path, rule, head="effective_from: 2020-01-01"))
    assert (
        "the fact 'oversight.child_seen_delay.first_by_manager' reads the oversight kind "
        "'child_seen_delay', which this pack's vocabulary does not declare"
    ) in str(caught.value)
    assert caught.value.path == ("rules", 0, "violation_when")
    declared = (
        "vocabulary:\n  oversight_kinds:\n"
        "    - {id: child_seen_delay, label: Delay in seeing the child discussed}\n" + rule
    )
    policy = load_policy(_pack(tmp_path, declared, head="effective_from: 2020-01-01"))
    assert policy.vocabulary.oversight == frozenset({"child_seen_delay"})
    raw = {
        "case_id": "S",
        "referral": {"received_at": "2026-12-01T10:00"},
        "oversight": [{"kind": "child_seen_delay", "at": "2026-12-02T10:00", "by": "team_manager"}],
    }
    result = evaluate(policy, parse_case(raw, vocabulary=policy.vocabulary), date(2026, 12, 3))
    assert result.violated_rules() == {"delay-discussed"}
    # the national allocation record is not this pack's word
    allocation = {**raw, "oversight": [{**raw["oversight"][0], "kind": "allocation"}]}
    with pytest.raises(CaseError, match="'allocation' is not one of this pack's oversight kinds"):
        parse_case(allocation, vocabulary=policy.vocabulary)


def test_a_word_declared_twice_in_one_pack_is_a_located_error(tmp_path: Path) -> None:
    body = (
        "vocabulary:\n  requestable_actions:\n"
        "    - {id: transfer_assessment, label: Transfer}\n"
        "    - {id: transfer_assessment, label: Transfer again}\nrules: []\n"
    )
    with pytest.raises(PolicyError, match="'transfer_assessment' is already declared by this pack"):
        load_policy(_pack(tmp_path, body))


def test_the_baseline_page_lists_the_national_vocabulary_with_labels() -> None:
    page = pack_markdown(GENERIC)
    assert "## Vocabulary" in page
    assert "### Actions someone may ask to do" in page
    assert "| `cancel_assessment` | Cancel the assessment |" in page
    assert "| `allocation` | Allocation |" in page
