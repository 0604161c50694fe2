"""The bundle is built once per version of a wave's report, title and language, and kept in the
database (analysis.models.PreparedBundle): the worker builds it after a report page, and every
server process serves it from there."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from analysis import bundle
from analysis import report as report_module
from analysis import tasks as analysis_tasks
from analysis.models import ExactTest, PreparedBundle
from analysis.report import forget_reports, report_build
from analysis.stats import crosstab as crosstab_mod
from surveys.models import Response, Wave


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    forget_reports()
    yield
    cache.clear()
    forget_reports()


def _wave(pk: int) -> Wave:
    return Wave.objects.select_related("instrument").get(pk=pk)


@pytest.fixture
def nothing_built(monkeypatch):
    """Neither a bundle nor an exact test may be computed from here on."""

    def refuse(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(bundle, "wave_bundle_write", refuse)
    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", refuse)


def _names(data: bytes) -> set[str]:
    return set(zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_the_report_page_has_the_worker_build_the_bundle(demo_wave, researcher_client, monkeypatch):
    page = f"/analysis/w/{demo_wave.slug}/"
    assert researcher_client.get(page).status_code == 200
    queued = DBTaskResult.objects.filter(task_path="analysis.tasks.bundle_prepare")
    assert [t.args_kwargs["args"] for t in queued] == [[demo_wave.pk, "en"]]
    assert researcher_client.get(page).status_code == 200 and queued.count() == 1  # once per version
    assert researcher_client.get(page, HTTP_ACCEPT_LANGUAGE="ru").status_code == 200
    assert sorted(t.args_kwargs["args"][1] for t in queued.all()) == ["en", "ru"]
    assert ExactTest.objects.count() == 1  # the page's own table, computed by the page

    size = analysis_tasks.bundle_prepare.call(demo_wave.pk, "en")  # as the worker runs it
    kept = PreparedBundle.objects.get()
    assert (kept.wave_id, kept.lang, len(kept.data)) == (demo_wave.pk, "en", size)
    assert ExactTest.objects.count() == 16  # the bundle's 16 tables of counts, the page's among them
    names = _names(bytes(kept.data))
    assert {"README.txt", "report.docx", "report.html", "figures/table1.png", "data.sav", "data.dta",
            "codebook.csv"} <= names
    assert sum(name.startswith("crosstab_") and name.endswith(".txt") for name in names) == 16

    # another process, nothing cached: the download is the kept bundle, nothing is built
    cache.clear()
    forget_reports()
    monkeypatch.setattr(bundle, "wave_bundle_write", lambda *a, **k: pytest.fail("built again"))
    download = researcher_client.get(f"{page}download/bundle.zip")
    assert download.status_code == 200 and download.content == bytes(kept.data)
    # the worker asked again for the same version builds nothing either
    cache.clear()
    assert analysis_tasks.bundle_prepare.call(demo_wave.pk, "en") == size


def test_a_changed_wave_gets_a_new_bundle_in_place_of_the_old(demo_wave, monkeypatch):
    first = bundle.bundle_zip_for(_wave(demo_wave.pk), lang="en")
    old_key = PreparedBundle.objects.get().key
    cache.clear()
    # a response deleted: another report version, the bundle built again and kept in the old one's place
    Response.objects.filter(wave=demo_wave, status=Response.Status.COMPLETED).order_by("pk").first().delete()
    second = bundle.bundle_zip_for(_wave(demo_wave.pk), lang="en")
    kept = PreparedBundle.objects.get()
    assert kept.key != old_key and bytes(kept.data) == second
    readme = zipfile.ZipFile(io.BytesIO(second)).read("README.txt").decode()
    assert "99" in readme and _names(first) == _names(second)
    # a new title: the report's title changes, so does the bundle
    cache.clear()
    Wave.objects.filter(pk=demo_wave.pk).update(title="Renamed wave")
    bundle.bundle_zip_for(_wave(demo_wave.pk), lang="en")
    assert PreparedBundle.objects.count() == 1 and PreparedBundle.objects.get().key not in (old_key, kept.key)
    # each language has its own
    bundle.bundle_zip_for(_wave(demo_wave.pk), lang="ru")
    assert sorted(PreparedBundle.objects.values_list("lang", flat=True)) == ["en", "ru"]


def test_bundles_with_free_text_or_too_large_are_not_kept(demo_wave, monkeypatch):
    bundle.bundle_zip_for(_wave(demo_wave.pk), lang="en", free_text=True)
    assert not PreparedBundle.objects.exists()  # the free-text answers are never copied there
    cache.clear()
    monkeypatch.setattr(bundle, "PREPARED_MAX_BYTES", 1000)
    assert len(bundle.bundle_zip_for(_wave(demo_wave.pk), lang="en")) > 1000
    assert not PreparedBundle.objects.exists()


def test_the_kept_bundle_is_served_in_place_of_building_it(demo_wave, nothing_built):
    wave = _wave(demo_wave.pk)
    key = bundle.bundle_key(wave, lang="en")
    PreparedBundle.objects.create(wave=wave, lang="en", key=key, data=b"kept")
    assert bundle.bundle_zip_for(wave, lang="en") == b"kept"
    with pytest.raises(AssertionError, match="built again"):  # another language's is not this one
        bundle.bundle_zip_for(wave, lang="ru")


def test_no_task_for_a_large_or_empty_wave(demo_wave, interview_demo_wave, monkeypatch):
    report = report_build(_wave(demo_wave.pk))
    monkeypatch.setattr(report_module, "PREFETCH_RESPONSES", 99)  # the demo wave has 100
    assert analysis_tasks.bundle_prepare_schedule(report) is False
    monkeypatch.setattr(report_module, "PREFETCH_RESPONSES", 100)
    assert analysis_tasks.bundle_prepare_schedule(report) is True
    assert analysis_tasks.bundle_prepare_schedule(report) is False  # queued already for this version
    interviews = report_build(_wave(interview_demo_wave.pk))  # no scale, a bundle all the same
    assert analysis_tasks.bundle_prepare_schedule(interviews) is True
    Response.objects.filter(wave=demo_wave).delete()
    empty = report_build(_wave(demo_wave.pk))
    assert empty.n == 0 and analysis_tasks.bundle_prepare_schedule(empty) is False
    assert analysis_tasks.bundle_prepare.call(10**9, "en") == 0  # a wave deleted since
