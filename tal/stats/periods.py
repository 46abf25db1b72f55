"""Period labels: ISO strings or date objects, compared through one text form."""

from __future__ import annotations

from collections.abc import Sequence


def label(value) -> str:
    """The text form of a period label (``date`` → ISO 8601)."""
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def first_post_index(periods: Sequence, intervention_at) -> int | None:
    """Index of the first period with the change, or None when outside the series.

    An exact label match first; otherwise, for labels in a sortable form such as
    ISO 8601, the first period at or after ``intervention_at`` when it falls
    strictly inside the series.
    """
    labels = [label(p) for p in periods]
    target = label(intervention_at)
    if target in labels:
        return labels.index(target)
    if labels and labels == sorted(labels) and labels[0] < target <= labels[-1]:
        return next(i for i, x in enumerate(labels) if x >= target)
    return None
