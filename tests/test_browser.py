"""The browser suite: a real Chromium, driven by Selenium, visits every page and
form state of tests/browser_pages.py as each role, in French and in English, at
1366 px and at 390 px (and 320 px as the agent), and checks what a reviewer checks by hand:

- 0 axe-core violations (WCAG 2.0/2.1 A and AA);
- no page scrolls sideways (WCAG 1.4.10), at any of these widths;
- the text of charts is at least 12 px at the rendered size;
- the first three tabbable elements show a visible focus;
- in English, no French message of the catalogue is left on the page (text marked
  lang="fr", user content, excepted).

The server is `tal serve --demo` in a subprocess on a free port, with its own SQLite
database; one browser serves the whole session. Without a browser the suite is
skipped with a message, except in CI (CI set), where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from browser_pages import PAGES, ROLES, VISITOR, Page

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1366, 390)
NARROWEST = 320  # also checked for sideways scrolling, as the agent (who visits every page)
HEIGHT = 900
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_CHART_TEXT_PX = 12
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _browser_paths() -> tuple[str | None, str | None]:
    chromium = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser")) if p), None)
    return chromium, shutil.which("chromedriver")


def _skip_or_fail(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser suite: {reason} (CI is set: .ci/run installs chromium and chromium-driver)")
    pytest.skip(f"browser suite skipped: {reason} (apt-get install chromium chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- server and browser


@pytest.fixture(scope="session")
def server():
    """`tal serve --demo` on a free port, with a fresh SQLite database; yields
    (base URL, {username: password})."""
    folder = Path(tempfile.mkdtemp(prefix="tal-browser-"))
    port = _free_port()
    env = {**os.environ, "TAL_DATA_DIR": str(folder), "TAL_DATABASE_URL": f"sqlite:///{folder / 'tal.sqlite'}",
           "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("TAL_TEST_DATABASE_URL", None)
    command = [sys.executable, "-c", "import sys; from tal.cli import main; sys.exit(main())",
               "serve", "--demo", "--port", str(port)]
    log = (folder / "server.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server stopped: {log.read()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/sante", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not start within 120 s")
            time.sleep(0.2)
        log.seek(0)
        passwords = dict(re.findall(r"^\s+(\w+)\s+rôle \w+\s+mot de passe : (\S+)$", log.read(), re.M))
        yield base, passwords
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    chromium, chromedriver = _browser_paths()
    if not chromium or not chromedriver:
        _skip_or_fail("no chromium or chromedriver found")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _skip_or_fail("selenium is not installed (pip install -e '.[test]')")
    profile = tempfile.mkdtemp(prefix="tal-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}", f"--window-size={WIDTHS[0]},{HEIGHT}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------- what a page is checked for

AXE_SOURCE: str | None = None


def _axe_source() -> str:
    """axe-core as the axe-core-python package ships it (4.4: WCAG 2.1 rules; the
    axe-selenium-python releases for Python 3.11 ship axe-core 3.1, without them)."""
    global AXE_SOURCE
    if AXE_SOURCE is None:
        import axe_core_python

        AXE_SOURCE = (Path(axe_core_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    return AXE_SOURCE


def axe_violations(driver) -> list[str]:
    driver.execute_script(_axe_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — '"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').slice(0, 160)).join(' | '))))"
        ".catch(e => done(['axe error: ' + e]));",
        AXE_TAGS,
    )
    return list(result)


LAYOUT_SCRIPT = """
const doc = document.documentElement, width = doc.clientWidth;
const wide = [];
if (doc.scrollWidth > width + 1) {
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      let scrolls = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { scrolls = true; break; }
      }
      if (!scrolls) wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.right) + 'px');
    }
    if (wide.length >= 4) break;
  }
}
const small = [];
for (const t of document.querySelectorAll('svg text')) {
  const m = t.getScreenCTM();
  if (!m || !t.textContent.trim()) continue;
  const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  if (size < arguments[0] - 0.05) small.push(t.textContent.trim().slice(0, 30) + ' ' + size.toFixed(1) + 'px');
}
return {scrollWidth: doc.scrollWidth, width: width, wide: wide, small: small.slice(0, 5), smallCount: small.length};
"""

FOCUS_SCRIPT = """
const el = document.activeElement;
if (!el || el === document.body) return 'nothing focused';
const s = getComputedStyle(el), r = el.getBoundingClientRect();
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
const ring = s.boxShadow && s.boxShadow !== 'none';
const inView = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth;
const name = el.tagName.toLowerCase() + ' ' + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 30);
return (outline || ring) && inView ? '' : 'no visible focus on ' + name;
"""

TEXT_SCRIPT = """
const lang = document.documentElement.lang;
const clone = document.body.cloneNode(true);
clone.querySelectorAll('script, style').forEach(e => e.remove());
clone.querySelectorAll('[lang]').forEach(e => { if (e.getAttribute('lang') !== lang) e.remove(); });
const attributes = [...clone.querySelectorAll('[aria-label], [title], [placeholder], [alt]')].map(
  e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) || '').join(' '));
return [document.title, clone.textContent, ...attributes].join(' ');
"""


def _french_messages() -> list[str]:
    """Fragments of French catalogue messages that differ in English (long enough not
    to be a word of user content)."""
    from babel.messages.pofile import read_po

    from tal import i18n

    with i18n.catalogue_path("en").open("rb") as f:
        english = read_po(f, locale="en")
    fragments = set()
    for message in english:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        if _normal(message.id) == _normal(message.string):
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", message.id):
            part = _normal(part).strip(" :;,.«»")
            if len(part) >= 18 and part.count(" ") >= 2 and part not in _normal(message.string):
                fragments.add(part)
    return sorted(fragments)


def _normal(text: str) -> str:
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


FRENCH: list[str] | None = None


def untranslated(driver) -> list[str]:
    global FRENCH
    if FRENCH is None:
        FRENCH = _french_messages()
    text = _normal(driver.execute_script(TEXT_SCRIPT))
    return [fragment for fragment in FRENCH if fragment in text][:5]


# ---------------------------------------------------------------- visiting


def _sample_slugs() -> list[str]:
    slugs = []
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        with path.open("rb") as f:
            slugs.append(tomllib.load(f)["experiment"]["slug"])
    return slugs


def _discover(driver, base: str) -> dict[str, list[str]]:
    """Placeholder values, from the links of the listing pages (as the agent)."""
    found = {"slug": _sample_slugs()}
    for key, listing, pattern in [("entry", "/journal", r"/journal/(\d+)$"),
                                  ("campaign", "/barometre", r"/barometre/(\d+)$"),
                                  ("intervention", "/interventions", r"/interventions/([a-z0-9-]+)$")]:
        driver.get(base + listing)
        hrefs = driver.execute_script("return [...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))")
        values = []
        for href in hrefs:
            match = re.search(pattern, href.split("?")[0])
            if match and match.group(1) not in values:
                values.append(match.group(1))
        found[key] = values[:1]
    return found


def _expand(page: Page, values: dict[str, list[str]]) -> list[str]:
    keys = re.findall(r"\{(\w+)\}", page.path)
    if not keys:
        return [page.path]
    key = keys[0]
    return [page.path.replace("{" + key + "}", value) for value in values.get(key, [])]


def _set_width(driver, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": width < 800})


def _sign_in(driver, base: str, role: str, passwords: dict[str, str], lang: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/sante")
    driver.add_cookie({"name": "lang", "value": lang, "path": "/"})
    if role == VISITOR:
        return
    driver.get(base + "/connexion")
    driver.find_element(By.NAME, "username").send_keys(role)
    driver.find_element(By.NAME, "password").send_keys(passwords[role])
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    deadline = time.monotonic() + 20
    while "/connexion" in driver.current_url and not driver.find_elements(By.CSS_SELECTOR, ".alert-error"):
        assert time.monotonic() < deadline, f"no answer to signing in as {role}"
        time.sleep(0.05)
    assert "/connexion" not in driver.current_url, f"could not sign in as {role}"


def _show(driver, base: str, page: Page, path: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + path)
    if page.submit:
        for name, text in page.fill.items():
            field = driver.find_element(By.CSS_SELECTOR, f"{page.submit} [name='{name}']")
            field.clear()
            field.send_keys(text)
        form = driver.find_element(By.CSS_SELECTOR, page.submit)
        driver.execute_script("arguments[0].noValidate = true; arguments[0].requestSubmit();", form)
        deadline = time.monotonic() + 10
        while driver.execute_script("return document.readyState") != "complete" or driver.current_url == base + path and \
                not driver.find_elements(By.CSS_SELECTOR, ".alert-error, .field-error"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)


def _check(driver, lang: str, width: int) -> list[str]:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    problems = []
    layout = driver.execute_script(LAYOUT_SCRIPT, MIN_CHART_TEXT_PX)
    if layout["scrollWidth"] > layout["width"] + 1:
        problems.append(f"scrolls sideways: {layout['scrollWidth']} px for {layout['width']} ({', '.join(layout['wide'])})")
    if layout["small"]:
        problems.append(f"{layout['smallCount']} chart texts under {MIN_CHART_TEXT_PX} px: {layout['small']}")
    if width == WIDTHS[0]:
        problems += [f"axe {v}" for v in axe_violations(driver)]
        driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();")
        for _ in range(3):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            if problem := driver.execute_script(FOCUS_SCRIPT):
                problems.append(problem)
                break
        if lang == "en":
            problems += [f"untranslated: « {text} »" for text in untranslated(driver)]
    return problems


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_a_real_browser(server, browser, role, lang):
    base, passwords = server
    _set_width(browser, WIDTHS[0])
    _sign_in(browser, base, "agent", passwords, lang)
    values = _discover(browser, base)
    _sign_in(browser, base, role, passwords, lang)
    problems = []
    visited = 0
    for page in PAGES:
        if role not in page.roles:
            continue
        for path in _expand(page, values):
            for width in WIDTHS + ((NARROWEST,) if role == "agent" else ()):
                _set_width(browser, width)
                _show(browser, base, page, path)
                visited += 1
                where = f"{path}{' (sent)' if page.submit else ''} at {width} px"
                problems += [f"{where}: {p}" for p in _check(browser, lang, width)]
    _set_width(browser, WIDTHS[0])
    assert visited > 0
    assert problems == [], f"{len(problems)} problems as {role} in {lang}:\n" + "\n".join(problems)
