"""« Itérer »: the committee sends a concluded experiment back to its team, which runs a
new iteration; the decision stays in the experiment's history and file."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, text_of
from tal import db
from tal.experiments import fileformat
from tal.experiments.tables import Experiment

SLUG = "rappel-sms-action-sociale"  # a concluded sample of the service « Action sociale »


async def version() -> int:
    return (await Experiment.select(Experiment.version).where(Experiment.slug == SLUG).first())["version"]


@pytest.fixture
async def team(accounts):
    from tal.accounts.services import create_account

    async with db.transaction():
        await create_account("social", PASSWORD, role="agent", service="Action sociale")


async def decide(client, outcome: str, on: str, rationale: str, **extra):
    return await client.post(
        f"/experimentations/{SLUG}/decision",
        {"decision.outcome": outcome, "decision.decided_on": on, "decision.rationale": rationale,
         "version": str(await version()), **extra},
    )


async def test_iterate_sends_the_experiment_back_to_its_team_for_a_new_iteration(client, other_client, samples, team):
    await other_client.login("comite")
    response = await decide(other_client, "iterate", "2026-11-05",
                            "Effet net ici, mais le public sans mobile n'est pas couvert : tester le rappel vocal.",
                            **{"decision.members_present": "Direction générale des services\r\n\r\n  Élus référents \n"})
    assert response.status_code == 303, text_of(response.text)

    await client.login("social")
    data = (await client.get(f"/api/v1/experiments/{SLUG}")).json()
    assert data["document"]["experiment"]["status"] == "running"
    assert data["document"]["decision"]["outcome"] == "iterate"
    assert data["document"]["decision"]["members_present"] == ["Direction générale des services", "Élus référents"]
    assert [s["status"] for s in data["status_history"]][-2:] == ["concluded", "running"]
    page = text_of((await client.get(f"/experimentations/{SLUG}")).text)
    assert "En cours" in page and "Ajouter une itération" in page
    assert "Le comité a renvoyé l'expérimentation à son équipe pour une nouvelle itération" in page
    assert "le public sans mobile n'est pas couvert" in page

    # The team amends its registered plan for the new iteration, with a reason kept in the file...
    doc = data["document"]
    plan = {"version": str(await version()), "amendment.reason": "Le comité demande de viser un effet plus net"}
    for section, fields in (("hypotheses", ("key", "we_believe", "to_verify_we_will", "we_will_measure", "we_are_right_if")),
                            ("metrics", ("key", "hypothesis", "label", "kind", "role", "direction", "mde", "alpha",
                                         "power", "baseline")),
                            ("arms", ("key", "label", "share"))):
        for i, row in enumerate(doc[section], start=1):
            plan.update({f"{section}[{i}].{f}": str(row[f]) for f in fields if f in row})
            if row.get("control"):
                plan[f"{section}[{i}].control"] = "on"
    plan["metrics[1].mde"] = "0.04"
    response = await client.post(f"/experimentations/{SLUG}/plan", plan)
    assert response.status_code == 303, text_of(response.text)
    amended = (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]
    assert amended["metrics"][0]["mde"] == 0.04
    assert amended["amendments"][-1]["reason"] == "Le comité demande de viser un effet plus net"
    assert "0.03 → 0.04" in amended["amendments"][-1]["change"]

    # ...and runs a second iteration.
    response = await client.post(
        f"/experimentations/{SLUG}/iterations/nouvelle",
        {"started_on": "2026-11-09", "change": "Rappel vocal pour les personnes sans mobile", "version": str(await version())},
    )
    assert response.status_code == 303, text_of(response.text)
    assert response.headers["location"] == f"/experimentations/{SLUG}/iterations/2/donnees"
    response = await client.post(
        f"/experimentations/{SLUG}/iterations/2/donnees",
        {**await empty_data_form(SLUG), "r.absence.courrier.n": "300", "r.absence.courrier.successes": "57",
         "r.absence.sms.n": "310", "r.absence.sms.successes": "40", "version": str(await version())},
    )
    assert response.status_code == 303, text_of(response.text)
    response = await client.post(f"/experimentations/{SLUG}/statut", {"to": "concluded", "version": str(await version())})
    assert response.status_code == 303, text_of(response.text)

    # The committee decides again: the new decision supersedes the first, both stay visible.
    response = await decide(other_client, "scale", "2026-12-18", "Effet confirmé sur deux itérations.")
    assert response.status_code == 303, text_of(response.text)
    data = (await client.get(f"/api/v1/experiments/{SLUG}")).json()
    doc = data["document"]
    assert doc["experiment"]["status"] == "decided"
    assert doc["decision"]["outcome"] == "scale"
    assert [(d["outcome"], d["decided_on"]) for d in doc["decisions"]] == [("iterate", "2026-11-05")]
    assert [s["status"] for s in data["status_history"]][-4:] == ["concluded", "running", "concluded", "decided"]
    page = text_of((await client.get(f"/experimentations/{SLUG}")).text)
    assert "Généraliser" in page and "Décisions précédentes" in page and "Itérer" in page
    assert "Ajouter une itération" not in page

    # The file carries both decisions and loads back to the same experiment.
    text = (await client.get(f"/experimentations/{SLUG}.toml")).text
    parsed = fileformat.parse(text)
    assert parsed.decision.outcome == "scale" and [d.outcome for d in parsed.decisions] == ["iterate"]
    assert "[[decisions]]" in text and len(parsed.iterations) == 2


async def test_a_decision_needs_a_concluded_experiment_and_writes_nothing_otherwise(client, samples, accounts):
    await client.login("comite")
    before = await version()
    response = await client.post(
        "/experimentations/relance-factures-cantine/decision",
        {"decision.outcome": "iterate", "decision.decided_on": "2026-11-05", "decision.rationale": "Trop tôt"},
    )
    assert response.status_code == 400
    assert "seule une expérimentation conclue peut recevoir une décision" in text_of(response.text)
    row = await Experiment.select(Experiment.status).where(Experiment.slug == "relance-factures-cantine").first()
    assert row["status"] == "running" and await version() == before


def test_the_file_format_checks_decisions():
    from tal.core.errors import DomainError
    from conftest import SAMPLES

    text = (SAMPLES / "carte-lecteur-nouveaux-habitants.toml").read_text(encoding="utf-8")
    # The sample: « itérer » led to a second iteration, running.
    doc = fileformat.parse(text)
    assert doc.experiment.status == "running" and doc.decision.outcome == "iterate" and len(doc.iterations) == 2
    with pytest.raises(DomainError) as error:
        fileformat.parse(text.replace('status = "running"', 'status = "decided"', 1), "f.toml")
    assert error.value.field == "f.toml : decision" and "«\u202fitérer\u202f» renvoie l'expérimentation à son équipe" in error.value.message
    stale = text.replace('[decision]\noutcome = "iterate"', '[decision]\noutcome = "stop"')
    with pytest.raises(DomainError) as error:
        fileformat.parse(stale, "f.toml")
    assert "statut «\u202fdecided\u202f»" in error.value.message
    earlier = text.replace("[decision]\n", '[[decisions]]\noutcome = "iterate"\ndecided_on = 2026-12-01\nrationale = "x"\n\n[decision]\n')
    with pytest.raises(DomainError) as error:
        fileformat.parse(earlier, "f.toml")
    assert error.value.field == "f.toml : decision.decided_on"
    orphan = text.replace("[decision]\n", '[[decisions]]\noutcome = "iterate"\ndecided_on = 2026-10-01\nrationale = "x"\n\n[decision]\n')
    assert len(fileformat.parse(orphan).decisions) == 1


async def empty_data_form(slug: str) -> dict:
    """Every field of a new iteration's data form, empty, as the page renders it (a field
    left out of a form is refused, never taken as an erasure)."""
    from tal.experiments.services import get
    from tal.experiments.web import data_fields

    async with db.transaction(write=False):
        view = await get(slug, None)
    return {name: "" for name in data_fields(view.doc)}
