"""The data files with and without free text (issue 13, part 2): without it, no export holds any
personal value stored for the wave; with it, the free-text answers are the only personal data."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command

from analysis import bundle, exports
from analysis.report import report_build
from surveys import services
from surveys.models import Answer, Question, Response, Wave

from .personal_data import find_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(instruments):
    call_command("make_demo_data", verbosity=0)
    wave = Wave.objects.get(slug="social-capital-demo")
    issued = services.invitations_create(wave=wave, count=1, emails=["ceo@firm.example"], labels=["Firm X"])
    response = services.response_start(wave=wave, invitation=issued[0].invitation).response
    Response.objects.filter(pk=response.pk).update(status="completed", submitted_at=wave.opens_at)
    comment = Question.objects.get(instrument=wave.instrument, code="comment")
    Answer.objects.create(response=response, question=comment, value="Иван Петров, директор ООО «Ромашка»")
    return wave


def _text(content: bytes, fmt: str) -> str:
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "".join(zf.read(n).decode() for n in zf.namelist())
    return content.decode("utf-8", "ignore")


@pytest.mark.parametrize("fmt", exports.DATA_FORMATS)
def test_data_files_without_free_text_hold_no_personal_data(wave, fmt):
    assert find_personal_data(_text(exports.data_bytes(wave, fmt, free_text=False), fmt), wave) == []
    assert find_personal_data(_text(exports.data_bytes(wave, fmt, bom=True, free_text=False), fmt), wave) == []


@pytest.mark.parametrize("fmt", exports.DATA_FORMATS)
def test_data_files_with_free_text_hold_only_free_text(wave, fmt):
    text = _text(exports.data_bytes(wave, fmt), fmt)
    assert find_personal_data(text, wave, allowed=frozenset({"free_text"})) == []
    assert "Иван Петров" in text


def test_the_bundle_holds_no_free_text_unless_asked(wave):
    report = report_build(wave, all_crosstabs=False)
    with zipfile.ZipFile(io.BytesIO(bundle.bundle_zip(report))) as zf:
        for name in zf.namelist():
            if name.startswith("data."):
                assert find_personal_data(_text(zf.read(name), name.rsplit(".", 1)[1]), wave) == [], name
    with zipfile.ZipFile(io.BytesIO(bundle.bundle_zip(report, free_text=True))) as zf:
        assert "Иван Петров" in zf.read("data.csv").decode()
