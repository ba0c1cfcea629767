"""Results for people: a plain-text report a team manager can act on."""

from __future__ import annotations

from datetime import date, datetime

from assess_rules.policy import Policy
from assess_rules.result import Citation, Result

__all__ = ["format_text"]


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%a %d %b %Y %H:%M")
    return value.strftime("%a %d %b %Y")


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
        lines.append(f"               due {_when(d.due)}{done}")
        lines.append(f"               {d.computation}")
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
        verdict = {True: "ALLOWED", False: "REFUSED", None: "UNDECIDED"}[a.allowed]
        option = f" ({a.option})" if a.option else ""
        subject = f" [{a.subject}]" if a.subject else ""
        lines.append(f"  {verdict:<10} {a.action}{option}: {a.label}{subject}")
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
