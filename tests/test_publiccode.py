"""publiccode.yml validates against the standard's schema (copied in tests/data with
its source), describes TAL in French and English with its licence, maintenance and
dependencies, and the licence file is there."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import yaml

from conftest import ROOT
from tal import __version__


def publiccode() -> dict:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def test_publiccode_validates_against_the_standard_schema():
    schema = json.loads((ROOT / "tests" / "data" / "publiccode.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(publiccode())]
    assert errors == []


def test_publiccode_says_the_licence_the_languages_and_the_dependencies():
    data = publiccode()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert data["legal"]["license"] == project["license"] == "EUPL-1.2"
    assert data["softwareVersion"] == __version__ == project["version"]
    assert set(data["description"]) == {"fr", "en"}
    assert data["localisation"]["availableLanguages"] == ["fr", "en"]
    for lang in ("fr", "en"):
        text = data["description"][lang]
        assert len(text["shortDescription"]) <= 150 and 150 <= len(text["longDescription"]) <= 10000
    names = {d["name"].lower() for d in data["dependsOn"]["open"]}
    for requirement in ("litestar", "piccolo", "statsmodels", "pandas", "jinja2"):
        assert requirement in names
        assert any(dep.lower().startswith(requirement) for dep in project["dependencies"])
    assert data["maintenance"]["type"] in ("internal", "contract", "community", "none")


def test_the_licence_file_is_the_eupl_1_2():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016")
    for heading in ("1. Definitions", "5. Obligations of the Licensee", "15. Applicable Law", "Appendix"):
        assert f"\n{heading}\n" in text
    assert "European Union Public Licence (EUPL) v. 1.1, v. 1.2" in text
