"""Applicants of each record → listed firms (stkcd), year by year, with an auditable report.

Joint applicants (``; ``-separated) are matched one by one; a record counts once for each
distinct firm among its applicants (two subsidiaries of one firm on one patent: once).
An applicant whose key is valid for several firms in the application year is ambiguous: it
is not counted and appears in the match report (see ``nqp.patents.names``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nqp.patents.classify import split_list
from nqp.patents.names import normalize_name

REPORT_COLUMNS = ["applicant", "key", "records", "matched", "ambiguous", "out_of_period", "candidates"]


class FirmIndex:
    """Name key → candidate firms with validity years (built from ``read_firm_names``)."""

    def __init__(self, names: pd.DataFrame) -> None:
        self.candidates: dict[str, list[tuple[str, str, int, int]]] = {}
        for s, k, kind, f, t in zip(names["stkcd"], names["key"], names["kind"], names["valid_from"], names["valid_to"]):
            lo = -1 if pd.isna(f) else int(f)
            hi = 99999 if pd.isna(t) else int(t)
            self.candidates.setdefault(k, []).append((s, kind, lo, hi))


def match_records(applicants: pa.Array, year: np.ndarray, index: FirmIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs: columns row, stkcd -- one per record and firm; report: one row per applicant name)."""
    lists = split_list(applicants, ("；",))
    flat = pc.utf8_trim_whitespace(lists.flatten())
    enc = flat.dictionary_encode()
    uniq = enc.dictionary.to_pylist()
    name_idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    counts = np.diff(lists.offsets.to_numpy())
    row = np.repeat(np.arange(len(lists), dtype=np.int64), counts)
    keys = [normalize_name(u) if u else "" for u in uniq]
    cand_rows = [(i, s, lo, hi) for i, k in enumerate(keys) if k for (s, _kind, lo, hi) in index.candidates.get(k, [])]
    cands = pd.DataFrame(cand_rows, columns=["name", "stkcd", "lo", "hi"])
    has = np.zeros(len(uniq), bool)
    if len(cands):
        has[cands["name"].unique()] = True
    sel = has[name_idx] if len(name_idx) else np.zeros(0, bool)
    pairs = pd.DataFrame({"row": row[sel], "name": name_idx[sel]})
    pairs["year"] = year[pairs["row"].to_numpy()]
    m = pairs.merge(cands, on="name")
    m = m[(m["year"] >= m["lo"]) & (m["year"] <= m["hi"])].drop_duplicates(["row", "name", "stkcd"])
    nfirms = m.groupby(["row", "name"])["stkcd"].transform("size")
    good = m[nfirms == 1]
    amb = m[nfirms > 1].drop_duplicates(["row", "name"])
    out = good[["row", "stkcd"]].drop_duplicates().reset_index(drop=True)

    n = len(uniq)
    records = np.bincount(name_idx, minlength=n)
    matched = np.bincount(good["name"].to_numpy(np.int64), minlength=n)
    ambiguous = np.bincount(amb["name"].to_numpy(np.int64), minlength=n)
    with_cands = np.bincount(pairs["name"].to_numpy(np.int64), minlength=n)
    covered = np.bincount(m.drop_duplicates(["row", "name"])["name"].to_numpy(np.int64), minlength=n)
    cand_str = [""] * n
    for i, grp in cands.groupby("name")["stkcd"]:
        cand_str[int(i)] = ",".join(sorted(set(grp)))
    report = pd.DataFrame({"applicant": uniq, "key": keys, "records": records, "matched": matched,
                           "ambiguous": ambiguous, "out_of_period": with_cands - covered, "candidates": cand_str})
    report = report[report["applicant"] != ""]
    return out, report


def merge_reports(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Sum partition reports by applicant and give each a status:
    matched | ambiguous | out_of_period (a listed firm's name, outside its valid years) | unmatched."""
    if not parts:
        return pd.DataFrame(columns=REPORT_COLUMNS + ["status"])
    df = pd.concat(parts, ignore_index=True)
    num = ["records", "matched", "ambiguous", "out_of_period"]
    df = df.groupby(["applicant", "key", "candidates"], as_index=False)[num].sum()
    df["status"] = np.select(
        [df["ambiguous"] > 0, df["matched"] > 0, df["candidates"] != ""],
        ["ambiguous", "matched", "out_of_period"], "unmatched")
    return df.sort_values(["status", "records", "applicant"], ascending=[True, False, True]).reset_index(drop=True)
