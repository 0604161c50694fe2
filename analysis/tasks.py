"""The analysis app's background tasks (django-tasks, database backend): run by ``manage.py run_worker``."""
from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from . import bundle
from . import report as report_module


@task()
def bundle_prepare(wave_id: int, lang: str) -> int:
    """Build a wave's bundle in ``lang`` and keep it (:func:`analysis.bundle.bundle_zip_for`: in the
    database, for every process), with its exact tests; queued after a report page
    (:func:`bundle_prepare_schedule`). Nothing is built when the bundle of the wave's current
    version is kept already. Returns the bundle's size in bytes (0: no such wave)."""
    from surveys.models import Wave

    wave = Wave.objects.select_related("instrument").filter(pk=wave_id).first()
    return 0 if wave is None else len(bundle.bundle_zip_for(wave, lang=lang))


def bundle_prepare_schedule(report: report_module.Report) -> bool:
    """After a report page: have the worker build the wave's bundle in the page's language
    (:func:`bundle_prepare`) while the researcher reads the page, so that the bundle downloaded next
    is ready. Once per bundle version in each process; not for waves of more than
    ``analysis.report.PREFETCH_RESPONSES`` responses (their bundle is built when it is asked for)
    or without any. Returns whether the task was queued."""
    if not report.version or not 0 < report.n <= report_module.PREFETCH_RESPONSES:
        return False
    key = bundle.bundle_key(report.wave, lang=report.lang, version=report.version)
    if not cache.add(f"analysis:bundle-scheduled:{key}", True, report_module.CACHE_SECONDS):
        return False
    bundle_prepare.enqueue(report.wave.pk, report.lang)
    return True
