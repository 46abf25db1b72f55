"""The pages the browser suite visits (tests/test_browser.py): one line per page or
form state. To add a page, add a line here.

`path` may hold placeholders filled from the demo data: {slug} (each sample
experiment in turn), {entry} (a journal entry),
{campaign} (a barometer campaign), {intervention} (a replicated intervention).
`roles`: who visits it ("visitor" is signed out). `submit`: the CSS selector of a
form to send as it is shown (browser validation off), to check the page of its
errors; `fill` gives values to type first ({field name: text}).
"""

from __future__ import annotations

from dataclasses import dataclass, field

VISITOR = "visitor"
ROLES = (VISITOR, "agent", "manager", "comite", "admin")
SIGNED_IN = ("agent", "manager", "comite", "admin")
EVERYONE = ROLES


@dataclass(frozen=True)
class Page:
    path: str
    roles: tuple[str, ...] = ("agent",)
    submit: str | None = None
    fill: dict[str, str] = field(default_factory=dict)


PAGES: list[Page] = [
    Page("/", EVERYONE),
    Page("/experimentations", EVERYONE),
    Page("/experimentations?design=randomized&status=concluded", ("agent",)),
    Page("/experimentations/{slug}", ("agent",)),
    Page("/experimentations/rappel-sms-etat-civil", (VISITOR, "manager", "comite", "admin")),
    Page("/experimentations/interdiction-tabac-syndromes-coronariens", (VISITOR, "manager", "comite", "admin")),
    Page("/experimentations/collecte-biodechets-porte-a-porte", ("manager", "comite", "admin")),
    Page("/experimentations/nouvelle", ("agent",)),
    Page("/experimentations/nouvelle", ("agent",), submit="main form.form"),
    Page("/experimentations/numero-unique-accueil/modifier", ("agent",)),
    Page("/experimentations/numero-unique-accueil/plan", ("agent",)),
    Page("/experimentations/numero-unique-accueil/plan", ("agent",), submit="main form.form",
         fill={"metrics[1].mde": "beaucoup"}),
    Page("/experimentations/rappel-sms-etat-civil/decision", ("comite",)),
    Page("/experimentations/rappel-sms-etat-civil/decision", ("comite",), submit="main form.form"),
    Page("/experimentations/numero-unique-accueil/iterations/nouvelle", ("agent",)),
    Page("/experimentations/rappel-sms-etat-civil/iterations/1/modifier", ("agent",)),
    Page("/experimentations/rappel-sms-etat-civil/iterations/1/donnees", ("agent",)),
    Page("/experimentations/extinction-eclairage-coeur-de-nuit/iterations/1/donnees", ("admin",)),
    Page("/journal", EVERYONE),
    Page("/journal/{entry}", ("agent", VISITOR)),
    Page("/journal/nouvelle", ("agent",)),
    Page("/journal/nouvelle", ("agent",), submit="main form.form"),
    Page("/interventions", (VISITOR, "agent")),
    Page("/interventions/{intervention}", (VISITOR, "agent")),
    Page("/donnees", (VISITOR,)),
    Page("/barometre", ("agent", "manager", "admin")),
    Page("/barometre/{campaign}", ("manager",)),
    Page("/compte/jetons", ("agent",)),
    Page("/admin/journal-audit", ("admin",)),
    Page("/schema", (VISITOR,)),
    Page("/connexion", (VISITOR,)),
    Page("/connexion", (VISITOR,), submit="main form", fill={"username": "personne", "password": "pas-le-bon"}),
    Page("/mon-espace", ("agent", "manager", "comite")),
    Page("/revue", ("agent", "manager")),
    Page("/revue/liste/concluded", ("manager",)),
    Page("/comite", ("comite", "agent")),
    Page("/comite/seances/1", ("comite",)),
    Page("/comite/candidats/rappel-sms-etat-civil", ("comite",)),
    Page("/comite/suivis", ("comite",)),
    Page("/admin/comptes", ("admin",)),
    Page("/admin/comptes/agent", ("admin",)),
    Page("/admin/services", ("admin",)),
    Page("/admin/objectifs", ("admin",)),
    Page("/cette-page-n-existe-pas", (VISITOR, "agent")),
    Page("/admin/journal-audit", ("agent",)),
]
