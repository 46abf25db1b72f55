"""Loading experiment files (`tal load`, the demo): above the register and the journal.

Each file's experiment is saved by the register, then its journal entries by the
journal, in the caller's transaction: all or nothing. The experiments not yet in the
database are created a hundred files at a time (the same rows as one at a time, in a
few statements); the others are updated one by one (pre-registration lock, history,
journal matching). The evaluation snapshots are refreshed once at the end, over
every loaded experiment at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from tal import db
from tal.audit import services as audit
from tal.core.errors import DomainError
from tal.i18n import N_
from tal.evaluation import services as evaluation
from tal.experiments import services as experiments
from tal.experiments.schemas import ExperimentFile
from tal.journal import services as journal

# Files of new experiments created together, in a few statements (and the progress step).
CHUNK = 100


async def load_documents(docs: list[ExperimentFile], sources: list[str] | None = None,
                         progress: Callable[[int], None] | None = None) -> list[experiments.SaveResult]:
    """Save each document and its journal entries. `sources`: the file of each document,
    named in errors with the key path; `progress`: called with the number of files done."""
    slugs = [d.experiment.slug for d in docs]
    seen: set[str] = set()
    duplicates = sorted({s for s in slugs if s in seen or seen.add(s)})
    if duplicates:
        raise DomainError(N_("le même slug apparaît dans plusieurs fichiers\u202f: %(files)s"), "experiment.slug",
                          {"files": ", ".join(duplicates)})
    existing = await experiments.ids_of(slugs)
    results: list[experiments.SaveResult] = []
    new: list[int] = []  # the files (numbers) of experiments to create, not yet saved

    def named(number: int, exc: DomainError) -> DomainError:
        if sources is None:
            return exc
        where = f"{sources[number]} : {exc.field}" if exc.field else sources[number]
        return type(exc)(exc.template, where, exc.params or None)

    async def create() -> None:
        for number in new:
            try:
                experiments.check(docs[number])
                journal.check_file_entries(docs[number].journal)
            except DomainError as exc:
                raise named(number, exc) from None
        created = await experiments.create_from_files([docs[n] for n in new])
        await journal.add_file_entries([(r.experiment_id, r.service_id, docs[n].experiment.service, docs[n].journal)
                                        for n, r in zip(new, created) if docs[n].journal])
        results.extend(created)
        new.clear()
        if progress is not None:
            progress(len(results))

    with db.remembering_ids():
        for number, doc in enumerate(docs):
            experiment_id = existing.get(doc.experiment.slug)
            if experiment_id is None:
                new.append(number)
                if len(new) == CHUNK:
                    await create()
                continue
            if new:
                await create()
            try:
                results.append(await _update(doc, experiment_id))
            except DomainError as exc:
                raise named(number, exc) from None
            if progress is not None:
                progress(len(results))
        if new:
            await create()
    # The command line has no account and no address; the audit log says the file did it.
    file = {"account_id": None, "address": None, "detail": {"source": "file"}}
    await audit.record_many(
        [{**file, "action": "experiment.register", "target": r.slug} for r in results if r.registered]
        + [{**file, "action": "experiment.amend", "target": r.slug, "detail": {"source": "file", "amendments": r.amended}}
           for r in results if r.amended])
    await evaluation.refresh([r.slug for r in results])
    return results


async def _update(doc: ExperimentFile, experiment_id: int) -> experiments.SaveResult:
    """Save the file of an experiment already in the database, then its journal entries."""
    journal_changed = await journal.file_entries_changed(experiment_id, doc.journal)
    result = await experiments.save(doc, None, from_file=True, evaluate=False, attached_changed=journal_changed)
    if journal_changed:
        await journal.replace_entries(result.experiment_id, result.service_id, doc.journal,
                                      team_name=doc.experiment.service)
    return result
