"""The `tal` command, run as a user runs it: exit codes, one-line errors, no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import PG_URL, ROOT, SAMPLES, TMP
from tal.experiments import fileformat

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


@pytest.fixture
def tal(database, tmp_path):
    """Run `tal …` against the test database of the current backend."""
    url = PG_URL if database == "postgresql" else f"sqlite:///{TMP / 'tests.sqlite'}"
    # PYTHONPATH: the code of this checkout, whatever the virtualenv's editable install points to.
    env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tal.cli", *args], input=stdin, capture_output=True, text=True, env=env, cwd=tmp_path
        )

    return run


def test_load_export_and_reload(tal, tmp_path):
    result = tal("load", str(SAMPLES))
    assert result.returncode == 0, result.stderr
    count = len(list(SAMPLES.glob("*.toml")))
    assert result.stdout.strip() == f"{count} fichier(s) lu(s) : {count} créé(s), 0 mis à jour, 0 inchangé(s)."
    again = tal("load", str(SAMPLES))
    assert again.stdout.strip().endswith(f"0 créé(s), 0 mis à jour, {count} inchangé(s).")
    out = tmp_path / "export.toml"
    assert tal("export", "rappel-sms-etat-civil", "-o", str(out)).returncode == 0
    assert fileformat.read(out) == fileformat.read(SAMPLES / "rappel-sms-etat-civil.toml")
    printed = tal("export", "rappel-sms-etat-civil")
    assert printed.stdout == out.read_text(encoding="utf-8")


def test_a_bad_file_exits_1_with_one_line_and_writes_nothing(tal, tmp_path):
    (tmp_path / "a.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "b.toml").write_text(MINIMAL.replace("essai-minimal", "essai-b").replace("n = 1190", "n = -5"), encoding="utf-8")
    result = tal("load", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "b.toml : iterations[1].results[2].n : doit être un entier supérieur ou égal à 0" in result.stderr
    assert tal("export", "essai-minimal").returncode == 1  # the good file was not loaded either


def test_many_files_are_read_in_workers_and_the_first_bad_one_is_named(tal, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for i in range(240):  # enough for the worker processes
        text = MINIMAL.replace("essai-minimal", f"essai-{i:03d}")
        if i in (150, 200):
            text = text.replace("n = 1190", "n = -5")
        (folder / f"f{i:03d}.toml").write_text(text, encoding="utf-8")
    result = tal("load", str(folder))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "f150.toml : iterations[1].results[2].n : doit être un entier supérieur ou égal à 0" in result.stderr
    assert tal("export", "essai-000").returncode == 1
    (folder / "f150.toml").write_text(MINIMAL.replace("essai-minimal", "essai-150"), encoding="utf-8")
    (folder / "f200.toml").write_text(MINIMAL.replace("essai-minimal", "essai-200"), encoding="utf-8")
    result = tal("load", str(folder))
    assert result.stdout.strip() == "240 fichier(s) lu(s) : 240 créé(s), 0 mis à jour, 0 inchangé(s)."
    exported = tal("export", "essai-239")
    assert fileformat.parse(exported.stdout) == fileformat.parse(MINIMAL.replace("essai-minimal", "essai-239"))


@pytest.mark.parametrize(
    "args, message",
    [
        (("load", "/nulle/part.toml"), "fichier ou dossier introuvable"),
        (("export", "inconnue"), "aucune expérimentation «\u202finconnue\u202f»"),
        (("import", "inconnue", "--iteration", "1", "/nulle/part.csv"), "/nulle/part.csv : fichier ou dossier introuvable"),
        (("wording", "check", "/nulle/part.txt"), "/nulle/part.txt : fichier ou dossier introuvable"),
    ],
)
def test_user_errors_are_one_french_line(tal, args, message):
    result = tal(*args)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_user_create_then_sign_in_is_possible(tal):
    unknown = tal("user", "create", "claire", "--role", "manager", "--service", "Finances", "--password-stdin",
                  stdin="un-long-mot-de-passe\n")
    assert unknown.returncode == 1 and "service : service inconnu" in unknown.stderr
    result = tal("user", "create", "claire", "--role", "manager", "--service", "Finances", "--create-service",
                 "--password-stdin", stdin="un-long-mot-de-passe\n")
    assert result.returncode == 0, result.stderr
    assert "« claire » créé (rôle manager, service Finances)" in result.stdout
    again = tal("user", "create", "claire", "--role", "manager", "--service", "Finances", "--password-stdin",
                stdin="un-long-mot-de-passe\n")
    assert again.returncode == 1 and "username : ce nom d'utilisateur existe déjà" in again.stderr
    short = tal("user", "create", "paul", "--role", "agent", "--service", "Finances", "--password-stdin", stdin="court\n")
    assert short.returncode == 1 and "password : au moins 12 caractères" in short.stderr


def test_a_new_sqlite_database_is_migrated_in_wal_mode(tmp_path):
    env = {**os.environ, "TAL_DATABASE_URL": f"sqlite:///{tmp_path / 'neuve.sqlite'}", "TAL_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "tal.cli", "migrate"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "neuve.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"experiment", "account", "service", "journal_entry", "login_throttle", "audit_entry"} <= tables


@pytest.mark.parametrize("args, message", [
    ((), "les arguments suivants sont obligatoires\u202f: COMMANDE"),
    (("load",), "les arguments suivants sont obligatoires\u202f: CHEMIN"),
    (("serve", "--port", "huit"), "argument --port\u202f: valeur non valable pour int\u202f: 'huit'"),
    (("export", "x", "--inconnue"), "arguments non reconnus\u202f: --inconnue"),
])
def test_usage_errors_are_french_and_exit_1(capsys, args, message):
    from tal.cli import main

    with pytest.raises(SystemExit) as caught:
        main(list(args))
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("utilisation\u202f: tal") and message in err and "error" not in err, err
