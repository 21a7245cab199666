"""Keyword dictionaries as data files users edit (TOML, or plain TXT one word a line).

TOML layout (see the shipped files in ``nqp/text/dictionaries/``)::

    [dictionary]
    name = "ai"            # measure columns are named after it: ai_hits, ai_chars, ...
    source = "..."         # required: where the words come from
    status = "published"   # published | starter | user
    scope = "report"       # report | section
    match = "independent"  # independent | longest
    words = ["人工智能", ...]

TXT layout: ``# name: ai``, ``# source: ...``, ``# scope: report`` header comments, then one word
a line (jieba user-dictionary lines "word freq tag" are accepted; only the word is used).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nqp.errors import ConfigError

SCOPES = ("report", "section")
SHIPPED = ("ai_wufei2021.toml", "innovation_awareness.toml", "data_assets.toml")


@dataclass(frozen=True)
class Dictionary:
    name: str
    words: tuple[str, ...]
    source: str
    scope: str = "report"
    match: str = "independent"
    status: str = "user"
    file: str = ""


def _check(d: Dictionary) -> Dictionary:
    if not d.name.isidentifier():
        raise ConfigError(f"dictionary name {d.name!r} must be an identifier", file=d.file)
    if not d.words:
        raise ConfigError("dictionary has no words", file=d.file)
    if not d.source.strip():
        raise ConfigError("dictionary has no `source`: say where its words come from", file=d.file)
    if d.scope not in SCOPES:
        raise ConfigError(f"scope must be one of {SCOPES}, got {d.scope!r}", file=d.file)
    if d.match not in ("independent", "longest"):
        raise ConfigError(f"match must be 'independent' or 'longest', got {d.match!r}", file=d.file)
    return d


def load_dictionary(path: str | Path) -> Dictionary:
    """Read one dictionary file (.toml or .txt); raises ConfigError naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("dictionary file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("dictionary file is not UTF-8", file=str(path)) from None
    if path.suffix.lower() == ".toml":
        try:
            meta = tomllib.loads(raw).get("dictionary", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", file=str(path)) from None
        words = tuple(str(w).strip() for w in meta.get("words", []) if str(w).strip())
        d = Dictionary(
            name=str(meta.get("name", path.stem)),
            words=tuple(dict.fromkeys(words)),
            source=str(meta.get("source", "")),
            scope=str(meta.get("scope", "report")),
            match=str(meta.get("match", "independent")),
            status=str(meta.get("status", "user")),
            file=str(path),
        )
        return _check(d)
    header: dict[str, str] = {}
    words_l: list[str] = []
    for line in raw.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            key, sep, val = s.lstrip("#").partition(":")
            if sep:
                header.setdefault(key.strip().lower(), val.strip())
            continue
        words_l.append(s.split()[0])
    d = Dictionary(
        name=header.get("name", path.stem),
        words=tuple(dict.fromkeys(words_l)),
        source=header.get("source", ""),
        scope=header.get("scope", "report"),
        match=header.get("match", "independent"),
        status=header.get("status", "user"),
        file=str(path),
    )
    return _check(d)


def shipped_dictionaries() -> list[Dictionary]:
    """The three dictionaries nqp ships: ai (吴非 et al. 2021), innovation, data_assets."""
    base = resources.files("nqp.text") / "dictionaries"
    out = []
    for name in SHIPPED:
        with resources.as_file(base / name) as p:
            out.append(load_dictionary(p))
    return out


def load_dictionaries(paths: list[str | Path] | None) -> list[Dictionary]:
    """The shipped dictionaries, each replaced by a user file of the same ``name`` (or added)."""
    by_name = {d.name: d for d in shipped_dictionaries()}
    for p in paths or []:
        d = load_dictionary(p)
        by_name[d.name] = d
    return list(by_name.values())
