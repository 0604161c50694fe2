"""The analysis app's background tasks (django-tasks, database backend): run by ``manage.py run_worker``."""
from __future__ import annotations

from django_tasks import task


@task()
def exact_tests(wave_id: int) -> int:
    """Compute and keep the exact tests of a wave's bundle not known yet
    (:func:`analysis.report.exact_tests_compute`); queued after a report page
    (:func:`analysis.report.exact_tests_schedule`). Returns how many tables have one."""
    from surveys.models import Wave

    from .report import exact_tests_compute

    wave = Wave.objects.select_related("instrument").filter(pk=wave_id).first()
    return 0 if wave is None else exact_tests_compute(wave)
