"""`tal evaluate FILE_OR_SLUG [--format text|json]`.

A file is evaluated without a database; a slug reads the stored experiment and its
snapshot (computed now when its data changed since).
"""

from __future__ import annotations

import json
from pathlib import Path

from tal.core.errors import DomainError
from tal.evaluation.present import present
from tal.evaluation.sentences import Phrase
from tal.experiments.schemas import ExperimentFile
from tal.i18n import translations


async def _stored(slug: str) -> tuple[ExperimentFile, dict | None, str | None]:
    from tal import db
    from tal.evaluation import services as evaluation
    from tal.experiments import services

    await db.migrate()
    async with db.transaction(write=False):
        doc = await services.export(slug)
        found = await evaluation.current(slug, doc)
    return doc, found.result, found.error


def _file(path: Path) -> tuple[ExperimentFile, dict | None, str | None]:
    from tal.evaluation.services import evaluate_many
    from tal.experiments import fileformat

    doc = fileformat.read(path)
    [(result, error)] = evaluate_many([doc])
    return doc, result, error


def text_report(doc: ExperimentFile, result: dict, lang: str = "fr") -> str:
    """A readable French report: one block per iteration, one line per comparison."""
    _ = translations(lang).gettext
    phrase = Phrase(_, lang)
    lines = [f"{doc.experiment.title} ({doc.experiment.slug}) — {doc.experiment.design}"]
    for it in present(result, doc, _, lang):
        lines.append("")
        lines.append(f"Itération {it.number}")
        if it.srm:
            flag = "DÉSÉQUILIBRE — résultats à ne pas utiliser avant explication" if it.srm["mismatch"] else "équilibre conforme"
            lines.append(f"  Répartition des bras : p = {phrase.p_value(it.srm['p_value'])} ({flag})")
        for warning in it.warnings:
            lines.append(f"  ! {warning}")
        for c in it.comparisons:
            raw = c.raw
            lines.append(f"  - [{c.verdict}] {c.metric} ({raw['role']}), {c.arm} / {c.control}")
            lines.append(f"    {c.sentence}")
            p = raw.get("p_value_adjusted")
            lines.append(f"    p ajustée = {phrase.p_value(p)} ; méthode : {raw.get('method')}")
            for warning in raw.get("warnings") or []:
                if warning not in it.warnings:
                    lines.append(f"    ! {warning}")
    return "\n".join(lines) + "\n"


async def evaluate_command(target: str, fmt: str) -> str:
    path = Path(target)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise DomainError("fichier introuvable", target)
        doc, result, error = _file(path)
    else:
        doc, result, error = await _stored(target)
    if result is None:
        raise DomainError(f"évaluation impossible : {error}", doc.experiment.slug)
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    return text_report(doc, result)
