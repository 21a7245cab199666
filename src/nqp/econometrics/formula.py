"""Parse fixest-style model formulas (模型公式). Parsing only: no data, no estimation.

Grammar (fixest / pyfixest, with Stata's lag operators)::

    y ~ x1 + x2                          OLS with an intercept
    y ~ x1 + x2 | firm + year            absorbed (high-dimensional) fixed effects
    y ~ x1 | industry^year               interacted FE: one level per (industry, year) cell
    y ~ x2 | firm + year | x1 ~ z1 + z2  IV: endogenous x1, excluded instruments z1 z2
    y ~ x2 | 0 | x1 ~ z   or  y ~ 1 | x1 ~ z     IV without FE
    y ~ x1:x2   (product)   y ~ x1*x2  (= x1 + x2 + x1:x2)   y ~ x - 1 / y ~ 0 + x (no intercept)
    L.x  L2.x  l(x, 1)  l(x, 1:2)  F.x   lags / leads by panel time value (Stata ``L.``)
    I(x**2)  I(x*z)  log(x)  exp(x)  sqrt(x)  np.log(x)   transformed variables (pyfixest)
    C(f)  C(f, Treatment(reference='b'))  i(f)  i(f, ref='b')   dummies of a categorical
    f   (a string or categorical column)                         dummies, first level left out
    i(f, z)  i(f, z, ref='a')    one slope of z per level of f (fixest ``i(var1, var2)``)
    x:f  x*f   (f a string column)                               x times each level's dummy

Column names of the expanded terms are pyfixest's: ``I(x ** 2)``, ``log(x)``, ``C(f)[T.b]``,
``C(f, Treatment(reference='b'))[T.a]``, ``f[T.b]``, ``f::b``, ``f::b:z``. The reference level
of a categorical (left out when the model has an intercept or FE) is its first level in sorted
order unless given; ``i(f, z)`` keeps every level unless ``ref=`` is given (fixest).

Variable names may contain any Unicode letters (Chinese column names work).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from nqp.errors import FormulaError

_NAME = r"[^\W\d][\w.]*"
_LAG_STATA = re.compile(r"^([LF])(\d*)\.(" + r"[^\W\d]\w*" + r")$")
_LAG_FIXEST = re.compile(r"^([lf])\(\s*([^\W\d]\w*)\s*,\s*(-?\d+)(?:\s*:\s*(-?\d+))?\s*\)$")
_PLAIN = re.compile(r"^[^\W\d]\w*$")


_FUNCS = {"log": "log", "exp": "exp", "sqrt": "sqrt", "np.log": "log", "np.exp": "exp", "np.sqrt": "sqrt",
          "log10": "log10", "np.log10": "log10", "abs": "abs", "np.abs": "abs"}
_EXPR_START = re.compile(r"^(I|np\.log10|np\.log|np\.exp|np\.sqrt|np\.abs|log10|log|exp|sqrt|abs)\s*\(")
_CAT_START = re.compile(r"^(C|i)\s*\(")


@dataclass(frozen=True)
class Var:
    """A data column, optionally lagged (lag > 0) or led (lag < 0) by panel time; or, when
    ``expr`` is set, an arithmetic expression of columns (``I(x**2)``, ``log(x)``) whose label
    is ``name`` and which reads the columns ``reads``."""

    name: str
    lag: int = 0
    expr: str | None = None  # Python source of the expression (validated by _check_expr)
    reads: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.reads if self.expr is not None else (self.name,)

    @property
    def label(self) -> str:
        if self.lag == 0:
            return self.name
        op = "L" if self.lag > 0 else "F"
        k = abs(self.lag)
        return f"{op}{'' if k == 1 else k}.{self.name}"


@dataclass(frozen=True)
class Categorical:
    """Dummies of column ``column`` (expanded on the data by ``model_frame.py``).

    style: "plain" (a string/categorical column used as it is: ``f[T.b]``), "C" (``C(f)[T.b]``,
    prefix = the normalised ``C(...)`` text) or "i" (fixest: ``f::b``, or ``f::b:z`` with a
    continuous ``by`` variable). ref: the reference level (``has_ref`` when given)."""

    column: str
    style: str
    prefix: str
    ref: Any = None
    has_ref: bool = False
    by: Var | None = None
    text: str = ""  # the term as written (normalised): its label, for duplicates and messages


@dataclass(frozen=True)
class Term:
    """A regressor: one variable, the product of several (``x1:x2``), or the dummies of a
    categorical (``cat``; then ``factors`` is empty and the term expands to several columns)."""

    factors: tuple[Var, ...]
    cat: Categorical | None = None

    @property
    def label(self) -> str:
        if self.cat is not None:
            return self.cat.text or self.cat.prefix
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
        seen: dict[str, None] = dict.fromkeys(self.depvar.columns)
        for t in (*self.exog, *self.endog, *self.instruments):
            for v in t.factors:
                seen.update(dict.fromkeys(v.columns))
            if t.cat is not None:
                seen[t.cat.column] = None
                if t.cat.by is not None:
                    seen.update(dict.fromkeys(t.cat.by.columns))
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


def _replace_top(s: str, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` outside parentheses."""
    out, depth = [], 0
    for ch in s:
        depth += (ch == "(") - (ch == ")")
        out.append(new if ch == old and depth == 0 else ch)
    return "".join(out)


def _parse_ast(tok: str, text: str) -> ast.expr:
    try:
        return ast.parse(tok.strip(), mode="eval").body
    except SyntaxError as err:
        raise FormulaError(f"cannot read the term {tok.strip()!r} in formula {text!r}", variable=tok.strip()) from err


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _check_expr(node: ast.expr, tok: str, text: str, reads: dict[str, None]) -> None:
    """Only numbers, column names, + - * / ** and the functions of ``_FUNCS``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return
    if isinstance(node, ast.Name):
        reads[node.id] = None
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        _check_expr(node.left, tok, text, reads)
        _check_expr(node.right, tok, text, reads)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check_expr(node.operand, tok, text, reads)
        return
    if isinstance(node, ast.Call) and _dotted(node.func) in _FUNCS and len(node.args) == 1 and not node.keywords:
        _check_expr(node.args[0], tok, text, reads)
        return
    raise FormulaError(f"cannot read {ast.unparse(node)!r} in the term {tok!r} of {text!r}: an expression may use "
                       f"column names, numbers, + - * / ** and {', '.join(sorted(set(_FUNCS)))}", variable=tok)


def _parse_expr(tok: str, text: str) -> Var:
    """``I(expr)`` or ``log(x)``-like: a Var computed from columns (label as pyfixest)."""
    node = _parse_ast(tok, text)
    reads: dict[str, None] = {}
    if isinstance(node, ast.Call) and _dotted(node.func) == "I":
        if len(node.args) != 1 or node.keywords:
            raise FormulaError(f"I(...) takes one expression, got {tok!r} in {text!r}", variable=tok)
        inner = node.args[0]
        _check_expr(inner, tok, text, reads)
        return Var(f"I({ast.unparse(inner)})", expr=ast.unparse(inner), reads=tuple(reads))
    _check_expr(node, tok, text, reads)
    return Var(ast.unparse(node), expr=ast.unparse(node), reads=tuple(reads))


def _literal(node: ast.expr, tok: str, text: str) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError as err:
        raise FormulaError(f"the reference level in {tok!r} of {text!r} must be a literal "
                           f"(a number or a quoted string)", variable=tok) from err


def _parse_categorical(tok: str, text: str) -> Term:
    """``C(f)``, ``C(f, Treatment(reference=...))``, ``i(f)``, ``i(f, ref=...)``, ``i(f, z[, ref=...])``."""
    node = _parse_ast(tok, text)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args
            and isinstance(node.args[0], ast.Name)):
        raise FormulaError(f"cannot read the categorical term {tok!r} in {text!r}; write C(f) or i(f)", variable=tok)
    col, style = node.args[0].id, node.func.id
    ref, has_ref, by = None, False, None
    if style == "C":
        if node.keywords or len(node.args) > 2:
            raise FormulaError(f"C(...) takes a column and optionally Treatment(reference=...), got {tok!r}", variable=tok)
        if len(node.args) == 2:
            tr = node.args[1]
            if not (isinstance(tr, ast.Call) and _dotted(tr.func) == "Treatment"):
                raise FormulaError(f"only Treatment(reference=...) contrasts are supported, got {tok!r}", variable=tok)
            vals = list(tr.args) + [k.value for k in tr.keywords if k.arg == "reference"]
            if len(vals) != 1 or any(k.arg != "reference" for k in tr.keywords):
                raise FormulaError(f"write Treatment(reference=level) in {tok!r}", variable=tok)
            ref, has_ref = _literal(vals[0], tok, text), True
        return Term((), Categorical(col, "C", ast.unparse(node), ref, has_ref, text=ast.unparse(node)))
    if len(node.args) > 2 or any(k.arg != "ref" for k in node.keywords):
        raise FormulaError(f"i(...) takes i(var), i(var, ref=level) or i(var, x[, ref=level]), got {tok!r}", variable=tok)
    for k in node.keywords:
        ref, has_ref = _literal(k.value, tok, text), True
    if len(node.args) == 2:
        vs = _parse_var(ast.unparse(node.args[1]), text)
        if len(vs) != 1:
            raise FormulaError(f"the second argument of {tok!r} must be one variable", variable=tok)
        by = vs[0]
    return Term((), Categorical(col, "i", col, ref, has_ref, by, text=ast.unparse(node)))


def _parse_var(tok: str, text: str) -> list[Var]:
    tok = tok.strip()
    if _PLAIN.match(tok):
        return [Var(tok)]
    if _EXPR_START.match(tok):
        return [_parse_expr(tok, text)]
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
    s = _replace_top(s, "-", "+-")
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
        if _CAT_START.match(tok) and len(_split_top(tok, ":")) == 1 and len(_split_top(tok, "*")) == 1:
            terms.append(_parse_categorical(tok, text))
            continue
        if len(_split_top(tok, "*")) > 1:
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
