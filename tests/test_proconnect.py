"""ProConnect sign-in end to end, against a local OpenID Connect provider the tests
start (oidc-provider-mock, in a thread): success, refused consent, wrong state,
replayed code, expired and forged ID tokens, unknown agent, deactivated account,
matching on the subject, password sign-in switched off, end of the provider session."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from conftest import text_of
from tal.accounts.tables import Account
from tal.settings import reset_settings

CLIENT_ID, SECRET = "tal-tests", "secret-de-test"


def _provider(max_age: dt.timedelta):
    from oidc_provider_mock import run_server_in_thread

    return run_server_in_thread(port=0, require_nonce=True, access_token_max_age=max_age)


@pytest.fixture(scope="module")
def provider():
    with _provider(dt.timedelta(minutes=5)) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def configured(provider, monkeypatch):
    monkeypatch.setenv("TAL_OIDC_ISSUER", provider)
    monkeypatch.setenv("TAL_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TAL_OIDC_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TAL_OIDC_DOMAINS", "numerique.exemple.fr=Numérique")
    reset_settings()
    yield provider
    monkeypatch.undo()
    reset_settings()


def consent(authorize_url: str, sub: str, *, deny: bool = False, claims: dict | None = None) -> str:
    """The agent's answer at the provider: the address it sends the browser back to."""
    base = authorize_url.split("/oauth2/", 1)[0]
    with httpx.Client() as http:
        if claims is not None:
            assert http.put(f"{base}/users/{sub}", json={"sub": sub, **claims}).status_code == 204
        answer = http.post(authorize_url, data={"action": "deny"} if deny else {"sub": sub})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def start(client) -> str:
    response = await client.get("/connexion/proconnect")
    assert response.status_code == 303
    location = response.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    return location


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def sign_in(client, sub: str, **claims) -> httpx.Response:
    back = consent(await start(client), sub, claims=claims or None)
    return await client.get(local(back))


async def test_the_button_shows_only_when_configured(client, accounts, provider, monkeypatch):
    assert "ProConnect" not in (await client.get("/connexion")).text
    assert (await client.get("/connexion/proconnect")).status_code == 404
    monkeypatch.setenv("TAL_OIDC_ISSUER", provider)
    monkeypatch.setenv("TAL_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TAL_OIDC_CLIENT_SECRET", SECRET)
    reset_settings()
    try:
        page = (await client.get("/connexion")).text
        assert "S'identifier avec ProConnect" in text_of(page) and 'href="/connexion/proconnect?next=' in page
    finally:
        monkeypatch.undo()
        reset_settings()


async def test_a_mapped_agent_signs_in_and_is_matched_on_the_subject(client, accounts, configured):
    # (ProConnect's `given_name` is a scope of its own; the mock provider releases it only under `profile`.)
    response = await sign_in(client, "sub-lucie", email="lucie.martin@numerique.exemple.fr", usual_name="Martin")
    assert response.status_code == 303, text_of(response.text)
    me = await Account.select(Account.username, Account.display_name, Account.service.name, Account.active,
                              Account.password_sign_in).where(Account.oidc_subject == "sub-lucie").first()
    assert me == {"username": "lucie.martin", "display_name": "Martin", "service.name": "Numérique",
                  "active": True, "password_sign_in": False}
    assert "Martin" in text_of((await client.get("/")).text)
    # The e-mail changes at the provider: the same account (the subject), not a new one.
    signed_out = await client.post("/deconnexion")
    assert signed_out.status_code == 200 and '<meta http-equiv="refresh" content="0;url=' in signed_out.text
    assert "/oauth2/end_session?id_token_hint=" in signed_out.text
    assert (await client.get("/compte/jetons")).status_code == 403  # signed out of TAL already
    response = await sign_in(client, "sub-lucie", email="lucie.dupont@numerique.exemple.fr")
    assert response.status_code == 303
    assert await Account.count().where(Account.oidc_subject.is_not_null()) == 1
    # Password sign-in stays off for such an account until an admin allows it.
    refused = await client.post("/connexion", {"username": "lucie.martin", "password": "!"})
    assert refused.status_code == 400


async def test_an_unknown_agent_gets_an_inactive_account_waiting_for_an_admin(client, other_client, accounts,
                                                                              configured):
    response = await sign_in(client, "sub-paul", email="paul@mairie.exemple.fr")
    assert response.status_code == 403 and "attend qu'un administrateur" in text_of(response.text)
    row = await Account.select(Account.username, Account.active, Account.service).where(
        Account.oidc_subject == "sub-paul").first()
    assert row == {"username": "paul", "active": False, "service": None}
    # The admin attaches it, then it signs in; deactivated again, it is refused.
    await other_client.login("admin")
    assert (await other_client.post("/admin/comptes/paul/service", {"service": "Voirie et propreté"})).status_code == 303
    assert (await other_client.post("/admin/comptes/paul/reactiver")).status_code == 303
    assert (await sign_in(client, "sub-paul")).status_code == 303
    assert (await other_client.post("/admin/comptes/paul/desactiver")).status_code == 303
    refused = await sign_in(client, "sub-paul")
    assert refused.status_code == 403 and "désactivé" in text_of(refused.text)


async def test_refused_consent_wrong_state_and_replayed_code_sign_nobody_in(client, accounts, configured):
    denied = await client.get(local(consent(await start(client), "sub-x", deny=True)))
    assert denied.status_code == 400 and "annulée" in text_of(denied.text)
    back = consent(await start(client), "sub-lucie", claims={"email": "lucie@numerique.exemple.fr"})
    forged_state = local(back).replace("state=", "state=x")
    wrong = await client.get(forged_state)
    assert wrong.status_code == 400 and "aucune connexion en cours" in text_of(wrong.text)
    missing = await client.get("/connexion/proconnect/retour")
    assert missing.status_code == 400
    assert (await client.get(local(back))).status_code == 400  # the pending request was used by the wrong state
    # A code used once cannot be used again, even with a fresh request.
    back = consent(await start(client), "sub-lucie")
    assert (await client.get(local(back))).status_code == 303
    await client.post("/deconnexion")
    code = parse_qs(urlsplit(back).query)["code"][0]
    fresh_state = parse_qs(urlsplit(await start(client)).query)["state"][0]
    replay = await client.get(f"/connexion/proconnect/retour?code={code}&state={fresh_state}")
    assert replay.status_code == 400 and "échoué" in text_of(replay.text)
    assert (await client.get("/compte/jetons")).status_code == 403  # nobody signed in


async def test_an_expired_id_token_is_refused(client, accounts, monkeypatch):
    with _provider(dt.timedelta(seconds=-3600)) as server:
        monkeypatch.setenv("TAL_OIDC_ISSUER", f"http://localhost:{server.server_port}")
        monkeypatch.setenv("TAL_OIDC_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("TAL_OIDC_CLIENT_SECRET", SECRET)
        reset_settings()
        try:
            response = await sign_in(client, "sub-lucie", email="lucie@numerique.exemple.fr")
        finally:
            monkeypatch.undo()
            reset_settings()
    assert response.status_code == 400 and "jeton d'identité" in text_of(response.text)
    assert not await Account.exists().where(Account.oidc_subject == "sub-lucie")


def test_a_forged_or_tampered_id_token_is_refused():
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    from tal.accounts.oidc import OidcError, verify_id_token

    provider_key, forger_key = RSAKey.generate_key(2048), RSAKey.generate_key(2048)
    keys = KeySet([provider_key])
    now = int(time.time())
    claims = {"iss": "https://idp.exemple.fr", "aud": CLIENT_ID, "sub": "s", "iat": now, "exp": now + 60, "nonce": "n"}
    check = dict(issuer="https://idp.exemple.fr", client_id=CLIENT_ID, nonce="n")
    good = jwt.encode({"alg": "RS256"}, claims, provider_key)
    assert verify_id_token(good, keys, **check)["sub"] == "s"
    for token in [jwt.encode({"alg": "RS256"}, claims, forger_key),  # signed by someone else
                  good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),  # signature tampered
                  jwt.encode({"alg": "RS256"}, {**claims, "aud": "other"}, provider_key),
                  jwt.encode({"alg": "RS256"}, {**claims, "iss": "https://evil.example"}, provider_key),
                  jwt.encode({"alg": "RS256"}, {**claims, "nonce": "replayed"}, provider_key),
                  jwt.encode({"alg": "RS256"}, {**claims, "exp": now - 3600}, provider_key)]:
        with pytest.raises(OidcError):
            verify_id_token(token, keys, **check)


async def test_a_first_sign_in_racing_another_is_retried_instead_of_a_500(client, accounts, configured, monkeypatch):
    """Two first sign-ins of one agent at once: the loser of the unique index (subject or
    user name) has its transaction rolled back and tries again, finding the account."""
    import sqlite3

    from tal.accounts import oidc

    real = oidc.account_for
    calls = []

    async def racing(claims, settings, address):
        calls.append(1)
        if len(calls) == 1:  # what the index answers to the second of two simultaneous inserts
            raise sqlite3.IntegrityError("UNIQUE constraint failed: account.oidc_subject")
        return await real(claims, settings, address)

    monkeypatch.setattr(oidc, "account_for", racing)
    response = await sign_in(client, "sub-rapide", email="rapide@numerique.exemple.fr")
    assert response.status_code == 303, text_of(response.text)
    assert len(calls) == 2
    assert await Account.count().where(Account.oidc_subject == "sub-rapide") == 1
