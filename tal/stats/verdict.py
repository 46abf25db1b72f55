"""The verdict of a comparison, from the pre-registered plan (STATS.md table).

Vectorised: every argument is an array with one element per comparison.

- ``confirmed``: p < alpha, the estimate goes in the predicted direction and the
  verdict interval does not lie entirely short of the mde;
- ``below_useful_effect``: p < alpha in the predicted direction, but the whole
  verdict interval lies between no effect and the mde: a real effect too small to
  act on;
- ``contradicted``: p < alpha and it goes the other way;
- ``no_useful_effect``: p ≥ alpha and the interval excludes every effect at least
  as large as the mde in the predicted direction;
- ``inconclusive``: otherwise (including a p-value that is not estimable);
- guardrails: ``guardrail_breached`` when p < alpha and the estimate goes the
  harmful way, ``guardrail_ok`` otherwise. A guardrail's ``direction`` is the
  good direction; harmful is the opposite.

Scales: ``null`` is the no-effect value of the interval's scale (0 for a
difference, 1 for a rate ratio, 0.5 for a probability of superiority) and
``margin`` the mde on that scale (mde; mde / control rate; mde).
"""

from __future__ import annotations

import numpy as np

VERDICTS = (
    "confirmed",
    "below_useful_effect",
    "contradicted",
    "no_useful_effect",
    "inconclusive",
    "guardrail_ok",
    "guardrail_breached",
)


def direction_sign(direction: str) -> float:
    """+1 for "increase", −1 for "decrease"."""
    return {"increase": 1.0, "decrease": -1.0}[direction]


def verdicts(p_adjusted, effect, low, high, alpha, sign, margin, null=0.0, guardrail=False) -> np.ndarray:
    """Verdict per comparison (array of str).

    ``effect`` is the signed departure from no effect (the difference; for an
    ordinal metric P − 0.5), which gives the direction; ``low``/``high`` the
    interval on the scale whose no-effect value is ``null``. The interval must be
    the one the p-value comes from (inverted from the same test, at the level the
    multiplicity adjustment implies): the verdict reads both, and they agree.
    """
    p, effect, low, high, alpha, sign, margin, null, guard = np.broadcast_arrays(
        *[np.asarray(v, dtype=float) for v in (p_adjusted, effect, low, high, alpha, sign, margin, null, guardrail)]
    )
    with np.errstate(invalid="ignore"):
        significant = p < alpha
        towards = sign * effect > 0
        harmful = sign * effect < 0
        threshold = null + sign * margin
        excludes = np.where(sign > 0, high < threshold, low > threshold)
        beyond_null = np.where(sign > 0, low > null, high < null)
        short = excludes & beyond_null  # the whole interval between no effect and the mde
    out = np.full(p.shape, "inconclusive", dtype=object)
    out[excludes & (p >= alpha)] = "no_useful_effect"
    out[significant & towards] = "confirmed"
    out[significant & towards & short] = "below_useful_effect"
    out[significant & ~towards] = "contradicted"
    guard = guard.astype(bool)
    out[guard] = "guardrail_ok"
    out[guard & significant & harmful] = "guardrail_breached"
    return out
