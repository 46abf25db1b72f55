"""The transversal committee: sessions, proposals, the candidate page, decisions through
the register's single write path, and the follow-up of what was spread."""

from __future__ import annotations

import datetime as dt

from conftest import text_of
from tal import db
from tal.audit.tables import AuditEntry
from tal.committee.tables import CommitteeSession, FollowUp, Proposal
from tal.experiments.tables import Experiment

SLUG = "rappel-sms-action-sociale"  # concluded, service « Action sociale », intervention rappel-sms-rendez-vous
CASE = {"cost": "2 000 € par an de SMS", "effort": "Une demi-journée de paramétrage",
        "beneficiaries": "Les usagers convoqués et les agents d'accueil", "risks": "Numéros de mobile manquants"}


async def version(slug: str = SLUG) -> int:
    return (await Experiment.select(Experiment.version).where(Experiment.slug == slug).first())["version"]


async def new_session(client, held_on: str, title: str = "Comité de novembre",
                      members: str = "Claire Martin (DGS)\nYves Roux (DSI)") -> int:
    response = await client.post("/comite/seances", {"title": title, "held_on": held_on, "members_present": members,
                                                     "notes": ""})
    assert response.status_code == 303, text_of(response.text)
    return int(response.headers["location"].rsplit("/", 1)[1])


async def propose_and_schedule(agent, committee, session_id: int, slug: str = SLUG) -> None:
    response = await agent.post(f"/comite/proposer/{slug}", CASE)
    assert response.status_code == 303, text_of(response.text)
    proposal = await Proposal.select().where(Proposal.experiment.slug == slug).first()
    response = await committee.post(f"/comite/propositions/{proposal['id']}/inscrire",
                                    {"session": str(session_id), "version": str(proposal["version"])})
    assert response.status_code == 303, text_of(response.text)


async def test_a_session_decides_a_spread_with_members_present_and_follows_it_up(client, other_client, samples,
                                                                                 accounts):
    await client.login("agent")
    await other_client.login("comite")
    # Only committee members record sessions.
    response = await client.post("/comite/seances", {"title": "x", "held_on": "2026-12-01", "members_present": "A",
                                                     "notes": ""})
    assert response.status_code == 403 and await CommitteeSession.count() == 0
    session_id = await new_session(other_client, "2026-12-01")
    assert await AuditEntry.exists().where((AuditEntry.action == "committee.session.create")
                                           & (AuditEntry.target == str(session_id)))
    await propose_and_schedule(client, other_client, session_id)
    assert await AuditEntry.exists().where(AuditEntry.action == "committee.schedule")

    home = text_of((await client.get("/comite")).text)
    assert "Comité de novembre" in home and "1 expérimentations à l'ordre du jour" in home
    page = text_of((await other_client.get(f"/comite/seances/{session_id}")).text)
    assert "Claire Martin (DGS), Yves Roux (DSI)" in page and "2 000 € par an de SMS" in page

    # The candidate page: plan, verdicts, evidence in plain words, power, replications pooled.
    page = text_of((await other_client.get(f"/comite/candidats/{SLUG}")).text)
    assert "Essai randomisé" in page and "Puissance atteinte" in page and "Réplications" in page
    assert "rappel-sms-rendez-vous" in page and "Nous pensons que…" in page and "Non concluante" in page
    assert "Sur 4 services" in page  # the replications' pooled estimate, in plain French
    candidate = (await other_client.get(f"/api/v1/committee/candidates/{SLUG}")).json()
    assert candidate["design"] == "randomized" and candidate["sample_size"] > 0
    assert candidate["proposals"][0]["state"] == "scheduled" and candidate["proposals"][0]["cost"] == CASE["cost"]

    # An agent cannot decide; the committee decides « essaimer » to two services.
    form = {"slug": SLUG, "decision.outcome": "spread", "decision.rationale": "Effet net, coût faible.",
            "decision.target_services": ["Affaires scolaires", "Urbanisme"], "version": str(await version())}
    response = await client.post(f"/comite/seances/{session_id}/decisions", form)
    assert response.status_code == 403
    response = await other_client.post(f"/comite/seances/{session_id}/decisions", form)
    assert response.status_code == 303, text_of(response.text)

    doc = (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]
    assert doc["experiment"]["status"] == "decided"
    assert doc["decision"] == {"outcome": "spread", "decided_on": "2026-12-01", "rationale": "Effet net, coût faible.",
                               "target_services": ["Affaires scolaires", "Urbanisme"],
                               "members_present": ["Claire Martin (DGS)", "Yves Roux (DSI)"]}
    assert "[decision]" in (await client.get(f"/experimentations/{SLUG}.toml")).text
    assert "Membres présents : Claire Martin (DGS), Yves Roux (DSI)" in text_of(
        (await client.get(f"/experimentations/{SLUG}")).text)
    assert await AuditEntry.exists().where((AuditEntry.action == "experiment.decide") & (AuditEntry.target == SLUG))

    follow = (await client.get("/api/v1/committee/follow-ups?open=1")).json()
    assert [(f["experiment"], f["service"], f["state"]) for f in follow] == [
        (SLUG, "Affaires scolaires", "open"), (SLUG, "Urbanisme", "open")]
    assert "Urbanisme" in text_of((await client.get("/comite/suivis")).text)

    # The target service says it adopted it, with the follow-up experiment that checks it still works there.
    first = follow[0]
    response = await client.post(f"/comite/suivis/{first['id']}", {"state": "adopted", "adopted_on": "2027-01-15",
                                                                   "follow_up": "rappel-sms-affaires-scolaires",
                                                                   "note": "", "version": str(first["version"])})
    assert response.status_code == 403  # « agent » is in Population et citoyenneté
    response = await other_client.post(f"/comite/suivis/{first['id']}", {
        "state": "adopted", "adopted_on": "2026-11-15", "follow_up": "", "note": "", "version": str(first["version"])})
    assert response.status_code == 400 and "l'adoption ne peut pas précéder la décision" in text_of(response.text)
    response = await other_client.post(f"/comite/suivis/{first['id']}", {
        "state": "adopted", "adopted_on": "2027-01-15", "follow_up": "rappel-sms-affaires-scolaires", "note": "",
        "version": str(first["version"])})
    assert response.status_code == 303, text_of(response.text)
    still_open = (await client.get("/api/v1/committee/follow-ups?open=1")).json()
    assert [f["service"] for f in still_open] == ["Urbanisme"]
    every = (await client.get("/api/v1/committee/follow-ups")).json()
    assert every[0]["state"] == "adopted" and every[0]["follow_up"] == "rappel-sms-affaires-scolaires"
    assert every[0]["adopted_on"] == "2027-01-15"

    # A stale follow-up form is refused.
    response = await other_client.post(f"/comite/suivis/{first['id']}", {
        "state": "not_adopted", "adopted_on": "2027-01-15", "follow_up": "", "note": "", "version": "1"})
    assert response.status_code == 409


async def test_bad_decisions_write_nothing(client, other_client, samples, accounts):
    await client.login("agent")
    await other_client.login("comite")
    # Only a concluded experiment can be proposed.
    response = await client.post("/comite/proposer/relance-factures-cantine", CASE)
    assert response.status_code == 400
    assert "seule une expérimentation conclue peut être proposée au comité" in text_of(response.text)
    # A case needs every field.
    response = await client.post(f"/comite/proposer/{SLUG}", {**CASE, "risks": "  "})
    assert response.status_code == 400 and "ne peut pas être vide" in text_of(response.text)
    assert await Proposal.count() == 0

    session_id = await new_session(other_client, "2026-12-01")
    before = await version()
    # Not on the agenda: refused, nothing written.
    response = await other_client.post(f"/comite/seances/{session_id}/decisions", {
        "slug": SLUG, "decision.outcome": "scale", "decision.rationale": "Oui", "version": str(before)})
    assert response.status_code == 400
    assert "cette expérimentation n'est pas à l'ordre du jour de cette séance" in text_of(response.text)

    await propose_and_schedule(client, other_client, session_id)
    # Essaimer without a target service.
    response = await other_client.post(f"/comite/seances/{session_id}/decisions", {
        "slug": SLUG, "decision.outcome": "spread", "decision.rationale": "Oui", "version": str(before)})
    assert response.status_code == 400 and "choisissez au moins un service" in text_of(response.text)
    # A stale version.
    response = await other_client.post(f"/comite/seances/{session_id}/decisions", {
        "slug": SLUG, "decision.outcome": "scale", "decision.rationale": "Oui", "version": str(before - 1)})
    assert response.status_code == 409
    assert await version() == before and await FollowUp.count() == 0

    # A decision on an experiment that is no longer concluded (decided meanwhile from its own page).
    response = await other_client.post(f"/experimentations/{SLUG}/decision", {
        "decision.outcome": "stop", "decision.decided_on": "2026-11-20", "decision.rationale": "Arrêt"})
    assert response.status_code == 303, text_of(response.text)
    response = await other_client.post(f"/comite/seances/{session_id}/decisions", {
        "slug": SLUG, "decision.outcome": "scale", "decision.rationale": "Oui", "version": str(await version())})
    assert response.status_code == 400
    assert "seule une expérimentation conclue peut recevoir une décision" in text_of(response.text)
    assert (await Proposal.select(Proposal.state).first())["state"] == "scheduled" and await FollowUp.count() == 0


async def test_a_past_session_with_decisions_no_longer_changes(client, other_client, samples, accounts):
    await client.login("agent")
    await other_client.login("comite")
    session_id = await new_session(other_client, "2026-10-01")
    await propose_and_schedule(client, other_client, session_id)
    response = await other_client.post(f"/comite/seances/{session_id}/decisions", {
        "slug": SLUG, "decision.outcome": "scale", "decision.rationale": "Effet confirmé.",
        "version": str(await version())})
    assert response.status_code == 303, text_of(response.text)
    rows = await FollowUp.select(FollowUp.service.name.as_alias("service"), FollowUp.outcome)
    assert rows == [{"service": "Action sociale", "outcome": "scale"}]  # généraliser: the owning service

    row = await CommitteeSession.select().first()
    response = await other_client.post(f"/comite/seances/{session_id}", {
        "title": "Autre titre", "held_on": "2026-10-01", "members_present": "Quelqu'un", "notes": "",
        "version": str(row["version"])})
    assert response.status_code == 400
    assert "cette séance est passée et ses décisions sont enregistrées" in text_of(response.text)
    after = await CommitteeSession.select().first()
    assert after["title"] == "Comité de novembre" and after["version"] == row["version"]

    # A future session still changes, with its version; without members it is refused.
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    other = await new_session(other_client, future, "Comité suivant")
    response = await other_client.post(f"/comite/seances/{other}", {
        "title": "Comité suivant", "held_on": future, "members_present": "  \n ", "notes": "", "version": "1"})
    assert response.status_code == 400 and "indiquez au moins un membre présent" in text_of(response.text)
    response = await other_client.post(f"/comite/seances/{other}", {
        "title": "Comité suivant (reporté)", "held_on": future, "members_present": "A\nB", "notes": "", "version": "1"})
    assert response.status_code == 303
    data = (await client.get(f"/api/v1/committee/sessions/{other}")).json()
    assert data["title"] == "Comité suivant (reporté)" and data["members_present"] == ["A", "B"]
    assert (await client.get("/comite")).status_code == 200
    assert "Comité suivant (reporté)" in text_of((await client.get("/comite")).text)  # the next session


async def test_committee_pages_need_an_account(client, samples, database):
    for url in ("/comite", "/comite/suivis", f"/comite/candidats/{SLUG}", "/api/v1/committee/sessions"):
        assert (await client.get(url)).status_code == 403, url
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/committee/sessions", "/api/v1/committee/follow-ups", "/api/v1/committee/candidates/{slug}",
                 "/api/v1/committee/proposals", "/api/v1/review"):
        assert path in schema["paths"], path


async def test_the_demo_shows_a_session_a_spread_with_its_follow_up_and_an_iteration(client, samples, accounts):
    from tal.committee.demo import load_sample_committee

    async with db.transaction():
        assert await load_sample_committee(dt.date(2026, 11, 29)) is True
        assert await load_sample_committee(dt.date(2026, 11, 29)) is False  # once only
    await client.login("comite")
    sessions = (await client.get("/api/v1/committee/sessions")).json()
    assert [s["held_on"] for s in sessions] == ["2026-12-20", "2026-10-16", "2026-06-12"]
    june = sessions[-1]
    assert [(i["experiment"], i["outcome"]) for i in june["agenda"]] == [("rappel-sms-etat-civil", "spread")]
    doc = (await client.get("/api/v1/experiments/rappel-sms-etat-civil")).json()["document"]
    assert doc["decision"]["outcome"] == "spread" and "Direction générale des services" in doc["decision"]["members_present"]
    follow = (await client.get("/api/v1/committee/follow-ups")).json()
    assert [(f["service"], f["state"], f["follow_up"]) for f in follow] == [
        ("Action sociale", "adopted", "rappel-sms-action-sociale"),
        ("Affaires scolaires", "adopted", "rappel-sms-affaires-scolaires"),
        ("Relation usagers", "open", "rappel-sms-relation-usagers")]
    # « Itérer » led to a new iteration: the library card experiment runs its second one.
    october = sessions[1]
    assert [(i["experiment"], i["outcome"]) for i in october["agenda"]] == [("carte-lecteur-nouveaux-habitants", "iterate")]
    card = (await client.get("/api/v1/experiments/carte-lecteur-nouveaux-habitants")).json()["document"]
    assert card["experiment"]["status"] == "running" and len(card["iterations"]) == 2
    page = text_of((await client.get("/comite/candidats/rappel-sms-etat-civil")).text)
    assert "Essaimer" in page and "Suivi par service visé" in page and "Membres présents" in page
    assert "Relation usagers" in text_of((await client.get("/comite/suivis")).text)
    space = text_of((await client.get("/mon-espace")).text)
    assert "Prochain comité transversal (fictif)" in space and "Rappel SMS des rendez-vous du centre communal" in space


async def test_ids_beyond_the_database_are_unknown_not_an_error(client, other_client, samples, accounts):
    await client.login("comite")
    huge = "99999999999999999999"
    assert (await client.get(f"/comite/seances/{huge}")).status_code == 404
    assert (await client.get(f"/api/v1/committee/sessions/{huge}")).status_code == 404
    response = await client.post(f"/comite/propositions/{huge}/inscrire", {"version": "1", "session": "1"})
    assert response.status_code == 404
