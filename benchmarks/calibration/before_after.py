"""Before/after (interrupted time series), measured values: the engine's AR(1) GLS
(REML, Satterthwaite t) on simulated series of 12 to 120 periods with AR(1) noise
(φ = 0, 0.3, 0.6) and the change 6 periods after the start, in the middle, or 6
periods before the end.

- false effect rate: no change at all (a trend only); share of p < 0.05 for the
  effect at the last period, the figure the verdict reads;
- coverage: a level change of 2 and a slope change of 0.1 (noise sd 1); share of
  95 % intervals of the effect at the last period that contain the true effect.
Also the false level-change rate (the level change is shown with its p-value).
"""

from __future__ import annotations

import numpy as np
from scipy.special import stdtrit

from tal.stats.its import ar1_gls, contrasts, design

from . import ALPHA, COVERAGE_TARGET, FPR_TARGET, row, slack

FULL = {"runs": 2000, "lengths": (12, 24, 48, 120), "phis": (0.0, 0.3, 0.6)}
REDUCED = {"runs": 400, "lengths": (12, 36), "phis": (0.0, 0.6)}
BURN_IN = 50


def ar1_noise(rng, runs: int, n: int, phi: float) -> np.ndarray:
    e = rng.normal(size=(runs, n + BURN_IN))
    u = np.empty_like(e)
    u[:, 0] = e[:, 0] / np.sqrt(1.0 - phi**2)
    for t in range(1, n + BURN_IN):
        u[:, t] = phi * u[:, t - 1] + e[:, t]
    return u[:, BURN_IN:]


def _fit(y: np.ndarray, t0: int):
    n = y.shape[1]
    time = np.arange(n, dtype=float)
    c = contrasts(time, t0)
    fit = ar1_gls(y, design(time, t0), c)
    half = stdtrit(fit["df"], 1.0 - ALPHA / 2.0) * fit["se"]
    return fit["estimate"], half


def rows(reduced: bool, seed: int) -> list[dict]:
    conf = REDUCED if reduced else FULL
    runs = conf["runs"]
    fpr_slack, coverage_slack = slack(FPR_TARGET, runs, reduced), slack(COVERAGE_TARGET, runs, reduced)
    out = []
    for n in conf["lengths"]:
        for t0 in sorted({6, n // 2, n - 6}):
            for phi in conf["phis"]:
                rng = np.random.default_rng([seed, n, t0, int(phi * 10)])
                setting = f"{n} periods, change at {t0}, AR(1) φ = {phi:g}, {runs} runs"
                trend = 10.0 + 0.2 * np.arange(n)
                est, half = _fit(trend + ar1_noise(rng, runs, n, phi), t0)
                false = np.abs(est) > half
                out.append(row("before_after", setting, "false effect rate (effect at last period)",
                               false[:, 2].mean(), FPR_TARGET, True, fpr_slack))
                out.append(row("before_after", setting, "false level-change rate",
                               false[:, 0].mean(), FPR_TARGET, True, fpr_slack))
                since = np.where(np.arange(n) >= t0, np.arange(n) - t0, 0.0)
                step = (np.arange(n) >= t0) * 2.0 + 0.1 * since
                truth = 2.0 + 0.1 * (n - 1 - t0)
                est, half = _fit(trend + step + ar1_noise(rng, runs, n, phi), t0)
                covered = np.abs(est[:, 2] - truth) <= half[:, 2]
                out.append(row("before_after", setting, "95 % interval coverage", covered.mean(),
                               COVERAGE_TARGET, False, coverage_slack))
    return out
