"""Patent stage on the synthetic IncoPat export (`nqp synth`) against its planted truth
(truth/patents.parquet: per record its firm, year, type and AI flag). The synthetic AI
definition (IPC main groups + keywords, truth/dictionaries.json) is passed as user files."""

import json

import pandas as pd
import pytest

from nqp.patents.classify import Classifier, load_keywords
from nqp.patents.ipc import load_ipc_definitions
from nqp.patents.match import FirmIndex
from nqp.patents.names import read_firm_names
from nqp.patents.stage import PatentContext, run_patents


def test_synthetic_patents_match_truth(tmp_path):
    gen = pytest.importorskip("nqp.synth.generate")
    root = tmp_path / "raw"
    gen.write_synthetic(root, scale=0.006, seed=7, pdf_reports=0, progress=False)
    d = json.loads((root / "truth" / "dictionaries.json").read_text("utf-8"))
    ipc = tmp_path / "ipc.toml"
    ipc.write_text('[[definition]]\nname = "synth"\nsource = "nqp synth truth"\nrules = '
                   + json.dumps(d["patent_ai_ipc_main_groups"]) + "\n", encoding="utf-8")
    kw = tmp_path / "kw.toml"
    kw.write_text('[keywords]\nsource = "nqp synth truth"\nzh = ' + json.dumps(d["patent_ai_keywords"],
                                                                             ensure_ascii=False) + "\n",
                  encoding="utf-8")
    clf = Classifier(tuple(load_ipc_definitions(ipc)), load_keywords(kw))
    ctx = PatentContext(clf, FirmIndex(read_firm_names(root / "patents" / "firm_names.csv")))
    res = run_patents(root / "patents", ctx, tmp_path / "p.parquet", workers=1, partition_size=2000)
    t = pd.read_parquet(root / "truth" / "patents.parquet")
    t = t[t["stkcd"].notna() & (t["stkcd"] != "")]
    exp = t.groupby(["stkcd", "year"]).agg(
        patents=("is_ai", "size"), ai_patents=("is_ai", "sum"),
        ai_invention=("is_ai", lambda s: int((s & (t.loc[s.index, "type"] == "发明")).sum())),
        ai_utility=("is_ai", lambda s: int((s & (t.loc[s.index, "type"] == "实用新型")).sum())),
    ).reset_index()
    got = res.counts[["stkcd", "year", "patents", "ai_patents", "ai_invention", "ai_utility"]]
    m = exp.merge(got, on=["stkcd", "year"], how="outer", suffixes=("_truth", ""), indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"].head()
    for c in ("patents", "ai_patents", "ai_invention", "ai_utility"):
        assert (m[c] == m[f"{c}_truth"]).all(), c
    assert res.counts["ai_patents"].sum() > 50
