"""``write_report``: every table in every format, the figures and ``report.html`` from results.json.

Everything is rendered in memory first; then the output folders are checked (created, and a
probe file written and removed) and each file is written atomically (:mod:`nqp.atomic`). A
bad results document or an unwritable folder raises :class:`nqp.errors.ReportError` naming
the table, key or folder before any file is written.

Layout of ``out_dir``::

    tables/<table>.<ext>   table1 ... table8, sample_construction; ext in md, tex, html, csv, docx, xlsx
    tables/tables.xlsx     one workbook, a sheet per table   (tables/tables.docx: one document)
    figures/<name>.png|svg figure2, entropy_weights, table6_coefficients, table7_marginal_effects, ...
    report.html            the whole run on one self-contained page
"""

from __future__ import annotations

import json
import time
import uuid
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nqp.atomic import atomic_write_bytes
from nqp.errors import ReportError
from nqp.report.build import regression_grid
from nqp.report.build_descriptive import dictionary_grid, sample_grid, table1_grid, table2_grid
from nqp.report.format import DEFAULT_STARS, NumberFormat
from nqp.report.grid import Grid
from nqp.report.labels import Labels, load_label_file
from nqp.report.render import FORMATS, renderer


@dataclass(frozen=True)
class ReportSummary:
    """What :func:`write_report` wrote (paths, in writing order) and how long each part took
    (seconds; returned, never written into a data file)."""

    out_dir: Path
    files: list[Path]
    timings: dict[str, float]
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        t = ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items())
        return f"report: {len(self.files)} files in {self.out_dir} ({t})"


def load_results(results: Mapping | str | Path) -> dict[str, Any]:
    """A results document from a dict or a results.json path, checked for the parts the report reads."""
    if isinstance(results, (str, Path)):
        path = Path(results)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ReportError("results file not found", file=str(path)) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ReportError(f"cannot read results JSON: {e}", file=str(path)) from None
    else:
        doc = dict(results)
    if not isinstance(doc, dict):
        raise ReportError("results must be a JSON object")
    for key in ("tables", "models"):
        if not isinstance(doc.get(key, []), list):
            raise ReportError(f"results.{key} must be a list", table=key)
    ids: dict[str, int] = {}
    for i, m in enumerate(doc.get("models") or []):
        if not isinstance(m, Mapping) or "id" not in m:
            raise ReportError(f"results.models[{i}] has no 'id'", table="models", row=i)
        if m["id"] in ids:
            raise ReportError(f"model id {m['id']!r} appears twice (entries {ids[m['id']]} and {i})",
                              table="models", variable=str(m["id"]))
        ids[m["id"]] = i
    for i, t in enumerate(doc.get("tables") or []):
        if not isinstance(t, Mapping) or "id" not in t:
            raise ReportError(f"results.tables[{i}] has no 'id'", table="tables", row=i)
    return doc


def known_names(results: Mapping) -> set[str]:
    """Every variable a label file may name: dictionary entries, model terms, outcomes, FE."""
    names = {str(d.get("name")) for d in results.get("dictionary") or [] if isinstance(d, Mapping)}
    for m in results.get("models") or []:
        names |= set((m.get("coefficients") or {}).keys())
        names |= {str(m.get("outcome"))} | set(m.get("fixed_effects") or [])
        c = m.get("cluster")
        names |= set(c) if isinstance(c, list) else ({c} if c else set())
    names |= {str(r.get("name")) for r in results.get("table2") or [] if isinstance(r, Mapping)}
    return names - {"None"}


def file_stem(grid: Grid) -> str:
    return f"table{grid.id}" if grid.id[:1].isdigit() else grid.id


def build_grids(results: Mapping, labels: Labels, nf: NumberFormat) -> tuple[list[Grid], Grid | None]:
    """(tables in report order: sample construction, Table 1, Table 2, Tables 3-8; dictionary)."""
    synthetic = bool(results.get("synthetic"))
    grids: list[Grid] = []
    if results.get("sample_construction"):
        grids.append(sample_grid(results, labels, synthetic))
    if (results.get("index") or {}).get("table1") or results.get("index_weights"):
        grids.append(table1_grid(results, labels, nf, synthetic))
    if results.get("table2"):
        grids.append(table2_grid(results, labels, nf, synthetic))
    models = {m["id"]: m for m in results.get("models") or []}
    tests = {t["id"]: t for t in results.get("tests") or [] if isinstance(t, Mapping) and "id" in t}
    for t in results.get("tables") or []:
        grids.append(regression_grid(t, models, tests, labels, nf, synthetic=synthetic))
    dictionary = dictionary_grid(results, labels, synthetic) if results.get("dictionary") else None
    return grids, dictionary


def _robustness_makers(results: Mapping, lang: str) -> dict[str, Any]:
    """name -> figure maker of :func:`nqp.report.figures_robustness.robustness_figures` for the
    ``robustness`` section of results.json (empty when there is none)."""
    rob = results.get("robustness")
    if not rob:
        return {}
    from nqp.report.figures_robustness import robustness_figures

    return dict(robustness_figures(rob, lang=lang))


def _figure_files(kind: str, name: str, doc: Mapping, lab: Labels, lang: str) -> tuple[str, bytes, bytes] | None:
    """(caption, PNG, SVG) of one figure of the report (None when the results lack its data);
    a job of its own so that figures can be drawn on several processes."""
    from nqp.report import figures as F

    makers = F.figure_makers(doc, lab) if kind == "main" else _robustness_makers(doc, lang)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", UserWarning)  # missing glyphs: reported once by figure_warnings
        fig = F.make(makers[name])
        if fig is None:
            return None
        png, svg = F.render_png_svg(fig)
    return F.caption(fig, name), png, svg


def _check_writable(folders: Sequence[Path]) -> None:
    for d in folders:
        try:
            d.mkdir(parents=True, exist_ok=True)
            probe = d / f".nqp-write-test-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise ReportError(f"cannot write the output folder: {e.strerror or e}", file=str(d)) from None


def render_report(results: Mapping | str | Path, *, lang: str = "zh", formats: Sequence[str] = FORMATS,
                  labels: Mapping[str, str] | str | Path | None = None, decimals: int = 3,
                  stars: Sequence[float] = DEFAULT_STARS, se: str = "se", figures: bool = True,
                  html: bool = True, workers: int = 1) -> tuple[dict[str, bytes], dict[str, float], list[str]]:
    """Everything the report writes, in memory: relative path -> bytes, timings, warnings.
    ``workers``: processes drawing the figures (same bytes with any number)."""
    from nqp.report import figures as F
    from nqp.report.html_report import report_html

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"unknown format(s) {unknown}; known: {list(FORMATS)}", variable=unknown[0])
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    doc = load_results(results)
    if isinstance(labels, (str, Path)):
        overrides = load_label_file(labels, known_names(doc), lang)
    else:
        overrides = dict(labels or {})
        bad = sorted(k for k in overrides if k not in known_names(doc))
        if bad:
            raise ReportError(f"labels name unknown variable(s) {bad}", variable=bad[0])
    lab = Labels.from_results(doc, lang, overrides)
    nf = NumberFormat(decimals=decimals, stars=tuple(stars), se=se)
    from nqp.jobs.background import BackgroundJobs

    warnings: list[str] = []
    names: list[tuple[str, str]] = []
    if figures:
        F.load_matplotlib()
        warnings += F.figure_warnings()
        names = [("main", n) for n in F.figure_makers(doc, lab)] + [("robustness", n) for n in _robustness_makers(doc, lang)]
    jobs = BackgroundJobs(min(workers, len(names)))
    for kind, name in names:  # started first: the workers draw while this process renders the tables
        jobs.submit(_figure_files, kind, name, doc, lab, lang)
    try:
        grids, dictionary = build_grids(doc, lab, nf)
        files: dict[str, bytes] = {}
        for ext in formats:
            render = renderer(ext)
            for g in grids:
                files[f"tables/{file_stem(g)}.{ext}"] = render([g])
        if "xlsx" in formats and grids:
            files["tables/tables.xlsx"] = renderer("xlsx")(grids)
        if "docx" in formats and grids:
            files["tables/tables.docx"] = renderer("docx")(grids)
    except BaseException:
        jobs.close()
        raise
    timings["tables"] = time.perf_counter() - t0  # with starting the figure workers

    pngs: list[tuple[str, str, bytes]] = []
    rob_pngs: list[tuple[str, str, bytes]] = []
    if figures:
        t1 = time.perf_counter()
        for (kind, name), made in zip(names, jobs.results()):
            if made is None:
                continue
            caption, png, svg = made
            files[f"figures/{name}.svg"] = svg
            files[f"figures/{name}.png"] = png
            (pngs if kind == "main" else rob_pngs).append((name, caption, png))
        timings["figures"] = time.perf_counter() - t1  # waited for after the tables
    if html:
        t2 = time.perf_counter()
        sample = next((g for g in grids if g.id == "sample_construction"), None)
        tables = [g for g in grids if g.id != "sample_construction"]
        page = report_html(doc, lab, sample=sample, dictionary=dictionary, tables=tables, figures=pngs,
                           robustness=rob_pngs, warnings=warnings)
        files["report.html"] = page.encode("utf-8")
        timings["html"] = time.perf_counter() - t2
    return files, timings, warnings


def write_report(results: Mapping | str | Path, out_dir: str | Path, *, lang: str = "zh",
                 formats: tuple[str, ...] = FORMATS, labels: Mapping[str, str] | str | Path | None = None,
                 decimals: int = 3, stars: Sequence[float] = DEFAULT_STARS, se: str = "se",
                 figures: bool = True, html: bool = True, workers: int = 1) -> ReportSummary:
    """Write the tables (every format), figures and report.html of a run into ``out_dir``.

    ``results``: the results.json document (dict) or its path. ``lang``: ``"zh"`` (default) or
    ``"en"`` (English labels from the data dictionary). ``labels``: a label file (TOML/CSV,
    name -> label) or a dict overriding labels; an unknown name is an error. ``decimals``,
    ``stars`` (p thresholds, default 0.10/0.05/0.01) and ``se`` (``"se"`` or ``"t"`` in
    parentheses) set how numbers print.
    """
    files, timings, warnings = render_report(results, lang=lang, formats=formats, labels=labels,
                                             decimals=decimals, stars=stars, se=se, figures=figures, html=html,
                                             workers=workers)
    out = Path(out_dir)
    t3 = time.perf_counter()
    folders = sorted({out / Path(rel).parent for rel in files})
    _check_writable(folders or [out])
    written = []
    for rel, data in files.items():
        path = out / rel
        try:
            atomic_write_bytes(path, data)
        except OSError as e:
            raise ReportError(f"cannot write {rel}: {e.strerror or e}", file=str(path)) from None
        written.append(path)
    timings["write"] = time.perf_counter() - t3
    timings["total"] = sum(v for k, v in timings.items() if k != "total")
    return ReportSummary(out, written, timings, warnings)


__all__ = ["ReportSummary", "write_report", "render_report", "load_results"]
