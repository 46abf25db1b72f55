"""`tal pool INTERVENTION_OR_FILE… [--format text|json]`.

Arguments that name files or folders are `tal-experiment/1` files, evaluated without
the database (another collectivité's replications, for instance); another argument is
an intervention key, whose stored experiments are read from the database. Every
experiment pooled carries the same `intervention` key.
"""

from __future__ import annotations

import json
from pathlib import Path

from tal.core.errors import DomainError
from tal.i18n import translations
from tal.replications import services
from tal.replications.present import p_text
from tal.replications.sentences import Figures, reason, sentence
from tal.i18n import N_


def _is_path(target: str) -> bool:
    return target.endswith(".toml") or Path(target).exists()


def _from_files(paths: list[Path], key: str | None) -> tuple[str, list[services.Replication]]:
    from tal.evaluation.services import evaluate_many
    from tal.experiments import fileformat

    docs = [(path, fileformat.read(path)) for path in fileformat.collect(paths)]
    for path, doc in docs:
        found = doc.experiment.intervention
        if found is None:
            raise DomainError(N_("absente\u202f: seules les expérimentations qui portent une clé d'intervention se combinent"),
                              f"{path} : experiment.intervention")
        key = key or found
        if found != key:
            raise DomainError(f"« {found} » au lieu de « {key} » : ce fichier ne réplique pas la même intervention",
                              f"{path} : experiment.intervention")
    outcomes = evaluate_many([doc for _, doc in docs])
    replications = [
        services.Replication(doc.experiment.slug, doc.experiment.title, doc.experiment.service, doc.experiment.design,
                             doc.experiment.status, doc, result)
        for (_, doc), (result, _error) in zip(docs, outcomes)
    ]
    return key or "", replications


async def _stored(key: str) -> list[services.Replication]:
    from tal import db

    await db.migrate()
    async with db.transaction(write=False):
        return await services.replications(key, None, everything=True)


def text_report(result: services.Pooled, lang: str = "fr") -> str:
    _ = translations(lang).gettext
    lines = [f"Intervention « {result.intervention} » : {len(result.replications)} expérimentation(s)"]
    for metric in result.result["metrics"]:
        f = Figures(metric, lang)
        pooled, fixed = metric["pooled"], metric["fixed"]
        lines += [
            "",
            f"Indicateur « {metric['metric']} » ({metric['kind']}, échelle {metric['scale']}), k = {metric['k']}, "
            f"{metric['method']}",
            "  " + sentence(metric, result.label(metric["metric"]), _, lang),
            f"  Effet combiné : {f.num(pooled['estimate'], 4)} [{f.num(pooled['ci'][0], 4)} ; "
            f"{f.num(pooled['ci'][1], 4)}], {p_text(f, pooled['p_value'])}",
            f"  Effet fixe : {f.num(fixed['estimate'], 4)} [{f.num(fixed['ci'][0], 4)} ; {f.num(fixed['ci'][1], 4)}]",
            f"  tau² = {f.num(metric['tau2'], 6)} ; I² = {f.percent(metric['i2'])} ; Q = {f.num(metric['q'], 2)} "
            f"({p_text(f, metric['q_p_value'])})",
        ]
        for s in metric["studies"]:
            lines.append(
                f"  - {s['experiment']} ({s['service']}), itération {s['iteration']}, bras {s['arm']} : "
                f"{f.num(s['estimate'], 4)} (erreur-type {f.num(s['std_error'], 4)}), poids {f.percent(s['weight'])}"
            )
    for key, code in result.not_pooled:
        lines.append(f"\nNon combiné : « {key} » ({reason(code, _)})")
    return "\n".join(lines) + "\n"


async def pool_command(targets: list[str], fmt: str) -> str:
    keys = [t for t in targets if not _is_path(t)]
    if len(keys) > 1:
        raise DomainError(f"une seule clé d'intervention à la fois (reçu : {', '.join(keys)}) ; les autres arguments "
                          "sont des fichiers .toml ou des dossiers", "intervention")
    key = keys[0] if keys else None
    found: list[services.Replication] = []
    paths = [Path(t) for t in targets if _is_path(t)]
    if paths:
        key, found = _from_files(paths, key)
    if keys:
        stored = await _stored(key)
        if not stored and not found:
            raise DomainError(f"aucune expérimentation ne porte l'intervention « {key} »", "intervention")
        found = stored + found
    result = await services.pool_replications(key, found)
    pooled = services.require(result)
    if fmt == "json":
        return json.dumps(pooled, ensure_ascii=False, indent=2) + "\n"
    return text_report(result)
