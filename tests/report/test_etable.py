"""nqp.etable on models a user fits: the printed numbers equal pyfixest's estimates of the same
models (an independent implementation) at the printed precision."""

from __future__ import annotations

import pytest

import nqp
from nqp.econometrics.simulate import simulate_panel
from nqp.report.format import parse_number

from .readback import docx_rows, markdown_rows, xlsx_rows

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def fits():
    df, _ = simulate_panel(n_firms=150, seed=3, missing_share=0.0)
    f1, f2 = "y ~ x | firm + year", "y ~ x + c1 + c2 | firm + year"
    ours = [nqp.feols(f, df, cluster="industry") for f in (f1, f2)]
    theirs = [pf.feols(f, df, vcov={"CRV1": "industry"}) for f in (f1, f2)]
    return ours, theirs


def test_numbers_match_pyfixest(fits, tmp_path):
    ours, theirs = fits
    t = nqp.etable(ours, keep=["x", "c1"], stats=["adj_r2", "nobs"], title="表 测试")
    rows = markdown_rows(t.to_markdown())
    labels = [r[0] for r in rows]
    for j, ref in enumerate(theirs, start=1):
        coef, se = ref.coef(), ref.se()
        for term in ("x", "c1"):
            if term not in coef.index:
                continue
            i = labels.index(term)
            est, s = parse_number(rows[i][j]), parse_number(rows[i + 1][j])
            assert abs(est.value - coef[term]) <= est.tolerance + 1e-12
            assert abs(s.value - se[term]) <= s.tolerance + 1e-12
        assert rows[labels.index("N")][j] == str(ref._N)
    assert "c1" in labels and "c2" not in labels
    assert rows[0][1] == "被解释变量：y"


def test_formats_and_dict_input(fits, tmp_path, results):
    ours, _ = fits
    t = nqp.etable({"A": ours[0], "B": ours[1]}, controls=["c1", "c2"], se="t", lang="en",
                   notes="Simulated data.")
    md = t.to_markdown()
    assert "Controls" in md and "t statistics in parentheses" in md and "Simulated data." in md
    assert t.to_latex().count(r"\toprule[1.5pt]") == 1
    assert "<table" in t._repr_html_() and t.to_csv().splitlines()[0].startswith("Variable")
    t.to_docx(tmp_path / "t.docx")
    t.to_xlsx(tmp_path / "t.xlsx")
    rows = docx_rows(tmp_path / "t.docx")
    i = [r[0] for r in rows].index("x")
    assert rows[i + 1][1] == f"({ours[0].tstat['x']:.3f})"
    xrows, _ = xlsx_rows(tmp_path / "t.xlsx")
    assert [r[0] for r in xrows].index("x") == i
    # results.json model dicts give the same table as the fitted objects they came from
    m = [x for x in results["models"] if x["table"] == "3"]
    a = nqp.etable(m, keep=["lnAI"]).to_markdown()
    assert "0." in a and "lnAI" in a


def test_etable_bad_input():
    with pytest.raises(nqp.errors.ReportError):
        nqp.etable([])
    with pytest.raises(nqp.errors.ReportError, match="neither"):
        nqp.etable([object()])


def test_iv_diagnostics_rows_from_a_fitted_2sls():
    df, _ = simulate_panel(n_firms=150, seed=4, missing_share=0.0)
    iv = nqp.feols("y ~ x | firm + year | d ~ z1 + z2", df, cluster="industry")
    ref = pf.feols("y ~ x | firm + year | d ~ z1 + z2", df, vcov={"CRV1": "industry"})
    rows = markdown_rows(nqp.etable([iv]).to_markdown())
    labels = [r[0] for r in rows]
    i = labels.index("d")
    assert abs(parse_number(rows[i][1]).value - ref.coef()["d"]) <= 5e-4 + 1e-12
    diag = iv.iv_diagnostics
    assert rows[labels.index("Anderson canon. LM")][1] == f"{diag.anderson_lm:.3f}"
    assert rows[labels.index("Cragg-Donald Wald F")][1] == f"{diag.cragg_donald_f:.3f}"
    assert rows[labels.index("Kleibergen-Paap rk Wald F")][1] == f"{diag.kp_rk_wald_f:.3f}"  # clustered
