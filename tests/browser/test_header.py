"""The site's header in a real browser: on a phone its links fold behind a menu button that works
from the keyboard; on a desktop they are all in sight; in English and Russian, with no sideways
scrolling and no axe-core finding. Screenshots of the header go to var/screenshots/header/."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from .conftest import AXE_RESULTS, SCREENSHOTS, storage_state

pytestmark = [pytest.mark.browser]

LOCALES = {"en": "en-GB", "ru": "ru-RU"}
MENU_LABEL = {"en": "Menu", "ru": "Меню"}
# What the menu of a superuser holds, in order: every role's home, the admin, logging out.
MENU_ITEMS = {
    "en": ["Interviews", "Coding", "Fieldwork", "Analysis", "Admin", "Log out (header-admin)"],
    "ru": ["Интервью", "Кодирование", "Полевой этап", "Анализ", "Администрирование", "Выйти (header-admin)"],
}
ITEMS = "#site-menu a, #site-menu button"
TOGGLER = "button.navbar-toggler"


@pytest.fixture
def signed_in_state(transactional_db, live_server) -> dict:
    """A signed-in superuser (every role's link is in their menu) as a storage state."""
    user = get_user_model().objects.create_superuser("header-admin", "header-admin@example.org", "unused-pw-123")
    return storage_state(user, live_server)


def _no_findings(page, axe_audit, name: str) -> None:
    axe_audit(page, name)
    violations = AXE_RESULTS[-1]["violations"]
    assert violations == [], f"{name}: axe-core findings: {violations}"
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{name}: scrolls sideways"


def _focused(page) -> dict:
    return page.evaluate("""() => {
      const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
      return {id: el.id, text: el.innerText.trim(), toggler: el.classList.contains('navbar-toggler'),
              inMenu: !!el.closest('#site-menu'), visible: box.width > 0 && box.height > 0,
              focusVisible: el.matches(':focus-visible'), outline: style.outlineStyle,
              outlineWidth: parseFloat(style.outlineWidth)};
    }""")


def _shoot(page, name: str) -> None:
    folder = SCREENSHOTS / "header"
    folder.mkdir(parents=True, exist_ok=True)
    page.locator("header").screenshot(path=str(folder / f"{name}.png"))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_header_menu_folds_behind_a_button_on_phones(lang, browser, live_server, signed_in_state, axe_audit):
    context = browser.new_context(locale=LOCALES[lang], base_url=live_server.url, storage_state=signed_in_state,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/", wait_until="load")
    assert page.locator("html").get_attribute("lang") == lang
    items, toggler = page.locator(ITEMS), page.locator(TOGGLER)

    # 390 px: the links are folded away, the button is in sight and says what it controls
    assert toggler.is_visible()
    assert items.count() == len(MENU_ITEMS[lang])
    assert all(not items.nth(k).is_visible() for k in range(items.count()))
    assert toggler.get_attribute("aria-controls") == "site-menu"
    assert toggler.get_attribute("aria-expanded") == "false"
    assert toggler.get_attribute("aria-label") == MENU_LABEL[lang]
    # the language switch stays in sight; the brand wraps within the window, nothing sticks out
    assert page.get_by_role("button", name="Русский").is_visible()
    assert page.get_by_role("button", name="English").is_visible()
    assert page.evaluate("""() => [...document.querySelectorAll('header .navbar-brand, header .btn')]
      .every(e => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= window.innerWidth)""")
    _no_findings(page, axe_audit, f"header-{lang}-390-closed")
    _shoot(page, f"{lang}-390")

    # the keyboard alone: Tab to the button (focus shown), Enter opens the menu
    for _ in range(12):
        page.keyboard.press("Tab")
        if _focused(page)["toggler"]:
            break
    focused = _focused(page)
    assert focused["toggler"], "Tab never reached the menu button"
    assert focused["focusVisible"] and focused["outline"] != "none" and focused["outlineWidth"] >= 2
    page.keyboard.press("Enter")
    page.locator("#site-menu.show").wait_for()
    page.wait_for_function("() => !document.querySelector('#site-menu.collapsing')")
    assert toggler.get_attribute("aria-expanded") == "true"
    assert all(items.nth(k).is_visible() for k in range(items.count()))
    reached = []
    for _ in MENU_ITEMS[lang]:
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["inMenu"] and focused["visible"] and focused["focusVisible"], focused
        assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, focused
        reached.append(focused["text"])
    assert reached == MENU_ITEMS[lang]
    _no_findings(page, axe_audit, f"header-{lang}-390-open")
    _shoot(page, f"{lang}-390-open")

    # Enter on the button again folds the menu away
    toggler.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => { const m = document.getElementById('site-menu');"
                           " return !m.classList.contains('show') && !m.classList.contains('collapsing'); }")
    assert toggler.get_attribute("aria-expanded") == "false"
    assert not items.first.is_visible()

    # 1280 px: every link in sight, no button
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/", wait_until="load")
    assert not toggler.is_visible()
    assert all(items.nth(k).is_visible() for k in range(items.count()))
    assert [items.nth(k).inner_text().strip() for k in range(items.count())] == MENU_ITEMS[lang]
    _no_findings(page, axe_audit, f"header-{lang}-1280")
    _shoot(page, f"{lang}-1280")
    page.wait_for_timeout(50)  # late console messages (Content-Security-Policy refusals)
    assert errors == [], errors
    context.close()


def test_without_scripts_the_header_links_stay_open(browser, live_server, transactional_db):
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/", wait_until="load")
    assert not page.locator(TOGGLER).is_visible()
    assert page.get_by_role("link", name="Вход для сотрудников").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()
