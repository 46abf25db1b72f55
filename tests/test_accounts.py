"""Sign-in: hashed passwords, constant-time check, rate limiting, sessions, CSRF."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, text_of
from tal import db
from tal.accounts import passwords, services
from tal.accounts.tables import Account
from tal.core.errors import DomainError


def test_production_hashing_is_pbkdf2_with_600000_rounds():
    stored = passwords.hash_password_sync("correct horse", iterations=600_000)
    algorithm, rounds, salt, digest = stored.split("$")
    assert (algorithm, rounds) == ("pbkdf2_sha256", "600000")
    assert passwords.verify_password_sync("correct horse", stored)
    assert not passwords.verify_password_sync("correct horsf", stored)
    assert not passwords.verify_password_sync("x", "not-a-hash")


async def test_passwords_are_not_stored_in_clear(accounts):
    row = await Account.select(Account.password_hash).where(Account.username == "agent").first()
    assert PASSWORD not in row["password_hash"] and row["password_hash"].startswith("pbkdf2_sha256$")


async def test_account_rules_name_the_field(database):
    cases = [
        (dict(username="Pas Bon", password="cheval-agrafe-42", role="agent", service="S"), "username"),
        (dict(username="court", password="court", role="agent", service="S"), "password"),
        (dict(username="roles", password="cheval-agrafe-42", role="chef", service="S"), "role"),
        (dict(username="sansservice", password="cheval-agrafe-42", role="agent", service=None), "service"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as caught:
            async with db.transaction():
                await services.create_account(kwargs.pop("username"), kwargs.pop("password"), **kwargs)
        assert caught.value.field == field
    assert await Account.count() == 0


async def test_sign_in_and_out(client, accounts):
    page = await client.get("/")
    assert "Se connecter" in page.text
    await client.login("agent")
    page = await client.get("/")
    assert "agent" in text_of(page.text) and "Se déconnecter" in page.text
    await client.post("/deconnexion")
    assert "Se connecter" in (await client.get("/")).text


async def test_wrong_password_then_rate_limit(client, accounts):
    for _ in range(5):
        response = await client.post("/connexion", {"username": "agent", "password": "mauvais"})
        assert response.status_code == 400
        assert "Nom d'utilisateur ou mot de passe incorrect" in text_of(response.text)
    # Even the right password is refused while the account is being guessed at.
    response = await client.post("/connexion", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in text_of(response.text)


async def test_forms_without_csrf_token_are_refused(client, accounts):
    response = await client.post("/connexion", {"username": "agent", "password": PASSWORD}, csrf=False)
    assert response.status_code == 403
    assert "tal_session" not in client.http.cookies


async def test_login_redirects_only_to_local_pages(client, accounts):
    response = await client.post("/connexion", {"username": "agent", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.headers["location"] == "/"
    response = await client.post("/connexion", {"username": "agent", "password": PASSWORD, "next": "//evil.example"})
    assert response.headers["location"] == "/"


async def test_session_is_a_signed_cookie_that_a_second_app_process_accepts(client, accounts):
    """Sessions work across processes: another app instance reads the same cookie."""
    import httpx

    from tal.app import create_app

    await client.login("agent")
    cookies = dict(client.http.cookies)
    transport = httpx.ASGITransport(app=create_app(migrate=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as other:
        page = await other.get("/")
    assert "Se déconnecter" in page.text
