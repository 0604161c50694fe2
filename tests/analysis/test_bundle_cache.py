"""The bundle is built once per report version and language; the version changes with anything the
report is built from (completed responses, the instrument's texts, codings and final codes)."""
from __future__ import annotations

import pytest

from analysis import bundle
from analysis.report import report_version
from surveys.coding.models import AppliedCode, FinalCode
from surveys.models import Question, Response, Wave


@pytest.fixture
def interviews(demo_data, db) -> Wave:
    return Wave.objects.get(slug="cluster-managers-demo")


def test_a_second_download_of_an_unchanged_wave_is_not_built_again(interviews, monkeypatch):
    builds = []
    real = bundle.report_build

    def counting(*args, **kwargs):
        builds.append(kwargs.get("lang"))
        return real(*args, **kwargs)

    monkeypatch.setattr(bundle, "report_build", counting)
    first = bundle.bundle_zip_for(interviews, lang="en")
    assert bundle.bundle_zip_for(interviews, lang="en") == first and builds == ["en"]
    assert bundle.bundle_zip_for(interviews, lang="ru") != first and builds == ["en", "ru"]
    bundle.bundle_zip_for(interviews, lang="en", free_text=True)
    assert builds == ["en", "ru", "en"]  # with free text: another bundle


def _fresh(wave):
    return Wave.objects.select_related("instrument").get(pk=wave.pk)


def test_the_version_follows_responses_texts_and_coding(interviews):
    before = report_version(_fresh(interviews))
    assert report_version(_fresh(interviews)) == before  # stable while nothing changes

    question = Question.objects.filter(instrument=interviews.instrument).first()
    question.label_en = question.label_en + " (edited)"
    question.save()
    after_label = report_version(_fresh(interviews))
    assert after_label != before

    FinalCode.objects.filter(decision__response__wave=interviews).first().delete()
    after_final = report_version(_fresh(interviews))
    assert after_final != after_label

    applied = AppliedCode.objects.filter(coding__response__wave=interviews).first()
    applied.end = (applied.end or 0) + 1
    applied.save()
    after_applied = report_version(_fresh(interviews))
    assert after_applied != after_final

    Response.objects.filter(wave=interviews, status=Response.Status.COMPLETED).first().delete()
    assert report_version(_fresh(interviews)) != after_applied
