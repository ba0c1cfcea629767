"""Results for people: a plain-text report a team manager can act on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from assess_rules.calendar import describe
from assess_rules.facts import FACTS
from assess_rules.pack import (
    AuthorityRule,
    CancellationRule,
    CaseloadReviewRule,
    CheckRule,
    ConsentRule,
    Duration,
    ObligationRule,
    ProhibitionRule,
    SourceRef,
    Step,
    TimescaleRule,
    WarningRule,
)
from assess_rules.policy import Policy
from assess_rules.result import Citation, Result

__all__ = ["facts_markdown", "format_text", "pack_markdown"]


def _when(value: date | datetime | None) -> str:
    return "-" if value is None else describe(value)


def _cites(sources: tuple[Citation, ...]) -> str:
    return "; ".join(str(s) for s in sources)


def format_text(result: Result, policy: Policy | None = None) -> str:
    """``result`` as a readable report; ``policy`` supplies the pack's role names."""

    def role(value: str | None) -> str:
        if value is None:
            return "-"
        return policy.role_label(value) if policy else value.replace("_", " ")

    lines = [
        f"Case {result.case_id} as of {_when(result.as_of)}",
        f"Pack {result.pack.id} {result.pack.version} ({result.pack.content_hash[:19]}...)",
        "",
    ]
    counts = (
        f"{len(result.violations)} violation(s), {len(result.warnings)} warning(s), "
        f"{len(result.obligations)} open obligation(s)"
    )
    lines += [counts, ""]

    lines.append("DEADLINES")
    if not result.deadlines:
        lines.append("  none triggered")
    for d in result.deadlines:
        subject = f" [{d.subject}]" if d.subject else ""
        done = f", done {_when(d.done)}" if d.done else ""
        lines.append(f"  {d.status.upper():<12} {d.title}{subject}")
        due = _when(d.due) if d.unit == "hours" else f"{_when(d.due_date)} (end of day)"
        lines.append(f"               due {due}{done}")
        lines.append(f"               {d.computation}")
        for caveat in d.caveats:
            lines.append(f"               note: {caveat}")
        if d.missing_facts:
            lines.append(f"               needs: {', '.join(d.missing_facts)}")
        lines.append(f"               rule {d.rule}: {_cites(d.sources)}")
    lines.append("")

    lines.append("VIOLATIONS")
    if not result.violations:
        lines.append("  none")
    for v in result.violations:
        subject = f" [{v.subject}]" if v.subject else ""
        lines.append(f"  [{v.severity}] {v.message}{subject}")
        lines.append(f"         rule {v.rule}: {_cites(v.sources)}")
    lines.append("")

    if result.warnings:
        lines.append("WARNINGS")
        for w in result.warnings:
            lines.append(f"  {w.message}")
            lines.append(f"         rule {w.rule}: {_cites(w.sources)}")
        lines.append("")

    lines.append("PERMITTED ACTIONS")
    if not result.permitted_actions:
        lines.append("  none to decide")
    for a in result.permitted_actions:
        verdict = a.status.upper().replace("_", " ")
        option = f" ({a.option})" if a.option else ""
        subject = f" [{a.subject}]" if a.subject else ""
        lines.append(f"  {verdict:<10} {a.action}{option}: {a.label}{subject}")
        if a.status == "refused" and a.subject is None:
            # A refused option: say why in a line or two; its prerequisites do not matter.
            for reason in a.why:
                if not reason.startswith("its condition holds"):
                    lines.append(f"             - {reason}")
            continue
        who = f"decided by {role(a.approver)}"
        if a.recommended_by:
            who = f"recommended by {role(a.recommended_by)}, " + who
        lines.append(f"             {who}")
        for reason in a.why:
            lines.append(f"             - {reason}")
        for prerequisite in a.prerequisites:
            lines.append(f"             first: {prerequisite}")
        for warning in a.warnings:
            lines.append(f"             warning: {warning}")
        if a.missing_facts:
            lines.append(f"             needs: {', '.join(a.missing_facts)}")
        lines.append(f"             rule {a.rule}: {_cites(a.sources)}")
    lines.append("")

    lines.append("OPEN OBLIGATIONS")
    if not result.obligations:
        lines.append("  none")
    for o in result.obligations:
        due = f" by {_when(o.due)}" if o.due else ""
        subject = f" [{o.subject}]" if o.subject else ""
        lines.append(f"  {o.status.upper():<8} {role(o.owner)}: {o.title}{due}{subject}")
        lines.append(f"           rule {o.rule}: {_cites(o.sources)}")
    lines.append("")

    if result.missing_facts:
        lines.append("CANNOT DECIDE (facts the snapshot does not record)")
        for m in result.missing_facts:
            subject = f" [{m.subject}]" if m.subject else ""
            lines.append(f"  {m.title}{subject}: {m.needed_for}")
            lines.append(f"           needs: {', '.join(m.facts) or '-'} (rule {m.rule})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- Markdown pages generated from packs and the fact registry ------------------------------


def _md(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(text.split()).replace("|", "\\|")


def _sources_md(sources: Iterable[SourceRef]) -> str:
    return "; ".join(f"{s.id} ({s.para})" for s in sources)


def _within(duration: Duration) -> str:
    unit = duration.unit.replace("_", " ")
    return f"{duration.amount} {unit[:-1] if duration.amount == 1 else unit}"


def _step_md(step: Step, role: Callable[[str], str]) -> str:
    records = (step.record,) if isinstance(step.record, str) else step.record
    parts = [f"**{_md(step.title)}**: " + " or ".join(f"`{r}`" for r in records)]
    if step.by:
        parts.append(f"by {role(step.by)} or higher")
    if step.within:
        parts.append(f"within {_within(step.within)}")
    if step.before:
        parts.append(f"before `{step.before}`")
    if step.unless:
        parts.append(f"unless `{step.unless}`")
    return ", ".join(parts)


def pack_markdown(policy: Policy) -> str:
    """A page describing ``policy`` for people: what it encodes, its timescales, reasons,
    approvers and every interpretation note (``docs/packs/<id>.md`` is this, committed)."""
    info = policy.info
    role = policy.role_label
    out = [
        f"# {info.title} (`{info.id}`)",
        "",
        "<!-- Generated by `assess-rules docs " + info.id + "`; do not edit by hand. -->",
        "",
        f"- **Authority**: {info.authority}",
        f"- **Version**: {info.version}",
    ]
    if info.effective_from or info.effective_to:
        out.append(f"- **In force**: {info.effective_from or '-'} to {info.effective_to or '-'}")
    if len(policy.chain) > 1:
        out.append(f"- **Extends**: `{policy.chain[-2].id}`")
    for document in info.documents:
        where = f" (`{document.file}`)" if document.file else ""
        out.append(f"- **Encodes**: {document.title}{where}")
    out.append("")
    if info.description:
        out += [_md(info.description), ""]
    if info.changes:
        out += [
            "## Readings changed",
            "",
            "| version | rules | what changed |",
            "| --- | --- | --- |",
        ]
        for change in info.changes:
            rules = ", ".join(f"`{r}`" for r in change.rules)
            out.append(f"| {change.version} | {rules} | {_md(change.summary)} |")
        out.append("")
    if info.override_policy:
        out += [
            "## What this pack changes in the one it extends",
            "",
            _md(info.override_policy),
            "",
        ]
    if policy.parameters:
        out += ["## Parameters", "", "| parameter | value | meaning |", "| --- | --- | --- |"]
        for name, parameter in policy.parameters.items():
            out.append(f"| `{name}` | {parameter.value} | {_md(parameter.description or '')} |")
        out.append("")
    settings = policy.calendar_settings
    out += [
        "## Calendar and counting",
        "",
        f"- Region: {settings.region.value.replace('_', ' ')}",
        f"- Counting: {settings.counting.value.replace('_', ' ')}",
        f"- Local closure days: {', '.join(map(str, settings.closures)) or 'none'}",
    ]
    if settings.note:
        out.append(f"- Note: {_md(settings.note)}")
    out += ["", "## Roles (lowest first)", "", "| role | this pack calls it |", "| --- | --- |"]
    out += [
        f"| `{r.id}` | {r.label}{' (' + ', '.join(r.aliases) + ')' if r.aliases else ''} |"
        for r in policy.roles
    ]
    higher = "may" if policy.higher_roles_may_act else "may not"
    out += ["", f"A higher role {higher} do what a duty names a lower role for.", ""]
    if policy.roles_note:
        out += [f"Note: {_md(policy.roles_note)}", ""]

    def rules_of(kind: type) -> list[Any]:
        return [r for r in policy.rules if isinstance(r, kind)]

    def origin(rule: Any) -> str:
        home = policy.origin.get(rule.id, info.id)
        return "" if home == info.id else f" (from `{home}`)"

    timescales = rules_of(TimescaleRule)
    if timescales:
        out += [
            "## Timescales",
            "",
            "| rule | what | from | until | within | extensions | sources |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for t in timescales:
            extensions = "; ".join(f"{_within(e.within)} when `{e.when}`" for e in t.extensions)
            start = f"`{t.start}`" + (" (next working day)" if t.start_at != "event" else "")
            each = f" for each of {t.for_each}" if t.for_each else ""
            if t.effect == "warning":
                each += " (missed: a warning, not a violation)"
            out.append(
                f"| `{t.id}`{origin(t)} | {_md(t.title)}{each} | {start} | "
                f"`{t.end or '-'}` | {_within(t.within)} | {_md(extensions) or '-'} | "
                f"{_sources_md(t.sources)} |"
            )
        out.append("")
    for c in rules_of(CancellationRule):
        out += [f"## Cancellation: {_md(c.title)} (`{c.id}`){origin(c)}", ""]
        if c.applies_when:
            out.append(f"Applies when `{c.applies_when}`.")
        who = f"Decided by **{role(c.decided_by)}**"
        if c.recommended_by:
            who = (
                f"Recommended by **{role(c.recommended_by)}**; decided by **{role(c.decided_by)}**"
            )
        may = c.higher_roles_may_decide
        if may is None:
            may = policy.higher_roles_may_act
        out += [
            f"{who} ({'or higher' if may else 'that role only'}). "
            f"Sources: {_sources_md(c.sources)}.",
            "",
        ]
        if c.requires:
            out += (
                ["Before the decision:", ""] + [f"- {_step_md(s, role)}" for s in c.requires] + [""]
            )
        out += [
            "| reason | label | condition | free text | decided by | sources |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in c.reasons:
            grounds = f" (grounds: {', '.join(r.grounds)})" if r.grounds else ""
            out.append(
                f"| `{r.id}`{grounds} | {_md(r.label)} | "
                f"{'`' + _md(r.when) + '`' if r.when else '-'} | "
                f"{'required' if r.requires_free_text else '-'} | "
                f"{role(r.decided_by or c.decided_by)} | "
                f"{_sources_md(r.sources or c.sources)} |"
            )
        out.append("")
    consent = rules_of(ConsentRule)
    if consent:
        out += ["## Consent branches", ""]
        for r in consent:
            out += [
                f"### {r.branch.replace('_', ' ')}: {_md(r.title)} (`{r.id}`){origin(r)}",
                "",
                f"Sources: {_sources_md(r.sources)}.",
                "",
            ]
            out += [f"- {_step_md(s, role)}" for s in r.steps] + [""]
    obligations = rules_of(ObligationRule)
    if obligations:
        out += ["## Obligations", ""]
        for r in obligations:
            each = f", for each of {r.for_each}" if r.for_each else ""
            out += [
                f"### {_md(r.title)} (`{r.id}`){origin(r)}",
                "",
                f"When `{_md(r.when)}`, from `{r.trigger}`{each}. "
                f"Sources: {_sources_md(r.sources)}.",
                "",
            ]
            out += [f"- {_step_md(s, role)}" for s in r.steps] + [""]
    others = (
        rules_of(CheckRule)
        + rules_of(ProhibitionRule)
        + rules_of(WarningRule)
        + rules_of(AuthorityRule)
    )
    if others:
        out += [
            "## Checks, prohibitions, warnings and authorities",
            "",
            "| rule | kind | what | condition | sources |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in others:
            if isinstance(r, CheckRule):
                condition = r.violation_when
            elif isinstance(r, AuthorityRule):
                condition = f"{r.applies_when}; by {role(r.role)} or higher"
            else:
                condition = r.when
                if isinstance(r, WarningRule) and r.for_each:
                    condition += f"; for each of {r.for_each}"
            out.append(
                f"| `{r.id}`{origin(r)} | {r.kind} | {_md(r.title)} | "
                f"`{_md(condition)}` | {_sources_md(r.sources)} |"
            )
        out.append("")
    reviews = rules_of(CaseloadReviewRule)
    if reviews:
        out += ["## Reviews over the whole caseload", ""]
        for r in reviews:
            rise = r.significant_rise
            out += [
                f"### {_md(r.title)} (`{r.id}`){origin(r)}",
                "",
                f"{r.measure.replace('_', ' ').capitalize()} are counted each {r.period} "
                f"and reviewed by the {role(r.reviewed_by)}. A rise of at least "
                f"{rise.percent}% and at least {rise.minimum_increase} on the {r.period} "
                f"before triggers a {_md(r.follow_up)}. Sources: {_sources_md(r.sources)}. "
                "Run it with `assess-rules caseload`.",
                "",
            ]
    if policy.removed:
        out += ["## Rules of the extended pack not applied here", ""]
        out += [f"- `{r.id}`: {_md(r.reason)}" for r in policy.removed] + [""]
    notes = [(r.id, r.note) for r in policy.rules if r.note]
    for r in policy.rules:
        for e in getattr(r, "extensions", ()):
            if e.note:
                notes.append((f"{r.id}/{e.id}", e.note))
        for reason in getattr(r, "reasons", ()):
            if reason.note:
                notes.append((f"{r.id}/{reason.id}", reason.note))
        for step in (*getattr(r, "steps", ()), *getattr(r, "requires", ())):
            if step.note:
                notes.append((f"{r.id}/{step.id}", step.note))
    if notes:
        out += [
            "## Interpretation notes",
            "",
            "How this pack reads phrases the sources leave open. A policy author may change "
            "any of them in the YAML.",
            "",
        ]
        out += [f"- `{where}`: {_md(note)}" for where, note in notes] + [""]
    catalogue = sorted({s.id for r in policy.rules for s in _all_sources(r)})
    out += ["## Catalogue IDs encoded", "", ", ".join(f"`{c}`" for c in catalogue), ""]
    return "\n".join(out)


def _all_sources(rule: Any) -> list[SourceRef]:
    found = list(rule.sources)
    for nested in ("extensions", "reasons", "steps", "requires"):
        for item in getattr(rule, nested, ()):
            found += list(item.sources)
    return found


def facts_markdown() -> str:
    """``docs/facts.md``: every fact a condition can read."""
    out = [
        "# Facts",
        "",
        "<!-- Generated by `assess-rules docs --facts`; do not edit by hand. -->",
        "",
        "Every name a pack's conditions, `start`, `end`, `record` and `trigger` may use. "
        "A fact is unknown (and a rule that needs it undecided) when the snapshot does not "
        "record it as of the evaluation date. Facts marked *per item* exist only in a rule "
        "with `for_each:` that collection.",
        "",
        "| fact | type | values | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for spec in FACTS.all_specs():
        where = f" (per item of `{spec.scope}`)" if spec.scope else ""
        values = ", ".join(f"`{v}`" for v in spec.values) if spec.values else ""
        out.append(f"| `{spec.name}` | {spec.type} | {values} | {_md(spec.description)}{where} |")
    return "\n".join(out) + "\n"
