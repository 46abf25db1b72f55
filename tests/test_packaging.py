"""The wheel is all a user needs: built from the checkout, installed in a fresh virtual
environment and started from another folder, it serves the demo with its templates,
static files, catalogues, migrations and sample experiments.

Slow (a wheel build and a server start, about 20 s) and in the default run on purpose:
it is what protects every user who installs TAL with `pip install`.

The fresh environment gets the wheel with `pip install --no-deps`, and sees the
dependencies of the test environment through a path file (not its `.pth` files, so
not the editable checkout): what is tested is the wheel's own content. That the
dependencies are declared is shown by the README's install command itself.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, cwd=out,
    )
    (path,) = out.glob("tal-*.whl")
    return path


def test_the_wheel_holds_templates_samples_and_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*.html"):
        assert f"tal/templates/{template.relative_to(ROOT / 'templates').as_posix()}" in names
    for sample in (ROOT / "experiments").glob("*.toml"):
        assert f"tal/samples/{sample.name}" in names
    assert "tal/static/tal.css" in names
    assert {"tal/locales/fr/LC_MESSAGES/messages.po", "tal/locales/en/LC_MESSAGES/messages.po"} <= names
    migrations = {n for n in names if "/piccolo_migrations/" in n and not n.endswith("__init__.py")}
    assert migrations and all(n.endswith(".py") for n in migrations)


def test_the_installed_wheel_serves_the_demo_from_another_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([python, "-c", "import tal; print(tal.__file__)"], cwd=elsewhere,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(site), f"tal imported from {where}, not from the wheel"

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAL_", "PICCOLO_"))}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([env_dir / "bin" / "tal", "serve", "--demo", "--port", str(port)],
                              cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/sante", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        home = httpx.get(base + "/")
        assert home.status_code == 200 and "<html" in home.text
        register = httpx.get(base + "/experimentations")
        assert register.status_code == 200
        assert "rappel-sms-etat-civil" in register.text  # a sample experiment, loaded from the wheel
        english = httpx.get(base + "/experimentations", cookies={"lang": "en"})
        assert english.status_code == 200
        css = httpx.get(base + "/static/tal.css")
        assert css.status_code == 200 and "{" in css.text
        assert (elsewhere / "tal-data" / "tal.sqlite").is_file()
        assert re.search(r"agent", (tmp_path / "serve.log").read_text())
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
