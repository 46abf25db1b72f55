"""Loading and exporting files against the database: all or nothing, idempotent,
pre-registration enforced, an export reproduces the experiment."""

from __future__ import annotations

import pytest

from conftest import ROOT, SAMPLES
from tal import db, loader
from tal.core.errors import DomainError
from tal.experiments import fileformat, services
from tal.experiments.tables import Experiment
from tal.journal.tables import JournalEntry

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


async def load_text(*texts: str):
    docs = [fileformat.parse(t, f"f{i}.toml") for i, t in enumerate(texts)]
    async with db.transaction():
        return await loader.load_documents(docs)


async def test_samples_load_once_and_again_change_nothing(samples):
    rows = await Experiment.select(Experiment.slug, Experiment.version, Experiment.updated_at)
    assert len(rows) == len(samples) >= 8
    docs = [fileformat.read(p) for p in fileformat.collect([SAMPLES])]
    async with db.transaction():
        results = await loader.load_documents(docs)
    assert not any(r.changed for r in results)
    assert await Experiment.select(Experiment.slug, Experiment.version, Experiment.updated_at) == rows


async def test_export_into_an_empty_database_reproduces_every_sample(samples):
    exported = {}
    async with db.transaction(write=False):
        for slug in samples:
            exported[slug] = fileformat.dumps(await services.export(slug))
            assert fileformat.parse(exported[slug]) == samples[slug]
    for table in (JournalEntry, Experiment):
        await table.delete(force=True)
    await load_text(*exported.values())
    async with db.transaction(write=False):
        for slug, text in exported.items():
            assert fileformat.dumps(await services.export(slug)) == text


async def test_a_bad_file_among_good_ones_writes_nothing(database):
    good = MINIMAL
    other = MINIMAL.replace("essai-minimal", "autre-essai")
    broken = MINIMAL.replace("essai-minimal", "essai-casse").replace("successes = 147", "successes = 1500")
    with pytest.raises(DomainError):
        await load_text(good, other, broken)
    assert await Experiment.count() == 0


async def test_a_failure_inside_the_transaction_rolls_back_earlier_writes(database):
    first = fileformat.parse(MINIMAL)
    second = fileformat.parse(MINIMAL.replace("essai-minimal", "deuxieme").replace('service = "Population et citoyenneté"', 'service = "Finances"'))
    with pytest.raises(DomainError):
        async with db.transaction():
            await loader.load_documents([first, second])
            raise DomainError("échec simulé après écriture")
    assert await Experiment.count() == 0


async def test_the_same_slug_twice_in_one_load_is_refused(database):
    with pytest.raises(DomainError, match="plusieurs fichiers"):
        await load_text(MINIMAL, MINIMAL)
    assert await Experiment.count() == 0


async def test_a_registered_plan_changes_only_with_a_new_amendment(database):
    await load_text(MINIMAL)
    before = await Experiment.select().where(Experiment.slug == "essai-minimal").first()
    changed = MINIMAL.replace("mde = 0.03", "mde = 0.02")
    with pytest.raises(DomainError) as caught:
        await load_text(changed)
    assert caught.value.field == "amendments"
    assert "mde : 0.03 → 0.02" in caught.value.message
    # A file may not add an amendment to a plan already in TAL (it would be dated by the
    # file, in the past, and described by the file): the load is refused, nothing changes.
    amended = changed + '\n[[amendments]]\nat = 2026-03-15T10:00:00+01:00\nmajor = true\nreason = "Effet minimal revu"\nchange = "mde 0,03 → 0,02"\n'
    with pytest.raises(DomainError, match="un fichier ne peut pas amender") as caught:
        await load_text(amended)
    assert caught.value.field == "amendments[1]"
    assert await Experiment.select().where(Experiment.slug == "essai-minimal").first() == before


async def test_stored_amendments_are_compared_never_replaced(database):
    # A new experiment's file brings its own history of amendments (from another collectivité).
    amended = MINIMAL.replace("mde = 0.03", "mde = 0.02") + (
        '\n[[amendments]]\nat = 2026-03-15T10:00:00+01:00\nmajor = true\nreason = "Effet minimal revu"\n'
        'change = "mde 0,03 → 0,02"\n')
    await load_text(amended)
    await load_text(amended)  # the same file again changes nothing
    with pytest.raises(DomainError, match="amendements déjà enregistrés"):
        await load_text(amended.replace('reason = "Effet minimal revu"', 'reason = "Autre raison"'))
    with pytest.raises(DomainError, match="amendements déjà enregistrés"):
        await load_text(MINIMAL)


async def test_registration_date_cannot_be_rewritten(database):
    await load_text(MINIMAL)
    with pytest.raises(DomainError) as caught:
        await load_text(MINIMAL.replace("2026-02-20T09:30:00", "2026-03-20T09:30:00"))
    assert caught.value.field == "experiment.registered_at"


async def test_unknown_services_and_objectives_of_a_file_are_created(database):
    from tal.accounts.services import service_names

    await load_text(MINIMAL)
    assert {"Population et citoyenneté", "Numérique"} <= set(await service_names())
    assert await services.objective_titles() == ["Simplifier les démarches"]


async def test_a_file_publishing_or_withdrawing_journal_entries_is_in_the_audit_log(database):
    """Publications and withdrawals of journal entries are audited whatever their way in: a file too.
    A file withdraws a draft it leaves out; it may not leave out a published entry."""
    from tal.audit.tables import AuditEntry

    def entry(title: str, published: bool) -> str:
        return (f'\n[[journal]]\ntitle = "{title}"\nhappened_on = 2026-03-20\n'
                f'what_happened = "Une mise à jour a doublé les envois."\npublished = {str(published).lower()}\n')

    await load_text(MINIMAL + entry("Les SMS partaient deux fois", False) + entry("Un brouillon", False))
    ids = {r["title"]: r["id"] for r in await JournalEntry.select(JournalEntry.id, JournalEntry.title)}
    await load_text(MINIMAL + entry("Les SMS partaient deux fois", True) + entry("Un brouillon", False))
    await load_text(MINIMAL + entry("Les SMS partaient deux fois", True))  # the draft left the file: withdrawn
    states = {r["title"]: r["state"] for r in await JournalEntry.select(JournalEntry.title, JournalEntry.state)}
    assert states == {"Les SMS partaient deux fois": "published", "Un brouillon": "withdrawn"}
    with pytest.raises(DomainError):
        await load_text(MINIMAL)  # a published entry may not leave the file
    events = await AuditEntry.select(AuditEntry.action, AuditEntry.target, AuditEntry.account_id).where(
        AuditEntry.action.like("journal.%")).order_by(AuditEntry.id)
    assert [(e["action"], e["target"], e["account_id"]) for e in events] == [
        ("journal.publish", str(ids["Les SMS partaient deux fois"]), None),
        ("journal.withdraw", str(ids["Un brouillon"]), None)]
