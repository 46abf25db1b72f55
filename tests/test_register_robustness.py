"""Inputs a browser, a careless file or a hostile client can send: never a 500."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT, names_field, text_of
from tal.core.errors import DomainError
from tal.experiments import fileformat
from test_register_web import DATA, HEADER, PLAN, draft, version

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


class FormFields(HTMLParser):
    """The fields a browser would submit from the first POST form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = self.done = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and a.get("method") == "post" and "class" in a and "form" in a["class"]:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind != "submit":
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._selected, self._first_option = a["name"], None, None
        elif tag == "option" and self._select:
            # Without a value attribute, an option's value is its text.
            self._option = (a.get("value"), "selected" in a)
            if a.get("value") is not None:
                self._take_option(a["value"])

    _option: tuple[str | None, bool] | None = None

    def _take_option(self, value: str) -> None:
        if self._first_option is None:
            self._first_option = value
        if self._option and self._option[1]:
            self._selected = value
        self._option = None

    def handle_data(self, data):
        if self._option and self._option[0] is None:
            self._take_option(data.strip())
        if self._textarea and self.fields and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._selected if self._selected is not None else self._first_option or ""))
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def as_rendered(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        if name != "_csrf_token":
            data.setdefault(name, []).append(value)
    return data


async def test_the_plan_form_saves_as_the_browser_renders_it_and_changes_nothing(client, accounts):
    await client.login("agent")
    await draft(client)
    before = (await client.get("/api/v1/experiments/accueil-samedi")).json()["registration"]["plan_hash"]
    page = (await client.get("/experimentations/accueil-samedi/plan")).text
    response = await client.post("/experimentations/accueil-samedi/plan", as_rendered(page))
    assert response.status_code == 303, text_of(response.text)
    assert (await client.get("/api/v1/experiments/accueil-samedi")).json()["registration"]["plan_hash"] == before


async def test_the_header_and_data_forms_save_as_rendered(client, accounts):
    await client.login("agent")
    await draft(client)
    for step in ("registered", "running"):
        await client.post("/experimentations/accueil-samedi/statut", {"to": step})
    await client.post("/experimentations/accueil-samedi/iterations/nouvelle", {"started_on": "2026-03-02"})
    for url in ("/experimentations/accueil-samedi/modifier", "/experimentations/accueil-samedi/iterations/1/modifier"):
        page = (await client.get(url)).text
        response = await client.post(url, as_rendered(page))
        assert response.status_code == 303, (url, text_of(response.text))


async def test_a_partner_cannot_take_the_experiment_over(client, other_client, accounts):
    await client.login("agent")
    await draft(client)
    await other_client.login("numerique")
    response = await other_client.post("/experimentations/accueil-samedi/modifier",
                                       {**HEADER, "service": "Numérique", "partner_services": [""]})
    assert response.status_code == 403
    assert (await client.get("/experimentations/accueil-samedi/plan")).status_code == 200


async def test_amendments_record_every_change_even_with_a_description(client, accounts):
    await client.login("agent")
    await draft(client)
    await client.post("/experimentations/accueil-samedi/statut", {"to": "registered"})
    await client.post("/experimentations/accueil-samedi/plan", {**PLAN, "metrics[1].mde": "0,04", "metrics[1].label": "Servis vite",
                                                                "amendment.reason": "Précision", "amendment.change": "Libellé précisé."})
    change = (await client.get("/api/v1/experiments/accueil-samedi")).json()["document"]["amendments"][0]["change"]
    assert change.startswith("Libellé précisé.") and "mde : 0.05 → 0.04" in change


@pytest.mark.parametrize("url", ["/experimentations?service=a%00b", "/api/v1/experiments?q=ab%00cd", "/experimentations/a%00b"])
async def test_a_nul_character_is_refused_not_a_crash(client, url):
    assert (await client.get(url)).status_code == 400


async def test_odd_form_values_are_400_not_500(client, accounts):
    await client.login("agent")
    await draft(client)
    before = await version("accueil-samedi")
    cases = [
        {**PLAN, "version": "²"},
        {**PLAN, "metrics[1].mde": "1e309"},
        {**PLAN, "metrics[1].mde": "nan"},
        {**PLAN, "hypotheses[20000].key": "x", "metrics[1].mde": "?"},
        {**PLAN, "metrics[1].label": "a\x00b"},
    ]
    for data in cases:
        response = await client.post("/experimentations/accueil-samedi/plan", data)
        assert response.status_code in (303, 400, 409), (data, response.status_code)
        assert len(response.content) < 2_000_000
    await client.post("/experimentations/accueil-samedi/statut", {"to": "registered"})
    await client.post("/experimentations/accueil-samedi/statut", {"to": "running"})
    await client.post("/experimentations/accueil-samedi/iterations/nouvelle", {"started_on": "2026-03-02"})
    response = await client.post("/experimentations/accueil-samedi/iterations/1/donnees",
                                 {**DATA, "r.servis.semaine.n": "1" + "0" * 30, "r.servis.semaine.successes": "1"})
    assert response.status_code == 400 and names_field(response.text, "r.servis.semaine.n")
    assert before < await version("accueil-samedi")


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_non_finite_numbers_in_a_file_are_refused(value):
    with pytest.raises(DomainError, match="nombres doivent être finis"):
        fileformat.parse(MINIMAL.replace("mde = 0.03", f"mde = {value}"), "x.toml")


def test_huge_counts_in_a_file_are_refused():
    with pytest.raises(DomainError) as caught:
        fileformat.parse(MINIMAL.replace("n = 1204", "n = 100000000000000000000000000"), "x.toml")
    assert caught.value.field == "x.toml : iterations[1].results[1].n"


async def test_the_schema_page_forms_carry_a_csrf_token(client):
    html = (await client.get("/schema")).text
    assert re.search(r'name="_csrf_token" value="[^"]+"', html)


async def test_every_form_of_every_sample_saves_as_rendered_without_changing_anything(client, samples, accounts):
    """What a browser submits from an untouched form is exactly what is stored."""
    from tal.experiments.tables import Experiment

    await client.login("admin")
    for slug, doc in samples.items():
        before = await Experiment.select(Experiment.version, Experiment.plan_hash).where(Experiment.slug == slug).first()
        urls = [f"/experimentations/{slug}/modifier"]
        if doc.experiment.registered_at is None:
            urls.append(f"/experimentations/{slug}/plan")
        for it in doc.iterations:
            urls += [f"/experimentations/{slug}/iterations/{it.number}/modifier",
                     f"/experimentations/{slug}/iterations/{it.number}/donnees"]
        for url in urls:
            response = await client.post(url, as_rendered((await client.get(url)).text))
            assert response.status_code == 303, (url, text_of(response.text)[-600:])
        after = await Experiment.select(Experiment.version, Experiment.plan_hash).where(Experiment.slug == slug).first()
        assert after == before, slug
