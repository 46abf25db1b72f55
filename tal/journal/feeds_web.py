"""Atom feeds of the journal: published entries (agents; all, per service, per tag)
and public entries (everybody). No author's name ever appears in a feed."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.response import Template
from litestar.params import FromQuery

from tal import db
from tal.core import markdown
from tal.accounts.services import actor_by_feed_token, new_feed_token
from tal.core.errors import Forbidden
from tal.core.http import signed_in
from tal.core.templating import render
from tal.journal import services
from tal.journal.feeds import FeedEntry, atom_feed
from tal.journal.tables import JournalEntry
from tal.settings import get_settings

SECTIONS = (("what_happened", "Ce qui s'est passé"), ("contributing_factors", "Facteurs contributifs"),
            ("what_we_learned", "Ce que nous avons appris"), ("what_we_change", "Ce que nous changeons"))


async def _feed(request: Request, *, public: bool, service: str, tag: str, token: str = "") -> Response:
    actor = request.scope["state"].get("actor")
    if not public and actor is None and token:
        async with db.transaction(write=False):
            actor = await actor_by_feed_token(token)
    if not public and actor is None:
        raise Forbidden("le flux des entrées publiées est réservé aux agents : connectez-vous, utilisez votre "
                        "adresse de flux personnelle, ou suivez le flux public")
    filters = services.JournalFilters(service=service[:120], tag=tag[:40])
    async with db.transaction(write=False):
        page = await services.search(filters, None if public else actor)
        ids = [e.id for e in page.items if e.state == "published"]
        rows = await JournalEntry.select(*JournalEntry.all_columns(), JournalEntry.team.name).where(
            JournalEntry.id.is_in(ids or [0]))
    base = str(request.base_url).rstrip("/")
    entries = []
    for row in sorted(rows, key=lambda r: r["published_at"] or r["updated_at"], reverse=True):
        html = "".join(f"<h3>{title}</h3>{markdown.render(row[key])}" for key, title in SECTIONS if row[key])
        entries.append(FeedEntry(
            id=f"{base}/journal/{row['id']}", title=row["title"], url=f"{base}/journal/{row['id']}",
            updated=row["updated_at"], published=row["published_at"], summary=row["what_happened"][:300],
            content_html=html, categories=db.json_value(row["tags"]),
            author_name=row["team.name"] or get_settings().org_name,
        ))
    kind = "public" if public else "flux"
    query = urlencode({k: v for k, v in (("service", service), ("tag", tag)) if v})
    self_url = f"{base}/journal/{kind}.atom" + (f"?{query}" if query else "")
    title = f"{get_settings().org_name} — Erreurs et apprentissages" + (" (public)" if public else "")
    updated = max((e.updated for e in entries), default=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    body = atom_feed(feed_id=self_url, title=title, self_url=self_url, alternate_url=f"{base}/journal",
                     updated=updated, entries=entries, author_name=get_settings().org_name)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@get("/journal/flux.atom", include_in_schema=False)
async def internal_feed(
    request: Request, service: FromQuery[str] = "", tag: FromQuery[str] = "", jeton: FromQuery[str] = ""
) -> Response:
    """The agents' feed: with the session, or with a personal token for feed readers."""
    return await _feed(request, public=False, service=service, tag=tag, token=jeton)


@post("/journal/jeton-flux")
async def feed_token(request: Request) -> Template:
    """A personal feed address for a feed reader (shown once; a new one replaces it)."""
    actor = signed_in(request)
    async with db.transaction():
        token = await new_feed_token(actor)
    url = f"{str(request.base_url).rstrip('/')}/journal/flux.atom?{urlencode({'jeton': token})}"
    return render(request, "journal/feed_token.html", url=url)


@get("/journal/public.atom", include_in_schema=False)
async def public_feed(request: Request, service: FromQuery[str] = "", tag: FromQuery[str] = "") -> Response:
    return await _feed(request, public=True, service=service, tag=tag)


ROUTES = [internal_feed, public_feed, feed_token]
