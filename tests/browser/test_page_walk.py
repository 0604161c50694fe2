"""The page walk: every page each role can open, at phone and desktop width, in English and Russian.

The pages come from the URL configuration (as in tests/test_url_permissions.py), their URL
parameters from the demo data (``make_demo_data`` in the live server's database). A page is
walked by a role when a GET as that role answers 200 with HTML. On every page the walk fails on

- sideways scrolling (``document.documentElement.scrollWidth`` wider than the window),
- an error in the browser's console (or an uncaught script error), or a Content-Security-Policy
  refusal in the page's document (``CSP_WATCH_JS``),
- any axe-core violation, whatever its impact,
- a radio button or check box whose border has a contrast below 3:1 against its background.

Screenshots go to var/screenshots/page-walk/<role>-<language>-<width>/, the findings (with the time
and the number of pages of each role) to var/screenshots/page-walk.json. Every role is walked: the
anonymous visitor, the interviewer, a coder, the researcher and an admin (a superuser, every page
of the admin site); PAGE_WALK_ROLES (such as coder,admin) walks only those (docs/testing.md).
"""
from __future__ import annotations

import json
import os
import re
import time

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from surveys import demo
from surveys.models import Response, Wave

from ..test_url_permissions import Route, all_routes
from .conftest import AXE_JS, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROLES = ("anonymous", "interviewer", "coder", "researcher", "admin")
WALKED = [r for r in os.environ.get("PAGE_WALK_ROLES", ",".join(ROLES)).split(",") if r]
LANGUAGES = {"en": "en-GB", "ru": "ru-RU"}
WIDTHS = (390, 1280)
SKIP = {"admin:jsi18n", "admin:autocomplete", "admin:view_on_site", "set_language", "favicon.ico"}

# Contrast of each radio button's and check box's border against the background behind it.
BORDER_CONTRAST_JS = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const border = rgb(style.borderTopColor).slice(0, 3), behind = background(el);
    const [a, b] = [lum(border), lum(behind)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 3) found.push({name: el.name, id: el.id, border: style.borderTopColor, ratio: Math.round(ratio * 100) / 100});
  }
  return found.slice(0, 5);
}"""


# Every Content-Security-Policy refusal in the page's own document, read after each page. The walk
# counts refusals from these events, not from the console's text, because axe-core re-parses the
# style sheets that an @import pulls in (the admin's forms.css imports widgets.css) as <style>
# elements of a scratch document of its own: the page's policy refuses them and the console says so,
# but they belong to no document of the page (which loads those sheets by URL, as the policy allows).
# Such a refusal is dispatched at the document itself, with no element of the page as its target;
# a refused <style> of the page's own is the event's target.
CSP_WATCH_JS = """document.addEventListener('securitypolicyviolation', (e) => {
  if (e.effectiveDirective === 'style-src-elem' && e.target === document) return;  // not the page's
  (window.__cspRefusals = window.__cspRefusals || []).push(
    `${e.effectiveDirective} refused ${e.blockedURI || 'inline'}` + (e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : ''));
});"""
CSP_CONSOLE_TEXT = "violates the following Content Security Policy directive"


def csp_refusals(page) -> list[str]:
    """The refusals the page's document reported since it was loaded."""
    return page.evaluate("() => window.__cspRefusals || []")


def console_errors(messages: list[str]) -> list[str]:
    """Console errors but the console's copies of CSP refusals (counted by ``csp_refusals``)."""
    return [m for m in messages if CSP_CONSOLE_TEXT not in m]


def _values(users) -> dict[str, str]:
    """URL parameters from the demo data, keyed like the permission table's (``<key>:<param>`` or ``<param>``)."""
    from surveys.coding.models import Codebook

    interviews = Wave.objects.get(slug=demo.CM_DEMO_WAVE)
    interview = Response.objects.filter(wave=interviews).order_by("started_at", "pk").first()
    codebook = Codebook.objects.order_by("pk").first()
    values = {
        "slug": demo.DEMO_WAVE, "step": "1", "question": "added_value", "uuid": str(interview.uuid),
        "pk": str(Wave.objects.get(slug=demo.DEMO_WAVE).pk), "app_label": "surveys", "url": "nothing-here/",
        "id": str(users["admin"].pk), "uidb64": "MQ", "token": "not-a-valid-token",
        "surveys:wave_entry:slug": demo.OPEN_WAVE,
        **{f"surveys:{name}:slug": demo.OPEN_WAVE for name in ("preview", "preview_step", "preview_review")},
        **{f"interviews:{name}:slug": demo.CM_DEMO_WAVE for name in ("wave", "start", "edit", "history")},
        **{f"coding:{name}:slug": demo.CM_DEMO_WAVE for name in ("next", "consensus", "unit", "consensus_unit")},
        **{f"coding:{name}:pk": str(codebook.pk) for name in ("codebook", "category_add", "category_edit", "merge")},
        "category_pk": str(codebook.categories.order_by("pk").first().pk),
        "admin:surveys_instrument_xlsform:pk": str(interviews.instrument_id),
    }
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("history", "delete", "change"):
                values[f"admin:{prefix}_{view}:object_id"] = str(obj.pk)
    return values


def _url(route: Route, values: dict[str, str]) -> str | None:
    kwargs = {p: values.get(f"{route.key}:{p}", values.get(p)) for p in route.params}
    if any(v is None for v in kwargs.values()) or not route.name or re.search(r"\((?!\?P)", route.route):
        return None  # unnamed routes and unnamed groups: the admin's redirects and old-record views
    return reverse(route.name, kwargs=kwargs)


def _pages(client: Client, values: dict[str, str]) -> list[tuple[str, str]]:
    """(key, URL) of each page the client's role opens: a GET answering 200 with HTML."""
    pages, seen = [], set()
    for route in all_routes():
        if route.key in SKIP:
            continue
        url = _url(route, values)
        if url is None or url in seen:
            continue
        seen.add(url)
        answer = client.get(url)
        if answer.status_code == 200 and answer.get("Content-Type", "").startswith("text/html"):
            pages.append((route.key, url))
    return pages


def _restore_roles(role_groups: dict[str, list[tuple[str, str]]]) -> None:
    """Put back what an earlier transactional test's flush took: content types, permissions and the
    role groups that the migrations create (a flush keeps the tables, not their rows)."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    for name, perms in role_groups.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = Q(pk__in=[])
        for app_label, codename in perms:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(wanted))


@pytest.fixture
def demo_world(transactional_db, live_server, role_groups):
    _restore_roles(role_groups)
    call_command("make_demo_data", verbosity=0)
    User = get_user_model()
    boss = User.objects.create_superuser("walk-admin", "walk-admin@example.org", "unused-password-123")
    users = {"admin": boss, "interviewer": User.objects.get(username=demo.DEMO_INTERVIEWER),
             "coder": User.objects.get(username=demo.DEMO_CODERS[0]),
             "researcher": User.objects.get(username=demo.DEMO_RESEARCHER)}
    return users


def _storage_state(client: Client, live_server) -> dict:
    """A logged-in client's session cookie as a Playwright storage state (one login per role)."""
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    cookies = [{"name": name, "value": morsel.value, "domain": host, "path": "/", "httpOnly": True,
                "secure": False, "sameSite": "Lax"} for name, morsel in client.cookies.items()]
    return {"cookies": cookies, "origins": []}


def test_page_walk(demo_world, browser, live_server, axe_audit):
    assert AXE_JS.exists() and set(WALKED) <= set(ROLES)
    wanted = WALKED
    values = _values(demo_world)
    started = time.monotonic()
    problems: list[dict] = []
    counts: dict[str, int] = {}
    pages_per_role: dict[str, int] = {}
    seconds_per_role: dict[str, int] = {}
    for role in wanted:
        role_started = time.monotonic()
        client = Client()
        if role != "anonymous":
            client.force_login(demo_world[role])
        pages = _pages(client, values)
        pages_per_role[role] = len(pages)
        state = _storage_state(client, live_server)
        for lang, locale in LANGUAGES.items():
            context = browser.new_context(locale=locale, base_url=live_server.url, storage_state=state,
                                          viewport={"width": WIDTHS[0], "height": 844})
            context.set_default_timeout(15_000)
            context.add_init_script(CSP_WATCH_JS)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                folder = SCREENSHOTS / "page-walk" / f"{role}-{lang}-{width}"
                folder.mkdir(parents=True, exist_ok=True)
                for key, url in pages:
                    errors.clear()
                    page.goto(url, wait_until="load")
                    where = {"role": role, "lang": lang, "width": width, "url": url, "page": key}
                    wide = page.evaluate("() => document.documentElement.scrollWidth")
                    if wide > width:
                        problems.append({**where, "problem": "scrolls sideways", "scroll_width": wide})
                    axe_audit(page, f"{role}-{lang}-{width}:{url}")
                    from .conftest import AXE_RESULTS
                    for v in AXE_RESULTS[-1]["violations"]:
                        problems.append({**where, "problem": f"axe {v['id']} ({v['impact']})",
                                         "targets": v["targets"]})
                    for weak in page.evaluate(BORDER_CONTRAST_JS):
                        problems.append({**where, "problem": "control border contrast < 3:1", "control": weak})
                    page.wait_for_timeout(50)  # late console messages and CSP refusals
                    for message in console_errors(errors):
                        problems.append({**where, "problem": "console error", "message": message[:300]})
                    for refusal in csp_refusals(page):
                        problems.append({**where, "problem": "CSP refusal", "message": refusal[:300]})
                    name = re.sub(r"[^\w.-]+", "_", url.strip("/")) or "home"
                    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                    counts[f"{role}/{lang}"] = counts.get(f"{role}/{lang}", 0) + 1
            context.close()
        seconds_per_role[role] = round(time.monotonic() - role_started)
    seconds = round(time.monotonic() - started)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "page-walk.json").write_text(json.dumps(
        {"seconds": seconds, "seconds_per_role": seconds_per_role, "pages": pages_per_role, "page_loads": counts,
         "problems": problems}, indent=2, ensure_ascii=False))
    print(f"page walk: {sum(counts.values())} page loads in {seconds} s: {counts}, pages {pages_per_role}, "
          f"seconds {seconds_per_role}")
    summary = sorted({f"{p['role']} {p['lang']} {p['width']}px {p['page']}: {p['problem']}" for p in problems})
    assert not problems, f"{len(problems)} problems (var/screenshots/page-walk.json):\n  " + "\n  ".join(summary)


def test_csp_watch_counts_the_pages_refusals_not_axes(transactional_db, live_server, browser, axe_audit):
    """The walk's CSP check: a refusal in the page's document is reported; axe-core's own scratch
    document (where it re-parses the admin's @import-ed style sheet) is not the page's."""
    boss = get_user_model().objects.create_superuser("csp-admin", "csp-admin@example.org", "unused-password-123")
    client = Client()
    client.force_login(boss)
    context = browser.new_context(base_url=live_server.url, storage_state=_storage_state(client, live_server))
    context.add_init_script(CSP_WATCH_JS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(reverse("admin:surveys_wave_add"), wait_until="load")
        assert csp_refusals(page) == [] and console_errors(errors) == []  # the page as a visitor gets it
        axe_audit(page, "csp-watch")
        page.wait_for_timeout(50)
        assert csp_refusals(page) == [] and console_errors(errors) == []
        page.evaluate("""() => {
            const style = document.createElement('style');
            style.textContent = 'body { color: red }';
            document.head.appendChild(style);
            const image = document.createElement('img');
            image.src = 'https://example.org/pixel.png';
            document.body.appendChild(image);
        }""")
        page.wait_for_timeout(100)
        refusals = csp_refusals(page)
        assert len(refusals) == 2, refusals
        assert refusals[0].startswith("style-src-elem refused inline")
        assert refusals[1].startswith("img-src refused https://example.org/pixel.png")
    finally:
        context.close()
