"""A real worker process (``manage.py run_worker``) runs the task a report page queues: the exact
tests of the wave's bundle, kept in the database, where the web process then finds them."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from analysis.models import ExactTest
from analysis.report import forget_reports, report_build
from analysis.stats import crosstab as crosstab_mod
from surveys import demo
from surveys.models import Wave

from .conftest import worker_process


def test_the_worker_computes_the_bundles_exact_tests_the_page_queued(shared_db, client, monkeypatch):
    demo.create_social_capital_demo()  # the questionnaire's demo wave alone (no demo accounts)
    cache.clear()
    forget_reports()
    user = get_user_model().objects.create_user("reader", password="x")
    # the permission itself: a flush by an earlier transactional test (PostgreSQL) leaves no role groups
    user.user_permissions.add(Permission.objects.get(content_type__app_label="surveys", codename="analyse_waves"))
    client.force_login(user)
    assert client.get("/analysis/w/social-capital-demo/").status_code == 200
    assert ExactTest.objects.count() == 1  # the page's own table, computed by the page
    task = DBTaskResult.objects.get(task_path="analysis.tasks.exact_tests")
    worker = worker_process(shared_db.env, "--batch")
    output, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, output
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", output
    assert task.return_value == 17  # 17 tables with an exact test: the page's and the 16 of the bundle
    assert ExactTest.objects.count() == 16  # the page's table is one of the bundle's
    # the bundle, in this process with nothing cached, computes none of them
    cache.clear()
    forget_reports()

    def refuse(table, *, limit):
        raise AssertionError("computed again")

    monkeypatch.setattr(crosstab_mod, "fisher_exact_rxc", refuse)
    full = report_build(Wave.objects.select_related("instrument").get(slug="social-capital-demo"), all_crosstabs=True)
    section = next(s for s in full.sections if s.key == "crosstab")
    assert sum(t.result.exact_p is not None for t in section.tables) == 17
