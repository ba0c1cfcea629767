"""Caseload sweeps: many case records in, one JSON line out per record, in order.

:func:`evaluate_line` is the per-record function: one record's text in, one
:class:`Outcome` out (the output line, and what the summary counts). It never raises for a
bad record: bad JSON, an invalid snapshot, an evaluation the calendar cannot answer, even a
bug, each becomes that record's error line, and the next record goes on. :func:`sweep` runs
it over a stream of lines, in this process or in a pool of worker processes, and yields the
outcomes in input order with bounded memory; the same function can be mapped over a Dask
bag (``docs/sweeps.md``).

An output line is a result or an error, each with the input line number and the case id
when one could be read:

>>> from datetime import date
>>> from assess_rules import load_policy
>>> policy = load_policy("generic_s17")
>>> good = evaluate_line(
...     policy, b'{"case_id": "A", "referral": {"received_at": "2026-12-18T10:00"}}',
...     date(2026, 12, 22), line=1)
>>> good.output[:60]
b'{"line":1,"case_id":"A","result":{"case_id":"A","as_of":"202'
>>> bad = evaluate_line(policy, b'{"case_id": "B", "referral": {}}', date(2026, 12, 22), line=2)
>>> print(bad.output.decode())  # doctest: +ELLIPSIS
{"line":2,"case_id":"B","error":{"stage":"case","issues":[{"path":["referral","received_at"],...
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, TypeVar

import orjson

from assess_rules.case import parse_case
from assess_rules.errors import AssessRulesError, CaseError, CaseIssue
from assess_rules.evaluation import evaluate
from assess_rules.policy import Policy
from assess_rules.records import (
    DEFAULT_LIMITS,
    Limits,
    RawLine,
    RecordRefusedError,
    loads_record,
    too_long_reason,
)
from assess_rules.result import PermittedAction, Result

__all__ = [
    "FRAME_COLUMNS",
    "MAX_ISSUES",
    "NO_TEAM",
    "Outcome",
    "OutcomeBatch",
    "SweepCounts",
    "Tally",
    "case_id_of",
    "default_workers",
    "error_fields",
    "evaluate_frame",
    "evaluate_line",
    "evaluate_partition",
    "sweep",
    "sweep_batches",
]

#: An error line lists at most this many issues, and counts the rest in ``more_issues``.
MAX_ISSUES = 20
#: The team a summary counts a case under when its snapshot names none.
NO_TEAM = "(not recorded)"
_MAX_CASE_ID = 200
_BATCH = 64

#: (team, finding, rule, status): one count of the ``--summary`` table
Tally = tuple[str, str, str, str]
#: what a worker sends back for one batch
_Answer = TypeVar("_Answer")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input line gave: the output line (JSON, no line end) and what the sweep
    counts. Small and picklable, so workers send it back cheaply."""

    line: int
    case_id: str | None
    output: bytes
    #: ``None`` for a result; else the stage that refused it (``line``, ``json``, ``case``,
    #: ``evaluation``) or ``internal`` for a bug
    error: str | None = None
    violations: int = 0
    tallies: tuple[Tally, ...] = ()


def evaluate_line(
    policy: Policy,
    text: str | bytes | None,
    as_of: date | datetime | str,
    *,
    line: int,
    limits: Limits = DEFAULT_LIMITS,
    problem: str | None = None,
) -> Outcome:
    """Evaluate one JSON record (``text``) and give its :class:`Outcome`; never raises for
    anything wrong with the record. ``problem`` reports a line the reader could not keep
    (too long), with ``text`` ``None``."""
    if text is None:
        return _error(line, None, "line", [CaseIssue((), problem or "the line was not read")])
    if isinstance(text, str):  # lone surrogates (text decoded leniently) fail as "not UTF-8"
        text = text.encode("utf-8", "surrogatepass")
    try:
        raw = loads_record(text, limits)
    except RecordRefusedError as exc:
        case_id = None if exc.given_twice("case_id") else case_id_of(exc.value)
        return _error(line, case_id, "json", exc.issues)
    except CaseError as exc:
        return _error(line, None, "json", exc.issues)
    case_id = case_id_of(raw)
    try:
        case = parse_case(raw, vocabulary=policy.vocabulary, read_from=len(text))
    except CaseError as exc:
        return _error(line, case_id, "case", exc.issues)
    except RecursionError:
        return _error(line, case_id, "case", [CaseIssue((), "nested too deeply")])
    try:
        result = evaluate(policy, case, as_of)
    except AssessRulesError as exc:
        return _error(line, case.case_id, "evaluation", [CaseIssue((), str(exc))])
    except Exception as exc:  # a bug: reported on this record's line, the sweep goes on
        reason = f"internal error ({type(exc).__name__}); please report it with the record"
        return _error(line, case.case_id, "internal", [CaseIssue((), reason)])
    team = (case.assessment.allocated_team if case.assessment else None) or NO_TEAM
    return Outcome(
        line,
        case.case_id,
        _result_line(line, case.case_id, result),
        violations=len(result.violations),
        tallies=_tallies(result, team),
    )


#: characters that JSON leaves raw but ``str.splitlines`` and some JSON Lines readers take as
#: line ends: escaped, so an output line is one line for every reader
_LINE_BREAKS = (
    (b"\xc2\x85", b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


def _result_line(line: int, case_id: str, result: Result) -> bytes:
    """The output line of a result: as :func:`_dumps` writes it, each option (a permitted
    action that answers no request) written once per process and then reused (evaluation
    keeps an action's options, so most cases return the very same ones); an answer to a
    request is the case's own, so it is written in place and not kept."""
    payload = {name: getattr(result, name) for name in _RESULT_FIELDS}
    payload["permitted_actions"] = [
        p if p.subject is not None else _fragment(p) for p in result.permitted_actions
    ]
    return _dumps({"line": line, "case_id": case_id, "result": payload})


_RESULT_FIELDS = tuple(f.name for f in fields(Result))
#: the JSON of permitted actions already written, by object (kept, so an id is not reused)
_WRITTEN: dict[int, tuple[PermittedAction, orjson.Fragment]] = {}
_WRITTEN_SIZE = 2048


def _fragment(action: PermittedAction) -> orjson.Fragment:
    found = _WRITTEN.get(id(action))
    if found is not None and found[0] is action:
        return found[1]
    if len(_WRITTEN) >= _WRITTEN_SIZE:
        _WRITTEN.clear()
    fragment = orjson.Fragment(orjson.dumps(action))
    _WRITTEN[id(action)] = (action, fragment)
    return fragment


def _dumps(payload: Any) -> bytes:
    """One output line: compact JSON (``orjson``, which writes dataclasses, dates and
    date-times as ``Result.to_json`` does), with Unicode line separators escaped."""
    data = orjson.dumps(payload)
    if not data.isascii() and (b"\xc2\x85" in data or b"\xe2\x80" in data):
        for raw, escaped in _LINE_BREAKS:
            data = data.replace(raw, escaped)
    return data


def case_id_of(raw: Any) -> str | None:
    """A record's ``case_id`` as error records give it: a string of 1 to 200 characters,
    else ``None`` (never a value of another type, which could be anything)."""
    if isinstance(raw, dict):
        value = raw.get("case_id")
        if isinstance(value, str) and 0 < len(value) <= _MAX_CASE_ID:
            return value
    return None


def error_fields(case_id: str | None, stage: str, issues: Sequence[CaseIssue]) -> dict[str, Any]:
    """The ``case_id`` and ``error`` of an error record, as every output format gives them
    (a sweep's error line, a JSON batch's ``errors[]``, a single case's error document).

    >>> error_fields("A", "case", [CaseIssue(("referral",), "required")])
    {'case_id': 'A', 'error': {'stage': 'case',
     'issues': [{'path': ['referral'], 'reason': 'required'}], 'more_issues': 0}}
    """
    shown = [{"path": list(i.path), "reason": i.reason} for i in issues[:MAX_ISSUES]]
    more = max(0, len(issues) - MAX_ISSUES)
    return {"case_id": case_id, "error": {"stage": stage, "issues": shown, "more_issues": more}}


def _error(line: int, case_id: str | None, stage: str, issues: Sequence[CaseIssue]) -> Outcome:
    payload = {"line": line, **error_fields(case_id, stage, issues)}
    return Outcome(line, case_id, _dumps(payload), error=stage)


def _tallies(result: Result, team: str) -> tuple[Tally, ...]:
    found: list[Tally] = [(team, "deadline", d.rule, d.status) for d in result.deadlines]
    found += [(team, "violation", v.rule, v.severity) for v in result.violations]
    found += [(team, "obligation", o.rule, o.status) for o in result.obligations]
    return tuple(found)


@dataclass
class SweepCounts:
    """Running totals of a sweep, and the ``--summary`` table's counts."""

    read: int = 0
    evaluated: int = 0
    refused: int = 0
    internal: int = 0
    with_violations: int = 0
    last_line: int = 0
    findings: Counter[Tally] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        self.read += 1
        self.last_line = outcome.line
        if outcome.error is None:
            self.evaluated += 1
            self.with_violations += outcome.violations > 0
            self.findings.update(outcome.tallies)
        elif outcome.error == "internal":
            self.internal += 1
        else:
            self.refused += 1

    def merge(self, other: SweepCounts) -> None:
        """Add the counts of ``other``, a later part of the same sweep."""
        self.read += other.read
        self.evaluated += other.evaluated
        self.refused += other.refused
        self.internal += other.internal
        self.with_violations += other.with_violations
        self.last_line = max(self.last_line, other.last_line)
        self.findings.update(other.findings)

    def summary_rows(self) -> list[tuple[str, str, str, str, int]]:
        """The ``--summary`` table: (team, finding, rule, status, count), every team's rows
        then ``all`` teams, sorted; the records read, evaluated and refused first."""
        totals: Counter[Tally] = Counter()
        for (_team, finding, rule, status), count in self.findings.items():
            totals[("all", finding, rule, status)] += count
        rows = [
            ("all", "records", "", "read", self.read),
            ("all", "records", "", "evaluated", self.evaluated),
            ("all", "records", "", "refused", self.refused + self.internal),
        ]
        rows += sorted((*key, count) for key, count in self.findings.items())
        rows += sorted((*key, count) for key, count in totals.items())
        return rows


def evaluate_partition(
    lines: Iterable[str | bytes],
    policy: Policy,
    as_of: date | datetime | str,
    limits: Limits = DEFAULT_LIMITS,
) -> list[str]:
    """The output lines (text, no line end) of one partition of JSON Lines: a whole file,
    its lines in order, line ends kept or not. For ``dask.bag``'s ``map_partitions`` over
    ``read_text(..., blocksize=None, linedelimiter="\\n")`` (one partition per file, split on
    ``\\n`` only), so that ``line`` numbers each file's lines; see docs/sweeps.md.

    >>> import json
    >>> from assess_rules import load_policy
    >>> lines = ['{"case_id": "A", "referral": {"received_at": "2026-12-18"}}\\n', "\\n", "{"]
    >>> out = evaluate_partition(lines, load_policy("generic_s17"), "2026-12-22")
    >>> [json.loads(o)["line"] for o in out], [json.loads(o)["case_id"] for o in out]
    ([1, 3], ['A', None])
    """
    out: list[str] = []
    for number, text in enumerate(lines, start=1):
        if not isinstance(text, str | bytes):  # a gap in the partition: its own error line
            outcome = evaluate_line(
                policy, None, as_of, line=number, problem="no record in this line (not text)"
            )
            out.append(outcome.output.decode("utf-8"))
            continue
        raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        if len(raw) > limits.max_line_bytes:
            outcome = evaluate_line(
                policy, None, as_of, line=number, problem=too_long_reason(limits)
            )
        elif raw.strip(b" \t\r"):
            outcome = evaluate_line(policy, raw, as_of, line=number, limits=limits)
        else:
            continue
        out.append(outcome.output.decode("utf-8"))
    return out


#: The columns :func:`evaluate_frame` gives, with their dtypes: the ``meta`` of a Dask
#: dataframe's ``map_partitions``.
FRAME_COLUMNS: dict[str, str] = {
    "case_id": "object",
    "error": "object",
    "violations": "int64",
    "output": "object",
}


def evaluate_frame(
    frame: Any,
    policy: Policy,
    as_of: date | datetime | str,
    *,
    column: str = "record",
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """One output row for each row of ``frame`` (a ``pandas.DataFrame`` whose ``column``
    holds one record's JSON text a row), with the same index, so results join back to
    their rows: ``case_id`` (when one could be read), ``error`` (``None`` for a result,
    else the stage that refused the record, as in :class:`Outcome`), ``violations`` and
    ``output``, the output line (JSON text). A row with no text (missing, a number) gets an
    error, never a gap. ``line`` in each output line is the row's position in the frame,
    from 1. For a Dask dataframe's ``map_partitions`` (``meta=FRAME_COLUMNS``); see
    docs/sweeps.md. Needs ``pandas`` (the ``dask`` extra brings it).
    """
    pandas: Any = importlib.import_module("pandas")  # only here: it comes with the dask extra

    rows: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for number, value in enumerate(frame[column].tolist(), start=1):
        if isinstance(value, str | bytes) and len(value) > limits.max_line_bytes:
            outcome = evaluate_line(
                policy, None, as_of, line=number, problem=too_long_reason(limits)
            )
        elif isinstance(value, str | bytes):
            outcome = evaluate_line(policy, value, as_of, line=number, limits=limits)
        else:
            outcome = evaluate_line(
                policy, None, as_of, line=number, problem="no record in this row (not text)"
            )
        rows["case_id"].append(outcome.case_id)
        rows["error"].append(outcome.error)
        rows["violations"].append(outcome.violations)
        rows["output"].append(outcome.output.decode("utf-8"))
    return pandas.DataFrame(
        {
            name: pandas.Series(values, index=frame.index, dtype=FRAME_COLUMNS[name])
            for name, values in rows.items()
        }
    )


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def sweep(
    policy: Policy,
    lines: Iterable[RawLine],
    as_of: date | datetime | str,
    *,
    workers: int = 1,
    limits: Limits = DEFAULT_LIMITS,
) -> Generator[Outcome, None, None]:
    """The outcome of each line, in input order. With ``workers`` > 1, records are
    evaluated in a pool of processes (the policy is pickled to them once), at most a few
    batches ahead of the output, so memory stays flat. Closing the iterator early shuts the
    pool down."""
    if workers <= 1:
        for raw in lines:
            yield evaluate_line(
                policy, raw.data, as_of, line=raw.number, limits=limits, problem=raw.problem
            )
        return
    batches = _pooled(policy, lines, as_of, workers, limits, _evaluate_batch)
    try:
        for outcomes in batches:
            yield from outcomes
    finally:
        batches.close()


@dataclass(frozen=True, slots=True)
class OutcomeBatch:
    """The outcomes of consecutive input lines, as a sweep writes them: their output lines,
    each ended by ``\\n``, and their counts. What a worker sends back for a batch: one
    string of bytes and a few counts cost the parent far less than an :class:`Outcome` a
    line."""

    output: bytes
    counts: SweepCounts

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> OutcomeBatch:
        """The batch of ``outcomes``, in order."""
        counts = SweepCounts()
        for outcome in outcomes:
            counts.add(outcome)
        output = b"\n".join([o.output for o in outcomes])
        return cls(output + b"\n" if outcomes else b"", counts)


def sweep_batches(
    policy: Policy,
    lines: Iterable[RawLine],
    as_of: date | datetime | str,
    *,
    workers: int = 1,
    limits: Limits = DEFAULT_LIMITS,
) -> Generator[OutcomeBatch, None, None]:
    """:func:`sweep`'s outcomes in batches, in input order: one line a batch in this
    process (``workers`` 1), so that a sweep can stop after any line; a batch of lines from
    each worker otherwise, joined where it was evaluated.

    >>> from assess_rules import load_policy
    >>> from assess_rules.records import RawLine
    >>> lines = [RawLine(1, b'{"case_id": "A", "referral": {"received_at": "2026-12-18"}}'),
    ...          RawLine(3, b"{")]
    >>> batches = list(sweep_batches(load_policy("generic_s17"), lines, "2026-12-22"))
    >>> [(b.counts.read, b.counts.evaluated, b.counts.refused) for b in batches]
    [(1, 1, 0), (1, 0, 1)]
    >>> batches[1].output[:50], batches[1].output.count(b"\\n")
    (b'{"line":3,"case_id":null,"error":{"stage":"json","', 1)
    """
    if workers <= 1:
        for outcome in sweep(policy, lines, as_of, limits=limits):
            yield OutcomeBatch.of([outcome])
        return
    yield from _pooled(policy, lines, as_of, workers, limits, _evaluate_joined)


def _pooled(
    policy: Policy,
    lines: Iterable[RawLine],
    as_of: date | datetime | str,
    workers: int,
    limits: Limits,
    task: Callable[[list[_PlainLine], date | datetime | str, Limits], _Answer],
) -> Generator[_Answer, None, None]:
    """``task``'s answer for each batch of lines, in input order, from a pool of ``workers``
    processes (the policy is pickled to them once), at most a few batches ahead of the
    output, so memory stays flat. Closing the iterator early shuts the pool down."""
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(pickle.dumps(policy),)
    )
    window: deque[Future[_Answer]] = deque()
    batches = _batches(lines, _BATCH)
    started: set[Any] = set()  # the worker processes, to stop them if the pool breaks
    broken = False
    try:
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except Exception:  # reading failed (too large, unreadable): finish what was read
                while window:
                    yield _result(pool, window.popleft())
                raise
            # plain tuples: a dataclass a line would cost each side about 3 us to pickle
            plain = [(raw.number, raw.data, raw.problem) for raw in batch]
            window.append(pool.submit(task, plain, as_of, limits))
            if len(started) < workers:  # the pool starts its processes as work comes
                started.update((getattr(pool, "_processes", None) or {}).values())
            if len(window) >= workers * 4:
                yield _result(pool, window.popleft())
        while window:
            yield _result(pool, window.popleft())
    except BrokenProcessPool:
        # A worker died (out of memory, killed). Python 3.11's pool can then deadlock while
        # tidying up (CPython gh-94777), so the other workers are stopped here, and the
        # command line leaves without waiting for the pool's own thread (cli.main).
        for process in started:
            if process.is_alive():
                process.kill()
        broken = True
        raise
    finally:
        for pending in window:
            pending.cancel()
        # Wait for the workers to leave: at once when every batch is answered; stopped
        # early (interrupted, the output closed), once each has finished the batch it holds
        # (the rest are cancelled). Not waiting lets the interpreter's exit handler race the
        # pool's manager thread (a traceback about a closed pipe). Killing the workers
        # instead can cut a batch's answer in half on its pipe, and the manager thread then
        # waits for the rest for ever. Only a broken pool is left without waiting.
        pool.shutdown(wait=not broken, cancel_futures=True)


def _result(pool: ProcessPoolExecutor, future: Future[_Answer]) -> _Answer:
    """A batch's outcomes. Waits in steps, because in Python 3.11 a batch sent just as a
    worker died may never be answered (CPython gh-94777): a broken pool is then noticed."""
    while True:
        try:
            return future.result(timeout=1.0)
        except TimeoutError:
            if getattr(pool, "_broken", False):
                raise BrokenProcessPool("a worker process died") from None


def _batches(lines: Iterable[RawLine], size: int) -> Iterator[list[RawLine]]:
    batch: list[RawLine] = []
    try:
        for raw in lines:
            batch.append(raw)
            if len(batch) >= size:
                yield batch
                batch = []
    except Exception:  # reading failed: the lines read so far are still evaluated
        if batch:
            yield batch
        raise
    if batch:
        yield batch


_worker_policy: Policy | None = None


def _start_worker(pickled: bytes) -> None:
    """Each worker: load the policy once; leave Ctrl-C and SIGTERM (sent to the whole
    process group, by a terminal or a service manager) to the parent, which stops the sweep,
    writes how far it got and stops the workers. (A worker inherits the parent's handlers,
    which would raise in the middle of its batch; a worker whose parent has gone ends when
    its pipe closes.)"""
    global _worker_policy
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _worker_policy = pickle.loads(pickled)


#: a line as sent to a worker: its number, its bytes (``None`` if too long) and why not
_PlainLine = tuple[int, bytes | None, str | None]


def _evaluate_batch(
    batch: list[_PlainLine], as_of: date | datetime | str, limits: Limits
) -> list[Outcome]:
    policy = _worker_policy
    assert policy is not None, "worker not started"
    return [
        evaluate_line(policy, data, as_of, line=number, limits=limits, problem=problem)
        for number, data, problem in batch
    ]


def _evaluate_joined(
    batch: list[_PlainLine], as_of: date | datetime | str, limits: Limits
) -> OutcomeBatch:
    return OutcomeBatch.of(_evaluate_batch(batch, as_of, limits))
