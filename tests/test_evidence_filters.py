"""Filters do not reveal what the reader may not see, and take `%` and `_` literally
(issue 8, point 13)."""

from __future__ import annotations

from conftest import text_of
from test_journal_web import ENTRY, tags, write  # noqa: F401 (fixture)

INTERNAL = "carte-lecteur-nouveaux-habitants"


async def test_a_visitor_cannot_tell_an_internal_experiment_from_an_unknown_one(client, other_client, samples,
                                                                               accounts, tags):
    await client.login("agent")
    entry_id = await write(client, experiment=INTERNAL)
    assert (await client.post(f"/journal/{entry_id}/public", {"public": "1"})).status_code == 303
    # Agents find the entry through its experiment.
    assert (await client.get(f"/api/v1/journal?experiment={INTERNAL}")).json()["total"] == 1
    # The public sees the entry, but filtering on the internal slug answers as for an unknown one.
    assert (await other_client.get("/api/v1/journal")).json()["total"] >= 1
    internal = (await other_client.get(f"/api/v1/journal?experiment={INTERNAL}")).json()
    unknown = (await other_client.get("/api/v1/journal?experiment=inconnue-du-registre")).json()
    assert internal == unknown and internal["total"] == 0
    page = text_of((await other_client.get(f"/journal?experiment={INTERNAL}")).text)
    assert ENTRY["title"] not in page
    assert ENTRY["title"] in text_of((await other_client.get("/journal")).text)


async def test_like_wildcards_in_filters_match_themselves(client, samples, accounts, tags):
    await client.login("agent")
    await write(client)
    for url in ("/api/v1/experiments", "/api/v1/journal"):
        everything = (await client.get(url)).json()["total"]
        assert everything > 0
        for wildcard in ("%", "_", "%25", "Population%", "Population et citoyennet_"):
            assert (await client.get(url, params={"service": wildcard})).json()["total"] == 0, (url, wildcard)
        assert (await client.get(url, params={"service": "Population et citoyenneté"})).json()["total"] > 0
    assert (await client.get("/api/v1/experiments", params={"objective": "%"})).json()["total"] == 0
    assert (await client.get("/api/v1/journal", params={"tag": "%"})).json()["total"] == 0
    assert (await client.get("/api/v1/journal", params={"tag": "outil"})).json()["total"] >= 1
    page = text_of((await client.get("/experimentations", params={"service": "%"})).text)
    assert "Rappel SMS des rendez-vous d'état civil" not in page
