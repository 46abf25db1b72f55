"""Open data: the five CSV files, their Table Schemas and the data package validate
with frictionless, hold only public content (no internal slug, even through a
comparison, a learning card, a journal entry or a decision; no author), and are
rebuilt when data change; `tal opendata DIR` writes the same files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys

import frictionless
import pytest

from conftest import PG_URL, ROOT, TMP, text_of
from tal import db

INTERNAL = ["carte-lecteur-nouveaux-habitants", "numero-unique-accueil", "relance-factures-cantine",
            "visio-rendez-vous-urbanisme"]
FILES = ["experimentations", "comparaisons", "apprentissages", "journal", "decisions", "barometre"]


async def public_entries(accounts) -> None:
    """Entries written in TAL: one public on an internal experiment, one public on a
    public experiment, one published but not public, one draft."""
    from tal.journal import services as journal
    from tal.journal.schemas import EntryInput

    agent, manager = accounts["agent"], accounts["manager"]
    made = []
    for title, slug, public, publish in [
        ("Les SMS partaient en double", "rappel-sms-etat-civil", True, True),
        ("Le prestataire a changé de format", "relance-factures-cantine", True, True),
        ("Entrée interne publiée", "rappel-sms-etat-civil", False, True),
        ("Brouillon de l'équipe", None, False, False),
    ]:
        async with db.transaction():
            entry = await journal.create(agent, EntryInput(
                title=title, happened_on=dt.date(2026, 3, 1), what_happened="Ce qui s'est passé, sans nom.",
                contributing_factors="Le paramétrage de l'outil.", tags=["outil"], experiment=slug, signed=True))
            if publish:
                await journal.publish(agent, entry)
            if public:
                await journal.set_public(manager, entry, True)
        made.append(entry)


def rows(files: dict[str, bytes], name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode("utf-8"))))


async def test_the_package_validates_and_holds_only_public_content(samples, accounts, tmp_path):
    from tal.opendata import build

    await public_entries(accounts)
    async with db.transaction(write=False):
        files = await build.build()
    assert sorted(files) == sorted([f"{n}.csv" for n in FILES] + [f"{n}.schema.json" for n in FILES] + ["datapackage.json"])
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]

    package = json.loads(files["datapackage.json"])
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert package["licenses"][0]["title"] == "Licence Ouverte / Open Licence version 2.0"
    assert package["contributors"] == [{"title": "Ville d'Exemple-sur-Loire", "role": "publisher"}]
    everything = b"".join(files.values()).decode("utf-8")
    for slug in INTERNAL:
        assert slug not in everything, slug
    assert not everything.startswith("\ufeff")
    for who in (accounts["agent"].username, accounts["agent"].display_name):
        assert f",{who}," not in everything

    public = {s for s, d in samples.items() if d.experiment.visibility == "public" and d.experiment.status != "draft"}
    assert {r["slug"] for r in rows(files, "experimentations")} == public
    comparisons = rows(files, "comparaisons")
    assert {r["slug"] for r in comparisons} <= public and comparisons
    sms = [r for r in comparisons if r["slug"] == "rappel-sms-etat-civil" and r["indicateur"] == "absence"]
    assert sms[0]["bras"] == "sms" and sms[0]["temoin"] == "courrier"
    assert float(sms[0]["valeur_temoin"]) == pytest.approx(211 / 1204)
    assert float(sms[0]["difference"]) == pytest.approx(149 / 1198 - 211 / 1204)
    assert {r["slug"] for r in rows(files, "decisions")} == {s for s in public if samples[s].decision}
    assert {r["slug"] for r in rows(files, "apprentissages")} <= public
    journal = rows(files, "journal")
    assert [(r["titre"], r["slug"]) for r in journal] == [
        ("Les SMS partaient en double", "rappel-sms-etat-civil"),
        ("Le prestataire a changé de format", ""),  # public entry, internal experiment: not named
    ]
    assert journal[0]["service"] == "Population et citoyenneté"
    # Stable column names: each file's header is its schema's fields.
    for name in FILES:
        header = files[f"{name}.csv"].decode("utf-8").splitlines()[0].split(",")
        assert header == [f["name"] for f in json.loads(files[f"{name}.schema.json"])["fields"]]


async def test_page_and_files_are_rebuilt_when_data_change(client, samples, accounts):
    from tal.experiments import services

    page = await client.get("/donnees")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Licence Ouverte / Open Licence version 2.0" in shown
    for name in FILES:
        assert f'href="/donnees/{name}.csv"' in page.text and f'href="/donnees/{name}.schema.json"' in page.text
    first = await client.get("/donnees/experimentations.csv")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    assert b"relance-factures-cantine" not in first.content
    etag = first.headers["etag"]
    assert (await client.get("/donnees/experimentations.csv", headers={"if-none-match": etag})).status_code == 304
    # The team makes its experiment public: the files follow.
    async with db.transaction():
        doc = await services.export("relance-factures-cantine")
        import msgspec

        head = msgspec.structs.replace(doc.experiment, visibility="public")
        await services.save(msgspec.structs.replace(doc, experiment=head, journal=[]), None)
    second = await client.get("/donnees/experimentations.csv")
    assert second.headers["etag"] != etag
    assert b"relance-factures-cantine" in second.content
    assert b"relance-factures-cantine" in (await client.get("/donnees/comparaisons.csv")).content
    assert (await client.get("/donnees/secret.csv")).status_code == 404
    assert (await client.get("/donnees/..%2Fsecret_key")).status_code == 404
    package = (await client.get("/donnees/datapackage.json")).json()
    assert [r["path"] for r in package["resources"]] == [f"{n}.csv" for n in FILES]


def test_command_line_writes_the_same_files(database, tmp_path):
    url = PG_URL if database == "postgresql" else f"sqlite:///{TMP / 'tests.sqlite'}"
    env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def tal(*args):
        return subprocess.run([sys.executable, "-m", "tal.cli", *args], capture_output=True, text=True, env=env, cwd=tmp_path)

    assert tal("load", str(ROOT / "experiments")).returncode == 0
    out = tmp_path / "publication"
    done = tal("opendata", str(out))
    assert done.returncode == 0, done.stderr
    assert "13 fichiers écrits" in done.stdout
    assert frictionless.validate(str(out / "datapackage.json")).valid
    assert "rappel-sms-etat-civil" in (out / "decisions.csv").read_text(encoding="utf-8")
    blocked = tmp_path / "file.txt"
    blocked.write_text("x")
    refused = tal("opendata", str(blocked))
    assert refused.returncode == 1 and "n'est pas un dossier" in refused.stderr
