"""Which annual reports to process: file names → (stock code, fiscal year), one file per firm-year.

Accepted names (case-insensitive extension .pdf or .txt):
- ``<stkcd>_<year>.pdf`` (the nqp layout, see ``nqp/ingest/mapping/README.md``);
- CNINFO downloads ``<stkcd>_<year>_<name>_<title>_<YYYY-MM-DD>.pdf``, e.g.
  ``000001_2015_平安银行_2015年年度报告_2016-03-10.pdf``;
- ``<stkcd>_<name>_<year>年年度报告.pdf`` (year taken from the title).

Several files for one firm-year (摘要, 英文版, 更正后, 已取消): summaries, English versions and
cancelled filings are skipped; of the rest a corrected version (更正后/修订/更新后) wins, then
the latest filing date, then the last name. Every file not chosen is listed with the reason.
An index CSV (columns ``stkcd, year, file``) may name the files instead of a folder scan.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from nqp.errors import SchemaError
from nqp.files import files_under

_PLAIN = re.compile(r"^(\d{6})[_-](\d{4})$")
_CNINFO = re.compile(r"^(\d{6})[_-](\d{4})[_-](.*)$")
_TITLE_YEAR = re.compile(r"^(\d{6})[_-](.*?)(\d{4})\s*年?\s*(?:年度报告|年报)(.*)$")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_SKIP_WORDS = (("摘要", "summary"), ("英文", "english"), ("english", "english"), ("已取消", "cancelled"),
               ("取消", "cancelled"), ("半年度", "not_annual"), ("季度", "not_annual"))
_PREFER_WORDS = ("更正后", "修订", "更新后", "修正")


@dataclass(frozen=True)
class ReportFile:
    stkcd: str
    year: int
    path: str
    title: str = ""

    @property
    def doc_id(self) -> str:
        return f"{self.stkcd}_{self.year}"


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def _name_parts(path: str) -> tuple[str, str]:
    """(stem, suffix) of a path's last part, as ``Path.stem`` and ``Path.suffix`` give them (a
    name's only dot, leading or trailing, starts no suffix), without building a Path."""
    name = os.path.basename(path)
    i = name.rfind(".")
    if 0 < i < len(name) - 1:
        return name[:i], name[i:]
    return name, ""


def parse_name(path: str | Path) -> ReportFile | None:
    """(stkcd, year, title) from a report's file name, or None if it is not a report name."""
    path = os.fspath(path)
    stem, suffix = _name_parts(path)
    if suffix.lower() not in (".pdf", ".txt"):
        return None
    stem = stem.strip()
    m = _PLAIN.match(stem)
    if m:
        return ReportFile(m.group(1), int(m.group(2)), path)
    m = _CNINFO.match(stem)
    if m:
        return ReportFile(m.group(1), int(m.group(2)), path, m.group(3))
    m = _TITLE_YEAR.match(stem)
    if m:
        return ReportFile(m.group(1), int(m.group(3)), path, stem[7:])
    return None


def _skip_reason(title: str) -> str | None:
    low = title.lower()
    for word, reason in _SKIP_WORDS:
        if word in low:
            return reason
    return None


def _rank(r: ReportFile) -> tuple:
    dates = _DATE.findall(r.title)
    return (any(w in r.title for w in _PREFER_WORDS), max(dates) if dates else "", Path(r.path).name)


def choose(candidates: list[ReportFile]) -> tuple[list[ReportFile], list[Skipped]]:
    """One file per (stkcd, year); the others with the reason they were not used."""
    groups: dict[tuple[str, int], list[ReportFile]] = {}
    skipped: list[Skipped] = []
    for r in candidates:
        why = _skip_reason(r.title)
        if why:
            skipped.append(Skipped(r.path, why))
        else:
            groups.setdefault((r.stkcd, r.year), []).append(r)
    chosen = []
    for key in sorted(groups):
        rs = groups[key] if len(groups[key]) == 1 else sorted(groups[key], key=_rank)
        chosen.append(rs[-1])
        skipped += [Skipped(r.path, f"duplicate of {Path(rs[-1].path).name}") for r in rs[:-1]]
    return chosen, skipped


def scan_reports(folder: str | Path) -> tuple[list[ReportFile], list[Skipped]]:
    """Reports in ``folder`` (recursively), chosen one per firm-year, sorted by (stkcd, year)."""
    top = str(Path(folder)) + os.sep
    # a report's path as str(Path(top + rel)) gives it (rel has no "." or ".." parts): "./x" is "x"
    report_top = "" if top == "." + os.sep else top
    cands, skipped = [], []
    for rel in files_under(Path(folder)):
        path = top + rel.replace("/", os.sep)
        if os.path.basename(path).startswith("."):
            continue
        r = parse_name(report_top + rel.replace("/", os.sep))
        if r is None:
            skipped.append(Skipped(path, "unrecognised file name"))
        else:
            cands.append(r)
    chosen, more = choose(cands)
    return chosen, skipped + more


def read_index(index: str | Path, folder: str | Path) -> list[ReportFile]:
    """Reports listed in an index CSV (``stkcd, year, file``; ``file`` relative to ``folder``).
    Files that do not exist are kept: processing reports them as ``missing``."""
    import pandas as pd

    df = pd.read_csv(index, dtype=str, keep_default_na=False)
    for col in ("stkcd", "year", "file"):
        if col not in df.columns:
            raise SchemaError("index CSV lacks a column", file=str(index), column=col)
    out = []
    for i, (s, y, f) in enumerate(zip(df["stkcd"], df["year"], df["file"]), start=2):
        if not s.strip().isdigit() or not y.strip().isdigit():
            raise SchemaError(f"bad stock code {s!r} or year {y!r}", file=str(index), row=i)
        out.append(ReportFile(s.strip().zfill(6), int(y), str(Path(folder) / f.strip())))
    return sorted(out, key=lambda r: (r.stkcd, r.year))
