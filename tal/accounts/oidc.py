"""ProConnect sign-in: OpenID Connect authorization code flow with PKCE, `state` and
`nonce` (Authlib for the PKCE challenge and tokens, joserfc, Authlib's JOSE library,
for the ID token's signature and claims).

The pending request (state, nonce, code verifier) lives in the signed and encrypted
session cookie, never in process memory. Later sign-ins match on the provider's
subject identifier, never on the e-mail alone. A first sign-in creates an inactive
account waiting for an admin, or an active agent account when the e-mail's domain
is mapped to a service by TAL_OIDC_DOMAINS.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
import unicodedata
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tal.accounts.actor import Actor
from tal.accounts.services import ACTOR_COLUMNS, actor_of_row
from tal.accounts.tables import Account, Service
from tal.audit.services import record
from tal.core.errors import DomainError, Forbidden
from tal.i18n import N_
from tal.settings import Settings

SCOPE = "openid email given_name usual_name"
# Matches no password: a ProConnect account has none until an admin sends a reset link.
NO_PASSWORD = "!"
PENDING_SECONDS = 600
LEEWAY = 60
TIMEOUT = 10.0

FAILED = N_("La connexion par ProConnect a échoué\u202f: recommencez.")
REFUSED = N_("La connexion par ProConnect a été annulée.")
BAD_STATE = N_("La réponse de ProConnect ne correspond à aucune connexion en cours\u202f: recommencez.")
BAD_TOKEN = N_("Le jeton d'identité de ProConnect est invalide.")
WAITING = N_("Votre compte a été créé\u202f; il attend qu'un administrateur le rattache à un service et à un rôle.")
INACTIVE = N_("Ce compte est désactivé ou attend un administrateur.")


class OidcError(DomainError):
    """A failed ProConnect sign-in: 400, nothing written but the audit line."""


async def _get_json(client: httpx.AsyncClient, url: str) -> dict:
    response = await client.get(url)
    response.raise_for_status()
    return response.json()


async def metadata(settings: Settings, client: httpx.AsyncClient) -> dict:
    """The provider's discovery document, checked against the configured issuer."""
    try:
        meta = await _get_json(client, f"{settings.oidc_issuer}/.well-known/openid-configuration")
    except (httpx.HTTPError, ValueError):
        raise OidcError(FAILED, "proconnect") from None
    if str(meta.get("issuer", "")).rstrip("/") != settings.oidc_issuer:
        raise OidcError(FAILED, "proconnect")
    return meta


def new_request() -> dict:
    """A pending sign-in: state, nonce and PKCE verifier, kept in the session."""
    return {"state": generate_token(32), "nonce": generate_token(32), "verifier": generate_token(64),
            "at": int(time.time())}


def authorization_url(meta: dict, settings: Settings, pending: dict, redirect_uri: str) -> str:
    query = {
        "response_type": "code", "client_id": settings.oidc_client_id, "redirect_uri": redirect_uri,
        "scope": SCOPE, "state": pending["state"], "nonce": pending["nonce"],
        "code_challenge": create_s256_code_challenge(pending["verifier"]), "code_challenge_method": "S256",
    }
    return f"{meta['authorization_endpoint']}?{urlencode(query)}"


def check_callback(pending: object, state: str, error: str) -> dict:
    """The pending request this callback answers; OidcError otherwise. An error answer
    (refused consent) signs nobody in, whatever its state."""
    if error:
        raise OidcError(REFUSED, "error")
    if not isinstance(pending, dict) or not isinstance(pending.get("state"), str):
        raise OidcError(BAD_STATE, "state")
    if not state or not hmac.compare_digest(state.encode(), pending["state"].encode()):
        raise OidcError(BAD_STATE, "state")
    if time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        raise OidcError(BAD_STATE, "state")
    return pending


def verify_id_token(id_token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str) -> dict:
    """The ID token's claims, once its signature (the provider's keys), issuer,
    audience, expiry and nonce are checked."""
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY, iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
            exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
            nonce={"essential": True, "value": nonce})
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError):
        raise OidcError(BAD_TOKEN, "id_token") from None
    claims = token.claims
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audience) > 1 and claims.get("azp") != client_id:
        raise OidcError(BAD_TOKEN, "id_token")
    return claims


async def exchange(meta: dict, settings: Settings, pending: dict, code: str, redirect_uri: str,
                   client: httpx.AsyncClient) -> tuple[dict, str]:
    """Trade the code for tokens; the verified ID token's claims (with the userinfo
    claims when the ID token lacks the e-mail), and the raw ID token."""
    if not code or len(code) > 2000:
        raise OidcError(FAILED, "code")
    try:
        response = await client.post(meta["token_endpoint"], data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": pending["verifier"], "client_id": settings.oidc_client_id,
            "client_secret": settings.oidc_client_secret})
        if response.status_code != 200:
            raise OidcError(FAILED, "code")
        tokens = response.json()
        keys = KeySet.import_key_set(await _get_json(client, meta["jwks_uri"]))
    except (httpx.HTTPError, ValueError, KeyError, JoseError):
        raise OidcError(FAILED, "code") from None
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError(BAD_TOKEN, "id_token")
    claims = verify_id_token(id_token, keys, issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                             nonce=pending["nonce"])
    if "email" not in claims and meta.get("userinfo_endpoint") and tokens.get("access_token"):
        claims = {**await _userinfo(meta, keys, tokens["access_token"], claims["sub"], client), **claims}
    return claims, id_token


async def _userinfo(meta: dict, keys: KeySet, access_token: str, sub: str, client: httpx.AsyncClient) -> dict:
    """ProConnect answers with a signed JWT, others with JSON; the subject must match."""
    try:
        response = await client.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"})
        response.raise_for_status()
        if response.headers.get("content-type", "").startswith("application/jwt"):
            info = jwt.decode(response.text, keys).claims
        else:
            info = response.json()
    except (httpx.HTTPError, ValueError, JoseError):
        raise OidcError(FAILED, "userinfo") from None
    if info.get("sub") != sub:
        raise OidcError(BAD_TOKEN, "userinfo")
    return info


def end_session_url(meta: dict, id_token: str, after: str) -> str | None:
    endpoint = meta.get("end_session_endpoint")
    if not endpoint:
        return None
    return f"{endpoint}?{urlencode({'id_token_hint': id_token, 'post_logout_redirect_uri': after, 'state': generate_token(16)})}"


# ---------------------------------------------------------------- accounts


def _username_base(email: str, sub: str) -> str:
    local = email.split("@", 1)[0] if email else ""
    text = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9._-]+", "-", text).strip("._-")[:50]
    return text if len(text) >= 2 else "agent-" + re.sub(r"[^a-z0-9]", "", sub.lower())[:12]


async def _free_username(base: str) -> str:
    name = base
    while await Account.exists().where(Account.username == name):
        name = f"{base[:50]}-{secrets.randbelow(10_000)}"
    return name


async def account_for(claims: dict, settings: Settings, address: str) -> tuple[Actor, int]:
    """The account of this subject, created at the first sign-in; refused when inactive."""
    sub = str(claims["sub"])[:255]
    row = await Account.select(*ACTOR_COLUMNS, Account.session_generation).where(Account.oidc_subject == sub).first()
    if row is None:
        email = str(claims.get("email") or "").strip().lower()[:254]
        domain = email.rsplit("@", 1)[1] if "@" in email else ""
        service_name = dict(settings.oidc_domains).get(domain)
        service = await Service.select(Service.id, Service.archived).where(
            Service.name == service_name).first() if service_name else None
        active = service is not None and not service["archived"]
        name = " ".join(str(claims.get(k) or "") for k in ("given_name", "usual_name")).strip()[:120]
        username = await _free_username(_username_base(email, sub))
        [created] = await Account.insert(Account(
            username=username, display_name=name or username, password_hash=NO_PASSWORD, role="agent",
            service=service["id"] if active else None, active=active, oidc_subject=sub, password_sign_in=False,
        )).returning(Account.id)
        await record("account.create", account_id=None, address=address, target=username,
                     detail={"account": created["id"], "source": "proconnect", "active": active,
                             "service": service_name if active else None})
        if not active:
            return None, 0  # type: ignore[return-value]
        row = await Account.select(*ACTOR_COLUMNS, Account.session_generation).where(Account.id == created["id"]).first()
    actor = actor_of_row(row)
    if actor is None:
        raise Forbidden(INACTIVE, "proconnect")
    await record("account.sign_in", account_id=actor.id, address=address, target=actor.username,
                 detail={"source": "proconnect"})
    return actor, row["session_generation"]
