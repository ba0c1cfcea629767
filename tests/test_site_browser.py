"""The docs site in a real browser: headless Chromium renders a pack page to a screenshot
that is not blank. Runs only where Chromium is installed (docs/site.md); skipped otherwise."""

from __future__ import annotations

import importlib.util
import struct
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from assess_rules.site import build_site

SCRIPT = Path(__file__).parents[1] / "scripts" / "screenshot_site.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshot_site", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pixels(path: Path) -> list[bytes]:
    """The rows of an 8-bit RGB or RGBA PNG, unfiltered (PNG spec, section 9)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat = 8, b""
    width = height = channels = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw, stride, rows = zlib.decompress(idat), width * channels, []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 255
        rows.append(bytes(line))
        previous = line
    return rows


def test_a_pack_page_screenshot_is_not_blank(tmp_path: Path) -> None:
    script = _script()
    chromium = script.find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    build_site(tmp_path / "site", ["kent"])
    png = tmp_path / "kent.png"
    script.screenshot(chromium, tmp_path / "site" / "packs" / "kent.html", png, "800,600")
    rows = _pixels(png)
    assert len(rows) == 600
    channels = len(rows[0]) // 800

    def pixel(x: int, y: int) -> tuple[int, ...]:
        return tuple(rows[y][x * channels : x * channels + 3])

    # the header bar is the site's dark blue (#1d3c5a), the page below it light
    assert pixel(790, 5) == (0x1D, 0x3C, 0x5A)
    assert sum(pixel(790, 300)) > 600
    # and the page has text: many colours (anti-aliased glyphs), not a blank sheet
    colours = {pixel(x, y) for y in range(0, 600, 3) for x in range(0, 800, 3)}
    assert len(colours) > 50
