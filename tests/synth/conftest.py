"""Session fixtures: one small synthetic data set (layout, determinism, truth checks) and one
at scale 0.2 (calibration of the Table 2 moments, planted effects)."""

from __future__ import annotations

import pytest

from nqp.synth import write_synthetic

SMALL_SCALE = 0.05
CALIB_SCALE = 0.2


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_small")
    summary = write_synthetic(out, scale=SMALL_SCALE, progress=False)
    return out, summary


@pytest.fixture(scope="session")
def calib(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_calib")
    summary = write_synthetic(out, scale=CALIB_SCALE, pdf_reports=0, progress=False)
    return out, summary


@pytest.fixture(scope="session")
def calib_panel(calib):
    from rawpanel import build

    return build(calib[0])
