"""Pages an agent uses every day: signing in and coming back, the API viewer in English."""

from __future__ import annotations

import httpx

from conftest import text_of


async def test_sign_in_brings_the_agent_back_and_never_loops(client, accounts):
    page = await client.get("/connexion?next=/connexion")
    assert 'name="next" value="/"' in page.text
    response = await client.post("/connexion", {"username": "agent", "password": "mot-de-passe-de-test",
                                                "next": "/connexion?next=/connexion"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    await client.post("/deconnexion", {})
    response = await client.post("/connexion", {"username": "agent", "password": "mot-de-passe-de-test",
                                                "next": "/journal/nouvelle"})
    assert response.status_code == 303 and response.headers["location"] == "/journal/nouvelle"
    await client.post("/deconnexion", {})
    response = await client.post("/connexion", {"username": "agent", "password": "mot-de-passe-de-test",
                                                "next": "//ailleurs.example/"})
    assert response.headers["location"] == "/"


async def test_a_signed_out_agent_is_invited_to_sign_in_alike_for_known_and_unknown_pages(client, samples):
    internal = [slug for slug, doc in samples.items() if doc.experiment.visibility == "internal"][0]
    known = await client.get(f"/experimentations/{internal}")
    unknown = await client.get("/experimentations/cette-experimentation-n-existe-pas")
    assert known.status_code == unknown.status_code
    for response, path in [(known, f"/experimentations/{internal}"),
                           (unknown, "/experimentations/cette-experimentation-n-existe-pas")]:
        assert f'href="/connexion?next={path}"' in response.text
        assert "réservée aux agents connectés" in text_of(response.text)
        assert text_of(known.text).replace(internal, "") == text_of(response.text).replace(
            "cette-experimentation-n-existe-pas", "").replace(internal, "")


async def test_the_api_viewer_speaks_english(client):
    await client.post("/langue", {"lang": "en"})
    page = text_of((await client.get("/schema")).text)
    assert "TAL — API of the experiment register" in page and "Create a draft experiment" in page
    assert "Créer un brouillon" not in page and "Point d'entrée" not in page


async def test_the_data_form_no_longer_shows_hac_lags_and_keeps_those_of_an_older_file(client, samples, accounts):
    import re
    import tomllib

    slug = "interdiction-tabac-syndromes-coronariens"
    await client.login("admin")
    url = f"/experimentations/{slug}/iterations/1/donnees"
    page = await client.get(url)
    assert "hac_maxlags" not in page.text and "HAC" not in text_of(page.text)
    fields = dict(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page.text))
    fields |= dict(re.findall(r'<input type="text"[^>]*name="([^"]+)" value="([^"]*)"', page.text))
    import html

    fields = {k: html.unescape(v) for k, v in fields.items()}
    response = await client.post(url, fields)
    assert response.status_code == 303, text_of(response.text)[:500]
    exported = tomllib.loads((await client.get(f"/experimentations/{slug}.toml")).text)
    series = {s["metric"]: s for s in exported["iterations"][0]["series"]}
    assert series["admissions"]["hac_maxlags"] == 3


async def test_an_empty_form_reports_every_missing_field_at_once_in_plain_words(client, samples, accounts):
    await client.login("agent")
    response = await client.post("/experimentations/nouvelle", {"title": "", "slug": "", "service": "", "design": "randomized"})
    assert response.status_code == 400
    page = text_of(response.text)
    assert "2 champs sont à corriger" in page
    for message in ("Indiquez un titre.", "Choisissez le service porteur."):
        assert message in page
    assert 'href="#f-title"' in response.text and 'href="#f-service"' in response.text
    assert "clé obligatoire manquante" not in page and "experiment." not in page
    assert response.text.count('aria-invalid="true"') == 2


async def test_the_slug_is_proposed_from_the_title(client, accounts):
    from tal.core.text import slugify

    assert slugify("Rappel SMS de l'état civil — été 2026 !") == "rappel-sms-de-l-etat-civil-ete-2026"
    assert len(slugify("mot " * 40)) <= 60
    await client.login("agent")
    response = await client.post("/experimentations/nouvelle", {
        "title": "Accueil du samedi à l'Hôtel de ville", "slug": "", "service": "Population et citoyenneté",
        "design": "randomized", "summary": "", "visibility": "internal", "intervention": ""})
    assert response.status_code == 303
    assert response.headers["location"] == "/experimentations/accueil-du-samedi-a-l-hotel-de-ville/plan"


async def test_the_decision_form_flags_the_date_and_the_rationale_together_in_english(client, samples, accounts):
    await client.login("comite")
    await client.post("/langue", {"lang": "en"})
    response = await client.post("/experimentations/rappel-sms-etat-civil/decision",
                                 {"decision.outcome": "scale", "decision.decided_on": "", "decision.rationale": ""})
    assert response.status_code == 400
    page = text_of(response.text)
    assert "The form was not saved" in page and "2 fields to correct:" in page
    assert "Give the date of the decision." in page and "Give the reasons for the decision." in page
    assert "Indiquez" not in page and "obligatoire" not in page


async def test_a_successful_post_is_confirmed_once_to_screen_readers_too(client, samples, accounts):
    await client.login("agent")
    response = await client.post("/experimentations/nouvelle", {
        "title": "Accueil du samedi", "slug": "accueil-samedi", "service": "Population et citoyenneté",
        "design": "randomized", "summary": "", "visibility": "internal", "intervention": ""})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert '<div class="alert alert-ok" role="status"><p>Expérimentation enregistrée. Écrivez maintenant son plan.</p>' in page.text
    again = await client.get(response.headers["location"])
    assert "Expérimentation enregistrée" not in again.text


async def test_a_page_with_form_errors_says_so_in_its_title(client, samples, accounts):
    await client.login("agent")
    response = await client.post("/journal/nouvelle", {"title": "", "happened_on": "", "what_happened": "", "action": "draft"})
    assert response.status_code == 400
    assert "<title>Erreur — " in response.text
    assert "<title>Erreur — " not in (await client.get("/journal/nouvelle")).text


async def test_french_content_is_marked_as_such_on_english_pages(client, samples, accounts):
    await client.login("agent")
    from markupsafe import escape

    title = escape(samples["rappel-sms-etat-civil"].experiment.title)
    french = (await client.get("/experimentations/rappel-sms-etat-civil")).text
    assert f"<h1>{title}</h1>" in french
    await client.post("/langue", {"lang": "en"})
    english = (await client.get("/experimentations/rappel-sms-etat-civil")).text
    assert f'<h1 lang="fr">{title}</h1>' in english and '<html lang="en">' in english


async def test_the_experiment_page_starts_with_its_result_and_decision(client, samples, accounts):
    await client.login("agent")
    response = await client.get("/experimentations/rappel-sms-etat-civil")
    html = response.text
    box = html[html.index('class="summary-box"'):html.index("</section>", html.index('class="summary-box"'))]
    page = text_of(box)
    assert "En bref" in page and "Résultat de l'itération 1 :" in page and "Décision du comité :" in page
    assert html.index('class="summary-box"') < html.index('id="plan-title"')
    assert 'href="#plan-title"' in box and 'href="#decision-title"' in box


async def test_domain_errors_follow_the_language_of_the_request(client, samples, accounts):
    import html as html_lib

    from test_api_write import DRAFT, SLUG, new_token

    await client.login("agent")
    token = await new_token(client)
    headers = {"authorization": f"Bearer {token}", "accept-language": "en"}
    async with httpx.AsyncClient(transport=client.http._transport, base_url="http://testserver", headers=headers) as http:
        assert (await http.post("/api/v1/experiments", json=DRAFT)).status_code == 201
        edited = {**DRAFT, "version": 1, "experiment": {**DRAFT["experiment"], "summary": "Une autre présentation."}}
        assert (await http.put(f"/api/v1/experiments/{SLUG}", json=edited)).status_code == 200
        stale = await http.put(f"/api/v1/experiments/{SLUG}", json=edited)
    assert stale.status_code == 409
    assert stale.json()["error"]["message"] == "version 1 is stale: the experiment is at version 2, read it again and retry"
    slug = "rappel-sms-etat-civil"
    await client.post("/langue", {"lang": "en"})
    refused = await client.post(f"/experimentations/{slug}/decision",
                                {"decision.outcome": "scale", "decision.decided_on": "2026-06-12", "decision.rationale": "x"})
    assert refused.status_code == 403
    page = html_lib.unescape(refused.text)
    assert "only the cross-service committee decides what comes next for an experiment" in page
    assert "seul le comité" not in page


async def test_form_errors_in_english_leave_no_french_catalogue_message(client, accounts):
    """Every error of the register's forms, rendered in English: no message of the French
    catalogue is left (user content aside, marked lang="fr")."""
    import re

    from test_browser import _french_messages, _normal
    from test_register_web import BAD_HEADERS, BAD_PLANS, HEADER, PLAN, draft

    french = _french_messages()

    def leftovers(html: str) -> list[str]:
        html = re.sub(r'<(\w+)[^>]* lang="fr"[^>]*>.*?</\1>', " ", html, flags=re.S)
        text = _normal(text_of(html))
        return [f for f in french if f in text]

    await client.login("agent")
    await draft(client)
    await client.post("/langue", {"lang": "en"})
    for _, change, field, _message in BAD_PLANS:
        response = await client.post("/experimentations/accueil-samedi/plan", {**PLAN, **change})
        assert response.status_code == 400 and "The form was not saved" in response.text
        assert leftovers(response.text) == [], field
    for _, change, field, _message in BAD_HEADERS:
        response = await client.post("/experimentations/nouvelle", {**HEADER, **change})
        assert response.status_code == 400
        assert leftovers(response.text) == [], field
