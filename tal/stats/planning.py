"""Planning: sample size per arm, minimum detectable effect, achieved power.

- binary: Cohen's h between ``baseline`` and ``baseline ± mde``
  (``proportion_effectsize``), two-sided normal power (``NormalIndPower``);
- mean: two-sample t power (``TTestIndPower``) with d = mde / ``baseline_sd``;
- rate: exposure per arm for the ratio 1 ± mde / baseline rate, normal power on the
  log rate ratio (variance 1/(λ_A·t) + 1/(λ_B·t));
- ordinal: units per arm for a probability of superiority 0.5 ± mde (Noether:
  n = (z_{1−α/2} + z_power)² / (6·(P − 0.5)²), ties ignored, so conservative).

With several comparisons the caller passes the multiplicity-adjusted alpha
(Bonferroni over the comparisons the verdicts adjust with Holm), see
``tal.stats.evaluate``.

The two-sided normal power is Φ(s − c) + Φ(−s − c) with s = |h| / sqrt(1/n_A + 1/n_B)
and c = z_{1−α/2}; the binary functions solve it in closed form plus Newton steps,
vectorised, to a precision well beyond ``solve_power``'s (checked against
statsmodels in the tests). The mean functions use noncentral t; where scipy's
``nctdtr`` gives NaN (noncentrality beyond about 37), the normal approximation of
the noncentral t (Abramowitz–Stegun 26.7.10), accurate there to far better than
the third decimal of a power.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ._util import floats, quiet


def _normal_s(alpha, power):
    """s solving Φ(s − c) + Φ(−s − c) = power, with c = z_{1−α/2}."""
    from scipy.special import ndtr, ndtri

    c = ndtri(1.0 - alpha / 2.0)
    s = c + ndtri(power)
    for _ in range(6):
        f = ndtr(s - c) + ndtr(-s - c) - power
        d = np.exp(-0.5 * (s - c) ** 2) - np.exp(-0.5 * (s + c) ** 2)
        s = s - f / (d / math.sqrt(2.0 * math.pi))
    return s


def cohen_h(p_target, p_base):
    """2·asin(√p_target) − 2·asin(√p_base) (statsmodels' proportion_effectsize)."""
    return 2.0 * np.arcsin(np.sqrt(p_target)) - 2.0 * np.arcsin(np.sqrt(p_base))


def sample_size_binary(baseline, mde, sign=1.0, alpha=0.05, power=0.8, rounded=True) -> np.ndarray:
    """Units per arm (equal arms) to detect baseline → baseline + sign·mde; NaN if impossible.

    Rounded up unless ``rounded`` is False.
    """
    baseline, mde, sign, alpha, power = floats(baseline, mde, sign, alpha, power)
    target = baseline + sign * mde
    with quiet():
        h = np.abs(cohen_h(target, baseline))
        n = 2.0 * (_normal_s(alpha, power) / h) ** 2
    ok = (target >= 0) & (target <= 1) & (mde > 0) & (baseline >= 0) & (baseline <= 1)
    return np.where(ok & np.isfinite(n), np.ceil(n) if rounded else n, np.nan)


def power_binary(baseline, mde, n_a, n_b, sign=1.0, alpha=0.05) -> np.ndarray:
    """Power to detect the mde with n_a and n_b units (two-sided normal, Cohen's h)."""
    from scipy.special import ndtr, ndtri

    baseline, mde, n_a, n_b, sign, alpha = floats(baseline, mde, n_a, n_b, sign, alpha)
    target = baseline + sign * mde
    with quiet():
        s = np.abs(cohen_h(target, baseline)) / np.sqrt(1.0 / n_a + 1.0 / n_b)
        c = ndtri(1.0 - alpha / 2.0)
        power = ndtr(s - c) + ndtr(-s - c)
    ok = (target >= 0) & (target <= 1) & (baseline >= 0) & (baseline <= 1)
    return np.where(ok, power, np.nan)


def mde_binary(baseline, n_a, n_b, sign=1.0, alpha=0.05, power=0.8) -> tuple[np.ndarray, np.ndarray]:
    """(Cohen's h, absolute mde) detectable with n_a and n_b units; NaN beyond [0, 1]."""
    baseline, n_a, n_b, sign, alpha, power = floats(baseline, n_a, n_b, sign, alpha, power)
    with quiet():
        h = _normal_s(alpha, power) * np.sqrt(1.0 / n_a + 1.0 / n_b)
        angle = np.arcsin(np.sqrt(baseline)) + sign * h / 2.0
        target = np.sin(angle) ** 2
    inside = (angle >= 0) & (angle <= math.pi / 2)
    return h, np.where(inside, np.abs(target - baseline), np.nan)


def _nct_cdf(df, nc, x):
    """P(T ≤ x) for a noncentral t; the normal approximation where scipy gives NaN."""
    from scipy.special import nctdtr, ndtr

    exact = nctdtr(df, nc, x)
    approx = ndtr((x * (1.0 - 1.0 / (4.0 * df)) - nc) / np.sqrt(1.0 + x * x / (2.0 * df)))
    return np.where(np.isfinite(exact), exact, approx)


def power_mean(mde, sd, n_a, n_b, alpha=0.05) -> np.ndarray:
    """Two-sided two-sample t power for d = mde / sd (noncentral t, as TTestIndPower)."""
    from scipy.special import stdtrit

    mde, sd, n_a, n_b, alpha = floats(mde, sd, n_a, n_b, alpha)
    with quiet():
        df = n_a + n_b - 2.0
        nc = (np.abs(mde) / sd) / np.sqrt(1.0 / n_a + 1.0 / n_b)
        crit = stdtrit(df, 1.0 - alpha / 2.0)
        power = 1.0 - _nct_cdf(df, nc, crit) + _nct_cdf(df, nc, -crit)
    return np.where((sd > 0) & (df > 0), np.clip(power, 0.0, 1.0), np.nan)


@lru_cache(maxsize=4096)  # a portfolio repeats the same plans: each root is found once
def sample_size_mean(mde: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """Units per arm (equal arms) for d = mde / sd: the smallest whole n whose two-sample
    t power (as TTestIndPower) reaches the target, by bisection on whole numbers; None
    if undefined."""
    if not (mde and sd and mde > 0 and sd > 0):
        return None

    def reached(n: float) -> bool:
        return float(power_mean(mde, sd, n, n, alpha)[0]) >= power

    high = 2.0
    while not reached(high):
        high *= 2.0
        if high > 1e12:
            return None
    low = high / 2.0 if high > 2.0 else 1.0  # not reached (or the smallest possible n)
    if high == 2.0:
        return 2.0
    while high - low > 1:
        mid = math.floor((low + high) / 2.0)
        low, high = (low, mid) if reached(mid) else (mid, high)
    return float(high)


@lru_cache(maxsize=4096)
def mde_mean(sd: float, n_a: float, n_b: float, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """Absolute mean difference detectable with n_a and n_b units: the root of the
    two-sample t power (as TTestIndPower), found by bisection on a growing bracket."""
    if not (sd and sd > 0 and n_a >= 2 and n_b >= 2):
        return None

    def power_at(d: float) -> float:
        return float(power_mean(d * sd, sd, n_a, n_b, alpha)[0])

    high = 1.0
    while power_at(high) < power:
        high *= 2.0
        if high > 1e9:
            return None
    low = 0.0
    for _ in range(200):
        mid = (low + high) / 2.0
        low, high = (mid, high) if power_at(mid) < power else (low, mid)
        if high - low <= 1e-12 * high:
            break
    return high * sd


def _z_sum(alpha, power):
    from scipy.special import ndtri

    return ndtri(1.0 - alpha / 2.0) + ndtri(power)


def sample_size_rate(baseline_rate, mde, sign=1.0, alpha=0.05, power=0.8) -> np.ndarray:
    """Exposure per arm to detect the rate baseline_rate → baseline_rate + sign·mde
    (ratio 1 ± mde / baseline rate), normal power on the log ratio; NaN if impossible."""
    rate, mde, sign, alpha, power = floats(baseline_rate, mde, sign, alpha, power)
    target = rate + sign * mde
    with quiet():
        exposure = _z_sum(alpha, power) ** 2 * (1.0 / rate + 1.0 / target) / np.log(target / rate) ** 2
    ok = (rate > 0) & (target > 0) & (mde > 0) & np.isfinite(exposure)
    return np.where(ok, exposure, np.nan)


def sample_size_ordinal(mde, alpha=0.05, power=0.8) -> np.ndarray:
    """Units per arm for a probability of superiority 0.5 ± mde (Noether's formula,
    rounded up); NaN when mde is not in (0, 0.5)."""
    mde, alpha, power = floats(mde, alpha, power)
    with quiet():
        n = np.ceil(_z_sum(alpha, power) ** 2 / (6.0 * mde**2))
    return np.where((mde > 0) & (mde < 0.5), n, np.nan)
