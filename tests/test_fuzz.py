"""Whatever comes in, only the library's own errors come out: never a bare traceback."""

import json

from hypothesis import given
from hypothesis import strategies as st

from assess_rules import AssessRulesError, CaseError, ConditionError, PolicyError, parse_case
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
