"""French labels of the register's enumerations (translated at render time)."""

from jinja2 import pass_context

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
OUTCOME = {"scale": N_("Généraliser"), "spread": N_("Essaimer"), "iterate": N_("Itérer"), "stop": N_("Arrêter")}
ROLE_ACCOUNT = {
    "agent": N_("Agent"),
    "manager": N_("Encadrement"),
    "committee": N_("Comité transversal"),
    "admin": N_("Administration"),
}

SOURCE = {"form": N_("saisi dans un formulaire"), "api": N_("reçu par l'API"), "file": N_("chargé depuis un fichier")}

ALL = {
    "source": SOURCE,
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

# Names of the keys of the experiment file and of the forms, to say in plain words
# which field an error is about (« Indicateur 1 › Effet minimal utile »).
SECTIONS = {
    "hypotheses": N_("Hypothèse"),
    "metrics": N_("Indicateur"),
    "arms": N_("Bras"),
    "iterations": N_("Itération"),
    "results": N_("Résultat"),
    "series": N_("Série"),
    "panel": N_("Panel"),
    "amendments": N_("Amendement"),
    "journal": N_("Entrée du journal"),
}
FIELDS = {
    "title": N_("Titre"),
    "slug": N_("Identifiant court (slug)"),
    "service": N_("Service porteur"),
    "partner_services": N_("Services partenaires"),
    "objectives": N_("Objectifs stratégiques"),
    "design": N_("Protocole"),
    "summary": N_("Présentation"),
    "visibility": N_("Visibilité"),
    "registered_at": N_("Date de pré-enregistrement"),
    "intervention": N_("Intervention répliquée"),
    "key": N_("Clé courte"),
    "we_believe": N_("Nous pensons que…"),
    "to_verify_we_will": N_("Pour le vérifier, nous allons…"),
    "we_will_measure": N_("Et mesurer…"),
    "we_are_right_if": N_("Nous aurons raison si…"),
    "hypothesis": N_("Hypothèse (clé)"),
    "label": N_("Libellé"),
    "kind": N_("Type"),
    "role": N_("Rôle"),
    "direction": N_("Sens attendu"),
    "mde": N_("Effet minimal utile"),
    "alpha": N_("Risque de fausse alerte (alpha)"),
    "power": N_("Chance de voir l'effet s'il existe (puissance)"),
    "baseline": N_("Valeur de référence"),
    "baseline_sd": N_("Écart-type de référence"),
    "levels": N_("Niveaux"),
    "control": N_("Bras témoin"),
    "share": N_("Part prévue"),
    "started_on": N_("Début"),
    "ended_on": N_("Fin"),
    "change": N_("Ce qui a été essayé"),
    "reason": N_("Raison"),
    "n": N_("Effectif (n)"),
    "successes": N_("Nombre de « oui »"),
    "mean": N_("Moyenne"),
    "sd": N_("Écart-type"),
    "events": N_("Événements"),
    "exposure": N_("Exposition"),
    "counts": N_("Effectifs par niveau"),
    "data": N_("Données"),
    "intervention_at": N_("Première période avec le changement"),
    "hac_maxlags": N_("Décalages HAC"),
    "treated_units": N_("Unités concernées"),
    "outcome": N_("Décision"),
    "decided_on": N_("Date de la décision"),
    "rationale": N_("Motifs"),
    "target_services": N_("Services vers lesquels généraliser"),
    "happened_on": N_("Quand c'est arrivé"),
    "what_happened": N_("Ce qui s'est passé"),
    "tags": N_("Étiquettes"),
    "new_tags": N_("Nouvelles étiquettes"),
    "services": N_("Services concernés"),
    "due_on": N_("Échéance"),
    "body": N_("Commentaire"),
    "version": N_("Version"),
    "we_believed": N_("Nous pensions que…"),
    "we_observed": N_("Nous avons observé…"),
    "we_learned": N_("Nous en avons appris…"),
    "therefore_we_will": N_("Donc nous allons…"),
}
# Path segments that only group fields (form prefixes): not said.
GROUPS = {"experiment", "amendment", "learning", "decision", "r", "s", "p", "format"}


def describe_field(path: str, gettext, doc=None) -> str:
    """`metrics[2].mde` -> « Indicateur 2 › Effet minimal utile » (in the page's language);
    with the experiment `doc`, an ordinal count `r.satisfaction.sms.counts[2]` is named by
    its level (« … › Effectifs par niveau › Plutôt insatisfait »)."""
    import re

    parts = []
    for segment in path.split("."):
        match = re.fullmatch(r"(\w+)\[(\d+)\]", segment)
        if match and match.group(1) == "counts":
            parts.append(gettext(FIELDS["counts"]))
            parts.append(_level(doc, path, int(match.group(2))))
        elif match and match.group(1) in SECTIONS:
            parts.append(f"{gettext(SECTIONS[match.group(1)])} {match.group(2)}")
        elif segment in FIELDS:
            parts.append(gettext(FIELDS[segment]))
        elif segment in SECTIONS:
            parts.append(gettext(SECTIONS[segment]))
        elif segment not in GROUPS and " : " not in segment:
            parts.append(segment)  # a metric's or an arm's key, as the team wrote it
    return " › ".join(parts)


def _level(doc, path: str, rank: int) -> str:
    """The name of level `rank` (from 1) of the metric a data-form path names, else the rank."""
    parts = path.split(".")
    metric = next((m for m in getattr(doc, "metrics", None) or [] if len(parts) > 1 and m.key == parts[1]), None)
    levels = (metric.levels or []) if metric is not None else []
    return levels[rank - 1] if 0 < rank <= len(levels) else str(rank)


@pass_context
def field_label(ctx, path: str | None) -> str:
    """The label of a form field named by its key path, for error summaries."""
    return describe_field(path, ctx["_"], ctx.get("doc")) if path else ""


def template_globals() -> dict:
    """What the register gives every template (registered by the application factory)."""
    return {"labels": ALL, "field_label": field_label}
