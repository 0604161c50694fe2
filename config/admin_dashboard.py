"""The waves panel of the admin's home page: each wave with its counts and the areas that work on it."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from surveys.coding.models import Codebook
from surveys.models import Instrument, Response, Wave
from surveys.roles import ANALYSE_WAVES, CONDUCT_INTERVIEWS, MANAGE_CODEBOOKS


@dataclass
class WaveLink:
    label: str
    url: str


@dataclass
class WaveRow:
    wave: Wave
    title: str  # in the page's language
    instrument: str
    status: str
    change_url: str
    completed: int
    in_progress: int
    interviews: int | None  # None: not an interview wave
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    links: list[WaveLink] = field(default_factory=list)


def wave_rows(user: AbstractBaseUser) -> list[WaveRow]:
    """Every wave, newest first: its counts of responses (completed, in progress) and interviews,
    and links to its admin page and to the interviews, coding, fieldwork and analysis pages of it
    that ``user`` may open. Two queries, whatever the number of waves."""
    waves = list(Wave.objects.select_related("instrument").annotate(
        _completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED), distinct=True),
        _in_progress=Count("responses", filter=Q(responses__status=Response.Status.IN_PROGRESS), distinct=True),
        _interviews=Count("responses__interview", distinct=True),
    ).order_by("-created_at", "-pk"))
    codebooks: dict[int, list[Codebook]] = defaultdict(list)
    if user.has_perm(MANAGE_CODEBOOKS):
        for book in Codebook.objects.filter(question__instrument_id__in={w.instrument_id for w in waves}).select_related(
                "question").order_by("question__section__order", "question__order"):
            codebooks[book.question.instrument_id].append(book)
    rows = []
    for wave in waves:
        interview = wave.instrument.kind == Instrument.Kind.INTERVIEW
        row = WaveRow(
            wave=wave, title=wave.local_title, instrument=str(wave.instrument), status=wave.get_status_display(),
            change_url=reverse("admin:surveys_wave_change", args=[wave.pk]), completed=wave._completed,
            in_progress=wave._in_progress, interviews=wave._interviews if interview else None,
            opens_at=wave.opens_at, closes_at=wave.closes_at)
        started = wave.status != Wave.Status.DRAFT  # the interviewers' and coders' pages show no drafts
        if interview and started and user.has_perm(CONDUCT_INTERVIEWS):
            row.links.append(WaveLink(_("Interviews"), reverse("interviews:wave", kwargs={"slug": wave.slug})))
        books = codebooks.get(wave.instrument_id, []) if started else []
        for book in books:
            label = _("Coding") if len(books) == 1 else _("Coding: %(question)s") % {"question": book.question.code}
            row.links.append(WaveLink(label, reverse("coding:consensus", kwargs={
                "slug": wave.slug, "question": book.question.code})))
        if not interview and user.has_perm(ANALYSE_WAVES):
            row.links.append(WaveLink(_("Fieldwork"), reverse("fieldwork:dashboard", kwargs={"slug": wave.slug})))
        if user.has_perm(ANALYSE_WAVES):
            row.links.append(WaveLink(_("Analysis"), reverse("analysis:report", kwargs={"slug": wave.slug})))
        rows.append(row)
    return rows
