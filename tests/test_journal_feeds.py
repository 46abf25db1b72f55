"""The Atom feed writer, checked against the rules of RFC 4287 that readers rely on."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tal.journal.feeds import ATOM_NS, FeedEntry, atom_feed, rfc3339

A = "{" + ATOM_NS + "}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PARIS = ZoneInfo("Europe/Paris")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\Z")
IRI = re.compile(r"(?:tag:|urn:|https?://)\S+\Z")
TEXT_TYPES = {"text", "html", "xhtml"}


# --- The validator ---------------------------------------------------------------


def _exactly_one(parent: ET.Element, name: str, where: str) -> ET.Element:
    found = parent.findall(A + name)
    assert len(found) == 1, f"{where}: {len(found)} atom:{name}, exactly one expected"
    return found[0]


def _at_most_one(parent: ET.Element, name: str, where: str) -> ET.Element | None:
    found = parent.findall(A + name)
    assert len(found) <= 1, f"{where}: {len(found)} atom:{name}, at most one expected"
    return found[0] if found else None


def _date(element: ET.Element, where: str) -> datetime:
    value = element.text or ""
    assert RFC3339.match(value), f"{where}: {value!r} is not an RFC 3339 date with an offset"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.utcoffset() is not None
    return moment


def _text_construct(element: ET.Element, where: str) -> str:
    kind = element.get("type", "text")
    assert kind in TEXT_TYPES, f"{where}: type={kind!r}"
    if kind in {"text", "html"}:
        assert len(element) == 0, f"{where}: a {kind} construct has no child elements"
    return element.text or ""


def _person(element: ET.Element, where: str) -> None:
    name = _exactly_one(element, "name", where)
    assert (name.text or "").strip(), f"{where}: empty atom:name"
    _at_most_one(element, "uri", where)
    _at_most_one(element, "email", where)


def _links(parent: ET.Element, where: str) -> dict[str, list[ET.Element]]:
    by_rel: dict[str, list[ET.Element]] = {}
    for link in parent.findall(A + "link"):
        assert link.get("href"), f"{where}: atom:link without href"
        by_rel.setdefault(link.get("rel", "alternate"), []).append(link)
    alternates = [(link.get("type"), link.get("hreflang")) for link in by_rel.get("alternate", [])]
    assert len(alternates) == len(set(alternates)), f"{where}: two alternate links with the same type and hreflang"
    return by_rel


def validate_atom(document: bytes, *, lang: str | None = "fr") -> ET.Element:
    """Parse an Atom document and assert the RFC 4287 rules that matter; return the root."""
    assert document.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(document)  # raises if not well-formed
    assert root.tag == A + "feed", f"root is {root.tag}, not atom:feed"
    if lang is not None:
        assert root.get(XML_LANG) == lang
    for element in root.iter():
        assert element.tag.startswith(A), f"{element.tag} is outside the Atom namespace"

    feed_id = _exactly_one(root, "id", "feed").text or ""
    assert IRI.match(feed_id), f"feed id {feed_id!r} is not an absolute IRI"
    _text_construct(_exactly_one(root, "title", "feed"), "feed title")
    _date(_exactly_one(root, "updated", "feed"), "feed updated")
    subtitle = _at_most_one(root, "subtitle", "feed")
    if subtitle is not None:
        _text_construct(subtitle, "feed subtitle")
    _at_most_one(root, "generator", "feed")
    authors = root.findall(A + "author")
    assert authors, "the feed has no atom:author"
    for author in authors:
        _person(author, "feed author")
    links = _links(root, "feed")
    assert len(links.get("self", [])) == 1, "the feed needs one link rel=self"
    assert links.get("alternate"), "the feed needs a link rel=alternate"

    entry_ids: set[str] = set()
    for n, entry in enumerate(root.findall(A + "entry")):
        where = f"entry {n}"
        entry_id = _exactly_one(entry, "id", where).text or ""
        assert IRI.match(entry_id), f"{where}: id {entry_id!r} is not an absolute IRI"
        assert entry_id not in entry_ids, f"{where}: duplicate id {entry_id!r}"
        entry_ids.add(entry_id)
        _text_construct(_exactly_one(entry, "title", where), f"{where} title")
        _date(_exactly_one(entry, "updated", where), f"{where} updated")
        published = _at_most_one(entry, "published", where)
        if published is not None:
            _date(published, f"{where} published")
        for name in ("summary", "content", "rights", "source"):
            _at_most_one(entry, name, where)
        for name in ("summary", "content"):
            element = entry.find(A + name)
            if element is not None:
                _text_construct(element, f"{where} {name}")
        for author in entry.findall(A + "author"):
            _person(author, f"{where} author")
        for category in entry.findall(A + "category"):
            assert category.get("term"), f"{where}: atom:category without term"
        assert _links(entry, where).get("alternate"), f"{where}: no link rel=alternate"
    return root


# --- Fixtures --------------------------------------------------------------------

UPDATED = datetime(2024, 3, 4, 9, 30, tzinfo=PARIS)


def entry(n: int = 1, **changes) -> FeedEntry:
    values = dict(
        id=f"tag:tal.example.fr,2024:journal/{n}",
        title=f"Entrée {n}",
        url=f"https://tal.example.fr/journal/{n}",
        updated=datetime(2024, 3, n, 17, 5, 12, 123456, tzinfo=PARIS),
        published=datetime(2024, 3, n, 8, 0, tzinfo=timezone.utc),
        summary=f"Résumé {n}",
        content_html=f"<p>Contenu {n}</p>",
        categories=["accueil", "numérique"],
        author_name="Équipe TAL",
    )
    values.update(changes)
    return FeedEntry(**values)


def feed(entries: list[FeedEntry], **changes) -> bytes:
    values = dict(
        feed_id="tag:tal.example.fr,2024:journal",
        title="Erreurs et apprentissages",
        self_url="https://tal.example.fr/journal/flux.atom",
        alternate_url="https://tal.example.fr/journal",
        updated=UPDATED,
        entries=entries,
    )
    values.update(changes)
    return atom_feed(**values)


# --- Tests -----------------------------------------------------------------------


def test_a_feed_with_entries_is_valid_atom():
    root = validate_atom(feed([entry(1), entry(2)], subtitle="Ce que nous avons appris"))
    assert root.findtext(A + "id") == "tag:tal.example.fr,2024:journal"
    assert root.findtext(A + "title") == "Erreurs et apprentissages"
    assert root.findtext(A + "subtitle") == "Ce que nous avons appris"
    assert root.findtext(A + "updated") == "2024-03-04T09:30:00+01:00"
    assert root.findtext(f"{A}author/{A}name") == "Équipe TAL"
    links = {link.get("rel"): link for link in root.findall(A + "link")}
    assert links["self"].get("href") == "https://tal.example.fr/journal/flux.atom"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "https://tal.example.fr/journal"
    first, second = root.findall(A + "entry")
    assert first.findtext(A + "id") == "tag:tal.example.fr,2024:journal/1"
    assert first.find(A + "link").get("href") == "https://tal.example.fr/journal/1"
    assert first.find(A + "link").get("rel") == "alternate"
    assert first.findtext(A + "updated") == "2024-03-01T17:05:12+01:00"  # no microseconds
    assert first.findtext(A + "published") == "2024-03-01T08:00:00Z"
    assert [c.get("term") for c in first.findall(A + "category")] == ["accueil", "numérique"]
    assert first.findtext(A + "summary") == "Résumé 1"
    content = first.find(A + "content")
    assert content.get("type") == "html" and content.text == "<p>Contenu 1</p>"
    assert second.findtext(A + "title") == "Entrée 2"


def test_an_empty_feed_is_valid():
    root = validate_atom(feed([]))
    assert root.findall(A + "entry") == []
    assert root.find(A + "author") is not None  # the feed author is always there


def test_feed_author_is_always_present_and_configurable():
    root = validate_atom(feed([entry()], author_name="Ville de Lyon — service accueil"))
    assert root.findtext(f"{A}author/{A}name") == "Ville de Lyon — service accueil"
    root = validate_atom(feed([entry()], author_name="   "))
    assert root.findtext(f"{A}author/{A}name") == "Équipe TAL"


def test_language():
    assert validate_atom(feed([entry()], lang="en"), lang="en").get(XML_LANG) == "en"


def test_optional_parts_are_left_out():
    root = validate_atom(feed([entry(published=None, summary="", content_html=None, categories=[])]))
    [only] = root.findall(A + "entry")
    for name in ("published", "summary", "content", "category"):
        assert only.find(A + name) is None
    assert root.find(A + "subtitle") is None


def test_titles_and_summaries_are_escaped():
    title = 'Le <script>alert("x")</script> & l\'« import »'
    summary = "Montant < 0 & > 10 000 € ; \"guillemets\" et 'apostrophes'"
    url = 'https://tal.example.fr/journal/1?a=1&b="2"<3>'
    document = feed([entry(title=title, summary=summary, url=url, categories=['a"b<c>&d'])], title=title)
    assert b"<script>" not in document
    assert b"&lt;script&gt;" in document
    assert b"&amp; l'" in document
    root = validate_atom(document)
    assert root.findtext(A + "title") == title
    [only] = root.findall(A + "entry")
    assert only.findtext(A + "title") == title
    assert only.findtext(A + "summary") == summary
    assert only.find(A + "link").get("href") == url
    assert only.find(A + "category").get("term") == 'a"b<c>&d'
    assert b"&quot;" in document  # quotes in attribute values


def test_content_is_escaped_html():
    html = '<p>Un <strong>test</strong> &amp; <a href="https://exemple.fr/?a=1&amp;b=2">lien</a></p>'
    document = feed([entry(content_html=html)])
    assert b"<p>Un <strong>" not in document
    content = validate_atom(document).find(f"{A}entry/{A}content")
    assert content.get("type") == "html"
    assert content.text == html  # the reader unescapes once and gets the HTML back


def test_non_ascii_is_kept_as_utf8():
    title = "Été : l'accueil n'a pas reçu les dossiers — leçon apprise ✓"
    document = feed([entry(title=title, summary="Œuvre, naïveté, façade")])
    assert title.encode("utf-8") in document
    assert "Œuvre, naïveté, façade".encode("utf-8") in document
    assert b"&#" not in document  # no numeric character references
    assert validate_atom(document).findtext(f"{A}entry/{A}title") == title


def test_characters_xml_forbids_are_dropped():
    document = feed([entry(title="Bip\x07 et \x00nul\x1b", summary="tab\tok\nligne")])
    only = validate_atom(document).find(A + "entry")
    assert only.findtext(A + "title") == "Bip et nul"
    assert only.findtext(A + "summary") == "tab\tok\nligne"


def test_rfc3339_dates():
    assert rfc3339(datetime(2024, 7, 1, 12, 0, tzinfo=PARIS)) == "2024-07-01T12:00:00+02:00"
    assert rfc3339(datetime(2024, 1, 1, 12, 0, tzinfo=PARIS)) == "2024-01-01T12:00:00+01:00"
    assert rfc3339(datetime(2024, 1, 1, 12, 0, 0, 999, tzinfo=timezone.utc)) == "2024-01-01T12:00:00Z"
    assert rfc3339(datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))) == (
        "2024-01-01T00:00:00-03:30"
    )
    # An offset with seconds (local mean time of old zones) is not RFC 3339: written in UTC.
    odd = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(minutes=9, seconds=21)))
    assert rfc3339(odd) == "2024-01-01T11:50:39Z"
    for value in ("2024-07-01T12:00:00+02:00", "2024-01-01T12:00:00Z"):
        assert RFC3339.match(value)


def test_naive_dates_are_refused():
    with pytest.raises(ValueError):
        feed([], updated=datetime(2024, 3, 1, 9, 0))
    with pytest.raises(ValueError):
        feed([entry(updated=datetime(2024, 3, 1, 9, 0))])
    with pytest.raises(ValueError):
        feed([entry(published=datetime(2024, 3, 1, 9, 0))])


@pytest.mark.parametrize("bad_id", ["", "journal/1", "/journal/1", "12", "https://exemple.fr/a b"])
def test_ids_must_be_absolute_iris(bad_id):
    with pytest.raises(ValueError):
        feed([], feed_id=bad_id)
    with pytest.raises(ValueError):
        feed([entry(id=bad_id)])


def test_https_ids_are_accepted():
    root = validate_atom(feed([entry(id="https://tal.example.fr/journal/1")], feed_id="https://tal.example.fr/"))
    assert root.findtext(f"{A}entry/{A}id") == "https://tal.example.fr/journal/1"


def test_duplicate_entry_ids_are_refused():
    with pytest.raises(ValueError):
        feed([entry(1), entry(2, id=entry(1).id)])


def test_duplicate_categories_are_written_once():
    root = validate_atom(feed([entry(categories=["accueil", " accueil ", "", "numérique"])]))
    assert [c.get("term") for c in root.findall(f"{A}entry/{A}category")] == ["accueil", "numérique"]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (b"<feed xmlns='http://www.w3.org/2005/Atom' xml:lang='fr'/>", "atom:id"),
        (b"<feed xml:lang='fr'><id>tag:x,2024:y</id></feed>", "root"),
        (
            b"<feed xmlns='http://www.w3.org/2005/Atom' xml:lang='fr'><id>tag:x,2024:y</id><title>t</title>"
            b"<updated>2024-03-01T10:00:00</updated></feed>",
            "RFC 3339",
        ),
        (
            b"<feed xmlns='http://www.w3.org/2005/Atom' xml:lang='fr'><id>tag:x,2024:y</id><title>t</title>"
            b"<updated>2024-03-01T10:00:00Z</updated><link rel='self' href='https://x/f'/>"
            b"<link rel='alternate' href='https://x/'/></feed>",
            "atom:author",
        ),
        (
            b"<feed xmlns='http://www.w3.org/2005/Atom' xml:lang='fr'><id>tag:x,2024:y</id><title>t</title>"
            b"<updated>2024-03-01T10:00:00Z</updated><author><name>A</name></author>"
            b"<link rel='self' href='https://x/f'/><link rel='alternate' href='https://x/'/>"
            b"<entry><id>tag:x,2024:1</id><title>e</title><updated>2024-03-01T10:00:00Z</updated></entry></feed>",
            "rel=alternate",
        ),
    ],
)
def test_the_validator_rejects_broken_feeds(broken, message):
    with pytest.raises(AssertionError, match=message):
        validate_atom(b'<?xml version="1.0" encoding="utf-8"?>\n' + broken)
