"""`tal opendata DIR`: write the open data files for a publication on data.gouv.fr."""

from __future__ import annotations

from pathlib import Path

from tal.core.errors import DomainError


async def opendata_command(folder: Path) -> str:
    from tal import db
    from tal.opendata import build

    if folder.exists() and not folder.is_dir():
        raise DomainError(f"{folder} existe et n'est pas un dossier", "DIR")
    await db.migrate()
    async with db.transaction(write=False):
        files = await build.build()
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    rows = {name: content.count(b"\r\n") - 1 for name, content in files.items() if name.endswith(".csv")}
    detail = ", ".join(f"{name} ({count})" for name, count in rows.items())
    return f"{len(files)} fichiers écrits dans {folder}\u202f: {detail}."
