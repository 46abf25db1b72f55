"""Looking early: always-valid p-values and confidence sequences (mixture SPRT).

TAL evaluates whenever data are entered, and teams look at every iteration. Before
the planned sample size is reached, a result is « intermédiaire » and its verdict
uses an always-valid test, so that looking as often as one likes does not inflate
false confirmations (STATS.md, Looking early). The method is the normal mixture
sequential probability ratio test (Robbins 1970; Johari, Pekelis and Walsh 2017,
« Always valid inference », the test of commercial experimentation platforms),
chosen because it needs no record of past looks: it holds however many times and
whenever the results were looked at.

For an estimate θ̂ ~ N(θ, V) and a normal mixing distribution N(0, τ²) over the
effect under the alternative, the likelihood ratio against θ = 0 is

    Λ = sqrt(V / (V + τ²)) · exp(θ̂² τ² / (2 V (V + τ²))),

and p = min(1, 1/Λ) is always valid: P(p < α at any look | θ = 0) ≤ α (Ville's
inequality). Its inversion is the confidence sequence

    θ̂ ± sqrt(V (V + τ²) / τ² · (log((V + τ²) / V) − 2 log α)),

which excludes 0 exactly when p < α. τ is the plan's minimum useful effect on the
estimate's scale: the test is most powerful near the effect the plan aims at.
At and after the planned size, the fixed-sample analysis applies. Calibration:
``benchmarks/calibration/sequential.py``.
"""

from __future__ import annotations

import numpy as np

from ._util import floats, quiet


def always_valid_p(estimate, se, tau) -> np.ndarray:
    """Mixture SPRT p-value of θ = 0; NaN where the standard error is unknown or zero."""
    estimate, se, tau = floats(estimate, se, tau)
    with quiet():
        v = se**2
        t2 = tau**2
        log_lr = 0.5 * np.log(v / (v + t2)) + estimate**2 * t2 / (2.0 * v * (v + t2))
        p = np.minimum(1.0, np.exp(-log_lr))
    return np.where((se > 0) & np.isfinite(se) & (tau > 0) & np.isfinite(tau), p, np.nan)


def confidence_sequence(estimate, se, tau, alpha) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the mixture confidence sequence at level 1 − alpha."""
    estimate, se, tau, alpha = floats(estimate, se, tau, alpha)
    with quiet():
        v = se**2
        t2 = tau**2
        half = np.sqrt(v * (v + t2) / t2 * (np.log((v + t2) / v) - 2.0 * np.log(alpha)))
    ok = (se > 0) & np.isfinite(se) & (tau > 0) & np.isfinite(tau)
    return np.where(ok, estimate - half, np.nan), np.where(ok, estimate + half, np.nan)
