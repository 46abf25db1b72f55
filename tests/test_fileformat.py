"""The tal-experiment/1 format: every sample parses, bad input names its key path."""

from __future__ import annotations

import pytest

from conftest import ROOT, SAMPLES
from tal.core.errors import DomainError
from tal.experiments import fileformat

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


def test_minimal_file_parses_with_defaults():
    doc = fileformat.parse(MINIMAL, "minimal.toml")
    assert doc.experiment.slug == "essai-minimal"
    assert doc.metrics[0].alpha == 0.05 and doc.metrics[0].power == 0.8
    assert doc.iterations[0].results[1].successes == 147


def test_dump_then_parse_gives_the_same_document():
    doc = fileformat.parse(MINIMAL)
    assert fileformat.parse(fileformat.dumps(doc)) == doc


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_sample_parses_and_round_trips(path):
    doc = fileformat.read(path)
    assert doc.experiment.slug == path.stem
    assert fileformat.parse(fileformat.dumps(doc)) == doc


def test_samples_cover_what_the_register_must_show():
    docs = [fileformat.read(p) for p in sorted(SAMPLES.glob("*.toml"))]
    assert len(docs) >= 8
    assert {d.experiment.design for d in docs} == {"randomized", "before_after", "comparison_group"}
    assert {m.kind for d in docs for m in d.metrics} == {"binary", "mean", "rate", "ordinal"}
    assert any(len(d.arms) >= 3 for d in docs)
    assert any(d.amendments for d in docs)
    assert any(d.experiment.status == "abandoned" for d in docs)
    for d in docs:
        assert "fictif" in d.experiment.summary.lower() or "doi:10.1093/ije/dyw098" in d.experiment.summary


def bad(replace: str, by: str) -> str:
    assert replace in MINIMAL, replace
    return MINIMAL.replace(replace, by, 1)


BAD_INPUTS = [
    ("missing key", bad('title = "Essai minimal"\n', ""), "experiment.title", "clé obligatoire manquante"),
    ("unknown key", bad('title = "Essai minimal"\n', 'title = "Essai minimal"\ncolour = "bleu"\n'), "experiment.colour", "clé inconnue"),
    ("wrong type", bad("n = 1204", 'n = "mille"'), "iterations[1].results[1].n", "doit être un entier"),
    ("slug not a slug", bad('slug = "essai-minimal"', 'slug = "Essai Minimal"'), "experiment.slug", "format invalide"),
    ("shares do not sum to 1", bad("share = 0.5\n\n[[arms]]\nkey = \"sms\"", "share = 0.6\n\n[[arms]]\nkey = \"sms\""), "arms", "doivent faire 1"),
    ("successes greater than n", bad("successes = 147", "successes = 1500"), "iterations[1].results[2].successes", "ne peuvent pas dépasser n"),
    ("negative count", bad("successes = 211", "successes = -3"), "iterations[1].results[1].successes", "supérieur ou égal à 0"),
    ("unknown metric", bad('metric = "absence"\narm = "sms"', 'metric = "absences"\narm = "sms"'), "iterations[1].results[2].metric", "n'existe pas"),
    ("unknown arm", bad('arm = "sms"', 'arm = "mail"'), "iterations[1].results[2].arm", "n'existe pas"),
    ("dates in the wrong order", bad("ended_on = 2026-04-10", "ended_on = 2026-02-10"), "iterations[1].ended_on", "précède"),
    ("text over its length", bad('title = "Essai minimal"', f'title = "{"x" * 201}"'), "experiment.title", "trop long"),
    ("bad enumeration", bad('kind = "binary"', 'kind = "binaire"'), "metrics[1].kind", "non autorisée"),
    ("metric of an unknown hypothesis", bad('hypothesis = "h1"', 'hypothesis = "h9"'), "metrics[1].hypothesis", "n'existe pas"),
    ("two controls", bad('key = "sms"\nlabel', 'key = "sms"\ncontrol = true\nlabel'), "arms", "exactement un bras témoin"),
    ("registered without date", bad("registered_at = 2026-02-20T09:30:00+01:00\n", ""), "experiment.registered_at", "obligatoire"),
    ("amendment before registration", MINIMAL + '\n[[amendments]]\nat = 2026-01-01T10:00:00+01:00\nmajor = false\nreason = "r"\nchange = "c"\n', "amendments[1].at", "suit l'enregistrement"),
    ("wrong format", bad('format = "tal-experiment/1"', 'format = "tal-experiment/2"'), "format", "attendu"),
    ("a date that is no date", bad("started_on = 2026-03-02", 'started_on = "pas une date"'), "iterations[1].started_on",
     "doit être une date (AAAA-MM-JJ)"),
]


@pytest.mark.parametrize("text, path, message", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_names_the_key_path_in_french(text, path, message):
    with pytest.raises(DomainError) as caught:
        fileformat.parse(text, "essai.toml")
    assert caught.value.field == f"essai.toml : {path}"
    assert message in caught.value.message
    assert str(caught.value).startswith(f"essai.toml : {path} : ")


def test_unreadable_toml_names_the_file_and_line():
    with pytest.raises(DomainError) as caught:
        fileformat.parse('format = "tal-experiment/1"\n[experiment\n', "casse.toml")
    assert caught.value.field == "casse.toml"
    assert "TOML illisible" in caught.value.message and "line 2" in caught.value.message
