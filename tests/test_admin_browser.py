"""The admin pages in a real browser: Debian's Chromium driven by Selenium signs in, opens each page, sees the charts
drawn, marks a message handled, and leaves screenshots in pytest's temporary folders (the last three runs are kept)."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from service.simulator import PhoneCall, TextThread, TwilioClient, audio_texts
from tests.conftest import TOKEN, make_app
from tests.test_admin import HASH, PASSWORD
from tests.test_voice import key_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
try:
    import selenium  # noqa: F401

    MISSING = "" if CHROMIUM and DRIVER else "Chromium or ChromeDriver is not installed (apt-get install chromium chromium-driver)"
except ImportError:
    MISSING = "selenium is not installed (pip install -r requirements.txt)"

if MISSING and os.environ.get("CI"):
    # In CI the browser must really run: .ci/run installs it, so its absence is a failure, not a skip.
    pytest.fail(f"the browser test cannot run in CI: {MISSING}", pytrace=False)
pytestmark = pytest.mark.skipif(bool(MISSING), reason=MISSING)


def _serving(app: Flask) -> Iterator[tuple[Flask, str]]:
    """The app on a real port of its own for as long as the test runs: the app and its address."""
    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The line on a real port, with a call, texts, a question not understood and a message left."""
    app = make_app(tmp_path, ADMIN_PASSWORD_HASH=HASH, DEV_MODE=False, TWILIO_ACCOUNT_SID="AC" + "1" * 32)
    line = app.extensions["line"]
    twilio = TwilioClient(app.test_client(), TOKEN)
    call = PhoneCall(twilio, audio_texts(line))
    call.start()
    for key in key_path(line.content, "polyneuropathy"):
        call.press(key)
    texter = TextThread(twilio)
    texter.send("is it contagious")
    texter.send("asdfghjkl")
    line.store.record_unmatched("sms", "en", "can i drink alcohol")
    line.store.record_message("CA9", "***23", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE9", 25,
                              recording_sid="RE" + "9" * 32, callback="+15555550123", lang="es")
    texter.send("I want to kill myself")  # crisis words: the line answers with 988, and the overview lists it
    line.store.flush()
    yield from _serving(app)


@pytest.fixture(scope="module")
def browser_process() -> Iterator[object]:
    """One Chromium for the module's tests (each starts clean: see chrome)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    profile = tempfile.mkdtemp(prefix="admin-browser-")
    # Flags that keep a headless Chromium off the network it cannot reach here (and out of a root sandbox it cannot use).
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER or ""))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def chrome(browser_process: object) -> Iterator[object]:
    """The module's Chromium with no cookies and the window size it started with (each test's line has its own port,
    so its own storage, but cookies are the host's)."""
    driver = browser_process
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})  # type: ignore[attr-defined]  # every host's, not one page's
    driver.set_window_size(1280, 1600)  # type: ignore[attr-defined]
    yield driver
    # This line's kept drafts go with it (a later test's line may get the same port, so the same storage).
    driver.execute_script("try { localStorage.clear(); } catch (e) {}")  # type: ignore[attr-defined]
    driver.get("about:blank")  # type: ignore[attr-defined]


def settled(driver: object, ready: object, seconds: float = 10) -> None:
    """Wait until the page a click opened shows what it should (an element of the page before is stale meanwhile)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(ready)


def test_an_admin_signs_in_and_sees_every_page_in_a_real_browser(served: tuple[Flask, str], chrome: object,
                                                                 tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    app, base = served
    driver = chrome
    shots = tmp_path
    driver.get(f"{base}/admin/")  # type: ignore[attr-defined]
    assert "/admin/sign-in" in driver.current_url  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "name").send_keys("Maria")  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Overview"))
    assert driver.find_element(By.ID, "total-calls").text == "1"  # type: ignore[attr-defined]
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")  # type: ignore[attr-defined]
    assert len(charts) >= 4
    for chart in charts:
        # Drawn, with data: a real size on screen and filled bars inside.
        assert chart.size["width"] > 200 and chart.size["height"] > 50
        filled = chart.find_elements(By.CSS_SELECTOR, "path[style*='fill: #1f5f99']")
        assert filled and any(bar.size["width"] > 0 and bar.size["height"] > 0 for bar in filled)
    safety = driver.find_element(By.ID, "safety")  # type: ignore[attr-defined]
    assert "does not monitor these in real time" in safety.text
    row = safety.find_element(By.CSS_SELECTOR, "tbody tr").text
    assert "text" in row and "English" in row and "crisis: 988 and 911" in row and "kill myself" in row
    driver.save_screenshot(str(shots / "overview.png"))  # type: ignore[attr-defined]

    driver.find_element(By.LINK_TEXT, "Not understood").click()  # type: ignore[attr-defined]
    group = driver.find_element(By.ID, "group-1")  # type: ignore[attr-defined]
    assert "can i drink alcohol" in group.text
    assert group.find_element(By.CSS_SELECTOR, "pre.paste").get_attribute("textContent").strip() == '- "can i drink alcohol"'
    assert len(group.find_elements(By.CSS_SELECTOR, "table.nearest tbody tr a.add-example")) == 3
    assert "asdfghjkl" not in driver.find_element(By.TAG_NAME, "main").text.split("Junk")[0]  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "unmatched.png"))  # type: ignore[attr-defined]

    driver.find_element(By.PARTIAL_LINK_TEXT, "Messages").click()  # type: ignore[attr-defined]
    message = driver.find_element(By.CSS_SELECTOR, "article.message")  # type: ignore[attr-defined]
    assert message.find_element(By.CSS_SELECTOR, "a.callback").text == "+15555550123"
    player = message.find_element(By.TAG_NAME, "audio")
    assert player.get_attribute("src").endswith("/admin/messages/1/recording") and player.get_attribute("preload") == "none"
    assert "Español" in message.text and "(just now)" in message.text and "Times are in UTC" in driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    message.find_element(By.NAME, "note").send_keys("Called back, will call again Tuesday")
    message.find_element(By.CSS_SELECTOR, "form.note button").click()
    settled(driver, lambda d: "will call again Tuesday (Maria" in d.find_element(By.ID, "message-1").text)
    driver.save_screenshot(str(shots / "messages.png"))  # type: ignore[attr-defined]
    # A note typed and not kept on its own goes with "Mark handled" (the page's script carries it).
    driver.find_element(By.CSS_SELECTOR, "#message-1 textarea[name=note], #message-1 input[name=note]:not([type=hidden])").send_keys(  # type: ignore[attr-defined]
        "Left a voicemail in Spanish")
    driver.find_element(By.CSS_SELECTOR, "#message-1 form:not(.note) button").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "Message 1 marked handled by Maria" in d.find_element(By.TAG_NAME, "main").text)
    assert not driver.find_elements(By.ID, "message-1")  # type: ignore[attr-defined]  # no longer waiting
    driver.find_element(By.PARTIAL_LINK_TEXT, "Handled (1)").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "Handled by Maria" in d.find_element(By.ID, "message-1").text)
    assert "Left a voicemail in Spanish" in driver.find_element(By.ID, "message-1").text  # type: ignore[attr-defined]

    driver.find_element(By.LINK_TEXT, "Content").click()  # type: ignore[attr-defined]
    line = app.extensions["line"]
    players = driver.find_elements(By.CSS_SELECTOR, "audio")  # type: ignore[attr-defined]
    assert len(players) >= len(line.content.prompts())
    assert all("/audio/" in p.get_attribute("src") for p in players)
    assert line.language("es").name in driver.find_element(By.ID, "lang-es").text  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "content.png"))  # type: ignore[attr-defined]
    print(f"screenshots in {shots}")
    assert all((shots / f"{name}.png").stat().st_size > 5000 for name in ("overview", "unmatched", "messages", "content"))


def _sign_in(driver: object, base: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/admin/sign-in")  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "name").send_keys("Maria")  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Overview"))


def _no_sideways_scroll(driver: object) -> None:
    width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px wide in a {width[1]} px window"


@pytest.fixture
def editing(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The line on a real port, on its own copy of the fixture content, with a silent voice for Listen and publish."""
    from tests.conftest import LINE_FIXTURE, silent_engine

    prompts = tmp_path / "prompts"
    shutil.copytree(LINE_FIXTURE, prompts)
    app = make_app(tmp_path, ADMIN_PASSWORD_HASH=HASH, PROMPTS_DIR=str(prompts), AUDIO_SYNTHESIZER=silent_engine)
    yield from _serving(app)


def test_an_admin_edits_checks_listens_publishes_reverts_and_marks_a_review_in_a_real_browser(
        editing: tuple[Flask, str], chrome: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    app, base = editing
    driver = chrome
    shots = tmp_path
    texts = TextThread(TwilioClient(app.test_client(), TOKEN), texter="+15555550170")
    old, new = "No. POEMS is not an infection.", "POEMS cannot be caught from another person."
    assert old in texts.send("contagious")[-1]

    _sign_in(driver, base)
    driver.find_element(By.LINK_TEXT, "Content").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.CSS_SELECTOR, "ul.index"))
    title = app.extensions["line"].content.languages["en"].topic("contagious").title
    driver.find_element(By.CSS_SELECTOR, "ul.index").find_element(By.LINK_TEXT, title).click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text"))

    # Edit: too long a text. The counters follow the typing (the page's own script), before anything is sent, and
    # count as the check does: a text that fits three segments alone, but not with its closing line, is four.
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys("Nerves heal slowly after treatment, so ask your care team about it. " * 6)  # 407 characters
    counters = driver.find_element(By.CSS_SELECTOR, "#field-text [data-characters]")  # type: ignore[attr-defined]
    settled(driver, lambda d: "407 characters, 4 text segments" in counters.text)
    # A character a text cannot send plainly: named, and left out of the count, as the check counts (an exploratory
    # admin's emoji: "shorten it by 52" here, "by 224" from the check).
    area.clear()
    area.send_keys("POEMS is not catching \u2713 at all.")
    settled(driver, lambda d: "30 characters, 1 text segment" in counters.text and "take out \u2713" in counters.text)
    area.clear()
    area.send_keys("POEMS is not an infection and it cannot be caught from anyone at all. " * 8)
    counters = driver.find_element(By.CSS_SELECTOR, "#field-text [data-characters]")  # type: ignore[attr-defined]
    settled(driver, lambda d: "4 text segments" in counters.text)
    assert "shorten it by" in driver.find_element(By.CSS_SELECTOR, "#field-text [data-first]").text  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "editor-typing.png"))  # type: ignore[attr-defined]
    # The spoken answer past its length, or reading too hard, is flagged as one types (the check refuses both): an
    # exploratory clinician learnt of either only on pressing Check.
    spoken = driver.find_element(By.ID, "in-spoken")  # type: ignore[attr-defined]
    before = spoken.get_attribute("value")
    spoken.clear()
    spoken.send_keys("Nerves heal slowly. " * 51)  # 153 words
    words = driver.find_element(By.CSS_SELECTOR, "#field-spoken [data-words]")  # type: ignore[attr-defined]
    settled(driver, lambda d: "153 words: at most 150, take out 3" in words.text and words.get_attribute("class") == "error-text")
    spoken.clear()
    spoken.send_keys("Polyneuropathy, organomegaly, endocrinopathy and monoclonal gammopathy characterize this "
                     "multisystemic paraneoplastic disorder, necessitating comprehensive multidisciplinary evaluation.")
    score = driver.find_element(By.CSS_SELECTOR, "#field-spoken [data-score]")  # type: ignore[attr-defined]
    settled(driver, lambda d: "use shorter sentences and plainer words" in score.text and score.get_attribute("class") == "error-text")
    assert words.get_attribute("class") == ""
    spoken.clear()
    spoken.send_keys(before)
    settled(driver, lambda d: "use shorter sentences" not in score.text and score.get_attribute("class") == "")

    # Check: refused, the problem beside its field, the admin's words kept, nothing changed for texters.
    driver.find_element(By.CSS_SELECTOR, "button[value=check]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#field-text .problem.error"))
    problem = driver.find_element(By.CSS_SELECTOR, "#field-text .problem.error").text  # type: ignore[attr-defined]
    assert "4 segments" in problem and "at most 3 segments (459 characters)" in problem
    assert "The check found" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text  # type: ignore[attr-defined]
    assert driver.find_element(By.ID, "in-text").get_attribute("value").startswith("POEMS is not an infection and it")  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "editor-error.png"))  # type: ignore[attr-defined]
    assert old in texts.send("contagious")[-1]

    # Fix the text, change the spoken answer, and listen to it before publishing.
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys(f"{new} Ask your doctor about your \u201cown\u201d case.")  # pasted from a word processor
    spoken = driver.find_element(By.ID, "in-spoken")  # type: ignore[attr-defined]
    spoken.clear()
    spoken.send_keys(f"{new} Ask your doctor about your own case.")
    driver.set_window_size(1280, 700)  # type: ignore[attr-defined]  # a laptop's screen: the player is further down
    driver.find_element(By.CSS_SELECTOR, "#field-spoken button.listen").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#field-spoken audio"))
    player = driver.find_element(By.CSS_SELECTOR, "#field-spoken audio")  # type: ignore[attr-defined]
    assert "/admin/listen/" in player.get_attribute("src")
    # The page comes back at the player, below the sticky toolbar, not at its top with the player out of sight.
    top, bottom, bar = driver.execute_script(  # type: ignore[attr-defined]
        "var r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, "
        "document.querySelector('.editor > .toolbar').getBoundingClientRect().bottom]", player)
    assert bar <= top and bottom <= driver.execute_script("return window.innerHeight")  # type: ignore[attr-defined]
    # The browser loads and decodes it: a real MP3 of the edited words' length, not an error.
    settled(driver, lambda d: d.execute_script("return arguments[0].duration > 0", player))
    assert driver.find_element(By.ID, "in-spoken").get_attribute("value").startswith(new)  # type: ignore[attr-defined]
    assert old in texts.send("contagious")[-1]  # listening publishes nothing
    driver.set_window_size(1280, 1600)  # type: ignore[attr-defined]

    # Publish: texters read the new words at once; the history has the revision.
    driver.find_element(By.CSS_SELECTOR, "button[value=publish]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "Published." in d.find_element(By.CSS_SELECTOR, "p.notice").text)
    assert "published=" in driver.current_url  # type: ignore[attr-defined]
    reply = texts.send("contagious")[-1]
    assert new in reply and old not in reply and 'your "own" case' in reply
    # Its own words, published with the quotes made plain, are not taken for a colleague's change.
    assert not driver.find_elements(By.CSS_SELECTOR, ".draft-elsewhere, .notice.draft")  # type: ignore[attr-defined]
    assert driver.find_element(By.ID, "in-text").get_attribute("value").endswith('your "own" case.')  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "editor-published.png"))  # type: ignore[attr-defined]

    driver.find_element(By.LINK_TEXT, "History").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("History"))
    newest = driver.find_elements(By.CSS_SELECTOR, "li.revision")[0]  # type: ignore[attr-defined]
    assert "Maria" in newest.text and "contagious" in newest.text and "en" in newest.text
    assert new.split()[1] in newest.find_element(By.CSS_SELECTOR, "ins").text  # the word-level diff
    driver.set_window_size(390, 844)  # type: ignore[attr-defined]
    _no_sideways_scroll(driver)
    driver.save_screenshot(str(shots / "history-phone.png"))  # type: ignore[attr-defined]
    driver.set_window_size(1366, 768)  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "history.png"))  # type: ignore[attr-defined]

    # Revert (asked first: callers meet it at once): the old words come back, and the revert is a revision too.
    newest.find_element(By.XPATH, ".//button[contains(., 'Revert')]").click()
    assert "Callers and texters get the words from before it" in driver.switch_to.alert.text  # type: ignore[attr-defined]
    driver.switch_to.alert.accept()  # type: ignore[attr-defined]
    settled(driver, lambda d: "Reverted change #1" in d.find_element(By.TAG_NAME, "main").text)
    assert old in texts.send("contagious")[-1]

    # The review mark: a clinician marks the topic, and the editor says who and when.
    driver.get(f"{base}/admin/content/en/contagious")  # type: ignore[attr-defined]
    driver.find_element(By.XPATH, "//button[contains(., 'Mark medically reviewed')]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "Medically reviewed by Maria on" in d.find_element(By.ID, "review").text)
    driver.set_window_size(390, 844)  # type: ignore[attr-defined]
    _no_sideways_scroll(driver)
    driver.save_screenshot(str(shots / "editor-phone.png"))  # type: ignore[attr-defined]
    driver.set_window_size(1366, 768)  # type: ignore[attr-defined]
    driver.save_screenshot(str(shots / "editor-laptop.png"))  # type: ignore[attr-defined]
    print(f"screenshots in {shots}")


# What a chart's text measures on screen, in CSS pixels: its font size times the scale the SVG is drawn at.
SMALLEST_CHART_TEXT = """
return Array.from(document.querySelectorAll('svg.chart text')).map(function (t) {
  var m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
}).reduce(function (a, b) { return Math.min(a, b); }, 1000);
"""
PAGES = ("/admin/?days=30", "/admin/unmatched?days=30", "/admin/messages?show=all", "/admin/content",
         "/admin/content/en/contagious", "/admin/content/es/menus/main", "/admin/history", "/admin/no-such-page",
         "/admin/?start=" + "9" * 400)


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)])
def test_no_admin_page_is_wider_than_a_phone_or_a_laptop_and_chart_text_stays_readable(
        served: tuple[Flask, str], chrome: object, width: int, height: int, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _, base = served
    driver = chrome
    shots = tmp_path
    driver.set_window_size(width, height)  # type: ignore[attr-defined]
    _sign_in(driver, base)
    for number, path in enumerate(PAGES):
        driver.get(base + path)  # type: ignore[attr-defined]
        settled(driver, lambda d: d.find_element(By.TAG_NAME, "h1"))
        # Every page keeps the navigation (a 404 and a refused range too).
        assert driver.find_element(By.CSS_SELECTOR, "header nav").text.startswith("Overview"), path  # type: ignore[attr-defined]
        wide, window = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
        assert wide <= window, f"{path} is {wide} px wide in a {window} px window"
        if path.startswith("/admin/?days"):
            assert driver.find_elements(By.CSS_SELECTOR, "svg.chart text")  # type: ignore[attr-defined]
            smallest = driver.execute_script(SMALLEST_CHART_TEXT)  # type: ignore[attr-defined]
            assert smallest >= 11, f"chart text {smallest:.1f} px at {width} px wide"
            # On a phone, the bar charts of names and the tables fit the screen: their values and last columns are in
            # sight, not scrolled off (only the chart of days scrolls, opening at today).
            cut = driver.execute_script(  # type: ignore[attr-defined]
                "return [...document.querySelectorAll('.scroll, .chart-box:not([data-latest-right])')]"
                ".filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.closest('section').id)")
            assert not cut, f"cut off at {width} px: {cut}"
            # The chart of days opens at the latest days (on a phone it scrolls, and the right end is today).
            left, room, whole = driver.execute_script(  # type: ignore[attr-defined]
                "var b = document.querySelector('.chart-box[data-latest-right]'); return [b.scrollLeft, b.clientWidth, b.scrollWidth]")
            assert left + room >= whole - 1, f"the chart of days opens at {left} of {whole} px in {room}"
        driver.save_screenshot(str(shots / f"{number}.png"))  # type: ignore[attr-defined]
    assert "9999999999" not in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text[60:]  # type: ignore[attr-defined]
    print(f"screenshots in {shots}")


def test_words_typed_in_the_editor_survive_a_session_that_ends_and_can_be_discarded(
        editing: tuple[Flask, str], chrome: object) -> None:
    from selenium.webdriver.common.by import By

    _, base = editing
    driver = chrome
    editor = f"{base}/admin/content/en/contagious"
    typed = "POEMS cannot be caught from anyone. Ask your doctor about your own case."
    _sign_in(driver, base)
    driver.get(editor)  # type: ignore[attr-defined]
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    before = area.get_attribute("value")
    area.clear()
    area.send_keys(typed)
    # The session ends (signed out elsewhere, or its hours are up) before Publish: the words are not lost.
    driver.delete_all_cookies()  # type: ignore[attr-defined]
    _sign_in(driver, base)
    driver.get(editor)  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".notice.draft"))
    assert driver.find_element(By.ID, "in-text").get_attribute("value") == typed  # type: ignore[attr-defined]
    assert "not yet published" in driver.find_element(By.CSS_SELECTOR, ".notice.draft").text  # type: ignore[attr-defined]
    # The field put back is named in the notice and marked where it is (Publish sends it too: an admin who edited
    # another field published forgotten words from another tab).
    label = driver.find_element(By.CSS_SELECTOR, "label[for=in-text]")  # type: ignore[attr-defined]
    name = label.text.split(" (your words")[0].strip()
    assert name and f"{name} (English)" in driver.find_element(By.CSS_SELECTOR, ".notice.draft").text  # type: ignore[attr-defined]
    assert "put back, not yet published" in label.text
    assert "restored" in driver.find_element(By.ID, "in-text").get_attribute("class")  # type: ignore[attr-defined]
    assert "restored" not in (driver.find_element(By.ID, "in-spoken").get_attribute("class") or "")  # type: ignore[attr-defined]
    # Discarded: the served words again, and the next visit has nothing to put back.
    driver.find_element(By.CSS_SELECTOR, ".notice.draft button").click()  # type: ignore[attr-defined]
    assert driver.find_element(By.ID, "in-text").get_attribute("value") == before  # type: ignore[attr-defined]
    assert "restored" not in driver.find_element(By.ID, "in-text").get_attribute("class")  # type: ignore[attr-defined]
    assert "put back" not in driver.find_element(By.CSS_SELECTOR, "label[for=in-text]").text  # type: ignore[attr-defined]
    driver.get(editor)  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text"))
    assert not driver.find_elements(By.CSS_SELECTOR, ".notice.draft")  # type: ignore[attr-defined]
    # Typed again and published: the draft goes with the publish, nothing is put back after it.
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys(typed)
    driver.find_element(By.CSS_SELECTOR, "button[value=publish]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: any(n.text.startswith("Published.") for n in d.find_elements(By.CSS_SELECTOR, "p.notice")))
    driver.get(editor)  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text"))
    assert driver.find_element(By.ID, "in-text").get_attribute("value") == typed  # type: ignore[attr-defined]
    assert not driver.find_elements(By.CSS_SELECTOR, ".notice.draft")  # type: ignore[attr-defined]
    kept = "return localStorage.getItem('poems-line-draft:/admin/content/en/contagious')"
    assert driver.execute_script(kept) is None  # type: ignore[attr-defined]
    # Typed, then signed out: the next person at this computer does not find those words.
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys("Words nobody should find after signing out.")
    assert driver.execute_script(kept) is not None  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "form.signout button").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.CSS_SELECTOR, "form.signin"))
    assert driver.execute_script(kept) is None  # type: ignore[attr-defined]


def test_back_reload_and_a_sign_out_elsewhere_lose_no_words_typed_in_the_editor(
        editing: tuple[Flask, str], chrome: object) -> None:
    from selenium.webdriver.common.by import By

    _, base = editing
    driver = chrome
    typed = "POEMS cannot be caught from anyone at all."
    _sign_in(driver, base)
    driver.get(f"{base}/admin/content/en/contagious")  # type: ignore[attr-defined]
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys(typed)
    driver.find_element(By.CSS_SELECTOR, "button[value=check]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "ready to publish" in d.find_element(By.TAG_NAME, "main").text)
    driver.find_element(By.LINK_TEXT, "History").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("History"))
    # Back, as an admin does to go on editing: the editor, with the words typed, and no "Confirm form resubmission".
    driver.back()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text").get_attribute("value") == typed)
    # Reloading the checked page asks nothing either: it is the editor again, the words put back.
    driver.refresh()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text").get_attribute("value") == typed)
    assert driver.find_elements(By.CSS_SELECTOR, ".notice.draft")  # type: ignore[attr-defined]
    # Checked, published, then Back: the editor again, not an error page.
    driver.find_element(By.CSS_SELECTOR, "button[value=check]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "ready to publish" in d.find_element(By.TAG_NAME, "main").text)
    driver.find_element(By.CSS_SELECTOR, "button[value=publish]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: any(n.text.startswith("Published.") for n in d.find_elements(By.CSS_SELECTOR, "p.notice")))
    driver.back()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text").get_attribute("value") == typed)

    # Words typed, then a sign-out in another tab: Publish asks to sign in, and the words come back after it.
    typed = "POEMS cannot be caught from anyone, ever."
    driver.get(f"{base}/admin/content/en/contagious")  # type: ignore[attr-defined]
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys(typed)
    # Signed out in another tab: the session ends and the words kept in this browser are forgotten there.
    driver.execute_script("localStorage.clear()")  # type: ignore[attr-defined]
    driver.delete_all_cookies()  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "button[value=publish]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.CSS_SELECTOR, "form.signin"))
    assert "kept in this browser" in driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "name").send_keys("Maria")  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "in-text").get_attribute("value") == typed)
    assert "not yet published" in driver.find_element(By.CSS_SELECTOR, ".notice.draft").text  # type: ignore[attr-defined]


def test_a_double_click_on_publish_publishes_once_and_says_published(editing: tuple[Flask, str], chrome: object) -> None:
    from selenium.webdriver.common.by import By

    app, base = editing
    driver = chrome
    _sign_in(driver, base)
    driver.get(f"{base}/admin/content/en/contagious")  # type: ignore[attr-defined]
    area = driver.find_element(By.ID, "in-text")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys("POEMS cannot be caught from anyone.")
    # Two clicks as a hurried hand makes them: the first request is on its way when the second comes.
    driver.execute_script(  # type: ignore[attr-defined]
        "var b = document.querySelector('button[value=publish]'); b.click(); setTimeout(function () { b.click(); }, 40);")
    settled(driver, lambda d: "Published." in d.page_source or "Not published" in d.page_source)
    page = driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    assert "Published." in page and "Not published" not in page, page[:600]
    assert "POEMS cannot be caught from anyone." in " ".join(app.extensions["line"].content.languages["en"].topic("contagious").text.split())


def test_after_listen_then_publish_the_published_notice_is_in_sight(editing: tuple[Flask, str], chrome: object) -> None:
    # Listen posts to #field-spoken; the page after Publish kept that fragment and opened scrolled down to the field,
    # with "Published." above the screen: it looked as if nothing had happened (an exploratory admin's).
    from selenium.webdriver.common.by import By

    _, base = editing
    driver = chrome
    driver.set_window_size(1366, 768)  # type: ignore[attr-defined]
    _sign_in(driver, base)
    driver.get(f"{base}/admin/content/en/contagious")  # type: ignore[attr-defined]
    area = driver.find_element(By.ID, "in-spoken")  # type: ignore[attr-defined]
    area.clear()
    area.send_keys("POEMS cannot be caught from anyone. Ask your doctor about your own case.")
    driver.find_element(By.CSS_SELECTOR, "button.listen").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: "#field-spoken" in d.current_url)
    driver.find_element(By.CSS_SELECTOR, "button[value=publish]").click()  # type: ignore[attr-defined]
    settled(driver, lambda d: d.find_element(By.ID, "notice").text.startswith("Published."))
    top, bottom, height = driver.execute_script(  # type: ignore[attr-defined]
        "var r = document.getElementById('notice').getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]")
    assert 0 <= top and bottom <= height, (top, bottom, height)
