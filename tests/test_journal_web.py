"""The journal through its pages: write, check the wording, publish, react, comment,
act, withdraw; who sees what; feeds; recognition."""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import names_field, text_of
from tal import db, loader
from tal.journal.services import ensure_tags
from tal.journal.tables import AuthorAccess, JournalEntry, JournalReaction

ENTRY = {
    "title": "Relances envoyées deux fois",
    "happened_on": "2026-03-20",
    "what_happened": "Le logiciel de facturation a envoyé deux relances aux mêmes familles.",
    "what_we_expected": "Une seule relance par facture.",
    "contributing_factors": "Le traitement nocturne a été relancé après une coupure, sans contrôle des doublons.",
    "what_we_learned": "Un traitement relancé doit vérifier ce qu'il a déjà envoyé.",
    "what_we_change": "Un contrôle de doublons avant chaque envoi.",
    "tags": ["outil"],
    "services": ["Numérique"],
    # Fields the form always shows: a left-out field is refused, never taken as a blank.
    "what_went_well": "",
    "experiment": "",
    "iteration": "",
    "signed": "",
}


@pytest.fixture
async def tags(database):
    async with db.transaction():
        await ensure_tags(["outil", "prestataire", "processus"])


async def write(client, action: str = "publish", **changes) -> int:
    response = await client.post("/journal/nouvelle", {**ENTRY, **changes, "action": action})
    assert response.status_code == 303, text_of(response.text)
    return int(response.headers["location"].rsplit("/", 1)[1])


async def state(entry_id: int) -> dict:
    return await JournalEntry.select().where(JournalEntry.id == entry_id).first()


async def test_blame_language_is_pointed_out_before_publication_and_the_author_decides(client, accounts, tags):
    await client.login("agent")
    blaming = {**ENTRY, "what_happened": "C'est la faute de l'agent Dupont, il aurait dû vérifier.", "action": "publish"}
    response = await client.post("/journal/nouvelle", blaming)
    page = text_of(response.text)
    assert response.status_code == 200 and "des phrases semblent désigner une personne" in page
    assert await JournalEntry.count() == 0
    # The author keeps the wording: it is their decision.
    response = await client.post("/journal/nouvelle", {**blaming, "keep_wording": "on"})
    assert response.status_code == 303
    assert (await JournalEntry.select(JournalEntry.state).first())["state"] == "published"


async def test_each_flagged_sentence_gets_a_rewording_the_author_accepts_edits_or_keeps(client, accounts, tags):
    await client.login("agent")
    first = "C'est la faute de Martin qui a oublié d'envoyer les courriers."
    second = "Le stagiaire aurait dû vérifier les adresses."
    third = "Elle n'a pas prévenu l'équipe."
    draft = {**ENTRY, "what_happened": f"{first} {second}", "contributing_factors": third, "action": "check"}
    page = await client.post("/journal/nouvelle", draft)
    text = text_of(page.text)
    assert page.status_code == 200 and "Reformulations proposées" in text
    assert "Les courriers n'ont pas été envoyés\u202f: rien dans le processus ne signalait" in html.unescape(page.text)
    assert "Martin qui a oublié" in text and "reproche à une personne ce qu'elle n'a pas fait" in text
    fields = dict(re.findall(r'name="(rw-\d+-(?:field|sentence))" value="([^"]*)"', page.text))
    assert fields["rw-0-field"] == "what_happened" and fields["rw-2-field"] == "contributing_factors"
    assert fields["rw-0-sentence"] == first.replace("'", "&#39;")
    # Accept the first suggestion as is, edit the second, keep the third; a forged field is ignored.
    choices = {
        **draft, "action": "reword",
        "rw-0-field": "what_happened", "rw-0-sentence": first, "rw-0-choice": "accept",
        "rw-0-text": "Les courriers n'ont pas été envoyés\u202f: rien ne signalait qu'un envoi manquait.",
        "rw-1-field": "what_happened", "rw-1-sentence": second, "rw-1-choice": "accept",
        "rw-1-text": "Les adresses n'ont pas   été vérifiées : aucune étape ne le prévoyait.",
        "rw-2-field": "contributing_factors", "rw-2-sentence": third, "rw-2-choice": "keep",
        "rw-2-text": "Ignoré.",
        "rw-3-field": "version", "rw-3-sentence": "1", "rw-3-choice": "accept", "rw-3-text": "999",
    }
    page = await client.post("/journal/nouvelle", choices)
    assert page.status_code == 200 and await JournalEntry.count() == 0  # nothing saved yet
    assert "2 reformulations appliquées au formulaire" in text_of(page.text)
    textarea = re.search(r'<textarea[^>]*name="what_happened"[^>]*>([^<]*)</textarea>', page.text).group(1)
    assert textarea == ("Les courriers n&#39;ont pas été envoyés\u202f: rien ne signalait qu&#39;un envoi manquait. "
                        "Les adresses n&#39;ont pas été vérifiées : aucune étape ne le prévoyait.")
    assert "Elle n&#39;a pas prévenu l&#39;équipe." in page.text  # kept, and still flagged
    assert 'name="version"' not in page.text
    # The author publishes what the form now holds, keeping the wording they chose to keep.
    fixed = {**draft, "what_happened": textarea.replace("&#39;", "'"), "action": "publish", "keep_wording": "on"}
    assert (await client.post("/journal/nouvelle", fixed)).status_code == 303
    row = await JournalEntry.select().first()
    assert row["what_happened"].startswith("Les courriers n'ont pas été envoyés") and "Martin" not in row["what_happened"]
    assert row["contributing_factors"] == third


async def test_reword_without_csrf_is_refused(client, accounts, tags):
    await client.login("agent")
    response = await client.post("/journal/nouvelle", {**ENTRY, "action": "reword"}, csrf=False)
    assert response.status_code == 403
    assert await JournalEntry.count() == 0


async def test_reasons_are_translated_on_the_english_form(client, accounts, tags):
    await client.login("agent")
    await client.post("/langue", {"lang": "en"})
    page = await client.post("/journal/nouvelle", {**ENTRY, "what_happened": "Kévin n'a pas relu le courrier.",
                                                   "action": "check"})
    text = text_of(page.text)
    assert "reproaches a person for what they did not do" in text and "Suggested rewordings" in text
    assert "Keep my wording" in text and "Apply my choices" in text


async def test_a_system_description_is_published_at_once(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    row = await state(entry_id)
    assert row["state"] == "published" and row["public"] is False and row["published_at"] is not None


async def test_visibility_of_every_state_for_every_role_and_a_visitor(client, other_client, accounts, tags):
    await client.login("agent")  # Population et citoyenneté
    draft = await write(client, action="draft", title="Brouillon")
    published = await write(client, title="Publiée")
    public = await write(client, title="Publique")
    assert (await client.post(f"/journal/{public}/public", {"public": "1"})).status_code == 303
    withdrawn = await write(client, title="Retirée")
    assert (await client.post(f"/journal/{withdrawn}/retirer", {"reason": "Doublon d'une autre entrée"})).status_code == 303

    expectations = {
        # reader: (draft, published, public, withdrawn stub)
        "agent": (True, True, True, True),
        "manager": (False, True, True, True),  # a draft is its author's (tests/test_journal_visibility.py)
        "voirie": (False, True, True, True),
        "comite": (False, True, True, True),
        "admin": (False, True, True, True),
        None: (False, False, True, False),
    }
    for reader, expected in expectations.items():
        await other_client.post("/deconnexion")
        if reader:
            await other_client.login(reader)
        for entry_id, visible in zip((draft, published, public, withdrawn), expected):
            page = await other_client.get(f"/journal/{entry_id}")
            api = await other_client.get(f"/api/v1/journal/{entry_id}")
            assert (page.status_code == 200) is visible, (reader, entry_id)
            assert (api.status_code == 200) is visible, (reader, entry_id)
        listed = {i["title"] for i in (await other_client.get("/api/v1/journal")).json()["items"]}
        assert "Brouillon" not in listed
        assert ("Publiée" in listed) is (reader is not None)
        assert "Publique" in listed
    await client.login("agent")  # signing out above ended every session of "agent"
    stub = (await client.get(f"/api/v1/journal/{withdrawn}")).json()
    assert stub["withdrawn_reason"] == "Doublon d'une autre entrée" and stub["what_happened"] is None
    assert "Doublon d'une autre entrée" in text_of((await client.get(f"/journal/{withdrawn}")).text)


async def test_anonymous_by_default_signed_on_request_never_named_in_public(client, other_client, accounts, tags):
    await client.login("agent")
    anonymous = await write(client, title="Anonyme")
    signed = await write(client, title="Signée", signed="on")
    for entry_id in (anonymous, signed):
        await client.post(f"/journal/{entry_id}/public", {"public": "1"})
    await other_client.login("voirie")
    assert (await other_client.get(f"/api/v1/journal/{anonymous}")).json()["author"] is None
    assert (await other_client.get(f"/api/v1/journal/{signed}")).json()["author"] == "agent"
    await other_client.post("/deconnexion")
    for entry_id in (anonymous, signed):
        assert (await other_client.get(f"/api/v1/journal/{entry_id}")).json()["author"] is None
        assert "Signé par" not in (await other_client.get(f"/journal/{entry_id}")).text
    feed = (await other_client.get("/journal/public.atom")).text
    assert "agent" not in feed.replace("user-agent", "")


async def test_only_an_admin_sees_an_anonymous_author_and_it_is_logged(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    await other_client.login("voirie")
    assert (await other_client.post(f"/journal/{entry_id}/auteur")).status_code == 403
    await other_client.post("/deconnexion")
    await other_client.login("admin")
    response = await other_client.post(f"/journal/{entry_id}/auteur")
    assert response.status_code == 200 and "Auteur : agent (agent)" in text_of(response.text)
    assert await AuthorAccess.count().where(AuthorAccess.entry == entry_id) == 1


async def test_reactions_once_each_comments_and_read_counts_for_the_team(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    await other_client.login("voirie")
    await other_client.get(f"/journal/{entry_id}")
    assert (await other_client.post(f"/journal/{entry_id}/reagir", {"kind": "merci"})).status_code == 303
    again = await other_client.post(f"/journal/{entry_id}/reagir", {"kind": "merci"})
    assert again.status_code == 400 and "déjà donné cette réaction" in text_of(again.text)
    assert await JournalReaction.count() == 1
    assert (await other_client.post(f"/journal/{entry_id}/reagir", {"kind": "bravo"})).status_code == 400
    assert (await other_client.post(f"/journal/{entry_id}/commenter", {"body": "Même souci chez nous en 2025."})).status_code == 303
    assert (await other_client.post(f"/journal/{entry_id}/commenter", {"body": "   "})).status_code == 400
    team_page = text_of((await client.get(f"/journal/{entry_id}")).text)
    assert "Merci pour le partage (1)" in team_page and "Même souci chez nous en 2025." in team_page
    assert "1 collègue a lu cette entrée." in team_page  # the author's own reading does not count
    assert "ont lu cette entrée" not in text_of((await other_client.get(f"/journal/{entry_id}")).text)


async def test_nobody_edits_someone_elses_entry(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    before = await state(entry_id)
    await other_client.login("manager")  # same service, not the author
    assert (await other_client.get(f"/journal/{entry_id}/modifier")).status_code == 403
    response = await other_client.post(f"/journal/{entry_id}/modifier", {**ENTRY, "title": "Changé", "action": "draft"})
    assert response.status_code == 403
    assert (await other_client.post(f"/journal/{entry_id}/retirer", {"reason": "non"})).status_code == 403
    assert (await state(entry_id))["title"] == before["title"]


async def test_a_manager_may_make_an_entry_public(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    await other_client.login("manager")
    assert (await other_client.post(f"/journal/{entry_id}/public", {"public": "1"})).status_code == 303
    assert (await state(entry_id))["public"] is True
    await other_client.post("/deconnexion")
    await other_client.login("voirie")
    assert (await other_client.post(f"/journal/{entry_id}/public", {"public": "0"})).status_code == 403


async def test_edits_after_publication_keep_a_visible_history(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    response = await client.post(f"/journal/{entry_id}/modifier", {**ENTRY, "title": "Relances en double", "action": "draft"})
    assert response.status_code == 303
    page = text_of((await client.get(f"/journal/{entry_id}")).text)
    assert "Historique des modifications" in page and "« Relances envoyées deux fois »" in page
    assert (await client.get(f"/api/v1/journal/{entry_id}")).json()["revisions"] == 1


async def test_actions_with_due_dates_late_ones_are_visible(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    late = await client.post(f"/journal/{entry_id}/actions",
                             {"description": "Ajouter le contrôle de doublons", "owner_role": "Responsable applicatif",
                              "due_on": "2026-04-01"})
    assert late.status_code == 303
    before_event = await client.post(f"/journal/{entry_id}/actions",
                                     {"description": "x", "owner_role": "y", "due_on": "2026-01-01"})
    assert before_event.status_code == 400 and "Échéance : l'échéance précède la date de l'événement" in text_of(before_event.text)
    data = (await client.get(f"/api/v1/journal/{entry_id}")).json()
    assert [a["late"] for a in data["actions"]] == [dt.date.today() > dt.date(2026, 4, 1)]
    action_id = (await JournalEntry.raw("SELECT id FROM journal_action"))[0]["id"]
    assert (await client.post(f"/journal/{entry_id}/actions/{action_id}/fait")).status_code == 303
    assert (await client.get(f"/api/v1/journal/{entry_id}")).json()["actions"][0]["done_at"] is not None


BAD_ENTRIES = [
    ("empty title", {"title": ""}, "title", "Indiquez un titre."),
    ("empty what happened", {"what_happened": ""}, "what_happened", "Racontez ce qui s'est passé."),
    ("over-long field", {"what_we_learned": "x" * 5001}, "what_we_learned", "trop long"),
    ("unknown tag", {"tags": ["inconnue"]}, "tags", "étiquette inconnue"),
    ("unknown service", {"services": ["Service fantôme"]}, "services", "service inconnu"),
    ("bad date", {"happened_on": "20/03/2026"}, "happened_on", "date attendue"),
]


@pytest.mark.parametrize("change, field, message", [c[1:] for c in BAD_ENTRIES], ids=[c[0] for c in BAD_ENTRIES])
async def test_bad_entries_are_refused_with_the_field_named(client, accounts, tags, change, field, message):
    await client.login("agent")
    response = await client.post("/journal/nouvelle", {**ENTRY, **change, "action": "draft"})
    assert response.status_code == 400
    page = text_of(response.text)
    assert names_field(response.text, field) and message in page
    assert await JournalEntry.count() == 0


async def test_markdown_with_html_or_script_is_rendered_harmless(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client, what_happened="**grave** <script>alert(1)</script> <a href='javascript:x'>lien</a>")
    html = (await client.get(f"/journal/{entry_id}")).text
    assert "<strong>grave</strong>" in html and "<script" not in html.lower()
    assert not re.search(r"<a[^>]*href=['\"]?javascript", html, re.I)


async def test_feeds_are_atom_and_respect_visibility(client, other_client, accounts, tags):
    await client.login("agent")
    internal = await write(client, title="Interne seulement")
    public = await write(client, title="Pour les habitants", tags=["processus"])
    await client.post(f"/journal/{public}/public", {"public": "1"})
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((await client.get("/journal/flux.atom")).content)
    assert {e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")} == {"Interne seulement", "Pour les habitants"}
    by_tag = ET.fromstring((await client.get("/journal/flux.atom?tag=processus")).content)
    assert [e.findtext(f"{atom}title") for e in by_tag.iter(f"{atom}entry")] == ["Pour les habitants"]
    assert (await other_client.get("/journal/flux.atom")).status_code == 403
    response = await other_client.get("/journal/public.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    public_feed = ET.fromstring(response.content)
    assert [e.findtext(f"{atom}title") for e in public_feed.iter(f"{atom}entry")] == ["Pour les habitants"]
    assert public_feed.find(f"{atom}author/{atom}name") is not None and internal


async def test_recognition_on_the_home_page_and_entry_of_the_month(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    await other_client.login("comite")
    assert (await other_client.post(f"/journal/{entry_id}/entree-du-mois", {"month": "2026-11"})).status_code == 303
    page = text_of((await other_client.get("/")).text)
    assert "Entrée du mois (novembre 2026) — Relances envoyées deux fois" in page
    assert "Population et citoyenneté 1" in page
    await client.post("/deconnexion")
    await client.login("voirie")
    assert (await client.post(f"/journal/{entry_id}/entree-du-mois", {"month": "2026-11"})).status_code == 403


async def test_a_refuted_or_inconclusive_experiment_invites_an_entry_prefilled_from_its_learning(client, samples, accounts):
    slug, doc = next((s, d) for s, d in samples.items() if d.experiment.slug == "carte-lecteur-nouveaux-habitants")
    await client.login("admin")
    page = (await client.get(f"/experimentations/{slug}")).text
    assert f"/journal/nouvelle?experience={slug}&amp;iteration=1" in page
    form = (await client.get(f"/journal/nouvelle?experience={slug}&iteration=1")).text
    learning = doc.iterations[0].learning
    assert learning.we_learned[:50].replace("'", "&#39;") in form


async def test_journal_entries_of_the_file_format_load_and_export(samples):
    from tal.experiments import fileformat, services

    for slug, doc in samples.items():
        async with db.transaction(write=False):
            exported = await services.export(slug)
        assert exported.journal == doc.journal
        assert fileformat.parse(fileformat.dumps(exported)) == doc


async def test_a_colleague_asked_to_reread_sees_the_draft_which_stays_unpublished(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client, action="draft")
    await other_client.login("voirie")
    assert (await other_client.get(f"/journal/{entry_id}")).status_code == 404
    assert (await client.post(f"/journal/{entry_id}/relecture", {"reviewer": "voirie"})).status_code == 303
    assert (await other_client.get(f"/journal/{entry_id}")).status_code == 200
    assert "Relances envoyées deux fois" in text_of((await other_client.get("/journal")).text)
    assert (await state(entry_id))["state"] == "draft"  # a suggestion, not a gate
    assert (await client.post(f"/journal/{entry_id}/relecture", {"reviewer": "personne"})).status_code == 400
    # The author publishes without waiting for anyone.
    assert (await client.post(f"/journal/{entry_id}/publier")).status_code == 303


async def test_late_actions_are_listed_for_the_team(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    await client.post(f"/journal/{entry_id}/actions", {"description": "Contrôle des doublons", "owner_role": "DSI",
                                                       "due_on": "2026-03-25"})
    page = text_of((await client.get("/journal")).text)
    assert ("Contrôle des doublons (DSI)" in page) is (dt.date.today() > dt.date(2026, 3, 25))


async def test_the_feeds_validate_against_rfc_4287(client, accounts, tags):
    from test_journal_feeds import validate_atom

    await client.login("agent")
    entry_id = await write(client, title="Titre avec <balise> & « guillemets »")
    await client.post(f"/journal/{entry_id}/public", {"public": "1"})
    for url in ("/journal/flux.atom", "/journal/flux.atom?service=Population et citoyenneté", "/journal/public.atom",
                "/journal/public.atom?tag=outil"):
        validate_atom((await client.get(url)).content)


async def test_a_withdrawn_draft_stays_with_its_author_and_withdrawn_text_is_not_searchable(client, other_client, accounts, tags):
    await client.login("agent")
    draft_id = await write(client, action="draft", title="Brouillon abandonné")
    assert (await client.post(f"/journal/{draft_id}/retirer", {"reason": "Écrit par erreur"})).status_code == 303
    published = await write(client, title="Publiée puis retirée", what_happened="motsecret dans le texte")
    await client.post(f"/journal/{published}/public", {"public": "1"})
    await client.post(f"/journal/{published}/retirer", {"reason": "Données personnelles"})
    assert (await client.post(f"/journal/{published}/retirer", {"reason": "Encore"})).status_code in (400, 403)
    await other_client.login("voirie")
    assert (await other_client.get(f"/journal/{draft_id}")).status_code == 404
    titles = [i["title"] for i in (await other_client.get("/api/v1/journal")).json()["items"]]
    assert titles == ["Publiée puis retirée"]
    await other_client.post("/deconnexion")
    assert (await other_client.get("/api/v1/journal?q=motsecret")).json()["total"] == 0


async def test_publishing_a_draft_from_its_page_still_reviews_the_wording(client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client, action="draft", what_happened="C'est la faute de l'agent Dupont.")
    response = await client.post(f"/journal/{entry_id}/publier")
    assert response.status_code == 200 and "des phrases semblent désigner une personne" in text_of(response.text)
    assert (await state(entry_id))["state"] == "draft"


async def test_only_managers_of_the_entrys_service_make_it_public(client, other_client, accounts, tags):
    from tal.accounts.services import create_account

    async with db.transaction():
        await create_account("chefvoirie", "mot-de-passe-de-test", role="manager", service="Voirie et propreté")
    await client.login("agent")
    entry_id = await write(client)
    await other_client.login("chefvoirie")
    assert (await other_client.post(f"/journal/{entry_id}/public", {"public": "1"})).status_code == 403
    assert (await state(entry_id))["public"] is False


async def test_a_public_entry_does_not_name_an_internal_experiment(client, other_client, samples, accounts, tags):
    internal = next(s for s, d in samples.items() if d.experiment.visibility == "internal" and d.experiment.status != "draft")
    await client.login("agent")
    entry_id = await write(client, experiment=internal)
    await client.post(f"/journal/{entry_id}/public", {"public": "1"})
    assert (await client.get(f"/api/v1/journal/{entry_id}")).json()["experiment"] == internal
    data = (await other_client.get(f"/api/v1/journal/{entry_id}")).json()
    assert data["experiment"] is None
    assert samples[internal].experiment.title not in (await other_client.get(f"/journal/{entry_id}")).text


async def test_the_author_of_an_anonymous_entry_is_not_named_by_their_comments(client, other_client, accounts, tags):
    await client.login("agent")
    entry_id = await write(client)
    await client.post(f"/journal/{entry_id}/commenter", {"body": "Précision de l'auteur"})
    await other_client.login("voirie")
    page = text_of((await other_client.get(f"/journal/{entry_id}")).text)
    assert "L'auteur ou l'autrice de l'entrée" in page and "agent —" not in page


@pytest.mark.parametrize("url", ["/journal/3000000000", "/api/v1/journal/99999999999999999999"])
async def test_huge_ids_are_404_not_500(client, url):
    assert (await client.get(url)).status_code in (400, 404)


async def test_an_iteration_needs_its_experiment(client, accounts, tags):
    await client.login("agent")
    response = await client.post("/journal/nouvelle", {**ENTRY, "iteration": "3000000000", "action": "draft"})
    assert response.status_code == 400
    response = await client.post("/journal/nouvelle", {**ENTRY, "iteration": "2", "action": "draft"})
    assert response.status_code == 400 and "iteration : une itération se rapporte à une expérimentation" in text_of(response.text)


async def test_reloading_a_file_keeps_withdrawals_and_does_not_copy_entries_written_in_tal(client, samples, accounts):
    from tal.experiments import fileformat, services
    from tal.experiments.tables import Experiment

    slug = next(s for s, d in samples.items() if d.journal)
    await client.login("admin")
    file_entry = next(i for i in (await client.get(f"/api/v1/journal?experiment={slug}")).json()["items"])
    assert (await client.post(f"/journal/{file_entry['id']}/retirer", {"reason": "Retirée"})).status_code == 303
    async with db.transaction():
        await ensure_tags(["outil"])
    await write(client, experiment=slug, title="Écrite dans TAL")
    version = (await Experiment.select(Experiment.version).where(Experiment.slug == slug).first())["version"]
    async with db.transaction(write=False):
        exported = fileformat.parse(fileformat.dumps(await services.export(slug)))
    for doc in (samples[slug], exported, samples[slug]):
        async with db.transaction():
            await loader.load_documents([doc])
    after = (await Experiment.select(Experiment.version).where(Experiment.slug == slug).first())["version"]
    assert after == version
    assert (await state(file_entry["id"]))["state"] == "withdrawn"
    assert await JournalEntry.count().where(JournalEntry.title == "Écrite dans TAL") == 1


async def test_a_personal_feed_address_lets_a_feed_reader_follow_the_agents_feed(client, other_client, accounts, tags):
    await client.login("agent")
    await write(client, title="Pour les agents")
    page = (await client.post("/journal/jeton-flux")).text
    url = re.search(r'value="(http://testserver/journal/flux\.atom\?jeton=[^"]+)"', page).group(1)
    path = url.removeprefix("http://testserver")
    response = await other_client.get(path)  # no session: a feed reader
    assert response.status_code == 200 and "Pour les agents" in response.text
    assert (await other_client.get("/journal/flux.atom?jeton=faux")).status_code == 403
    await client.post("/journal/jeton-flux")  # a new address replaces the old one
    assert (await other_client.get(path)).status_code == 403


async def test_a_team_sees_how_many_colleagues_read_and_reacted(client, other_client, accounts, tags):
    await client.login("agent")
    first = await write(client)
    second = await write(client, title="Deuxième")
    await other_client.login("voirie")
    for entry_id in (first, second):
        await other_client.get(f"/journal/{entry_id}")
    await other_client.post(f"/journal/{first}/reagir", {"kind": "utile"})
    page = text_of((await client.get("/journal")).text)
    assert "Entrées publiées de votre équipe : 2 — collègues qui les ont lues : 1 — réactions reçues : 1." in page
