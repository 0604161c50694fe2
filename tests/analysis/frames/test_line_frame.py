"""The report's frame read from the stored lines (``frames.lines.line_frame``) is the frame built
from the answers (``frames.wave_frame``): same columns, values, types and order, on every demo
wave in both languages and on answers with odd values."""
import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone

from analysis import frames
from analysis.frames.lines import line_frame
from analysis.models import ResponseLine
from surveys import demo
from surveys.models import Answer, Question, Response, Wave

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("slug", [demo.DEMO_WAVE, demo.CM_DEMO_WAVE, demo.CO_DEMO_WAVE, demo.OPEN_WAVE])
def test_the_frame_from_the_lines_is_the_frame_from_the_answers(demo_data, db, slug, lang):
    wave = Wave.objects.select_related("instrument").get(slug=slug)
    expected = frames.wave_frame(wave, lang=lang)
    got = line_frame(wave, lang=lang)
    pd.testing.assert_frame_equal(got, expected)
    assert ResponseLine.objects.filter(response__wave=wave).count() == len(expected)
    assert line_frame(wave, lang=lang).equals(got)  # from the stored lines, the second time


def test_odd_answers_read_back_the_same(demo_data, db):
    wave = Wave.objects.select_related("instrument").get(slug=demo.CM_DEMO_WAVE)
    questions = {q.type: q for q in Question.objects.filter(instrument=wave.instrument).order_by("-pk")}
    texts = ['He said "no", then\nleft; 50 % «да»', "  leading and trailing  ", "=1+1", "1,5", "NA", "null"]
    numbers = [1e20, -0.0, 0.1 + 0.2, 3.0, -17.25, 2.5e-9]
    dates = ["2026-02-28", "2026-02-30", "not a date", "1999-12-31", "2026-01-01", "2026-06-15"]
    choices = [[], [1], [99, 1], [], [2, 3], [1]]
    scale_values = [1, 42, 2, None, 1, 2]  # 42: a code the scale does not have
    for i in range(6):
        response = Response.objects.create(wave=wave, status=Response.Status.COMPLETED, language="ru",
                                           submitted_at=timezone.now() + dt.timedelta(minutes=i), current_step=1)
        values = {Question.Type.TEXT: texts[i], Question.Type.LONG_TEXT: texts[-1 - i],
                  Question.Type.NUMBER: numbers[i], Question.Type.DATE: dates[i],
                  Question.Type.MULTIPLE: choices[i], Question.Type.SINGLE: scale_values[i]}
        for kind, value in values.items():
            if kind in questions and value is not None:
                Answer.objects.create(response=response, question=questions[kind], value=value)
    for lang in ("en", "ru"):
        pd.testing.assert_frame_equal(line_frame(wave, lang=lang), frames.wave_frame(wave, lang=lang))
    got = line_frame(wave).tail(6)
    assert got[questions[Question.Type.TEXT].code].tolist() == texts
    assert got[questions[Question.Type.NUMBER].code].tolist() == numbers


def test_an_empty_wave_has_the_empty_frame(demo_data, db):
    wave = Wave.objects.select_related("instrument").get(slug=demo.OPEN_WAVE)
    Response.objects.filter(wave=wave).delete()
    pd.testing.assert_frame_equal(line_frame(wave), frames.wave_frame(wave))
