"""Atom 1.0 feeds (RFC 4287) of published journal entries, with the standard library.

The public never sees who wrote an entry: callers pass a generic author such as the
service's name or « Équipe TAL ». RFC 4287 wants an author on the feed or on every
entry; the feed always carries one (``author_name``), and each entry its own.

Identifiers are chosen by the caller and must be absolute IRIs (``tag:`` URIs or
``https:`` URLs): they are permanent, so they must not be built from anything that
may change. Dates must be timezone-aware; they are written in RFC 3339. Entry
content is written as ``type="html"``, escaped: the caller passes HTML that has
already been sanitised (``tal.core.markdown.render``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

__all__ = ["ATOM_NS", "FeedEntry", "atom_feed", "rfc3339"]

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_AUTHOR = "Équipe TAL"

# Characters XML 1.0 does not allow, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ID_SCHEMES = re.compile(r"(?:tag:|urn:|https?://)\S+\Z", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    title: str
    url: str
    updated: datetime
    published: datetime | None
    summary: str
    content_html: str | None
    categories: list[str] = field(default_factory=list)
    author_name: str = DEFAULT_AUTHOR


def rfc3339(moment: datetime) -> str:
    """``2024-03-01T09:30:00+01:00``; UTC is written ``Z``. Naive datetimes are refused."""
    offset = moment.utcoffset() if moment.tzinfo is not None else None
    if offset is None:
        raise ValueError(f"datetime without a timezone: {moment!r}")
    if offset % timedelta(minutes=1):
        # RFC 3339 offsets are whole minutes (historical zones may have seconds).
        moment, offset = moment.astimezone(timezone.utc), timedelta(0)
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if offset == timedelta(0) else text


def _text(value: str) -> str:
    return _INVALID_XML.sub("", value)


def _iri(value: str, what: str) -> str:
    value = value.strip()
    if not _ID_SCHEMES.match(value):
        raise ValueError(f"{what} must be an absolute tag:, urn: or http(s): IRI, got {value!r}")
    return _text(value)


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _author(parent: ET.Element, name: str) -> None:
    _child(_child(parent, "author"), "name", name.strip() or DEFAULT_AUTHOR)


def atom_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    updated: datetime,
    entries: Sequence[FeedEntry],
    lang: str = "fr",
    subtitle: str | None = None,
    author_name: str = DEFAULT_AUTHOR,
) -> bytes:
    """The Atom document, UTF-8 encoded, with an XML declaration."""
    root = ET.Element("feed", {"xmlns": ATOM_NS, _XML_LANG: lang})
    _child(root, "id", _iri(feed_id, "feed_id"))
    _child(root, "title", title, type="text")
    if subtitle:
        _child(root, "subtitle", subtitle, type="text")
    _child(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _child(root, "link", rel="alternate", type="text/html", href=alternate_url)
    _child(root, "updated", rfc3339(updated))
    _author(root, author_name)
    _child(root, "generator", "TAL")

    seen: set[str] = set()
    for entry in entries:
        entry_id = _iri(entry.id, "entry id")
        if entry_id in seen:
            raise ValueError(f"two entries share the id {entry_id!r}")
        seen.add(entry_id)
        element = _child(root, "entry")
        _child(element, "id", entry_id)
        _child(element, "title", entry.title, type="text")
        _child(element, "link", rel="alternate", type="text/html", href=entry.url)
        _child(element, "updated", rfc3339(entry.updated))
        if entry.published is not None:
            _child(element, "published", rfc3339(entry.published))
        _author(element, entry.author_name)
        for term in dict.fromkeys(c.strip() for c in entry.categories):
            if term:
                _child(element, "category", term=term)
        if entry.summary:
            _child(element, "summary", entry.summary, type="text")
        if entry.content_html:
            _child(element, "content", entry.content_html, type="html")

    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")
