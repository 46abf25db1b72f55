"""Import a unit-level CSV file into one iteration of an experiment.

`prepare` reads and aggregates the file (in a worker thread: the server is never
stalled) and returns what would be recorded, without writing anything. `record`
writes it through the register's single write path (`experiments.services.save`):
for the metrics present in the file, the iteration's results are replaced, in one
write with its history line, checked against the version the preview was based on.
The rows themselves are never stored.

Between the page's preview and its confirmation, the aggregate travels in a signed
form field (no state kept in the server's memory); a tampered field is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import BinaryIO

import anyio.to_thread
import msgspec

from tal import db
from tal.accounts.actor import Actor
from tal.core.errors import DomainError, Forbidden, NotFound
from tal.core.validation import convert
from tal.experiments import rules, services
from tal.experiments.schemas import ExperimentFile, Iteration
from tal.imports.aggregate import Aggregate, Aggregator
from tal.imports.csvfile import ImportFailure, thousands
from tal.settings import get_settings
from tal.i18n import N_

MB = 1024 * 1024
PREVIEW_SECONDS = 3600  # a preview is confirmed within the hour, or the file is read again


@dataclass
class Preview:
    """What an import would record, and what it was based on."""

    slug: str
    iteration: int
    version: int
    filename: str
    aggregate: Aggregate


def max_bytes() -> int:
    return get_settings().import_max_mb * MB


class TooLarge(ImportFailure):
    status_code = 413


def check_size(size: int) -> None:
    limit = get_settings().import_max_mb
    if size > limit * MB:
        raise TooLarge(N_("le fichier dépasse la taille maximale de %(limit)s Mo (TAL_IMPORT_MAX_MB)"), limit=limit)


def find_iteration(doc: ExperimentFile, number: int) -> Iteration:
    for iteration in doc.iterations:
        if iteration.number == number:
            return iteration
    raise NotFound(N_("aucune itération n° %(number)d\u202f: créez-la d'abord"), "iteration", {"number": number})


def _complete(aggregate: Aggregate, current: Iteration, intervention_at: str, treated_units: list[str]) -> None:
    """Series and panels take the intervention period and treated units given, or the iteration's."""
    for entry in aggregate.series:
        known = next((s for s in current.series if s.metric == entry["metric"]), None)
        entry["intervention_at"] = intervention_at or (known.intervention_at if known else "")
        if not entry["intervention_at"]:
            raise DomainError(N_("donnez la première période avec le changement pour «\u202f%(metric)s\u202f»"), "intervention_at",
                              {"metric": entry["metric"]})
        if known is not None and known.hac_maxlags is not None:
            entry["hac_maxlags"] = known.hac_maxlags
    for entry in aggregate.panel:
        known = next((p for p in current.panel if p.metric == entry["metric"]), None)
        entry["intervention_at"] = intervention_at or (known.intervention_at if known else "")
        entry["treated_units"] = treated_units or (known.treated_units if known else [])
        if not entry["intervention_at"]:
            raise DomainError(N_("donnez la première période avec le changement pour «\u202f%(metric)s\u202f»"), "intervention_at",
                              {"metric": entry["metric"]})
        if not entry["treated_units"]:
            raise DomainError(N_("donnez les unités concernées par le changement pour «\u202f%(metric)s\u202f»"), "treated_units",
                              {"metric": entry["metric"]})


def merged(doc: ExperimentFile, number: int, aggregate: Aggregate) -> ExperimentFile:
    """The document with the iteration's results replaced for the file's metrics."""
    current = find_iteration(doc, number)
    keys = set(aggregate.metrics)
    data = msgspec.to_builtins(current)
    for name in ("results", "series", "panel"):
        kept = [row for row in data.get(name, []) if row["metric"] not in keys]
        data[name] = kept + getattr(aggregate, name)
    order = {m.key: i for i, m in enumerate(doc.metrics)}
    data["results"].sort(key=lambda r: order.get(r["metric"], 0))
    iteration = convert(data, Iteration, f"iterations[{number}]")
    iterations = [iteration if it.number == number else it for it in doc.iterations]
    new = msgspec.structs.replace(doc, iterations=iterations)
    rules.check(new)
    return new


def _editable(view: services.ExperimentView) -> None:
    if not view.can_edit:
        raise Forbidden(N_("seules les équipes des services porteur et partenaires peuvent importer des données ici"))


async def prepare(
    slug: str,
    number: int,
    stream: BinaryIO,
    actor: Actor | None,
    *,
    filename: str = "",
    intervention_at: str = "",
    treated_units: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Preview:
    """Aggregate the file for this iteration (in a thread, outside any transaction);
    nothing is written."""
    async with db.transaction(write=False):
        view = await services.get(slug, actor)
    if actor is not None:
        _editable(view)
    current = find_iteration(view.doc, number)
    aggregate = await anyio.to_thread.run_sync(lambda: Aggregator(view.doc).run(stream, progress))
    _complete(aggregate, current, intervention_at.strip(), [u.strip() for u in treated_units or [] if u.strip()])
    merged(view.doc, number, aggregate)  # every rule checked now: the preview shows only what can be recorded
    return Preview(slug, number, view.version, filename[:200], aggregate)


async def record(preview: Preview, actor: Actor | None) -> services.SaveResult:
    """Write the previewed aggregate (inside the caller's write transaction)."""
    view = await services.get(preview.slug, actor)
    if actor is not None:
        _editable(view)
    new = merged(view.doc, preview.iteration, preview.aggregate)
    a = preview.aggregate
    event = {
        "source": "import",
        "iteration": preview.iteration,
        "file": preview.filename,
        "rows": a.rows,
        "metrics": a.metrics,
    }
    return await services.save(new, actor, expected_version=preview.version, event=event)


def summary(preview: Preview) -> str:
    """One line for the command line."""
    a = preview.aggregate
    skipped = sum(a.skipped.values())
    return (
        f"{thousands(a.rows)} ligne(s) lue(s), {thousands(a.skipped_rows)} sans groupe, "
        f"{thousands(skipped)} cellule(s) vide(s) ignorée(s) ; indicateurs : {', '.join(a.metrics)}."
    )


# ---------------------------------------------------------------- signed previews


def _key() -> bytes:
    return hashlib.sha256(b"tal-import:" + get_settings().secret_key.encode()).digest()


def sign(preview: Preview) -> str:
    """The preview as a form field: its content, when it was made, and their HMAC."""
    data = {**asdict(preview), "signed_at": int(time.time())}
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return body + "." + hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()


def unsign(token: str, slug: str, number: int) -> Preview:
    body, _, signature = token.partition(".")
    expected = hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        raise DomainError(N_("l'aperçu a été modifié : importez le fichier de nouveau"), "file")
    data = json.loads(base64.urlsafe_b64decode(body))
    if not 0 <= time.time() - data.pop("signed_at") <= PREVIEW_SECONDS:
        raise DomainError(N_("l'aperçu a expiré : importez le fichier de nouveau"), "file")
    preview = Preview(**{**data, "aggregate": Aggregate(**data["aggregate"])})
    if preview.slug != slug or preview.iteration != number:
        raise DomainError(N_("cet aperçu concerne une autre itération : importez le fichier de nouveau"), "file")
    return preview
