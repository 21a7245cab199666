"""Text measures on the synthetic corpus (`nqp synth`) against its planted truth
(truth/report_keywords.parquet: str.count of each term on the MD&A body and the whole report,
negations by clause, MD&A characters). The synthetic dictionaries are passed as user files.

TXT and PDF reports must both match the truth exactly: PDFium drops a text line identical to
the line just above it (its duplicate-text heuristic) and nqp.text drops lines near a page edge
on more than half of the pages (running headers), but the generator never repeats a sentence
within four lines nor at the page edges of two pages (docs/synthetic-data.md). 16 PDFs: before
the page-edge rule one of them (300956_2020, three pages) lost two lines to the header rule.
"""

import json

import pandas as pd
import pytest

from nqp.text.dictionary import load_dictionaries
from nqp.text.document import TextConfig
from nqp.text.measures import CountingOptions
from nqp.text.reports import scan_reports
from nqp.text.stage import run_text


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    gen = pytest.importorskip("nqp.synth.generate")
    root = tmp_path_factory.mktemp("synth") / "raw"
    gen.write_synthetic(root, scale=0.006, seed=7, pdf_reports=16, progress=False)
    words = json.loads((root / "truth" / "dictionaries.json").read_text("utf-8"))["reports"]
    files = []
    for name, scope in (("innovation", "section"), ("data_assets", "report"), ("ai", "report")):
        f = root.parent / f"{name}.txt"
        f.write_text(f"# name: {name}\n# source: nqp synth truth\n# scope: {scope}\n# match: independent\n"
                     + "\n".join(words[name]), encoding="utf-8")
        files.append(f)
    truth = pd.read_parquet(root / "truth" / "report_keywords.parquet")
    return root, load_dictionaries(files), words, truth


@pytest.mark.parametrize("negation", [False, True])
def test_synthetic_reports_match_truth(synth, tmp_path, negation):
    root, dicts, words, truth = synth
    reports, skipped = scan_reports(root / "reports")
    assert not skipped and len(reports) == len(truth)
    cfg = TextConfig(tuple(dicts), CountingOptions(negation=negation, negation_scope="clause"))
    rows = run_text(reports, cfg, tmp_path / "t.parquet", workers=2).rows
    m = rows.merge(truth, on=["stkcd", "year"], suffixes=("", "_truth"), validate="1:1")
    assert len(m) == len(truth) and (m["status"] == "ok").all()
    neg = (lambda w: m[f"mdna_neg:{w}"]) if negation else (lambda w: 0)
    exp = {"innovation_hits": sum(m[f"mdna:{w}"] - neg(w) for w in words["innovation"]),
           "section_chars": m["mdna_chars"]}
    if not negation:
        exp.update(innovation_chars=m["innov_kw_chars_mdna"], data_assets_hits=m["data_kw_count_full"],
                   ai_hits=m["ai_kw_count_full"])
    assert (m["section_heading"] == m["mdna_heading"]).all()
    txt = (m["format"] == "txt").to_numpy()
    assert txt.sum() > 20 and (~txt).sum() == 16
    for col, e in exp.items():
        got, e = m[col].to_numpy(dtype=float), e.to_numpy(dtype=float)
        assert (got[txt] == e[txt]).all(), col
        assert (got[~txt] == e[~txt]).all(), (col, got[~txt], e[~txt])  # PDFs too (see docstring)
