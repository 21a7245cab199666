"""report.html in headless Chromium (Debian's ``chromium``; skipped, with the reason, where it
is not installed): no console message, a screenshot that is not blank, every table and figure
in the DOM, the synthetic banner in every section, nothing fetched from outside the page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (Debian package `chromium`; "
                                                        "scripts/system-packages.sh installs it)")
_CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? (.*)")


def _chromium(page: Path, *args: str, tmp: Path) -> tuple[str, list[str]]:
    """(stdout, console messages) of one headless run on ``page``."""
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr",
           "--v=0", f"--user-data-dir={tmp / 'profile'}", *args, page.resolve().as_uri()]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    console = [m.group(1) for line in p.stderr.splitlines() if (m := _CONSOLE.search(line))]
    return p.stdout, console


def test_detector_sees_console_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>console.error("boom"); notDefined();</script></body></html>')
    _, console = _chromium(bad, "--dump-dom", tmp=tmp_path)
    assert any("boom" in c for c in console) and any("notDefined" in c for c in console)


def test_report_opens_without_console_errors(report_dir, results, tmp_path):
    page = report_dir / "report.html"
    dom, console = _chromium(page, "--dump-dom", tmp=tmp_path)
    assert console == []
    for t in ["sample_construction", "1", "2", *[t["id"] for t in results["tables"]]]:
        assert f'id="table-{t}"' in dom, t
    for f in ("figure2", "entropy_weights", "table6_coefficients", "table7_marginal_effects"):
        assert f'id="figure-{f}"' in dom, f
    sections = dom.count("<section")
    assert sections > 10 and dom.count('class="banner"') == sections  # a banner on every view
    assert 'id="synthetic-banner"' in dom
    html = page.read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert refs and all(r.startswith(("data:", "#")) for r in refs)  # self-contained


def test_screenshot_is_not_blank(report_dir, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    _chromium(report_dir / "report.html", f"--screenshot={shot}", "--window-size=1280,1600", tmp=tmp_path)
    img = np.asarray(Image.open(shot).convert("RGB"))
    assert img.shape[0] >= 1000 and img.shape[1] >= 1200
    dark = (img.mean(axis=2) < 128).mean()
    assert 0.005 < dark < 0.5  # text drawn, not an empty or black page
    banner = img[:30].reshape(-1, 3).mean(axis=0)  # the sticky banner's yellow at the top
    assert banner[2] < banner[0] - 20
