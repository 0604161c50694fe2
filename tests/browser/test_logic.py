"""Questionnaire logic in a real browser: questions appear and disappear as answers change, and
the browser's evaluator agrees with the server's on random conditions and answers (issue 14)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.logic import COMPARISONS, evaluate
from surveys.models import Response

from .conftest import DESKTOP, PHONE
from .test_respondent import audited

pytestmark = [pytest.mark.browser]

CODES = ["a", "b", "c"]
SCALAR = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from([0.5, 2.0, 1.0, -1.5]), st.booleans(),
                   st.sampled_from(["", "x", "1", "yes"]))
ANSWER = st.one_of(SCALAR, st.lists(st.integers(0, 4), max_size=3))


@st.composite
def comparison(draw):
    op = draw(st.sampled_from(COMPARISONS))
    condition = {"q": draw(st.sampled_from(CODES + ["absent"])), "op": op}
    if op == "in":
        condition["value"] = draw(st.lists(SCALAR, min_size=1, max_size=3))
    elif op in ("gt", "ge", "lt", "le"):
        condition["value"] = draw(st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.5])))
    elif op != "answered":
        condition["value"] = draw(SCALAR)
    return condition


CONDITION = st.recursive(
    comparison(),
    lambda inner: st.one_of(st.builds(lambda c: {"not": c}, inner),
                            st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
                            st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3))),
    max_leaves=6,
)
CASES = st.lists(st.tuples(CONDITION, st.dictionaries(st.sampled_from(CODES), ANSWER)), min_size=150, max_size=150)


@pytest.fixture
def logic_page(survey_data, new_page):
    page = new_page(DESKTOP)
    page.goto(f"/w/{survey_data.slug}/")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"**/w/{survey_data.slug}/page/1/")
    return page


@given(cases=CASES)
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
def test_the_browser_and_the_server_evaluate_conditions_alike(logic_page, cases):
    in_browser = logic_page.evaluate("cases => cases.map(c => window.surveyLogic.evaluate(c[0], c[1]))",
                                     [[c, a] for c, a in cases])
    on_server = [evaluate(c, a) for c, a in cases]
    disagree = [(c, a, b, s) for (c, a), b, s in zip(cases, in_browser, on_server) if b != s]
    assert disagree == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_follow_up_question_appears_and_disappears_without_a_reload(survey_data, new_page, shoot, axe_audit,
                                                                      viewport):
    page = new_page(viewport)
    page.goto(f"/w/{survey_data.slug}/")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"**/w/{survey_data.slug}/page/1/")
    follow_up = page.locator('[data-code="cluster_name"]')
    assert follow_up.is_hidden()
    page.locator('input[name="cluster_member"][value="1"]').check()
    follow_up.wait_for(state="visible")
    page.locator('input[name="cluster_name"]').fill("Samara aerospace cluster")
    audited(page, "follow-up-shown", shoot, axe_audit)
    page.locator('input[name="cluster_member"][value="2"]').check()
    follow_up.wait_for(state="hidden")
    page.locator('input[name="cluster_member"][value="1"]').check()
    follow_up.wait_for(state="visible")
    for code, value in {"region": "2", "sector": "1", "size": "3", "ownership": "1", "position": "1"}.items():
        page.locator(f'input[name="{code}"][value="{value}"]').check()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"**/w/{survey_data.slug}/page/2/")
    response = Response.objects.get(wave=survey_data)
    stored = dict(response.answers.values_list("question__code", "value"))
    assert stored["cluster_member"] == 1 and stored["cluster_name"] == "Samara aerospace cluster"


def _contrast(page, selector: str) -> float:
    """WCAG contrast of an element's border colour against the page background."""
    return page.evaluate("""sel => {
        const el = document.querySelector(sel);
        const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => {
            const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        let bg = getComputedStyle(document.body).backgroundColor;
        const a = lum(rgb(getComputedStyle(el).borderTopColor)), b = lum(rgb(bg));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""", selector)


def test_form_controls_have_3_to_1_contrast_and_errors_take_the_focus(logic_page):
    assert _contrast(logic_page, 'input[type="radio"]') >= 3.0
    logic_page.get_by_role("button", name="Next").click()
    logic_page.wait_for_selector("#error-summary")
    assert logic_page.evaluate("() => document.activeElement.id") == "error-summary"
    logic_page.locator('#error-summary a[href="#div_id_sector"]').click()
    assert logic_page.evaluate("() => document.activeElement.name") == "sector"
