"""One annual report → one output row (measures, section found, character counts, status).

Never raises for a bad document: failures come back as rows with ``status = "failed"`` and a
``reason`` code (see ``nqp.text.extract``), so a run lists them and goes on.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from nqp.text.clean import clean_pages
from nqp.text.counting import KeywordCounter
from nqp.text.dictionary import Dictionary
from nqp.text.extract import Limits, read_pages, reason_of
from nqp.text.measures import CountingOptions, build_counters, text_measures
from nqp.text.reports import ReportFile
from nqp.text.sections import find_section


@dataclass(frozen=True)
class TextConfig:
    """Everything that decides a report's row; its ``fingerprint`` keys the checkpoints."""

    dictionaries: tuple[Dictionary, ...]
    counting: CountingOptions = field(default_factory=CountingOptions)
    limits: Limits = field(default_factory=Limits)

    def fingerprint(self) -> str:
        import hashlib

        h = hashlib.sha256(repr((self.dictionaries, self.counting, self.limits)).encode())
        return h.hexdigest()[:16]


_COUNTERS: dict[str, dict[str, KeywordCounter]] = {}
_LAST: list[tuple[TextConfig, dict[str, KeywordCounter]]] = []  # the last config seen and its counters


def _counters(cfg: TextConfig) -> dict[str, KeywordCounter]:
    if _LAST and _LAST[0][0] is cfg:  # a worker gets one config object: skip the fingerprint
        return _LAST[0][1]
    key = cfg.fingerprint()
    if key not in _COUNTERS:  # built once per process, reused for every report
        _COUNTERS[key] = build_counters(list(cfg.dictionaries), cfg.counting)
    _LAST[:] = [(cfg, _COUNTERS[key])]
    return _COUNTERS[key]


def base_row(rep: ReportFile) -> dict[str, object]:
    """The identifying columns of a report's row: stkcd, year, file name and format (pdf/txt)."""
    name = os.path.basename(rep.path)
    return {
        "stkcd": rep.stkcd,
        "year": rep.year,
        "file": name,
        "format": os.path.splitext(name)[1].lower().lstrip("."),
    }


def failed_row(rep: ReportFile, reason: str, message: str, seconds: float = 0.0) -> dict[str, object]:
    row = base_row(rep)
    row.update(status="failed", reason=reason, message=message[:500], seconds=seconds)
    return row


def process_report(rep: ReportFile, cfg: TextConfig) -> dict[str, object]:
    """Extract, clean, locate the section, count: the output row of one report."""
    t0 = time.perf_counter()
    try:
        pages = read_pages(rep.path, cfg.limits)
        clean = clean_pages(pages)
        if not clean.paragraphs:
            return failed_row(rep, "no_prose", "no text left after removing headers, page numbers and tables",
                              time.perf_counter() - t0)
        section = find_section(clean.paragraphs)
        row = base_row(rep)
        row["pages"] = len(pages)
        row.update(text_measures(clean.paragraphs, section, list(cfg.dictionaries), _counters(cfg), cfg.counting))
        row["table_chars"] = clean.table_chars
        row["header_lines_removed"] = clean.header_lines
        row.update(status="ok", reason="" if section.found else "section_not_found", message="")
    except MemoryError:
        return failed_row(rep, "memory", "out of memory", time.perf_counter() - t0)
    except Exception as exc:  # any document problem becomes a failure row, never a crash
        return failed_row(rep, reason_of(exc), getattr(exc, "message", str(exc)), time.perf_counter() - t0)
    row["seconds"] = time.perf_counter() - t0
    return row
