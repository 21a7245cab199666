"""Every number of every table, in every format, equals results.json at the printed precision.

The expected value is looked up in results.json (by the path each cell records) and the
printed text is read back from the written file with python-docx, openpyxl, an HTML parser,
and plain Markdown/CSV splitting; stars are recomputed here from the p-values."""

from __future__ import annotations

import math

import pytest

from nqp.report.build import regression_grid
from nqp.report.format import NumberFormat, parse_number
from nqp.report.labels import Labels
from nqp.report.write import build_grids, file_stem

from .readback import csv_rows, docx_rows, html_tables, markdown_rows, resolve, xlsx_rows

STARS = (0.10, 0.05, 0.01)


def _grids(results):
    grids, _ = build_grids(results, Labels.from_results(results, "zh"), NumberFormat())
    return grids


def _p_of(results, source):
    """The p-value behind a starred cell: the coefficient's p, or the test's p_value."""
    if source[0] == "tests":
        return resolve(results, source[:2])["p_value"]
    return resolve(results, source[:-1])["p"]


def _check(text: object, expected: float, kind: str, p: float | None, where: str) -> None:
    if isinstance(text, (int, float)):  # an XLSX numeric cell: compared at full precision
        assert math.isclose(float(text), float(expected), rel_tol=1e-9, abs_tol=1e-9), where
        return
    parsed = parse_number(str(text))
    assert parsed is not None, f"{where}: {text!r} is not a number"
    if parsed.below:  # "<0.001"
        assert expected < parsed.value, where
        return
    assert abs(parsed.value - float(expected)) <= parsed.tolerance * (1 + 1e-9) + 1e-15, \
        f"{where}: printed {text!r}, results.json {expected!r}"
    if expected != 0:
        assert parsed.value != 0, f"{where}: non-zero {expected!r} printed as {text!r}"
    if kind == "coef":
        assert parsed.stars == sum(p < t for t in STARS), f"{where}: stars of p={p} in {text!r}"


def _sweep(results, grid, rows, fmt):
    n = 0
    for i, j, cell in grid.numbers():
        expected = resolve(results, cell.source)
        p = _p_of(results, cell.source) if cell.kind == "coef" else None
        _check(rows[i][j], expected, cell.kind, p, f"{fmt} table {grid.id} row {i} col {j}")
        n += 1
    return n


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html", "md", "csv"])
def test_every_number_reads_back(results, report_dir, fmt):
    total = 0
    for grid in _grids(results):
        path = report_dir / "tables" / f"{file_stem(grid)}.{fmt}"
        if fmt == "docx":
            rows = docx_rows(path)
        elif fmt == "xlsx":
            rows, _ = xlsx_rows(path)
        elif fmt == "html":
            rows = html_tables(path.read_text(encoding="utf-8"))[grid.id]
        elif fmt == "md":
            rows = markdown_rows(path.read_text(encoding="utf-8"))
        else:
            rows = csv_rows(path.read_bytes().decode("utf-8"))[1:]  # first line: the title
        assert len(rows) >= len(grid.rows), f"{fmt} table {grid.id}: {len(rows)} rows"
        total += _sweep(results, grid, rows, fmt)
    assert total > 150  # the sweep saw the tables' numbers, not an empty list


def test_every_coefficient_is_printed(results, report_dir):
    """Independent of the grid: each kept coefficient of each column is in that DOCX column."""
    models = {m["id"]: m for m in results["models"]}
    for t in results["tables"]:
        rows = docx_rows(report_dir / "tables" / f"table{t['id']}.docx")
        labels = [r[0] for r in rows]
        for j, mid in enumerate(t["columns"], start=1):
            for term, c in models[mid]["coefficients"].items():
                if term not in (t["keep"] or []) or ":" in term:
                    continue
                i = labels.index(term)
                est, se = parse_number(rows[i][j]), parse_number(rows[i + 1][j])
                assert rows[i + 1][j].startswith("("), (t["id"], mid, term)
                assert abs(est.value - c["estimate"]) <= max(0.0005, est.tolerance) + 1e-12, (t["id"], mid, term)
                assert abs(se.value - c["se"]) <= max(0.0005, se.tolerance) + 1e-12, (t["id"], mid, term)
                assert est.value != 0 and se.value != 0


def test_table3_as_the_paper_prints_it(results, report_dir):
    rows = docx_rows(report_dir / "tables" / "table3.docx")
    assert rows[0][0] == "变量" and rows[0][1] == "被解释变量：企业新质生产力（NQP）"
    assert rows[1][1:] == ["(1)", "(2)", "(3)"]
    labels = [r[0] for r in rows]
    for word in ("年份固定效应", "企业固定效应", "常数项", "调整R²", "N"):
        assert word in labels
    fe = rows[labels.index("企业固定效应")]
    assert fe[1:] == ["√", "√", ""]  # column 3 is pooled OLS
    m2 = next(m for m in results["models"] if m["id"] == "t3_2")
    assert rows[labels.index("N")][2] == str(m2["nobs"])
    assert rows[labels.index("调整R²")][2] == f"{m2['adj_r2']:.3f}"


def test_moderation_shares_one_interaction_row_and_never_prints_zero(results, report_dir):
    rows = docx_rows(report_dir / "tables" / "table7.docx")
    labels = [r[0] for r in rows]
    assert labels.count("lnAI×调节变量") == 1
    i = labels.index("lnAI×调节变量")
    m = next(m for m in results["models"] if m["id"] == "t7_irobot")
    est, se = m["coefficients"]["lnAI:irobot"]["estimate"], m["coefficients"]["lnAI:irobot"]["se"]
    assert abs(est) < 5e-4 and abs(se) < 5e-4  # would print as 0.000 (0.000) at 3 decimals
    top, bottom = rows[i][1], rows[i + 1][1]
    assert parse_number(top).value != 0 and parse_number(bottom).value != 0
    assert math.isclose(parse_number(top).value, est, rel_tol=0.05)
    assert math.isclose(parse_number(bottom).value, se, rel_tol=0.05)
    fin = next(m for m in results["models"] if m["id"] == "t7_fin")
    assert parse_number(rows[i][2]).value == pytest.approx(fin["coefficients"]["lnAI:finratio"]["estimate"], abs=5e-4)


def test_iv_and_heterogeneity_rows(results, report_dir):
    rows = docx_rows(report_dir / "tables" / "table5.docx")
    assert rows[1][1:] == ["第一阶段", "第二阶段", "第一阶段", "第二阶段"]
    labels = [r[0] for r in rows]
    iv = next(m for m in results["models"] if m["id"] == "t5_us")["iv_diagnostics"]
    assert rows[labels.index("Anderson canon. LM")][4] == f"{iv['anderson_lm']:.3f}"
    assert rows[labels.index("Cragg-Donald Wald F")][4] == f"{iv['cragg_donald_f']:.3f}"
    assert rows[labels.index("Kleibergen-Paap rk Wald F")][4] == f"{iv['kp_rk_f']:.3f}"  # clustered
    rows = docx_rows(report_dir / "tables" / "table6.docx")
    labels = [r[0] for r in rows]
    test = results["tests"][0]
    diff = rows[labels.index("组间差异")]
    assert diff[1] == diff[2]  # spans the two groups
    assert parse_number(diff[1]).value == pytest.approx(test["difference"], abs=5e-4)
    assert rows[labels.index("P 值")][1] == f"{test['p_value']:.3f}"


def test_t_statistics_in_parentheses(results):
    models = {m["id"]: m for m in results["models"]}
    tests = {t["id"]: t for t in results["tests"]}
    table = next(t for t in results["tables"] if t["id"] == "3")
    g = regression_grid(table, models, tests, Labels.from_results(results), NumberFormat(se="t"))
    i = [r.cells[0].text for r in g.rows].index("lnAI")
    assert g.rows[i + 1].cells[2].text == f"({models['t3_2']['coefficients']['lnAI']['t']:.3f})"
    assert "t 值" in g.notes[0]


def test_english_labels(results, tmp_path):
    from nqp.report import write_report

    write_report(results, tmp_path, lang="en", formats=("md",), figures=False, html=False)
    md = (tmp_path / "tables" / "table3.md").read_text(encoding="utf-8")
    assert "Table 3: Baseline regressions" in md
    assert "Dependent variable: New quality productive forces (NQP)" in md
    assert "Year FE" in md and "Firm FE" in md and "Adjusted R²" in md
    t2 = (tmp_path / "tables" / "table2.md").read_text(encoding="utf-8")
    assert "ln(1 + AI patent applications)" in t2 and "人工智能" not in t2
