"""`tal import SLUG --iteration N FILE.csv`: aggregate a unit-level CSV file into an
iteration's results, with a progress bar on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from tal.i18n import N_
from tal.imports.csvfile import ImportFailure


async def import_command(
    slug: str,
    number: int,
    path: Path,
    *,
    intervention_at: str = "",
    treated_units: list[str] | None = None,
    dry_run: bool = False,
) -> str:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from tal import db
    from tal.imports import services

    size = path.stat().st_size
    services.check_size(size)
    if path.is_dir():
        raise ImportFailure(N_("%(path)s est un dossier, pas un fichier CSV"), path=str(path))
    await db.migrate()
    columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with path.open("rb") as stream, Progress(*columns, disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task(f"Lecture de {path.name}", total=size)
        preview = await services.prepare(
            slug, number, stream, None, filename=path.name, intervention_at=intervention_at,
            treated_units=treated_units, progress=lambda done: bar.update(task, completed=done),
        )
    lines = [services.summary(preview)]
    for row in preview.aggregate.results:
        values = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in row.items()
                           if k not in ("metric", "arm"))
        lines.append(f"  {row['metric']} / {row['arm']} : {values}")
    for entry in preview.aggregate.series + preview.aggregate.panel:
        lines.append(f"  {entry['metric']} : {len(entry['values'])} valeur(s), changement à {entry['intervention_at']}")
    if dry_run:
        lines.append("Rien n'a été enregistré (--dry-run).")
        return "\n".join(lines)
    async with db.transaction():
        result = await services.record(preview, None)
    lines.append(f"Itération {number} de « {slug} » : " + ("résultats enregistrés." if result.changed else "déjà à jour, rien n'a changé."))
    return "\n".join(lines)
