"""The interview page marks every question the guide requires (needed to complete the interview),
as the questionnaire does: an asterisk, and "(required)" for screen readers; a mark, not a rule."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from surveys.interviews import selectors
from surveys.selectors import wave_structure

from tests.helpers import login

@pytest.mark.django_db
@pytest.mark.parametrize("lang, note, legend", [
    ("en", "(required)", "Questions marked * must be answered before the interview is marked complete."),
    ("ru", "(обязательный)", "На вопросы, отмеченные *, нужно ответить, прежде чем отметить интервью как завершённое."),
])
def test_every_required_question_of_the_interview_page_is_marked(make_interview, users, lang, note, legend):
    interview = make_interview(complete=False)
    client = login(users["interviewer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(reverse("interviews:edit", kwargs={"uuid": interview.response.uuid})).content.decode()
    questions = selectors.interview_questions(structure=wave_structure(wave=interview.response.wave))
    required = [q.code for q in questions if q.required]
    assert "local_benefits" in required and "cluster" in required
    for question in questions:
        start = html.index(f'data-field="{question.code}"')
        block = html[start:html.find('<div class="question"', start + 1)]
        label = block[:block.index("</legend>" if "</legend>" in block else "</label>")]
        marked = '<span class="asteriskField" aria-hidden="true">*</span>' in label and f"> {note}</span>" in label
        assert marked == question.required, (question.code, label[-300:])
    local_benefits = html[html.index('data-field="local_benefits"'):]
    assert "asteriskField" in local_benefits[:local_benefits.index("</legend>")]  # the one the issue named
    assert legend in html
    # a marker, not a rule: the browser does not refuse a partial interview (autosave stores any part)
    assert not re.search(r"<(input|textarea|select)\b[^>]*\srequired\b", html)
