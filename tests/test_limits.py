"""Bodies too large or with too many fields are refused before parsing, without
blocking anyone; undecodable forms and huge numbers are 4xx; every response,
404 and 405 included, carries the security headers."""

from __future__ import annotations

import asyncio
import threading

import httpx

import pytest

from conftest import PASSWORD, text_of
from tal.core import http as tal_http
from tal.settings import reset_settings
from test_register_robustness import as_rendered
from test_register_web import draft, version

SLUG = "accueil-samedi"


async def test_a_10_mb_form_with_a_million_fields_is_refused_before_parsing(client, accounts):
    await client.login("agent")
    await draft(client)
    before = await version(SLUG)
    body = b"&".join([b"_csrf_token=" + (await client.csrf()).encode()] + [b"x=1"] * 1_000_000)
    for url in (f"/experimentations/{SLUG}/plan", "/connexion"):
        response = await client.http.post(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413, url
        assert "trop volumineux" in text_of(response.text)
    assert await version(SLUG) == before


async def test_sign_in_takes_a_small_form_only(client, accounts):
    csrf = await client.csrf()
    big = {"username": "agent", "password": PASSWORD, "next": "/" + "a" * 5000, "_csrf_token": csrf}
    assert (await client.http.post("/connexion", data=big)).status_code == 413
    many = [("username", "agent"), ("password", PASSWORD), ("_csrf_token", csrf)] + [(f"f{i}", "1") for i in range(10)]
    response = await client.http.post("/connexion", data=dict(many))
    assert response.status_code == 400 and "trop de champs" in text_of(response.text)
    assert "tal_session" not in client.http.cookies
    await client.login("agent")


async def test_too_many_fields_under_the_size_limit_are_refused(client, accounts):
    await client.login("agent")
    await draft(client)
    before = await version(SLUG)
    fields = {f"metrics[{i}].label": "x" for i in range(1, tal_http.DEFAULT_MAX_FIELDS + 2)}
    response = await client.post(f"/experimentations/{SLUG}/plan", fields)
    assert response.status_code == 400 and "trop de champs" in text_of(response.text)
    assert await version(SLUG) == before


async def test_health_answers_while_a_huge_streamed_body_is_refused(client, accounts):
    await client.login("agent")
    await draft(client)
    sent = 0
    chunk = b"x=1&" * 16_384  # 64 KiB

    async def endless():
        nonlocal sent
        for _ in range(10_000):  # up to 640 MiB if nothing stopped it
            sent += len(chunk)
            await asyncio.sleep(0.01)
            yield chunk

    async def health_while_posting() -> list[int]:
        await asyncio.sleep(0.05)
        statuses = []
        for _ in range(3):
            statuses.append((await client.get("/sante")).status_code)
        return statuses

    big = client.http.post(f"/experimentations/{SLUG}/plan", content=endless(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    response, health = await asyncio.gather(big, health_while_posting())
    assert response.status_code == 413
    assert health == [200, 200, 200]
    # Read up to the limit and no further.
    assert sent <= tal_http.DEFAULT_MAX_BODY + 2 * len(chunk)


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "tal-boundary-42"
    parts = b"".join(
        b"--" + boundary.encode() + b"\r\n"
        + f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields.items())
    return parts + b"--" + boundary.encode() + b"--\r\n", f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("url", ["/connexion", "/deconnexion", "/langue", "/journal/nouvelle"])
async def test_multipart_with_invalid_utf8_is_a_400(client, accounts, url):
    await client.login("agent")
    body, content_type = _multipart({"_csrf_token": (await client.csrf()).encode(), "username": b"\xff\xfe\xc3(",
                                     "title": b"\xe9t\xe9"})
    response = await client.http.post(url, content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text[:300]
    assert "UTF-8" in text_of(response.text)


async def test_huge_integers_in_every_form_field_are_4xx(client, samples, accounts):
    """Every field of every form, set to a 5,000-digit integer: never a 500."""
    await client.login("admin")
    slug = "rappel-sms-etat-civil"
    urls = [f"/experimentations/{slug}/modifier", f"/experimentations/{slug}/iterations/1/modifier",
            f"/experimentations/{slug}/iterations/1/donnees", f"/experimentations/{slug}/iterations/nouvelle",
            "/experimentations/nouvelle", "/journal/nouvelle"]
    huge = "9" * 5000
    for url in urls:
        page = await client.get(url)
        assert page.status_code == 200, url
        fields = as_rendered(page.text)
        assert fields, url
        for name in fields:
            data = {**fields, name: [huge]}
            response = await client.post(url, data)
            assert response.status_code < 500, (url, name, text_of(response.text)[-300:])
    for url in (f"/experimentations?page={huge}", f"/journal?page={huge}", f"/api/v1/experiments?page={huge}",
                f"/experimentations/{slug}/iterations/{huge}/donnees", f"/journal/{huge}"):
        assert (await client.get(url)).status_code < 500, url


REQUIRED = ["content-security-policy", "x-frame-options", "x-content-type-options", "cache-control", "referrer-policy"]


async def test_security_headers_on_404_405_and_413(client, accounts):
    responses = [
        await client.get("/cette-page-n-existe-pas"),
        await client.get("/api/v1/inexistant"),
        await client.http.put("/connexion"),
        await client.http.delete("/admin/journal-audit"),
        await client.http.post("/connexion", content=b"x" * 10_000,
                               headers={"content-type": "application/x-www-form-urlencoded"}),
    ]
    assert [r.status_code for r in responses] == [404, 404, 405, 405, 413]
    for response in responses:
        for header in REQUIRED:
            assert header in response.headers, (response.status_code, header)
        assert "strict-transport-security" not in response.headers


async def test_hsts_and_secure_cookies_behind_https(database, accounts, monkeypatch):
    from tal.app import create_app

    monkeypatch.setenv("TAL_SECURE_COOKIES", "1")
    reset_settings()
    try:
        transport = httpx.ASGITransport(app=create_app(migrate=False), client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            for response in (await http.get("/"), await http.get("/nulle-part"), await http.put("/connexion")):
                assert response.headers["strict-transport-security"].startswith("max-age=31536000"), response.status_code
            csrf = http.cookies["tal_csrf"]
            response = await http.post("/langue", data={"lang": "en", "_csrf_token": csrf})
            cookie = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("lang=")]
            assert cookie and "Secure" in cookie[0] and "HttpOnly" in cookie[0]
            response = await http.post("/connexion", data={"username": "agent", "password": PASSWORD, "_csrf_token": csrf})
            session = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("tal_session")]
            assert response.status_code == 303 and "Secure" in session[0]
    finally:
        monkeypatch.delenv("TAL_SECURE_COOKIES")
        reset_settings()


async def test_a_sqlite_database_locked_too_long_is_a_503_not_a_500(client, accounts, database):
    import sqlite3

    from tal import db

    if database != "sqlite":
        pytest.skip("SQLite's write lock only")
    engine = db.current_engine()
    saved = engine.connection_kwargs["timeout"]
    engine.connection_kwargs["timeout"] = 0.2
    holder = sqlite3.connect(engine.path)
    before = set(threading.enumerate())
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = await client.post("/connexion", {"username": "agent", "password": PASSWORD})
    finally:
        holder.rollback()
        holder.close()
        engine.connection_kwargs["timeout"] = saved
    assert response.status_code == 503 and "très chargé" in text_of(response.text)
    # The refused transaction closed its connection: no aiosqlite thread is left behind to
    # keep the process from exiting.
    for thread in set(threading.enumerate()) - before:
        if "_connection_worker_thread" in thread.name:
            thread.join(timeout=10)
            assert not thread.is_alive(), "a connection of the refused transaction was left open"
    await client.login("agent")


async def test_json_nested_too_deep_is_a_400_not_a_500(client, accounts):
    """msgspec stops at a nesting depth with a RecursionError: the API answers 400, as for any unreadable body."""
    from test_api_write import new_token

    await client.login("agent")
    await draft(client)
    token = await new_token(client)
    for depth in (1_000, 100_000):
        body = '{"version": 1, "results": ' + "[" * depth + "]" * depth + "}"
        response = await client.http.put(f"/api/v1/experiments/{SLUG}/iterations/1/results", content=body,
                                         headers={"content-type": "application/json", "authorization": f"Bearer {token}"})
        assert response.status_code == 400, response.text
        assert "JSON" in response.json()["error"]["message"]
