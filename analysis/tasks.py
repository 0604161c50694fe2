"""The analysis app's background tasks (django-tasks, database backend): run by ``manage.py run_worker``."""
from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from . import report as report_module


@task()
def exact_tests(wave_id: int) -> int:
    """Compute and keep the exact tests of a wave's bundle not known yet
    (:func:`analysis.report.exact_tests_compute`); queued after a report page
    (:func:`exact_tests_schedule`). Returns how many tables have one."""
    from surveys.models import Wave

    wave = Wave.objects.select_related("instrument").filter(pk=wave_id).first()
    return 0 if wave is None else report_module.exact_tests_compute(wave)


def exact_tests_schedule(report: report_module.Report) -> bool:
    """After a report page: have the worker compute the exact tests of the wave's bundle
    (:func:`exact_tests`) while the researcher reads the page, so that the bundle downloaded next
    finds them. Once per report version in each process; not for waves of more than
    ``analysis.report.PREFETCH_RESPONSES`` responses (seldom sparse) or without a scale. Returns
    whether the task was queued."""
    if not report.version or not report.roles.items or not 0 < report.n <= report_module.PREFETCH_RESPONSES:
        return False
    if not cache.add(f"analysis:exact-scheduled:{report.version}", True, report_module.CACHE_SECONDS):
        return False
    exact_tests.enqueue(report.wave.pk)
    return True
