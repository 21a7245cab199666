"""Applicants of each record → listed firms (stkcd), year by year, with an auditable report.

Joint applicants (``；``-separated) are matched one by one; a record counts once for each
distinct firm among its applicants (two subsidiaries of one firm on one patent: once).
An applicant whose key is valid for several firms in the application year is ambiguous: it
is not counted and appears in the match report (see ``nqp.patents.names``).

Speed: each *distinct* applicant name of a partition is normalised once and looked up in the
index once; the records take the result by index, and the candidate firms of every
(record, applicant) are expanded, filtered by year and counted with numpy (no per-row Python).
"""

from __future__ import annotations

import hashlib
from itertools import groupby

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nqp.patents.classify import split_list
from nqp.patents.names import normalize_name

REPORT_COLUMNS = ["applicant", "key", "records", "matched", "ambiguous", "out_of_period", "candidates"]
OPEN_FROM, OPEN_TO = -1, 99999  # the years an open validity bound stands for


def _years_or(values: pd.Series, default: int) -> np.ndarray:
    """Validity years as int64, ``default`` where the bound is open (NULL)."""
    return np.array([default if pd.isna(v) else int(v) for v in values], dtype=np.int64)


class FirmIndex:
    """Name key → candidate firms with validity years (built from ``read_firm_names``).

    The candidates are one table sorted by key: ``key_ids`` gives a key's position ``k``, its
    candidates are rows ``starts[k] : starts[k] + sizes[k]`` of ``stkcd`` (codes into
    ``stkcd_values``), ``valid_from`` and ``valid_to`` (open bounds as -1 / 99999);
    ``candidate_text[k]`` lists its distinct stock codes, sorted, comma-separated (the report's
    ``candidates``)."""

    def __init__(self, names: pd.DataFrame) -> None:
        keys = names["key"].to_numpy(dtype=object)
        key_codes, key_values = pd.factorize(keys)
        stk_codes, stk_values = pd.factorize(names["stkcd"].to_numpy(dtype=object))
        order = np.argsort(key_codes, kind="stable")
        self.key_ids: dict[str, int] = {k: i for i, k in enumerate(key_values.tolist())}
        self.stkcd_values: np.ndarray = np.asarray(stk_values, dtype=object)
        self.stkcd: np.ndarray = stk_codes[order].astype(np.int64)
        self.valid_from: np.ndarray = _years_or(names["valid_from"], OPEN_FROM)[order]
        self.valid_to: np.ndarray = _years_or(names["valid_to"], OPEN_TO)[order]
        self.sizes: np.ndarray = np.bincount(key_codes, minlength=len(key_values)).astype(np.int64)
        self.starts: np.ndarray = np.cumsum(self.sizes) - self.sizes
        pairs = sorted(set(zip(key_codes.tolist(), names["stkcd"].tolist())))
        self.candidate_text: list[str] = [""] * len(key_values)
        for k, grp in groupby(pairs, key=lambda p: p[0]):
            self.candidate_text[k] = ",".join(s for _, s in grp)
        self._kinds = names["kind"].to_numpy(dtype=object)[order]

    def fingerprint(self) -> str:
        """A digest of every candidate (key, firm, kind, validity), in index order: the same name
        table gives the same digest, another table (almost surely) another."""
        h = hashlib.sha256()
        for texts in (list(self.key_ids), self.stkcd_values.tolist(), self._kinds.tolist()):
            h.update("\x1f".join(map(str, texts)).encode() + b"\x1e")
        for numbers in (self.sizes, self.stkcd, self.valid_from, self.valid_to):
            h.update(np.ascontiguousarray(numbers, dtype=np.int64).tobytes())
        return h.hexdigest()


def _distinct_rows(*cols: np.ndarray) -> np.ndarray:
    """Positions of the distinct tuples of non-negative integer ``cols`` (the first of each),
    sorted by the tuples. One int64 key per tuple when the ranges fit, else a lexsort."""
    if not len(cols[0]):
        return np.zeros(0, dtype=np.int64)
    sizes = [int(c.max()) + 1 for c in cols]
    if float(np.prod([float(x) for x in sizes])) < 2.0**62:
        key = np.zeros(len(cols[0]), dtype=np.int64)
        for c, size in zip(cols, sizes):
            key = key * size + c
        return np.unique(key, return_index=True)[1]
    order = np.lexsort(cols[::-1])
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.logical_or.reduce([c[order][1:] != c[order][:-1] for c in cols])
    return order[first]


def match_records(applicants: pa.Array, year: np.ndarray, index: FirmIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs: columns row, stkcd -- one per record and firm; report: one row per applicant name).

    Report counts per applicant name: ``records`` (its mentions), ``matched`` (mentions whose
    key is valid for exactly one firm in the record's year), ``ambiguous`` (valid for several),
    ``out_of_period`` (mentions of an indexed key minus the distinct (record, name) valid for
    some firm -- a name listed twice in one record counts twice in the first term, once in the
    second) and ``candidates`` (every firm of the key, whatever the year)."""
    lists = split_list(applicants, ("；",))
    flat = pc.utf8_trim_whitespace(lists.flatten())
    enc = flat.dictionary_encode()
    uniq = enc.dictionary.to_pylist()
    name_idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    counts = np.diff(lists.offsets.to_numpy())
    row = np.repeat(np.arange(len(lists), dtype=np.int64), counts)
    keys = [normalize_name(u) if u else "" for u in uniq]
    key_of_name = np.array([index.key_ids.get(k, -1) if k else -1 for k in keys], dtype=np.int64)
    n = len(uniq)

    mention_key = key_of_name[name_idx] if len(name_idx) else np.zeros(0, np.int64)
    indexed = np.flatnonzero(mention_key >= 0)  # mentions of a key with candidates
    k = mention_key[indexed]
    per = index.sizes[k]
    first = np.repeat(index.starts[k] - (np.cumsum(per) - per), per)
    cand = first + np.arange(int(per.sum()), dtype=np.int64)  # each mention × each candidate of its key
    m_row, m_name = np.repeat(row[indexed], per), np.repeat(name_idx[indexed], per)
    m_year = year[m_row].astype(np.int64)
    valid = (m_year >= index.valid_from[cand]) & (m_year <= index.valid_to[cand])
    m_row, m_name, m_stk = m_row[valid], m_name[valid], index.stkcd[cand[valid]]
    keep = _distinct_rows(m_row, m_name, m_stk)  # sorted by (row, name, stkcd)
    m_row, m_name, m_stk = m_row[keep], m_name[keep], m_stk[keep]
    new_mention = np.ones(len(m_row), dtype=bool)
    new_mention[1:] = (m_row[1:] != m_row[:-1]) | (m_name[1:] != m_name[:-1])
    mention_id = np.cumsum(new_mention) - 1
    firms = np.bincount(mention_id)[mention_id] if len(mention_id) else np.zeros(0, np.int64)
    good = firms == 1
    out_at = _distinct_rows(m_row[good], m_stk[good])
    out = pd.DataFrame({"row": m_row[good][out_at], "stkcd": index.stkcd_values[m_stk[good][out_at]]})

    records = np.bincount(name_idx, minlength=n)
    matched = np.bincount(m_name[good], minlength=n)
    ambiguous = np.bincount(m_name[new_mention & ~good], minlength=n)
    covered = np.bincount(m_name[new_mention], minlength=n)
    with_cands = np.bincount(name_idx[indexed], minlength=n)
    cand_str = [index.candidate_text[i] if i >= 0 else "" for i in key_of_name.tolist()]
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
