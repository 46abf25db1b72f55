"""French typography: a narrow no-break space (U+202F) before « : ; ! ? » in every French
message of the catalogue and in the text the templates write around them (issue 12).
URLs, query strings, code between backticks, HTTP headers and English titles are left
alone."""

from __future__ import annotations

import re

from conftest import ROOT
from tal import i18n

NNBSP = "\u202f"
# A plain space, a no-break space or nothing between a word (or a closing mark) and the sign,
# the sign ending its phrase (followed by a space, a closing mark, punctuation or the end).
BAD = re.compile(r"(?:(?<=[\w»)\]%…\"']) |\u00a0|(?<=[A-Za-zÀ-ÿ»)\]…]))[:;!?](?=[\s»)<,.]|$)")
# Not French text: HTTP syntax and an English reference title quoted in a French message.
ALLOWED = ("Authorization: Bearer", "Well-Being Index: A Systematic")


def french_faults(text: str) -> list[str]:
    faults = []
    for match in BAD.finditer(text):
        before = text[:match.start()]
        if re.search(r"https?://\S*$|[/=?&]\S*$", before) or before.count("`") % 2:
            continue  # inside an address, a query string or code
        around = text[max(0, match.start() - 30):match.end() + 30]
        if any(allowed in around for allowed in ALLOWED):
            continue
        faults.append(around)
    return faults


def test_the_rule_catches_what_it_should_and_only_that():
    assert french_faults("Raison : un oubli") and french_faults("Attention: ceci") and french_faults("vrai ?")
    assert french_faults("« un » ; « deux »") and french_faults("niveau\u00a0: 3")
    assert not french_faults(f"Raison{NNBSP}: un oubli") and not french_faults(f"vrai{NNBSP}?")
    assert not french_faults("à 09:30") and not french_faults("voir https://exemple.fr/a:b?c=d")
    assert not french_faults("`tal evaluate x --format json`: la sortie") and not french_faults("/journal?tag=x")
    assert not french_faults("%(p)s") and not french_faults("(+01:00)")


def test_french_messages_use_a_narrow_no_break_space_before_high_punctuation():
    faults = {}
    for message in i18n.extract():
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            if text and (found := french_faults(text)):
                faults[f"{message.locations[0][0]}:{message.locations[0][1]}"] = found[0]
    assert faults == {}, f"{len(faults)} messages : {list(faults.items())[:5]}"


def test_templates_put_the_french_space_around_their_messages_too():
    faults = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            # text between tags or expressions: « {{ _("Raison") }} : » should be « {{ colon }} »
            if re.search(r"(\}\}|%\}|>|\w) ?[:;!?](?=\s|<)", re.sub(r"\{\{.*?\}\}|\{%.*?%\}|<[^>]*>", "}}", re.sub(r"\{#.*?#\}", "", line))):
                faults.append(f"{path.relative_to(ROOT)}:{number}")
    assert faults == [], faults


async def test_pages_say_colon_the_french_way_in_french_and_the_english_way_in_english(client, samples, accounts):
    await client.login("agent")
    page = (await client.get("/experimentations/rappel-sms-etat-civil")).text
    assert f"Très insatisfait{NNBSP}: 18" in page and "Très insatisfait : 18" not in page
    await client.post("/langue", {"lang": "en"})
    page = (await client.get("/experimentations/rappel-sms-etat-civil")).text
    assert "Très insatisfait: 18" in page and f"Très insatisfait{NNBSP}:" not in page
