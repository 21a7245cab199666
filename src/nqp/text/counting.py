"""Exact keyword counting in Chinese text (关键词词频), one pass with Aho-Corasick.

Counting rule (the literature's word-frequency scripts, e.g. the public script reproducing
吴非、胡慧芷、林慧妍、任晓怡 (2021, 管理世界)): each keyword's occurrences are counted on its
own, exactly as ``text.count(keyword)`` would (non-overlapping occurrences of that keyword);
occurrences of different keywords may overlap and are each counted (``independent``).
``longest`` instead takes leftmost-longest non-overlapping matches, so no character is
counted twice (useful for character-share measures such as 高管创新意识).

Negation rule (a switch): a hit immediately preceded by a negator (不, 未, 没有, 无) is not
counted (``adjacent``, the literature's rule: "无人工智能" is dropped, "未使用人工智能" is not);
with ``clause`` a negator anywhere earlier in the same clause (since the last ，。；：！？、 or
line start) drops the hit ("尚未开展人工智能业务" is dropped too).

Optional word boundaries: with ``boundaries`` (offsets where jieba puts token breaks), a hit
counts only if it starts and ends on a boundary, i.e. it is a whole token or token run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ahocorasick

DEFAULT_NEGATORS: tuple[str, ...] = ("不", "未", "没有", "无")
MATCH_MODES = ("independent", "longest")
NEGATION_SCOPES = ("adjacent", "clause")
_CLAUSE_DELIMS = frozenset("，。；：！？、,;:!?\n")
_MAX_CLAUSE = 200  # characters looked back for a clause start


@dataclass
class KeywordCounts:
    """Counts of one dictionary in one text: per keyword, total hits, total hit characters."""

    per_keyword: dict[str, int] = field(default_factory=dict)
    negated: int = 0

    @property
    def hits(self) -> int:
        return sum(self.per_keyword.values())

    @property
    def characters(self) -> int:
        return sum(len(k) * n for k, n in self.per_keyword.items())


class KeywordCounter:
    """Counts the words of one dictionary; build once, call :meth:`count` on many texts."""

    def __init__(
        self,
        words: Iterable[str],
        *,
        negation: bool = False,
        negators: Sequence[str] = DEFAULT_NEGATORS,
        mode: str = "independent",
        negation_scope: str = "adjacent",
    ) -> None:
        if negation_scope not in NEGATION_SCOPES:
            raise ValueError(f"negation scope must be one of {NEGATION_SCOPES}, got {negation_scope!r}")
        self.negation_scope = negation_scope
        if mode not in MATCH_MODES:
            raise ValueError(f"match mode must be one of {MATCH_MODES}, got {mode!r}")
        self.words: tuple[str, ...] = tuple(dict.fromkeys(w for w in words if w))
        if not self.words:
            raise ValueError("a keyword dictionary needs at least one word")
        self.negation = negation
        self.negators = tuple(negators)
        self.mode = mode
        self._automaton = ahocorasick.Automaton()
        for i, w in enumerate(self.words):
            self._automaton.add_word(w, (i, len(w)))
        self._automaton.make_automaton()

    def _negated(self, text: str, start: int) -> bool:
        if self.negation_scope == "clause":
            i = start - 1
            while i >= 0 and start - i <= _MAX_CLAUSE and text[i] not in _CLAUSE_DELIMS:
                i -= 1
            clause = text[i + 1 : start]
            return any(neg in clause for neg in self.negators)
        for neg in self.negators:
            n = len(neg)
            if start >= n and text[start - n : start] == neg:
                return True
        return False

    def count(self, text: str, boundaries: set[int] | frozenset[int] | None = None) -> KeywordCounts:
        """Count every word of the dictionary in ``text`` (see the module docstring for rules)."""
        counts = [0] * len(self.words)
        negated = 0
        if self.mode == "independent":
            last_end = [-1] * len(self.words)
            for end, (i, n) in self._automaton.iter(text):
                start = end - n + 1
                if start < last_end[i]:  # overlapping repeat of the same word: str.count skips it
                    continue
                if boundaries is not None and (start not in boundaries or end + 1 not in boundaries):
                    continue
                last_end[i] = end + 1
                if self.negation and self._negated(text, start):
                    negated += 1
                    continue
                counts[i] += 1
        else:
            # leftmost-longest: the automaton reports hits by end position; order by start.
            hits = sorted(((end - n + 1, -n, i) for end, (i, n) in self._automaton.iter(text)))
            pos = 0
            for start, neg_n, i in hits:
                n = -neg_n
                if start < pos:
                    continue
                if boundaries is not None and (start not in boundaries or start + n not in boundaries):
                    continue
                pos = start + n
                if self.negation and self._negated(text, start):
                    negated += 1
                    continue
                counts[i] += 1
        return KeywordCounts({w: c for w, c in zip(self.words, counts) if c}, negated)


_TOKENIZERS: dict[frozenset[str], object] = {}


def token_boundaries(text: str, user_words: Iterable[str] = ()) -> frozenset[int]:
    """Offsets of jieba token boundaries in ``text`` (``Tokenizer.tokenize``), with ``user_words``
    added to a private jieba dictionary so that multi-character terms (生物识别技术) stay whole.
    jieba's global tokenizer is never touched."""
    import jieba  # imported lazily: loading its dictionary takes about a second

    key = frozenset(user_words)
    tk = _TOKENIZERS.get(key)
    if tk is None:
        tk = jieba.Tokenizer()
        for w in sorted(key):
            tk.add_word(w)
        _TOKENIZERS[key] = tk
    out = {0, len(text)}
    for _tok, start, end in tk.tokenize(text):
        out.add(start)
        out.add(end)
    return frozenset(out)
