"""The application as a whole: OpenAPI and its offline viewer, security headers, demo,
the README's commands."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT, text_of


async def test_openapi_document_describes_the_json_twins(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert {"/api/v1", "/api/v1/experiments", "/api/v1/experiments/{slug}", "/api/v1/experiments/{slug}/plan.json"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/experiments"]["get"]["parameters"]}
    assert {"service", "objective", "status", "design", "q", "page"} <= params


async def test_the_schema_viewer_works_offline_without_javascript(client):
    response = await client.get("/schema")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text.lower()
    assert not re.search(r'(src|href)="https?://', response.text)
    assert "GET /api/v1/experiments" in text_of(response.text)


async def test_security_headers_and_no_external_resources(client, samples):
    response = await client.get("/experimentations/rappel-sms-etat-civil")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r'(src|href)="https?://', response.text)


async def test_every_page_has_a_skip_link_a_main_landmark_and_one_h1(client, samples, accounts):
    await client.login("agent")
    entry = (await client.get("/api/v1/journal")).json()["items"][0]["id"]
    for url in ["/", "/experimentations", "/experimentations/rappel-sms-etat-civil", "/experimentations/nouvelle",
                "/experimentations/numero-unique-accueil/plan", "/connexion", "/schema", "/page-absente",
                "/journal", "/journal/nouvelle", f"/journal/{entry}"]:
        html = (await client.get(url)).text
        assert '<a class="skip-link" href="#contenu">' in html and '<main id="contenu"' in html, url
        assert html.count("<h1") == 1, url


async def test_form_fields_all_have_labels(client, samples, accounts):
    await client.login("admin")
    entry = (await client.get("/api/v1/journal")).json()["items"][0]["id"]
    for url in ["/experimentations/nouvelle", "/experimentations/numero-unique-accueil/plan",
                "/experimentations/relance-factures-cantine/iterations/1/donnees", "/journal", "/journal/nouvelle",
                f"/journal/{entry}", f"/journal/{entry}/modifier"]:
        response = await client.get(url)
        assert response.status_code == 200, url
        html = response.text
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
        assert ids, url
        for field_id in ids:
            assert f'for="{field_id}"' in html, (url, field_id)


async def test_theme_colours_come_from_settings(client):
    css = (await client.get("/theme.css")).text
    assert "--org: #1f4e79" in css


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    run, test = commands[0], commands[1]
    assert run.endswith("tal serve --demo") and "pip install -e ." in run
    assert test.endswith("python -m pytest")
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_starting_the_application_does_not_import_statsmodels():
    code = "import sys, tal.app; tal.app.create_app(migrate=False); assert 'statsmodels' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


async def test_the_collectivite_sets_its_name_and_colours(client, monkeypatch):
    from tal import settings

    monkeypatch.setenv("TAL_ORG_NAME", "Communauté de communes du Val Vert")
    monkeypatch.setenv("TAL_ORG_COLOR", "#224422")
    settings.reset_settings()
    try:
        assert "--org: #224422" in (await client.get("/theme.css")).text
        assert "Communauté de communes du Val Vert" in (await client.get("/")).text
        monkeypatch.setenv("TAL_ORG_COLOR", "vert")
        settings.reset_settings()
        with pytest.raises(settings.SettingsError, match="TAL_ORG_COLOR"):
            settings.get_settings()
    finally:
        monkeypatch.undo()
        settings.reset_settings()
