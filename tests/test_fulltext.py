"""Full-text search as a French user expects it, on both engines: stemming (« rappels »
finds « rappel »), accent folding (« etat civil » finds « état civil »), ranking by
relevance, matched words highlighted; one service function (tal.core.fulltext)."""

from __future__ import annotations

from conftest import ROOT, text_of
from tal import db, loader
from tal.experiments import fileformat

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


def experiment(slug: str, title: str, learned: str) -> str:
    return (MINIMAL.replace("essai-minimal", slug).replace('title = "Essai minimal"', f'title = "{title}"')
            .replace('we_learned = "le rappel compte"', f'we_learned = "{learned}"')
            .replace("un rappel réduit les absences", "une relance réduit les absences"))


JOURNAL = '''
[[journal]]
title = "Rappels envoyés deux fois"
happened_on = 2026-03-20
what_happened = "Les usagers ont reçu deux rappels."
published = true
'''


async def load(*texts: str) -> None:
    async with db.transaction():
        await loader.load_documents([fileformat.parse(t) for t in texts])


async def found(client, url: str, query: str) -> list[str]:
    items = (await client.get(url, params={"q": query})).json()["items"]
    return [i.get("slug") or i.get("title") for i in items]


async def test_stemming_accents_and_ranking_on_both_engines(client, accounts):
    assert 'title = "Essai minimal"' in MINIMAL and "un rappel réduit" in MINIMAL
    await load(
        experiment("peu", "Accueil des nouveaux habitants", "un rappel a suffi"),
        experiment("beaucoup", "Rappel SMS des rendez-vous d'état civil", "le rappel par SMS et le rappel vocal"),
        experiment("aucun", "Lettre d'information courte", "les lecteurs lisent jusqu'au bout") + JOURNAL,
    )
    await client.login("agent")
    assert await found(client, "/api/v1/experiments", "rappels") == ["beaucoup", "peu"]  # most relevant first
    assert await found(client, "/api/v1/experiments", "etat civil") == ["beaucoup"]
    assert await found(client, "/api/v1/experiments", "ÉTAT-CIVIL") == ["beaucoup"]
    assert await found(client, "/api/v1/experiments", "lecteur") == ["aucun"]
    assert await found(client, "/api/v1/experiments", "piscine") == []
    assert await found(client, "/api/v1/journal", "rappel") == ["Rappels envoyés deux fois"]
    assert await found(client, "/api/v1/journal", "usager") == ["Rappels envoyés deux fois"]
    page = await client.get("/experimentations", params={"q": "rappels"})
    assert "<mark>Rappel</mark> SMS des rendez-vous" in page.text
    assert "2 expérimentations trouvées." in text_of(page.text)
    journal = await client.get("/journal", params={"q": "rappel"})
    assert "<mark>Rappels</mark> envoyés deux fois" in journal.text


async def test_a_search_combines_with_filters_and_pages(client, accounts):
    await load(*(experiment(f"essai-{i:02d}", f"Rappel numéro {i}", "rien") for i in range(25)))
    await client.login("agent")
    first = (await client.get("/api/v1/experiments", params={"q": "rappel"})).json()
    assert (first["total"], len(first["items"])) == (25, 20)
    second = (await client.get("/api/v1/experiments", params={"q": "rappel", "page": 2})).json()
    assert len(second["items"]) == 5
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}
    assert (await client.get("/api/v1/experiments", params={"q": "rappel", "status": "abandoned"})).json()["total"] == 0
    # Only the words of a query count: operators and quotes are plain text.
    assert (await client.get("/api/v1/experiments", params={"q": '"rappel* OR NOT'})).status_code == 200
