"""The history of recorded evidence: where each amendment came from (form, API, file)
and each correction of frozen results (who, when, why, before and after).

Rows are only added, never changed. Results are frozen once an experiment is
concluded or decided: changing them is a correction, with a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from tal.accounts.actor import Actor
from tal.core.errors import DomainError
from tal.db import json_value
from tal.experiments.schemas import ExperimentFile, Iteration
from tal.experiments.tables import ExperimentEvent
from tal.i18n import N_

FROZEN = ("concluded", "decided")
SOURCES = ("form", "api", "file")
MAX_REASON = 2000


def _rows(iteration: Iteration | None) -> dict[str, Any]:
    """The results of an iteration, by a readable key: « résultats · metric · arm »."""
    if iteration is None:
        return {}
    rows: dict[str, Any] = {}
    for r in iteration.results:
        rows[f"results · {r.metric} · {r.arm}"] = msgspec.to_builtins(r)
    for s in iteration.series:
        rows[f"series · {s.metric}"] = msgspec.to_builtins(s)
    for p in iteration.panel:
        rows[f"panel · {p.metric}"] = msgspec.to_builtins(p)
    return rows


def result_changes(old: ExperimentFile, new: ExperimentFile) -> list[dict]:
    """What changed in the results, series and panels, iteration by iteration."""
    before = {it.number: it for it in old.iterations}
    after = {it.number: it for it in new.iterations}
    changes = []
    for number in sorted(before.keys() | after.keys()):
        old_rows, new_rows = _rows(before.get(number)), _rows(after.get(number))
        for key in sorted(old_rows.keys() | new_rows.keys()):
            old_row, new_row = old_rows.get(key), new_rows.get(key)
            if old_row != new_row:
                names = sorted((old_row or {}).keys() | (new_row or {}).keys())
                values = [{"name": name, "before": (old_row or {}).get(name), "after": (new_row or {}).get(name)}
                          for name in names if (old_row or {}).get(name) != (new_row or {}).get(name)]
                changes.append({"iteration": number, "field": key, "before": old_row, "after": new_row,
                                "values": values})
    return changes


def check_frozen(old: ExperimentFile, new: ExperimentFile, reason: str | None, source: str) -> list[dict]:
    """The changes to frozen results, refused without a reason (and always from a file)."""
    if old.experiment.status not in FROZEN:
        return []
    changes = result_changes(old, new)
    if not changes:
        return []
    if source == "file":
        raise DomainError(N_("les résultats d'une expérimentation conclue ou décidée sont figés\u202f: un fichier ne "
                             "peut pas les changer, corrigez-les dans TAL en donnant la raison"), "iterations")
    if not (reason or "").strip():
        raise DomainError(N_("les résultats d'une expérimentation conclue ou décidée sont figés\u202f: donnez la "
                             "raison de la correction"), "correction.reason")
    if len(reason) > MAX_REASON:
        raise DomainError(N_("trop long\u202f: 2000 caractères au plus"), "correction.reason")
    return changes


async def record(experiment_id: int, kind: str, source: str, actor: Actor | None, detail: dict) -> None:
    await ExperimentEvent.insert(ExperimentEvent(
        experiment=experiment_id, kind=kind, source=source, account=actor.id if actor else None,
        detail=msgspec.json.encode(detail).decode(),
    ))


async def record_amendments(experiment_id: int, first: int, count: int, source: str, actor: Actor | None) -> None:
    for index in range(first, first + count):
        await record(experiment_id, "amendment", source, actor, {"index": index})


async def record_correction(experiment_id: int, changes: list[dict], reason: str, source: str,
                            actor: Actor | None) -> None:
    await record(experiment_id, "correction", source, actor, {"reason": reason.strip(), "changes": changes})


async def events_of(experiment_id: int, actor: Actor | None) -> list[dict]:
    """The events, oldest first; who made them is shown to agents only, never to the public."""
    rows = await ExperimentEvent.select(
        ExperimentEvent.at, ExperimentEvent.kind, ExperimentEvent.source, ExperimentEvent.detail,
        ExperimentEvent.account.display_name.as_alias("who"),
    ).where(ExperimentEvent.experiment == experiment_id).order_by(ExperimentEvent.at).order_by(ExperimentEvent.id)
    events = []
    for row in rows:
        at = row["at"]
        events.append({"at": at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at), "kind": row["kind"],
                       "source": row["source"], "who": row["who"] if actor is not None else None,
                       "detail": json_value(row["detail"])})
    return events
