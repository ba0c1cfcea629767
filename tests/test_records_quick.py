"""The reader's quick path (``orjson``, kept only when provably the strict reading) gives
exactly what the strict reader gives: the same values of the same types, or the same
refusals with the same paths and reasons (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess_rules.errors import CaseError
from assess_rules.records import (
    _UNSURE,
    DEFAULT_LIMITS,
    Limits,
    RecordRefusedError,
    _loads_strict,
    _quick,
    loads_record,
)

HOSTILE = sorted((Path(__file__).parent / "hostile_cases").iterdir())
EXAMPLES = sorted((Path(__file__).parents[1] / "examples" / "cases").glob("*.json"))


def _typed(value: Any) -> Any:
    """``value`` with every type spelled out (``1``, ``1.0`` and ``True`` are equal in
    Python, and key order matters to the messages that follow)."""
    if isinstance(value, dict):
        return ("object", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("array", [_typed(v) for v in value])
    if type(value).__name__ == "_Refused":
        return ("refused", value.reason)
    return (type(value).__name__, repr(value))


def _read(function: Any, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    try:
        return ("value", _typed(function(data, limits)))
    except RecordRefusedError as exc:
        return ("refused", [(i.path, i.reason) for i in exc.issues], _typed(exc.value))
    except CaseError as exc:
        return ("error", [(i.path, i.reason) for i in exc.issues])


def _same(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    assert _read(loads_record, data, limits) == _read(_loads_strict, data, limits)


@pytest.mark.parametrize("path", HOSTILE + EXAMPLES, ids=lambda p: p.name)
def test_the_hostile_corpus_reads_as_the_strict_reader_reads_it(path: Path) -> None:
    _same(path.read_bytes())


def test_an_ordinary_record_is_read_quickly() -> None:
    # the point of the quick path: a well-formed case is not left to the strict reader
    for path in EXAMPLES:
        assert _quick(path.read_bytes(), DEFAULT_LIMITS) is not _UNSURE


@pytest.mark.parametrize(
    "data",
    [
        # duplicate keys, with and without colons in what is dropped or kept
        b'{"a": 1, "a": 2}',
        b'{"a": "1:2", "b": {"c": "x", "c": "y:z"}}',
        b'{"t": "10:30", "t": "10:30"}',
        b'{"x": {"k": [1, {"k": 2, "k": 3}]}}',
        b'{"a:b": 1, "a:b": 2}',
        # a colon written as an escape, beside a duplicate key that would balance it
        b'{"a": "\\u003a", "b": 1, "b": 2}',
        b'{"a": "\\u003A", "b": 1, "b": 2}',
        b'{"\\u003a": 1, "\\u003a": 2}',
        b'{"a": "\\\\u003a"}',
        # numbers at and past the bounds, and those orjson would read otherwise
        b'{"n": 1234567890123}',
        b'{"n": 123456789012}',
        b'{"n": 9223372036854775807}',
        b'{"n": 9223372036854775808}',
        b'{"n": 18446744073709551616}',
        b'{"n": -9223372036854775809}',
        b'{"n": 1' + b"0" * 39 + b"}",
        b'{"n": 1' + b"0" * 40 + b"}",
        b'{"n": 1.000000000012e-000000000012}',
        b'{"n": 1e400}',
        b'{"n": -1e400}',
        b'{"n": 1e-400}',
        b'{"n": -0}',
        b'{"n": -0.0}',
        b'{"n": 0.1}',
        b'{"n": NaN}',
        b'{"n": Infinity}',
        b'{"n": -Infinity}',
        # text: escapes, separators, surrogates, control characters
        b'{"s": "\\ud83d\\ude00 \\u2028 \xe2\x80\xa8 \\/ \\" \\\\"}',
        b'{"s": "\\ud800"}',
        b'{"s": "\\udc00x"}',
        b'{"s": "a\x01b"}',
        b'{"s": "\x7f"}',
        # encodings
        b'\xef\xbb\xbf{"a": 1}',
        b'{"a": "\xc0\xaf"}',
        b'{"a": "\xed\xa0\x80"}',
        b'{"a": "\xf4\x90\x80\x80"}',
        b'{"a": "\xe2\x80"}',
        b'{"a": "\xff"}',
        # structure
        b"[" * 32 + b"]" * 32,
        b"[" * 33 + b"]" * 33,
        b'{"a": "' + b"[" * 40 + b'"}',
        b"",
        b"   ",
        b"null",
        b'"x"',
        b"[1,]",
        b'{"a": 1,}',
        b'{"a" : 1 , "b" :2}',
        b' \t\r\n{"a":1}\r\n ',
        b'{"a": 1} x',
        b'{"a": 1}\x00',
        b'{"a": 1}\x0c',
        b"{'a': 1}",
        b'{"a": tru}',
        b'{"a": 01}',
        b'{"a": .5}',
        b'{"a": 1.}',
        b'{"a": +1}',
    ],
)
def test_edge_cases_read_as_the_strict_reader_reads_them(data: bytes) -> None:
    _same(data)


def test_a_smaller_number_bound_is_kept() -> None:
    tight = Limits(max_number_chars=5)
    for data in (b"[12345]", b"[123456]", b"[-1.5e3]", b"[-1.5e30]", b"[1]"):
        _same(data, tight)
    _same(b"[1]", Limits(max_number_chars=1))
    _same(b"[" * 5 + b"]" * 5, Limits(max_depth=4))


_KEYS = st.sampled_from(["a", "b", "a:b", ":", "k", "\u2028", '"', "\\", "é", "10:30"])
_TEXTS = st.text(alphabet=st.sampled_from(list('ab:"\\/ \u2028é\x00\x1f😀0123')), max_size=6)
_NUMBERS = st.one_of(
    st.integers(-(10**25), 10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["-0", "1e400", "1E-400", "12.50", "1e5", "9" * 19, "-" + "9" * 19]),
)
_VALUES = st.recursive(
    st.none() | st.booleans() | _NUMBERS | _TEXTS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(st.tuples(_KEYS, inner), max_size=4).map(lambda pairs: ("pairs", pairs))
    ),
    max_leaves=20,
)


@st.composite
def _json_texts(draw: st.DrawFn) -> bytes:
    """JSON text written by hand from ``_VALUES``: objects as pairs that may repeat a key,
    any whitespace, text escaped or not at random (colons as ``\\u003a`` among them)."""

    def space() -> str:
        return draw(st.sampled_from(["", "", " ", "\n", "\t", "\r\n "]))

    def text(value: str) -> str:
        out = []
        for char in value:
            how = draw(st.integers(0, 5))
            if char in '"\\' or ord(char) < 0x20 or how == 0:
                out.append(
                    json.dumps(char, ensure_ascii=True)[1:-1] if how else f"\\u{ord(char):04x}"
                )
            elif how == 1 and ord(char) < 0x10000:
                out.append(f"\\u{ord(char):04X}")
            else:
                out.append(char)
        return '"' + "".join(out) + '"'

    def write(value: Any) -> str:
        if isinstance(value, tuple):
            body = ",".join(
                space() + text(k) + space() + ":" + space() + write(v) for k, v in value[1]
            )
            return "{" + body + space() + "}"
        if isinstance(value, list):
            return "[" + ",".join(space() + write(v) + space() for v in value) + "]"
        if isinstance(value, str) and value and (value[0].isdigit() or value[0] == "-"):
            return value  # a number spelled out
        if isinstance(value, str):
            return text(value)
        if isinstance(value, float):
            return repr(value) if value == value and abs(value) != float("inf") else "NaN"
        return json.dumps(value)

    return (space() + write(draw(_VALUES)) + space()).encode("utf-8", "surrogatepass")


@given(_json_texts())
@settings(max_examples=1_000, deadline=None)
def test_any_json_text_reads_as_the_strict_reader_reads_it(data: bytes) -> None:
    _same(data)
