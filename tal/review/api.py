"""The JSON twin of the management review, under /api/v1."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Request, get

from tal.review.web import load


class PeriodOut(msgspec.Struct):
    start: dt.date
    end: dt.date
    services: list[str]
    objective: str


class ReviewOut(msgspec.Struct):
    """`experiments`: pre-registered in the period, by current status (`started`: all of
    them); `verdicts`: concluded experiments whose first verdict is in the period;
    `median_days`: registration to first verdict and to decision; `learning`: cards and
    experiments without one; `amendments`: of the period's plans; `decisions` and
    `follow_ups` of the period; `journal`: entries shared per service and their reactions;
    `actions`: open action items (late ones flagged)."""

    period: PeriodOut
    figures: dict
    learning_cards: list[dict]
    url: str


@get("/api/v1/review", summary="La revue des apprentissages : chiffres d'une période, de services, d'un objectif",
     description="Paramètres : `du` et `au` (AAAA-MM-JJ) ou `periode` (`3m`, `ytd`, `12m`), `service` (répété), "
     "`objectif`. 400, avec la clé du paramètre en cause (`field`), pour une date mal formée, une période "
     "prédéfinie, un service ou un objectif inconnus, plus de 30 services, une fin de période qui précède son début, "
     "une requête de plus de 16 000 caractères.", tags=["Revue"])
async def review(request: Request) -> ReviewOut:
    r = await load(request, everything=True)
    f = r.filters
    from urllib.parse import urlencode

    return ReviewOut(PeriodOut(f.start, f.end, list(f.services), f.objective), r.figures, r.digest,
                     "/revue?" + urlencode(f.query()))


ROUTES = [review]
