"""The register through its pages: write, pre-register, amend, run, decide."""

from __future__ import annotations

import hashlib
import re

import pytest

from conftest import names_field, text_of
from tal.experiments.tables import Experiment

HEADER = {
    "title": "Accueil sans rendez-vous le samedi",
    "slug": "accueil-samedi",
    "design": "randomized",
    "service": "Population et citoyenneté",
    "partner_services": ["Numérique"],
    "visibility": "internal",
    "summary": "Ouvrir le samedi matin.",
    "objectives": "",  # the form's marker: a box list is sent even with no box ticked
}
PLAN = {
    "hypotheses[1].key": "h1",
    "hypotheses[1].we_believe": "ouvrir le samedi réduit l'attente",
    "hypotheses[1].to_verify_we_will": "tirer au sort les semaines",
    "hypotheses[1].we_will_measure": "la part d'usagers servis en moins de 15 minutes",
    "hypotheses[1].we_are_right_if": "elle monte de 5 points",
    "metrics[1].key": "servis",
    "metrics[1].label": "Servis en moins de 15 minutes",
    "metrics[1].hypothesis": "h1",
    "metrics[1].kind": "binary",
    "metrics[1].role": "primary",
    "metrics[1].direction": "increase",
    "metrics[1].mde": "0,05",
    "metrics[1].alpha": "0,05",
    "metrics[1].power": "0,8",
    "metrics[1].baseline": "0,6",
    "arms[1].key": "semaine",
    "arms[1].label": "Horaires actuels",
    "arms[1].control": "on",
    "arms[1].share": "0,5",
    "arms[2].key": "samedi",
    "arms[2].label": "Ouverture le samedi",
    "arms[2].share": "0,5",
}

# Every field the data and iteration forms show (the forms refuse a field left out).
DATA = {f"r.servis.{arm}.{name}": "" for arm in ("semaine", "samedi") for name in ("n", "successes")}
ITERATION = {"started_on": "2026-03-02", "ended_on": "", "change": "",
             **{f"learning.{name}": "" for name in ("we_believed", "we_observed", "we_learned", "therefore_we_will")}}


async def version(slug: str) -> int:
    row = await Experiment.select(Experiment.version).where(Experiment.slug == slug).first()
    return row["version"] if row else 0


async def draft(client) -> None:
    response = await client.post("/experimentations/nouvelle", HEADER)
    assert response.status_code == 303, text_of(response.text)
    assert response.headers["location"] == "/experimentations/accueil-samedi/plan"
    response = await client.post("/experimentations/accueil-samedi/plan", PLAN)
    assert response.status_code == 303, text_of(response.text)


async def test_a_team_writes_a_draft_plan_and_changes_it_freely(client, accounts):
    await client.login("agent")
    await draft(client)
    page = text_of((await client.get("/experimentations/accueil-samedi")).text)
    assert "Brouillon" in page
    assert "Nous pensons que… ouvrir le samedi réduit l'attente" in page
    assert "Servis en moins de 15 minutes" in page and "Ouverture le samedi" in page
    changed = {**PLAN, "metrics[1].mde": "0,04"}
    assert (await client.post("/experimentations/accueil-samedi/plan", changed)).status_code == 303
    doc = (await client.get("/api/v1/experiments/accueil-samedi")).json()["document"]
    assert doc["metrics"][0]["mde"] == 0.04
    assert doc.get("amendments", []) == []


async def test_pre_registration_locks_the_plan_with_a_verifiable_hash(client, accounts):
    await client.login("agent")
    await draft(client)
    response = await client.post("/experimentations/accueil-samedi/statut", {"to": "registered"})
    assert response.status_code == 303
    data = (await client.get("/api/v1/experiments/accueil-samedi")).json()
    registration = data["registration"]
    plan_bytes = (await client.get(registration["plan_url"])).content
    assert hashlib.sha256(plan_bytes).hexdigest() == registration["registration_hash"] == registration["plan_hash"]
    assert registration["plan_matches_hash"] is True
    page = text_of((await client.get("/experimentations/accueil-samedi")).text)
    assert registration["registration_hash"] in page and "Pré-enregistrée" in page

    # Changing the plan now needs a reason: without one, nothing changes.
    before = await version("accueil-samedi")
    response = await client.post("/experimentations/accueil-samedi/plan", {**PLAN, "metrics[1].mde": "0,03"})
    assert response.status_code == 400
    assert "donnez la raison de l'amendement" in text_of(response.text)
    assert await version("accueil-samedi") == before

    response = await client.post(
        "/experimentations/accueil-samedi/plan",
        {**PLAN, "metrics[1].mde": "0,03", "amendment.reason": "Le volume attendu est plus grand", "amendment.major": "on"},
    )
    assert response.status_code == 303
    data = (await client.get("/api/v1/experiments/accueil-samedi")).json()
    amendment = data["document"]["amendments"][0]
    assert amendment["major"] is True and amendment["reason"] == "Le volume attendu est plus grand"
    assert "mde : 0.05 → 0.03" in amendment["change"]
    assert data["registration"]["registration_hash"] == registration["registration_hash"]
    assert data["registration"]["plan_hash"] != registration["plan_hash"]
    page = text_of((await client.get("/experimentations/accueil-samedi")).text)
    assert "amendement majeur" in page and "Le volume attendu est plus grand" in page

    # Saving the same plan again is no amendment.
    response = await client.post(
        "/experimentations/accueil-samedi/plan", {**PLAN, "metrics[1].mde": "0,03", "amendment.reason": "rien"}
    )
    assert response.status_code == 400 and "le plan n'a pas changé" in text_of(response.text)


async def test_the_whole_lifecycle_with_iterations_results_and_learning(client, other_client, accounts):
    await client.login("agent")
    await draft(client)
    for step in ("registered", "running"):
        assert (await client.post("/experimentations/accueil-samedi/statut", {"to": step})).status_code == 303
    response = await client.post(
        "/experimentations/accueil-samedi/iterations/nouvelle",
        {"started_on": "2026-03-02", "ended_on": "2026-04-10", "change": "Ouverture de 9 h à 12 h"},
    )
    assert response.headers["location"] == "/experimentations/accueil-samedi/iterations/1/donnees"
    response = await client.post(
        "/experimentations/accueil-samedi/iterations/1/donnees",
        {"r.servis.semaine.n": "400", "r.servis.semaine.successes": "240",
         "r.servis.samedi.n": "410", "r.servis.samedi.successes": "290"},
    )
    assert response.status_code == 303, text_of(response.text)
    response = await client.post(
        "/experimentations/accueil-samedi/iterations/1/modifier",
        {**ITERATION, "started_on": "2026-03-02", "ended_on": "2026-04-10", "change": "Ouverture de 9 h à 12 h",
         "learning.we_believed": "que le samedi désengorgerait", "learning.we_observed": "plus d'usagers servis vite",
         "learning.we_learned": "la demande existe", "learning.therefore_we_will": "proposer la généralisation"},
    )
    assert response.status_code == 303
    assert (await client.post("/experimentations/accueil-samedi/statut", {"to": "concluded"})).status_code == 303

    # The team cannot decide; the committee can.
    assert (await client.get("/experimentations/accueil-samedi/decision")).status_code == 403
    await other_client.login("comite")
    response = await other_client.post(
        "/experimentations/accueil-samedi/decision",
        {"decision.outcome": "scale", "decision.decided_on": "2026-05-12", "decision.rationale": "Effet net",
         "decision.target_services": ["Numérique"]},
    )
    assert response.status_code == 303, text_of(response.text)
    data = (await client.get("/api/v1/experiments/accueil-samedi")).json()
    doc = data["document"]
    assert doc["experiment"]["status"] == "decided"
    assert doc["iterations"][0]["results"][1] == {"metric": "servis", "arm": "samedi", "n": 410, "successes": 290}
    assert doc["iterations"][0]["learning"]["we_learned"] == "la demande existe"
    assert doc["decision"]["outcome"] == "scale"
    assert [s["status"] for s in data["status_history"]] == ["draft", "registered", "running", "concluded", "decided"]
    page = text_of((await client.get("/experimentations/accueil-samedi")).text)
    assert "240 / 400 (60 %)" in page and "Nous en avons appris… la demande existe" in page
    assert "Généraliser" in page
    # Decided is final.
    response = await client.post("/experimentations/accueil-samedi/statut", {"to": "abandoned"})
    assert response.status_code == 400


async def test_an_experiment_can_be_abandoned_at_any_point(client, accounts):
    await client.login("agent")
    await draft(client)
    assert (await client.post("/experimentations/accueil-samedi/statut", {"to": "abandoned"})).status_code == 303
    data = (await client.get("/api/v1/experiments/accueil-samedi")).json()
    assert data["document"]["experiment"]["status"] == "abandoned"
    assert [s["status"] for s in data["status_history"]] == ["draft", "abandoned"]


async def test_only_the_owning_and_partner_teams_may_edit(client, other_client, accounts):
    await client.login("agent")
    await draft(client)
    before = await version("accueil-samedi")
    await other_client.login("voirie")
    assert (await other_client.get("/experimentations/accueil-samedi")).status_code == 200  # no silos for reading
    assert (await other_client.get("/experimentations/accueil-samedi/plan")).status_code == 403
    response = await other_client.post("/experimentations/accueil-samedi/modifier", {**HEADER, "title": "Piraté"})
    assert response.status_code == 403
    response = await other_client.post("/experimentations/accueil-samedi/statut", {"to": "abandoned"})
    assert response.status_code == 403
    assert await version("accueil-samedi") == before
    # A partner service's agent may.
    await other_client.post("/deconnexion")
    await other_client.login("numerique")
    response = await other_client.post("/experimentations/accueil-samedi/modifier", {**HEADER, "title": "Accueil le samedi matin"})
    assert response.status_code == 303
    assert (await other_client.get("/api/v1/experiments/accueil-samedi")).json()["document"]["experiment"]["title"] == "Accueil le samedi matin"


async def test_a_visitor_sees_only_public_experiments(client, samples, accounts):
    public = {s for s, d in samples.items() if d.experiment.visibility == "public" and d.experiment.status != "draft"}
    internal = set(samples) - public
    listing = (await client.get("/api/v1/experiments")).json()
    assert {i["slug"] for i in listing["items"]} == public
    for slug in internal:
        assert (await client.get(f"/experimentations/{slug}")).status_code == 404
        assert (await client.get(f"/api/v1/experiments/{slug}")).status_code == 404
    assert (await client.get("/experimentations/nouvelle")).status_code == 403
    await client.login("voirie")
    listing = (await client.get("/api/v1/experiments")).json()
    assert {i["slug"] for i in listing["items"]} == set(samples)


async def test_journal_entries_of_an_experiment_follow_the_journal_rules(client, other_client, samples, accounts):
    slug, doc = next((s, d) for s, d in samples.items() if any(not e.published for e in d.journal))
    drafts = {e.title for e in doc.journal if not e.published}
    published = {e.title for e in doc.journal if e.published}

    async def titles(c) -> set[str]:
        return {e["title"] for e in (await c.get(f"/api/v1/experiments/{slug}")).json()["document"].get("journal", [])}

    await client.login("voirie")  # another service: published entries only
    assert await titles(client) == published
    await other_client.login("admin")  # a draft is not an admin's to read
    assert await titles(other_client) == published
    from conftest import PASSWORD
    from tal import db
    from tal.accounts.services import create_account

    async with db.transaction():
        await create_account("equipe", PASSWORD, role="agent", service=doc.experiment.service)
    await other_client.login("equipe")  # a file's draft has no author in TAL: its team reads it
    assert await titles(other_client) == published | drafts
    public_slug = next(s for s, d in samples.items() if d.journal and d.experiment.visibility == "public")
    await client.post("/deconnexion")
    data = (await client.get(f"/api/v1/experiments/{public_slug}")).json()
    assert data["document"].get("journal", []) == []  # entries are not public until someone makes them so


# Each bad input of the forms: a French message naming the field, 400, nothing written.
BAD_PLANS = [
    ("wrong type", {"metrics[1].mde": "beaucoup"}, "metrics[1].mde", "doit être un nombre"),
    ("shares do not sum to 1", {"arms[2].share": "0,6"}, "arms", "doivent faire 1"),
    ("unknown hypothesis", {"metrics[1].hypothesis": "h7"}, "metrics[1].hypothesis", "n'existe pas"),
    ("bad key", {"arms[2].key": "Le Samedi"}, "arms[2].key", "format invalide"),
    ("bad enumeration", {"metrics[1].kind": "binaire"}, "metrics[1].kind", "non autorisée"),
    ("text over its length", {"hypotheses[1].we_believe": "x" * 5001}, "hypotheses[1].we_believe", "trop long"),
    ("missing required", {"metrics[1].label": ""}, "metrics[1].label", "clé obligatoire manquante"),
]


@pytest.mark.parametrize("change, field, message", [c[1:] for c in BAD_PLANS], ids=[c[0] for c in BAD_PLANS])
async def test_bad_plan_input_is_refused_with_the_field_named(client, accounts, change, field, message):
    await client.login("agent")
    await draft(client)
    before = await version("accueil-samedi")
    response = await client.post("/experimentations/accueil-samedi/plan", {**PLAN, **change})
    assert response.status_code == 400
    page = text_of(response.text)
    assert names_field(response.text, field) and message in page
    if "." in field:  # a field, not a whole section
        assert 'aria-invalid="true"' in response.text
    assert await version("accueil-samedi") == before


BAD_HEADERS = [
    ("slug not a slug", {"slug": "Accueil Samedi"}, "slug", "format invalide"),
    ("missing title", {"title": ""}, "title", "Indiquez un titre."),
    ("title too long", {"title": "t" * 201}, "title", "trop long"),
    ("unknown service", {"service": "Service fantôme"}, "service", "service inconnu"),
    ("not the actor's service", {"service": "Voirie et propreté", "partner_services": []}, "service", "votre service"),
    ("bad design", {"design": "tirage"}, "design", "non autorisée"),
]


@pytest.mark.parametrize("change, field, message", [c[1:] for c in BAD_HEADERS], ids=[c[0] for c in BAD_HEADERS])
async def test_bad_new_experiment_is_refused_and_nothing_is_written(client, accounts, change, field, message):
    await client.login("agent")
    response = await client.post("/experimentations/nouvelle", {**HEADER, **change})
    assert response.status_code == 400
    page = text_of(response.text)
    assert names_field(response.text, field) and message in page
    assert await Experiment.count() == 0


async def running(client) -> None:
    await client.login("agent")
    await draft(client)
    for step in ("registered", "running"):
        await client.post("/experimentations/accueil-samedi/statut", {"to": step})
    await client.post("/experimentations/accueil-samedi/iterations/nouvelle", {"started_on": "2026-03-02"})


BAD_DATA = [
    ("successes greater than n", {"r.servis.semaine.n": "10", "r.servis.semaine.successes": "11"}, "r.servis.semaine.successes", "ne peuvent pas dépasser n"),
    ("negative count", {"r.servis.semaine.n": "-10", "r.servis.semaine.successes": "1"}, "r.servis.semaine.n", "supérieur ou égal à 0"),
    ("not a number", {"r.servis.semaine.n": "dix", "r.servis.semaine.successes": "1"}, "r.servis.semaine.n", "nombre entier"),
    ("missing value", {"r.servis.semaine.n": "10"}, "r.servis.semaine.successes", "obligatoire"),
]


@pytest.mark.parametrize("data, field, message", [c[1:] for c in BAD_DATA], ids=[c[0] for c in BAD_DATA])
async def test_bad_results_are_refused_with_the_field_named(client, accounts, data, field, message):
    await running(client)
    before = await version("accueil-samedi")
    response = await client.post("/experimentations/accueil-samedi/iterations/1/donnees", {**DATA, **data})
    assert response.status_code == 400
    page = text_of(response.text)
    assert names_field(response.text, field) and message in page
    assert await version("accueil-samedi") == before


async def test_iteration_dates_in_the_wrong_order_are_refused(client, accounts):
    await running(client)
    before = await version("accueil-samedi")
    response = await client.post(
        "/experimentations/accueil-samedi/iterations/1/modifier", {**ITERATION, "ended_on": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "Fin : la date de fin précède la date de début" in text_of(response.text)
    assert names_field(response.text, "ended_on")
    response = await client.post("/experimentations/accueil-samedi/iterations/1/modifier",
                                 {**ITERATION, "started_on": "02/03/2026"})
    assert response.status_code == 400 and "Début : date attendue" in text_of(response.text)
    assert names_field(response.text, "started_on")
    assert await version("accueil-samedi") == before


async def test_concurrent_edits_are_detected(client, accounts):
    await client.login("agent")
    await draft(client)
    stale = await version("accueil-samedi")
    await client.post("/experimentations/accueil-samedi/modifier", {**HEADER, "title": "Premier", "version": stale})
    response = await client.post("/experimentations/accueil-samedi/modifier", {**HEADER, "title": "Second", "version": stale})
    assert response.status_code == 409
    assert (await client.get("/api/v1/experiments/accueil-samedi")).json()["document"]["experiment"]["title"] == "Premier"


async def test_markdown_summary_is_sanitised(client, accounts):
    await client.login("agent")
    summary = "**gras** <script>alert(1)</script> [lien](javascript:alert(1)) <img src=x onerror=alert(1)>"
    await client.post("/experimentations/nouvelle", {**HEADER, "summary": summary})
    html = (await client.get("/experimentations/accueil-samedi")).text
    assert "<strong>gras</strong>" in html
    # no script but the application's own files (print.js)
    assert all(re.fullmatch(r'<script src="/static/[a-z]+\.js\?v=\w+" defer>', tag) for tag in re.findall(r"<script[^>]*>", html.lower()))
    assert "alert(1)</script>" not in html
    assert not re.search(r"href=[\"']?\s*javascript", html, re.I)
    assert not re.search(r"<[^>]*\bon\w+=", html)


async def test_the_plan_shows_the_sample_size_needed_per_arm(client, accounts):
    from tal.stats import sample_size_binary

    await client.login("agent")
    await draft(client)
    page = text_of((await client.get("/experimentations/accueil-samedi/plan")).text)
    expected = int(sample_size_binary(0.6, 0.05, 1, 0.05, 0.8)[0])
    assert 1400 < expected < 1500
    assert (f"Effectif nécessaire par bras pour une puissance de 80 % à l'effet minimal visé : {expected:,}"
            .replace(",", " ")) in page
