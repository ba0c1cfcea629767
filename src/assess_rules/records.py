"""Reading case records strictly: JSON text to plain values, and JSON Lines streams to lines.

Everything here refuses rather than guesses, and bounds its cost whatever the input:

- duplicate keys in an object are refused, naming the key's path (the standard library would
  keep the last value silently);
- ``NaN``, ``Infinity`` and numbers that would not survive a round trip (more than
  :attr:`Limits.max_number_chars` characters, or too large for a float) are refused;
- nesting is bounded (:attr:`Limits.max_depth`);
- a JSON Lines stream is read in bounded chunks, never whole: each line is bounded
  (:attr:`Limits.max_line_bytes`) and so is the whole input (:attr:`Limits.max_input_bytes`),
  so ``/dev/zero`` stops with an error instead of filling memory;
- lines end at ``\\n`` only (a ``\\r`` before it is dropped); U+2028 and other Unicode
  separators are ordinary characters inside a record.

Errors name where (the field path within the record) and what is wrong, never the value:

>>> loads_record('{"case_id": "C1", "referral": {"received_at": "2026-12-18"}}')["case_id"]
'C1'
>>> try:
...     loads_record('{"case_id": "C1", "referral": {"received_at": "x", "received_at": "y"}}')
... except CaseError as exc:
...     print(exc.issues[0])
referral.received_at: the key appears more than once in its object
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO

import orjson

from assess_rules.errors import AssessRulesError, CaseError, CaseIssue

__all__ = [
    "DEFAULT_LIMITS",
    "InputTooLargeError",
    "Limits",
    "RawLine",
    "RecordRefusedError",
    "loads_record",
    "read_bounded",
    "read_lines",
    "too_long_reason",
]

_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds on one input: every one is checked before the cost it bounds is paid."""

    #: the longest line of a JSON Lines input (a Kent case is about 1 kB)
    max_line_bytes: int = 4 << 20
    #: the largest whole input, file or stream (about ten million Kent-sized cases)
    max_input_bytes: int = 16 << 30
    #: how deep objects and arrays may nest (a snapshot needs 4)
    max_depth: int = 32
    #: the longest number, in characters
    max_number_chars: int = 40


DEFAULT_LIMITS = Limits()


class InputTooLargeError(AssessRulesError):
    """The whole input is larger than :attr:`Limits.max_input_bytes`: reading stopped."""

    def __init__(self, limit: int, line: int | None = None) -> None:
        self.limit = limit
        self.line = line
        where = f" at line {line:,}" if line is not None else ""
        super().__init__(
            f"reading stopped{where}: the input is larger than {limit:,} bytes "
            "(--max-input-bytes); split it, or raise the limit"
        )


@dataclass(frozen=True, slots=True)
class RawLine:
    """One non-blank line of a JSON Lines input: its 1-based number, and its bytes (without
    the line end) or, for a line too long to keep, ``None`` and the reason."""

    number: int
    data: bytes | None
    problem: str | None = None
    #: how many bytes of the input were read up to the end of this line (for progress)
    end: int = 0


def read_lines(stream: BinaryIO, limits: Limits = DEFAULT_LIMITS) -> Iterator[RawLine]:
    """The non-blank lines of ``stream``, in order, read in bounded chunks.

    A line longer than ``limits.max_line_bytes`` is skipped to its end and yielded with a
    ``problem``; more than ``limits.max_input_bytes`` in all raises :class:`InputTooLargeError`
    after the lines before it.

    >>> import io
    >>> [(r.number, r.data) for r in read_lines(io.BytesIO(b'{"a": 1}\\r\\n\\n  \\n[2]'))]
    [(1, b'{"a": 1}'), (4, b'[2]')]
    """
    number = 0
    total = 0
    offset = 0  # of the current chunk's first byte
    pending: list[bytes] = []  # pieces of the current line
    pending_size = 0
    too_long = False
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        offset = total
        total += len(chunk)
        over = total > limits.max_input_bytes
        if over:  # the lines that end within the bound are still read
            chunk = chunk[: limits.max_input_bytes - offset]
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                rest = chunk[start:]
                if not too_long:
                    pending.append(rest)
                    pending_size += len(rest)
                    if pending_size > limits.max_line_bytes:
                        too_long = True
                        pending.clear()
                break
            number += 1
            piece = chunk[start:end]
            start = end + 1
            if too_long or pending_size + len(piece) > limits.max_line_bytes:
                yield RawLine(number, None, too_long_reason(limits), offset + start)
            else:
                line = b"".join((*pending, piece)) if pending else piece
                if line.endswith(b"\r"):
                    line = line[:-1]
                if line.strip(b" \t\r"):
                    yield RawLine(number, line, None, offset + start)
            pending.clear()
            pending_size = 0
            too_long = False
        if over:
            raise InputTooLargeError(limits.max_input_bytes, number + 1)
    if too_long:
        yield RawLine(number + 1, None, too_long_reason(limits), total)
    elif pending_size:
        line = b"".join(pending)
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip(b" \t\r"):
            yield RawLine(number + 1, line, None, total)


def too_long_reason(limits: Limits) -> str:
    """Why a line longer than ``limits.max_line_bytes`` was refused."""
    return f"the line is longer than {limits.max_line_bytes:,} bytes (--max-line-bytes)"


def read_bounded(stream: BinaryIO, limit: int) -> bytes:
    """All of ``stream``, read in bounded chunks; :class:`InputTooLargeError` past ``limit``
    bytes (so a stream such as ``/dev/zero`` stops)."""
    pieces: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return b"".join(pieces)
        total += len(chunk)
        if total > limit:
            raise InputTooLargeError(limit)
        pieces.append(chunk)


class _Refused:
    """Put in place of a value the reader refuses, so the walk can report its path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Twice(dict[str, Any]):
    """An object in which some key appeared more than once."""

    __slots__ = ("keys_twice",)

    keys_twice: list[str]


class _Decoder:
    """``json.JSONDecoder`` with hooks that mark what is refused; the marks are found with
    their paths only when a hook saw something (the common case pays nothing more)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.marked = False
        self.decoder = json.JSONDecoder(
            object_pairs_hook=self._object,
            parse_int=self._int,
            parse_float=self._float,
            parse_constant=self._constant,
        )

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        self.marked = True
        seen: set[str] = set()
        twice = _Twice(value)
        twice.keys_twice = []
        for key, _ in pairs:
            if key in seen and key not in twice.keys_twice:
                twice.keys_twice.append(key)
            seen.add(key)
        return twice

    def _int(self, text: str) -> Any:
        if len(text) > self.limits.max_number_chars:
            self.marked = True
            return _Refused(f"a number longer than {self.limits.max_number_chars} characters")
        return int(text)

    def _float(self, text: str) -> Any:
        value = float(text)
        if len(text) > self.limits.max_number_chars or not math.isfinite(value):
            self.marked = True
            return _Refused(
                f"a number longer than {self.limits.max_number_chars} characters "
                "or too large for a float"
            )
        return value

    def _constant(self, text: str) -> Any:
        self.marked = True
        return _Refused("NaN and Infinity are not JSON")


def loads_record(
    text: str | bytes, limits: Limits = DEFAULT_LIMITS, *, document: bool = False
) -> Any:
    """Parse one JSON record strictly (see the module docstring); raise :class:`CaseError`
    naming each problem's path and never its value. A syntax error is located by column
    (within a line of JSON Lines), or by line and column for a whole ``document``.

    UTF-8 text is read first by ``orjson``, whose reading is kept when it is provably the
    strict reader's (:func:`_quick`); anything else is read by the strict reader.
    """
    if isinstance(text, bytes):
        value = _quick(text, limits)
        if value is not _UNSURE:
            return value
    return _loads_strict(text, limits, document=document)


class _Unsure:
    """What :func:`_quick` gives when it cannot prove its reading is the strict one."""


_UNSURE = _Unsure()


def _shape_table() -> bytes:
    """A byte table for ``bytes.translate`` keeping what :func:`_quick` counts: colons,
    opening brackets (both as ``{``), backslashes and digits (as ``0``); all else a space."""
    table = bytearray(b" " * 256)
    for byte in b"0123456789":
        table[byte] = ord("0")
    for byte in b"{[":
        table[byte] = ord("{")
    table[ord(":")] = ord(":")
    table[ord("\\")] = ord("\\")
    return bytes(table)


_SHAPE = _shape_table()


@lru_cache(maxsize=8)
def _long_digits(limits: Limits) -> bytes:
    """A run of digits that every number :func:`_quick` must leave to the strict reader
    holds: a number longer than ``max_number_chars`` holds at most four characters that
    are not digits (``-``, ``.``, ``e``, a sign), so one of its at most three runs of digits
    is at least a third of the rest long; and an integer ``orjson`` reads as a float (past
    64 bits) has 19 digits or more."""
    run = -(-(limits.max_number_chars - 3) // 3)
    return b"0" * max(1, min(19, run))


def _quick(data: bytes, limits: Limits) -> Any:
    """``orjson``'s reading of ``data`` if it is provably what :func:`_loads_strict` gives,
    else ``_UNSURE``. ``orjson`` reads only RFC 8259 JSON in strict UTF-8 (no byte order
    mark, ``NaN``, infinite number or lone surrogate), all of which the strict reader reads
    alike; what is left to prove:

    - no key appears twice in an object (``orjson`` keeps the last value silently). Each
      key is followed by one colon outside strings, and ``orjson`` writes every colon of a
      key or text as it is, so with no ``\\u003a`` escape in ``data`` the colons of
      ``data`` are as many as those of ``orjson.dumps`` of what was read exactly when no
      pair was dropped (a dropped pair takes its colon and any in its texts with it);
    - no number is too long for the strict reader or too large for ``orjson`` to keep as
      an integer (:func:`_long_digits`);
    - nesting within ``limits.max_depth`` by the strict reader's own count of brackets.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _UNSURE
    shape = data.translate(_SHAPE)
    if shape.count(b"{") > limits.max_depth or _long_digits(limits) in shape:
        return _UNSURE
    if b"\\" in shape and (b"\\u003a" in data or b"\\u003A" in data):
        return _UNSURE
    if shape.count(b":") != orjson.dumps(value).count(b":"):
        return _UNSURE
    return value


def _loads_strict(text: str | bytes, limits: Limits, *, document: bool = False) -> Any:
    """:func:`loads_record` by the standard library's reader with hooks that mark what is
    refused."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CaseError([CaseIssue((), f"not UTF-8 text (byte {exc.start + 1})")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    decoder = _Decoder(limits)
    try:
        value = decoder.decoder.decode(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if document else f"column {exc.colno}"
        raise CaseError([CaseIssue((), f"not valid JSON at {where}: {exc.msg}")]) from None
    except RecursionError:
        raise CaseError([CaseIssue((), _too_deep(limits))]) from None
    except ValueError:  # an integer past Python's digit limit, before our hook could see it
        raise CaseError([CaseIssue((), "a number too long to read")]) from None
    brackets = text.count("{") + text.count("[")
    if decoder.marked or brackets > limits.max_depth:
        issues = _walk(value, limits)
        if issues:
            raise RecordRefusedError(issues, value)
    return value


class RecordRefusedError(CaseError):
    """JSON that parsed but is refused (a duplicate key, a refused number, nesting too
    deep); ``value`` is what was read, with the refused parts marked, so that a caller can
    still name the record (its ``case_id``)."""

    def __init__(self, issues: list[CaseIssue], value: Any) -> None:
        super().__init__(issues)
        self.value = value

    def given_twice(self, *path: str | int) -> bool:
        """Whether the key at ``path`` was refused for appearing twice: then ``value``
        holds one of its values, which names nothing (a ``case_id`` given twice is no id).

        >>> try:
        ...     loads_record('{"case_id": "A", "case_id": "B"}')
        ... except RecordRefusedError as exc:
        ...     print(exc.given_twice("case_id"), exc.given_twice("referral"))
        True False
        """
        return any(issue.path == path for issue in self.issues)


def _too_deep(limits: Limits) -> str:
    return f"objects and arrays nested more than {limits.max_depth} deep"


def _walk(value: Any, limits: Limits) -> list[CaseIssue]:
    """The refused values, duplicate keys and too-deep nesting in ``value``, with paths;
    iterative, so no depth can overflow the stack."""
    issues: list[CaseIssue] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, _Refused):
            issues.append(CaseIssue(path, item.reason))
            continue
        if not isinstance(item, dict | list):
            continue
        if len(path) >= limits.max_depth:
            issues.append(CaseIssue(path, _too_deep(limits)))
            continue
        if isinstance(item, _Twice):
            for key in item.keys_twice:
                issues.append(
                    CaseIssue((*path, key), "the key appears more than once in its object")
                )
        children = item.items() if isinstance(item, dict) else enumerate(item)
        stack.extend((child, (*path, key)) for key, child in reversed(list(children)))
    return issues
