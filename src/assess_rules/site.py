"""The static docs site (``assess-rules docs --html DIR``): an index of packs, a page per pack
(its Markdown page as HTML, with a flow diagram of each action's approvals and each consent
branch) and a page per scenario with its timeline.

Every page stands alone: inline CSS, inline SVG, no script and nothing fetched, so the site
can be opened from disk or attached to a governance paper. Pack and scenario text is written
by others, so all of it is escaped: Markdown is rendered with raw HTML turned off, and every
other string goes through :func:`html.escape`.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as out:
...     pages = build_site(Path(out), ["generic_s17"])
...     sorted(p.relative_to(out).as_posix() for p in pages)[:2]
['index.html', 'packs/generic_s17.html']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assess_rules.calendar import amount_words, describe
from assess_rules.case import parse_case
from assess_rules.errors import AssessRulesError, CaseError
from assess_rules.evaluation import evaluate
from assess_rules.loading import SearchPath, bundled_dir, bundled_policies, load_policy
from assess_rules.pack import (
    CancellationRule,
    ConsentRule,
    ProhibitionRule,
    Step,
    WarningRule,
)
from assess_rules.policy import Policy
from assess_rules.reporting import pack_markdown
from assess_rules.result import Deadline, Result
from assess_rules.scenarios import Scenario, load_scenario_file
from assess_rules.svg import FlowStep, TimelineRow, flow_svg, timeline_svg
from assess_rules.timing import timeline

__all__ = [
    "action_flow",
    "build_site",
    "consent_flow",
    "referral_timeline_svg",
    "scenario_timeline_svg",
]

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; background: #f6f6f4; }
header.site { background: #1d3c5a; color: #fff; padding: 14px 32px; }
header.site a { color: #fff; text-decoration: none; font-weight: 600; }
header.site .crumbs { font-size: 14px; opacity: .9; }
main { max-width: 1180px; margin: 24px auto; padding: 28px 40px 40px; background: #fff;
  border: 1px solid #e2e2e2; border-radius: 6px; }
h1 { font-size: 30px; line-height: 1.25; margin: 0 0 18px; }
h2 { font-size: 23px; margin: 40px 0 12px; padding-top: 12px; border-top: 1px solid #e6e6e6; }
h3 { font-size: 19px; margin: 28px 0 10px; }
p, li { max-width: 78ch; }
a { color: #1d5fa8; }
code { font: 13.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: #f2f2f0; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 12px 0 20px; font-size: 14px; display: block;
  overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #d9d9d9; padding: 6px 9px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
tr:nth-child(even) td { background: #fafafa; }
td code { font-size: 12.5px; }
td:first-child code, td.key code { white-space: nowrap; }
figure.chart { margin: 16px 0 26px; padding: 12px; border: 1px solid #e2e2e2;
  border-radius: 6px; overflow-x: auto; background: #fff; }
figure.chart figcaption { font-size: 14px; color: #555; margin-top: 6px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
nav.toc { background: #f4f7fa; border: 1px solid #dbe4ee; border-radius: 6px;
  padding: 10px 18px; margin: 0 0 24px; font-size: 14.5px; }
nav.toc ul { columns: 2; margin: 6px 0; padding-left: 18px; }
.note { color: #555; }
.pill { display: inline-block; font-size: 12.5px; padding: 1px 8px; border-radius: 10px;
  border: 1px solid #bbb; margin-right: 4px; }
.pill.met, .pill.allowed { background: #d7f0dd; border-color: #1f7a3a; }
.pill.missed, .pill.refused { background: #f9d6d5; border-color: #b3261e; }
.pill.pending, .pill.allowed_once { background: #dbe8f7; border-color: #1d5fa8; }
.pill.undetermined, .pill.undecidable { background: #eee; border-color: #666; }
footer { max-width: 1180px; margin: 0 auto 30px; padding: 0 40px; font-size: 13px; color: #666; }
"""


@cache
def _markdown() -> Any:
    """Markdown with raw HTML off (pack text cannot inject markup) and tables on; links are
    checked by markdown-it (no ``javascript:``). Imported here: the ``docs`` extra."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - the dev and docs installs have it
        raise AssessRulesError(
            "the docs site needs markdown-it-py: pip install 'assess-rules[docs]'"
        ) from None
    return MarkdownIt("commonmark", {"html": False}).enable("table")


# --- diagrams of a pack -----------------------------------------------------------------------


def _lanes(policy: Policy, roles: list[str | None]) -> list[str]:
    """The lanes for ``roles``: the pack's names, lowest role first; 'anyone' for none."""
    ranks = policy.role_ranks
    known = sorted({r for r in roles if r}, key=lambda r: (ranks.get(r, 99), r))
    lanes = [policy.role_label(r) for r in known]
    if any(r is None for r in roles):
        lanes.insert(0, "anyone recording it")
    return lanes


def _lane(policy: Policy, role: str | None) -> str:
    return policy.role_label(role) if role else "anyone recording it"


def _step_detail(step: Step) -> str:
    record = step.record if isinstance(step.record, str) else " or ".join(step.record)
    parts = [f"records {record}"]
    if step.within is not None:
        parts.append(f"within {amount_words(step.within.amount, step.within.unit)}")
    if step.before:
        parts.append(f"before {step.before}")
    if step.unless:
        parts.append(f"unless {step.unless}")
    return "; ".join(parts)


def action_flow(policy: Policy, rule: CancellationRule) -> str:
    """The approval flow of an action rule: who may ask, what must be recorded first, who
    decides (levels in order, lowest first), and the prohibitions and warnings that stand
    against it, as SVG."""
    may = rule.higher_roles_may_decide
    if may is None:
        may = policy.higher_roles_may_act
    steps: list[FlowStep] = []
    roles: list[str | None] = [rule.decided_by]
    if rule.recommended_by:
        roles.append(rule.recommended_by)
        steps.append(FlowStep("Asks (recommends)", _lane(policy, rule.recommended_by), "", "ask"))
    for step in rule.requires:
        role = step.by or step.owner or rule.recommended_by
        roles.append(role)
        steps.append(FlowStep(step.title, _lane(policy, role), _step_detail(step)))
    condition = f"only when {rule.applies_when}" if rule.applies_when else ""
    steps.append(
        FlowStep(
            f"Decides: allows or refuses {rule.action.replace('_', ' ')}",
            _lane(policy, rule.decided_by),
            ("or a higher role" if may else "that role only")
            + (f"; {condition}" if condition else ""),
            "decide",
        )
    )
    higher: dict[str, list[str]] = {}
    for reason in rule.reasons:
        if reason.decided_by and reason.decided_by != rule.decided_by:
            higher.setdefault(reason.decided_by, []).append(reason.id)
    ranks = policy.role_ranks
    for decider, reasons in sorted(higher.items(), key=lambda kv: ranks.get(kv[0], 99)):
        roles.append(decider)
        steps.append(
            FlowStep("Decides these reasons", _lane(policy, decider), ", ".join(reasons), "decide")
        )
    blockers: list[FlowStep] = []
    for other in policy.rules:
        if isinstance(other, ProhibitionRule) and other.action == rule.action:
            effect = "refuses" if other.effect == "refuse" else "leaves it to a manager"
            blockers.append(FlowStep(f"{other.id}: {effect}", "", f"when {other.when}", "block"))
        elif isinstance(other, WarningRule) and other.action == rule.action:
            blockers.append(FlowStep(f"{other.id}: warns", "", f"when {other.when}", "warn"))
    return flow_svg(
        steps,
        _lanes(policy, roles),
        title=f"Who asks, who decides: {rule.title}",
        blockers=blockers,
    )


def consent_flow(policy: Policy, rule: ConsentRule) -> str:
    """A consent branch: what starts it and each step in order, in the lane of who does it."""
    roles: list[str | None] = [rule.owner]
    start = FlowStep(
        f"Consent {rule.branch.replace('_', ' ')}",
        _lane(policy, rule.owner),
        f"only when {rule.applies_when}" if rule.applies_when else "",
        "ask",
    )
    steps = [start]
    for step in rule.steps:
        role = step.owner or step.by or rule.owner
        roles.append(role)
        steps.append(FlowStep(step.title, _lane(policy, role), _step_detail(step)))
    return flow_svg(steps, _lanes(policy, roles), title=f"The steps in order: {rule.title}")


# --- timelines --------------------------------------------------------------------------------


def _deadline_row(deadline: Deadline) -> TimelineRow:
    label = deadline.title if not deadline.subject else f"{deadline.title} [{deadline.subject}]"
    return TimelineRow(
        label,
        deadline.start.date(),
        deadline.due_date,
        deadline.status,
        deadline.done.date() if deadline.done else None,
        deadline.skipped_days,
        deadline.computation,
    )


def referral_timeline_svg(policy: Policy, referral: datetime) -> str:
    """Every timescale ``referral`` starts (:func:`assess_rules.timing.timeline`) as a chart.

    >>> from assess_rules.calendar import LONDON
    >>> svg = referral_timeline_svg(
    ...     load_policy("generic_s17"), datetime(2026, 12, 18, 10, 0, tzinfo=LONDON))
    >>> "Referral received" in svg and "due Mon 21 Dec" in svg
    True
    """
    rows = [TimelineRow("Referral received", referral.date())]
    for entry in timeline(policy, referral):
        rows.append(
            TimelineRow(
                entry.title,
                referral.date(),
                entry.due.date(),
                "pending",
                skipped=entry.skipped,
                detail=entry.computation,
            )
        )
    version = policy.version_on(referral.date())
    return timeline_svg(rows, title=f"{version.info.title}: referral on {describe(referral)}")


@dataclass(frozen=True, slots=True)
class _Event:
    label: str
    at: datetime


def _events(record: BaseModel, prefix: str = "") -> Iterator[_Event]:
    """Every moment recorded on a snapshot, labelled by where it is: ``decision made at``."""
    for name in type(record).model_fields:
        value = getattr(record, name)
        field = name.removesuffix("_at").replace("_", " ")
        label = f"{prefix} {field}".strip() if field != "at" else prefix
        if isinstance(value, datetime):
            yield _Event(label, value)
        elif isinstance(value, BaseModel):
            yield from _events(value, label)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    kind = next(
                        (
                            str(getattr(item, k))
                            for k in ("event", "kind", "action", "reason")
                            if isinstance(getattr(item, k, None), str)
                        ),
                        "",
                    )
                    number = f" {i + 1}" if len(value) > 1 else ""
                    yield from _events(
                        item, f"{label}{number}" + (f" ({kind.replace('_', ' ')})" if kind else "")
                    )


def _scenario_rows(result: Result, events: list[_Event], referral: date) -> list[TimelineRow]:
    shown = [e for e in events if referral - timedelta(days=60) <= e.at.date()]
    rows = [TimelineRow(e.label, e.at.date()) for e in sorted(shown, key=lambda e: e.at)]
    rows += [_deadline_row(d) for d in sorted(result.deadlines, key=lambda d: d.due)]
    return rows


def scenario_timeline_svg(policy: Policy, scenario: Scenario) -> str:
    """A scenario's timeline: its events, each deadline with its due date and the days its
    count skipped, and the evaluation date. Raises :class:`CaseError` for an invalid case."""
    case = parse_case(scenario.case, vocabulary=policy.vocabulary)
    result = evaluate(policy, case, scenario.as_of)
    rows = _scenario_rows(result, list(_events(case)), case.referral.received_at.date())
    return timeline_svg(rows, title=scenario.name, today=scenario.as_of)


# --- pages ------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "page"


def _page(title: str, crumbs: list[tuple[str, str | None]], body: str) -> str:
    trail = " &rsaquo; ".join(
        f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)
        for text, href in crumbs
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header class="site"><div class="crumbs">{trail}</div></header>\n'
        f"<main>\n{body}\n</main>\n"
        "<footer>Generated by <code>assess-rules docs --html</code> from the policy packs; "
        "do not edit by hand.</footer>\n</body>\n</html>\n"
    )


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def _pack_body(policy: Policy, scenario_links: list[tuple[str, str]]) -> str:
    """The pack page's Markdown as HTML, each heading given an anchor, each action's and
    consent branch's flow placed under its heading, and a contents list at the top."""
    text = re.sub(r"^<!--.*?-->\n?", "", pack_markdown(policy), flags=re.MULTILINE)
    markdown = _markdown()
    tokens = markdown.parse(text)
    flows: dict[str, tuple[str, str]] = {}
    for rule in policy.rules:
        if isinstance(rule, CancellationRule):
            flows[rule.id] = (
                action_flow(policy, rule),
                "Who may ask, what is recorded first, "
                "who decides (lowest role at the top), and what blocks it.",
            )
        elif isinstance(rule, ConsentRule):
            flows[rule.id] = (consent_flow(policy, rule), "The steps of this branch in order.")
    rule_ids = {rule.id for rule in policy.rules}
    out: list[Any] = []
    contents: list[tuple[str, str]] = []
    used: set[str] = set()
    for i, token in enumerate(tokens):
        out.append(token)
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            children = tokens[i + 1].children or ()
            text = "".join(c.content for c in children)
            codes = [c.content for c in children if c.type == "code_inline"]
            # a rule's section is anchored by its id (packs/kent.html#cancellation)
            anchor = next((c for c in reversed(codes) if c in rule_ids), None) or _slug(text)
            while anchor in used:
                anchor += "-x"
            used.add(anchor)
            token.attrSet("id", anchor)
            if token.tag == "h2":
                contents.append((anchor, text))
        if token.type == "heading_close" and token.tag in ("h2", "h3"):
            codes = [c.content for c in tokens[i - 1].children or () if c.type == "code_inline"]
            for code in [c for c in reversed(codes) if c in rule_ids][:1]:
                if code in flows:
                    svg, caption = flows.pop(code)
                    figure = type(token)("html_block", "", 0)
                    figure.content = _figure(svg, caption) + "\n"
                    out.append(figure)
    # a rule id written in a table or a note links to the rule's own section, if it has one
    sections = used & rule_ids
    in_heading = False
    for token in out:
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        if token.type != "inline" or in_heading or not token.children:
            continue
        children = []
        for child in token.children:
            if child.type == "code_inline" and child.content in sections:
                link = type(child)("link_open", "a", 1)
                link.attrSet("href", f"#{child.content}")
                children += [link, child, type(child)("link_close", "a", -1)]
            else:
                children.append(child)
        token.children = children
    html = str(markdown.renderer.render(out, markdown.options, {}))
    head, sep, rest = html.partition("</h1>")
    toc = "".join(f'<li><a href="#{escape(a)}">{escape(t)}</a></li>' for a, t in contents)
    if scenario_links:
        toc += '<li><a href="#scenarios">Scenarios</a></li>'
    nav = f'<nav class="toc"><strong>On this page</strong><ul>{toc}</ul></nav>' if toc else ""
    scenarios = ""
    if scenario_links:
        items = "".join(
            f'<li><a href="{escape(href)}">{escape(name)}</a></li>' for href, name in scenario_links
        )
        scenarios = (
            '<h2 id="scenarios">Scenarios</h2>\n<p>Each scenario of '
            f"<code>{escape(policy.info.id)}.scenarios.yaml</code> with its timeline.</p>"
            f"\n<ol>{items}</ol>"
        )
    return head + sep + nav + rest + scenarios


def _scenario_body(policy: Policy, scenario: Scenario, pack_href: str) -> str:
    parts = [f"<h1>{escape(scenario.name)}</h1>"]
    parts.append(
        f'<p>Pack <a href="{escape(pack_href)}"><code>{escape(policy.info.id)}</code></a>; '
        f"evaluated as of {escape(describe(scenario.as_of))}; "
        f"from <code>{escape(Path(scenario.file).name)}</code>, line {scenario.line}.</p>"
    )
    if scenario.note:
        parts.append(f'<p class="note">{escape(" ".join(scenario.note.split()))}</p>')
    try:
        case = parse_case(scenario.case, vocabulary=policy.vocabulary)
    except CaseError as exc:
        parts.append(
            "<p>This scenario's case is refused as invalid, as it expects: "
            f"<code>{escape(str(exc))}</code></p>"
        )
        return "\n".join(parts)
    try:
        result = evaluate(policy, case, scenario.as_of)
    except AssessRulesError as exc:  # no version of the pack in force on its referral date
        parts.append(f"<p>The pack cannot evaluate this case: {escape(str(exc))}</p>")
        return "\n".join(parts)
    events = sorted(_events(case), key=lambda e: e.at)
    rows = _scenario_rows(result, events, case.referral.received_at.date())
    chart = timeline_svg(
        rows, title=f"Timeline as of {describe(scenario.as_of)}", today=scenario.as_of
    )
    parts.append(
        _figure(
            chart,
            "Events as dots; each duty a bar from its start to its due date, coloured by "
            "status; weekdays its count skipped in amber; the diamond is when it was done.",
        )
    )
    parts.append("<h2>Events</h2>")
    parts.append("<table><thead><tr><th>when</th><th>what</th></tr></thead><tbody>")
    parts += [
        f"<tr><td>{escape(describe(e.at))}</td><td>{escape(e.label)}</td></tr>" for e in events
    ]
    parts.append("</tbody></table>")
    parts.append("<h2>Deadlines</h2>")
    if result.deadlines:
        parts.append(
            "<table><thead><tr><th>rule</th><th>duty</th><th>due</th><th>status</th>"
            "<th>how it was counted</th><th>skipped</th></tr></thead><tbody>"
        )
        for d in sorted(result.deadlines, key=lambda d: d.due):
            due = describe(d.due) if d.unit == "hours" else describe(d.due_date)
            skipped = ", ".join(describe(day) for day in d.skipped_days) or "-"
            parts.append(
                f"<tr><td><code>{escape(d.rule)}</code></td><td>{escape(d.title)}"
                f"{escape(' [' + d.subject + ']' if d.subject else '')}</td>"
                f"<td>{escape(due)}</td>"
                f'<td><span class="pill {escape(d.status)}">{escape(d.status)}</span></td>'
                f"<td>{escape(d.computation)}</td><td>{escape(skipped)}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>No deadline applies to this case.</p>")
    parts.append("<h2>What the pack says</h2>")
    parts.append(_findings(result))
    return "\n".join(parts)


def _findings(result: Result) -> str:
    rows: list[tuple[str, str, str]] = []
    rows += [("violation", v.rule, v.message) for v in result.violations]
    rows += [("warning", w.rule, w.message) for w in result.warnings]
    rows += [("obligation", o.rule, o.title) for o in result.obligations]
    for action in result.permitted_actions:
        key = action.option or action.action
        subject = f" [{action.subject}]" if action.subject else ""
        rows.append(
            (action.status, key + subject, f"{action.label.rstrip('.')}: {'; '.join(action.why)}")
        )
    if not rows:
        return "<p>No finding.</p>"
    out = [
        "<table><thead><tr><th>finding</th><th>rule or option</th>"
        "<th>what, and why</th></tr></thead>"
    ]
    out.append("<tbody>")
    out += [
        f'<tr><td><span class="pill {escape(kind)}">{escape(kind)}</span></td>'
        f'<td class="key"><code>{escape(rule)}</code></td><td>{escape(what)}</td></tr>'
        for kind, rule, what in rows
    ]
    out.append("</tbody></table>")
    return "".join(out)


def _scenario_file(pack: str | Path) -> Path | None:
    """The scenario file kept beside a pack, if there is one."""
    text = str(pack)
    if text in bundled_policies():
        path = bundled_dir("policies") / f"{text}.scenarios.yaml"
    else:
        path = Path(text).with_name(Path(text).name.removesuffix(".yaml") + ".scenarios.yaml")
    return path if path.is_file() else None


def _versions(policy: Policy) -> str:
    spans = []
    for version in policy.versions or (policy,):
        start = version.info.effective_from
        end = version.info.effective_to
        span = f" (from {start}" + (f" to {end})" if end else ")") if start else ""
        spans.append(f"{version.info.version}{span}")
    return "; ".join(spans)


#: the file, in a site's folder, listing the pages the last build wrote (one path a line,
#: relative to the folder): a rebuild removes those it no longer writes, and nothing else
SITE_MANIFEST = ".assess-rules-site"


def build_site(
    out_dir: Path, packs: Sequence[str | Path] = (), *, search_path: SearchPath = None
) -> list[Path]:
    """Write the site for ``packs`` (bundled names or pack files; default every bundled
    pack) under ``out_dir``; return the files written, the index first. Names are looked
    for along ``search_path`` (see :func:`~assess_rules.load_policy`).

    Every pack and scenario file is loaded before anything is written, so one that does
    not load leaves ``out_dir`` as it was. The pages written are listed in
    ``out_dir/.assess-rules-site``; a later build into the same folder removes the pages
    it wrote before and no longer writes (a pack left out), and never any other file.

    Raises :class:`~assess_rules.errors.PolicyError` for a pack or scenario file that does
    not load; an invalid scenario case gets a page that says so.
    """
    chosen: list[str | Path] = list(packs) or list(bundled_policies())
    loaded: list[tuple[Policy, list[Scenario]]] = []
    seen: set[str] = set()
    for pack in chosen:
        policy = load_policy(pack, search_path=search_path)
        if policy.info.id in seen:
            continue
        seen.add(policy.info.id)
        scenario_file = _scenario_file(pack)
        scenarios = (
            [] if scenario_file is None else list(load_scenario_file(scenario_file).scenarios)
        )
        loaded.append((policy, scenarios))
    pages: dict[str, str] = {}  # relative path -> page, the pack pages first
    index_rows: list[str] = []
    for policy, scenarios in loaded:
        pack_id = policy.info.id
        scenario_links: list[tuple[str, str]] = []
        scenario_pages: dict[str, str] = {}
        for n, scenario in enumerate(scenarios, 1):
            name = f"{n:03d}-{_slug(scenario.name)}.html"
            scenario_pages[f"scenarios/{pack_id}/{name}"] = _page(
                scenario.name,
                [
                    ("Policy packs", "../../index.html"),
                    (pack_id, f"../../packs/{pack_id}.html"),
                    (scenario.name, None),
                ],
                _scenario_body(policy, scenario, f"../../packs/{pack_id}.html"),
            )
            scenario_links.append((f"../scenarios/{pack_id}/{name}", scenario.name))
        pages = {
            f"packs/{pack_id}.html": _page(
                policy.info.title,
                [("Policy packs", "../index.html"), (pack_id, None)],
                _pack_body(policy, scenario_links),
            ),
            **pages,
            **scenario_pages,
        }
        index_rows.append(
            f'<tr><td><a href="packs/{escape(pack_id)}.html">{escape(policy.info.title)}</a>'
            f"<br><code>{escape(pack_id)}</code></td><td>{escape(policy.info.authority)}</td>"
            f"<td>{escape(_versions(policy))}</td><td>{len(policy.rules)}</td>"
            f"<td>{len(scenario_links)}</td></tr>"
        )
    body = (
        "<h1>Policy packs</h1>\n<p>Each pack encodes a local authority's assessment protocol "
        "as rules: timescales, who may decide, what must be recorded. A pack's page shows its "
        "rules, tables, interpretation notes and approval flows; each scenario has a page with "
        "its timeline.</p>\n<table><thead><tr><th>pack</th><th>authority</th>"
        "<th>versions (in force)</th><th>rules</th><th>scenarios</th></tr></thead><tbody>"
        + "".join(index_rows)
        + "</tbody></table>"
    )
    pages = {"index.html": _page("Policy packs", [("Policy packs", None)], body), **pages}
    _remove_stale(out_dir, set(pages))
    for relative, page in pages.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    (out_dir / SITE_MANIFEST).write_text("".join(f"{r}\n" for r in pages), encoding="utf-8")
    return [out_dir / relative for relative in pages]


def _remove_stale(out_dir: Path, keep: set[str]) -> None:
    """Remove the pages the last build into ``out_dir`` listed and this one does not write
    (and the folders they leave empty); a line of the list that is not a page of the site's
    own shape is ignored, so no other file is ever removed."""
    try:
        listed = (out_dir / SITE_MANIFEST).read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    for relative in listed:
        parts = relative.split("/")
        ours = relative.endswith(".html") and ".." not in parts and not relative.startswith("/")
        if not ours or relative in keep or parts[0] not in {"index.html", "packs", "scenarios"}:
            continue
        page = out_dir / relative
        if page.is_file():
            page.unlink()
        for folder in list(page.parents)[: len(parts) - 1]:
            if folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
