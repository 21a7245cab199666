"""``nqp.etable``: a publication table for any models a user fits (as esttab, fixest::etable,
modelsummary), with the Chinese-journal defaults of the study's tables.

>>> t = nqp.etable([m1, m2], keep=["lnAI"], controls=["Size", "Age"], title="表3 基准回归结果")
>>> t.to_docx("table3.docx"); print(t.to_markdown())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nqp.errors import ReportError
from nqp.report.build import regression_grid
from nqp.report.format import DEFAULT_STARS, NumberFormat
from nqp.report.labels import Labels, load_label_file
from nqp.report.models import model_dict
from nqp.report.table import Table


def etable(models: Sequence[Any] | Mapping[str, Any], *, keep: Sequence[str] | None = None,
           labels: Mapping[str, str] | str | Path | None = None, stats: Sequence[str] | None = None,
           lang: str = "zh", title: str | None = None, notes: str | Sequence[str] | None = None,
           decimals: int = 3, stars: Sequence[float] = DEFAULT_STARS, se: str = "se",
           controls: Sequence[str] | None = None, depvar: str | None = None,
           column_labels: Sequence[str] | None = None, column_groups: Sequence[Mapping] | None = None,
           dictionary: Sequence[Mapping] | None = None, tests: Mapping[str, Mapping] | None = None,
           test_ids: Sequence[str] | None = None) -> Table:
    """One table, a column per model.

    ``models``: fitted results (anything with ``tidy()``/``glance()``, e.g. ``nqp.feols``'s) or
    results.json model dicts; a mapping gives the column ids. ``keep``: the coefficient rows in
    order (default: every term but ``controls`` and the constant). ``controls``: collapsed into one
    ``控制变量 √`` row. ``stats``: rows below, from ``adj_r2, r2, r2_within, nobs, n_clusters, iv``
    (``iv`` = the IV diagnostics; default ``adj_r2, nobs``, for 2SLS models ``iv, nobs``).
    ``se="t"`` puts t statistics in parentheses. ``labels``: name -> row label, or a label file
    (TOML/CSV). ``depvar``: the header spanning the columns (default: the common outcome).
    """
    items = list(models.items()) if isinstance(models, Mapping) else [(f"m{j + 1}", m) for j, m in enumerate(models)]
    if not items:
        raise ReportError("etable needs at least one model")
    dicts = {mid: model_dict(m, mid) for mid, m in items}
    if column_labels is not None:
        if len(column_labels) != len(dicts):
            raise ReportError(f"column_labels has {len(column_labels)} entries for {len(dicts)} models")
        for d, lab in zip(dicts.values(), column_labels):
            d["label"] = str(lab)
    terms = {t for d in dicts.values() for t in (d.get("coefficients") or {})}
    known = terms | {str(d.get("outcome")) for d in dicts.values()} | {str(e.get("name")) for e in dictionary or []}
    known |= {f for d in dicts.values() for f in d.get("fixed_effects") or []}
    if isinstance(labels, (str, Path)):
        overrides = load_label_file(labels, known, lang)
    else:
        overrides = dict(labels or {})
    lab = Labels.from_results({"dictionary": list(dictionary or [])}, lang, overrides)
    outcomes = {str(d.get("outcome")) for d in dicts.values()}
    if depvar is None and len(outcomes) == 1 and column_labels is None:
        depvar = lab.var(outcomes.pop())
    iv = any(str(d.get("estimator")).upper() == "2SLS" for d in dicts.values())
    spec = {"id": "", "type": "iv" if iv else "regression", "columns": list(dicts), "keep": keep,
            "controls": list(controls or []), f"depvar_{lang}": depvar, "column_groups": list(column_groups or []),
            "tests": list(test_ids or [])}
    if isinstance(notes, str):
        spec[f"notes_{lang}"] = notes
    elif notes:
        spec[f"notes_{lang}"] = " ".join(notes)
    nf = NumberFormat(decimals=decimals, stars=tuple(stars), se=se)
    grid = regression_grid(spec, dicts, dict(tests or {}), lab, nf, stats=stats, title=title or "")
    return Table(grid)
