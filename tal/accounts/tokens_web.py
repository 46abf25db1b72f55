"""The account page's API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tal import db
from tal.accounts import tokens
from tal.core.errors import DomainError
from tal.core.http import signed_in
from tal.core.templating import render


async def _page(request: Request, *, new_token: str = "", error: DomainError | None = None, form=None,
                status: int = 200) -> Template:
    actor = signed_in(request)
    async with db.transaction(write=False):
        mine = await tokens.of(actor)
    return render(request, "accounts/tokens.html", status_code=status, tokens=mine, new_token=new_token, error=error,
                  form=form, days=tokens.EXPIRY_DAYS, limit=tokens.RATE_LIMIT)


@get("/compte/jetons", name="api_tokens")
async def tokens_page(request: Request) -> Template:
    return await _page(request)


@post("/compte/jetons")
async def create_token(request: Request) -> Response:
    actor = signed_in(request)
    form = await request.form()
    days = str(form.get("days", ""))
    try:
        async with db.transaction():
            _, token = await tokens.create(actor, str(form.get("name", ""))[:200],
                                           int(days) if days.isdigit() and len(days) < 5 else 0)
    except DomainError as exc:
        return await _page(request, error=exc, form=form, status=exc.status_code)
    # Shown once, in this answer only (never stored in clear, never in a redirect).
    return await _page(request, new_token=token)


@post("/compte/jetons/{token_id:int}/revoquer", name="api_token_revoke")
async def revoke_token(request: Request, token_id: FromPath[int]) -> Response:
    actor = signed_in(request)
    async with db.transaction():
        await tokens.revoke(actor, token_id)
    return Redirect("/compte/jetons", status_code=303)


ROUTES = [tokens_page, create_token, revoke_token]
