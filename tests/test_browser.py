"""The students' page in a real browser: start samenkracht-app, drive Debian's chromium with Playwright.

Run with ``make test-browser`` (it installs chromium and the app and browser
extras). Skipped, with the reason, where /usr/bin/chromium, Playwright or
Solara is missing. Saves the screenshots used in the README (docs/img/app.png, docs/img/eigen_actie.png).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for headless Chromium on these machines (see the machine notes): no sandbox as root, and no
#: background connections, which a closed network refuses.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = ROOT / "docs" / "img" / "app.png"
START_TIMEOUT_S = 120
RUN_TIMEOUT_MS = 240_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _app_command() -> list[str]:
    script = Path(sys.executable).parent / "samenkracht-app"
    if script.exists():
        return [str(script)]
    found = shutil.which("samenkracht-app")
    if found is None:
        pytest.skip("samenkracht-app is not installed (pip install -e '.[app]')")
    return [found]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory):
    """The page served by ``samenkracht-app --port FREE``; yields (address, outputs folder). Stopped after."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not at /usr/bin/chromium (make test-browser installs it)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (make test-browser installs it)")
    pytest.importorskip("solara", reason="Solara is not installed (make test-browser installs the app extra)")
    work = tmp_path_factory.mktemp("app")
    outputs = work / "outputs"
    port = _free_port()
    log_path = work / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [*_app_command(), "--port", str(port), "--outputs", str(outputs)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=work,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"samenkracht-app stopped (exit {server.returncode}):\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"samenkracht-app gave no page on {url} in {START_TIMEOUT_S} s:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield url, outputs
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if "Traceback" in log_path.read_text():
        pytest.fail(f"the server logged an error:\n{log_path.read_text()}")


def _read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return {name: z.read(name) for name in z.namelist()}


#: Words of Mesa's SolaraViz sidebar and Solara's banner that must not appear on the page (they speak English only,
#: and the student needs neither the play interval nor threads).
FOREIGN_WORDS = ("Play Interval", "Render Interval", "Use Threads", "Model Parameters", "runs on Solara")
OWN_TITLE = "Mantelzorgcafé in de bibliotheek"
PANEL_SCREENSHOT = ROOT / "docs" / "img" / "eigen_actie.png"


def _changed_screenshot(locator, before: bytes, timeout_s: float = 30) -> bytes:
    """A screenshot of ``locator`` once it differs from ``before`` (the new image reaches the browser a moment
    after the status line), or the last one taken after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    shot = _screenshot(locator, deadline)
    while shot == before and time.monotonic() < deadline:
        time.sleep(0.5)
        shot = _screenshot(locator, deadline)
    return shot


def _screenshot(locator, deadline: float) -> bytes:
    """A screenshot of ``locator``, taken again when the page redrew the element while it was being taken
    (Playwright: "Element is not attached to the DOM"), until ``deadline``."""
    from playwright.sync_api import Error

    while True:
        try:
            return locator.screenshot()
        except Error as exc:
            if "not attached" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def _rerun_exported_scenario(folder: Path) -> dict[str, float]:
    """Run the exported scenario file with the samenkracht command in ``folder``; the last year's headline means."""
    import pandas as pd

    from samenkracht.app.texts import PAGE_INDICATORS

    script = Path(sys.executable).parent / "samenkracht"
    run = subprocess.run(
        [str(script), f"hydra.searchpath=[file://{folder}]", "scenario=pagina_keuzes"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    (indicators,) = folder.glob("outputs/*/*/indicators.parquet")
    frame = pd.read_parquet(indicators)
    return {c: float(frame[c].iloc[-52:].mean()) for c in PAGE_INDICATORS}


def test_student_pair_composes_an_action_runs_checks_chance_exports_and_reruns_it(app_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from samenkracht.app.choices import CHOICES
    from samenkracht.app.export import format_level

    url, outputs = app_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(url)
            build = page.get_by_role("button", name="↺ Opnieuw opbouwen")
            build.wait_for(timeout=START_TIMEOUT_S * 1000)
            plots = page.locator(".samenkracht-plots img")
            expect(plots).to_be_visible()
            empty_plots = _screenshot(plots, time.monotonic() + 30)
            body = page.locator("body").inner_text()
            assert not [w for w in (*FOREIGN_WORDS, "Controls") if w in body], body

            # Two ready-made actions: shopkeepers as signalling points, and respite care at twice its level.
            page.get_by_text("Winkeliers als signaalpunt", exact=True).click()
            page.get_by_text("Respijtzorg", exact=True).click()
            respite = [c.name for c in CHOICES].index("respite_care")
            page.locator(".samenkracht-ready-made .v-select").nth(respite).click()
            page.get_by_role("option", name="2", exact=True).click()

            # An own action: a carers' café with the community centre, two effects, a cost.
            own = page.locator(".samenkracht-own")
            own.locator(".samenkracht-own-name input").fill(OWN_TITLE)
            expect(own.get_by_text("meer ontmoeting in de wijk")).to_be_visible()
            own.get_by_role("button", name="Voeg toe").click()
            expect(own.locator(".v-input--checkbox").filter(has_text=OWN_TITLE)).to_be_visible()
            PANEL_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            own.screenshot(path=str(PANEL_SCREENSHOT))

            build.click()
            expect(
                page.get_by_text(f"Acties aan: Winkeliers als signaalpunt 1×, Respijtzorg 2×, {OWN_TITLE}")
            ).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Stap (een half jaar)").click()
            expect(page.get_by_text("Jaar 1, week 26", exact=False)).to_be_visible(timeout=60_000)
            half_year = _changed_screenshot(plots, empty_plots)
            assert half_year != empty_plots, "the plots did not change after a step"

            started = time.monotonic()
            page.get_by_role("button", name="▶ Afspelen").click()
            expect(page.get_by_text("Jaar 10, week 52", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
            ten_years = time.monotonic() - started
            print(f"\n[browser] 400 residents, 10 simulated years beside the baseline: {ten_years:.1f} s on the page")
            assert _changed_screenshot(plots, half_year) != half_year, "the plots did not change while running"
            summary = page.locator(".samenkracht-summary pre")
            expect(summary).to_contain_text(f"{OWN_TITLE} (eigen actie) — samenwerking met het buurtcentrum")
            expect(summary).to_contain_text("het laatste gesimuleerde jaar (jaar 10)")

            # Is this chance? The same choices over several seeds, each action alone and all together.
            started = time.monotonic()
            page.get_by_role("button", name="Is dit toeval?").click()
            result = page.locator(".samenkracht-chance-result")
            expect(result).to_be_visible(timeout=RUN_TIMEOUT_MS * 2)
            print(f"[browser] chance check (5 seeds, 4 settings and the baseline): {time.monotonic() - started:.1f} s")
            for words in ("alles samen", "Respijtzorg", OWN_TITLE, "Zwaarbelaste mantelzorgers"):
                expect(result).to_contain_text(words)
            expect(summary).to_contain_text("Is dit toeval?")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            with page.expect_download() as download:
                page.get_by_role("button", name="Exporteer samenvatting").click()
            saved = tmp_path / "nl.zip"
            download.value.save_as(saved)
            files = _read_zip(saved)
            assert set(files) == {"samenvatting.png", "samenvatting.txt", "scenario/pagina_keuzes.yaml"}
            assert files["samenvatting.png"].startswith(b"\x89PNG")
            text = files["samenvatting.txt"].decode("utf-8")
            assert "Respijtzorg" in text and "niveau 2×" in text and f"{OWN_TITLE} (eigen actie)" in text
            expect(page.get_by_text("Ook bewaard in")).to_be_visible()
            exported = sorted(outputs.glob("*/samenvatting.txt"))
            assert exported and exported[-1].read_text(encoding="utf-8") == text

            # The exported scenario, run on the command line, gives the page's figures.
            rerun = tmp_path / "rerun"
            with zipfile.ZipFile(saved) as z:
                z.extractall(rerun)
            for column, value in _rerun_exported_scenario(rerun).items():
                assert f"→ {format_level(value, column, 'nl')} (" in text, (column, value, text)

            # 2013: the same actions in the municipality before the decentralisation.
            page.locator(".samenkracht-gemeente").get_by_role("button", name="2013").click()
            expect(page.locator(".samenkracht-apply")).to_be_visible()
            build.click()
            expect(page.get_by_text("de gemeente van 2013", exact=False).first).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Stap (een half jaar)").click()
            expect(page.get_by_text("Jaar 1, week 26", exact=False)).to_be_visible(timeout=60_000)

            # English on request: the page, its controls and the export switch language without a new run.
            page.get_by_role("button", name="EN", exact=True).click()
            expect(page.get_by_role("button", name="↺ Build again")).to_be_visible()
            expect(page.get_by_text("Respite care (respijtzorg) 2×", exact=False)).to_be_visible()
            expect(page.get_by_text("Invent your own action")).to_be_visible()
            body = page.locator("body").inner_text()
            assert not [w for w in FOREIGN_WORDS if w in body], body
            with page.expect_download() as download:
                page.get_by_role("button", name="Export summary").click()
            saved = tmp_path / "en.zip"
            download.value.save_as(saved)
            files = _read_zip(saved)
            assert set(files) == {"summary.png", "summary.txt", "scenario/pagina_keuzes.yaml"}
            text = files["summary.txt"].decode("utf-8")
            assert "Shopkeepers as signalling points" in text and "level 2×" in text and "(own action)" in text
            assert "the municipality of 2013" in text
        finally:
            browser.close()


def test_page_goal_run_two_thousand_residents_every_action(app_server):
    """The run of the page's speed goal, in the browser: 2,000 residents, every ready-made action, 10 years beside
    the baseline, played to the end. Prints the time from Play to year 10's last week on the page (a figure for
    benchmarks/RESULTS.md, not a timed assertion); checks that the run gets there with every action on and that
    the plots were drawn again."""
    from playwright.sync_api import expect, sync_playwright

    from samenkracht.app.choices import CHOICES
    from samenkracht.app.texts import ACTION_TEXT

    url, _ = app_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            build = page.get_by_role("button", name="↺ Opnieuw opbouwen")
            build.wait_for(timeout=START_TIMEOUT_S * 1000)
            plots = page.locator(".samenkracht-plots img")
            expect(plots).to_be_visible()
            page.locator(".v-select").filter(has_text="Inwoners").first.click()
            page.get_by_role("option", name="2000", exact=True).click()
            for c in CHOICES:
                page.get_by_text(ACTION_TEXT["nl"][c.name][0], exact=True).click()
            build.click()
            status = page.locator(".samenkracht-status")
            expect(status).to_contain_text("2000", timeout=60_000)
            for c in CHOICES:
                expect(status).to_contain_text(ACTION_TEXT["nl"][c.name][0])
            before = _screenshot(plots, time.monotonic() + 30)
            started = time.monotonic()
            page.get_by_role("button", name="▶ Afspelen").click()
            expect(page.get_by_text("Jaar 10, week 52", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
            seconds = time.monotonic() - started
            run = "2,000 residents, every action, 10 years beside the baseline"
            print(f"\n[browser] {run}: {seconds:.1f} s on the page")
            assert _changed_screenshot(plots, before) != before, "the plots did not change while running"
        finally:
            browser.close()
