"""A real worker process (``manage.py run_worker``) runs the analysis' tasks: the one a report page
queues (the wave's bundle, built with its exact tests and kept in the database, where the web
process then finds it), and the one new completed responses queue (the wave's exact tests)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from analysis import bundle
from analysis.models import ExactTest, PreparedBundle
from analysis.report import forget_reports
from analysis.stats import crosstab as crosstab_mod
from surveys import demo

from .conftest import worker_process


def test_the_worker_builds_the_bundle_the_page_queued(shared_db, client, monkeypatch):
    demo.create_social_capital_demo()  # the questionnaire's demo wave alone (no demo accounts)
    cache.clear()
    forget_reports()
    user = get_user_model().objects.create_user("reader", password="x")
    # the permission itself: a flush by an earlier transactional test (PostgreSQL) leaves no role groups
    user.user_permissions.add(Permission.objects.get(content_type__app_label="surveys", codename="analyse_waves"))
    client.force_login(user)
    assert client.get("/analysis/w/social-capital-demo/").status_code == 200
    assert ExactTest.objects.count() == 1  # the page's own table, computed by the page
    task = DBTaskResult.objects.get(task_path="analysis.tasks.bundle_prepare")
    worker = worker_process(shared_db.env, "--batch")
    output, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, output
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", output
    kept = PreparedBundle.objects.get()
    assert task.return_value == len(kept.data) > 100_000 and kept.lang == "en"
    assert ExactTest.objects.count() == 16  # the bundle's tables of counts, the page's among them
    # the download, in this process with nothing cached, builds nothing and computes no test
    cache.clear()
    forget_reports()

    def refuse(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", refuse)
    monkeypatch.setattr(bundle, "wave_bundle_write", refuse)
    download = client.get("/analysis/w/social-capital-demo/download/bundle.zip")
    assert download.status_code == 200 and download.content == bytes(kept.data)


def test_the_worker_computes_the_exact_tests_new_responses_queued(shared_db, client, settings, monkeypatch):
    settings.ANALYSIS_EXACT_DELAY = 3600  # not for a batch: queued to run at once
    cache.clear()
    forget_reports()
    wave, created = demo.create_social_capital_demo()  # 100 completed responses, committed: the notice
    assert created == 100
    task = DBTaskResult.objects.get(task_path="analysis.tasks.exact_prepare")
    assert task.args_kwargs["args"] == [wave.pk] and task.task_result.task.run_after is None
    assert not ExactTest.objects.exists()
    worker = worker_process(shared_db.env, "--batch")
    output, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, output
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.return_value == 17, output
    assert ExactTest.objects.count() == 16  # the page's table and the bundle's, kept for every process
    # the first download, in this process with nothing cached, computes no test
    cache.clear()
    forget_reports()

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", refuse)
    user = get_user_model().objects.create_user("reader", password="x")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="surveys", codename="analyse_waves"))
    client.force_login(user)
    download = client.get(f"/analysis/w/{wave.slug}/download/bundle.zip")
    assert download.status_code == 200 and len(download.content) > 100_000
