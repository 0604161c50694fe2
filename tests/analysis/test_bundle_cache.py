"""The bundle is built once per report version and language; the version changes with anything the
report is built from (completed responses, the instrument's texts, codings and final codes). Its ZIP
file holds what ``analyze`` writes into a folder."""
from __future__ import annotations

import io
import zipfile

import pytest

from analysis import bundle
from analysis.report import report_build, report_version
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


def test_the_zip_holds_what_analyze_writes_into_a_folder(demo_wave, tmp_path):
    """bundle.zip is written straight into the ZIP file, analyze into a folder: the same files, and
    the same bytes for every file whose format holds no time of writing (documents, figures and
    data files do)."""
    wave = Wave.objects.select_related("instrument").get(pk=demo_wave.pk)
    folder = tmp_path / "bundle"
    written = bundle.wave_bundle_write(wave, folder, lang="en")
    on_disk = {path.relative_to(folder).as_posix() for path in written}
    assert on_disk == {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    data = bundle.bundle_zip(report_build(wave, lang="en", all_crosstabs=True))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        infos = {info.filename: info for info in zf.infolist()}
        assert set(infos) == on_disk and len(infos) == len(zf.infolist())  # no member twice
        assert {"README.txt", "report.docx", "figures/table1.png", "values/table1.csv", "data.sav"} <= set(infos)
        for name, info in infos.items():
            assert info.compress_type == zipfile.ZIP_DEFLATED, name
            if name.rsplit(".", 1)[-1] in {"csv", "tex", "html", "txt", "json"}:
                assert zf.read(name) == (folder / name).read_bytes(), name
