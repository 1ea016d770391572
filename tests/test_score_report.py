"""`score --report cohort.html`: a self-contained file whose charts render in Chromium.

The rendering test needs Debian's `chromium` (`.ci/run` installs it with apt when
run as root); without it the test skips and says so.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from dsm5check.cli import main

ITEMS = [f"pcl{n}" for n in range(1, 21)]
PREVALENCE_BLUE = (0x3B, 0x6E, 0xA5)  # bar colour of the prevalence chart (report.py)
MISSING_RED = (0xB5, 0x52, 0x3B)      # bar colour of the missingness chart
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  # any attempt to reach the network fails: the page must not need it
                  "--host-resolver-rules=MAP * ~NOTFOUND"]


def make_report(tmp_path: Path) -> Path:
    rng = random.Random(7)
    data = tmp_path / "cohort.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", *ITEMS])
        for n in range(300):
            level = rng.random() * 3.5
            row = [str(max(0, min(4, round(rng.gauss(level, 1.2))))) for _ in ITEMS]
            if n % 9 == 0:
                row[rng.randrange(20)] = ""
            w.writerow([n, *row])
    report = tmp_path / "cohort.html"
    code = main(["score", str(data), "--instrument", "pcl5", "--rules",
                 "dsm5-ptsd,subthreshold-ptsd", "--out", str(tmp_path / "rows.parquet"),
                 "--no-summary", "--report", str(report)])
    assert code == 0
    return report


def test_report_is_self_contained(tmp_path: Path) -> None:
    text = make_report(tmp_path).read_text()
    assert text.startswith("<!DOCTYPE html>")
    # no script or style fetched from anywhere: plotly.js is inlined
    assert not re.search(r"<script[^>]*\ssrc=", text)
    assert not re.search(r"<link[^>]*\shref=", text)
    assert text.count("Plotly.newPlot") == 4            # prevalence, agreement, items, missing
    for title in ("Prevalence per criteria set", "Agreement: dsm5-ptsd and subthreshold-ptsd",
                  "Item endorsement by cluster", "Missing answers by item"):
        assert title in text
    assert "research label, not a diagnosis" in text
    assert "Cohen&#x27;s kappa" in text or "Cohen's kappa" in text


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it"
                " with apt when run as root): the report rendering check needs it")


def _pixels(png: bytes) -> set[tuple[int, int, int]]:
    """The distinct RGB colours of an 8-bit RGB or RGBA PNG (enough for a screenshot)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    raw = zlib.decompress(chunks)
    bpp = 3 if ctype == 2 else 4
    stride = width * bpp
    prev = bytearray(stride)
    colours: set[tuple[int, int, int]] = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 2 == 0:
            colours.update(zip(line[0::bpp], line[1::bpp], line[2::bpp], strict=True))
        prev = line
    return colours


def test_report_charts_render_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    report = make_report(tmp_path)
    url = report.resolve().as_uri()
    dom = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-dom'}",
         "--virtual-time-budget=10000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # plotly replaces each chart's empty div by its SVG drawing
    assert dom.stdout.count('class="main-svg"') >= 4, "the charts were not drawn"
    for n in range(4):
        assert f'id="chart{n}"' in dom.stdout
    assert dom.stdout.count('class="point"') >= 2  # bars of the prevalence chart
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-shot'}",
         "--window-size=1200,3400", "--virtual-time-budget=10000",
         "--run-all-compositor-stages-before-draw", f"--screenshot={shot}", url],
        capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    colours = _pixels(shot.read_bytes())
    assert PREVALENCE_BLUE in colours, "no prevalence bar in the screenshot"
    assert MISSING_RED in colours, "no missingness bar in the screenshot"
    assert len(colours) > 50  # text, axes and charts, not a blank page
