"""The exception hierarchy of assess_rules.

Every error the library raises on purpose derives from :class:`AssessRulesError`, so a caller
can catch one class. Each branch carries structured attributes from which its message is
built, so tools can show the location without parsing text.

- :class:`PolicyError`: a policy pack is wrong (file, line, column, what was expected,
  a suggestion where one fits).
- :class:`CaseError`: a case snapshot is wrong (the field path and the reason).
- :class:`CalendarError`: a date outside the calendar's supported range.
- :class:`ConditionError`: a condition of a pack does not parse or names an unknown fact.
- :class:`UnknownRuleError`: a rule id the pack does not have (with the nearest it has).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AssessRulesError",
    "CalendarError",
    "CaseError",
    "CaseIssue",
    "ConditionError",
    "EvaluationDateError",
    "NoVersionInForceError",
    "PolicyError",
    "UnknownRuleError",
]


class AssessRulesError(Exception):
    """The root of every error assess_rules raises on purpose."""


class CalendarError(AssessRulesError, ValueError):
    """A date the working-day calendar cannot answer for (outside its supported range)."""


class ConditionError(AssessRulesError):
    """A condition expression of a pack that does not parse or does not check.

    ``column`` is 1-based within the expression text.
    """

    def __init__(
        self,
        message: str,
        *,
        expression: str,
        column: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.reason = message
        self.expression = expression
        self.column = column
        self.suggestion = suggestion
        text = message
        if suggestion:
            text += f"; did you mean {suggestion!r}?"
        if column is not None:
            text += f" (at column {column} of {expression!r})"
        super().__init__(text)


class PolicyError(AssessRulesError):
    """A policy pack that cannot be loaded.

    Attributes give where (``file``, 1-based ``line`` and ``column``, ``path`` within the
    pack), what was wrong (``reason``), a ``suggestion`` where one fits, and for a file that
    is not safe YAML the ``kind`` of problem (``yaml-syntax``, ``yaml-anchor``, ``yaml-tag``,
    ``yaml-key``, ``yaml-duplicate``, ``yaml-value``, ``yaml-depth``, ``yaml-size``), so a
    caller can say what went wrong without repeating the text.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: Sequence[str | int] = (),
        suggestion: str | None = None,
        kind: str | None = None,
    ) -> None:
        self.reason = reason
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.path = tuple(path)
        self.suggestion = suggestion
        super().__init__(self._message())

    @property
    def location(self) -> str:
        """``file:line:column`` as far as it is known."""
        parts = [self.file or "the pack's text"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def _message(self) -> str:
        # no file and no line (a pack name not found): nothing to locate, so no location
        where = f"{self.location}: " if self.file or self.line is not None else ""
        at = f" (at {_format_path(self.path)})" if self.path else ""
        hint = f"; did you mean {self.suggestion!r}?" if self.suggestion else ""
        return f"{where}{self.reason}{hint}{at}"


@dataclass(frozen=True)
class CaseIssue:
    """One problem in a case snapshot: where (``path``) and why (``reason``)."""

    path: tuple[str | int, ...]
    reason: str

    def __str__(self) -> str:
        where = _format_path(self.path)  # none: the record (or file) as a whole
        return f"{where}: {self.reason}" if where else self.reason


class EvaluationDateError(AssessRulesError, ValueError):
    """An evaluation date that is not a date, a datetime or an ISO 8601 string."""


#: How many of a snapshot's problems a message lists (the rest are counted).
MAX_ISSUES_SHOWN = 20


class NoVersionInForceError(EvaluationDateError):
    """No installed version of a pack is in force on a case's referral date."""


class CaseError(AssessRulesError, ValueError):
    """A case snapshot that is not valid input; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[CaseIssue], *, source: str | None = None) -> None:
        self.issues = tuple(issues)
        self.source = source
        head = f"{source}: " if source else ""
        shown = self.issues[:MAX_ISSUES_SHOWN]
        lines = "\n".join(f"  - {issue}" for issue in shown)
        if len(self.issues) > len(shown):
            lines += f"\n  ... and {len(self.issues) - len(shown)} more"
        noun = "problem" if len(self.issues) == 1 else "problems"
        super().__init__(f"{head}invalid case snapshot, {len(self.issues)} {noun}:\n{lines}")


def _format_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part if len(part) <= 40 else part[:37] + "..."
            out += f".{name}" if out else name
    return out


class UnknownRuleError(AssessRulesError, KeyError):
    """A rule id the pack (in the version that applies) does not have; ``suggestion`` is the
    nearest id it has, if any is close."""

    def __init__(self, rule: str, pack: str, suggestion: str | None = None) -> None:
        self.rule = rule
        self.pack = pack
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(f"pack {pack!r} has no rule {rule!r}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])
