"""The journal's write API under /api/v1, for personal API tokens only: write an
entry (a draft of the team, or published at once) through the journal's service."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, post
from litestar.openapi.spec import Example
from litestar.params import Body

from tal import db
from tal.accounts.tokens import bearer_actor
from tal.audit.requests import record_request
from tal.journal import services
from tal.journal.schemas import EntryInput
from tal.i18n import N_


class EntryIn(EntryInput, kw_only=True):
    publish: bool = False


class EntryWrittenOut(msgspec.Struct):
    id: int
    state: str
    url: str
    api_url: str


EXAMPLE = {
    "title": "Les SMS partaient deux fois", "happened_on": "2026-03-20",
    "what_happened": "Une mise à jour de l'outil de rendez-vous a envoyé chaque rappel en double pendant deux jours.",
    "contributing_factors": "Aucun test des envois après les mises à jour.", "what_we_change": "Un envoi test après chaque mise à jour.",
    "tags": ["outil"], "experiment": "rappel-sms-etat-civil", "iteration": 1, "publish": True,
}


@post("/api/v1/journal", status_code=201, summary=N_("Écrire une entrée du journal « erreurs et apprentissages »"),
      exclude_from_csrf=True, security=[{"BearerToken": []}], tags=["Écriture (jetons d'API)"])
async def write_entry(
    request: Request,
    data: Annotated[EntryIn, Body(title="Entrée", examples=[Example(summary="Une entrée publiée", value=EXAMPLE)])],
) -> EntryWrittenOut:
    actor = bearer_actor(request)
    fields = {name: getattr(data, name) for name in EntryInput.__struct_fields__}
    async with db.transaction():
        entry = await services.create(actor, EntryInput(**fields))
        if data.publish:
            await services.publish(actor, entry)
            await record_request(request, actor, "journal.publish", str(entry), {"source": "api"})
    state = "published" if data.publish else "draft"
    return EntryWrittenOut(entry, state, f"/journal/{entry}", f"/api/v1/journal/{entry}")


ROUTES = [write_entry]
