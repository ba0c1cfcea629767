"""Build the docs site and screenshot three of its pages in headless Chromium.

    .venv/bin/python scripts/screenshot_site.py [--out docs/images] [--chromium PATH]

Writes ``site-index.png``, ``site-pack-kent.png`` and ``site-scenario.png`` (the first Kent
scenario) under ``--out``. Needs Chromium (Debian: ``apt-get install chromium``); the site
itself does not (``assess-rules docs --html DIR``). See docs/site.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from assess_rules.site import build_site

ROOT = Path(__file__).resolve().parents[1]
#: the heading of Kent's cancellation rule, where its approval flow is drawn
FLOW_ANCHOR = "cancellation"

#: flags that work on a machine without a display, a GPU or a network
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """The Chromium (or Chrome) on the PATH, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def from_section(page: Path, anchor: str) -> Path:
    """A copy of ``page`` beside it that starts at the heading ``id=anchor`` (headless
    Chromium's ``--screenshot`` does not scroll to a ``#fragment``)."""
    html = page.read_text(encoding="utf-8")
    head, _, _ = html.partition("<main>")
    _, mark, rest = html.partition(f'<h2 id="{anchor}">')
    if not mark:
        raise RuntimeError(f"no section {anchor!r} in {page}")
    copy = page.with_name(f"{page.stem}-from-{anchor}.html")
    copy.write_text(f"{head}<main>{mark}{rest}", encoding="utf-8")
    return copy


def screenshot(chromium: str, page: Path, png: Path, size: str = "1280,2000") -> None:
    """Screenshot ``page`` (a local file) into ``png`` at ``size`` (width,height)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={size}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    if not png.is_file():
        raise RuntimeError(f"Chromium wrote no screenshot of {page}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--chromium", default=None, help="the browser (default: on the PATH)")
    args = parser.parse_args(argv)
    chromium = args.chromium or find_chromium()
    if chromium is None:
        print("no Chromium found: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as site:
        pages = build_site(Path(site))
        scenario = min(p for p in pages if p.parent.name == "kent" and "scenarios" in p.parts)
        kent = Path(site) / "packs" / "kent.html"
        for page, name, size in (
            (Path(site) / "index.html", "site-index.png", "1280,800"),
            (kent, "site-pack-kent.png", "1280,2000"),
            (from_section(kent, FLOW_ANCHOR), "site-pack-kent-flow.png", "1280,1600"),
            (scenario, "site-scenario.png", "1280,2000"),
        ):
            screenshot(chromium, page, args.out / name, size)
            print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
