"""CSV import of unit-level data: detection, aggregation, errors, the service, the
command line and the upload page. Expected statistics are computed here, from the
generated rows, with the standard library (`statistics`, `collections`): a path
independent of the import's pandas / numpy aggregation."""

from __future__ import annotations

import io
import math
import os
import random
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import PG_URL, ROOT, TMP, text_of
from tal import db, loader
from tal.experiments import fileformat
from tal.imports.aggregate import Aggregator
from tal.imports.csvfile import ImportFailure

GUICHET = ROOT / "tests" / "data" / "import-guichet.toml"
LEVELS = ["Pas du tout satisfait", "Peu satisfait", "Satisfait", "Très satisfait"]
ARMS = {"sans-rdv": "Accueil sans rendez-vous", "rdv": "Accueil sur rendez-vous préparé"}


def guichet():
    return fileformat.read(GUICHET)


def french_export(rows: int, seed: int = 1) -> tuple[bytes, dict]:
    """A spreadsheet export as a French office writes it (semicolon, decimal comma,
    Windows-1252, CRLF, accented headers, arms by label or key, oui/non, levels by
    label or rank, empty cells) and the statistics computed from the same values."""
    rng = random.Random(seed)
    values: dict = defaultdict(list)
    events: dict = defaultdict(float)
    exposure: dict = defaultdict(float)
    counts: dict = defaultdict(Counter)
    empty = Counter()
    lines = ["Bras;Dossier complet à l'arrivée;DURÉE;Satisfaction;rappels;Rappels.Exposure"]
    for i in range(rows):
        arm = rng.choice(list(ARMS))
        arm_cell = ARMS[arm] if i % 3 else arm.upper()
        complete = rng.random() < (0.55 if arm == "rdv" else 0.45)
        complete_cell = rng.choice(["oui", "Oui", "1", "vrai"] if complete else ["non", "NON", "0", "faux"])
        if i % 97 == 0:
            complete_cell = ""
            empty["complet"] += 1
        else:
            values["complet", arm].append(1.0 if complete else 0.0)
        duration = round(rng.gauss(24 if arm == "rdv" else 27, 6), 2)
        duration_cell = f"{duration:.2f}".replace(".", ",")
        if i % 89 == 0:
            duration_cell = ""
            empty["duree"] += 1
        else:
            values["duree", arm].append(duration)
        level = rng.randrange(4)
        level_cell = LEVELS[level] if i % 2 else str(level + 1)
        counts[arm][level] += 1
        calls = rng.choice([0, 0, 0, 1, 2])
        weeks = rng.choice([1.0, 2.0, 0.5])
        events[arm] += calls
        exposure[arm] += weeks
        lines.append(f"{arm_cell};{complete_cell};{duration_cell};{level_cell};{calls};{str(weeks).replace('.', ',')}")
    expected = {}
    for arm in ARMS:
        complete = values["complet", arm]
        durations = values["duree", arm]
        expected[arm] = {
            "complet": {"n": len(complete), "successes": int(sum(complete))},
            "duree": {"n": len(durations), "mean": statistics.fmean(durations), "sd": statistics.stdev(durations)},
            "satisfaction": {"counts": [counts[arm][k] for k in range(4)]},
            "rappels": {"events": int(events[arm]), "exposure": exposure[arm]},
        }
    expected["empty"] = dict(empty)
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), expected


def check_results(results: list, expected: dict) -> None:
    found = {(r["metric"], r["arm"]): r for r in results}
    assert len(found) == 8
    for arm in ARMS:
        for metric, stats in expected[arm].items():
            row = found[metric, arm]
            for key, value in stats.items():
                if isinstance(value, float):
                    assert math.isclose(row[key], value, rel_tol=1e-9), (metric, arm, key)
                else:
                    assert row[key] == value, (metric, arm, key)


# ---------------------------------------------------------------- reading and aggregating


def test_detection_gives_the_same_statistics_whatever_the_encoding_and_separator():
    data, expected = french_export(3_000, seed=2)
    text = data.decode("cp1252")
    variants = {
        "cp1252 ;": data,
        "utf-8 ;": text.encode("utf-8"),
        "utf-8 BOM ;": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf-8 tab": text.replace(";", "\t").encode("utf-8"),
        # A comma separator quotes the decimal commas, as spreadsheets do.
        "utf-8 ,": "\n".join(",".join(f'"{c}"' if "," in c else c for c in line.split(";"))
                             for line in text.splitlines()).encode("utf-8"),
    }
    for name, variant in variants.items():
        aggregate = Aggregator(guichet()).run(io.BytesIO(variant))
        assert aggregate.rows == 3_000, name
        check_results(aggregate.results, expected)
        assert aggregate.skipped == {"complet": expected["empty"]["complet"], "duree": expected["empty"]["duree"],
                                     "satisfaction": 0, "rappels": 0}, name


def test_utf8_detected_late_falls_back_to_windows_1252():
    # The first 64 KiB are plain ASCII; an accented arm label in Windows-1252 comes after.
    head = "Bras;complet\n" + "rdv;1\n" * 20_000
    data = head.encode("ascii") + "Accueil sur rendez-vous préparé;0\n".encode("cp1252")
    aggregate = Aggregator(guichet()).run(io.BytesIO(data))
    assert aggregate.results == [{"metric": "complet", "arm": "rdv", "n": 20_001, "successes": 20_000}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Bras;complet\nrdv;1\nrdv;peut-être\n",
         "ligne 3, colonne « complet » : « peut-être » n'est ni 0/1 ni oui/non"),
        ("Bras;complet\nvélo;1\n", "ligne 2, colonne « Bras » : bras inconnu « vélo » (bras : sans-rdv, rdv)"),
        ("complet;duree\n1;2\n", "colonne « arm » manquante"),
        ("Bras;attente\nrdv;1\n", "ligne 1, colonne « attente » : colonne inconnue"),
        ("Bras;duree\nrdv;12,5\nrdv;douze\n", "ligne 3, colonne « duree » : « douze » n'est pas un nombre"),
        ("Bras;rappels\nrdv;1,5\n", "ligne 2, colonne « rappels » : « 1,5 » n'est pas un nombre entier d'événements"),
        ("Bras;rappels;rappels.exposure\nrdv;1;0\n", "ligne 2, colonne « rappels.exposure » : « 0 » : l'exposition doit être strictement positive"),
        ("Bras;satisfaction\nrdv;5\n", "ligne 2, colonne « satisfaction » : « 5 » n'est ni un niveau"),
        ("Bras;complet\n" + "rdv;1\n" * 1_500 + "rdv;1;2\n", "ligne 1\u202f502 : plus de cellules que les 2 colonnes"),
        ("Bras;complet;complet\nrdv;1;1\n", "colonne « complet » : cette colonne apparaît deux fois"),
        ("Bras;complet\n", "aucune ligne de données"),
        ("", "le fichier est vide"),
        ("%PDF-1.4\x00\x00binary", "n'est pas un fichier CSV"),
        ("Cher usager, votre rendez-vous est confirmé\n", "n'est pas un CSV de données par unité"),
    ],
)
def test_errors_name_the_line_and_the_column(content, message):
    with pytest.raises(ImportFailure) as caught:
        Aggregator(guichet()).run(io.BytesIO(content.encode("utf-8")))
    assert message in caught.value.message
    assert caught.value.field == "file"


@pytest.mark.parametrize(
    ("content", "start"),
    [
        ("Bras;complet\n" + "x" * 2_000_000 + ";1\n", "ligne 2, colonne « Bras » : bras inconnu « xxx"),
        ("Bras;duree\nrdv;" + "9" * 1_000_000 + "z\n", "ligne 2, colonne « duree » : « 999"),
        ("Bras;complet\nrdv;" + "o" * 1_000_000 + "\n", "ligne 2, colonne « complet » : « ooo"),
        ("Bras;" + "c" * 60_000 + "\nrdv;1\n", "ligne 1, colonne « ccc"),
    ],
)
def test_a_huge_cell_is_named_by_its_start_only(content, start):
    """An error quotes the wrong cell or column: its start, not megabytes of it."""
    with pytest.raises(ImportFailure) as caught:
        Aggregator(guichet()).run(io.BytesIO(content.encode("utf-8")))
    assert caught.value.message.replace("\u202f", " ").startswith(start) and "…" in caught.value.message
    assert len(caught.value.message) < 400


def test_before_after_and_comparison_group_files_are_aggregated_per_period():
    doc = fileformat.read(ROOT / "experiments" / "numero-unique-accueil.toml")
    metric = doc.metrics[0]
    assert metric.kind in ("binary", "mean", "rate")
    rows = ["periode;" + metric.key]
    expected: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(3)
    for month in ("2026-02", "2025-11", "2026-01", "2025-12"):
        for _ in range(50):
            value = rng.choice([0, 1]) if metric.kind == "binary" else rng.randrange(0, 9)
            expected[month].append(float(value))
            rows.append(f"{month};{value}")
    aggregate = Aggregator(doc).run(io.BytesIO("\n".join(rows).encode()))
    [series] = aggregate.series
    assert series["periods"] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert series["values"] == pytest.approx([statistics.fmean(expected[p]) for p in series["periods"]])

    panel_doc = fileformat.read(ROOT / "experiments" / "collecte-biodechets-porte-a-porte.toml")
    key = panel_doc.metrics[0].key
    text = f"Unité;Période;{key}\n" + "".join(f"{u};{p};{v}\n" for u in ("Nord", "Sud") for p in (2, 1, 10) for v in (1, 3))
    [panel] = Aggregator(panel_doc).run(io.BytesIO(text.encode())).panel
    assert panel["units"] == ["Nord"] * 3 + ["Sud"] * 3
    assert panel["periods"] == ["1", "2", "10"] * 2
    assert panel["values"] == [2.0] * 6


# ---------------------------------------------------------------- the service, on both engines


async def load(doc):
    from tal.experiments import services

    async with db.transaction():
        await loader.load_documents([doc])


async def test_200000_row_french_export_is_recorded_as_independent_statistics(database):
    from tal.experiments import services
    from tal.imports import services as imports

    await load(guichet())
    data, expected = french_export(200_000)
    preview = await imports.prepare("accueil-guichet-unique", 1, io.BytesIO(data), None, filename="export.csv")
    assert preview.aggregate.rows == 200_000
    check_results(preview.aggregate.results, expected)
    async with db.transaction(write=False):
        before = await services.export("accueil-guichet-unique")
    assert [r.n for r in before.iterations[0].results] == [10, 10]  # the preview wrote nothing
    async with db.transaction():
        result = await imports.record(preview, None)
    assert result.changed
    async with db.transaction(write=False):
        view = await services.get("accueil-guichet-unique", None)
    import msgspec

    check_results([msgspec.to_builtins(r) for r in view.doc.iterations[0].results], expected)
    event = view.status_history[-1]
    assert (event["source"], event["file"], event["rows"], event["iteration"]) == ("import", "export.csv", 200_000, 1)
    # Importing the same file again changes nothing (and adds no history line).
    async with db.transaction():
        again = await imports.record(
            await imports.prepare("accueil-guichet-unique", 1, io.BytesIO(data), None, filename="export.csv"), None)
    assert not again.changed


async def test_import_replaces_only_the_metrics_of_the_file_and_checks_the_version(database):
    from tal.core.errors import Conflict
    from tal.experiments import services
    from tal.imports import services as imports

    await load(guichet())
    first = await imports.prepare("accueil-guichet-unique", 1, io.BytesIO(b"bras;duree\nrdv;10\nrdv;14\nsans-rdv;20\n"), None)
    stale = await imports.prepare("accueil-guichet-unique", 1, io.BytesIO(b"bras;duree\nrdv;1\n"), None)
    async with db.transaction():
        await imports.record(first, None)
    async with db.transaction(write=False):
        doc = (await services.get("accueil-guichet-unique", None)).doc
    rows = {(r.metric, r.arm): r for r in doc.iterations[0].results}
    assert (rows["complet", "rdv"].n, rows["complet", "rdv"].successes) == (10, 7)  # untouched
    assert (rows["duree", "rdv"].n, rows["duree", "rdv"].mean, rows["duree", "rdv"].sd) == (2, 12.0, pytest.approx(8**0.5))
    assert (rows["duree", "sans-rdv"].n, rows["duree", "sans-rdv"].sd) == (1, 0.0)
    with pytest.raises(Conflict):
        async with db.transaction():
            await imports.record(stale, None)


async def test_unknown_iteration_and_missing_intervention_period(database):
    from tal.core.errors import DomainError, NotFound
    from tal.imports import services as imports

    await load(guichet())
    with pytest.raises(NotFound, match="aucune itération n° 4"):
        await imports.prepare("accueil-guichet-unique", 4, io.BytesIO(b"bras;complet\nrdv;1\n"), None)
    await load(fileformat.read(ROOT / "experiments" / "collecte-biodechets-porte-a-porte.toml"))
    from tal.experiments import services

    async with db.transaction(write=False):
        doc = (await services.get("collecte-biodechets-porte-a-porte", None)).doc
    key = doc.metrics[0].key
    number = doc.iterations[0].number
    text = f"unit;period;{key}\nA;2030-01;1\nB;2030-01;2\nA;2030-02;1\nB;2030-02;2\n".encode()
    preview = await imports.prepare("collecte-biodechets-porte-a-porte", number, io.BytesIO(text), None,
                                    intervention_at="2030-02", treated_units=["A"])
    [panel] = preview.aggregate.panel
    assert (panel["treated_units"], panel["intervention_at"]) == (["A"], "2030-02")
    with pytest.raises(DomainError, match="l'unité «\u202fZ\u202f» n'apparaît pas"):
        await imports.prepare("collecte-biodechets-porte-a-porte", number, io.BytesIO(text), None,
                              intervention_at="2030-02", treated_units=["Z"])


# ---------------------------------------------------------------- command line


@pytest.fixture
def tal(database, tmp_path):
    url = PG_URL if database == "postgresql" else f"sqlite:///{TMP / 'tests.sqlite'}"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tal.cli", *args], capture_output=True, text=True, cwd=tmp_path,
                              env={**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp_path),
                                   "PYTHONPATH": str(ROOT), **env})

    return run


def test_command_line_import(tal, tmp_path):
    assert tal("load", str(GUICHET)).returncode == 0
    path = tmp_path / "export.csv"
    data, expected = french_export(5_000, seed=4)
    path.write_bytes(data)
    dry = tal("import", "accueil-guichet-unique", "--iteration", "1", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "5\u202f000 ligne(s) lue(s)" in dry.stdout and "Rien n'a été enregistré" in dry.stdout
    done = tal("import", "accueil-guichet-unique", "--iteration", "1", str(path))
    assert done.returncode == 0, done.stderr
    assert "résultats enregistrés" in done.stdout
    exported = tal("export", "accueil-guichet-unique")
    n = expected["rdv"]["complet"]["n"]
    assert f"n = {n}" in exported.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("bras;complet\nrdv;peut-être\n", encoding="utf-8")
    failed = tal("import", "accueil-guichet-unique", "--iteration", "1", str(bad))
    assert failed.returncode == 1
    assert failed.stderr.strip() == ("tal : erreur : file : ligne 2, colonne « complet » : "
                                     "« peut-être » n'est ni 0/1 ni oui/non (ni vrai/faux)")
    too_big = tal("import", "accueil-guichet-unique", "--iteration", "1", str(path), TAL_IMPORT_MAX_MB="0")
    assert too_big.returncode == 1 and "TAL_IMPORT_MAX_MB" in too_big.stderr
    big = tmp_path / "big.csv"
    big.write_bytes(b"bras;complet\n" + b"rdv;1\n" * 200_000)
    limited = tal("import", "accueil-guichet-unique", "--iteration", "1", str(big), TAL_IMPORT_MAX_MB="1")
    assert limited.returncode == 1 and "taille maximale de 1 Mo" in limited.stderr
    assert "Traceback" not in failed.stderr + limited.stderr


# ---------------------------------------------------------------- upload page


async def test_upload_preview_then_confirm(client, accounts, monkeypatch):
    from tal.experiments import services

    await load(guichet())
    await client.login("agent")
    page = await client.get("/experimentations/accueil-guichet-unique/iterations/1/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    data, expected = french_export(2_000, seed=5)
    url = "/experimentations/accueil-guichet-unique/iterations/1/import"
    preview = await client.http.post(url, data={"_csrf_token": await client.csrf()}, files={"file": ("export.csv", data, "text/csv")})
    assert preview.status_code == 200, preview.text
    shown = text_of(preview.text)
    assert "Aperçu : voici ce qui sera enregistré" in shown
    assert f"n = {expected['rdv']['complet']['n']:,}".replace(",", " ") in shown  # text_of: one kind of space
    async with db.transaction(write=False):
        assert [r.n for r in (await services.get("accueil-guichet-unique", None)).doc.iterations[0].results] == [10, 10]
    token = preview.text.split('name="preview" value="')[1].split('"')[0]
    tampered = await client.post(url + "/confirmer", {"preview": token[:-2] + "00"})
    assert tampered.status_code == 400 and "importez le fichier de nouveau" in text_of(tampered.text)
    from tal.imports import services as imports

    monkeypatch.setattr(imports, "PREVIEW_SECONDS", -1)
    expired = await client.post(url + "/confirmer", {"preview": token})
    assert expired.status_code == 400 and "l'aperçu a expiré" in text_of(expired.text)
    monkeypatch.undo()
    done = await client.post(url + "/confirmer", {"preview": token})
    assert done.status_code == 303
    detail = text_of((await client.get("/experimentations/accueil-guichet-unique")).text)
    assert "En cours — résultats de l'itération 1 importés du fichier CSV « export.csv » (2 000 lignes)" in detail
    stale = await client.post(url + "/confirmer", {"preview": token})
    assert stale.status_code == 409


async def test_upload_errors_and_rights(client, accounts):
    await load(guichet())
    url = "/experimentations/accueil-guichet-unique/iterations/1/import"
    await client.login("agent")
    csrf = await client.csrf()
    bad = await client.http.post(url, data={"_csrf_token": csrf}, files={"file": ("x.csv", "bras;complet\nrdv;2\n".encode(), "text/csv")})
    assert bad.status_code == 400
    assert "ligne 2, colonne « complet » : « 2 » n'est ni 0/1 ni oui/non" in text_of(bad.text)
    none = await client.http.post(url, data={"_csrf_token": csrf}, files={"file": ("", b"", "text/csv")})
    assert none.status_code == 400 and "choisissez un fichier CSV" in text_of(none.text)
    no_csrf = await client.http.post(url, files={"file": ("x.csv", b"bras;complet\nrdv;1\n", "text/csv")})
    assert no_csrf.status_code == 403
    await client.login("voirie")
    other = await client.http.post(url, data={"_csrf_token": await client.csrf()},
                                   files={"file": ("x.csv", b"bras;complet\nrdv;1\n", "text/csv")})
    assert other.status_code == 403


async def test_upload_over_the_size_limit_is_refused(database, accounts, monkeypatch):
    import httpx

    from conftest import Client
    from tal.app import create_app
    from tal.settings import reset_settings

    await load(guichet())
    monkeypatch.setenv("TAL_IMPORT_MAX_MB", "1")
    reset_settings()
    try:
        app = create_app(migrate=False)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            client = Client(http)
            await client.login("agent")
            big = b"bras;complet\n" + b"rdv;1\n" * 300_000
            response = await http.post("/experimentations/accueil-guichet-unique/iterations/1/import",
                                       data={"_csrf_token": await client.csrf()}, files={"file": ("big.csv", big, "text/csv")})
    finally:
        monkeypatch.delenv("TAL_IMPORT_MAX_MB")
        reset_settings()
    assert response.status_code == 413
    assert "trop volumineux" in text_of(response.text)


# The English page: every message of a bad file in English, naming the line and the column
# (issue 12); the French page says the same in French, with its typography.
BAD_FILES = [
    ("Bras;attente\nrdv;1\n".encode(),
     "line 1, column “attente”: unknown column: neither a group column (arm) nor a metric of the experiment "
     "(metrics: complet, duree, satisfaction, rappels)",
     "ligne 1, colonne «\u202fattente\u202f»\u202f: colonne inconnue\u202f: ni une colonne de groupe (arm)"),
    ("Bras;duree\nrdv;12,5\nrdv;douze\n".encode(), "line 3, column “duree”: “douze” is not a number",
     "ligne 3, colonne «\u202fduree\u202f»\u202f: «\u202fdouze\u202f» n'est pas un nombre"),
    (("Bras;complet\n" + "rdv;1\n" * 1_500 + "rdv;1;2\n").encode(),
     "line 1\u202f502: more cells than the 2 columns of the header",
     "ligne 1\u202f502\u202f: plus de cellules que les 2 colonnes de l'en-tête"),
    ("Bras;complet\nrdv;oui\n".encode() + b"rdv;\x81\n", "unrecognised encoding: save the file in UTF-8 or Windows-1252",
     "encodage non reconnu\u202f: enregistrez le fichier en UTF-8 ou en Windows-1252"),
    (b"", "the file is empty", "le fichier est vide"),
    ("Bras;complet\nvélo;1\n".encode(), "line 2, column “Bras”: unknown arm “vélo” (arms: sans-rdv, rdv)",
     "ligne 2, colonne «\u202fBras\u202f»\u202f: bras inconnu «\u202fvélo\u202f» (bras\u202f: sans-rdv, rdv)"),
    ("Bras;satisfaction\nrdv;5\n".encode(),
     "line 2, column “satisfaction”: “5” is neither a level (Pas du tout satisfait, Peu satisfait, Satisfait, "
     "Très satisfait) nor a rank from 1 to 4", "n'est ni un niveau"),
    ("complet;duree\n1;2\n".encode(), "line 1: missing column “arm”: it says which arm each line belongs to",
     "ligne 1\u202f: colonne «\u202farm\u202f» manquante\u202f: elle dit à quel bras appartient chaque ligne"),
]
FRENCH_WORDS = ("ligne", "colonne", "n'est", "fichier", "encodage", "bras inconnu", "cellules")


def file_error(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(html.split('id="file-error">')[1].split("</p>")[0])


async def test_an_english_upload_page_tells_what_is_wrong_in_english(client, accounts):
    await load(guichet())
    url = "/experimentations/accueil-guichet-unique/iterations/1/import"
    await client.login("agent")
    await client.post("/langue", {"lang": "en"})
    csrf = await client.csrf()
    for content, english, _ in BAD_FILES:
        response = await client.http.post(url, data={"_csrf_token": csrf}, files={"file": ("x.csv", content, "text/csv")})
        assert response.status_code == 400, english
        shown = file_error(response.text)
        assert shown == english and not any(word in shown for word in FRENCH_WORDS)
        assert 'href="#f-file"' in response.text  # the summary links to the field
    none = await client.http.post(url, data={"_csrf_token": csrf}, files={"file": ("", b"", "text/csv")})
    assert none.status_code == 400 and file_error(none.text) == "choose a CSV file"
    await client.post("/langue", {"lang": "fr"})
    for content, _, french in BAD_FILES:
        response = await client.http.post(url, data={"_csrf_token": await client.csrf()},
                                          files={"file": ("x.csv", content, "text/csv")})
        assert response.status_code == 400 and french in file_error(response.text)


def test_import_failures_are_translated_whole_and_keep_their_french_text():
    from tal.i18n import translations

    with pytest.raises(ImportFailure) as caught:
        Aggregator(guichet()).run(io.BytesIO("Bras;rappels;rappels.exposure\nrdv;1;0\n".encode()))
    failure = caught.value
    assert failure.message == ("ligne 2, colonne «\u202frappels.exposure\u202f»\u202f: «\u202f0\u202f»\u202f: "
                               "l'exposition doit être strictement positive")
    assert failure.translated(translations("en").gettext) == "line 2, column “rappels.exposure”: “0”: the exposure must be greater than zero"
    assert failure.translated(translations("fr").gettext) == failure.message == str(failure).removeprefix("file : ")
    assert (failure.line, failure.column, failure.field) == (2, "rappels.exposure", "file")
