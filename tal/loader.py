"""Loading experiment files (`tal load`, the demo): above the register and the journal.

Each file's experiment is saved by the register, then its journal entries by the
journal, in the caller's transaction: all or nothing. The evaluation snapshots are
refreshed once at the end, over every loaded experiment at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from tal import db
from tal.audit import services as audit
from tal.core.errors import DomainError
from tal.evaluation import services as evaluation
from tal.experiments import services as experiments
from tal.experiments.schemas import ExperimentFile
from tal.journal import services as journal


async def load_documents(docs: list[ExperimentFile], sources: list[str] | None = None,
                         progress: Callable[[int], None] | None = None) -> list[experiments.SaveResult]:
    """Save each document and its journal entries. `sources`: the file of each document,
    named in errors with the key path; `progress`: called with the number of files done."""
    slugs = [d.experiment.slug for d in docs]
    seen: set[str] = set()
    duplicates = sorted({s for s in slugs if s in seen or seen.add(s)})
    if duplicates:
        raise DomainError(f"le même slug apparaît dans plusieurs fichiers : {', '.join(duplicates)}", "experiment.slug")
    results = []
    existing = await experiments.ids_of(slugs)
    with db.remembering_ids():
        for number, doc in enumerate(docs, start=1):
            try:
                results.append(await _load(doc, existing.get(doc.experiment.slug)))
            except DomainError as exc:
                if sources is None:
                    raise
                where = f"{sources[number - 1]} : {exc.field}" if exc.field else sources[number - 1]
                raise type(exc)(exc.message, where) from None
            if progress is not None:
                progress(number)
    # The command line has no account and no address; the audit log says the file did it.
    file = {"account_id": None, "address": None, "detail": {"source": "file"}}
    await audit.record_many(
        [{**file, "action": "experiment.register", "target": r.slug} for r in results if r.registered]
        + [{**file, "action": "experiment.amend", "target": r.slug, "detail": {"source": "file", "amendments": r.amended}}
           for r in results if r.amended])
    await evaluation.refresh([r.slug for r in results])
    return results


async def _load(doc: ExperimentFile, existing: int | None) -> experiments.SaveResult:
    journal_changed = existing is not None and await journal.file_entries_changed(existing, doc.journal)
    result = await experiments.save(doc, None, from_file=True, evaluate=False, attached_changed=journal_changed)
    if (result.created and doc.journal) or journal_changed:
        await journal.replace_entries(result.experiment_id, result.service_id, doc.journal, new=result.created,
                                      team_name=doc.experiment.service)
    return result
