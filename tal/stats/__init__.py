"""tal.stats — the evaluation engine: pure functions over sufficient statistics.

No database, no web. numpy is imported here; scipy and statsmodels only inside the
functions that need them (``import statsmodels.api`` takes seconds). See
STATS.md for the methods; every randomized kernel is vectorised over comparisons
and the single experiment is the portfolio of one.
"""

from .binary import compare_binary
from .did import difference_in_differences
from .errors import StatsInputError
from .evaluate import engine_versions, evaluate_experiment, evaluate_portfolio
from .its import count_time_series, interrupted_time_series
from .mean import compare_mean
from .multiple import holm
from .ordinal import compare_ordinal
from .planning import (
    mde_binary,
    mde_mean,
    power_binary,
    power_mean,
    sample_size_binary,
    sample_size_mean,
)
from .posterior import prob_b_beats_a
from .rate import compare_rate
from .srm import srm_check
from .verdict import VERDICTS, verdicts

__all__ = [
    "StatsInputError",
    "VERDICTS",
    "compare_binary",
    "compare_mean",
    "compare_ordinal",
    "compare_rate",
    "count_time_series",
    "difference_in_differences",
    "engine_versions",
    "evaluate_experiment",
    "evaluate_portfolio",
    "holm",
    "interrupted_time_series",
    "mde_binary",
    "mde_mean",
    "power_binary",
    "power_mean",
    "prob_b_beats_a",
    "sample_size_binary",
    "sample_size_mean",
    "srm_check",
    "verdicts",
]
