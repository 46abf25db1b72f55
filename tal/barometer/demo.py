"""Sample barometer data for `tal serve --demo`: two past campaigns of fictional
answers, marked fictional, with one service under the threshold (« Médiathèques »)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from tal.accounts.services import ensure_service
from tal.barometer import scoring
from tal.barometer.tables import Answer, Campaign, FreeText

# service: (answers in the first campaign, in the second, active accounts, climate)
SERVICES = {
    "Population et citoyenneté": (18, 22, 30, 0.6),
    "Relation usagers": (12, 13, 20, -0.2),
    "Affaires scolaires": (15, 16, 25, 0.3),
    "Voirie et propreté": (10, 11, 18, -0.5),
    "Médiathèques": (5, 6, 9, 0.8),
}
FREE_TEXTS = [
    "Un temps court en réunion d'équipe pour raconter ce qui n'a pas marché, sans chercher de coupable.",
    "Que l'encadrement partage aussi ses propres erreurs.",
    "Savoir que l'entrée du journal peut rester anonyme.",
    "Plus de temps : on court toujours après le suivant.",
    "Un modèle simple pour décrire ce qui s'est passé.",
    "Des retours quand on signale un problème, même pour dire que c'est pris en compte.",
]


def _clamp(value: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(value)))


def fictional_answer(rng: random.Random, climate: float) -> dict[str, int]:
    """One made-up answer: a person's level around their service's climate, items around it."""
    level = rng.gauss(climate, 0.9)
    answer = {}
    for item in scoring.PS_ITEMS:
        value = _clamp(4.6 + 1.1 * level + rng.gauss(0, 0.8), 1, 7)
        answer[item] = 8 - value if item in scoring.PS_REVERSED else value
    mood = rng.gauss(0.5 * level, 0.9)
    for item in scoring.WHO_ITEMS:
        answer[item] = _clamp(2.9 + 0.9 * mood + rng.gauss(0, 0.7), 0, 5)
    for item in scoring.DIG_ITEMS:
        answer[item] = _clamp(3.1 + 0.5 * level + rng.gauss(0, 0.9), 1, 5)
    return answer


async def load_sample_campaigns(today: dt.date | None = None) -> int:
    """Create the two fictional campaigns unless they exist; returns how many were created."""
    if await Campaign.exists().where(Campaign.fictional == True):  # noqa: E712
        return 0
    today = today or dt.date.today()
    for name in SERVICES:
        await ensure_service(name)
    rng = random.Random(2026)
    periods = [("Baromètre social — printemps (données fictives)", today - dt.timedelta(days=203), today - dt.timedelta(days=182)),
               ("Baromètre social — automne (données fictives)", today - dt.timedelta(days=21), today)]
    for index, (title, opens_on, closes_on) in enumerate(periods):
        created = await Campaign.insert(Campaign(
            title=title, opens_on=opens_on, closes_on=closes_on, state="closed", open_slot=None,
            services=sorted(SERVICES), population={s: v[2] for s, v in SERVICES.items()}, fictional=True,
        )).returning(Campaign.id)
        campaign_id = created[0]["id"]
        answers, texts = [], []
        for service, (first, second, _, climate) in SERVICES.items():
            shift = 0.25 * index
            for _ in range((first, second)[index]):
                answers.append(Answer(id=uuid.uuid4(), campaign=campaign_id, service=service,
                                      **fictional_answer(rng, climate + shift)))
            for body in rng.sample(FREE_TEXTS, 2):
                texts.append(FreeText(id=uuid.uuid4(), campaign=campaign_id, service=service, body=body))
        await Answer.insert(*answers)
        await FreeText.insert(*texts)
    return len(periods)
