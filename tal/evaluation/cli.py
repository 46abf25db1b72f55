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
from tal.i18n import N_


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
    """A readable report in the language: one block per iteration, one line per comparison."""
    from tal.experiments.labels import DESIGN, ROLE

    _ = translations(lang).gettext
    phrase = Phrase(_, lang)
    design = _(DESIGN.get(doc.experiment.design, doc.experiment.design))
    lines = [f"{doc.experiment.title} ({doc.experiment.slug}) — {design}"]
    for it in present(result, doc, _, lang):
        lines.append("")
        lines.append(_("Itération %(n)s") % {"n": it.number})
        if it.srm:
            flag = (_("DÉSÉQUILIBRE — résultats à ne pas utiliser avant explication") if it.srm["mismatch"]
                    else _("équilibre conforme"))
            lines.append(phrase.typography("  " + _("Répartition des bras\u202f: %(p)s (%(flag)s)") % {"p": it.srm_p, "flag": flag}))
        for warning in it.warnings:
            lines.append(f"  ! {warning}")
        for c in it.comparisons:
            raw = c.raw
            role = _(ROLE.get(raw["role"], raw["role"]))
            lines.append(f"  - [{c.verdict}] {c.metric} ({role}), {c.arm} / {c.control}")
            lines.append(f"    {c.sentence}")
            lines.append(phrase.typography("    " + _("%(p)s (ajustée)\u202f; méthode\u202f: %(method)s") % {
                "p": c.p_text, "method": c.method}))
            for warning in c.warnings:
                lines.append(f"    ! {warning}")
    return "\n".join(lines) + "\n"


async def evaluate_command(target: str, fmt: str) -> str:
    path = Path(target)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise DomainError(N_("fichier introuvable"), target)
        doc, result, error = _file(path)
    else:
        doc, result, error = await _stored(target)
    if result is None:
        raise DomainError(f"évaluation impossible : {error}", doc.experiment.slug)
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    return text_report(doc, result)
