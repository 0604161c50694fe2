"""The analysis app's background tasks (django-tasks, database backend): run by ``manage.py run_worker``."""
from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
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


_SCHEDULED: dict[int, float] = {}  # wave -> when this process may queue its next delayed task (monotonic)


def exact_schedule_forget() -> None:
    """Forget which waves this process has queued a delayed task for (tests)."""
    _SCHEDULED.clear()


@task()
def exact_prepare(wave_id: int) -> int:
    """Compute the exact tests of the wave's report and bundle that are not known yet
    (:func:`analysis.report.report_exact_tests`), for the responses stored when it runs; queued
    after new completed responses (:func:`exact_prepare_schedule`). Returns how many
    cross-tabulations the wave has (0: no such wave, too large, or nothing to cross-tabulate)."""
    from surveys.models import Wave

    wave = Wave.objects.select_related("instrument").filter(pk=wave_id).first()
    return 0 if wave is None else report_module.report_exact_tests(wave)


def exact_prepare_schedule(wave_id: int, *, at_once: bool = False) -> bool:
    """After new completed responses of a wave (``surveys.signals.responses_completed``): have the
    worker compute its exact tests ``ANALYSIS_EXACT_DELAY`` seconds later (:func:`exact_prepare`),
    once for every response completed meanwhile; ``at_once`` (after an import or the demo data,
    which store all their responses in one go), with no delay. In each process, a wave gets one
    delayed task per delay: the responses completed while one is waiting are read when it runs,
    and those completed after its delay has passed queue the next, so that none is left out.
    Returns whether a task was queued.

    A submission within the delay costs a look into this process's memory, not a query: the
    cache (shared by the processes when it is a database's or Redis's, docs/deployment.md) is
    asked once per delay, so that the processes sharing it queue one task between them."""
    delay = 0.0 if at_once else max(0.0, float(getattr(settings, "ANALYSIS_EXACT_DELAY", 30)))
    if delay:
        now = time.monotonic()
        if _SCHEDULED.get(wave_id, 0.0) > now:
            return False
        _SCHEDULED[wave_id] = now + delay
        if not cache.add(f"analysis:exact-scheduled:{wave_id}", True, delay):
            return False
    run = exact_prepare.using(run_after=timezone.now() + dt.timedelta(seconds=delay)) if delay else exact_prepare
    run.enqueue(wave_id)
    return True
