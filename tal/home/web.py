"""« Mon espace »: the personal home page of a signed-in person (the public home page
stays as it is)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from tal import db
from tal.core.http import signed_in
from tal.core.templating import render
from tal.home import services
from tal.review import queries
from tal.review.web import VERDICT_LABELS


@get("/mon-espace", name="my_space")
async def my_space(request: Request) -> Template:
    actor = signed_in(request)
    async with db.transaction(write=False):
        space = await services.space(actor, dt.date.today())
    qs = urlencode(space.review.filters.query()) if space.review else ""
    return render(request, "home/space.html", s=space, qs=qs, statuses=("draft", *queries.STATUSES),
                  verdicts=queries.VERDICTS, verdict_labels=VERDICT_LABELS)


ROUTES = [my_space]
