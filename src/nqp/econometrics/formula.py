"""Parse fixest-style model formulas (模型公式). Parsing only: no data, no estimation.

Grammar (fixest / pyfixest, with Stata's lag operators)::

    y ~ x1 + x2                          OLS with an intercept
    y ~ x1 + x2 | firm + year            absorbed (high-dimensional) fixed effects
    y ~ x1 | industry^year               interacted FE: one level per (industry, year) cell
    y ~ x2 | firm + year | x1 ~ z1 + z2  IV: endogenous x1, excluded instruments z1 z2
    y ~ x2 | 0 | x1 ~ z   or  y ~ 1 | x1 ~ z     IV without FE
    y ~ x1:x2   (product)   y ~ x1*x2  (= x1 + x2 + x1:x2)   y ~ x - 1 / y ~ 0 + x (no intercept)
    L.x  L2.x  l(x, 1)  l(x, 1:2)  F.x   lags / leads by panel time value (Stata ``L.``)

Variable names may contain any Unicode letters (Chinese column names work).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nqp.errors import FormulaError

_NAME = r"[^\W\d][\w.]*"
_LAG_STATA = re.compile(r"^([LF])(\d*)\.(" + r"[^\W\d]\w*" + r")$")
_LAG_FIXEST = re.compile(r"^([lf])\(\s*([^\W\d]\w*)\s*,\s*(-?\d+)(?:\s*:\s*(-?\d+))?\s*\)$")
_PLAIN = re.compile(r"^[^\W\d]\w*$")


@dataclass(frozen=True)
class Var:
    """A data column, optionally lagged (lag > 0) or led (lag < 0) by panel time."""

    name: str
    lag: int = 0

    @property
    def label(self) -> str:
        if self.lag == 0:
            return self.name
        op = "L" if self.lag > 0 else "F"
        k = abs(self.lag)
        return f"{op}{'' if k == 1 else k}.{self.name}"


@dataclass(frozen=True)
class Term:
    """A regressor: one variable, or the product of several (``x1:x2``)."""

    factors: tuple[Var, ...]

    @property
    def label(self) -> str:
        return ":".join(f.label for f in self.factors)


@dataclass(frozen=True)
class Formula:
    """A parsed model. ``fixef`` holds one tuple of column names per absorbed FE
    (several names = interacted FE ``a^b``)."""

    text: str
    depvar: Var
    exog: tuple[Term, ...]
    fixef: tuple[tuple[str, ...], ...] = ()
    endog: tuple[Term, ...] = ()
    instruments: tuple[Term, ...] = ()
    intercept: bool = True

    @property
    def is_iv(self) -> bool:
        return bool(self.endog)

    @property
    def fe_labels(self) -> list[str]:
        return ["^".join(f) for f in self.fixef]

    @property
    def has_lags(self) -> bool:
        terms = (Term((self.depvar,)), *self.exog, *self.endog, *self.instruments)
        return any(v.lag != 0 for t in terms for v in t.factors)

    def columns(self) -> list[str]:
        """Every data column the formula reads (without duplicates, in order)."""
        seen: dict[str, None] = {self.depvar.name: None}
        for t in (*self.exog, *self.endog, *self.instruments):
            for v in t.factors:
                seen[v.name] = None
        for f in self.fixef:
            for c in f:
                seen[c] = None
        return list(seen)


def _split_top(s: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    out, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _parse_var(tok: str, text: str) -> list[Var]:
    tok = tok.strip()
    if _PLAIN.match(tok):
        return [Var(tok)]
    m = _LAG_STATA.match(tok)
    if m:
        k = int(m.group(2) or 1)
        return [Var(m.group(3), k if m.group(1) == "L" else -k)]
    m = _LAG_FIXEST.match(tok)
    if m:
        a = int(m.group(3))
        b = int(m.group(4)) if m.group(4) is not None else a
        sign = 1 if m.group(1) == "l" else -1
        return [Var(m.group(2), sign * k) for k in range(min(a, b), max(a, b) + 1)]
    raise FormulaError(f"cannot read the term {tok!r} in formula {text!r}", variable=tok)


def _parse_rhs(s: str, text: str) -> tuple[list[Term], bool]:
    """Terms of a right-hand side, and whether it keeps the intercept."""
    terms: list[Term] = []
    intercept = True
    s = s.replace("-", "+-")
    for raw in _split_top(s, "+"):
        tok = raw.strip()
        if not tok:
            continue
        if tok.replace(" ", "") in ("0", "-1"):
            intercept = False
            continue
        if tok == "1":
            continue
        if tok.startswith("-"):
            raise FormulaError(f"removing term {tok[1:].strip()!r} is not supported in {text!r}")
        if "*" in tok:
            parts = [_parse_var(p, text) for p in _split_top(tok, "*")]
            if any(len(p) != 1 for p in parts):
                raise FormulaError(f"lag ranges cannot be multiplied in {tok!r}")
            vs = [p[0] for p in parts]
            terms.extend(Term((v,)) for v in vs)
            terms.append(Term(tuple(vs)))
            continue
        factors = [_parse_var(p, text) for p in _split_top(tok, ":")]
        if len(factors) == 1:
            terms.extend(Term((v,)) for v in factors[0])
        else:
            if any(len(f) != 1 for f in factors):
                raise FormulaError(f"lag ranges cannot be interacted in {tok!r}")
            terms.append(Term(tuple(f[0] for f in factors)))
    uniq: dict[str, Term] = {}
    for t in terms:
        uniq.setdefault(t.label, t)
    return list(uniq.values()), intercept


def parse_formula(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`; raise FormulaError saying what is wrong."""
    if not isinstance(text, str) or "~" not in text:
        raise FormulaError(f"a formula needs 'y ~ x', got {text!r}")
    parts = [p.strip() for p in _split_top(text, "|")]
    main = parts[0]
    iv_part = None
    fe_part = None
    rest = parts[1:]
    if rest and "~" in rest[-1]:
        iv_part = rest.pop()
    if len(rest) > 1:
        raise FormulaError(f"too many '|' parts in {text!r}")
    if any("~" in p for p in rest):
        raise FormulaError(f"the IV part 'endog ~ instruments' must come last in {text!r}")
    if rest:
        fe_part = rest[0]
    lhs, _, rhs = main.partition("~")
    dep = _parse_var(lhs, text)
    if len(dep) != 1 or not lhs.strip():
        raise FormulaError(f"exactly one dependent variable is needed in {text!r}")
    exog, intercept = _parse_rhs(rhs, text)
    fixef: list[tuple[str, ...]] = []
    if fe_part is not None and fe_part.strip() not in ("", "0"):
        for tok in _split_top(fe_part, "+"):
            names = tuple(n.strip() for n in tok.split("^"))
            if not all(_PLAIN.match(n) for n in names):
                raise FormulaError(f"cannot read fixed effect {tok.strip()!r} in {text!r}", variable=tok.strip())
            if names not in fixef:
                fixef.append(names)
    endog: list[Term] = []
    instr: list[Term] = []
    if iv_part is not None:
        el, _, er = iv_part.partition("~")
        endog, _ = _parse_rhs(el, text)
        instr, _ = _parse_rhs(er, text)
        if not endog or not instr:
            raise FormulaError(f"the IV part needs 'endog ~ instruments' in {text!r}")
        clash = {t.label for t in endog} & {t.label for t in exog}
        if clash:
            raise FormulaError(f"{sorted(clash)} cannot be both exogenous and endogenous", variable=sorted(clash)[0])
    return Formula(
        text=text,
        depvar=dep[0],
        exog=tuple(exog),
        fixef=tuple(fixef),
        endog=tuple(endog),
        instruments=tuple(instr),
        intercept=intercept,
    )
