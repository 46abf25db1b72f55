"""The results form takes an ordinal metric's counts in one field per level, labelled by
the level's name; errors name that level's field; the data round-trip unchanged (issue 12)."""

from __future__ import annotations

import re

from conftest import names_field, text_of
from tal.experiments import fileformat
from test_evidence import DATA_URL, DECIDED, document
from test_register_robustness import as_rendered

LEVELS = ["Très insatisfait", "Plutôt insatisfait", "Plutôt satisfait", "Très satisfait"]


def satisfaction(doc: dict, arm: str) -> list[int]:
    rows = doc["iterations"][0]["results"]
    return next(r for r in rows if r["metric"] == "satisfaction" and r["arm"] == arm)["counts"]


async def test_one_field_per_level_labelled_by_the_level_and_saved_as_rendered(client, samples, accounts):
    await client.login("agent")
    page = (await client.get(DATA_URL)).text
    form = as_rendered(page)
    assert [form[f"r.satisfaction.sms.counts[{i}]"] for i in range(1, 5)] == [["12"], ["30"], ["148"], ["141"]]
    assert "r.satisfaction.sms.counts" not in form  # no longer one comma-separated field
    for i, level in enumerate(LEVELS, start=1):
        assert re.search(rf'<label for="f-r-satisfaction-sms-counts-{i}">{level}</label>', page), level
    before = await document(DECIDED)
    response = await client.post(DATA_URL, form)
    assert response.status_code == 303, text_of(response.text)
    assert await document(DECIDED) == before  # as rendered: nothing changes, no correction needed
    # A correction of one level is kept, and the file format is unchanged.
    response = await client.post(DATA_URL, {**form, "r.satisfaction.sms.counts[2]": "31",
                                            "correction.reason": "Une fiche oubliée"})
    assert response.status_code == 303, text_of(response.text)
    after = await document(DECIDED)
    assert satisfaction(after, "sms") == [12, 31, 148, 141]
    assert satisfaction(after, "courrier") == satisfaction(before, "courrier")
    from tal.experiments import services

    text = fileformat.dumps(await services.export(DECIDED))
    exported = fileformat.parse(text).iterations[0].results
    assert next(r for r in exported if r.metric == "satisfaction" and r.arm == "sms").counts == [12, 31, 148, 141]
    assert re.search(r"counts = \[\s*12,\s*31,\s*148,\s*141,?\s*\]", text)


async def test_a_missing_or_bad_level_is_named_and_nothing_is_written(client, samples, accounts):
    await client.login("agent")
    form = as_rendered((await client.get(DATA_URL)).text)
    before = await document(DECIDED)
    reason = {"correction.reason": "Recompte"}
    response = await client.post(DATA_URL, {**form, **reason, "r.satisfaction.sms.counts[3]": ""})
    assert response.status_code == 400
    assert names_field(response.text, "r.satisfaction.sms.counts[3]")
    assert "Effectifs par niveau › Plutôt satisfait : effectif manquant pour ce niveau" in text_of(response.text)
    response = await client.post(DATA_URL, {**form, **reason, "r.satisfaction.courrier.counts[4]": "-3"})
    assert response.status_code == 400 and names_field(response.text, "r.satisfaction.courrier.counts[4]")
    assert "Très satisfait : doit être" in text_of(response.text)
    response = await client.post(DATA_URL, {**form, **reason, "r.satisfaction.courrier.counts[1]": "douze"})
    assert response.status_code == 400 and names_field(response.text, "r.satisfaction.courrier.counts[1]")
    assert "Très insatisfait : doit être un nombre entier" in text_of(response.text)
    # A level left out of the form is a missing field, never an erasure.
    del form["r.satisfaction.sms.counts[4]"]
    response = await client.post(DATA_URL, {**form, **reason})
    assert response.status_code == 400 and names_field(response.text, "r.satisfaction.sms.counts[4]")
    assert await document(DECIDED) == before
    # In English, the same error reads in English.
    await client.post("/langue", {"lang": "en"})
    form = as_rendered((await client.get(DATA_URL)).text)
    response = await client.post(DATA_URL, {**form, **reason, "r.satisfaction.sms.counts[3]": ""})
    assert response.status_code == 400 and "effectif manquant" not in response.text
    assert "Counts per level › Plutôt satisfait : missing count for this level" in text_of(response.text)
