"""New completed responses have the worker compute the wave's exact tests ahead
(``analysis.tasks.exact_prepare``), a set delay later and once for all the responses completed
meanwhile, so that the report and the bundle that follow find them known."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from analysis import bundle
from analysis import tasks as analysis_tasks
from analysis.models import ExactTest
from analysis.report import forget_reports, report_build, report_exact_tests
from analysis.stats import crosstab as crosstab_mod
from surveys import demo
from surveys.interviews import services as interview_services
from surveys.models import Response, Wave
from surveys.signals import responses_completed

from ..helpers import fill_response
from ..surveys.test_imports import HEADER

pytestmark = pytest.mark.django_db  # the cache and the reports' memo are emptied around each test (conftest)


def _queued():
    return DBTaskResult.objects.filter(task_path="analysis.tasks.exact_prepare").order_by("enqueued_at")


def test_a_submission_queues_the_tests_once_for_the_responses_of_the_delay(open_wave, answers, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.ANALYSIS_EXACT_DELAY = 30
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fill_response(open_wave, answers)
    assert len(callbacks) == 1  # after the submission's commit, not inside it
    task = _queued().get()
    assert task.args_kwargs["args"] == [open_wave.pk] and task.status == "READY"
    assert before + dt.timedelta(seconds=30) <= task.run_after <= timezone.now() + dt.timedelta(seconds=30)
    # a second respondent within the delay: read by the same task when it runs
    with django_capture_on_commit_callbacks(execute=True):
        fill_response(open_wave, answers)
    assert _queued().count() == 1
    # another process sharing the cache within the delay: its memory is empty, the cache's mark is not
    analysis_tasks.exact_schedule_forget()
    with django_capture_on_commit_callbacks(execute=True):
        fill_response(open_wave, answers)
    assert _queued().count() == 1
    # once the delay is over (the marks gone), the next submission queues the next task
    analysis_tasks._SCHEDULED[open_wave.pk] = 0.0
    cache.delete(f"analysis:exact-scheduled:{open_wave.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        fill_response(open_wave, answers)
    assert _queued().count() == 2
    # within the delay, a submission asks neither the cache nor the database
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fill_response(open_wave, answers)
    with CaptureQueriesContext(connection) as queries, mock.patch.object(cache, "add") as add:
        callbacks[0]()
    assert not queries.captured_queries and not add.called
    # a draft (no submission) queues nothing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fill_response(open_wave, answers, submit=False)
    assert not callbacks and _queued().count() == 2


def test_a_submission_rolled_back_queues_nothing(open_wave, answers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                fill_response(open_wave, answers)
                raise RuntimeError("rolled back")
    assert not callbacks and not _queued().exists()
    assert not Response.objects.filter(wave=open_wave).exists()


def test_a_failing_receiver_never_costs_the_respondent_the_submission(open_wave, answers, caplog,
                                                                      django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("the task table is unreachable")

    responses_completed.connect(broken, dispatch_uid="test-broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response, _structure = fill_response(open_wave, answers)
    finally:
        responses_completed.disconnect(dispatch_uid="test-broken")
    assert Response.objects.get(pk=response.pk).status == Response.Status.COMPLETED
    assert "the task table is unreachable" in caplog.text  # logged
    assert _queued().count() == 1  # the other receiver ran


def test_with_no_delay_every_submission_queues_a_task_to_run_at_once(open_wave, answers, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.ANALYSIS_EXACT_DELAY = 0
    with django_capture_on_commit_callbacks(execute=True):
        fill_response(open_wave, answers)
        fill_response(open_wave, answers)
    assert _queued().count() == 2 and all(t.task_result.task.run_after is None for t in _queued())


def test_an_import_queues_its_task_to_run_at_once_beside_a_waiting_one(open_wave, answers, settings, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    settings.ANALYSIS_EXACT_DELAY = 30
    with django_capture_on_commit_callbacks(execute=True):
        fill_response(open_wave, answers)  # a task in 30 s
    f = tmp_path / "paper.csv"
    f.write_text(HEADER + "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3,1;6,\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_responses", open_wave.slug, str(f))
    assert [t.task_result.task.run_after is None for t in _queued()] == [False, True]


def test_interviews_imports_and_demo_data_send_the_notice(social_capital, make_interview, interview_wave, tmp_path,
                                                           django_capture_on_commit_callbacks):
    seen: list[tuple[int, bool]] = []

    def spy(sender, *, wave_id, batch, **kwargs):
        seen.append((wave_id, batch))

    target = Wave.objects.create(instrument=social_capital, title="Paper", slug="paper", status=Wave.Status.CLOSED)
    f = tmp_path / "paper.csv"
    f.write_text(HEADER + "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3,1;6,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2,1,9,1,1,2,5,3,2,1,4,3,4,3,3,,\n", encoding="utf-8")
    responses_completed.connect(spy, dispatch_uid="test-spy")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_interview(complete=False)  # recorded, not completed: no notice
        assert seen == []
        with django_capture_on_commit_callbacks(execute=True):
            done = make_interview()
        assert seen == [(interview_wave.pk, False)]
        with django_capture_on_commit_callbacks(execute=True):  # a completed interview, corrected
            interview_services.interview_save(interview=done, user=done.interviewer, base_version=done.version,
                                              values={"region": 4})
        assert seen == [(interview_wave.pk, False)] * 2
        seen.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(CommandError, match="nothing was imported"):
                call_command("import_responses", "paper", str(bad))
        assert not callbacks and seen == []  # nothing stored: no notice
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_responses", "paper", str(f))
        assert seen == [(target.pk, True)]
        with django_capture_on_commit_callbacks(execute=True):
            wave, created = demo.create_cluster_organisations_demo()
        assert created and seen == [(target.pk, True), (wave.pk, True)]
        with django_capture_on_commit_callbacks(execute=True):
            demo.create_cluster_organisations_demo()  # a second call creates nothing, and says nothing
        assert seen == [(target.pk, True), (wave.pk, True)]
    finally:
        responses_completed.disconnect(dispatch_uid="test-spy")


def test_the_tests_computed_ahead_are_those_the_report_and_bundle_need(demo_wave, monkeypatch):
    assert ExactTest.objects.count() == 0
    assert analysis_tasks.exact_prepare.call(demo_wave.pk) == 17  # the page's and the bundle's 16
    assert ExactTest.objects.count() == 16  # the page's table is one of the bundle's
    assert analysis_tasks.exact_prepare.call(demo_wave.pk + 10_000) == 0  # no such wave

    # another process, nothing cached: neither the page nor the bundle, in either language, tests anything
    cache.clear()
    forget_reports()

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", refuse)
    page = report_build(demo_wave, lang="ru")
    assert "Фишера" in page.table("crosstab").note  # the page's table is sparse: its exact test, known
    data = bundle.bundle_zip_for(demo_wave, lang="en")
    assert len(data) > 100_000
    assert report_exact_tests(demo_wave) == 17  # asked again: all known, nothing computed


def test_a_wave_with_nothing_to_cross_tabulate_or_too_large_is_left_alone(open_wave, demo_wave, monkeypatch):
    assert report_exact_tests(open_wave) == 0  # no completed response
    monkeypatch.setattr("analysis.report.PREFETCH_RESPONSES", 99)  # the demo wave has 100
    assert report_exact_tests(demo_wave) == 0 and ExactTest.objects.count() == 0
