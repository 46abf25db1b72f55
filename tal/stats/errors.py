"""The one error the engine raises: bad input, explained in French."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class StatsInputError(ValueError):
    """Input the engine cannot evaluate (e.g. more successes than units).

    The message is French and names, where known, the experiment, the iteration,
    the metric and the arm. The parts are kept as attributes for callers that
    want to point at a field.
    """

    def __init__(
        self,
        reason: str,
        *,
        experiment: str | None = None,
        iteration: object = None,
        metric: str | None = None,
        arm: str | None = None,
    ) -> None:
        self.reason = reason
        self.experiment = experiment
        self.iteration = iteration
        self.metric = metric
        self.arm = arm
        where = []
        if experiment is not None:
            where.append(f"expérimentation « {experiment} »")
        if iteration is not None:
            where.append(f"itération {iteration}")
        if metric is not None:
            where.append(f"indicateur « {metric} »")
        if arm is not None:
            where.append(f"bras « {arm} »")
        super().__init__(f"{', '.join(where)} : {reason}" if where else reason)


# Where a vectorised comparison comes from, for error messages:
# (experiment, iteration, metric, arm, control), any part may be None.
Where = tuple[object, object, object, object, object]


def check(
    bad: np.ndarray,
    reason,
    where: Sequence[Where] | None,
    side: str = "arm",
) -> None:
    """Raise StatsInputError for the first True element of ``bad``.

    ``reason`` is a French string or a function of the element index giving one;
    ``side`` says which arm of the comparison is at fault ("arm", "control" or
    None when the comparison as a whole is).
    """
    bad = np.asarray(bad)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    text = reason(i) if callable(reason) else reason
    if where is None:
        raise StatsInputError(f"{text} (comparaison n° {i + 1})")
    experiment, iteration, metric, arm, control = where[i]
    name = {"arm": arm, "control": control}.get(side) if side else None
    raise StatsInputError(
        text,
        experiment=experiment,
        iteration=iteration,
        metric=metric,
        arm=name,
    )
