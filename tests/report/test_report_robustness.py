"""report.html includes the robustness figures (nqp.report.figures_robustness) when results.json
has a "robustness" section; without one it has none."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from nqp.report import write_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def robustness() -> dict:
    sys.path.insert(0, str(ROOT))
    try:
        from tests.robustness.simdata import MODEL, sim_frame, sim_source, small_spec

        from nqp.robustness import RobustnessSpec, run_robustness
    except ImportError as e:  # pragma: no cover - the robustness part is another package
        pytest.skip(f"nqp.robustness not available: {e}")
    finally:
        sys.path.remove(str(ROOT))
    spec = RobustnessSpec.from_dict({**small_spec(fixed_effects=["firm+year"], cluster=["industry"],
                                                  sample=["baseline"], winsorize=[0.01], controls=["paper", "none"]),
                                     "draws": 20, "wild": {"reps": 19}, "leave_one_out": {"by": ["year"]}},
                                    min_draws=10)
    res = run_robustness(sim_source(sim_frame(seed=5, n_firms=60, n_years=6)), spec, **MODEL)
    return json.loads(json.dumps(res.to_dict()))


def test_robustness_figures_in_report(results, robustness, tmp_path):
    doc = dict(results, robustness=robustness)
    s = write_report(doc, tmp_path, formats=("md",))  # (the report's own figures too: one HTML page)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for name in ("robustness_curve", "robustness_placebo", "robustness_leave_one_out"):
        assert (tmp_path / "figures" / f"{name}.png").is_file()
        assert f'id="figure-{name}"' in html
    assert any(p.name == "robustness_curve.svg" for p in s.files)


def test_no_robustness_section_no_robustness_figures(report_dir):
    assert not list((report_dir / "figures").glob("robustness_*"))
