"""Numbers and stars: the only place in nqp that turns a number into table text (数字格式).

Conventions of Chinese economics journals (and esttab ``b(3) se(3) star(* 0.1 ** 0.05 *** 0.01)``):

* a fixed number of decimals (default 3);
* **a non-zero number never prints as zero**: when ``|x|`` rounds to 0 at the chosen decimals
  (``|x| < 0.5·10^-decimals``) it is printed with ``sig`` significant digits instead
  (``0.000012`` -> ``0.000012``), and in scientific notation when that would need more than
  ``max_decimals`` decimals (``1.2e-09``). A zero prints as ``0.000``. This is the fix for
  ``lnAI:irobot 0.0000 (0.0000)`` on raw-unit moderators;
* stars when ``p < threshold`` (Stata's and the paper's rule), thresholds default
  ``(0.10, 0.05, 0.01)`` -> ``*``, ``**``, ``***``;
* p-values below ``10^-decimals`` print as ``<0.001``;
* counts as integers without thousands separators (as the paper prints N = 33447);
* a missing value (``None``/NaN) prints as an empty cell.

:func:`parse_number` reads such text back (tests use it on every rendered format).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

DEFAULT_STARS = (0.10, 0.05, 0.01)


@dataclass(frozen=True)
class NumberFormat:
    """How numbers print: decimals, significant digits for tiny values, stars, SE or t."""

    decimals: int = 3
    sig: int = 2
    max_decimals: int = 8
    stars: tuple[float, ...] = DEFAULT_STARS
    se: str = "se"  # "se" (standard error) or "t" (t statistic) in parentheses

    def __post_init__(self) -> None:
        if not 0 <= self.decimals <= 10:
            raise ValueError(f"decimals must be between 0 and 10, got {self.decimals}")
        if self.se not in ("se", "t"):
            raise ValueError(f"se must be 'se' or 't', got {self.se!r}")
        if any(not 0 < s < 1 for s in self.stars) or list(self.stars) != sorted(self.stars, reverse=True):
            raise ValueError(f"stars must be p thresholds in (0, 1), largest first, got {self.stars}")


def is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_number(x: float | int | None, decimals: int = 3, *, sig: int = 2, max_decimals: int = 8) -> str:
    """``x`` with ``decimals`` decimals; a non-zero ``x`` that would round to zero keeps ``sig``
    significant digits (scientific notation beyond ``max_decimals`` decimals)."""
    if is_missing(x):
        return ""
    x = float(x)  # type: ignore[arg-type]
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 or abs(x) >= 0.5 * 10.0 ** -decimals:
        text = f"{x:.{decimals}f}"
        if float(text) == 0:  # -0.000 from a tiny negative at the boundary
            text = text.lstrip("-")
        return text
    exponent = math.floor(math.log10(abs(x)))
    needed = -exponent + sig - 1
    if needed > max_decimals:
        return f"{x:.{sig - 1}e}"
    return f"{x:.{needed}f}"


def fmt_count(n: int | float | None) -> str:
    """A count (N, clusters): an integer, no separators."""
    if is_missing(n):
        return ""
    return str(int(round(float(n))))  # type: ignore[arg-type]


def fmt_pvalue(p: float | None, decimals: int = 3) -> str:
    """A p-value with ``decimals`` decimals; below ``10^-decimals`` it prints as ``<0.001``."""
    if is_missing(p):
        return ""
    if p < 10.0 ** -decimals:  # type: ignore[operator]
        return f"<{10.0 ** -decimals:.{decimals}f}"
    return f"{p:.{decimals}f}"


def stars(p: float | None, thresholds: tuple[float, ...] = DEFAULT_STARS) -> str:
    """One star per threshold that ``p`` is below (``p < t``): ``*** `` at p < 0.01 by default."""
    if is_missing(p):
        return ""
    return "*" * sum(1 for t in thresholds if p < t)  # type: ignore[operator]


def star_note(thresholds: tuple[float, ...] = DEFAULT_STARS) -> str:
    """``* p < 0.10, ** p < 0.05, *** p < 0.01``."""
    return ", ".join(f"{'*' * (i + 1)} p < {t:.2f}" for i, t in enumerate(thresholds))


def fmt_coef(estimate: float | None, p: float | None, nf: NumberFormat) -> str:
    """``0.539***``."""
    if is_missing(estimate):
        return ""
    return fmt_number(estimate, nf.decimals, sig=nf.sig, max_decimals=nf.max_decimals) + stars(p, nf.stars)


def fmt_paren(value: float | None, nf: NumberFormat) -> str:
    """``(0.090)``: the standard error or t statistic under a coefficient."""
    if is_missing(value):
        return ""
    return "(" + fmt_number(value, nf.decimals, sig=nf.sig, max_decimals=nf.max_decimals) + ")"


_NUMBER = re.compile(r"^\(?(?P<lt><)?(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\)?(?P<stars>\**)$")


@dataclass(frozen=True)
class Parsed:
    """A number read back from table text, with the precision it was printed at."""

    value: float
    tolerance: float  # half a unit of the last printed digit
    stars: int
    below: bool = False  # printed as "<0.001"


def parse_number(text: str) -> Parsed | None:
    """Read ``0.539***``, ``(0.090)``, ``1.2e-09``, ``<0.001``, ``33447`` back; None if not a number."""
    m = _NUMBER.match(text.strip())
    if not m:
        return None
    num = m.group("num")
    mant = num.lower().split("e")[0]
    dec = len(mant.split(".")[1]) if "." in mant else 0
    unit = 10.0 ** -dec
    if "e" in num.lower():
        unit *= 10.0 ** int(num.lower().split("e")[1])
    return Parsed(float(num), 0.5 * unit, len(m.group("stars")), below=bool(m.group("lt")))
