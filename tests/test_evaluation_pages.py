"""Results of stored experiments: snapshots, sentences, charts, `tal evaluate`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import msgspec
import pytest

from conftest import ROOT, SAMPLES, TMP, text_of
from tal import db, loader
from tal.evaluation.tables import Snapshot
from tal.experiments import fileformat, services

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")
CONTRACT_KEYS = {"metric", "role", "kind", "arm", "control", "control_value", "arm_value", "difference",
                 "difference_ci", "ratio", "ratio_ci", "p_value", "p_value_adjusted", "method",
                 "probability_better", "verdict"}


def run_tal(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TAL_DATABASE_URL": f"sqlite:///{TMP / 'cli-eval.sqlite'}", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "tal.cli", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_tal_evaluate_works_on_every_sample_file(path):
    result = run_tal("evaluate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    doc = fileformat.read(path)
    assert data["experiment"] == doc.experiment.slug and data["design"] == doc.experiment.design
    assert data["engine"]["tal"] == "0.1.0" and data["engine"]["statsmodels"]
    assert [it["number"] for it in data["iterations"]] == [it.number for it in doc.iterations]
    for it in data["iterations"]:
        for c in it["comparisons"]:
            assert CONTRACT_KEYS <= set(c)
    text = run_tal("evaluate", str(path))
    assert text.returncode == 0 and doc.experiment.title in text.stdout


def test_tal_evaluate_text_says_the_verdict_in_french():
    out = run_tal("evaluate", str(SAMPLES / "rappel-sms-etat-civil.toml")).stdout
    assert "intervalle à 95\u202f%" in out and "Principal" in out and "(primary)" not in out
    assert "randomized" not in out and "pooled z-test" not in out and "test z de deux proportions" in out
    out = " ".join(out.split())
    assert "L'hypothèse est confirmée." in out and "5,1 points de pourcentage de moins" in out


def test_tal_evaluate_refuses_data_the_engine_cannot_use_in_one_line(tmp_path):
    text = (SAMPLES / "interdiction-tabac-syndromes-coronariens.toml").read_text(encoding="utf-8")
    assert 'intervention_at = "2005-01"' in text
    short = tmp_path / "court.toml"  # the change at the first month: nothing before it
    short.write_text(text.replace('intervention_at = "2005-01"', 'intervention_at = "2002-01"'), encoding="utf-8")
    result = run_tal("evaluate", str(short))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "évaluation impossible" in result.stderr and "admissions" in result.stderr
    missing = run_tal("evaluate", str(tmp_path / "absent.toml"))
    assert missing.returncode == 1 and "fichier introuvable" in missing.stderr


async def test_a_page_says_why_a_result_is_missing(client, database):
    text = (SAMPLES / "interdiction-tabac-syndromes-coronariens.toml").read_text(encoding="utf-8")
    async with db.transaction():
        await loader.load_documents([fileformat.parse(text.replace('intervention_at = "2005-01"', 'intervention_at = "2002-01"'))])
    response = await client.get("/experimentations/interdiction-tabac-syndromes-coronariens")
    assert response.status_code == 200
    assert "Pas de résultat calculé pour ces données" in text_of(response.text)


def test_tal_evaluate_says_a_series_is_too_short_to_conclude(tmp_path):
    text = (SAMPLES / "interdiction-tabac-syndromes-coronariens.toml").read_text(encoding="utf-8")
    short = tmp_path / "court.toml"  # two months before the change: no verdict, and why
    short.write_text(text.replace('intervention_at = "2005-01"', 'intervention_at = "2002-03"'), encoding="utf-8")
    result = run_tal("evaluate", str(short))
    assert result.returncode == 0 and "Trop peu de données pour conclure" in result.stdout
    assert "Série trop courte pour conclure\u202f: 2 période(s) avant le changement et 57 après" in result.stdout
    out = json.loads(run_tal("evaluate", str(short), "--format", "json").stdout)
    verdicts = {c["metric"]: c["verdict"] for c in out["iterations"][0]["comparisons"]}
    assert verdicts == {"admissions": "too_short", "taux-admissions": "too_short"}


async def test_the_biodechets_page_shows_the_randomization_result(client, samples):
    response = await client.get("/experimentations/collecte-biodechets-porte-a-porte")
    page = text_of(response.text)
    assert response.status_code == 200 and "test de permutation des unités" in page
    data = (await client.get("/api/v1/experiments/collecte-biodechets-porte-a-porte")).json()["evaluation"]["result"]
    omr = next(c for it in data["iterations"] for c in it["comparisons"] if c["metric"] == "omr")
    assert omr["p_value"] == pytest.approx(1 / 56) and omr["randomization"]["assignments"] == 56


async def test_loading_stores_a_snapshot_that_follows_the_data(samples):
    rows = await Snapshot.select(Snapshot.experiment.slug, Snapshot.inputs_hash, Snapshot.engine).output(load_json=True)
    assert {r["experiment.slug"] for r in rows} == set(samples)
    assert all(r["engine"]["statsmodels"] for r in rows)
    before = next(r for r in rows if r["experiment.slug"] == "rappel-sms-etat-civil")
    doc = samples["rappel-sms-etat-civil"]
    first = doc.iterations[0]
    row = first.results[0]
    changed_row = msgspec.structs.replace(row, successes=row.successes - 1)
    changed = msgspec.structs.replace(doc, iterations=[msgspec.structs.replace(first, results=[changed_row, *first.results[1:]]), *doc.iterations[1:]])
    # The experiment is decided: its results change only by a correction with a reason.
    async with db.transaction():
        await services.save(changed, None, correction="Un succès compté deux fois")
    after = await Snapshot.select(Snapshot.inputs_hash, Snapshot.result).where(Snapshot.experiment.slug == "rappel-sms-etat-civil").output(load_json=True).first()
    assert after["inputs_hash"] != before["inputs_hash"]
    control = after["result"]["iterations"][0]["comparisons"][0]["control_value"]
    assert control == pytest.approx((row.successes - 1) / row.n)


async def test_every_sample_page_shows_its_results(client, samples, accounts):
    await client.login("agent")
    for slug, doc in samples.items():
        response = await client.get(f"/experimentations/{slug}")
        page = text_of(response.text)
        evaluation = (await client.get(f"/api/v1/experiments/{slug}")).json()["evaluation"]
        assert evaluation["error"] is None, (slug, evaluation["error"])
        for it in evaluation["result"]["iterations"]:
            assert f"Comparaisons de l'itération {it['number']}" in page, slug
        if any(it.results or it.series or it.panel for it in doc.iterations):
            assert "<svg" in response.text and 'role="img"' in response.text, slug
            assert re.search(r"<title id=\"chart-[0-9a-f]+-t\">[^<]+</title><desc id=\"chart-[0-9a-f]+-d\">[^<]+</desc>", response.text)
        if doc.experiment.design == "before_after" and doc.iterations:
            assert "ne peut pas séparer l'effet du changement" in page


async def test_the_sentence_of_the_reference_example(client, samples):
    page = text_of((await client.get("/experimentations/rappel-sms-etat-civil")).text)
    assert ("Avec « Convocation et SMS deux jours avant », 12,4 % pour « Rendez-vous non honorés » contre 17,5 % "
            "avec « Convocation actuelle » : 5,1 points de pourcentage de moins (entre 2,2 et 7,9 points de "
            "pourcentage, intervalle à 95 %). La conclusion se lit sur l'intervalle à 95 % (séquentiel, valable à "
            "chaque consultation) : entre −9,6 et −0,6 points de pourcentage. L'hypothèse est confirmée.") in page
    assert "Résultat intermédiaire (2 280 unités prévues par bras)." in page


async def test_a_sample_ratio_mismatch_is_shown_above_the_results(client, samples, accounts):
    await client.login("agent")
    page = text_of((await client.get("/experimentations/visio-rendez-vous-urbanisme")).text)
    assert "Déséquilibre entre les bras" in page


async def test_results_in_english(client, samples):
    await client.post("/langue", {"lang": "en"})
    page = text_of((await client.get("/experimentations/rappel-sms-etat-civil")).text)
    assert "The hypothesis is confirmed." in page


async def test_a_page_says_a_series_is_too_short_and_what_it_needs(client, database):
    text = (SAMPLES / "interdiction-tabac-syndromes-coronariens.toml").read_text(encoding="utf-8")
    async with db.transaction():
        await loader.load_documents([fileformat.parse(text.replace('intervention_at = "2005-01"', 'intervention_at = "2002-03"'))])
    page = text_of((await client.get("/experimentations/interdiction-tabac-syndromes-coronariens")).text)
    assert "Trop peu de données pour conclure" in page
    assert "il en faut au moins 6 de chaque côté et 12 en tout" in page
