"""Replications of an intervention: the `intervention` key, the intervention pages and
their JSON twin, `tal pool`, and who sees what. Pooling arithmetic is checked against
an independent DerSimonian–Laird computation in tests/stats/test_stats_pooling.py."""

from __future__ import annotations

import html
import json
import math
import re

import anyio.to_thread
import pytest

from conftest import SAMPLES, text_of
from tal import db, loader
from tal.cli import main
from tal.core.errors import DomainError
from tal.experiments import fileformat
from tal.experiments.tables import Experiment

NNBSP = "\u202f"
KEY = "rappel-sms-rendez-vous"
# (control n, control successes, sms n, sms successes) of the sample replications.
SAMPLE_COUNTS = {
    "rappel-sms-action-sociale": (640, 122, 652, 94),
    "rappel-sms-affaires-scolaires": (410, 62, 405, 41),
    "rappel-sms-etat-civil": (1204, 211, 1198, 149),
    "rappel-sms-relation-usagers": (880, 141, 874, 103),  # internal: agents only
}
PUBLIC = [slug for slug in SAMPLE_COUNTS if slug != "rappel-sms-relation-usagers"]


def inverse_variance(slugs):
    """The samples are homogeneous (Q < df), so DerSimonian–Laird's tau² is 0 and the
    pooled estimate is the inverse-variance mean of the risk differences."""
    y, w = [], []
    for slug in slugs:
        n0, s0, n1, s1 = SAMPLE_COUNTS[slug]
        p0, p1 = s0 / n0, s1 / n1
        y.append(p1 - p0)
        w.append(1 / (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0))
    estimate = sum(a * b for a, b in zip(y, w)) / sum(w)
    q = sum(b * (a - estimate) ** 2 for a, b in zip(y, w))
    assert q < len(y) - 1
    se = 1 / math.sqrt(sum(w))
    return estimate, [estimate - 1.959963984540054 * se, estimate + 1.959963984540054 * se]


def sample_files(slugs=SAMPLE_COUNTS):
    return [str(SAMPLES / f"{slug}.toml") for slug in slugs]


# ---------------------------------------------------------------- the key in the file format


def test_the_intervention_key_is_optional_checked_and_round_trips():
    doc = fileformat.read(SAMPLES / "rappel-sms-etat-civil.toml")
    assert doc.experiment.intervention == KEY
    assert fileformat.parse(fileformat.dumps(doc)) == doc
    assert f'intervention = "{KEY}"' in fileformat.dumps(doc)
    text = (SAMPLES / "rappel-sms-etat-civil.toml").read_text(encoding="utf-8")
    without = fileformat.parse(text.replace(f'intervention = "{KEY}"\n', ""))
    assert without.experiment.intervention is None and "intervention =" not in fileformat.dumps(without)
    for bad in ("Rappel SMS", "rappel--sms", "rappel_sms", "é"):
        with pytest.raises(DomainError) as error:
            fileformat.parse(text.replace(f'intervention = "{KEY}"', f'intervention = "{bad}"'), "x.toml")
        assert error.value.field == "x.toml : experiment.intervention"
        assert "rappel-sms-rendez-vous" in error.value.message and bad in error.value.message
    with pytest.raises(DomainError) as error:
        fileformat.parse(text.replace(f'intervention = "{KEY}"', f'intervention = "{"a" * 81}"'), "x.toml")
    assert error.value.field == "x.toml : experiment.intervention"


async def test_the_stored_key_is_indexed_and_follows_the_document(samples):
    rows = await Experiment.select(Experiment.slug).where(Experiment.intervention == KEY).order_by(Experiment.slug)
    assert [r["slug"] for r in rows] == sorted(SAMPLE_COUNTS)
    indexes = await Experiment.indexes()
    assert any("intervention" in name for name in indexes)


async def test_the_header_form_sets_and_checks_the_key(client, accounts, samples):
    await client.login("agent")
    page = await client.get("/experimentations/rappel-sms-etat-civil/modifier")
    assert 'name="intervention"' in page.text and f'value="{KEY}"' in page.text
    before = (await client.get("/api/v1/experiments/rappel-sms-etat-civil")).json()
    form = {"title": before["document"]["experiment"]["title"], "service": "Population et citoyenneté",
            "partner_services": ["Numérique", "Communication"],
            "objectives": before["document"]["experiment"]["objectives"], "visibility": "public",
            "summary": before["document"]["experiment"]["summary"], "version": "1"}
    version = (await Experiment.select(Experiment.version).where(Experiment.slug == "rappel-sms-etat-civil").first())["version"]
    form["version"] = str(version)
    bad = await client.post("/experimentations/rappel-sms-etat-civil/modifier", {**form, "intervention": "Rappel SMS"})
    assert bad.status_code == 400
    assert "Intervention répliquée" in text_of(bad.text) and "rappel-sms-rendez-vous" in text_of(bad.text)
    assert 'aria-invalid="true"' in bad.text.split('name="intervention"')[1].split(">")[0]
    row = await Experiment.select(Experiment.version, Experiment.intervention).where(Experiment.slug == "rappel-sms-etat-civil").first()
    assert row == {"version": version, "intervention": KEY}
    ok = await client.post("/experimentations/rappel-sms-etat-civil/modifier", {**form, "intervention": "rappel-sms"})
    assert ok.status_code == 303, text_of(ok.text)
    row = await Experiment.select(Experiment.intervention).where(Experiment.slug == "rappel-sms-etat-civil").first()
    assert row["intervention"] == "rappel-sms"
    data = (await client.get("/api/v1/experiments/rappel-sms-etat-civil")).json()
    assert data["document"]["experiment"]["intervention"] == "rappel-sms"
    # Emptying the field removes the key.
    version += 1
    assert (await client.post("/experimentations/rappel-sms-etat-civil/modifier",
                              {**form, "version": str(version), "intervention": ""})).status_code == 303
    row = await Experiment.select(Experiment.intervention).where(Experiment.slug == "rappel-sms-etat-civil").first()
    assert row["intervention"] is None


# ---------------------------------------------------------------- pages and JSON


async def test_an_agent_sees_every_replication_pooled(client, accounts, samples):
    await client.login("agent")
    detail = await client.get("/experimentations/rappel-sms-action-sociale")
    assert f'href="/interventions/{KEY}"' in detail.text
    assert 'href="/interventions"' in detail.text  # in the navigation
    listing = text_of((await client.get("/interventions")).text)
    assert KEY in listing and "4" in listing
    response = await client.get(f"/interventions/{KEY}")
    assert response.status_code == 200
    page = text_of(response.text)
    estimate, ci = inverse_variance(SAMPLE_COUNTS)
    size = f"{abs(100 * estimate):.1f}".replace(".", ",")
    low, high = (f"{abs(100 * v):.1f}".replace(".", ",") for v in (ci[1], ci[0]))
    expected = (f"Sur 4 services, l'intervention réduit «{NNBSP}Rendez-vous non honorés{NNBSP}» de {size} points "
                f"(entre {low} et {high}){NNBSP}; les résultats sont cohérents d'un service à l'autre.")
    assert expected in html.unescape(response.text)  # narrow no-break spaces kept (text_of folds them)
    for slug in SAMPLE_COUNTS:
        assert f'href="/experimentations/{slug}"' in response.text
    # The forest plot: an accessible SVG, text of 14 units in a 320-unit view box, and its table.
    svg = re.search(r"<svg class=\"chart forest\".*?</svg>", response.text, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and 'viewBox="0 0 320 ' in svg
    assert "Relation usagers" in svg and "Effet combiné" in svg
    assert "svg.chart.forest { font-size: 14px; }" in (await client.get("/static/tal.css")).text
    assert "Effet fixe" in page and "tau²" in page and "I²" in page and "Q = " in page
    # p below 0.0001 reads « p < 0,0001 », not « p = < 0,0001 » (issue 10, point 14)
    assert "p < 0,0001" in page and "p = <" not in page and "p = 0,98" in page
    # The rate guardrail shared by three replications is pooled too, as a % change.
    assert "Sur 3 services, l'effet combiné de l'intervention sur «" in page and "il pourrait être nul" in page


async def test_a_visitor_pools_public_experiments_only(client, samples):
    response = await client.get(f"/interventions/{KEY}")
    page = text_of(response.text)
    assert "Sur 3 services, l'intervention réduit" in page
    assert "rappel-sms-relation-usagers" not in response.text and "Relation usagers" not in page
    data = (await client.get(f"/api/v1/interventions/{KEY}")).json()
    assert [e["slug"] for e in data["experiments"]] == PUBLIC
    pool = data["pool"]
    assert pool["intervention"] == KEY
    absence = next(m for m in pool["metrics"] if m["metric"] == "absence")
    assert absence["k"] == 3 and [s["experiment"] for s in absence["studies"]] == PUBLIC
    estimate, ci = inverse_variance(PUBLIC)
    assert absence["pooled"]["estimate"] == pytest.approx(estimate, rel=1e-9)
    assert absence["pooled"]["ci"] == pytest.approx(ci, rel=1e-9)
    assert absence["tau2"] == 0 and absence["i2"] == 0
    assert [i["intervention"] for i in (await client.get("/api/v1/interventions")).json()] == [KEY]
    assert (await client.get("/api/v1/interventions")).json()[0]["experiments"] == 3


async def test_the_json_twin_is_the_contract_and_in_the_openapi_document(client, accounts, samples, tmp_path, capsys):
    await client.login("agent")
    data = (await client.get(f"/api/v1/interventions/{KEY}")).json()
    assert await anyio.to_thread.run_sync(main, ["pool", *sample_files(), "--format", "json"]) == 0
    from_files = json.loads(capsys.readouterr().out)
    # The stored experiments and their files pool to the same figures.
    assert data["pool"]["metrics"] == from_files["metrics"]
    metric = data["pool"]["metrics"][0]
    assert set(metric) == {"metric", "kind", "scale", "k", "method", "pooled", "fixed", "tau2", "i2", "q", "q_p_value", "studies"}
    assert set(metric["pooled"]) == {"estimate", "ci", "p_value"} and set(metric["fixed"]) == {"estimate", "ci"}
    assert set(metric["studies"][0]) == {"experiment", "service", "iteration", "arm", "estimate", "std_error", "weight"}
    assert sum(s["weight"] for s in metric["studies"]) == pytest.approx(1)
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/interventions/{key}" in schema["paths"] and "/api/v1/interventions" in schema["paths"]


async def test_unknown_and_unpoolable_interventions(client, accounts, samples):
    assert (await client.get("/interventions/inconnue")).status_code == 404
    assert (await client.get("/api/v1/interventions/inconnue")).status_code == 404
    # Internal experiments are not shown to visitors, not even their existence.
    await client.login("admin")
    form = await client.get("/experimentations/relance-factures-cantine/modifier")
    assert form.status_code == 200
    doc = (await client.get("/api/v1/experiments/relance-factures-cantine")).json()["document"]
    async with db.transaction():
        from tal.experiments import services
        from tal.experiments.schemas import ExperimentFile
        import msgspec

        new = msgspec.convert(doc, ExperimentFile)
        new = msgspec.structs.replace(new, experiment=msgspec.structs.replace(new.experiment, intervention="seule"))
        await services.save(new, None)
    page = await client.get("/interventions/seule")
    assert page.status_code == 200
    assert "Pas de combinaison possible" in text_of(page.text) and "au moins deux expérimentations" in text_of(page.text)
    api = await client.get("/api/v1/interventions/seule")
    assert api.status_code == 422 and "au moins deux expérimentations" in api.json()["error"]["message"]


# ---------------------------------------------------------------- tal pool


def test_tal_pool_prints_the_contract_and_a_readable_report(capsys):
    assert main(["pool", *sample_files()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Intervention « {KEY} » : 4 expérimentation(s)")
    assert "Sur 4 services, l'intervention réduit" in out and "DerSimonian-Laird random effects" in out
    assert "], p < 0,0001" in out and "p = <" not in out
    assert main(["pool", *sample_files(), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intervention"] == KEY and [m["metric"] for m in data["metrics"]] == ["absence", "appels"]
    absence = data["metrics"][0]
    estimate, ci = inverse_variance(SAMPLE_COUNTS)
    assert absence["pooled"]["estimate"] == pytest.approx(estimate) and absence["pooled"]["ci"] == pytest.approx(ci)
    assert data["metrics"][1]["scale"] == "log_ratio" and data["metrics"][1]["k"] == 3


@pytest.mark.parametrize(
    "args, message",
    [
        ([str(SAMPLES / "rappel-sms-etat-civil.toml")], "au moins deux expérimentations"),
        ([str(SAMPLES / "rappel-sms-etat-civil.toml"), str(SAMPLES / "lettre-information-courte.toml")],
         "experiment.intervention : absente"),
        (["une-cle", "une-autre"], "une seule clé d'intervention"),
        (["nulle-part.toml"], "introuvable"),
    ],
)
def test_tal_pool_refuses_bad_input_with_one_line(args, message, capsys):
    assert main(["pool", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tal : erreur : ") and message in lines[0]


def test_tal_pool_refuses_files_of_another_intervention(tmp_path, capsys):
    other = tmp_path / "autre.toml"
    text = (SAMPLES / "rappel-sms-action-sociale.toml").read_text(encoding="utf-8")
    other.write_text(text.replace(f'intervention = "{KEY}"', 'intervention = "autre-chose"'), encoding="utf-8")
    assert main(["pool", str(SAMPLES / "rappel-sms-etat-civil.toml"), str(other)]) == 1
    err = capsys.readouterr().err
    assert "experiment.intervention" in err and "« autre-chose » au lieu de « rappel-sms-rendez-vous »" in err


async def test_tal_pool_reads_an_intervention_from_the_database(database, samples, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import PG_URL, TMP

    url = PG_URL if database == "postgresql" else f"sqlite:///{TMP / 'tests.sqlite'}"
    env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "tal.cli", "pool", KEY, "--format", "json"], capture_output=True,
                         text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    # The command line is the system: internal experiments are pooled too.
    assert data["metrics"][0]["k"] == 4
    missing = subprocess.run([sys.executable, "-m", "tal.cli", "pool", "inconnue"], capture_output=True, text=True,
                             env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "aucune expérimentation ne porte l'intervention « inconnue »" in missing.stderr


async def test_the_intervention_page_in_english(client, samples):
    await client.post("/langue", {"lang": "en"})
    response = await client.get(f"/interventions/{KEY}")
    page = text_of(response.text)
    assert "Across 3 services, the intervention reduces “Rendez-vous non honorés” by" in page
    assert "the results are consistent from one service to another." in page
    assert "Pooled effect (random effects)" in page and "Effet combiné" not in page
    # English punctuation: no space before « ; » or « : », intervals read « a to b »
    raw = html.unescape(response.text)
    assert "the intervention reduces" in raw and " ; " not in page and "\u202f;" not in raw
    assert re.search(r"\(95% interval: −\d\.\d to −\d\.\d\), p < 0\.0001", page)
    assert re.search(r"\) ?; the results are consistent", raw) and ") ; the results" not in raw
    assert "Action sociale: −" in raw and "Action sociale : " not in raw


async def test_comparison_group_replications_are_pooled_from_their_evaluation(client, database):
    """A design whose estimate comes from a model brings its evaluation's difference."""
    from tal.experiments import services

    text = (SAMPLES / "collecte-biodechets-porte-a-porte.toml").read_text(encoding="utf-8")
    text = text.replace("registered_at = 2025-12-08T15:00:00+01:00",
                        'registered_at = 2025-12-08T15:00:00+01:00\nintervention = "biodechets"', 1)
    other = (text.replace('slug = "collecte-biodechets-porte-a-porte"', 'slug = "collecte-biodechets-bis"', 1)
             .replace('service = "Prévention et gestion des déchets"', 'service = "Voirie et propreté"', 1))
    async with db.transaction():
        await loader.load_documents([fileformat.parse(text), fileformat.parse(other)])
    response = await client.get("/api/v1/interventions/biodechets")
    assert response.status_code == 200, response.text
    metrics = {m["metric"]: m for m in response.json()["pool"]["metrics"]}
    evaluation = (await client.get("/api/v1/experiments/collecte-biodechets-bis")).json()["evaluation"]["result"]
    omr = next(c for c in evaluation["iterations"][-1]["comparisons"] if c["metric"] == "omr")
    pooled = metrics["omr"]
    assert pooled["k"] == 2 and pooled["scale"] == "difference"
    assert [s["estimate"] for s in pooled["studies"]] == pytest.approx([omr["difference"]] * 2)
    if omr.get("std_error") is not None:
        assert pooled["studies"][0]["std_error"] == pytest.approx(omr["std_error"])
    else:  # the standard error a normal interval implies
        low, high = omr["difference_ci"]
        assert pooled["studies"][0]["std_error"] == pytest.approx((high - low) / (2 * 1.959963984540054))
    # Two identical replications: no heterogeneity, the pooled estimate is theirs.
    assert pooled["pooled"]["estimate"] == pytest.approx(omr["difference"])
    assert pooled["tau2"] == 0 and pooled["i2"] == 0 and pooled["q"] == pytest.approx(0, abs=1e-9)


def _metric(kind, estimate, ci, i2, services):
    return {"metric": "m", "kind": kind, "k": len(services), "i2": i2, "pooled": {"estimate": estimate, "ci": ci},
            "studies": [{"service": s} for s in services]}


@pytest.mark.parametrize(
    "metric, expected",
    [
        (_metric("binary", 0.031, [0.012, 0.05], 0.3, ["A", "B", "C"]),
         "Sur 3 services, l'intervention augmente « Taux » de 3,1 points (entre 1,2 et 5,0) ; "
         "les résultats varient un peu d'un service à l'autre."),
        (_metric("mean", -2.5, [-4.0, -1.0], 0.6, ["A", "A", "B"]),
         "Sur 3 expérimentations dans 2 services, l'intervention réduit « Taux » de 2,50 (entre 1,00 et 4,00) ; "
         "les résultats varient nettement d'un service à l'autre."),
        (_metric("rate", math.log(0.8), [math.log(0.7), math.log(0.9)], 0.9, ["A", "B"]),
         "Sur 2 services, l'intervention réduit « Taux » de 20,0 % (entre 10,0 et 30,0 %) ; "
         "les résultats varient fortement d'un service à l'autre : l'effet dépend du contexte."),
        (_metric("binary", -0.004, [-0.012, 0.004], 0.0, ["A", "A"]),
         "Sur 2 expérimentations d'un même service, l'effet combiné de l'intervention sur « Taux » n'est pas net : estimé à −0,4 points "
         "(entre −1,2 et 0,4), il pourrait être nul ; les résultats sont cohérents d'un service à l'autre."),
    ],
)
def test_the_sentence_says_the_direction_the_size_and_the_heterogeneity(metric, expected):
    from tal.i18n import translations
    from tal.replications.sentences import sentence

    text = sentence(metric, "Taux", translations("fr").gettext, "fr")
    assert text.replace(NNBSP, " ") == expected
    assert f"«{NNBSP}Taux{NNBSP}»" in text and f"{NNBSP};" in text and " ;" not in text
