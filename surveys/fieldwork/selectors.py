"""Reads of fieldwork: each invitation's state, a wave's counts and AAPOR response rates,
completions per day, where respondents stop, the partial responses. Constant numbers of queries."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from surveys.models import Invitation, Response, Section, Wave

from .models import Contact, Job, Kind, Mailing, Message


class State:
    """An invitation's state: the furthest it got (opted out wins over all but completed)."""

    CREATED = "created"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    OPTED_OUT = "opted_out"

    LABELS = {
        CREATED: _("created"), SENDING: _("sending"), SENT: _("sent"), FAILED: _("failed"),
        INTERRUPTED: _("interrupted"), OPENED: _("opened"), STARTED: _("started"),
        COMPLETED: _("completed"), OPTED_OUT: _("opted out"),
    }
    ORDER = [CREATED, SENDING, INTERRUPTED, FAILED, SENT, OPENED, STARTED, COMPLETED, OPTED_OUT]


def invitations_with_state(*, wave: Wave) -> QuerySet[Invitation]:
    """The wave's invitations annotated with ``state``, ``last_error`` and ``last_sent_at``.

    opened: the personal link was followed (a response exists); started: at least one page was
    saved; completed: the response was submitted; the e-mail states come from the latest message.
    """
    latest = Message.objects.filter(invitation=OuterRef("pk")).order_by("-pk")
    stale = timezone.now() - dt.timedelta(seconds=settings.FIELDWORK_STALE_SECONDS)
    response = Response.objects.filter(invitation=OuterRef("pk"))
    return (
        Invitation.objects.filter(wave=wave)
        .annotate(
            _msg=Subquery(latest.values("status")[:1]),
            _msg_claimed=Subquery(latest.values("claimed_at")[:1]),
            last_error=Subquery(latest.values("error")[:1]),
            last_sent_at=Subquery(Message.objects.filter(invitation=OuterRef("pk"), status=Message.Status.SENT)
                                  .order_by("-sent_at").values("sent_at")[:1]),
            _ever_sent=Exists(Message.objects.filter(invitation=OuterRef("pk"), status=Message.Status.SENT)),
            _completed=Exists(response.filter(status=Response.Status.COMPLETED)),
            _started=Exists(response.filter(current_step__gte=1)),
            _opened=Exists(response),
            _opted_out=Exists(Contact.objects.filter(invitation=OuterRef("pk"), opted_out_at__isnull=False)),
        )
        .annotate(state=Case(
            When(Q(_completed=True) | Q(used_at__isnull=False), then=Value(State.COMPLETED)),
            When(_opted_out=True, then=Value(State.OPTED_OUT)),
            When(_started=True, then=Value(State.STARTED)),
            When(_opened=True, then=Value(State.OPENED)),
            When(_msg=Message.Status.SENDING, _msg_claimed__lt=stale, then=Value(State.INTERRUPTED)),
            When(_msg__in=[Message.Status.QUEUED, Message.Status.SENDING], _ever_sent=False,
                 then=Value(State.SENDING)),
            When(_msg=Message.Status.FAILED, then=Value(State.FAILED)),
            When(_msg=Message.Status.INTERRUPTED, then=Value(State.INTERRUPTED)),
            When(_ever_sent=True, then=Value(State.SENT)),
            default=Value(State.CREATED), output_field=CharField(),
        ))
        .order_by("pk")
    )


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: int
    denominator: int
    formula: str

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        """The rate in per cent, one decimal (half up), in the active language's number format."""
        if not self.denominator:
            return "—"
        value = (Decimal(100 * self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return number_format(value, 1)


@dataclass
class Dashboard:
    wave: Wave
    states: dict[str, int]
    funnel: list[tuple[str, str, int]]  # (key, label, invitations that got at least this far)
    invited: int
    with_email: int
    completes: int  # I: complete interviews among the invitations
    partials: int  # P: started (a page saved), not submitted
    refusals: int  # R: opted out without completing
    non_contacts: int  # NC: the e-mail failed
    other: int  # UO/O: the rest (sent, opened only, never sent)
    rr1: Rate
    rr2: Rate
    open_link_completed: int
    per_day: list[tuple[dt.date, int]]
    stops: list[dict]  # where the unfinished responses stopped
    mailings: list[Mailing] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)


def completions_per_day(*, wave: Wave) -> list[tuple[dt.date, int]]:
    """Completed responses per calendar day (in TIME_ZONE), every day from the first to the last."""
    rows = (Response.objects.filter(wave=wave, status=Response.Status.COMPLETED)
            .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(n=Count("pk")).order_by("day"))
    counts = {row["day"]: row["n"] for row in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [(first + dt.timedelta(days=k), counts.get(first + dt.timedelta(days=k), 0))
            for k in range((last - first).days + 1)]


def stop_points(*, wave: Wave) -> list[dict]:
    """For the responses not submitted: how many stopped on each page (the page after the last one
    they saved; "review" when every page was saved)."""
    sections = list(Section.objects.filter(instrument_id=wave.instrument_id).order_by("order"))
    total = len(sections)
    counts = Counter(Response.objects.filter(wave=wave, status=Response.Status.IN_PROGRESS)
                     .values_list("current_step", flat=True))
    rows = []
    for index, section in enumerate(sections):
        rows.append({"page": index + 1, "code": section.code, "title": section.title,
                     "count": sum(n for step, n in counts.items() if step == index)})
    rows.append({"page": total + 1, "code": "review", "title": _("Review and submit"),
                 "count": sum(n for step, n in counts.items() if step >= total)})
    return rows


def dashboard_get(*, wave: Wave) -> Dashboard:
    states = Counter({row["state"]: row["n"] for row in
                      invitations_with_state(wave=wave).order_by().values("state").annotate(n=Count("pk"))})
    invited = sum(states.values())
    with_email = Invitation.objects.filter(wave=wave).exclude(email="").count()
    completes = states[State.COMPLETED]
    partials = states[State.STARTED]
    refusals = states[State.OPTED_OUT]
    non_contacts = states[State.FAILED]
    other = invited - completes - partials - refusals - non_contacts
    reached = {
        State.SENT: Invitation.objects.filter(wave=wave, fieldwork_messages__status=Message.Status.SENT)
        .distinct().count(),
        State.OPENED: Response.objects.filter(wave=wave, invitation__isnull=False).count(),
        State.STARTED: Response.objects.filter(wave=wave, invitation__isnull=False)
        .filter(Q(current_step__gte=1) | Q(status=Response.Status.COMPLETED)).count(),
        State.COMPLETED: completes,
        State.OPTED_OUT: Contact.objects.filter(invitation__wave=wave, opted_out_at__isnull=False).count(),
    }
    funnel = [("invited", _("invited"), invited)] + [(key, State.LABELS[key], reached[key]) for key in
                                                       (State.SENT, State.OPENED, State.STARTED, State.COMPLETED,
                                                        State.OPTED_OUT)]
    denominator = completes + partials + refusals + non_contacts + other
    return Dashboard(
        wave=wave, states={key: states[key] for key in State.ORDER}, funnel=funnel, invited=invited,
        with_email=with_email, completes=completes, partials=partials, refusals=refusals,
        non_contacts=non_contacts, other=other,
        rr1=Rate("RR1", completes, denominator, "RR1 = I / ((I + P) + (R + NC + O) + (UH + UO))"),
        rr2=Rate("RR2", completes + partials, denominator, "RR2 = (I + P) / ((I + P) + (R + NC + O) + (UH + UO))"),
        open_link_completed=Response.objects.filter(wave=wave, invitation__isnull=True,
                                                    status=Response.Status.COMPLETED).count(),
        per_day=completions_per_day(wave=wave), stops=stop_points(wave=wave),
        mailings=list(Mailing.objects.filter(wave=wave).annotate(
            n=Count("messages"),
            sent=Count("messages", filter=Q(messages__status=Message.Status.SENT)),
            failed=Count("messages", filter=Q(messages__status=Message.Status.FAILED)),
            waiting=Count("messages", filter=Q(messages__status__in=[Message.Status.QUEUED,
                                                                     Message.Status.SENDING])),
            interrupted=Count("messages", filter=Q(messages__status=Message.Status.INTERRUPTED)),
            skipped=Count("messages", filter=Q(messages__status=Message.Status.SKIPPED)),
        )[:20]),
        jobs=list(Job.objects.filter(wave=wave)[:10]),
    )


def _reachable(wave: Wave) -> QuerySet[Invitation]:
    """Invitations with an address, not completed, not opted out."""
    completed = Response.objects.filter(invitation=OuterRef("pk"), status=Response.Status.COMPLETED)
    opted_out = Contact.objects.filter(invitation=OuterRef("pk"), opted_out_at__isnull=False)
    return (Invitation.objects.filter(wave=wave, used_at__isnull=True).exclude(email="")
            .exclude(Exists(completed)).exclude(Exists(opted_out)))


def mailing_recipients(*, wave: Wave, kind: str) -> QuerySet[Invitation]:
    """Who a new mailing of ``kind`` goes to. Invitations: everyone reachable never sent one.
    Reminders: everyone reachable whose invitation was sent, with no reminder waiting to go out."""
    if kind == Kind.INVITATION:
        return _reachable(wave).exclude(Exists(Message.objects.filter(invitation=OuterRef("pk"),
                                                                      kind=Kind.INVITATION)))
    invited = Message.objects.filter(invitation=OuterRef("pk"), kind=Kind.INVITATION, status=Message.Status.SENT)
    waiting = Message.objects.filter(invitation=OuterRef("pk"), kind=Kind.REMINDER,
                                     status__in=[Message.Status.QUEUED, Message.Status.SENDING])
    return _reachable(wave).filter(Exists(invited)).exclude(Exists(waiting))


def recipients_count(*, wave: Wave) -> dict[str, int]:
    return {kind: mailing_recipients(wave=wave, kind=kind).count() for kind in Kind.values}


def partial_responses(*, wave: Wave) -> tuple[list[str], list[list[object]]]:
    """The responses not submitted, one row each: status, last page, times, then every answer."""
    from surveys.models import Answer, Question

    sections = list(Section.objects.filter(instrument_id=wave.instrument_id).order_by("order")
                    .values_list("code", flat=True))
    questions = list(Question.objects.filter(instrument_id=wave.instrument_id)
                     .order_by("section__order", "order").values_list("pk", "code"))
    responses = list(Response.objects.filter(wave=wave, status=Response.Status.IN_PROGRESS)
                     .order_by("started_at", "pk").values_list("pk", "uuid", "status", "language", "current_step",
                                                               "started_at", "updated_at", "invitation_id"))
    answers: dict[int, dict[int, object]] = {}
    for response_id, question_id, value in Answer.objects.filter(
            response__wave=wave, response__status=Response.Status.IN_PROGRESS).values_list(
            "response_id", "question_id", "value").iterator():
        answers.setdefault(response_id, {})[question_id] = value
    header = ["response_uuid", "status", "language", "pages_saved", "last_page", "last_page_code",
              "started_at", "updated_at", "invited"] + [code for _pk, code in questions]
    rows = []
    for pk, uuid, status, language, step, started, updated, invitation_id in responses:
        page = min(step, len(sections))
        code = sections[step] if step < len(sections) else "review"
        row = [str(uuid), status, language, step, page + 1, code, started.isoformat(), updated.isoformat(),
               int(invitation_id is not None)]
        given = answers.get(pk, {})
        for question_id, _code in questions:
            value = given.get(question_id)
            row.append(";".join(str(v) for v in value) if isinstance(value, list) else ("" if value is None else value))
        rows.append(row)
    return header, rows
