"""Results for people: a plain-text report a team manager can act on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from assess_rules.calendar import describe
from assess_rules.facts import FACTS, kinds_read_by
from assess_rules.kinds import KINDS, kind_of
from assess_rules.kinds._page import Page, md
from assess_rules.pack import SourceRef
from assess_rules.policy import Policy
from assess_rules.result import Citation, Result

__all__ = ["facts_markdown", "format_text", "pack_markdown"]


def _when(value: date | datetime | None) -> str:
    return "-" if value is None else describe(value)


def _cites(sources: tuple[Citation, ...]) -> str:
    return "; ".join(str(s) for s in sources)


def _about(finding: Any) -> str:
    """`` [child amy, cancellations[0]]``: which child (in a family case) and which item a
    finding is about, if any."""
    parts = [f"child {finding.child}" if finding.child else "", finding.subject or ""]
    named = ", ".join(p for p in parts if p)
    return f" [{named}]" if named else ""


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
        subject = _about(d)
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
        subject = _about(v)
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
        subject = _about(a)
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
        subject = _about(o)
        lines.append(f"  {o.status.upper():<8} {role(o.owner)}: {o.title}{due}{subject}")
        lines.append(f"           rule {o.rule}: {_cites(o.sources)}")
    lines.append("")

    if result.missing_facts:
        lines.append("CANNOT DECIDE (facts the snapshot does not record)")
        for m in result.missing_facts:
            subject = _about(m)
            lines.append(f"  {m.title}{subject}: {m.needed_for}")
            lines.append(f"           needs: {', '.join(m.facts) or '-'} (rule {m.rule})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- Markdown pages generated from packs and the fact registry ------------------------------


#: The lists of a pack's vocabulary, as its page heads them, and the facts each word gives.
_VOCABULARY_HEADINGS = (
    ("requestable_actions", "Actions someone may ask to do", "a request's `action`"),
    ("oversight_kinds", "Management oversight kinds", "`oversight.{}`, `.by`, `.agrees`"),
    ("action_kinds", "Kinds of things done", "`action.{}`"),
)


_WORD = {
    "requestable_actions": "action",
    "oversight_kinds": "oversight kind",
    "action_kinds": "action kind",
}


def _vocabulary_section(policy: Policy) -> list[str]:
    """The pack's vocabulary, list by list: each word with its label, what it means, the
    facts it gives and the pack that declared it."""
    if not any(policy.declared_vocabulary.values()):
        return []
    out = [
        "## Vocabulary",
        "",
        "The words a case evaluated with this pack may use; any other is refused, naming the "
        "nearest.",
        "",
    ]
    for name, heading, facts in _VOCABULARY_HEADINGS:
        words = policy.declared_vocabulary.get(name, ())
        if not words:
            continue
        out += [f"### {heading}", "", "| id | label | meaning | read as | declared by |"]
        out.append("| --- | --- | --- | --- | --- |")
        for word in words:
            origin = policy.vocabulary_origin.get((name, word.id), policy.id)
            out.append(
                f"| `{word.id}` | {md(word.label)} | {md(word.description or '')} | "
                f"{facts.format(word.id)} | {origin} |"
            )
        out.append("")
    return out


def pack_markdown(policy: Policy) -> str:
    """A page describing ``policy`` for people: what it encodes, its timescales, reasons,
    approvers and every interpretation note (``docs/packs/<id>.md`` is this, committed)."""
    info = policy.info
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
        out += [md(info.description), ""]
    if info.changes:
        out += [
            "## Readings changed",
            "",
            "| version | rules | what changed |",
            "| --- | --- | --- |",
        ]
        for change in info.changes:
            rules = ", ".join(f"`{r}`" for r in change.rules)
            out.append(f"| {change.version} | {rules} | {md(change.summary)} |")
        out.append("")
    if info.override_policy:
        out += [
            "## What this pack changes in the one it extends",
            "",
            md(info.override_policy),
            "",
        ]
    if policy.parameters:
        out += ["## Parameters", "", "| parameter | value | meaning |", "| --- | --- | --- |"]
        for name, parameter in policy.parameters.items():
            out.append(f"| `{name}` | {parameter.value} | {md(parameter.description or '')} |")
        out.append("")
    out += _vocabulary_section(policy)
    settings = policy.calendar_settings
    out += [
        "## Calendar and counting",
        "",
        f"- Region: {settings.region.value.replace('_', ' ')}",
        f"- Counting: {settings.counting.value.replace('_', ' ')}",
        f"- Local closure days: {', '.join(map(str, settings.closures)) or 'none'}",
    ]
    if settings.note:
        out.append(f"- Note: {md(settings.note)}")
    out += ["", "## Roles (lowest first)", "", "| role | this pack calls it |", "| --- | --- |"]
    out += [
        f"| `{r.id}` | {r.label}{' (' + ', '.join(r.aliases) + ')' if r.aliases else ''} |"
        for r in policy.roles
    ]
    higher = "may" if policy.higher_roles_may_act else "may not"
    out += ["", f"A higher role {higher} do what a duty names a lower role for.", ""]
    if policy.roles_note:
        out += [f"Note: {md(policy.roles_note)}", ""]

    page = Page(policy)
    page.add(*out)
    by_kind: dict[str, list[Any]] = {}
    for rule in policy.rules:
        by_kind.setdefault(kind_of(rule).name, []).append(rule)
    for kind in sorted(KINDS.values(), key=lambda k: k.page_order):
        if by_kind.get(kind.name):
            kind.render(by_kind[kind.name], page)
    out = page.lines()
    if policy.removed:
        out += ["## Rules of the extended pack not applied here", ""]
        out += [f"- `{r.id}`: {md(r.reason)}" for r in policy.removed] + [""]
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
        out += [f"- `{where}`: {md(note)}" for where, note in notes] + [""]
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
        "Each record kind a pack's vocabulary declares gives facts of its own: "
        "`oversight.<kind>` (the first such record), `oversight.<kind>.by` and "
        "`oversight.<kind>.agrees` (the latest one's), and `action.<kind>` (the first). The "
        "national kinds are declared by `generic_s17` and listed, with their labels, on "
        "[its page](packs/generic_s17.md#vocabulary); a council pack's page lists its own. "
        "A fact below that reads particular words of the vocabulary says which: a pack whose "
        "rules read it must declare them (or extend a pack that does).",
        "",
        "| fact | type | values | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for spec in FACTS.all_specs():
        where = f" (per item of `{spec.scope}`)" if spec.scope else ""
        values = ", ".join(f"`{v}`" for v in spec.values) if spec.values else ""
        words = kinds_read_by(spec.name)
        if words:
            where += " (reads " + ", ".join(f"{_WORD[n]} `{w}`" for n, w in words) + ")"
        out.append(f"| `{spec.name}` | {spec.type} | {values} | {md(spec.description)}{where} |")
    return "\n".join(out) + "\n"
