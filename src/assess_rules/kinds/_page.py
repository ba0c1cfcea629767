"""The pack page a kind renders its section onto (``docs/packs/<id>.md``), and the Markdown
helpers every section uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assess_rules.calendar import amount_words
from assess_rules.pack import Duration, SourceRef
from assess_rules.policy import Policy

__all__ = ["Page", "md", "sources_md", "within_words"]

#: the one table that checks, prohibitions, warnings and authorities share
_SHARED_TABLE = (
    "## Checks, prohibitions, warnings and authorities",
    "",
    "| rule | kind | what | condition | sources |",
    "| --- | --- | --- | --- | --- |",
)


def md(text: str | None) -> str:
    """``text`` on one line, safe in a Markdown table cell."""
    if not text:
        return ""
    return " ".join(text.split()).replace("|", "\\|")


def sources_md(sources: Iterable[SourceRef]) -> str:
    """Catalogue IDs with their paragraphs."""
    return "; ".join(f"{s.id} ({s.para})" for s in sources)


def within_words(duration: Duration) -> str:
    """A duration in words: ``5 working days``."""
    return amount_words(duration.amount, duration.unit)


@dataclass
class _Table:
    head: tuple[str, ...]
    rows: list[str] = field(default_factory=list)


@dataclass
class Page:
    """A pack page being written: lines in order, and at most one shared table of short
    rules, which the kinds rendered one after another fill in turn."""

    policy: Policy
    _parts: list[str | _Table] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        """Add ``lines`` to the page."""
        self._parts += lines

    def role(self, role: str) -> str:
        """The pack's own name for ``role``."""
        return self.policy.role_label(role)

    def origin(self, rule: Any) -> str:
        """`` (from `pack`)`` for a rule of an extended pack; empty for the pack's own."""
        home = self.policy.origin.get(rule.id, self.policy.info.id)
        return "" if home == self.policy.info.id else f" (from `{home}`)"

    def short_rule(self, rule: Any, condition: str) -> None:
        """A row of the shared table of checks, prohibitions, warnings and authorities."""
        last = self._parts[-1] if self._parts else None
        if not (isinstance(last, _Table) and last.head == _SHARED_TABLE):
            last = _Table(_SHARED_TABLE)
            self._parts.append(last)
        last.rows.append(
            f"| `{rule.id}`{self.origin(rule)} | {rule.kind} | {md(rule.title)} | "
            f"`{md(condition)}` | {sources_md(rule.sources)} |"
        )

    def lines(self) -> list[str]:
        """The page so far, line by line."""
        out: list[str] = []
        for part in self._parts:
            if isinstance(part, _Table):
                out += [*part.head, *part.rows, ""]
            else:
                out.append(part)
        return out
