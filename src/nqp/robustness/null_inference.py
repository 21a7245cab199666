"""Joint inference for the specification curve under the null (Simonsohn, Simmons & Nelson 2020).

SSN (2020, *Nature Human Behaviour* 4:1208-1214) ask whether the curve as a whole is more than
chance. For every specification k the null is imposed on its own data, y*_k = y_k − b_k·x,
so that each specification's estimate on y*_k is exactly 0; many data sets are then drawn
from the null-imposed data and *all* specifications refitted on each draw (the same draw
for every specification, so the joint distribution is kept). Three statistics, each compared
with its distribution over the draws (the p-value is the share of draws at least as extreme,
SSN's rule). Each curve is measured in its own dominant direction d (the sign of its median;
the symmetric, two-sided version -- or a sign predicted in advance, ``[robustness.null]
direction = "positive"``, SSN's "predicted direction"):

1. the median estimate: p = #{d_b·median*_b ≥ d·median}/B;
2. the share of specifications significant at α with sign d: p = #{share*_b ≥ share}/B;
3. Stouffer's aggregate of the test statistics (SSN's third, which ``specr`` leaves out):
   Z = Σ_k z_k/√K with z_k = Φ⁻¹(1 − p⁺_k), p⁺_k the one-sided p-value of t_k in direction d
   (t distribution with the specification's df); p = #{Z*_b ≥ Z}/B.

**How the draws are made (our choice; documented deviation).** SSN resample rows with
replacement (``specr::boot_null`` uses ``rsample::bootstraps``). With absorbed fixed effects a
row bootstrap would need every column re-absorbed for every draw. We draw wild-bootstrap
weights instead -- one Rademacher weight v_g per *unit* g (``[robustness.null] unit``, the
industry by default: the coarsest clustering, so that within-unit dependence is kept), shared
by every specification: y**_k = ŷ*_k + ê_k∘v. Because y*_k has estimate 0, its residuals are the
full model's ê_k, and by Frisch-Waugh-Lovell (M_D symmetric and idempotent, X~ = M_D X)

    b**_k = a_k'(ê_k∘v) = Σ_g v_g c_kg,    c_kg = Σ_{i∈g} a_ki ê_ki,

with a_k' the treatment row of (X~'X~)⁻¹X~' -- exact, from the absorbed columns, no refit and no
re-absorption: O(K·G) per draw. The bootstrap fit's residual is r** = ê∘v − X~δ, δ =
(X~'X~)⁻¹X~'(ê∘v); its CRV1 variance uses the specification's own clustering and small-sample
factor q (the same q as the observed SE): V** = q Σ_h (Σ_{i∈h} a_i r**_i)², expanded so that a
draw costs O(H + G) per clustering dimension. ê∘v is orthogonal to the fixed effects nested in
the draw unit (firm, industry×year within industries); the others (year, ...) are carried
exactly as extra columns W = M_Dn D_m of the bootstrap regression (FWL: M_D = M_Dn − P_W),
when they have at most ``MAX_EXACT_LEVELS`` levels -- so the bootstrap t* equals a refit
(tested against pyfixest). Beyond that (province×year) their re-projection is left out of the
bootstrap SE, an approximation (their cell means of a mean-zero weighted residual); b** stays
exact. The Monte Carlo test of the suite checks the size under a true null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import special

from nqp.econometrics.collinearity import is_nested
from nqp.econometrics.demean import demean
from nqp.results import ResultDisplay, TIDY_COLUMNS, TestResult, json_ready
from nqp.robustness.fit import Fit, RowSet, t_critical
from nqp.robustness.multiverse import Context, SpecCurve

BAND = (0.025, 0.5, 0.975)
MAX_EXACT_LEVELS = 100  # non-nested fixed-effect levels carried exactly in the bootstrap SE


def _sums(codes: np.ndarray, M: np.ndarray, size: int) -> np.ndarray:
    """(size, k) per-level column sums of M (n, k)."""
    if M.shape[1] > 16:
        ind = sp.csr_matrix((np.ones(codes.size), (codes, np.arange(codes.size))), shape=(size, codes.size))
        return np.asarray(ind @ M)
    return np.column_stack([np.bincount(codes, M[:, j], size) for j in range(M.shape[1])])


class NullDraws:
    """Collects b** and t** of every specification as the curve is fitted (a fit hook)."""

    def __init__(self, ctx: Context, draws: int, seed: int, unit: str) -> None:
        self.col = ctx.spec.columns[unit]
        fy = ctx.source.firm_years
        if self.col not in fy.columns:
            raise KeyError(self.col)
        self.labels = pd.Index(sorted(pd.unique(fy[self.col].dropna().astype(str))))
        rng = np.random.default_rng(seed)
        self.V = rng.choice(np.array([-1.0, 1.0]), size=(len(self.labels), draws))
        self.V2 = self.V * self.V
        self.draws = draws
        self.unit = unit
        self.beta: dict[int, np.ndarray] = {}
        self.t: dict[int, np.ndarray] = {}
        self._codes: dict[int, tuple[pd.DataFrame, np.ndarray]] = {}
        self._w: dict[int, tuple[RowSet, Any]] = {}

    def _unit_codes(self, frame: pd.DataFrame) -> np.ndarray:
        hit = self._codes.get(id(frame))
        if hit is None or hit[0] is not frame:
            hit = (frame, self.labels.get_indexer(frame[self.col].astype(str)))
            self._codes[id(frame)] = hit
        return hit[1]

    def _other_effects(self, rowset: RowSet, g: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(W, (W'W)^+) for the fixed effects *not* nested in the draw unit: their dummies with
        the nested effects partialled out (FWL: M_D = M_Dn − P_W). None when every effect is
        nested, or when the others have more than ``MAX_EXACT_LEVELS`` levels (then the
        bootstrap residual leaves their re-projection out: the approximation of the module doc)."""
        hit = self._w.get(id(rowset))
        if hit is not None and hit[0] is rowset:
            return hit[1]
        fe = rowset.fe
        nested = [is_nested(fe[:, j], g) for j in range(fe.shape[1])]
        other = [j for j in range(fe.shape[1]) if not nested[j]]
        out = None
        if other and sum(rowset.fe_sizes[j] for j in other) <= MAX_EXACT_LEVELS:
            n = rowset.n
            D = np.zeros((n, sum(rowset.fe_sizes[j] for j in other)))
            off = 0
            for j in other:
                D[np.arange(n), off + fe[:, j]] = 1.0
                off += rowset.fe_sizes[j]
            keep = [j for j in range(fe.shape[1]) if nested[j]]
            W = demean(D, fe[:, keep])[0] if keep else D - D.mean(axis=0)
            out = (W, np.linalg.pinv(W.T @ W, hermitian=True))
        self._w[id(rowset)] = (rowset, out)
        return out

    def __call__(self, rowset: RowSet, fit: Fit, frame: pd.DataFrame, members: list[tuple[int, str]]) -> None:
        U = len(self.labels)
        g = self._unit_codes(frame)[rowset.rows]
        a = fit.a
        ae = a * fit.resid
        b = np.bincount(g, ae, U) @ self.V  # (B,)
        S = _sums(g, fit.X * fit.resid[:, None], U)  # (U, K)
        delta = fit.bread @ (S.T @ self.V)  # (K, B)
        aX = a[:, None] * fit.X
        other = self._other_effects(rowset, g)
        if other is not None:  # the score correction of the non-nested effects, as extra columns
            W, WtW = other
            c = WtW @ (_sums(g, W * fit.resid[:, None], U).T @ self.V)  # (L, B)
            aX = np.column_stack([aX, a[:, None] * W])
            delta = np.vstack([delta, c])
        meats: dict[str, np.ndarray] = {}
        for spec_id, cl in members:
            self.beta[spec_id] = b
            if cl not in fit.se or not fit.se[cl][0] > 0:
                continue
            if cl not in meats:
                meats[cl] = self._meat(rowset.clusters[cl], g, ae, aX, delta)
            obs, boot = meats[cl]
            q = fit.se[cl][0] ** 2 / obs if obs > 0 else np.nan
            with np.errstate(invalid="ignore", divide="ignore"):
                self.t[spec_id] = b / np.sqrt(q * np.maximum(boot, 0.0))

    def _meat(self, codes: np.ndarray, g: np.ndarray, ae: np.ndarray, aX: np.ndarray,
              delta: np.ndarray) -> tuple[float, np.ndarray]:
        """(observed, bootstrap) Σ_h s_h² with inclusion-exclusion over the clustering dimensions."""
        dims = [(codes[:, j], 1.0) for j in range(codes.shape[1])]
        if codes.shape[1] == 2:
            inter = pd.factorize(codes[:, 0].astype(np.int64) * (int(codes[:, 1].max()) + 1) + codes[:, 1])[0]
            dims.append((inter, -1.0))
        obs, boot = 0.0, np.zeros(self.draws)
        for h, sign in dims:
            o, bt = self._meat_one(h, g, ae, aX, delta)
            obs += sign * o
            boot += sign * bt
        return obs, boot

    def _meat_one(self, h: np.ndarray, g: np.ndarray, ae: np.ndarray, aX: np.ndarray,
                  delta: np.ndarray) -> tuple[float, np.ndarray]:
        U = len(self.labels)
        H = int(h.max()) + 1
        P_h = np.bincount(h, ae, H)
        A = _sums(h, aX, H)  # (H, K)
        obs = float(P_h @ P_h)
        AA = A.T @ A
        term3 = np.einsum("kb,kb->b", AA @ delta, delta)
        if is_nested(h, g):
            gh = np.empty(H, dtype=np.int64)
            gh[h] = g
            term1 = np.bincount(gh, P_h * P_h, U) @ self.V2
            Q = _sums(gh, P_h[:, None] * A, U)  # (U, K)
            term2 = np.einsum("kb,kb->b", Q.T @ self.V, delta)
            return obs, term1 - 2 * term2 + term3
        P = np.bincount(h.astype(np.int64) * U + g, ae, H * U).reshape(H, U)
        s = P @ self.V - A @ delta
        return obs, np.einsum("hb,hb->b", s, s)


def stouffer(t: np.ndarray, df: np.ndarray, direction: float) -> np.ndarray:
    """Σ_k z_k/√K over axis 0, z_k = Φ⁻¹(1 − p⁺_k), p⁺_k = P(T_df ≥ d·t_k)."""
    p_one = np.clip(special.stdtr(df, -direction * t), 1e-300, 1 - 1e-16)
    z = -special.ndtri(p_one)
    return z.sum(axis=0) / np.sqrt(t.shape[0])


@dataclass(frozen=True, repr=False)
class NullInference(ResultDisplay):
    """SSN's three joint tests, and the null band of the sorted curve (for the figure)."""

    tests: dict[str, TestResult]
    draws: int
    unit: str
    seed: int
    n_specifications: int
    band: pd.DataFrame  # rank -> the 2.5%, 50%, 97.5% quantiles of the sorted null curves

    _repr_name = "NullInference"

    def tidy(self) -> pd.DataFrame:
        rows = []
        for name, t in self.tests.items():
            rows.append({"term": name, "estimate": t.extra.get("observed"), "std_error": np.nan,
                         "statistic": t.statistic, "p_value": t.p_value, "conf_low": np.nan, "conf_high": np.nan})
        return pd.DataFrame(rows, columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        return json_ready({"draws": self.draws, "unit": self.unit, "seed": self.seed,
                           "n_specifications": self.n_specifications,
                           **{f"p_{k}": t.p_value for k, t in self.tests.items()}})

    def to_dict(self) -> dict[str, Any]:
        return json_ready({**self.glance(), "tests": {k: t.to_dict() for k, t in self.tests.items()},
                           "band": self.band.to_dict(orient="list"),
                           "method": "Simonsohn, Simmons & Nelson (2020) null imposed per specification "
                                     "(y* = y - b x); wild-bootstrap draws with one Rademacher weight per "
                                     f"{self.unit}, shared by all specifications"})

    def summary(self) -> str:
        lines = [f"Specification curve under the null: {self.draws} draws (Rademacher weights by {self.unit}), "
                 f"{self.n_specifications} specifications"]
        for k, t in self.tests.items():
            lines.append(f"  {k:<18} observed {t.extra['observed']:.4f}, null median {t.extra['null_median']:.4f}, "
                         f"p = {t.p_value:.4f}")
        return "\n".join(lines)


def summarise_null(curve: SpecCurve, nd: NullDraws, seed: int, direction: str = "dominant") -> NullInference:
    """The three statistics of the observed curve against their null distributions.

    ``direction``: ``"dominant"`` (default) -- each curve, observed or drawn, is measured in its
    own dominant direction d = sign(median estimate): |median|, the share significant with sign
    d, Stouffer's Z in direction d. This is the symmetric (two-sided) version, valid when the
    sign was not predicted. ``"positive"`` / ``"negative"``: a sign predicted in advance (SSN's
    "predicted direction"), the same d for the observed curve and every draw."""
    est = curve.estimable
    ids = [i for i in est["id"] if i in nd.t and np.all(np.isfinite(nd.t[i]))]
    est = est.set_index("id").loc[ids]
    alpha = curve.alpha
    if not ids:
        nan = TestResult(statistic=None, p_value=float("nan"), method="specification curve under the null",
                         null="no estimable specification", reps=nd.draws, extra={"observed": float("nan"),
                                                                                 "null_median": float("nan")})
        return NullInference({k: nan for k in ("median_estimate", "share_significant", "stouffer_z")}, nd.draws,
                             nd.unit, seed, 0, pd.DataFrame({"rank": [], "q025": [], "q500": [], "q975": []}))
    B = np.vstack([nd.beta[i] for i in ids])  # (K, draws)
    T = np.vstack([nd.t[i] for i in ids])
    df = est["df_resid"].to_numpy(dtype=float)
    crit = t_critical(df, alpha)[:, None]
    b_obs, t_obs = est["estimate"].to_numpy(), est["statistic"].to_numpy()
    med_b = np.median(B, axis=0)
    if direction == "dominant":
        d_obs = 1.0 if np.median(b_obs) >= 0 else -1.0
        d_b = np.where(med_b >= 0, 1.0, -1.0)
    elif direction in ("positive", "negative"):
        d_obs = 1.0 if direction == "positive" else -1.0
        d_b = np.full(nd.draws, d_obs)
    else:
        raise ValueError(f"direction={direction!r}; use 'dominant', 'positive' or 'negative'")
    med_obs = float(d_obs * np.median(b_obs))
    share_obs = float(np.mean((np.abs(t_obs) > crit[:, 0]) & (np.sign(t_obs) == d_obs)))
    z_obs = float(stouffer(t_obs[:, None], df[:, None], d_obs)[0])
    stat_med = d_b * med_b
    share_b = np.mean((np.abs(T) > crit) & (np.sign(T) == d_b[None, :]), axis=0)
    z_b = stouffer(T * d_b[None, :], df[:, None], 1.0)
    null = "the treatment has no effect in any specification"

    def test(name: str, observed: float, dist: np.ndarray) -> TestResult:
        return TestResult(statistic=observed, p_value=float(np.mean(dist >= observed - 1e-12 * max(1.0, abs(observed)))),
                          method=f"specification curve under the null: {name}", null=null, reps=nd.draws,
                          extra={"observed": observed, "null_median": float(np.median(dist)),
                                 "null_q975": float(np.quantile(dist, 0.975)), "direction": direction,
                                 "sign": d_obs})

    tests = {
        "median_estimate": test("median estimate (in its direction)", med_obs, stat_med),
        "share_significant": test(f"share significant at {alpha:g} with the dominant sign", share_obs, share_b),
        "stouffer_z": test("Stouffer's Z of the test statistics", z_obs, z_b),
    }
    srt = np.sort(B, axis=0)
    band = pd.DataFrame({f"q{int(q * 1000):03d}": np.quantile(srt, q, axis=1) for q in BAND})
    band.insert(0, "rank", np.arange(1, len(ids) + 1))
    return NullInference(tests, nd.draws, nd.unit, seed, len(ids), band)


def curve_null_inference(panel: Any, spec: Any = None, *, outcome: str = "NQP", treatment: str = "lnAI",
                         controls: Any = None, progress: Any = None) -> NullInference:
    """Fit the curve with the null draws and return SSN's three tests (see the module doc)."""
    from nqp.robustness.multiverse import PAPER_CONTROLS, make_context, run_curve
    from nqp.robustness.spec import RobustnessSpec

    spec = spec if isinstance(spec, RobustnessSpec) else RobustnessSpec.from_dict(spec)
    ctx = make_context(panel, spec, outcome=outcome, treatment=treatment,
                       controls=PAPER_CONTROLS if controls is None else controls)
    nd = NullDraws(ctx, spec.null_draws, spec.seed, spec.null_unit)
    curve = run_curve(ctx, hook=nd, progress=progress)
    return summarise_null(curve, nd, spec.seed, spec.null_direction)
