"""Personal API tokens and the write API: a whole experiment driven through the API
only (draft, plan, registration, iteration, results in JSON and in CSV, learning
card, journal entry, conclusion), the version rule (409), the token's life (shown
once, hashed, last use, revocation, expiry), the rate limit, and no cookie or CSRF."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import httpx
import pytest

from conftest import text_of
from tal import db
from tal.experiments.api_write import DRAFT_EXAMPLE

# The draft of the OpenAPI document's example: the example is checked to work as it is.
DRAFT = DRAFT_EXAMPLE
SLUG = DRAFT["experiment"]["slug"]


async def new_token(client, name: str = "Tableur du service", days: str = "90") -> str:
    response = await client.post("/compte/jetons", {"name": name, "days": days})
    assert response.status_code == 200, response.text
    match = re.search(r"<code>(tal_[A-Za-z0-9_-]+)</code>", response.text)
    assert match, "the new token is shown once"
    return match.group(1)


@pytest.fixture
async def api(client):
    """A client with no cookie at all: what a script or a business tool is."""
    transport = client.http._transport

    def make(token: str | None) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)

    return make


async def test_a_whole_experiment_through_the_api(client, accounts, api):
    from tal.accounts.tables import ApiToken

    await client.login("agent")
    token = await new_token(client)
    page = await client.get("/compte/jetons")
    assert token not in page.text and token[:10] in page.text  # shown once; its start tells it apart
    async with db.transaction(write=False):
        [row] = await ApiToken.select()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest() and token not in str(row)

    async with api(token) as http:
        created = await http.post("/api/v1/experiments", json=DRAFT)
        assert created.status_code == 201, created.text
        assert created.json()["version"] == 1
        edited = {**DRAFT, "version": 1, "experiment": {**DRAFT["experiment"], "summary": "Testé dans deux déchetteries."}}
        updated = await http.put(f"/api/v1/experiments/{SLUG}", json=edited)
        assert updated.status_code == 200, updated.text
        assert updated.json()["version"] == 2
        stale = await http.put(f"/api/v1/experiments/{SLUG}", json=edited)
        assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"

        version = 2
        for status in ("registered", "running"):
            moved = await http.post(f"/api/v1/experiments/{SLUG}/status", json={"version": version, "to": status})
            assert moved.status_code == 200, moved.text
            version = moved.json()["version"]
        late = await http.put(f"/api/v1/experiments/{SLUG}", json={**edited, "version": version})
        assert late.status_code == 400 and "seul un brouillon" in late.json()["error"]["message"]

        iteration = await http.post(f"/api/v1/experiments/{SLUG}/iterations",
                                    json={"version": version, "started_on": "2026-03-02", "change": "Rappel la veille."})
        assert iteration.status_code == 201, iteration.text
        number, version = iteration.json()["iteration"], iteration.json()["version"]
        assert number == 1
        results = await http.put(f"/api/v1/experiments/{SLUG}/iterations/1/results", json={"version": version, "results": [
            {"metric": "absence", "arm": "courrier", "n": 1000, "successes": 180},
            {"metric": "absence", "arm": "sms", "n": 1000, "successes": 120}]})
        assert results.status_code == 200, results.text
        version = results.json()["version"]

        # The same results, from the unit-level export of the booking tool (CSV body).
        rows = ["bras;absence"] + ["courrier;oui"] * 190 + ["courrier;non"] * 810 + ["sms;1"] * 110 + ["sms;0"] * 890
        csv_body = ("\n".join(rows) + "\n").encode("cp1252")
        stale_csv = await http.post(f"/api/v1/experiments/{SLUG}/iterations/1/import?version={version - 1}",
                                    content=csv_body, headers={"content-type": "text/csv"})
        assert stale_csv.status_code == 409
        bad_csv = await http.post(f"/api/v1/experiments/{SLUG}/iterations/1/import?version={version}",
                                  content=b"bras;absence\nsms;peut-etre\n", headers={"content-type": "text/csv"})
        assert bad_csv.status_code == 400
        assert bad_csv.json()["error"] == {"status": 400, "field": "file", "message": (
            "ligne 2, colonne «\u202fabsence\u202f»\u202f: «\u202fpeut-etre\u202f» n'est ni 0/1 ni oui/non (ni vrai/faux)")}
        english = await http.post(f"/api/v1/experiments/{SLUG}/iterations/1/import?version={version}",
                                  content=b"bras;absence\nsms;peut-etre\n",
                                  headers={"content-type": "text/csv", "accept-language": "en"})
        assert english.status_code == 400 and english.json()["error"]["message"] == (
            "line 2, column “absence”: “peut-etre” is not 0/1, oui/non, vrai/faux or true/false")
        imported = await http.post(f"/api/v1/experiments/{SLUG}/iterations/1/import?version={version}&filename=rdv.csv",
                                   content=csv_body, headers={"content-type": "text/csv"})
        assert imported.status_code == 200, imported.text
        version = imported.json()["version"]

        card = await http.put(f"/api/v1/experiments/{SLUG}/iterations/1/learning", json={
            "version": version, "we_believed": "Le rappel réduirait les absences.", "we_observed": "−8 points.",
            "we_learned": "La veille suffit.", "therefore_we_will": "Étendre aux autres sites."})
        assert card.status_code == 200, card.text
        version = card.json()["version"]
        entry = await http.post("/api/v1/journal", json={
            "title": "Les SMS partaient deux fois", "happened_on": "2026-03-20",
            "what_happened": "Une mise à jour a doublé les envois pendant deux jours.", "experiment": SLUG,
            "iteration": 1, "publish": True})
        assert entry.status_code == 201, entry.text
        assert entry.json()["state"] == "published"
        concluded = await http.post(f"/api/v1/experiments/{SLUG}/status", json={"version": version, "to": "concluded"})
        assert concluded.status_code == 200, concluded.text

        read = (await http.get(f"/api/v1/experiments/{SLUG}")).json()
    document = read["document"]
    assert document["experiment"]["status"] == "concluded"
    assert document["experiment"]["summary"] == "Testé dans deux déchetteries."
    results = {(r["metric"], r["arm"]): (r["n"], r["successes"]) for r in document["iterations"][0]["results"]}
    assert results == {("absence", "courrier"): (1000, 190), ("absence", "sms"): (1000, 110)}
    assert document["iterations"][0]["learning"]["we_learned"] == "La veille suffit."
    [comparison] = read["evaluation"]["result"]["iterations"][0]["comparisons"]
    assert comparison["difference"] == pytest.approx(0.11 - 0.19)
    assert comparison["verdict"] == "confirmed"
    assert any(step.get("source") == "import" for step in read["status_history"])
    async with db.transaction(write=False):
        [row] = await ApiToken.select()
    assert row["last_used_at"] is not None


async def test_tokens_act_with_the_account_rights_and_never_with_cookies(client, accounts, api, samples):
    await client.login("voirie")
    other = await new_token(client, "Script voirie")
    await client.login("agent")
    mine = await new_token(client)
    # A signed-in browser (cookies, even with a CSRF token) cannot use the write API.
    by_cookie = await client.http.post("/api/v1/experiments", json=DRAFT,
                                       headers={"x-csrftoken": await client.csrf()})
    assert by_cookie.status_code == 401
    async with api(other) as http:
        forbidden = await http.put("/api/v1/experiments/rappel-sms-etat-civil/iterations/1/learning",
                                   json={"version": 1, "we_learned": "x"})
        assert forbidden.status_code == 403
        wrong_service = await http.post("/api/v1/experiments", json=DRAFT)
        assert wrong_service.status_code == 400 and wrong_service.json()["error"]["field"] == "service"
    async with api(mine) as http:
        invalid = await http.post("/api/v1/experiments", json={**DRAFT, "experiment": {**DRAFT["experiment"], "slug": "Pas un slug"}})
        assert invalid.status_code == 400 and "experiment.slug" in str(invalid.json()["error"]["field"])
        internal = await http.get("/api/v1/experiments/relance-factures-cantine")
        assert internal.status_code == 200  # an agent reads internal experiments
    async with api(None) as anonymous:
        assert (await anonymous.get("/api/v1/experiments/relance-factures-cantine")).status_code == 404
    async with api("tal_not-a-token") as http:
        unknown = await http.post("/api/v1/experiments", json=DRAFT)
        assert unknown.status_code == 401 and unknown.headers["www-authenticate"].startswith("Bearer")
    # Revoked on the account page: refused from then on.
    page = await client.get("/compte/jetons")
    token_id = re.search(r'/compte/jetons/(\d+)/revoquer', page.text).group(1)
    assert (await client.post(f"/compte/jetons/{token_id}/revoquer")).status_code == 303
    assert "révoqué le" in text_of((await client.get("/compte/jetons")).text)
    async with api(mine) as http:
        assert (await http.post("/api/v1/experiments", json=DRAFT)).status_code == 401


async def test_expiry_rate_limit_and_token_form(client, accounts, api, monkeypatch):
    from tal.accounts import tokens
    from tal.accounts.tables import ApiToken

    await client.login("agent")
    refused = await client.post("/compte/jetons", {"name": " ", "days": "90"})
    assert refused.status_code == 400 and "donnez un nom au jeton" in text_of(refused.text)
    assert (await client.post("/compte/jetons", {"name": "x", "days": "7"})).status_code == 400
    token = await new_token(client)
    monkeypatch.setattr(tokens, "RATE_LIMIT", 3)
    async with api(token) as http:
        answers = [(await http.get("/api/v1/experiments")).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = await http.get("/api/v1/experiments")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        async with db.transaction():
            await ApiToken.update({ApiToken.window_start: dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)}
                                  ).where(ApiToken.id > 0)
        assert (await http.get("/api/v1/experiments")).status_code == 200
        async with db.transaction():
            await ApiToken.update({ApiToken.expires_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)}
                                  ).where(ApiToken.id > 0)
        assert (await http.get("/api/v1/experiments")).status_code == 401
    assert "expiré" in text_of((await client.get("/compte/jetons")).text)


async def test_the_openapi_document_describes_the_write_api_with_examples(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for path, method in [("/api/v1/experiments", "post"), ("/api/v1/experiments/{slug}", "put"),
                         ("/api/v1/experiments/{slug}/iterations", "post"),
                         ("/api/v1/experiments/{slug}/iterations/{number}/results", "put"),
                         ("/api/v1/experiments/{slug}/iterations/{number}/learning", "put"),
                         ("/api/v1/journal", "post")]:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"BearerToken": []}]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["examples"], path


async def test_the_version_to_write_on_is_read_from_the_api(client, accounts, api):
    """A tool that did not make the last change reads the version, then writes on it."""
    await client.login("agent")
    token = await new_token(client)
    async with api(token) as http:
        created = await http.post("/api/v1/experiments", json=DRAFT)
        assert created.status_code == 201, created.text
        edited = {**DRAFT, "version": 1, "experiment": {**DRAFT["experiment"], "summary": "Une autre version."}}
        assert (await http.put(f"/api/v1/experiments/{SLUG}", json=edited)).status_code == 200
        read = await http.get(f"/api/v1/experiments/{SLUG}")
        assert read.status_code == 200 and read.json()["version"] == 2
        again = await http.put(f"/api/v1/experiments/{SLUG}", json={**edited, "version": read.json()["version"]})
        assert again.status_code == 200 and again.json()["version"] in (2, 3)
async def test_an_experiment_read_through_the_api_gives_the_version_to_write_with(client, accounts, api):
    """A client that did not write the experiment learns its version by reading it, not from a 409."""
    await client.login("agent")
    token = await new_token(client)
    async with api(token) as http:
        assert (await http.post("/api/v1/experiments", json=DRAFT)).status_code == 201
        read = await http.get(f"/api/v1/experiments/{SLUG}")
        assert read.json()["version"] == 1
        edited = {**DRAFT, "version": read.json()["version"],
                  "experiment": {**DRAFT["experiment"], "summary": "Testé dans deux déchetteries."}}
        assert (await http.put(f"/api/v1/experiments/{SLUG}", json=edited)).status_code == 200
        assert (await http.get(f"/api/v1/experiments/{SLUG}")).json()["version"] == 2


async def test_a_registration_and_a_publication_through_the_api_are_in_the_audit_log(client, accounts, api):
    """The audit log keeps registrations and publications whatever their way in: a page or the API."""
    from tal.audit.tables import AuditEntry

    await client.login("agent")
    token = await new_token(client)
    async with api(token) as http:
        assert (await http.post("/api/v1/experiments", json=DRAFT)).status_code == 201
        registered = await http.post(f"/api/v1/experiments/{SLUG}/status", json={"version": 1, "to": "registered"})
        assert registered.status_code == 200, registered.text
        entry = await http.post("/api/v1/journal", json={
            "title": "Les SMS partaient deux fois", "happened_on": "2026-03-20",
            "what_happened": "Une mise à jour a doublé les envois pendant deux jours.", "publish": True})
        assert entry.status_code == 201, entry.text
    async with db.transaction(write=False):
        rows = await AuditEntry.select().where(AuditEntry.action.is_in(["experiment.register", "journal.publish"]))
    events = {(r["action"], r["target"]) for r in rows}
    assert events == {("experiment.register", SLUG), ("journal.publish", str(entry.json()["id"]))}
    assert all(r["account_id"] is not None and r["address"] for r in rows)
