"""Recorded evidence is never silently lost or rewritten (issue 8, points 1 to 3):
forms change only what they carry, frozen results change only by a correction with a
reason kept in the history, files cannot add back-dated amendments, and every write
carries the version it was based on (409 otherwise), even under concurrency."""

from __future__ import annotations

import asyncio
import json

from conftest import names_field, text_of
from tal import loader
from tal.audit.tables import AuditEntry
from tal.experiments import fileformat
from tal.experiments.tables import Experiment, ExperimentEvent
from tal.journal.tables import JournalEntry
from test_journal_web import ENTRY, tags, write  # noqa: F401 (fixture)
from test_register_robustness import as_rendered
from test_register_web import DATA, running, version

DECIDED = "rappel-sms-etat-civil"
DATA_URL = f"/experimentations/{DECIDED}/iterations/1/donnees"


async def document(slug: str) -> dict:
    row = await Experiment.select(Experiment.document).where(Experiment.slug == slug).first()
    return json.loads(row["document"]) if isinstance(row["document"], str) else row["document"]


async def audit_actions() -> list[tuple[str, str]]:
    return [(r["action"], r["target"]) for r in await AuditEntry.select().order_by(AuditEntry.id)]


async def test_a_near_empty_data_form_erases_nothing(client, samples, accounts):
    await client.login("agent")
    before = await document(DECIDED)
    stamp = await version(DECIDED)
    # Only the CSRF token: the version is missing, so it is a conflict.
    response = await client.post(DATA_URL, {}, version=False)
    assert response.status_code == 409
    assert "rechargez la page" in text_of(response.text)
    # With the version but without the fields the form shows: the field is named.
    response = await client.post(DATA_URL, {})
    assert response.status_code == 400
    assert "champ absent du formulaire" in text_of(response.text) and names_field(response.text, "r.absence.courrier.n")
    assert await document(DECIDED) == before and await version(DECIDED) == stamp
    assert await ExperimentEvent.count() == len(samples[DECIDED].amendments) + sum(
        len(d.amendments) for s, d in samples.items() if s != DECIDED)


async def test_the_other_edit_forms_refuse_left_out_fields(client, samples, accounts):
    await client.login("agent")
    before = await document(DECIDED)
    for url, field in [(f"/experimentations/{DECIDED}/modifier", "summary"),
                       (f"/experimentations/{DECIDED}/iterations/1/modifier", "started_on")]:
        response = await client.post(url, {"title": "Titre seul"})
        assert response.status_code == 400, url
        assert "champ absent du formulaire" in text_of(response.text)
    entry_id = await write(client)
    response = await client.post(f"/journal/{entry_id}/modifier", {"title": "Titre seul", "action": "draft"})
    assert response.status_code == 400 and "Quand c'est arrivé : champ absent du formulaire" in text_of(response.text)
    assert (await JournalEntry.select(JournalEntry.title).where(JournalEntry.id == entry_id).first())["title"] == ENTRY["title"]
    assert await document(DECIDED) == before


async def test_frozen_results_change_only_by_a_correction_kept_in_the_history(client, other_client, samples, accounts):
    await client.login("agent")
    form = as_rendered((await client.get(DATA_URL)).text)
    assert form["r.absence.sms.n"] == ["1198"]
    before = await document(DECIDED)
    response = await client.post(DATA_URL, {**form, "r.absence.sms.n": "1200"})
    assert response.status_code == 400
    assert names_field(response.text, "correction.reason") and "figés" in text_of(response.text)
    assert await document(DECIDED) == before
    response = await client.post(DATA_URL, {**form, "r.absence.sms.n": "1200",
                                            "correction.reason": "Deux rendez-vous comptés deux fois"})
    assert response.status_code == 303, text_of(response.text)
    results = (await document(DECIDED))["iterations"][0]["results"]
    assert next(r for r in results if r["metric"] == "absence" and r["arm"] == "sms")["n"] == 1200
    # The history says who, when, why, and what changed, before and after.
    page = text_of((await client.get(f"/experimentations/{DECIDED}")).text)
    assert "Correction de résultats figés (agent)" in page
    assert "Raison : Deux rendez-vous comptés deux fois" in page
    assert "Itération 1, results · absence · sms : n avant 1198 après 1200" in page
    change = (await client.get(f"/api/v1/experiments/{DECIDED}")).json()["history"][-1]["detail"]["changes"][0]
    assert change["before"] == {"metric": "absence", "arm": "sms", "n": 1198, "successes": 149}
    assert change["after"] == {"metric": "absence", "arm": "sms", "n": 1200, "successes": 149}
    # The public page of a public experiment would not name the agent.
    event = await ExperimentEvent.select().where(ExperimentEvent.kind == "correction").first()
    assert event["account"] == accounts["agent"].id and event["source"] == "form"
    assert ("experiment.correct_results", DECIDED) in await audit_actions()
    # A file cannot change frozen results at all.
    from tal import db
    from tal.core.errors import DomainError
    from tal.experiments import services
    import pytest

    doc = await services.export(DECIDED)
    text = fileformat.dumps(doc).replace("n = 1200", "n = 1300")
    with pytest.raises(DomainError, match="un fichier ne peut pas les changer"):
        async with db.transaction():
            await loader.load_documents([fileformat.parse(text)])


async def test_a_file_cannot_add_a_back_dated_amendment(client, samples, accounts):
    from tal import db
    from tal.core.errors import DomainError
    from tal.experiments import services
    import pytest

    slug = "extinction-eclairage-coeur-de-nuit"
    before = await Experiment.select().where(Experiment.slug == slug).first()
    text = fileformat.dumps(await services.export(slug)).replace("mde = 8.0", "mde = 24.0")
    text += ('\n[[amendments]]\nat = 2026-11-16T15:00:00+01:00\nmajor = false\n'
             'reason = "précision"\nchange = "aucun changement du plan"\n')
    with pytest.raises(DomainError, match="un fichier ne peut pas amender"):
        async with db.transaction():
            await loader.load_documents([fileformat.parse(text)])
    assert await Experiment.select().where(Experiment.slug == slug).first() == before


async def test_the_history_shows_where_each_amendment_came_from(client, samples, accounts):
    await client.login("agent")
    page = text_of((await client.get(f"/experimentations/{DECIDED}")).text)
    assert "chargé depuis un fichier" in page
    await running(client)
    form = as_rendered((await client.get("/experimentations/accueil-samedi/plan")).text)
    response = await client.post("/experimentations/accueil-samedi/plan",
                                 {**form, "metrics[1].mde": "0,04", "amendment.reason": "Effet revu"})
    assert response.status_code == 303, text_of(response.text)
    page = text_of((await client.get("/experimentations/accueil-samedi")).text)
    assert "Raison : Effet revu" in page and "saisi dans un formulaire" in page
    api = (await client.get("/api/v1/experiments/accueil-samedi")).json()
    assert [e["source"] for e in api["history"] if e["kind"] == "amendment"] == ["form"]
    actions = await audit_actions()
    assert ("experiment.register", "accueil-samedi") in actions and ("experiment.amend", "accueil-samedi") in actions


async def test_every_write_form_without_its_version_is_a_conflict(client, other_client, samples, accounts):
    await client.login("agent")
    await running(client)
    slug = "accueil-samedi"
    stamp = await version(slug)
    forms = {
        f"/experimentations/{slug}/modifier": None,
        f"/experimentations/{slug}/plan": None,
        f"/experimentations/{slug}/iterations/nouvelle": {"started_on": "2026-05-01"},
        f"/experimentations/{slug}/iterations/1/modifier": None,
        f"/experimentations/{slug}/iterations/1/donnees": None,
        f"/experimentations/{slug}/statut": {"to": "concluded"},
    }
    for url, data in forms.items():
        if data is None:
            data = as_rendered((await client.get(url)).text)
            data.pop("version")
        response = await client.post(url, data, version=False)
        assert response.status_code == 409, url
        assert "rechargez la page" in text_of(response.text)
        stale = await client.post(url, {**data, "version": stamp - 1})
        assert stale.status_code == 409, url
    assert await version(slug) == stamp
    entry_id = await write(client, action="draft")
    entry_stamp = (await JournalEntry.select(JournalEntry.version).where(JournalEntry.id == entry_id).first())["version"]
    for url, data in {f"/journal/{entry_id}/modifier": {**ENTRY, "action": "draft"},
                      f"/journal/{entry_id}/publier": {}, f"/journal/{entry_id}/relecture": {"reviewer": "numerique"},
                      f"/journal/{entry_id}/retirer": {"reason": "doublon"}}.items():
        assert (await client.post(url, data, version=False)).status_code == 409, url
    row = await JournalEntry.select().where(JournalEntry.id == entry_id).first()
    assert (row["version"], row["state"], row["reviewer"]) == (entry_stamp, "draft", None)
    # The committee's decision too.
    await other_client.login("comite")
    response = await other_client.post(f"/experimentations/{DECIDED}/decision", {
        "decision.outcome": "stop", "decision.decided_on": "2026-07-01", "decision.rationale": "Non"}, version=False)
    assert response.status_code == 409


async def _many(client, url: str, data: dict, count: int = 20) -> list[int]:
    responses = await asyncio.gather(*(client.post(url, data) for _ in range(count)))
    return sorted(r.status_code for r in responses)


async def test_concurrent_new_iterations_exactly_one_wins_per_version(client, accounts):
    await running(client)
    slug = "accueil-samedi"
    stamp = await version(slug)
    codes = await _many(client, f"/experimentations/{slug}/iterations/nouvelle",
                        {"started_on": "2026-05-01", "version": stamp})
    assert codes.count(303) == 1 and codes.count(409) == len(codes) - 1, codes
    assert [it["number"] for it in (await document(slug))["iterations"]] == [1, 2]
    # Without the version, none is stored.
    codes = await _many(client, f"/experimentations/{slug}/iterations/nouvelle", {"started_on": "2026-06-01",
                                                                                 "version": ""})
    assert set(codes) == {409}
    assert len((await document(slug))["iterations"]) == 2


async def test_concurrent_journal_edits_exactly_one_wins_per_version(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client, action="draft")
    stamp = (await JournalEntry.select(JournalEntry.version).where(JournalEntry.id == entry_id).first())["version"]
    responses = await asyncio.gather(*(
        client.post(f"/journal/{entry_id}/modifier", {**ENTRY, "title": f"Version {i}", "action": "draft",
                                                      "version": stamp}) for i in range(12)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(303) == 1 and codes.count(409) == 11, codes
    winner = next(i for i, r in enumerate(responses) if r.status_code == 303)
    row = await JournalEntry.select().where(JournalEntry.id == entry_id).first()
    assert (row["title"], row["version"]) == (f"Version {winner}", stamp + 1)


async def test_journal_publication_and_withdrawal_are_audited(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client, action="draft")
    assert (await client.post(f"/journal/{entry_id}/publier", {})).status_code == 303
    assert (await client.post(f"/journal/{entry_id}/retirer", {"reason": "doublon"})).status_code == 303
    actions = await audit_actions()
    assert ("journal.publish", str(entry_id)) in actions and ("journal.withdraw", str(entry_id)) in actions
    entry = await AuditEntry.select().where(AuditEntry.action == "journal.withdraw").first()
    assert entry["account_id"] == accounts["agent"].id and entry["address"] == "127.0.0.1"
