"""Before / after: an interrupted time series, with honest small-sample inference.

Measured values (``interrupted_time_series``): segmented regression
``y ~ time + post + time_since`` (``time`` counts periods from 0, ``post`` is 1 from
the first period with the change, index t0, and ``time_since`` = time − t0 after
it), fitted by generalised least squares with AR(1) errors. The autocorrelation φ
is estimated by restricted maximum likelihood (REML, profile over φ ∈ [−0.9, 0.95]:
a 0.01 grid refined by a parabola), the coefficients by GLS (Prais–Winsten
transform) at that φ, and each contrast is tested with a t distribution whose
degrees of freedom come from Satterthwaite's approximation: the variance v of the
contrast is uncertain through σ² (n − 4 degrees of freedom) and through φ (twice the
inverse REML curvature, see PHI_VARIANCE_FACTOR), so
df = 1 / (v′(φ)² Var(φ̂) / (2 v²) + 1 / (n − 4)), at least 1; the level change, the
slope change and the effect at the last period all use the smallest of their three.
This is the « REML with Satterthwaite » method of Turner et al. (2021, BMC Med Res
Methodol 21:181); Newey–West, used before, gave 14 to 35 % false effects on 8 to 48
periods. Calibration (``benchmarks/calibration.py``, 2,000 runs per setting): at
α = 0.05, false effects at most about 6 % and 95 % coverage at least about 94 % for
12 to 120 periods, φ from 0 to 0.6, the change anywhere with 6 periods or more on
each side. The price is
wide intervals on short autocorrelated series: that is what they can tell.

Under 12 periods, or under 6 on one side, no method holds those rates: the point
estimates are given (ordinary least squares) without interval nor p-value, and
``too_short`` is true.

Counts with an exposure (``count_time_series``): Poisson regression
log E[y] = log(exposure) + b0 + b1·time + b2·post, plus two Fourier pairs of the
yearly cycle when the series covers two cycles (24 months, 104 weeks), with the
quasi-Poisson scale (Pearson χ² / df); the level change is the rate ratio exp(b2),
with a Wald interval (Lopez Bernal, Cummins & Gasparrini 2017, Int J Epidemiol
46:348).

Values are centred and scaled before fitting (and time is centred), so that results
do not depend on the unit of measure; thresholds are relative.

Reported: the level change (``post``), the slope change (``time_since``) and the
effect at the last period, level + slope × (T − 1 − t0), each with its interval
and p-value; the fitted series and the counterfactual (the pre-period line
extended). A before/after design cannot separate the change from anything else that
happened at the same time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._util import quiet
from .errors import StatsInputError

MIN_PERIODS = 12
MIN_PER_SIDE = 6
PHI_GRID = np.round(np.arange(-0.9, 0.9501, 0.01), 2)
_STEP = 0.01
_DELTA = 2e-3  # finite-difference step on φ
# The REML curvature understates how much φ̂ varies in short series: its variance is
# doubled in the degrees of freedom (calibrated: with 1, false level changes reach
# 8–9 % at 12–24 periods with φ = 0.6; with 2, at most about 6 %).
PHI_VARIANCE_FACTOR = 2.0
_CELLS = 4_000_000  # grid × rows × periods per chunk: bounded memory
FLAT = 1e-10  # residual sd below this fraction of the series' sd: no residual variance


def design(time: np.ndarray, t0: int) -> np.ndarray:
    """Columns 1, time, post, time_since for periods at ``time`` (t0: first post index)."""
    time = np.asarray(time, dtype=float)
    post = (np.arange(time.size) >= t0).astype(float)
    since = np.where(post > 0, time - time[t0], 0.0)
    return np.column_stack([np.ones(time.size), time - time.mean(), post, since])


def contrasts(time: np.ndarray, t0: int) -> np.ndarray:
    """Rows: level change, slope change, effect at the last period."""
    horizon = float(time[-1] - time[t0])
    return np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, horizon]])


def _profile(y: np.ndarray, x: np.ndarray, phi: np.ndarray):
    """REML profile of AR(1) GLS at each φ: y (R, n); φ (G, 1) shared or (G, R) per row.

    Returns the restricted log-likelihood (G, R), the residual sum of squares of the
    transformed regression (G, R), the coefficients (G, R, p) and (X*'X*)⁻¹ (G, R', p, p).
    """
    n, p = x.shape
    root = np.sqrt(1.0 - phi**2)
    xs = np.empty(phi.shape + x.shape)
    xs[..., 0, :] = root[..., None] * x[0]
    xs[..., 1:, :] = x[1:] - phi[..., None, None] * x[:-1]
    ys = np.empty(phi.shape[:1] + y.shape)
    ys[..., 0] = root * y[:, 0]
    ys[..., 1:] = y[:, 1:] - phi[..., None] * y[:, :-1]
    xtx = np.swapaxes(xs, -1, -2) @ xs
    inv = np.linalg.inv(xtx)
    xty = (np.swapaxes(xs, -1, -2) @ ys[..., None])[..., 0]
    beta = (inv @ xty[..., None])[..., 0]
    ssr = np.maximum(np.einsum("grn,grn->gr", ys, ys) - np.einsum("gri,gri->gr", beta, xty), 1e-300)
    loglik = -0.5 * (-np.log(1.0 - phi**2) + np.linalg.slogdet(xtx)[1] + (n - p) * np.log(ssr))
    return loglik, ssr, beta, inv


def ar1_gls(y: np.ndarray, x: np.ndarray, c: np.ndarray) -> dict:
    """REML AR(1) GLS of each row of ``y`` on ``x``; contrasts ``c`` (k, p) with Satterthwaite df.

    Vectorised over rows (the calibration runs thousands at once). Returns arrays:
    phi (R,), beta (R, p), estimate, se, df (R, k).
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    rows, n = y.shape
    p = x.shape[1]
    chunk = max(1, _CELLS // (PHI_GRID.size * n))
    if rows > chunk:
        parts = [ar1_gls(y[i:i + chunk], x, c) for i in range(0, rows, chunk)]
        return {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    loglik, _, _, _ = _profile(y, x, PHI_GRID[:, None])
    g = np.clip(np.argmax(loglik, axis=0), 1, PHI_GRID.size - 2)
    r = np.arange(rows)
    lo, mid, hi = loglik[g - 1, r], loglik[g, r], loglik[g + 1, r]
    curve = lo - 2.0 * mid + hi
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curve < 0, 0.5 * (lo - hi) / curve, 0.0)
    phi = PHI_GRID[g] + _STEP * np.clip(shift, -1.0, 1.0)
    phis = np.stack([phi - _DELTA, phi, phi + _DELTA])
    loglik, ssr, beta, inv = _profile(y, x, phis)
    quad = np.einsum("ki,grij,kj->grk", c, inv, c)  # c'(X*'X*)⁻¹c at each φ
    v = ssr[..., None] / (n - p) * quad  # (3, R, k)
    second = (loglik[0] - 2.0 * loglik[1] + loglik[2]) / _DELTA**2
    with np.errstate(divide="ignore", invalid="ignore"):
        var_phi = PHI_VARIANCE_FACTOR * np.where(second < 0, -1.0 / second, np.inf)[:, None]
        slope = (v[2] - v[0]) / (2.0 * _DELTA)
        df = 1.0 / (slope**2 * var_phi / (2.0 * v[1] ** 2) + 1.0 / (n - p))
    df = np.where(np.isfinite(df), np.maximum(df, 1.0), 1.0)
    # One df for all the contrasts of a series, the smallest: alone, the level change's
    # reaches 7 % false effects with φ = 0.6 (calibration); with it, at most about 6 %.
    df = np.broadcast_to(df.min(axis=1, keepdims=True), df.shape).copy()
    return {"phi": phi, "beta": beta[1], "estimate": beta[1] @ c.T, "se": np.sqrt(v[1]), "df": df}


def check_series(n: int, t0: int, where: dict) -> None:
    """The intervention must fall strictly inside the series."""
    if not 0 < t0 < n:
        raise StatsInputError("l'intervention est en dehors de la série", **where)


def interrupted_time_series(
    values: Sequence[float],
    intervention_index: int,
    alpha: float = 0.05,
    *,
    time: Sequence[float] | None = None,
    metric: str | None = None,
    iteration=None,
    experiment: str | None = None,
) -> dict:
    """Fit the segmented regression; plain floats out (NaN where not estimable).

    ``time``: the periods' positions (default 0, 1, …; gaps allowed). Keys:
    level_change, slope_change, effect (each a dict estimate, low, high, p_value, se,
    df), fitted, counterfactual, phi, flat (no residual variance), too_short,
    periods_before, periods_after.
    """
    where = dict(metric=metric, iteration=iteration, experiment=experiment)
    y = np.asarray(values, dtype=float).ravel()
    n, t0 = y.size, int(intervention_index)
    if not np.all(np.isfinite(y)):
        raise StatsInputError("la série contient des valeurs manquantes ou non finies", **where)
    check_series(n, t0, where)
    time = np.arange(n, dtype=float) if time is None else np.asarray(time, dtype=float)
    x = design(time, t0)
    c = contrasts(time, t0)
    centre = float(y.mean())
    spread = float(y.std())
    z = (y - centre) / spread if spread > 0 else np.zeros(n)
    too_short = n < MIN_PERIODS or min(t0, n - t0) < MIN_PER_SIDE
    nan = np.full(3, math.nan)
    with quiet():
        if min(t0, n - t0) < 2:  # a line needs two points on each side
            beta, flat = np.full(4, math.nan), True
        else:
            beta = np.linalg.lstsq(x, z, rcond=None)[0]
            flat = float(np.sqrt(np.mean((z - x @ beta) ** 2))) <= FLAT
        est, se, df, phi = beta @ c.T, nan, nan, math.nan
        if not (too_short or flat):
            fit = ar1_gls(z, x, c)
            beta, est, se, df, phi = fit["beta"][0], fit["estimate"][0], fit["se"][0], fit["df"][0], fit["phi"][0]
    parts = [_contrast(est[k] * spread, se[k] * spread, df[k], alpha) for k in range(3)]
    scale = np.array([spread, spread, spread, spread]) if spread > 0 else np.ones(4)
    coef = beta * scale
    coef[0] += centre
    return {
        "level_change": parts[0],
        "slope_change": parts[1],
        "effect": parts[2],
        "fitted": (x @ coef).tolist(),
        "counterfactual": (x[:, :2] @ coef[:2]).tolist(),
        "phi": float(phi),
        "flat": bool(flat),
        "too_short": bool(too_short),
        "periods_before": t0,
        "periods_after": n - t0,
    }


def _contrast(est: float, se: float, df: float, alpha: float) -> dict:
    from scipy.special import stdtr, stdtrit

    out = {"estimate": float(est), "low": math.nan, "high": math.nan, "p_value": math.nan,
           "se": math.nan, "df": math.nan}
    if math.isfinite(se) and se > 0 and math.isfinite(df):
        half = float(stdtrit(df, 1.0 - alpha / 2.0)) * se
        out.update(low=float(est - half), high=float(est + half), p_value=float(2.0 * stdtr(df, -abs(est / se))),
                   se=float(se), df=float(df))
    return out


def count_time_series(
    counts: Sequence[float],
    exposure: Sequence[float],
    intervention_index: int,
    alpha: float = 0.05,
    *,
    time: Sequence[float] | None = None,
    seasons: Sequence[float] | None = None,
    cycle: int | None = None,
    metric: str | None = None,
    iteration=None,
    experiment: str | None = None,
) -> dict:
    """Quasi-Poisson segmented regression of counts with log(exposure) offset.

    ``seasons``: each period's place in its yearly cycle of ``cycle`` periods (None:
    no seasonal terms); Fourier terms are used when the series spans two cycles.
    Keys: rate_ratio {estimate, low, high, p_value, se (of the log)}, fitted and
    counterfactual (rates per unit of exposure), dispersion, seasonal, too_short,
    periods_before, periods_after.
    """
    where = dict(metric=metric, iteration=iteration, experiment=experiment)
    y = np.asarray(counts, dtype=float).ravel()
    e = np.asarray(exposure, dtype=float).ravel()
    n, t0 = y.size, int(intervention_index)
    if e.size != n:
        raise StatsInputError(f"exposure et values n'ont pas la même longueur ({e.size} et {n})", **where)
    if not (np.all(np.isfinite(y)) and np.all(y >= 0) and np.all(y == np.round(y))):
        raise StatsInputError("les valeurs d'une série de comptages doivent être des entiers positifs ou nuls", **where)
    if not (np.all(np.isfinite(e)) and np.all(e > 0)):
        raise StatsInputError("l'exposition (exposure) doit être strictement positive à chaque période", **where)
    check_series(n, t0, where)
    time = np.arange(n, dtype=float) if time is None else np.asarray(time, dtype=float)
    span = float(time[-1] - time[0]) + 1.0
    cols = [np.ones(n), (time - time.mean()) / max(span, 1.0), (np.arange(n) >= t0).astype(float)]
    seasonal = seasons is not None and cycle is not None and span >= 2 * cycle
    if seasonal:
        angle = 2.0 * math.pi * np.asarray(seasons, dtype=float) / cycle
        cols += [f(k * angle) for k in (1, 2) for f in (np.sin, np.cos)]
    x = np.column_stack(cols)
    offset = np.log(e) - float(np.log(e).mean())
    too_short = n < MIN_PERIODS or min(t0, n - t0) < MIN_PER_SIDE
    ratio = {"estimate": math.nan, "low": math.nan, "high": math.nan, "p_value": math.nan, "se": math.nan}
    fitted = counterfactual = [math.nan] * n
    dispersion = math.nan
    if y.sum() > 0 and min(t0, n - t0) >= 1:
        from scipy.special import ndtr, ndtri
        from statsmodels.genmod.families import Poisson
        from statsmodels.genmod.generalized_linear_model import GLM

        with quiet():
            # Poisson fit, then the quasi-Poisson (Pearson X2) scale: statsmodels' own
            # scale="X2" divides the first deviance by a scale of 0 and raises when the
            # counts are constant (a series without residual variability, not an error).
            fit = GLM(y, x, family=Poisson(), offset=offset).fit()
            dispersion = float(fit.pearson_chi2 / fit.df_resid) if n > x.shape[1] else math.nan
            dispersion = 0.0 if dispersion < 1e-10 else dispersion  # rounding residue of an exact fit
            se = float(np.sqrt(fit.cov_params()[2, 2] * dispersion)) if n > x.shape[1] else math.nan
        b = np.asarray(fit.params)
        lin = x @ b + offset - np.log(e)
        fitted = np.exp(lin).tolist()
        counterfactual = np.exp(lin - b[2] * x[:, 2]).tolist()
        ratio["estimate"] = math.exp(b[2])
        if not too_short and math.isfinite(se) and se > 0:
            half = float(ndtri(1.0 - alpha / 2.0)) * se
            ratio.update(low=math.exp(b[2] - half), high=math.exp(b[2] + half), se=se,
                         p_value=float(2.0 * ndtr(-abs(b[2] / se))))
    return {
        "rate_ratio": ratio,
        "fitted": list(fitted),
        "counterfactual": list(counterfactual),
        "dispersion": dispersion,
        "seasonal": bool(seasonal),
        "too_short": bool(too_short),
        "periods_before": t0,
        "periods_after": n - t0,
    }
