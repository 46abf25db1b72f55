"""French labels of the register's enumerations (translated at render time)."""

from tal.i18n import N_

STATUS = {
    "draft": N_("Brouillon"),
    "registered": N_("Pré-enregistrée"),
    "running": N_("En cours"),
    "concluded": N_("Conclue"),
    "decided": N_("Décidée"),
    "abandoned": N_("Abandonnée"),
}
STATUS_ACTIONS = {
    "registered": N_("Pré-enregistrer le plan"),
    "running": N_("Démarrer"),
    "concluded": N_("Conclure"),
    "abandoned": N_("Abandonner"),
}
DESIGN = {
    "randomized": N_("Randomisée"),
    "before_after": N_("Avant / après"),
    "comparison_group": N_("Groupe de comparaison"),
}
VISIBILITY = {"internal": N_("Interne (tous les agents)"), "public": N_("Publique (aussi le public)")}
KIND = {
    "binary": N_("Proportion (oui / non)"),
    "mean": N_("Moyenne"),
    "rate": N_("Taux (événements par exposition)"),
    "ordinal": N_("Échelle ordonnée"),
}
ROLE = {"primary": N_("Principal"), "secondary": N_("Secondaire"), "guardrail": N_("Garde-fou")}
DIRECTION = {"increase": N_("Hausse attendue"), "decrease": N_("Baisse attendue")}
OUTCOME = {"scale": N_("Généraliser"), "iterate": N_("Itérer"), "stop": N_("Arrêter")}
ROLE_ACCOUNT = {
    "agent": N_("Agent"),
    "manager": N_("Encadrement"),
    "committee": N_("Comité transversal"),
    "admin": N_("Administration"),
}

ALL = {
    "status": STATUS,
    "status_actions": STATUS_ACTIONS,
    "design": DESIGN,
    "visibility": VISIBILITY,
    "kind": KIND,
    "role": ROLE,
    "direction": DIRECTION,
    "outcome": OUTCOME,
    "account_role": ROLE_ACCOUNT,
}
