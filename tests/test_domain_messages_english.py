"""Domain messages that carry values (« le bras « x » n'existe pas… ») go through the
catalogue with named placeholders: an English page or API answer shows no French
(issue 12)."""

from __future__ import annotations

import httpx
import pytest

from conftest import names_field, text_of
from test_journal_web import ENTRY, tags  # noqa: F401 (fixture)
from test_register_web import DATA, ITERATION, running, version


async def test_register_form_errors_with_values_read_in_english(client, accounts):
    await running(client)
    await client.post("/langue", {"lang": "en"})
    before = await version("accueil-samedi")
    response = await client.post("/experimentations/accueil-samedi/iterations/1/donnees",
                                 {**DATA, "r.servis.semaine.n": "10", "r.servis.semaine.successes": "11"})
    assert response.status_code == 400 and names_field(response.text, "r.servis.semaine.successes")
    page = text_of(response.text)
    assert "11 successes for n = 10: successes cannot exceed n" in page and "succès pour" not in page
    response = await client.post("/experimentations/accueil-samedi/iterations/1/modifier",
                                 {**ITERATION, "ended_on": "2026-01-01"})
    assert "the end date is before the start date" in text_of(response.text)
    assert "la date de fin" not in text_of(response.text)
    response = await client.post("/experimentations/accueil-samedi/statut", {"to": "draft"})
    assert response.status_code == 400
    assert "cannot go from “running” to “draft”" in text_of(response.text)
    assert "passage impossible" not in response.text
    assert await version("accueil-samedi") == before
    # French stays French, with its typography.
    await client.post("/langue", {"lang": "fr"})
    response = await client.post("/experimentations/accueil-samedi/statut", {"to": "draft"})
    assert "passage impossible de «\u202frunning\u202f» à «\u202fdraft\u202f»" in response.text


async def test_journal_and_api_errors_with_values_read_in_english(client, samples, accounts, tags):
    await client.login("agent")
    await client.post("/langue", {"lang": "en"})
    response = await client.post("/journal/nouvelle", {**ENTRY, "tags": ["inconnue"], "action": "publish"})
    assert response.status_code == 400 and names_field(response.text, "tags")
    assert "unknown tag: “inconnue”" in text_of(response.text) and "étiquette inconnue" not in response.text
    response = await client.post("/journal/nouvelle", {**ENTRY, "experiment": "pas-dans-le-registre", "action": "publish"})
    assert "unknown experiment: “pas-dans-le-registre”" in text_of(response.text)
    async with httpx.AsyncClient(transport=client.http._transport, base_url="http://testserver",
                                 headers={"accept-language": "en"}) as http:
        missing = await http.get("/api/v1/experiments/pas-dans-le-registre")
        assert missing.status_code == 404
        assert missing.json()["error"]["message"] == "no experiment “pas-dans-le-registre”"


@pytest.mark.parametrize("lang, expected", [
    ("fr", "il faut exactement un bras témoin (control = true), il y en a 2"),
    ("en", "there must be exactly one control arm (control = true), there are 2"),
])
def test_file_rule_messages_are_translated_with_their_values(lang, expected):
    import msgspec

    from conftest import SAMPLES
    from tal.core.errors import DomainError
    from tal.experiments import fileformat, rules
    from tal.i18n import translations

    doc = fileformat.read(SAMPLES / "rappel-sms-etat-civil.toml")
    doc = msgspec.structs.replace(doc, arms=[msgspec.structs.replace(a, control=True) for a in doc.arms])
    with pytest.raises(DomainError) as error:
        rules.check(doc)
    assert error.value.field == "arms" and error.value.translated(translations(lang).gettext) == expected
