"""Which patent records are AI patents (人工智能专利), vectorised over Arrow columns.

A record is AI by IPC if one of its codes (the main IPC only, or main + all IPC: ``scope``)
falls under a rule of an enabled definition (``data/ai_ipc.toml``); AI by keyword if its title
or abstract contains an AI keyword (``data/ai_keywords.toml``). The rule combining them is
``either`` (CSET: classification OR keyword; the default), ``both``, ``ipc`` or ``keyword``.

Speed: IPC strings are split and each *distinct* code is normalised and classified once in
Python; rows take the result by index (so are patent types and application dates). Keywords are
one RE2 alternation over the titles, then over the abstracts of the records whose title has none.

Record type (专利类型): 发明 → invention (lnaifm), 实用新型 → utility (lnaixx), 外观设计 → design.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nqp.errors import ConfigError
from nqp.patents.ipc import IpcDefinition, normalize_ipc

RULES = ("either", "both", "ipc", "keyword")
SCOPES = ("any", "main")


@dataclass(frozen=True)
class Keywords:
    zh: tuple[str, ...]
    en: tuple[str, ...]
    source: str

    def pattern(self) -> str:
        import re

        parts = [re.escape(w) for w in self.zh] + [f"(?:{p})" for p in self.en]
        return "(?i)" + "|".join(parts)


def load_keywords(path: str | Path | None = None) -> Keywords:
    if path is None:
        with resources.as_file(resources.files("nqp.patents") / "data" / "ai_keywords.toml") as p:
            raw, file = p.read_text("utf-8"), str(p)
    else:
        raw, file = Path(path).read_text("utf-8"), str(path)
    kw = tomllib.loads(raw).get("keywords", {})
    if not kw.get("source"):
        raise ConfigError("keyword file has no source", file=file)
    return Keywords(tuple(kw.get("zh", [])), tuple(kw.get("en", [])), kw["source"])


@dataclass(frozen=True)
class Classifier:
    definitions: tuple[IpcDefinition, ...]
    keywords: Keywords
    rule: str = "either"
    scope: str = "any"
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def code_flags(self, code: str) -> tuple[bool, bool]:
        """(is AI under any enabled definition, is malformed) for one raw IPC string."""
        hit = self._cache.get(code)
        if hit is None:
            c = normalize_ipc(code)
            hit = (False, True) if c is None else (any(d.matches(c) for d in self.definitions), False)
            self._cache[code] = hit
        return hit


def _code_flags(clf: Classifier, lists: pa.ListArray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: any code AI, any code malformed (empty items ignored)."""
    n = len(lists)
    flat = pc.utf8_trim_whitespace(lists.flatten())
    enc = flat.dictionary_encode()
    uniq = enc.dictionary.to_pylist()
    flags = np.array([clf.code_flags(u) if u else (False, False) for u in uniq], dtype=bool).reshape(-1, 2)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    per_code = flags[idx] if len(idx) else np.zeros((0, 2), bool)
    offsets = lists.offsets.to_numpy()
    ai = np.zeros(n, bool)
    bad = np.zeros(n, bool)
    if len(per_code):
        counts = np.diff(offsets)
        nonempty = counts > 0
        starts = offsets[:-1][nonempty]
        ai[nonempty] = np.logical_or.reduceat(per_code[:, 0], starts)
        bad[nonempty] = np.logical_or.reduceat(per_code[:, 1], starts)
    return ai, bad


def split_list(col: pa.Array | pa.ChunkedArray, seps: tuple[str, ...] = ("；", ",", "，", "|")) -> pa.ListArray:
    """Split a ``;``-separated column (also ；,，|) into lists; literal replaces + one plain split
    are several times faster than a regex split, and the replaces are skipped when no other
    separator occurs. Items are not trimmed here."""
    import re

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    others = [sep for sep in seps if sep != ";"]
    # one scan finds whether any other separator occurs at all (usually none does): then no copies
    if others and pc.any(pc.match_substring_regex(col, "|".join(map(re.escape, others)))).as_py():
        for sep in others:
            col = pc.replace_substring(col, sep, ";")
    return pc.split_pattern(col, ";")


def _keyword_hits(title: pa.ChunkedArray, abstract: pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Per row: ``pattern`` found in the title or in the abstract (searched separately, so no
    match spans the two). Abstracts are searched only where the title has no hit."""
    in_title = pc.match_substring_regex(title, pattern).to_numpy(zero_copy_only=False).copy()
    rest = ~in_title
    if rest.any():
        in_title[rest] = pc.match_substring_regex(abstract.filter(pa.array(rest)), pattern).to_numpy(
            zero_copy_only=False)
    return in_title


def classify(t: pa.Table, clf: Classifier) -> dict[str, np.ndarray]:
    """Flags and fields of each record of ``t`` (columns of ``nqp.patents.records``):
    ai_ipc, ai_kw, ai, kind ('invention'|'utility'|'design'|'unknown'), year (0 if unusable),
    bad_ipc, no_ipc, empty_text."""
    ai_ipc, bad = _code_flags(clf, split_list(t["ipc_main"]))
    main_empty = pc.equal(pc.utf8_trim_whitespace(t["ipc_main"]), "").to_numpy(zero_copy_only=False)
    no_ipc = main_empty
    if clf.scope == "any":
        ai2, bad2 = _code_flags(clf, split_list(t["ipc"]))
        ai_ipc, bad = ai_ipc | ai2, bad | bad2
        no_ipc = main_empty & pc.equal(pc.utf8_trim_whitespace(t["ipc"]), "").to_numpy(zero_copy_only=False)
    ai_kw = _keyword_hits(t["title"], t["abstract"], clf.keywords.pattern())
    empty_text = pc.equal(pc.utf8_trim_whitespace(t["title"]), "").to_numpy(zero_copy_only=False)
    ai = {"either": ai_ipc | ai_kw, "both": ai_ipc & ai_kw, "ipc": ai_ipc, "keyword": ai_kw}[clf.rule]
    ptypes = pc.dictionary_encode(t["ptype"].combine_chunks())  # a few distinct texts: each judged once
    names = ptypes.dictionary
    inv = pc.match_substring(names, "发明").to_numpy(zero_copy_only=False)
    uti = pc.match_substring(names, "实用新型").to_numpy(zero_copy_only=False)
    des = pc.match_substring(names, "外观").to_numpy(zero_copy_only=False)
    kinds = np.where(inv, "invention", np.where(uti, "utility", np.where(des, "design", "unknown")))
    kind = kinds[ptypes.indices.to_numpy(zero_copy_only=False)]
    dates = pc.dictionary_encode(t["app_date"].combine_chunks())  # a few thousand distinct days
    date = pc.utf8_trim_whitespace(dates.dictionary)
    ok = pc.match_substring_regex(date, r"^(19|20)\d\d([-/.]?\d{1,2}([-/.]?\d{1,2})?)?(\s.*)?$")
    year = pc.take(pc.cast(pc.if_else(ok, pc.utf8_slice_codeunits(date, 0, 4), "0"), pa.int32()), dates.indices)
    return {"ai_ipc": ai_ipc, "ai_kw": ai_kw, "ai": ai, "kind": kind,
            "year": year.to_numpy(zero_copy_only=False).astype(np.int32),
            "bad_ipc": bad, "no_ipc": no_ipc, "empty_text": empty_text}
