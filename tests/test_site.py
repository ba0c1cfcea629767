"""The static docs site (``assess-rules docs --html``) and the SVG charts (docs/site.md)."""

from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from assess_rules import bundled_policies, load_policy
from assess_rules.calendar import LONDON
from assess_rules.cli import run
from assess_rules.pack import CancellationRule
from assess_rules.scenarios import load_scenario_file
from assess_rules.site import action_flow, build_site, referral_timeline_svg
from assess_rules.svg import FlowStep, TimelineRow, flow_svg, timeline_svg

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "packs" / "northshire.yaml"
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "wbr", "source"}


class _Page(HTMLParser):
    """One page's links, ids and tags; raises on a closing tag that closes nothing open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "href" and value is not None:
                self.hrefs.append(value)
            if name == "src":
                self.hrefs.append(value or "")
            if name == "id" and value:
                self.ids.add(value)
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)  # <rect .../> in inline SVG: opens nothing

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open[-1] == tag, f"</{tag}> closes <{self.open[-1]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.open == [], f"{path}: unclosed {page.open}"
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("site")
    return out, build_site(out, [*bundled_policies(), str(EXAMPLE)])


def test_the_site_has_an_index_a_page_per_pack_and_one_per_scenario(
    site: tuple[Path, list[Path]],
) -> None:
    out, pages = site
    assert pages[0] == out / "index.html"
    assert len(set(pages)) == len(pages)
    for name in [*bundled_policies(), "northshire"]:
        assert (out / "packs" / f"{name}.html").is_file()
    scenario_files = [ROOT / "policies" / f"{n}.scenarios.yaml" for n in bundled_policies()]
    scenario_files.append(EXAMPLE.with_name("northshire.scenarios.yaml"))
    for file in scenario_files:
        pack = file.name.removesuffix(".scenarios.yaml")
        expected = len(load_scenario_file(file).scenarios)
        assert len(list((out / "scenarios" / pack).glob("*.html"))) == expected, pack
    assert set(out.rglob("*.html")) == set(pages)


def test_every_page_parses_and_every_link_resolves_to_a_generated_page(
    site: tuple[Path, list[Path]],
) -> None:
    out, pages = site
    parsed = {page: _parse(page) for page in pages}
    for page, html in parsed.items():
        assert {"html", "head", "body", "main", "title"} <= html.tags, page
        for href in html.hrefs:
            parts = urlsplit(href)
            assert not parts.scheme, f"{page}: outside link {href}"
            assert not parts.netloc, f"{page}: outside link {href}"
            target = (page.parent / parts.path).resolve() if parts.path else page
            assert target in parsed, f"{page}: {href} goes nowhere"
            if parts.fragment:
                assert parts.fragment in parsed[target].ids, f"{page}: no #{parts.fragment}"
    # every pack and every scenario is reachable from the index
    reachable, todo = set(), [out / "index.html"]
    while todo:
        page = todo.pop()
        if page in reachable:
            continue
        reachable.add(page)
        todo += [
            (page.parent / urlsplit(h).path).resolve()
            for h in parsed[page].hrefs
            if urlsplit(h).path
        ]
    assert reachable == set(parsed)


def test_pages_need_nothing_from_outside(site: tuple[Path, list[Path]]) -> None:
    for page in site[1]:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html, page
        assert "<link" not in html, page
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), page
        assert "<style>" in html


def test_every_svg_is_well_formed_xml(site: tuple[Path, list[Path]]) -> None:
    count = 0
    for page in site[1]:
        for svg in re.findall(r"<svg\b.*?</svg>", page.read_text(encoding="utf-8"), re.S):
            root = ET.fromstring(svg)
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            count += 1
    # a flow per action and consent branch of the packs, a timeline per valid scenario
    assert count > 300


def test_the_kent_page_draws_who_asks_who_decides_and_what_blocks(
    site: tuple[Path, list[Path]],
) -> None:
    out, _ = site
    html = (out / "packs" / "kent.html").read_text(encoding="utf-8")
    # the rule's id, where the readings-changed table names it, links to its section
    readings = html.split('<h2 id="readings-changed">', 1)[1].split("<h2", 1)[0]
    assert '<a href="#cancellation"><code>cancellation</code></a>' in readings
    # the flow sits in the cancellation rule's section, which its id anchors
    section = html.split('<h2 id="cancellation">', 1)[1].split("<h2", 1)[0]
    svg = ET.fromstring(re.search(r"<svg\b.*?</svg>", section, re.S).group(0))  # type: ignore[union-attr]
    words = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "Asks (recommends)" in words
    # the lanes, lowest role first: KENT-AUTH-1, recommended by a team manager and decided
    # by a service manager
    assert words.index("Team Manager") < words.index("Service Manager")
    # the prohibitions from generic_s17's GEN-S47-1 and Kent's warning stand against it
    tips = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("no-consent-cancellation-while-harm-suspected: refuses") for t in tips)
    assert any(t.startswith("seen-with-consent: warns") for t in tips)


def test_a_scenario_page_shows_its_events_and_due_dates(site: tuple[Path, list[Path]]) -> None:
    out, _ = site
    first = sorted((out / "scenarios" / "kent").glob("*.html"))[0]
    text = " ".join(_parse(first).text)
    # Kent's base case: referral Tue 1 Dec 2026 10:00; the 45 working days end Fri 5 Feb
    # 2027 skipping 25 and 28 Dec and 1 Jan (kent.scenarios.yaml's header works them out)
    assert "Tue 01 Dec 2026 10:00" in text
    assert "referral received" in text
    assert "Fri 05 Feb 2027" in text
    assert "Fri 25 Dec 2026, Mon 28 Dec 2026, Fri 01 Jan 2027" in text


def test_pack_text_cannot_inject_html(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    for file in EXAMPLE.parent.glob("northshire*.yaml"):
        shutil.copy(file, tmp_path / file.name)
    pack = tmp_path / "northshire.yaml"
    text = pack.read_text(encoding="utf-8")
    text = text.replace(
        "title: Northshire children's services assessment protocol (example)",
        f"title: '{hostile} [click](javascript:alert(3))'",
        1,
    )
    text = text.replace("  description: >-\n", f"  description: >-\n    {hostile}\n", 1)
    pack.write_text(text, encoding="utf-8")
    scenarios = tmp_path / "northshire.scenarios.yaml"
    scenario_text = scenarios.read_text(encoding="utf-8")
    scenario_text = re.sub(r"- name: .*", f"- name: '{hostile}'", scenario_text, count=1)
    scenarios.write_text(scenario_text, encoding="utf-8")
    assert hostile in load_policy(pack).info.title
    pages = build_site(tmp_path / "site", [str(pack)])
    joined = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "<script" not in joined
    assert "<img" not in joined
    assert "javascript:" not in joined.replace("[click](javascript:", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined
    for page in pages:
        _parse(page)
        for svg in re.findall(r"<svg\b.*?</svg>", page.read_text(encoding="utf-8"), re.S):
            ET.fromstring(svg)


def test_svg_text_is_escaped() -> None:
    row = TimelineRow('<b>"x" & y</b>', date(2026, 12, 1), date(2026, 12, 3))
    svg = timeline_svg([row], title="<title>")
    ET.fromstring(svg)
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg
    flow = flow_svg([FlowStep("<i>ask</i>", "<lane>")], ["<lane>"], title="a & b")
    ET.fromstring(flow)
    assert "<i>" not in flow
    assert "&lt;lane&gt;" in flow


def test_a_timeline_marks_each_skipped_holiday() -> None:
    # Thu 24 Dec 2026 is day 0; Fri 25 (Christmas) and Mon 28 Dec (Boxing Day substitute)
    # are skipped; Tue 29 Dec is the first working day after it
    row = TimelineRow(
        "decision",
        date(2026, 12, 24),
        date(2026, 12, 29),
        "pending",
        skipped=(date(2026, 12, 25), date(2026, 12, 28)),
    )
    svg = ET.fromstring(timeline_svg([row], title="t"))
    tips = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert "Fri 25 Dec 2026: skipped (not a working day)" in tips
    assert "Mon 28 Dec 2026: skipped (not a working day)" in tips
    labels = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "due Tue 29 Dec" in labels


def test_a_reason_decided_higher_up_gets_its_own_level_after_the_first() -> None:
    policy = load_policy("kent")
    rule = policy.rule("cancellation")
    assert isinstance(rule, CancellationRule)
    first = rule.reasons[0].model_copy(update={"decided_by": "head_of_service"})
    rule = rule.model_copy(update={"reasons": (first, *rule.reasons[1:])})
    svg = ET.fromstring(action_flow(policy, rule))
    words = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert words[0].startswith("Who asks, who decides")
    # lanes lowest first; the service manager decides, then the head of service decides the
    # reason that names them
    assert words.index("Team Manager") < words.index("Service Manager")
    assert words.index("Service Manager") < words.index("Head of Service")
    assert words.index("Decides: allows or refuses") < words.index("Decides these reasons")
    tips = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert f"Decides these reasons: {first.id}" in tips


def test_timeline_svg_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "timeline.svg"
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(
        [
            "timeline",
            "--policy",
            "generic_s17",
            "--referral",
            "2026-12-18T10:00",
            "--svg",
            str(out),
        ],
        stdout,
        stderr,
    )
    assert code == 0, stderr.getvalue()
    assert "due Mon 21 Dec 2026" in stdout.getvalue()  # the table is still printed
    svg = ET.fromstring(out.read_text(encoding="utf-8"))
    labels = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    # Fri 18 Dec is day 0: 1 working day is Mon 21 Dec; 45 working days, skipping 25 and
    # 28 Dec and 1 Jan: Dec 21-24 (4), 29-31 (7), Jan 4-29 (27), Feb 1-19 (42), 22-24 (45)
    assert "due Mon 21 Dec" in labels
    assert "due Wed 24 Feb" in labels
    assert "Referral received" in labels
    assert referral_timeline_svg(
        load_policy("generic_s17"), datetime(2026, 12, 18, 10, tzinfo=LONDON)
    ) == out.read_text(encoding="utf-8")


def test_docs_html_from_the_command_line(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(["docs", "--html", str(tmp_path / "site"), "generic_s17"], stdout, stderr)
    assert code == 0, stderr.getvalue()
    assert (tmp_path / "site" / "packs" / "generic_s17.html").is_file()
    assert "index.html" in stdout.getvalue()


def test_docs_html_with_a_bad_pack_is_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: {id: bad}\n", encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run(["docs", "--html", str(tmp_path / "site"), str(bad)], stdout, stderr) == 2
    assert "bad.yaml" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()


def test_docs_markdown_still_takes_one_pack() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run(["docs", "kent"], stdout, stderr) == 0
    assert stdout.getvalue().startswith("# Kent")
    assert run(["docs", "kent", "generic_s17"], io.StringIO(), stderr) == 2


def test_a_pack_outside_the_project_gets_its_pages_and_a_case_it_cannot_judge_says_so(
    tmp_path: Path,
) -> None:
    (tmp_path / "mini.yaml").write_text(
        "pack: {id: mini, title: Mini, authority: Nowhere, version: '1.0.0',\n"
        "       effective_from: 2020-01-01, extends: generic_s17}\n",
        encoding="utf-8",
    )
    (tmp_path / "mini.scenarios.yaml").write_text(
        "pack: mini.yaml\nscenarios:\n"
        "  - name: Before the pack\n    as_of: 2010-01-05\n"
        "    case: {case_id: A, referral: {received_at: 2010-01-04T10:00}}\n    expect: {}\n",
        encoding="utf-8",
    )
    pages = build_site(tmp_path / "site", [str(tmp_path / "mini.yaml")])
    assert [p.relative_to(tmp_path / "site").as_posix() for p in pages] == [
        "index.html",
        "packs/mini.html",
        "scenarios/mini/001-before-the-pack.html",
    ]
    text = " ".join(_parse(pages[2]).text)
    assert "The pack cannot evaluate this case: no version of pack 'mini' is in force" in text
