"""Finding experiments: filters, accent-free full-text search, pagination, JSON twin."""

from __future__ import annotations

from conftest import ROOT, text_of
from tal import db, loader
from tal.experiments import fileformat

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


async def test_filters_by_service_including_partners_objective_status_and_design(client, samples, accounts):
    await client.login("agent")

    async def slugs(query: str) -> set[str]:
        return {i["slug"] for i in (await client.get(f"/api/v1/experiments?{query}")).json()["items"]}

    for service in {d.experiment.service for d in samples.values()}:
        expected = {s for s, d in samples.items() if service in (d.experiment.service, *d.experiment.partner_services)}
        assert await slugs(f"service={service}") == expected
    objective = next(o for d in samples.values() for o in d.experiment.objectives)
    assert await slugs(f"objective={objective}") == {s for s, d in samples.items() if objective in d.experiment.objectives}
    assert await slugs("status=abandoned") == {s for s, d in samples.items() if d.experiment.status == "abandoned"}
    assert await slugs("design=before_after") == {s for s, d in samples.items() if d.experiment.design == "before_after"}
    assert await slugs("design=comparison_group&status=draft") == set()


async def test_full_text_search_ignores_accents_and_case_and_reaches_learnings(client, database, accounts):
    text = MINIMAL.replace('we_learned = "le rappel compte"', 'we_learned = "les Écoles répondent mieux le mardi"')
    async with db.transaction():
        await loader.load_documents([fileformat.parse(text)])
    await client.login("agent")
    for query in ("ecoles mardi", "ÉCOLES", "rappel réduit"):
        items = (await client.get("/api/v1/experiments", params={"q": query})).json()["items"]
        assert [i["slug"] for i in items] == ["essai-minimal"], query
    assert (await client.get("/api/v1/experiments", params={"q": "piscine"})).json()["total"] == 0
    page = text_of((await client.get("/experimentations", params={"q": "ecoles"})).text)
    assert "1 expérimentation trouvée." in page and "Essai minimal" in page


async def test_pagination_in_pages_of_twenty(client, database, accounts):
    docs = [fileformat.parse(MINIMAL.replace("essai-minimal", f"essai-{i:02d}")) for i in range(45)]
    async with db.transaction():
        await loader.load_documents(docs)
    await client.login("agent")
    first = (await client.get("/api/v1/experiments")).json()
    assert (first["total"], first["pages"], len(first["items"])) == (45, 3, 20)
    third = (await client.get(first["next"].replace("page=2", "page=3"))).json()
    assert len(third["items"]) == 5 and third["next"] is None
    seen = {i["slug"] for p in (1, 2, 3) for i in (await client.get(f"/api/v1/experiments?page={p}")).json()["items"]}
    assert len(seen) == 45
    page = text_of((await client.get("/experimentations?page=2")).text)
    assert "Page 2 sur 3" in page and "Page précédente" in page and "Page suivante" in page
    response = await client.get("/api/v1/experiments?page=0")
    assert response.status_code == 400 and response.json()["error"]["field"] == "page"


async def test_the_register_page_and_its_json_twin_agree(client, samples, accounts):
    await client.login("agent")
    page = text_of((await client.get("/experimentations?design=randomized")).text)
    data = (await client.get("/api/v1/experiments?design=randomized")).json()
    assert f"{data['total']} expérimentations trouvées." in page
    for item in data["items"]:
        assert item["title"] in page
