"""The panel files a referee reruns a model from: ``panel.parquet``, ``panel.csv``, ``panel.dta``.

All three hold the estimation sample (:attr:`Panel.frame`) with the keys ``stkcd``, ``year``,
``industry``, ``province`` (from the firm-year base table) and ``region``, then every variable
under the paper's names, NQP's dimension scores and the lag columns.

* ``panel.dta`` is Stata 118 (Stata 14 and later; UTF-8, so the Chinese variable labels of the
  data dictionary fit; a label is cut at Stata's 80 characters). Coded groups get value labels
  (``value_labels`` in ``variables.toml``: SOE, hightech, heavypollution, smartcity, ...); a
  text-valued group (``region``) is written as its codes (1 East, 2 Central, 3 West) with the
  labels. Stata names allow only letters, digits and ``_``: ``L.lnAI`` is written ``L_lnAI``,
  with the variable label ``L.lnAI``. ``panel_dta_names.csv`` lists every column with its
  Stata name and label. The file's time stamp is fixed (:data:`STATA_TIME_STAMP`), so its bytes
  depend only on the data.
* ``panel.csv`` is UTF-8 with a BOM (Excel shows the Chinese), text groups as text.
* ``panel.parquet`` keeps pandas' dtypes; ``note`` goes into its key-value metadata
  (``nqp_note``) and, cut at 80 characters, into the dta data label.

Every file is written atomically (:mod:`nqp.atomic`).
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from nqp.atomic import atomic_path, atomic_write_csv, atomic_write_parquet
from nqp.errors import ConfigError

#: The time stamp written into every panel.dta (Stata shows it as the file's date).
STATA_TIME_STAMP = _dt.datetime(2000, 1, 1)
KEYS = ("stkcd", "year", "industry", "province", "region")
_LABEL_MAX = 80
_KEY_LABELS = {"stkcd": "证券代码", "year": "会计年度", "province": "省份"}


def stata_name(column: str) -> str:
    """A legal Stata name for ``column``: letters, digits, ``_``; not starting with a digit; ≤ 32."""
    name = re.sub(r"\W", "_", column, flags=re.ASCII)
    if not name or name[0].isdigit():
        name = "_" + name
    return name[:32]


def export_frame(panel) -> pd.DataFrame:
    """The frame the panel files hold: the keys first (``province`` from the base table), then
    the rest of :attr:`Panel.frame` in its order. The panel is not modified."""
    frame = panel.frame
    if "province" not in frame.columns and "province" in panel.firm_years.columns:
        prov = panel.firm_years[["stkcd", "year", "province"]].drop_duplicates(["stkcd", "year"])
        frame = frame.merge(prov, on=["stkcd", "year"], how="left", validate="one_to_one")
    keys = [k for k in KEYS if k in frame.columns]
    return frame[keys + [c for c in frame.columns if c not in keys]].reset_index(drop=True)


def column_labels(panel, columns: list[str]) -> dict[str, str]:
    """Label of each column: the data dictionary's Chinese label (else English), dimension
    scores from the indicator system, lag columns their operator name (``L.lnAI``)."""
    d = panel.dictionary().set_index("name")
    lags = {g.name for g in panel.lags}
    dims = _dimension_labels(panel)
    out = {}
    for c in columns:
        if c in lags:
            out[c] = c
        elif c in d.index:
            out[c] = str(d.loc[c, "label_zh"] or d.loc[c, "label_en"] or c)
        elif c in dims:
            out[c] = dims[c]
        elif c in _KEY_LABELS:
            out[c] = _KEY_LABELS[c]
        else:
            out[c] = c
    return out


def _dimension_labels(panel) -> dict[str, str]:
    idx = next((v for v in panel.definitions.variables if v.kind == "index"), None)
    if idx is None:
        return {}
    from nqp.index import load_indicator_system
    try:
        _, _, labels = load_indicator_system()
    except Exception:  # a user's system without labels: the column names stay
        return {}
    return {f"{idx.name}_{k}": f"{idx.name}维度：{lab.zh or lab.en}" for k, lab in labels.items()
            if hasattr(lab, "zh")}


def value_labels(panel, frame: pd.DataFrame) -> dict[str, dict[int, str]]:
    """code -> label of every coded group column of ``frame`` (``value_labels`` in variables.toml);
    a text value without a declared code gets the next free code, in sorted order."""
    out: dict[str, dict[int, str]] = {}
    for v in panel.definitions.variables:
        if not v.value_labels or v.name not in frame.columns:
            continue
        labels = dict(v.value_labels)
        col = frame[v.name]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            known = set(labels.values())
            nxt = max(labels, default=0) + 1
            for val in sorted(str(x) for x in col.dropna().unique() if str(x) not in known):
                labels[nxt] = val
                nxt += 1
        out[v.name] = labels
    return out


def stata_frame(frame: pd.DataFrame, labels: dict[str, dict[int, str]]) -> pd.DataFrame:
    """``frame`` as written to Stata: text groups as their codes (float, missing stays missing),
    booleans as 0/1, names made legal (:func:`stata_name`)."""
    out = frame.copy()
    for c, lab in labels.items():
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.astype("int8")
        elif not pd.api.types.is_numeric_dtype(col):
            code = {text: k for k, text in lab.items()}
            out[c] = col.map(lambda x: code.get(str(x), np.nan) if pd.notna(x) else np.nan).astype(float)
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype("int8")
        elif out[c].dtype == object and out[c].map(lambda x: isinstance(x, bool) or pd.isna(x)).all():
            out[c] = out[c].map(lambda x: float(x) if pd.notna(x) else np.nan).astype(float)
    names = {c: stata_name(c) for c in out.columns}
    clash = [n for n in set(names.values()) if list(names.values()).count(n) > 1]
    if clash:
        same = sorted(c for c, n in names.items() if n in clash)
        raise ConfigError(f"columns {same} have the same Stata name {sorted(clash)[0]!r}; rename one",
                          variable=same[0])
    return out.rename(columns=names)


def write_panel_files(panel, out_dir: str | Path, *, note: str | None = None) -> dict[str, Path]:
    """Write ``panel.parquet``, ``panel.csv``, ``panel.dta`` and ``panel_dta_names.csv`` into
    ``out_dir`` (created if needed); returns file -> path. Same panel, same bytes."""
    out_dir = Path(out_dir)
    frame = export_frame(panel)
    labels = column_labels(panel, list(frame.columns))
    vlabels = value_labels(panel, frame)
    dta = stata_frame(frame, vlabels)
    names = {c: stata_name(c) for c in frame.columns}
    paths = {"panel.parquet": out_dir / "panel.parquet", "panel.csv": out_dir / "panel.csv",
             "panel.dta": out_dir / "panel.dta", "panel_dta_names.csv": out_dir / "panel_dta_names.csv"}
    atomic_write_parquet(frame, paths["panel.parquet"], {b"nqp_note": note.encode()} if note else None)
    atomic_write_csv(frame, paths["panel.csv"])
    with atomic_path(paths["panel.dta"]) as tmp:
        dta.to_stata(tmp, version=118, write_index=False, time_stamp=STATA_TIME_STAMP,
                     data_label=(note or "nqp firm-year panel")[:_LABEL_MAX],
                     variable_labels={names[c]: labels[c][:_LABEL_MAX] for c in frame.columns},
                     value_labels={names[c]: lab for c, lab in vlabels.items()})
    atomic_write_csv(pd.DataFrame({
        "name": list(frame.columns), "stata_name": [names[c] for c in frame.columns],
        "renamed": [names[c] != c for c in frame.columns], "label": [labels[c] for c in frame.columns],
        "value_labels": ["; ".join(f"{k} = {t}" for k, t in vlabels.get(c, {}).items()) for c in frame.columns],
    }), paths["panel_dta_names.csv"])
    return paths
