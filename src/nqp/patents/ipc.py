"""IPC codes (国际专利分类号): normalisation and group-level rule matching.

An IPC symbol is section + class + subclass (``G06N``), main group (``3``) and subgroup
(``08``): "G06N 3/08". Records write it many ways -- ``G06N 3/08``, ``G06N3/08``,
``G06N0003080000`` (EPO 14-character form), ``g06n3/08 (2006.01)``, full-width characters --
all normalised here to ``IpcCode("G06N", 3, "08")``.

Subgroup digits are a decimal fraction: 3/063 sits between 3/06 and 3/067, and a subgroup's
finer subdivisions extend its digits (3/04 → 3/045 → 3/0464). So a subgroup rule matches the
code itself and its digit extensions, compared digit-wise -- not as a string prefix of the raw
text, which would make "G06N 3/1" (= 3/10) match 3/12 (measurement reference §4.1).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nqp.errors import ConfigError

_VERSION = re.compile(r"\s*[\(\[]\s*\d{4}\.\d{2}\s*[\)\]]\s*$")
_SLASH = re.compile(r"^([A-HY]\d{2}[A-Z])\s*-?\s*0*(\d{1,4})\s*/\s*(\d{1,6})$")
_EPO = re.compile(r"^([A-HY]\d{2}[A-Z])(\d{4})(\d{6})$")
_MAIN = re.compile(r"^([A-HY]\d{2}[A-Z])\s*0*(\d{1,4})$")
_SUBCLASS = re.compile(r"^([A-HY]\d{2}[A-Z])$")


@dataclass(frozen=True)
class IpcCode:
    subclass: str  # "G06N"
    main: int | None = None  # 3
    sub: str = ""  # "08", "063"; "" when only the main group (or subclass) is given

    def __str__(self) -> str:
        if self.main is None:
            return self.subclass
        return f"{self.subclass}{self.main}/{self.sub}" if self.sub else f"{self.subclass}{self.main}"


def _sub_digits(d: str) -> str:
    d = d.ljust(2, "0")  # "/1" is 1/10 of the way: subgroup 10
    while len(d) > 2 and d.endswith("0"):
        d = d[:-1]
    return d


def normalize_ipc(text: str) -> IpcCode | None:
    """The IPC code written in ``text``, or None if it is not a recognisable IPC symbol."""
    s = unicodedata.normalize("NFKC", text).strip().upper()
    s = _VERSION.sub("", s).strip()
    m = _SLASH.match(s)
    if m:
        return IpcCode(m.group(1), int(m.group(2)), _sub_digits(m.group(3)))
    m = _EPO.match(s)
    if m:
        return IpcCode(m.group(1), int(m.group(2)), _sub_digits(m.group(3)))
    m = _MAIN.match(s)
    if m:
        return IpcCode(m.group(1), int(m.group(2)))
    m = _SUBCLASS.match(s)
    if m:
        return IpcCode(m.group(1))
    return None


def _frac(sub: str) -> float:
    return float("0." + sub)


@dataclass(frozen=True)
class IpcRule:
    """One rule of a definition: subclass, main group, subgroup or subgroup range (see data file)."""

    text: str
    lo: IpcCode
    hi: IpcCode | None = None  # end of a range

    def matches(self, c: IpcCode) -> bool:
        lo = self.lo
        if c.subclass != lo.subclass:
            return False
        if lo.main is None:
            return True
        if c.main != lo.main:
            return False
        if not lo.sub:
            return True
        if not c.sub:
            return False
        if self.hi is None:
            return c.sub.startswith(lo.sub)
        v = _frac(c.sub)
        return (_frac(lo.sub) <= v <= _frac(self.hi.sub)) or c.sub.startswith(self.hi.sub)


def parse_rule(text: str, file: str = "") -> IpcRule:
    """A rule from its text: "G06N", "G06N5", "G06N3/063" or "G06N3/02-3/12"."""
    head, sep, tail = text.partition("-")
    lo = normalize_ipc(head)
    if lo is None:
        raise ConfigError(f"IPC rule {text!r} is not an IPC symbol", file=file)
    if not sep:
        return IpcRule(text, lo)
    hi = normalize_ipc(tail) if tail[:1].isalpha() else normalize_ipc(f"{lo.subclass}{tail}")
    if hi is None or not lo.sub or not hi.sub or hi.main != lo.main or hi.subclass != lo.subclass:
        raise ConfigError(f"IPC range {text!r} must join two subgroups of one main group", file=file)
    return IpcRule(text, lo, hi)


@dataclass(frozen=True)
class IpcDefinition:
    name: str
    rules: tuple[IpcRule, ...]
    source: str
    label: str = ""
    enabled: bool = True

    def matches(self, c: IpcCode) -> bool:
        return any(r.matches(c) for r in self.rules)


def load_ipc_definitions(path: str | Path | None = None, *, only_enabled: bool = True) -> list[IpcDefinition]:
    """IPC definitions from a TOML file (default: the shipped ``data/ai_ipc.toml``)."""
    if path is None:
        with resources.as_file(resources.files("nqp.patents") / "data" / "ai_ipc.toml") as p:
            raw, file = p.read_text("utf-8"), str(p)
    else:
        try:
            raw, file = Path(path).read_text("utf-8"), str(path)
        except FileNotFoundError:
            raise ConfigError("IPC definition file not found", file=str(path)) from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", file=file) from None
    out = []
    for d in data.get("definition", []):
        if not d.get("source"):
            raise ConfigError(f"IPC definition {d.get('name')!r} has no source", file=file)
        defn = IpcDefinition(str(d["name"]), tuple(parse_rule(r, file) for r in d.get("rules", [])),
                             str(d["source"]), str(d.get("label", "")), bool(d.get("enabled", True)))
        if defn.enabled or not only_enabled:
            out.append(defn)
    if not out:
        raise ConfigError("no enabled IPC definition", file=file)
    return out
