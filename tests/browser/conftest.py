"""Real-browser fixtures: Playwright driving Debian's chromium against the live server.

No browser is downloaded: chromium comes from Debian (`make browser-deps`) and is
started from /usr/bin/chromium. Outside CI the tests are skipped with a reason when
chromium, Playwright or axe-core are missing; with REQUIRE_BROWSER=1 (CI) they fail.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE_JS = Path(os.environ.get("AXE_PATH", settings.BASE_DIR / "var/axe/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", settings.BASE_DIR / "var/screenshots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}



def _required() -> bool:
    """In CI (CI=true) or with REQUIRE_BROWSER=1 a missing browser fails instead of skipping."""
    return os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


# Every audit's findings, written to var/screenshots/axe-report.json at the end.
AXE_RESULTS: list[dict] = []


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"chromium not found at {CHROMIUM} (run `make browser-deps`)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -r requirements.txt)"
    if not AXE_JS.exists():
        return f"axe-core not found at {AXE_JS} (run `make browser-deps`)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if reason is None:
        return
    if _required():
        return  # in CI the `browser` fixture fails loudly instead
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if _required():
            pytest.fail(f"real-browser tests are required here (CI) but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
    # from a thread with a running loop unless told it is safe (the loop is Playwright's own).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    if AXE_RESULTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "axe-report.json").write_text(json.dumps(AXE_RESULTS, indent=2, ensure_ascii=False))


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (cookie jars) of a given size."""
    contexts = []

    def make(viewport=DESKTOP, locale="en-GB"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def storage_state(user, live_server) -> dict:
    """A signed-in user's cookies as a Playwright storage state: signed in without the login page."""
    import re

    from django.test import Client

    client = Client()
    client.force_login(user)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    return {"cookies": [{"name": name, "value": morsel.value, "domain": host, "path": "/", "httpOnly": True,
                         "secure": False, "sameSite": "Lax"} for name, morsel in client.cookies.items()],
            "origins": []}


@pytest.fixture
def shoot(request):
    """Save a screenshot under var/screenshots/<test name>/<name>.png."""
    folder = SCREENSHOTS / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_audit(request):
    """Inject axe-core into the page, run it, and return the serious and critical violations."""
    source = AXE_JS.read_text(encoding="utf-8") if AXE_JS.exists() else ""

    def audit(page, name: str) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, not as an inline <script>: the pages
            # keep their Content-Security-Policy (script-src 'self'), which would block it.
            page.evaluate(f"() => {{ {source}\n}}")
            page.evaluate("() => { if (typeof window.axe === 'undefined') throw new Error('axe-core did not load'); }")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        AXE_RESULTS.append({"test": request.node.name, "page": name, "url": page.url,
                            "violations": violations, "passes": len(result.get("passes", []))})
        return [v for v in violations if v["impact"] in ("serious", "critical")]

    return audit


@pytest.fixture
def survey_data(django_db_serialized_rollback, live_server):
    """Instruments and an open social-capital wave in the live server's database."""
    import datetime as dt

    from django.utils import timezone

    from surveys.models import Instrument, Wave

    call_command("load_instruments", verbosity=0)
    wave = Wave.objects.create(
        instrument=Instrument.objects.get(code="social-capital"), title="Browser wave", slug="browser-wave",
        status=Wave.Status.OPEN, access=Wave.Access.OPEN_LINK, opens_at=timezone.now() - dt.timedelta(days=1),
    )
    return wave
