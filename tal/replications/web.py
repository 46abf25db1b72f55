"""The interventions' pages: the list, and one page per intervention pooling its replications."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from tal import db
from tal.core.http import actor_of
from tal.core.templating import language, render
from tal.i18n import translations
from tal.replications import services
from tal.replications.present import present
from tal.replications.sentences import reason


@get("/interventions", name="interventions")
async def intervention_list(request: Request) -> Template:
    async with db.transaction(write=False):
        found = await services.interventions(actor_of(request))
    return render(request, "replications/list.html", interventions=found)


@get("/interventions/{key:str}", name="intervention")
async def intervention_page(request: Request, key: FromPath[str]) -> Template:
    async with db.transaction(write=False):
        result = await services.pooled(key, actor_of(request))
    lang = language(request)
    _ = translations(lang).gettext
    left = [(result.label(metric), reason(code, _)) for metric, code in result.not_pooled]
    return render(request, "replications/detail.html", pooled=result, metrics=present(result, _, lang), left=left)


ROUTES = [intervention_list, intervention_page]
