"""Long sections of the experiment page fold (<details>), open when short or important,
and print expanded; wide tables scroll in a focusable, named region (issue 12)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT

# section id -> how many items it may hold and still be open by default (None: always open)
SECTIONS = {"iterations": None, "amendments": 3, "journal": 2, "history": 6}


def section(page: str, name: str) -> str | None:
    match = re.search(rf'<section aria-labelledby="{name}-title">(.*?)</section>\s*(?:{{%|<section|<p class="twins")',
                      page, re.S)
    return match.group(1) if match else None


def items(body: str, name: str) -> int:
    if name == "iterations":
        return body.count('<article class="card iteration"')
    if name == "journal":
        return body.count('<article class="card">')
    timeline = body.split('<ol class="timeline">', 1)[1]
    return len(re.findall(r"^\s*<li[ >]", timeline, re.M))


@pytest.mark.parametrize("slug", ["rappel-sms-etat-civil", "extinction-eclairage-coeur-de-nuit",
                                  "relance-factures-cantine"])
async def test_long_sections_fold_and_stay_open_when_short_or_important(client, samples, accounts, slug):
    await client.login("agent")
    page = (await client.get(f"/experimentations/{slug}")).text
    seen = 0
    for name, limit in SECTIONS.items():
        body = section(page, name)
        if body is None:
            continue
        seen += 1
        details = re.search(r'<details class="section-details"( open)?>\s*<summary>([^<]+)</summary>', body)
        assert details, name
        count = items(body, name)
        assert re.match(rf"{count} \w+", details.group(2).strip()), (name, details.group(2))  # « 4 événements »
        assert bool(details.group(1)) == (limit is None or count <= limit), (name, count)
    assert seen >= 2
    # Printing expands them: the page loads the script that opens them before printing.
    assert re.search(r'<script src="/static/print\.js\?v=\w+" defer></script>', page)
    script = (await client.get("/static/print.js")).text
    assert "beforeprint" in script and "afterprint" in script


class Regions(HTMLParser):
    """Every table, and the scroll region around it if any."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict] = []
        self.tables: list[dict] = []
        self.caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self.stack.append(attrs)
        elif tag == "table":
            region = self.stack[-1] if self.stack and "table-scroll" in (self.stack[-1].get("class") or "") else None
            self.tables.append({"region": region, "caption": "", "columns": 0})
        elif tag == "caption":
            self.caption = []
        elif tag == "th" and attrs.get("scope") == "col" and self.tables:
            self.tables[-1]["columns"] += 1

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()
        elif tag == "caption" and self.caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self.caption).split())
            self.caption = None

    def handle_data(self, data):
        if self.caption is not None:
            self.caption.append(data)


@pytest.mark.parametrize("url, user", [("/experimentations", None), ("/experimentations/rappel-sms-etat-civil", "agent"),
                                       ("/admin/journal-audit", "admin"), ("/donnees", None)])
async def test_wide_tables_scroll_in_a_focusable_region_named_by_their_caption(client, samples, accounts, url, user):
    if user:
        await client.login(user)
    response = await client.get(url)
    assert response.status_code == 200, url
    parser = Regions()
    parser.feed(response.text)
    wide = [t for t in parser.tables if t["columns"] >= 4]
    assert wide, url
    for table in wide:
        region = table["region"]
        assert region is not None, (url, table["caption"])
        assert region.get("tabindex") == "0" and region.get("role") == "region"
        assert region.get("aria-label") and table["caption"].startswith(region["aria-label"]), (region, table)
    css = (ROOT / "tal" / "static" / "tal.css").read_text()
    assert re.search(r"\.table-scroll \{[^}]*overflow-x: auto", css)
