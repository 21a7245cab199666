"""Matching patent applicants (申请人) to listed firms: name normalisation and the name index.

Normalisation (both sides): NFKC (full-width letters, digits and brackets → half-width), lower
case, all whitespace removed, bracket kinds unified to "()", then company-form suffixes removed
repeatedly (股份有限公司, 有限责任公司, 有限公司, 股份公司, 公司, co.,ltd., inc., corp., ...).
"中国平安保险（集团）股份有限公司" and "中国平安保险(集团)股份有限公司 " become the same key.

The index maps a key to the firms that carried the name, with the kind of name (current,
former, subsidiary) and the years it was valid (``valid_from``..``valid_to``, open if empty).
A patent's applicant matches a firm if the key is in the index and the application year is
within the name's validity; a key valid for two firms in that year is *ambiguous* and not
counted (it is listed in the match report).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from nqp.errors import SchemaError

_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")", "【": "(", "】": ")", "〔": "(", "〕": ")",
                           "〖": "(", "〗": ")", "<": "(", ">": ")", "《": "(", "》": ")"})
_ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "股份公司", "有限公司", "公司")
_COMMON_END = "公司"  # the end of every _ZH_SUFFIXES form
# English company forms, only as whole words (so "cisco" keeps its "co")
_EN_SUFFIX = re.compile(r"(?:^|(?<=[\s,.]))(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc)\.?$")
_TRAIL = " ,.;、，。"
KINDS = ("current", "former", "subsidiary")


@lru_cache(maxsize=1 << 18)
def normalize_name(name: str) -> str:
    """The matching key of a company name (see the module docstring). Memoised: the firm names
    and the applicants of every partition share most names, each is normalised once."""
    s = unicodedata.normalize("NFKC", str(name)).lower().translate(_BRACKETS).strip()
    while True:  # English forms first: they need the spaces between words
        t = s.rstrip(_TRAIL)
        if t[-1:].isascii():  # an English form ends in an ASCII letter or "." (or, for "$", a newline)
            t = _EN_SUFFIX.sub("", t).rstrip(_TRAIL)
        if t == s or not t:
            break
        s = t
    s = "".join(s.split())
    changed = True
    while changed and s:
        changed = False
        s = s.rstrip(_TRAIL)
        if not s.endswith(_COMMON_END):  # every Chinese form ends so
            break
        for suf in _ZH_SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                s = s[: -len(suf)]
                changed = True
                break
    return s


@dataclass(frozen=True)
class NameEntry:
    stkcd: str
    name: str
    kind: str
    valid_from: int | None
    valid_to: int | None


def read_firm_names(path: str | Path) -> pd.DataFrame:
    """The firm-name table (``stkcd, name, kind, valid_from, valid_to``) with a ``key`` column.
    Raises SchemaError naming the file, column and row for a missing column or a bad value."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in ("stkcd", "name"):
        if col not in df.columns:
            raise SchemaError("firm-name file lacks a column", file=str(path), column=col)
    for col, default in (("kind", "current"), ("valid_from", ""), ("valid_to", "")):
        if col not in df.columns:
            df[col] = default
    df["stkcd"] = df["stkcd"].str.strip().str.zfill(6)
    for i, (s, k) in enumerate(zip(df["stkcd"], df["kind"]), start=2):
        if not s.isdigit() or len(s) != 6:
            raise SchemaError(f"bad stock code {s!r}", file=str(path), column="stkcd", row=i)
        if k.strip() and k.strip() not in KINDS:
            raise SchemaError(f"kind must be one of {KINDS}, got {k!r}", file=str(path), column="kind", row=i)
    for col in ("valid_from", "valid_to"):
        vals = df[col].str.strip()
        bad = ~(vals.eq("") | vals.str.fullmatch(r"\d{4}(?:\.0)?"))
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise SchemaError(f"{col} must be a year, got {vals.iloc[i]!r}", file=str(path), column=col, row=i + 2)
        df[col] = pd.array([int(float(v)) if v else None for v in vals], dtype="Int64")
    df["kind"] = df["kind"].str.strip().replace("", "current")
    df["key"] = [normalize_name(n) for n in df["name"]]
    if (df["key"] == "").any():
        i = int((df["key"] == "").to_numpy().nonzero()[0][0])
        raise SchemaError("empty company name", file=str(path), column="name", row=i + 2)
    return df[["stkcd", "name", "kind", "valid_from", "valid_to", "key"]]
