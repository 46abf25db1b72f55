"""Scores, reliability, intervals and the small-group rule of the barometer.

Pure functions over lists of answers (dicts of item -> value): no database, no web.

- Psychological safety (Edmondson 1999): 7 items on 1–7, `ps1`, `ps3`, `ps5`
  reverse-scored (8 − x); a respondent's score is the mean of the 7 scored items.
- Well-being (WHO-5): 5 items on 0–5; the raw sum × 4 gives 0–100.
- Digital tools and change: 3 items on 1–5; the mean of the 3.
- Intervals: t intervals at 95 %; the change since the previous campaign is the
  Welch–Satterthwaite t interval of the difference (two independent samples).
- Cronbach's alpha: k/(k−1) · (1 − Σ item variances / variance of the sum), sample
  variances, on the scored items.
- Small groups: a group is shown from `k` answers; services under it are merged into
  « Autres services », and shown services are moved there too until nothing hidden can
  be deduced by difference from the total (complementary suppression).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PS_ITEMS = tuple(f"ps{i}" for i in range(1, 8))
PS_REVERSED = frozenset({"ps1", "ps3", "ps5"})
WHO_ITEMS = tuple(f"who{i}" for i in range(1, 6))
DIG_ITEMS = tuple(f"dig{i}" for i in range(1, 4))
ITEMS = PS_ITEMS + WHO_ITEMS + DIG_ITEMS
RANGES = {**{i: (1, 7) for i in PS_ITEMS}, **{i: (0, 5) for i in WHO_ITEMS}, **{i: (1, 5) for i in DIG_ITEMS}}
LEVEL = 0.95

ALL = "Ensemble de la collectivité"
OTHERS = "Autres services"


def scored(item: str, value: int) -> int:
    """An item's value after reverse-scoring (ps1, ps3, ps5: 8 − x)."""
    return 8 - value if item in PS_REVERSED else value


def psychological_safety(answer: dict) -> float:
    return sum(scored(i, answer[i]) for i in PS_ITEMS) / len(PS_ITEMS)


def wellbeing(answer: dict) -> float:
    """The WHO-5 percentage score: raw sum (0–25) × 4."""
    return float(sum(answer[i] for i in WHO_ITEMS) * 4)


def digital(answer: dict) -> float:
    return sum(answer[i] for i in DIG_ITEMS) / len(DIG_ITEMS)


SCALES = {
    "psychological_safety": (psychological_safety, PS_ITEMS),
    "wellbeing": (wellbeing, WHO_ITEMS),
    "digital": (digital, DIG_ITEMS),
}
WITH_ALPHA = ("psychological_safety", "wellbeing")


def _variance(values: list[float]) -> float:
    n = len(values)
    mean = sum(values) / n
    return sum((v - mean) ** 2 for v in values) / (n - 1)


def t_quantile(df: float) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + LEVEL / 2, df))


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float
    sd: float | None
    ci: tuple[float, float] | None


def mean_interval(values: list[float]) -> Estimate:
    """Mean, standard deviation and t interval (none under 2 values)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return Estimate(n, mean, None, None)
    sd = math.sqrt(_variance(values))
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return Estimate(n, mean, sd, (mean - half, mean + half))


def difference_interval(before: Estimate, after: Estimate) -> tuple[float, tuple[float, float] | None] | None:
    """after − before and its Welch–Satterthwaite t interval (two independent samples);
    no interval when both samples are constant, no change under 2 values on a side."""
    if before.sd is None or after.sd is None:
        return None
    a, b = before.sd**2 / before.n, after.sd**2 / after.n
    diff = after.mean - before.mean
    se = math.sqrt(a + b)
    if se == 0:
        return diff, None
    df = (a + b) ** 2 / (a**2 / (before.n - 1) + b**2 / (after.n - 1))
    half = t_quantile(df) * se
    return diff, (diff - half, diff + half)


def cronbach_alpha(rows: list[list[float]]) -> float | None:
    """Cronbach's alpha of respondents × items; None when undefined (n < 2, constant sums)."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    items = sum(_variance([row[j] for row in rows]) for j in range(k))
    total = _variance([sum(row) for row in rows])
    if total == 0:
        return None
    return k / (k - 1) * (1 - items / total)


@dataclass
class ScaleResult:
    mean: float
    ci: tuple[float, float] | None
    alpha: float | None
    estimate: Estimate
    change: tuple[float, tuple[float, float] | None] | None = None


@dataclass
class GroupResult:
    group: str
    services: list[str]
    n: int
    population: int
    scales: dict[str, ScaleResult]
    distribution: dict[str, dict[int, int]]
    free: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return min(1.0, self.n / self.population) if self.population else None


def describe(group: str, services: list[str], answers: list[dict], population: int) -> GroupResult:
    """The figures of one group (never called on fewer than 2 answers by the service)."""
    scales = {}
    for name, (score, items) in SCALES.items():
        estimate = mean_interval([score(a) for a in answers])
        alpha = cronbach_alpha([[scored(i, a[i]) for i in items] for a in answers]) if name in WITH_ALPHA else None
        scales[name] = ScaleResult(estimate.mean, estimate.ci, alpha, estimate)
    distribution = {item: {v: 0 for v in range(RANGES[item][0], RANGES[item][1] + 1)} for item in ITEMS}
    for a in answers:
        for item in ITEMS:
            distribution[item][a[item]] += 1
    return GroupResult(group, services, len(answers), population, scales, distribution)


def compare(current: GroupResult, previous: GroupResult | None) -> None:
    """Set each scale's change since the previous campaign's same group."""
    if previous is None:
        return
    for name, scale in current.scales.items():
        scale.change = difference_interval(previous.scales[name].estimate, scale.estimate)


@dataclass(frozen=True)
class Groups:
    """Which groups can be shown: `services` alone, `others` merged (shown when
    `others_shown`), and the whole when `whole_shown`."""

    services: list[str]
    others: list[str]
    others_shown: bool
    whole_shown: bool

    def group_of(self, service: str) -> str | None:
        """The shown group that holds a service's answers, or None."""
        if service in self.services:
            return service
        if service in self.others and self.others_shown:
            return OTHERS
        return None


def suppress(counts: dict[str, int], k: int) -> Groups:
    """The groups to show for these answer counts per service, with threshold k.

    Services under k go to « Autres services ». When that group is not empty yet
    under k, it could be deduced by difference (whole − shown services): the
    smallest shown services join it until it reaches k (or it holds everything).
    """
    total = sum(counts.values())
    if total < k:
        return Groups([], sorted(counts), False, False)
    shown = sorted((s for s, n in counts.items() if n >= k), key=lambda s: (counts[s], s))
    others = [s for s, n in counts.items() if n < k]
    hidden = sum(counts[s] for s in others)
    while 0 < hidden < k and shown:
        moved = shown.pop(0)
        others.append(moved)
        hidden += counts[moved]
    # A single shown service equal to the whole reveals nothing more; an empty
    # « autres » group reveals nothing either.
    return Groups(sorted(shown), sorted(others), hidden >= k and bool(shown), True)
