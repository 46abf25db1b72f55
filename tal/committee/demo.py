"""Sample committee data for `tal serve --demo` (fictional, marked as such): the June
session that spread the civil status SMS reminder to three services, with the
follow-up of each; the October session that sent the library card experiment back to
its team (« itérer »), which now runs its second iteration; and a coming session with
one proposal on its agenda and another waiting. Loaded once: nothing is added when the
database already holds a session."""

from __future__ import annotations

import datetime as dt

from tal.accounts.tables import Service
from tal.committee.tables import CommitteeSession, FollowUp, Proposal
from tal.experiments.tables import Experiment

FICTIONAL = "Données fictives de démonstration."
MEMBERS = ["Direction générale des services", "Direction des systèmes d'information", "Direction de la communication",
           "Direction des finances"]
CASES = {
    "rappel-sms-etat-civil": ("Environ 0,06 € par SMS, soit quelques centaines d'euros par an et par service.",
                              "Une demi-journée de paramétrage de l'outil de prise de rendez-vous commun.",
                              "Les usagers convoqués et les agents d'accueil des services qui reçoivent sur rendez-vous.",
                              "Usagers sans mobile ; numéros absents ou erronés dans les fichiers."),
    "carte-lecteur-nouveaux-habitants": ("Une carte et une enveloppe par foyer.", "Faible : remise du kit à l'accueil.",
                                         "Les nouveaux habitants, les médiathèques.",
                                         "Effectif insuffisant pour trancher en une itération."),
    "collecte-biodechets-porte-a-porte": ("Bacs et tournées supplémentaires : à chiffrer avec les finances.",
                                          "Élevé : nouvelle tournée, communication auprès des habitants.",
                                          "Les habitants des cinq autres communes ; le budget de traitement des déchets.",
                                          "Qualité du tri (refus au centre de compostage) ; dépôts sauvages."),
    "rappel-sms-action-sociale": ("Celui de l'état civil : environ 0,06 € par SMS.", "Déjà en place au CCAS.",
                                  "Les usagers du centre communal d'action sociale.",
                                  "Résultat intermédiaire : l'effectif prévu n'est pas encore atteint."),
}


async def _ids() -> dict[str, int]:
    rows = await Experiment.select(Experiment.id, Experiment.slug).where(Experiment.slug.is_in(list(CASES)))
    return {r["slug"]: r["id"] for r in rows}


async def _proposal(experiment: int, slug: str, session: int | None, state: str, outcome: str | None,
                    at: dt.datetime) -> None:
    cost, effort, beneficiaries, risks = CASES[slug]
    await Proposal.insert(Proposal(experiment=experiment, cost=cost, effort=effort, beneficiaries=beneficiaries,
                                   risks=risks, state=state, session=session, outcome=outcome, created_at=at))


async def _session(held_on: dt.date, title: str) -> int:
    row = CommitteeSession(held_on=held_on, title=title, members_present=MEMBERS, notes=FICTIONAL)
    await row.save()
    return row.id


async def load_sample_committee(today: dt.date | None = None) -> bool:
    """Add the sample sessions, proposals and follow-ups; False when there were already sessions
    or the sample experiments are missing."""
    if await CommitteeSession.exists():
        return False
    ids = await _ids()
    if len(ids) < len(CASES):
        return False
    today = today or dt.date.today()
    utc = dt.timezone.utc
    june = await _session(dt.date(2026, 6, 12), "Comité transversal de juin 2026 (fictif)")
    await _proposal(ids["rappel-sms-etat-civil"], "rappel-sms-etat-civil", june, "decided", "spread",
                    dt.datetime(2026, 5, 20, 9, tzinfo=utc))
    services = {r["name"]: r["id"] for r in await Service.select(Service.id, Service.name)}
    follow_ups = [("Action sociale", "adopted", dt.date(2026, 8, 25), "rappel-sms-action-sociale"),
                  ("Affaires scolaires", "adopted", dt.date(2026, 8, 28), "rappel-sms-affaires-scolaires"),
                  ("Relation usagers", "open", None, "rappel-sms-relation-usagers")]
    checks = {r["slug"]: r["id"] for r in await Experiment.select(Experiment.id, Experiment.slug).where(
        Experiment.slug.is_in([f[3] for f in follow_ups]))}
    for service, state, adopted_on, check in follow_ups:
        await FollowUp.insert(FollowUp(experiment=ids["rappel-sms-etat-civil"], service=services[service],
                                       session=june, outcome="spread", decided_on=dt.date(2026, 6, 12), state=state,
                                       adopted_on=adopted_on, follow_up=checks.get(check), note=FICTIONAL))
    october = await _session(dt.date(2026, 10, 16), "Comité transversal d'octobre 2026 (fictif)")
    await _proposal(ids["carte-lecteur-nouveaux-habitants"], "carte-lecteur-nouveaux-habitants", october, "decided",
                    "iterate", dt.datetime(2026, 10, 5, 9, tzinfo=utc))
    coming = await _session(today + dt.timedelta(days=21), "Prochain comité transversal (fictif)")
    await _proposal(ids["collecte-biodechets-porte-a-porte"], "collecte-biodechets-porte-a-porte", coming, "scheduled",
                    None, dt.datetime(2026, 11, 2, 9, tzinfo=utc))
    await _proposal(ids["rappel-sms-action-sociale"], "rappel-sms-action-sociale", None, "proposed", None,
                    dt.datetime(2026, 11, 20, 9, tzinfo=utc))
    return True
