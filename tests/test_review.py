"""The management review: every figure checked against a hand count on a fixture, the
lists behind them, CSV exports, the JSON twin, filters and bad periods."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest

from conftest import text_of
from tal import db


@pytest.fixture
async def review_data(samples, accounts):
    """The samples, and journal entries with actions and reactions written here."""
    from tal.journal.tables import JournalAction, JournalEntry, JournalReaction
    from tal.accounts.tables import Service

    async with db.transaction():
        social = (await Service.select(Service.id).where(Service.name == "Action sociale").first())["id"]
        civil = (await Service.select(Service.id).where(Service.name == "Population et citoyenneté").first())["id"]
        at = dt.datetime(2026, 9, 15, 10, tzinfo=dt.timezone.utc)
        # The samples' published entries (one each: biowaste, newsletter, civil status SMS, canteen)
        # are dated when loaded: pin them in the period, whatever the day the tests run.
        await JournalEntry.update({JournalEntry.published_at: dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)}).where(
            JournalEntry.published_at.is_not_null())
        ids = []
        for team, state, published in ((social, "published", at), (social, "published", at),
                                       (civil, "published", at), (civil, "draft", None),
                                       (civil, "published", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))):
            entry = JournalEntry(team=team, title="Entrée", happened_on=dt.date(2026, 9, 1), what_happened="x",
                                 state=state, published_at=published)
            await entry.save()
            ids.append(entry.id)
        for i, kind in enumerate(("merci", "utile", "aussi")):
            await JournalReaction.insert(JournalReaction(entry=ids[0], account=accounts["agent"].id, kind=kind,
                                                         key=f"{ids[0]}:{accounts['agent'].id}:{kind}"))
        await JournalReaction.insert(JournalReaction(entry=ids[2], account=accounts["agent"].id, kind="merci",
                                                     key=f"{ids[2]}:{accounts['agent'].id}:merci"))
        await JournalAction.insert(
            JournalAction(entry=ids[0], description="Former l'accueil", owner_role="Responsable accueil",
                          due_on=dt.date(2026, 10, 1)),
            JournalAction(entry=ids[2], description="Mettre à jour le modèle", owner_role="Chef de service",
                          due_on=dt.date(2099, 1, 1)),
            JournalAction(entry=ids[2], description="Déjà fait", owner_role="x", due_on=dt.date(2026, 1, 1),
                          done_at=at),
        )


PERIOD = {"du": "2026-01-01", "au": "2026-12-31"}
EXPECTED_STATUS = {"started": 10, "registered": 1, "running": 2, "concluded": 4, "decided": 2, "abandoned": 1}
# Concluded or decided, first verdict (end of the first iteration with data) in 2026: seven;
# their primary verdicts as the engine gives them: confirmed (biowaste, civil status SMS),
# contradicted (short newsletter), inconclusive (tobacco series, the three other SMS reminders).
EXPECTED_VERDICTS = {"confirmed": 2, "contradicted": 1, "below_useful_effect": 0, "inconclusive": 4}
# First verdict in 2026: ten experiments, one card each but the school canteen reminders (two).
EXPECTED_LEARNING = {"cards": 11, "without_card": 0}
# Plans registered in 2026: tobacco, newsletter, civil status SMS (one minor each), canteen (one major).
EXPECTED_AMENDMENTS = {"major": 1, "minor": 3, "experiments": 4}
# Days from registration (Paris date) to the first verdict, per experiment:
# tobacco 25, video 31, civil status SMS 49, social SMS 59, school SMS 63, front desk SMS 65,
# newsletter 81, canteen 134, library card 187, biowaste 204 -> median (63 + 65) / 2.
# To the decision: newsletter 98, civil status SMS 112, library card 203 -> median 112.
EXPECTED_MEDIANS = {"to_first_verdict": 64.0, "to_decision": 112.0}


async def test_every_figure_matches_a_hand_count(client, review_data):
    await client.login("manager")
    data = (await client.get("/api/v1/review", params=PERIOD)).json()
    g = data["figures"]
    # Pre-registered in 2026 (the sample files' registered_at): all but the draft and the
    # biowaste collection (2025-12-08).
    assert g["experiments"] == EXPECTED_STATUS
    assert g["verdicts"] == EXPECTED_VERDICTS
    assert g["decisions"] == {"scale": 0, "spread": 1, "iterate": 1, "stop": 1}
    assert g["learning"] == EXPECTED_LEARNING
    assert g["amendments"] == EXPECTED_AMENDMENTS
    assert g["median_days"] == EXPECTED_MEDIANS
    assert g["journal"] == [{"service": "Action sociale", "entries": 2, "reactions": 3},
                            {"service": "Population et citoyenneté", "entries": 2, "reactions": 1},
                            {"service": "Affaires scolaires", "entries": 1, "reactions": 0},
                            {"service": "Communication", "entries": 1, "reactions": 0},
                            {"service": "Prévention et gestion des déchets", "entries": 1, "reactions": 0}]
    assert g["actions"]["open"] == 2 and g["actions"]["late"] == 1
    assert [a["description"] for a in g["actions"]["items"]] == ["Former l'accueil", "Mettre à jour le modèle"]
    assert g["follow_ups"] == {"open": 0, "adopted": 0, "not_adopted": 0}


async def test_filters_by_service_and_objective_and_the_lists_behind_the_figures(client, review_data):
    await client.login("agent")
    g = (await client.get("/api/v1/review", params={**PERIOD, "service": "Action sociale"})).json()["figures"]
    assert g["experiments"] == {"started": 1, "registered": 0, "running": 0, "concluded": 1, "decided": 0,
                                "abandoned": 0}
    assert g["verdicts"]["inconclusive"] == 1 and sum(g["verdicts"].values()) == 1
    assert g["journal"] == [{"service": "Action sociale", "entries": 2, "reactions": 3}]
    assert g["actions"]["open"] == 1 and g["actions"]["late"] == 1
    g = (await client.get("/api/v1/review", params={**PERIOD, "objectif": "Protéger la santé des habitants"})).json()
    assert g["figures"]["experiments"]["started"] == 1 and g["figures"]["experiments"]["concluded"] == 1

    # Each figure links to its list.
    page = await client.get("/revue", params=PERIOD)
    assert page.status_code == 200
    assert "/revue/liste/concluded?du=2026-01-01&amp;au=2026-12-31" in page.text
    listing = text_of((await client.get("/revue/liste/concluded", params=PERIOD)).text)
    assert "4 expérimentations" in listing and "Rappel SMS des rendez-vous du centre communal d'action sociale" in listing
    listing = text_of((await client.get("/revue/liste/verdict-contradicted", params=PERIOD)).text)
    assert "1 expérimentations" in listing and "Hypothèse contredite" in listing
    listing = text_of((await client.get("/revue/liste/decision-spread", params=PERIOD)).text)
    assert "Rappel SMS des rendez-vous d'état civil" in listing
    listing = text_of((await client.get("/revue/liste/decision-iterate", params=PERIOD)).text)
    assert "1 expérimentations" in listing
    listing = text_of((await client.get("/revue/liste/first-verdict", params=PERIOD)).text)
    assert "10 expérimentations" in listing  # behind the median to the first verdict and the cards
    listing = text_of((await client.get("/revue/liste/decided-in-period", params=PERIOD)).text)
    assert "3 expérimentations" in listing
    assert (await client.get("/revue/liste/nimporte", params=PERIOD)).status_code == 404


async def test_the_page_charts_csv_and_presets(client, review_data):
    await client.login("agent")
    page = await client.get("/revue", params=PERIOD)
    text = text_of(page.text)
    assert "Revue des apprentissages" in text and "Hypothèse contredite (réfutée)" in text
    assert '<svg' in page.text and 'role="img"' in page.text and "<title" in page.text
    assert "Délai médian du pré-enregistrement au premier verdict 64 jours" in text
    assert "Former l'accueil" in text and "en retard" in text and "taux de réussite" in text
    assert 'class="no-print"' in page.text
    css = (await client.get("/static/tal.css")).text
    assert "@media print" in css and ".no-print" in css

    export = await client.get("/revue/csv/experiments", params=PERIOD)
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["status", "experiments"] and ["concluded", "4"] in rows
    actions = list(csv.DictReader(io.StringIO((await client.get("/revue/csv/actions", params=PERIOD)).text)))
    assert actions[0]["due_on"] == "2026-10-01" and actions[0]["late"] == "true"
    cards = list(csv.DictReader(io.StringIO((await client.get("/revue/csv/learning_cards", params=PERIOD)).text)))
    assert len(cards) == 11
    listing = list(csv.DictReader(io.StringIO((await client.get("/revue/csv/liste/decided", params=PERIOD)).text)))
    assert sorted(r["slug"] for r in listing) == ["lettre-information-courte", "rappel-sms-etat-civil"]
    assert listing[0]["registered_at"][:4] == "2026"

    # Presets give a period ending today.
    data = (await client.get("/api/v1/review", params={"periode": "ytd"})).json()
    assert data["period"]["start"] == f"{dt.date.today().year}-01-01"
    assert data["period"]["end"] == dt.date.today().isoformat()
    assert "/revue?periode=3m" in page.text


async def test_bad_periods_and_access(client, review_data):
    response = await client.get("/revue", params=PERIOD)
    assert response.status_code == 403
    await client.login("agent")
    response = await client.get("/api/v1/review", params={"du": "2026-12-31", "au": "2026-01-01"})
    assert response.status_code == 400
    assert response.json()["error"] == {"status": 400, "message": "la fin de la période précède son début",
                                        "field": "au"}
    response = await client.get("/revue", params={"du": "2026-12-31", "au": "2026-01-01"})
    assert response.status_code == 400 and "la fin de la période précède son début" in text_of(response.text)
    response = await client.get("/api/v1/review", params={"du": "31/12/2026"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "du"
    assert (await client.get("/revue/csv/nimporte", params=PERIOD)).status_code == 404
    # Dates the calendar holds but the review does not: a 400 naming the field, not a 500.
    for url, params, field in (("/api/v1/review", {"du": "0001-01-01", "au": "9999-12-31"}, "du"),
                               ("/api/v1/review", {"au": "9999-12-31"}, "au"),
                               ("/revue/csv/actions", {"au": "9999-12-31"}, None),
                               ("/revue/liste/started", {"du": "0001-01-01"}, None)):
        response = await client.get(url, params=params)
        assert response.status_code == 400, (url, params)
        if field:
            assert response.json()["error"]["field"] == field


def test_presets_and_period_checks_without_a_database():
    from tal.core.errors import DomainError
    from tal.review.services import filters

    day = dt.date(2026, 5, 31)
    three = filters(period="3m", today=day)
    assert (three.start, three.end) == (dt.date(2026, 3, 1), day)  # 28 February + 1 day
    assert (filters(period="ytd", today=day).start, filters(period="12m", today=day).start) == (
        dt.date(2026, 1, 1), dt.date(2025, 6, 1))
    assert filters(today=day).period == "12m"  # the default
    chosen = filters(start="2026-02-01", services=["A", "A", " B "], today=day)
    assert (chosen.start, chosen.end, chosen.services) == (dt.date(2026, 2, 1), day, ("A", "B"))
    with pytest.raises(DomainError) as error:
        filters(start="2026-02-01", end="2026-01-31", today=day)
    assert error.value.field == "au"
    with pytest.raises(DomainError) as error:
        filters(services=[f"S{i}" for i in range(31)], today=day)
    assert error.value.field == "service"


# ---------------------------------------------------------------- the verdict kept on the experiment row


async def _row_derived() -> dict[str, tuple]:
    """Per experiment, its row's verdict and days from registration to the first verdict and to the decision."""
    from tal.experiments.tables import Experiment

    return {r["slug"]: (r["verdict"], r["days_to_first_verdict"], r["days_to_decision"]) for r in await Experiment.select(
        Experiment.slug, Experiment.verdict, Experiment.days_to_first_verdict, Experiment.days_to_decision)}


async def _expected_derived() -> dict[str, tuple]:
    """What the row must hold: the snapshot's verdict ("" for a snapshot without one, null
    without a snapshot), the days counted here from the registration's date in Paris."""
    from zoneinfo import ZoneInfo

    from tal.evaluation.tables import Snapshot
    from tal.experiments.tables import Experiment

    def days(at, day):
        return None if at is None or day is None else (day - at.astimezone(ZoneInfo("Europe/Paris")).date()).days

    snapshots = {r["slug"]: r["verdict"] or "" for r in await Snapshot.select(
        Snapshot.experiment.slug.as_alias("slug"), Snapshot.verdict)}
    return {r["slug"]: (snapshots.get(r["slug"]), days(r["registered_at"], r["first_verdict_on"]),
                        days(r["registered_at"], r["decided_on"]))
            for r in await Experiment.select(Experiment.slug, Experiment.registered_at, Experiment.first_verdict_on,
                                             Experiment.decided_on)}


async def test_the_derived_review_columns_are_kept_on_the_experiment_row(client, samples, accounts):
    import datetime as dt

    import msgspec

    from tal.experiments import services as experiments
    from tal.experiments.schemas import Amendment
    from tal.experiments.tables import Experiment

    # On load of a file: every experiment's row holds its snapshot's verdict.
    async with db.transaction(write=False):
        kept = await _row_derived()
        assert kept == await _expected_derived()
    # The hand counts of EXPECTED_MEDIANS: civil status SMS 49 days to its first verdict, 112 to its decision.
    assert kept["rappel-sms-etat-civil"] == ("confirmed", 49, 112) and kept["lettre-information-courte"][0] == "contradicted"
    assert any(v[0] == "" for v in kept.values())  # a snapshot without verdict (a draft, no data): ""

    # On an amendment that changes the verdict: a useful effect far above the one found.
    slug = "rappel-sms-etat-civil"
    async with db.transaction():
        doc = await experiments.export(slug)
        metrics = [msgspec.structs.replace(doc.metrics[0], mde=0.9), *doc.metrics[1:]]
        await experiments.save(msgspec.structs.replace(doc, metrics=metrics), None, amendment=Amendment(
            at=dt.datetime.now(dt.timezone.utc), major=True, reason="Seuil utile revu par la direction", change=""))
    async with db.transaction(write=False):
        kept = await _row_derived()
        assert kept == await _expected_derived()
    assert kept[slug][0] not in ("confirmed", None, "") and kept[slug][1:] == (49, 112)

    # On a decision (the evaluation does not change; the row keeps its verdict).
    await client.login("comite")
    social = "rappel-sms-action-sociale"
    before = kept[social]
    assert before[2] is None
    version = (await Experiment.select(Experiment.version).where(Experiment.slug == social).first())["version"]
    response = await client.post(f"/experimentations/{social}/decision", {
        "decision.outcome": "stop", "decision.decided_on": "2026-11-05", "decision.rationale": "Pas d'effet utile.",
        "version": str(version)})
    assert response.status_code == 303, text_of(response.text)
    async with db.transaction(write=False):
        kept = await _row_derived()
        assert kept == await _expected_derived()
        assert kept[social][:2] == before[:2] and kept[social][2] is not None  # the days to the decision
        assert (await Experiment.select(Experiment.status).where(Experiment.slug == social).first())["status"] == "decided"


async def test_the_migrations_fill_the_derived_columns_of_existing_rows(samples):
    import importlib

    from tal.experiments.tables import Experiment

    async with db.transaction(write=False):
        expected = await _expected_derived()
    assert {v[0] for v in expected.values()} >= {"confirmed", "contradicted", ""}
    assert len({v[1] for v in expected.values()}) > 5 and len({v[2] for v in expected.values()}) > 3
    async with db.transaction():
        await Experiment.update({Experiment.verdict: None, Experiment.days_to_first_verdict: None,
                                 Experiment.days_to_decision: None}, force=True)
    for name in ("experiments.piccolo_migrations.experiments_2026_11_29t19_00_01_000000_review_speed_indexes",
                 "evaluation.piccolo_migrations.evaluation_2026_11_29t19_00_02_000000_review_speed"):
        await (await importlib.import_module(f"tal.{name}").forwards()).run()
    async with db.transaction(write=False):
        assert await _row_derived() == expected


# ---------------------------------------------------------------- bad filters


def plain(text: str) -> str:
    """As `text_of` gives it: every run of spaces (narrow no-break ones too) as one space."""
    return re.sub(r"\s+", " ", text)


BAD_FILTERS = [
    # (query, key, French message, English message, label on the French page, on the English page)
    ({"periode": "2ans"}, "periode", "période prédéfinie inconnue\u202f: 3m, ytd ou 12m",
     "unknown preset period: 3m, ytd or 12m", "Période", "Period"),
    ({**PERIOD, "objectif": "Objectif qui n'existe pas"}, "objectif",
     "objectif stratégique inconnu\u202f: Objectif qui n'existe pas",
     "unknown strategic objective: Objectif qui n'existe pas", "Objectif stratégique", "Strategic objective"),
    ({**PERIOD, "service": ["Action sociale", "Service fantôme"]}, "service", "service inconnu\u202f: Service fantôme",
     "unknown service: Service fantôme", "Services", "Services"),
    ({"du": "2026-02-30"}, "du", "date attendue au format AAAA-MM-JJ", "date expected as YYYY-MM-DD", "Du", "From"),
    ({"du": "2026-01-01", "au": "31/12/2026"}, "au", "date attendue au format AAAA-MM-JJ",
     "date expected as YYYY-MM-DD", "Au", "To"),
]


@pytest.mark.parametrize("query, key, french, english, label, english_label", BAD_FILTERS,
                         ids=[b[1] for b in BAD_FILTERS])
async def test_bad_filters_are_refused_naming_the_field(client, review_data, query, key, french, english, label,
                                                        english_label):
    from tal.audit.tables import AuditEntry

    await client.login("agent")
    async with db.transaction(write=False):
        audit = await AuditEntry.count()
    # The API and the CSV files name the field by its key.
    response = await client.get("/api/v1/review", params=query)
    assert response.status_code == 400
    assert response.json()["error"] == {"status": 400, "message": french, "field": key}
    for url in ("/revue/csv/experiments", "/revue/csv/liste/started"):
        response = await client.get(url, params=query)
        assert response.status_code == 400 and not response.headers["content-type"].startswith("text/csv")
        assert f"{key} : {plain(french)}" in text_of(response.text)
    # The page names it by its label, links to it and keeps the reader's choices.
    response = await client.get("/revue", params=query)
    assert response.status_code == 400
    assert f"{label} : {plain(french)}" in text_of(response.text) and f'href="#f-{key}"' in response.text
    assert f'id="f-{key}"' in response.text
    response = await client.get("/revue/liste/started", params=query)
    assert response.status_code == 400 and f"{label} : {plain(french)}" in text_of(response.text)
    # In English on an English page.
    await client.post("/langue", {"lang": "en"})
    response = await client.get("/revue", params=query)
    assert response.status_code == 400 and f"{english_label}</a>: {english}" in html.unescape(response.text)
    response = await client.get("/api/v1/review", params=query)
    assert response.json()["error"]["message"] == english
    # Nothing written.
    async with db.transaction(write=False):
        assert await AuditEntry.count() == audit


async def test_the_page_keeps_the_choices_of_a_refused_query(client, review_data):
    await client.login("agent")
    page = await client.get("/revue", params={"service": ["Action sociale", "Service fantôme"], "du": "2026-01-01"})
    assert page.status_code == 400
    assert 'value="Action sociale" checked' in page.text and 'value="2026-01-01"' in page.text


async def test_what_an_attacker_would_send(client, review_data, monkeypatch):
    await client.login("agent")
    single = (await client.get("/api/v1/review", params={**PERIOD, "service": "Action sociale"})).json()
    # The same service five hundred times: one service, the same figures.
    many = await client.get("/api/v1/review", params={**PERIOD, "service": ["Action sociale"] * 500})
    assert many.status_code == 200 and many.json() == single
    # A service beyond the hundredth is not dropped silently: it is checked like the others.
    response = await client.get("/api/v1/review", params={**PERIOD, "service": ["Action sociale"] * 150 + ["Fantôme"]})
    assert response.status_code == 400 and response.json()["error"]["field"] == "service"
    # More than 30 services, named or not.
    response = await client.get("/api/v1/review", params={**PERIOD, "service": [f"S{i}" for i in range(31)]})
    assert response.status_code == 400 and response.json()["error"]["field"] == "service"
    # A name longer than any service's is unknown, not cut down to a known one.
    response = await client.get("/api/v1/review", params={**PERIOD, "service": "Action sociale" + " x" * 100})
    assert response.status_code == 400 and response.json()["error"]["field"] == "service"
    # A NUL byte (PostgreSQL refuses it in text): a 400, not a 500.
    for params in ({"service": "Action\x00sociale"}, {"objectif": "a\x00"}, {"du": "2026-01-01\x00"},
                   {"periode": "\x00"}):
        for url in ("/api/v1/review", "/revue", "/revue/csv/actions", "/revue/liste/started"):
            response = await client.get(url, params=params)
            assert response.status_code == 400, (url, params)
    # A date padded to look right once cut is refused, not read.
    response = await client.get("/api/v1/review", params={"du": "2026-01-01" + " " * 30 + "x"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "du"
    # A huge query string: a 400 with a message, for the page, the API and the files.
    huge = {"objectif": "x" * 20_000}
    for url in ("/api/v1/review", "/revue", "/revue/csv/actions", "/revue/liste/started"):
        response = await client.get(url, params=huge)
        assert response.status_code == 400, url
        assert "la requête est trop longue" in text_of(response.text)
    # An unknown table is a 404 before anything is computed.
    from tal.review import queries

    calls = []
    real = queries.figures

    async def counted(*args, **kwargs):
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(queries, "figures", counted)
    assert (await client.get("/revue/csv/nimporte", params=PERIOD)).status_code == 404
    assert (await client.get("/revue/csv/experiments", params=PERIOD)).status_code == 200
    assert calls == [1]
    # Every dangerous first character of a CSV cell is neutralised.
    from tal.review.web import _cell

    assert [_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "ok", 3)] == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "ok", 3]
