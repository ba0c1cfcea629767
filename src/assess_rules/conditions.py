"""The small, safe condition language of policy packs.

A condition reads facts of the case (see :mod:`assess_rules.facts`) and gives ``True``,
``False`` or ``None`` (undetermined, because a fact it needed is not recorded). It is parsed
and type-checked once, when the pack loads, and compiled to plain Python closures: nothing is
ever passed to ``eval`` or ``exec``.

Grammar (lowest precedence first)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand)?
    operand    := NUMBER | 'text' | "text" | true | false | fact.name
                | function "(" [condition ("," condition)*] ")" | "(" condition ")"
                | "[" [operand ("," operand)*] "]"

Functions: ``known(x)`` (the fact is recorded), ``days_between(a, b)``, ``weeks_between(a, b)``,
``months_between(a, b)``, ``working_days_between(a, b)`` (whole units from ``a`` to ``b``),
``within_days(a, b, n)``, ``within_weeks(a, b, n)``, ``within_months(a, b, n)`` (``b`` falls
on or before ``a`` plus ``n`` units: the boundary day counts as within) and
``date('2017-06-01')``. Roles compare by rank on the pack's ladder, so
``cancellation.decided_by >= 'service_manager'`` reads as it sounds.

Unknown facts follow Kleene's three-valued logic: ``False and <unknown>`` is ``False``,
``True or <unknown>`` is ``True``, and anything else that touches an unknown fact is unknown.

>>> from assess_rules.facts import FACTS
>>> check = compile_condition("child.age >= 18 and known(child.first_seen)", FACTS)
>>> sorted(check.facts)
['child.age', 'child.first_seen']
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from assess_rules.calendar import add_calendar_days, add_months, add_weeks
from assess_rules.errors import ConditionError

__all__ = [
    "MAX_NESTING",
    "CompiledCondition",
    "ConditionTrace",
    "FactLookup",
    "FactValues",
    "compile_condition",
    "trace_condition",
]

#: How deeply a condition may nest parentheses, ``not`` and function calls.
MAX_NESTING = 32


class FactValues(Protocol):
    """What a compiled condition reads: fact values by name, and the pack's helpers."""

    def get(self, name: str) -> Any: ...

    def role_rank(self, role: str) -> int: ...

    def working_days_between(self, start: date, end: date) -> int: ...


class FactSpecLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def values(self) -> tuple[str, ...] | None: ...


class FactLookup(Protocol):
    """The facts a condition may name, for load-time checking."""

    def lookup(self, name: str, scope: str | None) -> FactSpecLike | None: ...

    def names(self, scope: str | None) -> Sequence[str]: ...

    def scope_of(self, name: str) -> str | None: ...


Evaluator = Callable[[FactValues], Any]


@dataclass(frozen=True)
class CompiledCondition:
    """A checked, compiled condition: call :meth:`__call__` with the facts of a case."""

    source: str
    facts: frozenset[str]
    _run: Evaluator

    def __call__(self, values: FactValues) -> bool | None:
        result = self._run(values)
        return None if result is None else bool(result)

    def unknown_facts(self, values: FactValues) -> list[str]:
        """The facts this condition reads that the case does not record."""
        get = values.get
        return sorted([name for name in self.facts if get(name) is None])


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    column: int  # 1-based


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ConditionError(
                f"unexpected character {text[pos]!r}", expression=text, column=pos + 1
            )
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            if kind == "name" and word in _KEYWORDS:
                kind = word
            tokens.append(_Token(kind, word, pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


@dataclass(frozen=True)
class _Typed:
    """A compiled node: its evaluator, its static type and, for literals, its value."""

    run: Evaluator
    type: str  # bool int str moment date role list any
    literal: Any = None
    is_literal: bool = False
    fact: FactSpecLike | None = None
    #: for ``known(fact)``: the fact's name (so ``not known(fact)`` reads it directly)
    known: str | None = None


def _fact_name(node: _Typed) -> str | None:
    """The fact's name when ``node`` reads a fact and nothing else."""
    return None if node.fact is None else node.fact.name


def _reads(parts: list[_Typed]) -> tuple[tuple[str | None, str | None, Evaluator], ...]:
    """For ``and``/``or``: each part as (the fact it reads bare, the fact it asks
    ``known()`` of, its evaluator), so those two are read without a call."""
    return tuple((_fact_name(p), p.known, p.run) for p in parts)


def _junction(parts: list[_Typed], *, decisive: bool) -> _Typed:
    """``or`` (``decisive`` true: a true part makes it true) or ``and`` (``decisive`` false: a
    false part makes it false) of ``parts``, in three-valued logic: the decisive value as
    soon as a part has it, else unknown (``None``) if a part is unknown, else the other
    value. Bare facts and ``known()`` parts are read without a call (:func:`_reads`)."""
    reads = _reads(parts)

    def run_junction(values: FactValues) -> Any:
        unknown = False
        for fact, known, part in reads:
            if fact is not None:
                result = values.get(fact)
            elif known is not None:
                result = values.get(known) is not None
            else:
                result = part(values)
            if result is None:
                unknown = True
            elif bool(result) is decisive:
                return decisive
        return None if unknown else not decisive

    return _Typed(run_junction, "bool")


class _Compiler:
    def __init__(
        self,
        text: str,
        lookup: FactLookup,
        scope: str | None,
        parameters: Mapping[str, int] | None = None,
    ) -> None:
        self.text = text
        self.lookup = lookup
        self.scope = scope
        self.parameters = parameters or {}
        self.tokens = _tokenize(text)
        self.index = 0
        self.facts: set[str] = set()
        self.depth = 0

    def deeper(self, token: _Token) -> None:
        """Count one more level of nesting; refuse past :data:`MAX_NESTING`, so a hostile
        condition is a located error, not a ``RecursionError``."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(f"nested more than {MAX_NESTING} levels deep", token)

    # -- token helpers ----------------------------------------------------------------------
    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect(self, kind: str) -> _Token:
        token = self.peek()
        if token.kind != kind and token.text != kind:
            found = "the end" if token.kind == "end" else repr(token.text)
            self.fail(f"expected {kind!r}, found {found}", token)
        return self.take()

    def fail(self, message: str, token: _Token, suggestion: str | None = None) -> None:
        raise ConditionError(
            message, expression=self.text, column=token.column, suggestion=suggestion
        )

    # -- grammar ----------------------------------------------------------------------------
    def condition(self) -> _Typed:
        node = self.or_()
        end = self.peek()
        if end.kind != "end":
            self.fail(f"unexpected {end.text!r}", end)
        return node

    def or_(self) -> _Typed:
        parts = [self.and_()]
        while self.peek().kind == "or":
            token = self.take()
            parts.append(self.and_())
            self._require_bool(parts[-1], token)
        if len(parts) == 1:
            return parts[0]
        self._require_bool(parts[0], self.peek())
        return _junction(parts, decisive=True)

    def and_(self) -> _Typed:
        parts = [self.not_()]
        while self.peek().kind == "and":
            token = self.take()
            parts.append(self.not_())
            self._require_bool(parts[-1], token)
        if len(parts) == 1:
            return parts[0]
        self._require_bool(parts[0], self.peek())
        return _junction(parts, decisive=False)

    def not_(self) -> _Typed:
        if self.peek().kind == "not" and self.peek(1).kind != "in":
            token = self.take()
            self.deeper(token)
            inner = self.not_()
            self.depth -= 1
            self._require_bool(inner, token)
            run = inner.run
            name = _fact_name(inner)
            if name is not None:

                def run_not_fact(values: FactValues) -> Any:
                    result = values.get(name)
                    return None if result is None else not result

                return _Typed(run_not_fact, "bool")
            if inner.known is not None:
                known = inner.known
                return _Typed(lambda values: values.get(known) is None, "bool")

            def run_not(values: FactValues) -> Any:
                result = run(values)
                return None if result is None else not result

            return _Typed(run_not, "bool")
        return self.comparison()

    def comparison(self) -> _Typed:
        left = self.operand()
        token = self.peek()
        if token.kind == "not" and self.peek(1).kind == "in":
            self.take()
            self.take()
            return self._membership(left, self.operand(), token, negate=True)
        if token.kind == "in":
            self.take()
            return self._membership(left, self.operand(), token, negate=False)
        if token.text in {"==", "!=", "<", "<=", ">", ">="}:
            self.take()
            return self._compare(left, token, self.operand())
        return left

    def operand(self) -> _Typed:
        token = self.take()
        if token.kind == "number":
            value: Any = float(token.text) if "." in token.text else int(token.text)
            return _literal(value, "int")
        if token.kind == "string":
            return _literal(token.text[1:-1], "str")
        if token.kind in {"true", "false"}:
            return _literal(token.kind == "true", "bool")
        if token.text == "(":
            self.deeper(token)
            inner = self.or_()
            self.expect(")")
            self.depth -= 1
            return inner
        if token.text == "[":
            return self._list(token)
        if token.kind == "name":
            if self.peek().text == "(":
                return self._call(token)
            return self._fact(token)
        found = "the end of the condition" if token.kind == "end" else repr(token.text)
        self.fail(f"expected a value or a fact name, found {found}", token)
        raise AssertionError("unreachable")

    # -- pieces -----------------------------------------------------------------------------
    def _fact(self, token: _Token) -> _Typed:
        if token.text in self.parameters:
            return _literal(self.parameters[token.text], "int")
        spec = self.lookup.lookup(token.text, self.scope)
        if spec is None:
            home = self.lookup.scope_of(token.text)
            if home is not None:
                self.fail(
                    f"{token.text!r} is a fact of each item of {home}; use it in a rule "
                    f"with 'for_each: {home}'",
                    token,
                )
            names = [*self.lookup.names(self.scope), *self.parameters]
            close = difflib.get_close_matches(token.text, names, n=1, cutoff=0.6)
            what = "fact" if "." in token.text or not self.parameters else "fact or parameter"
            self.fail(f"unknown {what} {token.text!r}", token, close[0] if close else None)
            raise AssertionError("unreachable")
        self.facts.add(spec.name)
        name = spec.name
        return _Typed(lambda values: values.get(name), spec.type, fact=spec)

    def _list(self, opening: _Token) -> _Typed:
        items: list[_Typed] = []
        if self.peek().text != "]":
            items.append(self.operand())
            while self.peek().text == ",":
                self.take()
                items.append(self.operand())
        self.expect("]")
        if not all(item.is_literal for item in items):
            self.fail("a list may hold only literal values", opening)
        values = tuple(item.literal for item in items)
        kinds = {item.type for item in items}
        return (
            _Typed(lambda _values: values, "list", literal=values, is_literal=True, fact=None)
            if len(kinds) <= 1
            else self._mixed(opening)
        )

    def _mixed(self, token: _Token) -> _Typed:
        self.fail("a list must hold values of one type", token)
        raise AssertionError("unreachable")

    def _call(self, token: _Token) -> _Typed:
        name = token.text
        self.deeper(token)
        self.expect("(")
        args: list[_Typed] = []
        if self.peek().text != ")":
            args.append(self.or_())
            while self.peek().text == ",":
                self.take()
                args.append(self.or_())
        self.expect(")")
        self.depth -= 1
        spec = _FUNCTIONS.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, list(_FUNCTIONS), n=1, cutoff=0.6)
            self.fail(f"unknown function {name!r}", token, close[0] if close else None)
            raise AssertionError("unreachable")
        arity, build = spec
        if len(args) != arity:
            self.fail(
                f"{name}() takes {arity} argument{'s' if arity != 1 else ''}, got {len(args)}",
                token,
            )
        return build(self, token, args)

    def _require_bool(self, node: _Typed, token: _Token) -> None:
        if node.type not in {"bool", "any"}:
            self.fail(
                f"expected a true/false condition here, found {_a(node.type)} value "
                "(compare it with something)",
                token,
            )

    def _check_literal_against(self, fact: _Typed, literal: _Typed, token: _Token) -> None:
        spec = fact.fact
        if spec is None or not literal.is_literal:
            return
        allowed = spec.values
        candidates = literal.literal if literal.type == "list" else (literal.literal,)
        for value in candidates:
            if allowed is not None and isinstance(value, str) and value not in allowed:
                close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
                self.fail(
                    f"{value!r} is not a value of {spec.name} (one of: {', '.join(allowed)})",
                    token,
                    close[0] if close else None,
                )

    def _compare(self, left: _Typed, token: _Token, right: _Typed) -> _Typed:
        op = token.text
        self._check_literal_against(left, right, token)
        self._check_literal_against(right, left, token)
        kinds = {left.type, right.type}
        if "role" in kinds:
            return self._compare_roles(left, op, right, token)
        if not _comparable(left.type, right.type):
            self.fail(f"cannot compare {_a(left.type)} value with {_a(right.type)} value", token)
        if op not in {"==", "!="} and kinds & {"bool", "str", "list"}:
            self.fail(f"{op!r} needs numbers or dates, not {left.type}", token)
        compare = _OPERATORS[op]
        lrun, rrun = left.run, right.run
        mixed = kinds == {"moment", "date"}
        name, other = _fact_name(left), _fact_name(right)
        if name is not None and right.is_literal:
            # the commonest form, ``fact <op> literal``: one read, no call per operand
            literal = _as_date(right.literal) if mixed else right.literal
            if mixed:

                def run_fact_literal_dated(values: FactValues) -> Any:
                    a = values.get(name)
                    if a is None:
                        return None
                    return compare(_as_date(a), literal)

                return _Typed(run_fact_literal_dated, "bool")

            def run_fact_literal(values: FactValues) -> Any:
                a = values.get(name)
                if a is None:
                    return None
                return compare(a, literal)

            return _Typed(run_fact_literal, "bool")
        if name is not None and other is not None and not mixed:

            def run_facts(values: FactValues) -> Any:
                a = values.get(name)
                if a is None:
                    return None
                b = values.get(other)
                if b is None:
                    return None
                return compare(a, b)

            return _Typed(run_facts, "bool")

        def run_compare(values: FactValues) -> Any:
            a = lrun(values)
            if a is None:
                return None
            b = rrun(values)
            if b is None:
                return None
            if mixed:
                a, b = _as_date(a), _as_date(b)
            return compare(a, b)

        return _Typed(run_compare, "bool")

    def _compare_roles(self, left: _Typed, op: str, right: _Typed, token: _Token) -> _Typed:
        if not ({left.type, right.type} <= {"role", "str"}):
            self.fail(f"cannot compare a role with a {left.type}/{right.type} value", token)
        compare = _OPERATORS[op]
        lrun, rrun = left.run, right.run

        def run_roles(values: FactValues) -> Any:
            a = lrun(values)
            b = rrun(values)
            if a is None or b is None:
                return None
            return compare(values.role_rank(a), values.role_rank(b))

        return _Typed(run_roles, "bool")

    def _membership(self, left: _Typed, right: _Typed, token: _Token, *, negate: bool) -> _Typed:
        if right.type != "list":
            self.fail("'in' needs a list on its right, such as ['a', 'b']", token)
        self._check_literal_against(left, right, token)
        members = frozenset(right.literal)
        lrun = left.run
        name = _fact_name(left)
        if name is not None:

            def run_fact_in(values: FactValues) -> Any:
                a = values.get(name)
                if a is None:
                    return None
                return (a not in members) if negate else (a in members)

            return _Typed(run_fact_in, "bool")

        def run_in(values: FactValues) -> Any:
            a = lrun(values)
            if a is None:
                return None
            return (a not in members) if negate else (a in members)

        return _Typed(run_in, "bool")


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _literal(value: Any, kind: str) -> _Typed:
    return _Typed(lambda _values: value, kind, literal=value, is_literal=True)


def _as_date(value: Any) -> Any:
    return value.date() if isinstance(value, datetime) else value


def _comparable(a: str, b: str) -> bool:
    if a == b or "any" in (a, b):
        return True
    return {a, b} == {"moment", "date"}


_OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _build_known(compiler: _Compiler, token: _Token, args: list[_Typed]) -> _Typed:
    (arg,) = args
    name = _fact_name(arg)
    if name is None:
        compiler.fail("known() takes a fact name", token)
        raise AssertionError("unreachable")
    return _Typed(lambda values: values.get(name) is not None, "bool", known=name)


def _date_span(unit: str) -> Callable[[_Compiler, _Token, list[_Typed]], _Typed]:
    def build(compiler: _Compiler, token: _Token, args: list[_Typed]) -> _Typed:
        for arg in args:
            if arg.type not in {"moment", "date", "any"}:
                compiler.fail(f"{token.text}() takes dates or moments, not {arg.type}", token)
        first, second = args[0].run, args[1].run

        def run_span(values: FactValues) -> Any:
            a, b = first(values), second(values)
            if a is None or b is None:
                return None
            start, end = _as_date(a), _as_date(b)
            if unit == "days":
                return (end - start).days
            if unit == "weeks":
                return (end - start).days // 7
            if unit == "months":
                span = relativedelta(end, start)
                return span.years * 12 + span.months
            return values.working_days_between(start, end)

        return _Typed(run_span, "int")

    return build


_ADD_UNITS: Mapping[str, Callable[[date, int], date]] = {
    "days": add_calendar_days,
    "weeks": add_weeks,
    "months": add_months,
}


def _within(unit: str) -> Callable[[_Compiler, _Token, list[_Typed]], _Typed]:
    """``within_<unit>(earlier, later, n)``: ``later``'s date is on or before ``earlier``'s
    date plus ``n`` units, read inclusively as the catalogue's conventions say ("closed
    within 3 months of the referral", "in the previous twelve weeks")."""
    add = _ADD_UNITS[unit]

    def build(compiler: _Compiler, token: _Token, args: list[_Typed]) -> _Typed:
        for arg in args[:2]:
            if arg.type not in {"moment", "date", "any"}:
                compiler.fail(f"{token.text}() takes two dates or moments first", token)
        if not (args[2].is_literal and args[2].type == "int" and args[2].literal >= 0):
            compiler.fail(f"{token.text}() takes a whole number of {unit} last", token)
        first, second, amount = args[0].run, args[1].run, int(args[2].literal)

        def run_within(values: FactValues) -> Any:
            a, b = first(values), second(values)
            if a is None or b is None:
                return None
            start, end = _as_date(a), _as_date(b)
            return start <= end <= add(start, amount)

        return _Typed(run_within, "bool")

    return build


def _build_date(compiler: _Compiler, token: _Token, args: list[_Typed]) -> _Typed:
    (arg,) = args
    if not (arg.is_literal and arg.type == "str"):
        compiler.fail("date() takes a quoted date such as '2017-06-01'", token)
    try:
        value = date.fromisoformat(arg.literal)
    except ValueError:
        compiler.fail(f"{arg.literal!r} is not a date (write YYYY-MM-DD)", token)
        raise AssertionError("unreachable") from None
    return _literal(value, "date")


_FUNCTIONS: Mapping[str, tuple[int, Callable[[_Compiler, _Token, list[_Typed]], _Typed]]] = {
    "known": (1, _build_known),
    "days_between": (2, _date_span("days")),
    "weeks_between": (2, _date_span("weeks")),
    "months_between": (2, _date_span("months")),
    "working_days_between": (2, _date_span("working_days")),
    "within_days": (3, _within("days")),
    "within_weeks": (3, _within("weeks")),
    "within_months": (3, _within("months")),
    "date": (1, _build_date),
}


def compile_condition(
    text: str,
    lookup: FactLookup,
    scope: str | None = None,
    parameters: Mapping[str, int] | None = None,
) -> CompiledCondition:
    """Parse, check and compile ``text``; raise :class:`ConditionError` if it is wrong.

    ``scope`` names the collection a rule iterates over (``for_each``), whose item facts
    then become visible. ``parameters`` are the pack's named numbers: a bare name such as
    ``assessment_days`` stands for its value.

    >>> from assess_rules.facts import FACTS
    >>> late = compile_condition(
    ...     "working_days_between(referral.received, as_of) > assessment_days",
    ...     FACTS,
    ...     parameters={"assessment_days": 45},
    ... )
    >>> sorted(late.facts)
    ['as_of', 'referral.received']
    """
    compiler = _Compiler(text, lookup, scope, parameters)
    node = compiler.condition()
    if node.type not in {"bool", "any"}:
        raise ConditionError(
            f"a condition must be true or false, but this is {_a(node.type)} value",
            expression=text,
            column=1,
        )
    return CompiledCondition(text, frozenset(compiler.facts), node.run)


@dataclass(frozen=True)
class ConditionTrace:
    """One part of a condition as its author wrote it (``text``), with its value for a case:
    ``True``/``False``, a number or a date, or ``None`` (unknown: a fact it reads is not
    recorded). ``fact`` names the fact when the part is a bare fact read; ``parts`` are its
    sub-expressions, each with its own value (literals are not listed)."""

    text: str
    """This part as the pack writes it."""
    value: Any
    """Its value for the case: true or false, a number, a date or moment (ISO 8601
    text), text, or null when it cannot be told because a fact it reads is not recorded (for a
    fact, null means the case does not record it)."""
    fact: str | None = None
    """The fact's name when this part is a fact read on its own; null otherwise."""
    parts: tuple[ConditionTrace, ...] = ()
    """Its sub-expressions, each with its own value (literals are not listed)."""

    def facts(self) -> dict[str, Any]:
        """Every fact read anywhere in the condition, with its value (``None``: unknown)."""
        found: dict[str, Any] = {}
        stack = [self]
        while stack:
            node = stack.pop()
            if node.fact is not None:
                found[node.fact] = node.value
            stack.extend(reversed(node.parts))
        return dict(sorted(found.items()))


@dataclass
class _Span:
    start: int  # 0-based offsets into the text
    end: int
    node: _Typed
    children: list[_Span]


class _TracingCompiler(_Compiler):
    """A compiler that also records where each sub-expression is written, so that each can
    be evaluated on its own for :func:`trace_condition` (the compiled closures are the same
    as :func:`compile_condition`'s)."""

    def __init__(
        self,
        text: str,
        lookup: FactLookup,
        scope: str | None,
        parameters: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(text, lookup, scope, parameters)
        self.stack: list[list[_Span]] = [[]]

    def _spanned(self, build: Callable[[], _Typed]) -> _Typed:
        first = self.peek()
        self.stack.append([])
        node = build()
        children = self.stack.pop()
        last = self.tokens[max(self.index - 1, 0)]
        if len(children) == 1 and children[0].node is node:
            self.stack[-1].append(children[0])  # the same node, one grammar level up
        elif not node.is_literal:
            start, end = first.column - 1, last.column - 1 + len(last.text)
            self.stack[-1].append(_Span(start, end, node, children))
        return node

    def or_(self) -> _Typed:
        return self._spanned(super().or_)

    def and_(self) -> _Typed:
        return self._spanned(super().and_)

    def not_(self) -> _Typed:
        return self._spanned(super().not_)

    def comparison(self) -> _Typed:
        return self._spanned(super().comparison)

    def operand(self) -> _Typed:
        return self._spanned(super().operand)


def trace_condition(
    text: str,
    lookup: FactLookup,
    values: FactValues,
    scope: str | None = None,
    parameters: Mapping[str, int] | None = None,
) -> ConditionTrace:
    """``text`` evaluated against ``values`` part by part, for explaining a verdict: the
    value of the whole and of every sub-expression, each evaluated on its own (so parts the
    verdict did not need are shown too). Slower than a compiled condition: for explanations,
    never for evaluation. The whole's value is the compiled condition's verdict.

    >>> from assess_rules.facts import FACTS
    >>> class Values:
    ...     def get(self, name): return {"child.age": 17}.get(name)
    >>> trace = trace_condition("child.age >= 18 or known(child.first_seen)", FACTS, Values())
    >>> trace.value, [(p.text, p.value) for p in trace.parts]
    (False, [('child.age >= 18', False), ('known(child.first_seen)', False)])
    >>> trace.facts()
    {'child.age': 17, 'child.first_seen': None}
    """
    compiler = _TracingCompiler(text, lookup, scope, parameters)
    root = compiler.condition()
    spans = compiler.stack[0]
    verdict = root.run(values)
    whole = None if verdict is None else bool(verdict)

    def build(span: _Span, value: Any) -> ConditionTrace:
        fact = span.node.fact.name if span.node.fact is not None else None
        parts = tuple(build(child, child.node.run(values)) for child in span.children)
        return ConditionTrace(text[span.start : span.end], value, fact, parts)

    if len(spans) == 1 and spans[0].node is root:
        return build(spans[0], whole)
    return ConditionTrace(text, whole, None, tuple(build(s, s.node.run(values)) for s in spans))
