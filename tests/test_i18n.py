"""French by default, a complete English catalogue, a language switch; dates in French."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.messages.pofile import read_po

from conftest import text_of
from tal import i18n


def test_the_english_catalogue_translates_every_message_of_code_and_templates():
    with i18n.catalogue_path("en").open("rb") as f:
        english = read_po(f, locale="en")
    missing = []
    for message in i18n.extract():
        if not message.id:
            continue
        translated = english.get(message.id)
        strings = translated.string if translated else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{len(missing)} messages sans traduction anglaise (python -m tal.i18n) : {missing[:5]}"


def test_french_dates_and_numbers():
    assert i18n.format_date(dt.date(2026, 2, 20), "fr") == "20 février 2026"
    assert i18n.format_date(dt.date(2026, 2, 20), "en") == "February 20, 2026"
    when = dt.datetime(2026, 2, 20, 8, 30, tzinfo=dt.timezone.utc)
    assert i18n.format_datetime(when, "fr") == "20 février 2026, 09:30"
    assert i18n.format_number(0.1235, "fr") == "0,1235"
    # the minus sign « − », not a hyphen (the experiment page's detail table read « [-0,0607 ; 0,2582] »)
    assert i18n.format_number(-0.06071, "fr") == "\u22120,0607" and i18n.format_number(-3, "en") == "\u22123"
    assert i18n.format_number(-0.00001, "fr") == "0" and i18n.format_number(-1234.5, "fr") == "\u22121\u202f234,5"


def test_language_choice():
    assert i18n.pick(None, "") == "fr"
    assert i18n.pick(None, "en-GB,en;q=0.9") == "en"
    assert i18n.pick("fr", "en-GB") == "fr"
    assert i18n.pick("de", "de-DE") == "fr"


async def test_the_switch_turns_pages_to_english_and_back(client, samples):
    page = await client.get("/experimentations")
    assert 'lang="fr"' in page.text and "Aller au contenu" in page.text
    response = await client.post("/langue", {"lang": "en", "next": "/experimentations?design=randomized"})
    assert response.status_code == 303 and response.headers["location"] == "/experimentations?design=randomized"
    page = await client.get("/experimentations")
    assert 'lang="en"' in page.text and "Skip to content" in page.text and "Aller au contenu" not in page.text
    await client.post("/langue", {"lang": "fr"})
    assert 'lang="fr"' in (await client.get("/")).text


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_every_sample_experiment_renders_in_both_languages(client, samples, accounts, lang):
    await client.login("agent")
    await client.post("/langue", {"lang": lang})
    expected = {
        "fr": ("Le plan", "Pré-enregistrement", "Itérations"),
        "en": ("The plan", "Pre-registration", "Iterations"),
    }[lang]
    for slug, doc in samples.items():
        response = await client.get(f"/experimentations/{slug}")
        assert response.status_code == 200, slug
        page = text_of(response.text)
        assert doc.experiment.title in page
        for heading in expected:
            assert heading in page, (slug, heading)
        for hypothesis in doc.hypotheses:
            assert hypothesis.we_believe[:40] in page
        for iteration in doc.iterations:
            if iteration.learning and iteration.learning.we_learned:
                assert iteration.learning.we_learned[:40] in page
        if doc.experiment.registered_at:
            registered = i18n.format_datetime(doc.experiment.registered_at, lang)
            assert registered in page, (slug, registered)
