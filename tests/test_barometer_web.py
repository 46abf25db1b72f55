"""The barometer through its pages, API, export and command line, on each engine:
anonymity by construction, one answer per agent, bad input, the small-group rule
(just above and just under the threshold, deduction by difference), roles, the
change since the previous campaign, the relation to the journal, the demo data."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from conftest import PASSWORD, text_of
from tal import db
from tal.accounts.actor import Actor
from tal.accounts.services import create_account
from tal.barometer import scoring
from tal.barometer import services as barometer
from tal.barometer.schemas import AnswerInput, CampaignInput
from tal.barometer.tables import Answer, Campaign, FreeText, Participation

POP, NUM, VOI = "Population et citoyenneté", "Numérique", "Voirie et propreté"


def fields(ps: int = 5, who: int = 3, dig: int = 4, free: str = "") -> dict:
    """A questionnaire whose psychological safety score is `ps` (reversed items answered 8 − ps)."""
    data = {i: (8 - ps if i in scoring.PS_REVERSED else ps) for i in scoring.PS_ITEMS}
    data.update({i: who for i in scoring.WHO_ITEMS}, **{i: dig for i in scoring.DIG_ITEMS})
    return {**data, "free": free}


async def open_campaign(title: str = "Baromètre de printemps", services: list[str] | None = None) -> int:
    async with db.transaction():
        return await barometer.open_campaign(CampaignInput(title=title, services=services or []))


async def close(campaign_id: int) -> None:
    async with db.transaction():
        await barometer.close_campaign(campaign_id, None)


async def staff(service: str, count: int, prefix: str) -> list[Actor]:
    made = []
    for i in range(count):
        async with db.transaction():
            made.append(await create_account(f"{prefix}{i}", PASSWORD, role="agent", service=service))
    return made


async def answer_all(campaign_id: int, actors: list[Actor], **answer) -> None:
    for actor in actors:
        async with db.transaction():
            await barometer.answer(actor, campaign_id, AnswerInput(**{**fields(**answer), "free": answer.get("free", "")}))


async def counts() -> tuple[int, int, int]:
    return await Answer.count(), await Participation.count(), await FreeText.count()


# ---------------------------------------------------------------- anonymity


async def test_no_stored_row_links_an_answer_to_an_account(client, accounts, database):
    campaign_id = await open_campaign()
    await client.login("agent")
    page = await client.get(f"/barometre/{campaign_id}/repondre")
    assert page.status_code == 200 and "Si vous faites une erreur dans cette équipe" in text_of(page.text)
    response = await client.post(f"/barometre/{campaign_id}/repondre", fields(ps=6, free="Plus de temps en réunion."))
    assert response.status_code == 303
    others = await staff(POP, 29, "pop")
    await answer_all(campaign_id, others, ps=3)

    # The answer rows hold their campaign, a service and the item values: no account, no time.
    assert set(Answer._meta.columns[i]._meta.name for i in range(len(Answer._meta.columns))) == {
        "id", "campaign", "service", *scoring.ITEMS}
    assert set(c._meta.name for c in FreeText._meta.columns) == {"id", "campaign", "service", "body"}
    assert set(c._meta.name for c in Participation._meta.columns) == {"id", "campaign", "account", "key"}
    rows = await Answer.select()
    assert len(rows) == 30
    agent_id = accounts["agent"].id
    for row in rows:
        assert isinstance(row["id"], uuid.UUID) and row["id"].version == 4  # random, no sequence
        assert set(row) == {"id", "campaign", "service", *scoring.ITEMS}
        assert all(not isinstance(v, (dt.date, dt.datetime)) for v in row.values())
    # Nothing in the participation joins an answer: only the account and the campaign.
    participation = await Participation.select().where(Participation.account == agent_id).first()
    assert set(participation) == {"id", "campaign", "account", "key"}
    assert (await FreeText.select(FreeText.body)) == [{"body": "Plus de temps en réunion."}]

    # Stored order reveals nothing: once closed, rows come back in the order of their random key.
    arrival = [r["id"] for r in rows] if database == "sqlite" else None
    await close(campaign_id)
    engine = Answer._meta.db
    stored = [uuid.UUID(str(r["id"])) for r in await engine.run_ddl("SELECT id FROM answer")]
    assert stored == sorted(stored) and len(stored) == 30
    if database == "sqlite":
        # WITHOUT ROWID: no hidden sequence to sort by, even while the campaign is open.
        assert arrival == sorted(arrival)
        with pytest.raises(Exception, match="rowid"):
            await engine.run_ddl("SELECT rowid FROM answer")


async def test_an_agent_sees_that_they_answered_and_cannot_answer_again(client, accounts):
    campaign_id = await open_campaign()
    await client.login("agent")
    assert (await client.post(f"/barometre/{campaign_id}/repondre", fields())).status_code == 303
    page = text_of((await client.get(f"/barometre/{campaign_id}/repondre")).text)
    assert "Vous avez répondu à cette campagne" in page and "Envoyer mes réponses" not in page
    assert "Vous avez répondu à cette campagne" in text_of((await client.get("/barometre")).text)
    before = await counts()
    again = await client.post(f"/barometre/{campaign_id}/repondre", fields(ps=1))
    assert again.status_code == 409 and "vous avez déjà répondu" in text_of(again.text)
    assert await counts() == before


@pytest.mark.parametrize("change, field, message", [
    ({"ps1": "8"}, "ps1", "inférieur ou égal à 7"),
    ({"who3": "-1"}, "who3", "supérieur ou égal à 0"),
    ({"dig2": "6"}, "dig2", "inférieur ou égal à 5"),
    ({"ps4": "beaucoup"}, "ps4", "nombre entier"),
    ({"who2": ""}, "who2", "réponse obligatoire manquante"),
    ({"free": "x" * 2001}, "free", "2000 caractères au plus"),
])
async def test_bad_answers_are_refused_with_the_field_and_nothing_is_written(client, accounts, change, field, message):
    campaign_id = await open_campaign()
    await client.login("agent")
    response = await client.post(f"/barometre/{campaign_id}/repondre", {**fields(), **change})
    page = text_of(response.text)
    assert response.status_code == 400 and message in page and f"Question {field}" in page
    assert await counts() == (0, 0, 0)
    # The answers already given are kept in the form.
    assert 'value="5" required checked' in response.text


async def test_a_missing_item_is_refused(client, accounts):
    campaign_id = await open_campaign()
    await client.login("agent")
    incomplete = {k: v for k, v in fields().items() if k != "ps7"}
    response = await client.post(f"/barometre/{campaign_id}/repondre", incomplete)
    assert response.status_code == 400 and "ps7" in text_of(response.text)
    assert await counts() == (0, 0, 0)


async def test_closed_campaigns_other_services_and_visitors_cannot_answer(client, accounts):
    campaign_id = await open_campaign(services=[NUM])
    await client.login("agent")
    response = await client.post(f"/barometre/{campaign_id}/repondre", fields())
    assert response.status_code == 403 and "ne concerne pas votre service" in text_of(response.text)
    await close(campaign_id)
    await client.login("numerique")
    response = await client.post(f"/barometre/{campaign_id}/repondre", fields())
    assert response.status_code == 409 and "ce baromètre est clos" in text_of(response.text)
    await client.post("/deconnexion", {})
    response = await client.post(f"/barometre/{campaign_id}/repondre", fields())
    assert response.status_code == 403
    assert (await client.get("/api/v1/barometre/%d" % campaign_id)).status_code == 403
    assert (await client.post("/barometre/99999/repondre", fields())).status_code in (403, 404)
    assert await counts() == (0, 0, 0)


# ---------------------------------------------------------------- campaigns


async def test_an_admin_opens_and_closes_campaigns_one_at_a_time(client, accounts):
    await client.login("manager")
    refused = await client.post("/barometre/nouveau", {"title": "Baromètre"})
    assert refused.status_code == 403 and await Campaign.count() == 0
    await client.login("admin")
    bad = await client.post("/barometre/nouveau", {"title": "Baromètre", "services": ["Service fantôme"]})
    assert bad.status_code == 400 and "service inconnu" in text_of(bad.text) and await Campaign.count() == 0
    bad = await client.post("/barometre/nouveau", {"title": "Baromètre", "opens_on": "2026-05-02", "closes_on": "2026-05-01"})
    assert bad.status_code == 400 and "Clôture prévue" in text_of(bad.text) and await Campaign.count() == 0
    bad = await client.post("/barometre/nouveau", {"title": "  "})
    assert bad.status_code == 400 and await Campaign.count() == 0
    opened = await client.post("/barometre/nouveau", {"title": "Baromètre 2026", "services": [POP, NUM]})
    assert opened.status_code == 303
    campaign_id = int(opened.headers["location"].rsplit("/", 1)[1])
    second = await client.post("/barometre/nouveau", {"title": "Un autre"})
    assert second.status_code == 409 and "déjà ouvert" in text_of(second.text) and await Campaign.count() == 1
    row = await barometer.campaign(campaign_id)
    assert row["services"] == [NUM, POP] and row["state"] == "open"
    stale = await client.post(f"/barometre/{campaign_id}/cloturer", {"version": str(row["version"] + 1)})
    assert stale.status_code == 409 and (await barometer.campaign(campaign_id))["state"] == "open"
    await client.login("manager")
    assert (await client.post(f"/barometre/{campaign_id}/cloturer", {"version": "1"})).status_code == 403
    await client.login("admin")
    closed = await client.post(f"/barometre/{campaign_id}/cloturer", {"version": str(row["version"])})
    assert closed.status_code == 303
    row = await barometer.campaign(campaign_id)
    assert row["state"] == "closed" and row["closes_on"] == dt.date.today()
    assert row["population"] == {POP: 2, NUM: 1}  # active accounts of the surveyed services
    assert (await client.post(f"/barometre/{campaign_id}/cloturer", {"version": str(row["version"])})).status_code == 409
    assert (await client.post("/barometre/nouveau", {"title": "Automne"})).status_code == 303


# ---------------------------------------------------------------- the small-group rule


async def three_services(a: int, b: int, c: int, **answers) -> int:
    campaign_id = await open_campaign()
    for service, n, prefix in ((POP, a, "pop"), (NUM, b, "num"), (VOI, c, "voi")):
        await answer_all(campaign_id, await staff(service, n, prefix), free=f"Texte de {prefix}", **answers)
    await close(campaign_id)
    return campaign_id


def group_names(payload: dict) -> list[str]:
    return [g["group"] for g in payload["groups"]]


async def test_every_service_just_at_the_threshold_is_shown(client, accounts):
    campaign_id = await three_services(10, 10, 10)
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    assert payload["min_group"] == 10 and payload["merged_services"] == []
    assert group_names(payload) == [scoring.ALL, NUM, POP, VOI]
    assert [g["n"] for g in payload["groups"]] == [30, 10, 10, 10]
    page = text_of((await client.get(f"/barometre/{campaign_id}")).text)
    assert VOI in page and "10 réponses" in page


async def test_a_service_just_under_the_threshold_is_merged_and_cannot_be_deduced(client, accounts):
    campaign_id = await three_services(10, 10, 9)
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    # Voirie (9) alone in « autres » would be the whole minus the two others: Numérique (10,
    # first of the smallest) joins it.
    assert group_names(payload) == [scoring.ALL, POP, scoring.OTHERS]
    groups = {g["group"]: g for g in payload["groups"]}
    assert groups[scoring.OTHERS]["services"] == [NUM, VOI] and groups[scoring.OTHERS]["n"] == 19
    assert groups[scoring.ALL]["n"] == groups[POP]["n"] + groups[scoring.OTHERS]["n"]
    assert payload["merged_services"] == [NUM, VOI]
    for hidden in (VOI, NUM):
        api = await client.get(f"/api/v1/barometre/{campaign_id}", params={"groupe": hidden})
        assert api.status_code == 403 and "moins de 10 réponses" in api.json()["error"]["message"]
        assert api.json()["error"]["field"] == "groupe"
        page = await client.get(f"/barometre/{campaign_id}", params={"groupe": hidden})
        assert page.status_code == 403 and "protéger l'anonymat" in text_of(page.text)
        export = await client.get(f"/barometre/{campaign_id}/export.csv", params={"groupe": hidden})
        assert export.status_code == 403 and "text/csv" not in export.headers["content-type"]
    unknown = await client.get(f"/api/v1/barometre/{campaign_id}", params={"groupe": "Service fantôme"})
    assert unknown.status_code == 404
    # The filter gives one shown group.
    one = (await client.get(f"/api/v1/barometre/{campaign_id}", params={"groupe": POP})).json()
    assert group_names(one) == [POP]
    # Texts of a hidden service are shown only inside a group of 10 or more, never alone.
    page = text_of((await client.get(f"/barometre/{campaign_id}")).text)
    assert "Texte de voi" in page
    export = await client.get(f"/barometre/{campaign_id}/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert [line.split(",")[5] for line in lines[1:]] == [scoring.ALL, POP, scoring.OTHERS]
    assert "Texte de" not in export.text and "Texte de" not in (await client.get(f"/api/v1/barometre/{campaign_id}")).text


async def test_a_whole_just_under_the_threshold_shows_nothing(client, accounts):
    campaign_id = await three_services(5, 4, 0)
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    assert payload["groups"] == [] and payload["answers"] == 9
    page = text_of((await client.get(f"/barometre/{campaign_id}")).text)
    assert "Moins de 10 réponses" in page and "Texte de" not in page
    for target in (f"/api/v1/barometre/{campaign_id}", f"/barometre/{campaign_id}", f"/barometre/{campaign_id}/export.csv"):
        assert (await client.get(target, params={"groupe": scoring.ALL})).status_code == 403
    export = await client.get(f"/barometre/{campaign_id}/export.csv")
    assert export.text.strip().count("\n") == 0  # the header alone
    assert await barometer.open_data_rows() == []


async def test_results_wait_for_the_closing(client, accounts):
    campaign_id = await open_campaign()
    await answer_all(campaign_id, await staff(POP, 12, "pop"))
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    assert payload["state"] == "open" and payload["groups"] == [] and payload["answers"] == 12
    assert (await client.get(f"/barometre/{campaign_id}", params={"groupe": POP})).status_code == 403
    assert (await client.get(f"/barometre/{campaign_id}/export.csv")).status_code == 400
    assert "s'afficheront à la clôture" in text_of((await client.get(f"/barometre/{campaign_id}")).text)


# ---------------------------------------------------------------- roles


async def test_who_sees_which_groups(client, accounts):
    campaign_id = await three_services(12, 11, 9)  # Voirie merged with Numérique (11)
    await client.login("agent")  # Population et citoyenneté
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    assert group_names(payload) == [scoring.ALL, POP] and payload["journal_relation"] is None
    refused = await client.get(f"/api/v1/barometre/{campaign_id}", params={"groupe": scoring.OTHERS})
    assert refused.status_code == 403 and "votre service" in refused.json()["error"]["message"]
    await client.login("numerique")  # their service is in « Autres services »
    assert group_names((await client.get(f"/api/v1/barometre/{campaign_id}")).json()) == [scoring.ALL, scoring.OTHERS]
    await client.login("manager")
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    assert group_names(payload) == [scoring.ALL, POP] and [r["group"] for r in payload["journal_relation"]] == [POP]
    async with db.transaction():
        await create_account("chef-num", PASSWORD, role="manager", service=NUM)
    await client.login("chef-num")  # a manager whose service is merged sees that group too
    assert group_names((await client.get(f"/api/v1/barometre/{campaign_id}")).json()) == [
        scoring.ALL, POP, scoring.OTHERS]
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
    assert group_names(payload) == [scoring.ALL, POP, scoring.OTHERS]
    await client.post("/deconnexion", {})
    assert (await client.get(f"/barometre/{campaign_id}")).status_code == 403


# ---------------------------------------------------------------- figures


async def test_scores_intervals_and_change_since_the_previous_campaign(client, accounts):
    first = await open_campaign("Printemps")
    pop = await staff(POP, 10, "pop")
    # Psychological safety 3 for six people and 5 for four: mean 3.8; WHO-5 3 on every item: 60.
    await answer_all(first, pop[:6], ps=3)
    await answer_all(first, pop[6:], ps=5)
    await close(first)
    async with db.transaction():
        await Campaign.update({Campaign.opens_on: dt.date.today() - dt.timedelta(days=200)}).where(Campaign.id == first)
    second = await open_campaign("Automne")
    await answer_all(second, pop[:5], ps=4, who=4)
    await answer_all(second, pop[5:], ps=6, who=4)
    await close(second)
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{second}")).json()
    whole = payload["groups"][0]
    ps = whole["psychological_safety"]
    # Autumn: five 4s and five 6s: mean 5, sd = √(10/9) = 1.054093, t(0.975, 9) = 2.262157:
    # 5 ± 0.754053. Spring: mean 3.8, sd = √((6·0.64 + 4·1.44)/9) = 1.032796.
    assert ps["mean"] == 5.0 and ps["ci"] == pytest.approx([4.245947, 5.754053], abs=1e-4)
    # Change: 1.2; se² = 10/9/10 + 0.96·10/9/10 = 0.217778, se = 0.466667; df = 0.217778² /
    # ((10/90)²/9 + (9.6/90)²/9) = 17.99; t(0.975, 17.99) = 2.100993: 1.2 ± 0.980463.
    assert ps["change"]["difference"] == pytest.approx(1.2) and ps["change"]["previous_campaign"] == first
    assert ps["change"]["ci"] == pytest.approx([0.219537, 2.180463], abs=1e-3)
    assert whole["wellbeing"]["mean"] == 80.0 and whole["wellbeing"]["change"]["difference"] == pytest.approx(20.0)
    assert whole["wellbeing"]["change"]["ci"] is None  # both samples constant: no interval
    assert whole["wellbeing"]["ci"] == [80.0, 80.0]
    # Every answer puts the positive items at ps and the reversed ones at 8 − ps: alpha 1.
    assert ps["alpha"] == pytest.approx(1.0)
    # Every service was surveyed: 15 active accounts (12 in Population et citoyenneté, 3 elsewhere).
    assert whole["response_rate"] == pytest.approx(10 / 15, abs=1e-4)
    assert payload["groups"][1]["response_rate"] == pytest.approx(10 / 12, abs=1e-4)
    assert whole["distribution"]["ps1"] == {"1": 0, "2": 5, "3": 0, "4": 5, "5": 0, "6": 0, "7": 0}
    page = text_of((await client.get(f"/barometre/{second}")).text)
    # (text_of turns the narrow no-break spaces of French typography into spaces)
    assert "5 [4,25 ; 5,75]" in page and "+1,2 [0,22 ; 2,18]" in page


async def test_psychological_safety_next_to_the_journal(client, accounts):
    from tal.journal.services import react
    from tal.journal.tables import JournalEntry

    campaign_id = await open_campaign()
    pop = await staff(POP, 10, "pop")
    num = await staff(NUM, 10, "num")
    await answer_all(campaign_id, pop, ps=6)
    await answer_all(campaign_id, num, ps=4)
    now = dt.datetime.now(dt.timezone.utc)
    async with db.transaction():
        for title, state in (("Première", "published"), ("Deuxième", "published"), ("Brouillon", "draft")):
            entry = JournalEntry(title=title, happened_on=dt.date.today(), what_happened="…", team=1, state=state,
                                 published_at=now if state == "published" else None)
            from tal.accounts.tables import Service

            entry.team = (await Service.select(Service.id).where(Service.name == POP).first())["id"]
            await entry.save()
        first = await JournalEntry.select(JournalEntry.id).where(JournalEntry.title == "Première").first()
        await react(accounts["voirie"], first["id"], "merci")
    await close(campaign_id)
    await client.login("comite")
    relation = {r["group"]: r for r in (await client.get(f"/api/v1/barometre/{campaign_id}")).json()["journal_relation"]}
    assert relation[POP]["journal_entries"] == 2 and relation[POP]["journal_reactions"] == 1
    assert relation[POP]["psychological_safety"] == 6.0
    assert relation[NUM]["journal_entries"] == 0 and relation[NUM]["psychological_safety"] == 4.0
    response = await client.get(f"/barometre/{campaign_id}")
    assert 'role="img"' in response.text and "<desc" in response.text
    page = text_of(response.text)
    assert "ne dit pas que l'un cause l'autre" in page
    assert f"{POP} 10 6 [6 ; 6] 2 1" in page  # the table of the figures


async def test_open_data_has_the_shown_groups_only_and_no_text(accounts):
    campaign_id = await three_services(10, 10, 9)
    rows = await barometer.open_data_rows()
    assert [r["groupe"] for r in rows] == [scoring.ALL, POP, scoring.OTHERS]
    assert all(r["reponses"] >= 10 and r["campagne"] == campaign_id for r in rows)
    assert not any("Texte" in str(v) for r in rows for v in r.values())
    assert set(rows[0]) == set(barometer.COLUMNS)
    schema = barometer.open_data_schema()
    assert [f["name"] for f in schema["fields"]] == list(barometer.COLUMNS)
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert types["reponses"] == "integer" and types["securite_psychologique"] == "number"
    assert isinstance(rows[0]["reponses"], int) and isinstance(rows[0]["securite_psychologique"], float)


async def test_the_open_data_package_carries_the_shown_groups_and_validates(client, accounts, tmp_path):
    import frictionless

    campaign_id = await three_services(12, 11, 9)  # the third service (9) is merged into « Autres services »
    csv_text = (await client.get("/donnees/barometre.csv")).text
    import csv

    header, *lines = list(csv.reader(csv_text.strip().splitlines()))
    assert header == list(barometer.COLUMNS)
    groups = [line[5] for line in lines]
    assert groups == [r["groupe"] for r in await barometer.open_data_rows()] and len(groups) >= 2
    assert all(line[0] == str(campaign_id) for line in lines)
    assert "Voirie" not in groups and "Texte" not in csv_text
    package = (await client.get("/donnees/datapackage.json")).json()
    assert "barometre.csv" in [r["path"] for r in package["resources"]]
    (tmp_path / "datapackage.json").write_bytes((await client.get("/donnees/datapackage.json")).content)
    for resource in package["resources"]:
        for name in (resource["path"], resource["schema"]):
            (tmp_path / name).write_bytes((await client.get(f"/donnees/{name}")).content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]


# ---------------------------------------------------------------- demo and command line


async def test_demo_campaigns_are_fictional_with_one_service_under_the_threshold(client, accounts):
    from tal.barometer.demo import load_sample_campaigns

    async with db.transaction():
        assert await load_sample_campaigns() == 2
        assert await load_sample_campaigns() == 0
    rows = await Campaign.select().order_by(Campaign.opens_on)
    assert [r["fictional"] for r in rows] == [True, True] and all(r["state"] == "closed" for r in rows)
    await client.login("comite")
    payload = (await client.get(f"/api/v1/barometre/{rows[1]['id']}")).json()
    assert payload["fictional"] and "Médiathèques" in payload["merged_services"]
    assert "Médiathèques" not in group_names(payload) and len(payload["groups"]) >= 3
    assert payload["groups"][0]["psychological_safety"]["change"]["previous_campaign"] == rows[0]["id"]
    page = text_of((await client.get(f"/barometre/{rows[1]['id']}")).text)
    assert "Données fictives" in page and "Edmondson" in page and "WHO-5" in page


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_pages_in_both_languages(client, accounts, lang):
    campaign_id = await three_services(10, 10, 10)
    await client.login("comite")
    await client.post("/langue", {"lang": lang})
    expected = {"fr": ("Baromètre social", "Sécurité psychologique", "Intervalle à 95 %", "Alpha de Cronbach"),
                "en": ("Social barometer", "Psychological safety", "95% interval", "Cronbach's alpha")}[lang]
    assert expected[0] in text_of((await client.get("/barometre")).text)
    page = text_of((await client.get(f"/barometre/{campaign_id}")).text)
    for text in expected:
        assert text in page, text
    await client.login("admin")
    second = await open_campaign("Automne")
    await client.login("agent")
    page = text_of((await client.get(f"/barometre/{second}/repondre")).text)
    wording = {"fr": "Si vous faites une erreur dans cette équipe, on vous le reproche souvent.",
               "en": "If you make a mistake on this team, it is often held against you."}[lang]
    assert wording in page


async def test_the_command_line_opens_and_closes(tal_cli):
    opened = tal_cli("barometer", "open", "Baromètre 2027", "--closes", "2027-03-31")
    assert opened.returncode == 0, opened.stderr
    campaign_id = opened.stdout.strip()
    assert campaign_id.isdigit()
    again = tal_cli("barometer", "open", "Un autre")
    assert again.returncode == 1 and "déjà ouvert" in again.stderr and "Traceback" not in again.stderr
    bad = tal_cli("barometer", "open", "X", "--closes", "31/03/2027")
    assert bad.returncode == 1 and "AAAA-MM-JJ" in bad.stderr
    closed = tal_cli("barometer", "close", campaign_id)
    assert closed.returncode == 0 and "clôturée" in closed.stdout
    assert tal_cli("barometer", "close", campaign_id).returncode == 1
    assert tal_cli("barometer", "close", "douze").returncode == 1


@pytest.fixture
def tal_cli(database, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import PG_URL, ROOT, TMP

    url = PG_URL if database == "postgresql" else f"sqlite:///{TMP / 'tests.sqlite'}"
    env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tal.cli", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path)

    return run


# ---------------------------------------------------------------- pages, security, settings


async def test_pages_have_one_title_labelled_fields_and_a_text_alternative(client, accounts):
    import re

    campaign_id = await three_services(10, 10, 10)
    async with db.transaction():
        await Campaign.update({Campaign.opens_on: dt.date.today() - dt.timedelta(days=200)}).where(
            Campaign.id == campaign_id)
    second = await open_campaign("Automne")
    await client.login("admin")
    for url in ("/barometre", f"/barometre/{campaign_id}", f"/barometre/{second}", f"/barometre/{second}/repondre"):
        response = await client.get(url)
        assert response.status_code == 200, url
        html = response.text
        assert '<a class="skip-link" href="#contenu">' in html and html.count("<h1") == 1, url
        for field_id in re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html):
            assert f'for="{field_id}"' in html, (url, field_id)
    await client.login("agent")
    form = (await client.get(f"/barometre/{second}/repondre")).text
    assert form.count('type="radio"') == 7 * 7 + 5 * 6 + 3 * 5 and "Edmondson" in form and "WHO-5" in form


async def test_forms_need_the_csrf_token(client, accounts):
    campaign_id = await open_campaign()
    await client.login("agent")
    response = await client.post(f"/barometre/{campaign_id}/repondre", fields(), csrf=False)
    assert response.status_code == 403 and await counts() == (0, 0, 0)
    await client.login("admin")
    assert (await client.post(f"/barometre/{campaign_id}/cloturer", {"version": "1"}, csrf=False)).status_code == 403
    assert (await barometer.campaign(campaign_id))["state"] == "open"


async def test_free_texts_are_escaped(client, accounts):
    campaign_id = await open_campaign()
    await answer_all(campaign_id, await staff(POP, 10, "pop"), free='<script>alert("x")</script>')
    await close(campaign_id)
    await client.login("comite")
    html = (await client.get(f"/barometre/{campaign_id}")).text
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


async def test_the_openapi_document_lists_the_barometer_twins(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert "/api/v1/barometre" in paths and "/api/v1/barometre/{campaign_id}" in paths


async def test_the_threshold_comes_from_the_settings(client, accounts, monkeypatch):
    from tal import settings

    campaign_id = await three_services(6, 5, 4)
    await client.login("comite")
    # With 10: every service is under it, so only the whole (15) is shown.
    assert group_names((await client.get(f"/api/v1/barometre/{campaign_id}")).json()) == [scoring.ALL]
    monkeypatch.setenv("TAL_BAROMETER_MIN", "5")
    settings.reset_settings()
    try:
        payload = (await client.get(f"/api/v1/barometre/{campaign_id}")).json()
        # Voirie (4) alone would be deduced: Numérique (5) joins it.
        assert payload["min_group"] == 5 and group_names(payload) == [scoring.ALL, POP, scoring.OTHERS]
        monkeypatch.setenv("TAL_BAROMETER_MIN", "2")
        settings.reset_settings()
        with pytest.raises(settings.SettingsError, match="TAL_BAROMETER_MIN"):
            settings.get_settings()
    finally:
        monkeypatch.undo()
        settings.reset_settings()


async def test_while_open_no_system_column_joins_an_answer_to_its_participation(client, accounts, database):
    """On PostgreSQL every row carries the transaction that wrote it (xmin) and its place
    in the table (ctid): an answer written with its participation would share the
    participation's xmin, and the order of the rows would follow the order of arrival."""
    campaign_id = await open_campaign()
    respondents = await staff(POP, 12, "pop")
    for i, actor in enumerate(respondents):
        async with db.transaction():
            await barometer.answer(actor, campaign_id, AnswerInput(**fields(ps=1 + i % 7, free=f"texte {i}")))
    engine = Answer._meta.db
    if database == "sqlite":
        for table in ("answer", "free_text"):
            with pytest.raises(Exception, match="rowid"):
                await engine.run_ddl(f"SELECT rowid FROM {table}")
        return
    for table in ("answer", "free_text"):
        joined = await engine.run_ddl(
            f"SELECT p.account FROM participation p JOIN {table} a ON a.xmin::text = p.xmin::text")
        # Every row written again by the latest answer: no answer singles out its respondent.
        assert len({r["account"] for r in joined}) <= 1, table
        stored = [uuid.UUID(str(r["id"])) for r in await engine.run_ddl(f"SELECT id FROM {table} ORDER BY ctid")]
        assert stored == sorted(stored) and len(stored) == 12, table
