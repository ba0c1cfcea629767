"""Whatever comes in, only the library's own errors come out: never a bare traceback."""

import json
import os
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from assess_rules import (
    AssessRulesError,
    CaseError,
    ConditionError,
    PolicyError,
    bundled_policies,
    evaluate,
    load_policy,
    parse_case,
)
from assess_rules.conditions import compile_condition
from assess_rules.facts import FACTS
from assess_rules.loading import read_yaml


def values(text: st.SearchStrategy[str], *, floats: bool = True) -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | text
    if floats:
        scalars |= st.floats(allow_nan=False, allow_infinity=False)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4)
        ),
        max_leaves=20,
    )


json_values = values(st.text(max_size=20))
# YAML forbids raw control characters that JSON allows; these are the texts both accept.
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
case_like = st.fixed_dictionaries(
    {
        "case_id": st.text(max_size=5),
        "referral": st.dictionaries(
            st.sampled_from(["received_at", "route", "referrer_kind", "referrer_anonymous", "x"]),
            json_values
            | st.sampled_from(["2026-12-19T11:00", "2026-13-01", "1989-12-31", "2026-02-29"]),
            max_size=4,
        ),
    },
    optional={
        "assessment": json_values,
        "consent": json_values,
        "visits": json_values,
        "cancellations": json_values,
        "child": json_values,
    },
)


@given(json_values | case_like)
def test_any_json_is_a_case_or_a_case_error(raw: object) -> None:
    try:
        parse_case(raw)  # type: ignore[arg-type]
    except CaseError as error:
        problem = error
    else:
        return
    assert problem.issues
    assert all(isinstance(issue.reason, str) for issue in problem.issues)


@given(st.text(max_size=300))
def test_any_text_is_yaml_or_a_policy_error(text: str) -> None:
    try:
        read_yaml(text, "fuzz.yaml")
    except PolicyError as error:
        problem = error
    else:
        return
    assert problem.file == "fuzz.yaml"


@given(values(printable, floats=False))
def test_pack_shaped_json_reads_back_as_yaml(value: object) -> None:
    # What packs hold: text, whole numbers, booleans, null, nesting. Not floats: PyYAML
    # follows YAML 1.1, where 5e-324 is text. Written with real characters: PyYAML reads
    # JSON's surrogate-pair escapes ("\\ud800\\udc00") as two code points.
    text = json.dumps(value, ensure_ascii=False)
    assert read_yaml(text, "fuzz.yaml").data == json.loads(text)


@given(st.text(alphabet=st.sampled_from(list("abcdehiklnorstuw._ ()[]'=<>!,0123")), max_size=60))
def test_any_condition_text_compiles_or_raises_a_condition_error(text: str) -> None:
    try:
        compile_condition(text, FACTS)
    except ConditionError as error:
        problem = error
    else:
        return
    assert isinstance(problem, AssessRulesError)
    assert problem.column is None or 1 <= problem.column <= len(text) + 1


# --- parse_case and evaluate: only the library's own errors escape (issue 11) ---------------

_FUZZ_EXAMPLES = int(os.environ.get("ASSESS_RULES_FUZZ_EXAMPLES", "0")) or None
_POLICIES = [load_policy(name) for name in bundled_policies()]

moments = st.sampled_from(
    [
        "2026-12-01T10:00",
        "2026-12-19",
        "2027-03-28T01:30",  # the spring gap
        "2026-10-25T01:30",  # the autumn fold
        "2026-10-25T01:30+00:00",
        "2026-11-30T23:59:59.999999Z",
        "2026-02-29",
        "1989-12-31",
        "20261201",
        "",
    ]
) | st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2099, 12, 30)).map(
    lambda moment: moment.isoformat(timespec="minutes")
)
anything = values(st.text(max_size=12))
events = st.fixed_dictionaries(
    {"at": moments},
    optional={
        "event": st.sampled_from(["given", "declined", "withdrawn", "sought", "overridden"]),
        "by": st.sampled_from(["parent", "young_person", "social_worker"]) | anything,
        "child_seen": st.booleans() | anything,
        "person": st.sampled_from(["mother", "father", ""]),
    },
)
requests = st.fixed_dictionaries(
    {"reason": st.sampled_from(["other", "opened-in-error", "no-consent", "x", " "])},
    optional={
        "action": st.sampled_from(["cancel_assessment", "not_progress_assessment", "Bad!"]),
        "recommended_at": moments,
        "decided_at": moments,
        "decided_by": st.sampled_from(["team_manager", "service_manager", "nobody"]),
        "outcome": st.sampled_from(["pending", "approved", "refused"]),
    },
)
snapshots = st.fixed_dictionaries(
    {"case_id": st.text(max_size=4), "referral": st.fixed_dictionaries({"received_at": moments})},
    optional={
        "decision": st.fixed_dictionaries(
            {"made_at": moments, "response": st.sampled_from(["assessment", "maybe"])}
        ),
        "child": st.fixed_dictionaries(
            {},
            optional={
                "date_of_birth": st.sampled_from(["2010-05-01", "2015-02-30", "20100501"]),
                "resides_in_area": st.booleans() | anything,
            },
        ),
        "concerns": st.fixed_dictionaries(
            {},
            optional={
                "significant_harm_suspected": st.booleans() | anything,
                "case_open": st.booleans(),
            },
        ),
        "consent": st.lists(events, max_size=3),
        "visits": st.lists(events, max_size=3),
        "strategy_discussions": st.lists(
            st.fixed_dictionaries(
                {"held_at": moments},
                optional={"outcome": st.sampled_from(["s47_threshold_met", "x"])},
            ),
            max_size=2,
        ),
        "assessment": st.fixed_dictionaries(
            {}, optional={"started_at": moments, "authorised_at": moments}
        ),
        "cancellations": st.lists(requests, max_size=2),
    },
)


@settings(max_examples=_FUZZ_EXAMPLES) if _FUZZ_EXAMPLES else (lambda test: test)
@given(
    snapshots | anything,
    st.sampled_from(range(len(_POLICIES))),
    st.sampled_from(["2026-12-31", "2027-06-30", "2026-01-01", 20261231, None]),
)
def test_only_the_librarys_own_errors_escape_parse_case_and_evaluate(
    raw: object, pack: int, as_of: object
) -> None:
    try:
        case = parse_case(raw)  # type: ignore[arg-type]
        evaluate(_POLICIES[pack], case, as_of=as_of or "2027-01-04")  # type: ignore[arg-type]
    except AssessRulesError:
        pass
