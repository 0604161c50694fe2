"""Writes. Every function that changes data lives here, is keyword-only and atomic."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import smtplib
import uuid as uuid_module
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import logic
from .signals import responses_completed_notify, structure_changed
from .models import (Answer, Block, Instrument, Invitation, Option, Question, QuestionAddition, Response, Scale,
                     Section, Wave, hash_token, versioned_error)

TOKEN_BYTES = 32  # 256 bits of entropy: unguessable


def new_token() -> str:
    """A URL-safe random token (43 characters, 256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


# --- instrument integrity: the code lock and the structure lock are the models' rules ----------
# (Question/Option.code_lock_check, StructureLockMixin.structure_lock_check); the services apply them.

def instrument_edit_check(*, instrument: Instrument) -> None:
    """Refuse (``ValidationError``, code ``instrument_answered``) to change the structure of a version
    that waves hold answers to: a new version is made instead (:func:`instrument_version_create`)."""
    if instrument.has_answers():
        raise versioned_error(instrument)


def question_update(*, question: Question, **fields: Any) -> Question:
    """Change a question's fields; the code is locked once answers exist, and so is what the
    respondents are asked once the instrument has answers (texts may be reworded)."""
    for name, value in fields.items():
        setattr(question, name, value)
    with transaction.atomic():
        question.full_clean()
        question.save()
    return question


def question_create(*, instrument: Instrument, section: Section, code: str, type: str, text_en: str,
                    text_ru: str, **fields: Any) -> Question:
    """Add a question to an instrument that no wave holds answers to (a draft version, say)."""
    instrument_edit_check(instrument=instrument)
    question = Question(instrument=instrument, section=section, code=code, type=type, text_en=text_en,
                        text_ru=text_ru, **fields)
    with transaction.atomic():
        question.full_clean()
        question.save()
    return question


def structure_row_delete(*, row: Question | Option | Section | Scale | Block) -> None:
    """Delete a question, option, section, scale or block of an instrument that has no answers."""
    row.delete_lock_check()
    with transaction.atomic():
        row.delete()


def option_update(*, option: Option, **fields: Any) -> Option:
    for name, value in fields.items():
        setattr(option, name, value)
    with transaction.atomic():
        option.full_clean()
        option.save()
    return option


# --- instrument versions --------------------------------------------------------------------

def _unsaved(row, **changes):
    """``row`` as a new, unsaved row with every field copied but the primary key and ``changes``."""
    row.pk = None
    row.id = None
    row._state.adding = True
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def _copy(row, **changes):
    row = _unsaved(row, **changes)
    row.save()
    return row


def instrument_version_create(*, instrument: Instrument) -> Instrument:
    """Copy ``instrument`` into a new draft version: sections, scales with their options (labels,
    order, missing flags), blocks and questions (texts, labels, roles, groups, limits), every code
    kept. The draft can be edited until a wave has answers to it; publishing it
    (:func:`instrument_publish`, or opening a wave that uses it) makes it the version new waves use.
    """
    with transaction.atomic():
        versions = Instrument.objects.select_for_update().filter(code=instrument.code)
        draft = versions.filter(status=Instrument.Status.DRAFT).exclude(pk=instrument.pk).order_by("-version").first()
        if draft is not None:
            raise ValidationError(
                _("Version %(version)d of this instrument is already a draft: edit that one, or delete it first "
                  "(the action “Delete the selected drafts”)."),
                code="draft_exists", params={"version": draft.version})
        number = max(versions.values_list("version", flat=True), default=0) + 1
        source = Instrument.objects.get(pk=instrument.pk)
        new = _copy(Instrument.objects.get(pk=instrument.pk), version=number, status=Instrument.Status.DRAFT,
                    previous=source)
        for block in Block.objects.filter(instrument=source):
            _copy(block, instrument=new)
        scales: dict[int, Scale] = {}
        for scale in Scale.objects.filter(instrument=source):
            old_pk = scale.pk
            options = list(Option.objects.filter(scale_id=old_pk))
            scales[old_pk] = _copy(scale, instrument=new)
            Option.objects.bulk_create([_unsaved(o, scale=scales[old_pk]) for o in options])
        sections: dict[int, Section] = {}
        for section in Section.objects.filter(instrument=source):
            old_pk = section.pk
            sections[old_pk] = _copy(section, instrument=new)
        questions = list(Question.objects.filter(instrument=source))
        codes = {q.pk: q.code for q in questions}
        parents = {q.code: codes[q.specify_for_id] for q in questions if q.specify_for_id}
        Question.objects.bulk_create([
            _unsaved(q, instrument=new, section=sections[q.section_id],
                     scale=scales[q.scale_id] if q.scale_id else None, specify_for=None)
            for q in questions
        ])
        # "please specify" text questions point to their choice question in the new version
        copies = dict(Question.objects.filter(instrument=new).values_list("code", "pk"))
        for code, parent in parents.items():
            Question.objects.filter(pk=copies[code]).update(specify_for_id=copies[parent])
        structure_changed(instrument_id=new.pk)  # the bulk writes above send no signal
    new.refresh_from_db(fields=["structure_revision"])
    return new


def instrument_draft_delete(*, instrument: Instrument) -> None:
    """Delete a draft version that no wave uses, with its sections, scales, options, blocks and questions."""
    if instrument.status != Instrument.Status.DRAFT:
        raise ValidationError(_("Only a draft version can be deleted."), code="not_draft")
    if instrument.waves.exists():
        raise ValidationError(_("This draft is used by a wave; change the wave's instrument first."), code="in_use")
    with transaction.atomic():
        Question.objects.filter(instrument=instrument).delete()  # before the scales they protect
        instrument.delete()


def instrument_publish(*, instrument: Instrument) -> Instrument:
    """Make a version the one new waves use; earlier published versions of the instrument retire
    (the waves that use them keep them)."""
    if instrument.status == Instrument.Status.RETIRED:
        raise ValidationError(_("A retired version cannot be published again; create a new version."),
                              code="retired")
    with transaction.atomic():
        Instrument.objects.filter(code=instrument.code, status=Instrument.Status.PUBLISHED,
                                  version__lt=instrument.version).update(status=Instrument.Status.RETIRED)
        Instrument.objects.filter(pk=instrument.pk).update(status=Instrument.Status.PUBLISHED)
    instrument.status = Instrument.Status.PUBLISHED
    return instrument


@dataclass(frozen=True)
class QuestionAdded:
    question: Question
    addition: QuestionAddition


def wave_question_add(
    *, wave: Wave, section: Section, code: str, type: str, text_en: str, text_ru: str,
    scale: Scale | None = None, confirmed: bool = False, user=None, **fields: Any,
) -> QuestionAdded:
    """Add a question to a wave that is running, on purpose and on the record.

    The question is added to the wave's instrument version (and so to every wave that uses it),
    as an optional question: the responses already in were not asked it, and their answer stays
    missing (not asked). The addition is recorded (:class:`surveys.models.QuestionAddition`) with
    the time and the numbers of responses already started and completed, so the codebook and
    the exports can say which responses were not asked. ``confirmed`` must be True: the caller
    has shown what happens to the responses already in.
    """
    if not confirmed:
        raise ValidationError(_("Confirm that the responses already in will have this question missing (not asked)."),
                              code="not_confirmed")
    if wave.status != Wave.Status.OPEN:
        raise ValidationError(_("Only a running (open) wave can have a question added this way; edit a draft "
                                "version of the instrument instead."), code="not_running")
    question = Question(instrument_id=wave.instrument_id, section=section, code=code, type=type, text_en=text_en,
                        text_ru=text_ru, scale=scale, required=False, **fields)
    question.order = question.order or (max(Question.objects.filter(section=section).values_list(
        "order", flat=True), default=0) + 1)
    with transaction.atomic():
        Wave.objects.select_for_update().filter(pk=wave.pk).first()
        # Every check of Question.full_clean() but the structure lock, which is what this action lifts.
        question.clean_fields()
        question.references_check()
        question.validate_unique()
        question.validate_constraints()
        question.save()
        responses = Response.objects.filter(wave__instrument_id=wave.instrument_id)
        addition = QuestionAddition.objects.create(
            wave=wave, question=question, added_by=user if getattr(user, "pk", None) else None,
            responses_before=responses.count(),
            completed_before=responses.filter(status=Response.Status.COMPLETED).count())
    return QuestionAdded(question=question, addition=addition)


# --- waves ----------------------------------------------------------------------------

def wave_open(*, wave: Wave) -> Wave:
    """Open a wave for answers. A closed wave can be reopened. A draft instrument version is
    published when its first wave opens (from then on it changes only as a new version)."""
    if wave.closes_at and wave.closes_at <= timezone.now():
        raise ValidationError(_("The wave’s closing time has passed; move it before opening the wave."),
                              code="closes_in_past")
    with transaction.atomic():
        if wave.instrument.status == Instrument.Status.DRAFT:
            instrument_publish(instrument=wave.instrument)
        wave.status = Wave.Status.OPEN
        wave.save(update_fields=["status"])
    return wave


def wave_close(*, wave: Wave) -> Wave:
    wave.status = Wave.Status.CLOSED
    wave.save(update_fields=["status"])
    return wave


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


def invitations_create(
    *, wave: Wave, count: int = 0, labels: Sequence[str] = (), emails: Sequence[str] = (),
) -> list[IssuedInvitation]:
    """Create invitations; return them with their tokens (shown once, never stored).

    Either ``count`` anonymous invitations, or one per label/e-mail given.
    """
    n = max(count, len(labels), len(emails))
    if n < 1:
        raise ValidationError(_("Give a number of invitations of at least 1."), code="count")
    if n > 100_000:
        raise ValidationError(_("At most 100 000 invitations can be created at once."), code="count")
    tokens = [new_token() for _i in range(n)]
    objs = [
        Invitation(
            wave=wave,
            token_hash=hash_token(token),
            label=labels[i] if i < len(labels) else "",
            email=emails[i] if i < len(emails) else "",
        )
        for i, token in enumerate(tokens)
    ]
    with transaction.atomic():
        created = Invitation.objects.bulk_create(objs, batch_size=1000)
    if created and created[0].pk is None:  # backends that do not return primary keys
        by_hash = {inv.token_hash: inv for inv in Invitation.objects.filter(wave=wave, token_hash__in=[o.token_hash for o in objs])}
        created = [by_hash[o.token_hash] for o in objs]
    return [IssuedInvitation(invitation=inv, token=token) for inv, token in zip(created, tokens)]


# --- responses ------------------------------------------------------------------------

@dataclass(frozen=True)
class StartedResponse:
    response: Response
    resume_token: str | None
    created: bool = True  # False: the response this invitation or start key had already started


def start_token(*, wave: Wave, start_key: str) -> str:
    """The resume token of the response a start key opens: HMAC-SHA256 of the key under the
    project's secret, so every request carrying the same key names the same response."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"start:{wave.pk}:{start_key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def response_start(*, wave: Wave, invitation: Invitation | None = None, language: str = "",
                   start_key: str | None = None) -> StartedResponse:
    """Start (or, for an invitation, resume) a response.

    Open-link responses get a resume token (only its hash is stored).
    An invitation has at most one response: a second call returns it.
    A ``start_key`` (a random key the respondent's session holds) makes starting idempotent: every
    call with the same key, however many run at once, returns the one response it started.
    """
    if invitation is not None:
        try:
            with transaction.atomic():
                response = Response.objects.create(wave=wave, invitation=invitation, language=language)
        except IntegrityError:
            return StartedResponse(response=Response.objects.get(invitation=invitation), resume_token=None,
                                   created=False)
        return StartedResponse(response=response, resume_token=None)
    token = start_token(wave=wave, start_key=start_key) if start_key else new_token()
    try:
        with transaction.atomic():
            response = Response.objects.create(wave=wave, resume_token_hash=hash_token(token), language=language)
    except IntegrityError:
        response = Response.objects.filter(resume_token_hash=hash_token(token), wave=wave).first()
        if response is None:
            raise
        return StartedResponse(response=response, resume_token=token, created=False)
    return StartedResponse(response=response, resume_token=token)


class ResponseClosed(Exception):
    """The response was already submitted, or its wave no longer accepts answers."""


def _answer_split(questions: Iterable[Question], cleaned: dict[str, Any]) -> tuple[list[tuple[Question, Any]], list[int]]:
    """The (question, value) pairs a section's answers store, and the pks of its questions left empty."""
    keep, clear = [], []
    for question in questions:
        value = cleaned.get(question.code)
        if value in (None, "", []):
            clear.append(question.pk)
        else:
            keep.append((question, value))
    return keep, clear


def _answer_rows(response: Response, questions: Iterable[Question], cleaned: dict[str, Any]) -> tuple[list[Answer], list[int]]:
    keep, clear = _answer_split(questions, cleaned)
    return [Answer(response=response, question=question, value=value) for question, value in keep], clear


def answers_after_section(
    *, stored: dict[int, Any], questions: Sequence[Question], cleaned_data: dict[str, Any],
    hidden: Sequence[Question] = (),
) -> dict[int, Any]:
    """The answers (question pk -> value) a response holds once :func:`response_save_section` has
    stored these, given those it held before (``selectors.response_answers``), without reading them
    again. Each value is passed through the answer's JSON encoding and decoding, as reading it back
    from the database would give it."""
    field = Answer._meta.get_field("value")
    keep, clear = _answer_split(questions, cleaned_data)
    gone = set(clear) | {q.pk for q in hidden}
    after = {pk: value for pk, value in stored.items() if pk not in gone}
    for question, value in keep:
        after[question.pk] = json.loads(json.dumps(value, cls=field.encoder), cls=field.decoder)
    return after


def response_save_section(
    *, response: Response, questions: Sequence[Question], cleaned_data: dict[str, Any], step: int,
    hidden: Sequence[Question] = (),
) -> Response:
    """Store the answers of one section (already validated by its form).

    A constant number of queries whatever the number of questions: one upsert,
    one delete of answers that were cleared (with those of ``hidden``, questions of other pages that
    the logic now hides), one update of the response.
    """
    keep, clear = _answer_rows(response, questions, cleaned_data)
    clear += [q.pk for q in hidden]
    with transaction.atomic():
        updated = Response.objects.filter(pk=response.pk, status=Response.Status.IN_PROGRESS).update(
            current_step=max(step, response.current_step), updated_at=timezone.now(),
        )
        if not updated:
            raise ResponseClosed(_("This response has already been submitted."))
        if keep:
            Answer.objects.bulk_create(
                keep, update_conflicts=True, unique_fields=["response", "question"], update_fields=["value"],
            )
        # always one DELETE (of the answers this page leaves empty), so a page costs the same queries
        # whatever was answered
        Answer.objects.filter(response=response, question_id__in=clear or [0]).delete()
    response.current_step = max(step, response.current_step)
    return response


def response_hidden_clear(*, response: Response, questions: Sequence[Question], shown: dict[str, bool]) -> int:
    """Delete the stored answers of the questions the logic now hides (an answer that made a later
    question appear was changed). One query; returns how many answers were deleted."""
    hidden = [q.pk for q in questions if not shown.get(q.code, True)]
    if not hidden:
        return 0
    deleted, _rows = Answer.objects.filter(response=response, question_id__in=hidden).delete()
    return deleted


def shown_questions(questions: Sequence[Question], answers: dict[str, Any]) -> list[Question]:
    """The questions the logic shows given ``answers`` (code -> value), in the order given
    (grouped by section in order, as ``surveys.logic.visibility`` reads them)."""
    if not any(q.condition or q.section.condition for q in questions):
        return list(questions)
    sections: dict[int, tuple[Any, list[Question]]] = {}
    for q in sorted(questions, key=lambda q: (q.section.order, q.order)):
        sections.setdefault(q.section_id, (q.section.condition, []))[1].append(q)
    shown, _pages = logic.visibility(
        [(pk, condition, [(q.code, q.condition) for q in qs]) for pk, (condition, qs) in sections.items()], answers)
    return [q for q in questions if shown[q.code]]


def response_missing_required(*, response: Response, questions: Sequence[Question]) -> list[Question]:
    """The required questions the logic shows that have no answer."""
    stored = dict(Answer.objects.filter(response=response).values_list("question_id", "value"))
    by_code = {q.code: stored[q.pk] for q in questions if q.pk in stored}
    return [q for q in shown_questions(questions, by_code) if q.required and q.pk not in stored]


@dataclass(frozen=True)
class SubmitResult:
    response: Response
    created: bool  # False when the response had already been submitted (idempotent resend)


def response_submit(
    *, response: Response, questions: Sequence[Question], language: str = "",
) -> SubmitResult:
    """Complete a response, once.

    Idempotent: a resend, a double click or a second tab gets the same
    completed response back (``created=False``); the completion is a single
    conditional UPDATE, so two concurrent submits cannot both complete it.
    Raises ``ValidationError`` (code ``missing``) listing unanswered required
    questions, and ``ResponseClosed`` when the wave no longer accepts answers.
    """
    with transaction.atomic():
        current = Response.objects.select_for_update().select_related("wave").get(pk=response.pk)
        if current.status == Response.Status.COMPLETED:
            return SubmitResult(response=current, created=False)
        if not current.wave.is_accepting():
            raise ResponseClosed(_("This survey is closed."))
        missing = response_missing_required(response=current, questions=questions)
        if missing:
            raise ValidationError(
                _("Please answer the required questions: %(codes)s.") % {"codes": ", ".join(q.code for q in missing)},
                code="missing", params={"questions": missing},
            )
        now = timezone.now()
        updated = Response.objects.filter(pk=current.pk, status=Response.Status.IN_PROGRESS).update(
            status=Response.Status.COMPLETED, submitted_at=now, language=language or current.language,
        )
        if not updated:  # lost a race to a concurrent submit of the same response
            return SubmitResult(response=Response.objects.get(pk=current.pk), created=False)
        if current.invitation_id:
            Invitation.objects.filter(pk=current.invitation_id, used_at__isnull=True).update(used_at=now)
        responses_completed_notify(current.wave_id)
    # what the UPDATE stored, without reading it back
    current.status, current.submitted_at = Response.Status.COMPLETED, now
    current.language = language or current.language
    return SubmitResult(response=current, created=True)



# --- personal data ----------------------------------------------------------------------

FREE_TEXT_TYPES = (Question.Type.TEXT, Question.Type.LONG_TEXT)


@dataclass(frozen=True)
class ErasureReport:
    invitations: int
    emails_cleared: int
    labels_cleared: int
    responses: int
    free_text_answers: int
    free_text_codes: tuple[str, ...]
    coded_answers_kept: int
    admin_log_entries: int
    dry_run: bool


def personal_data_erase(
    *, emails: Sequence[str] = (), labels: Sequence[str] = (), response_uuids: Sequence[str] = (),
    free_text: bool = True, dry_run: bool = False,
) -> ErasureReport:
    """Erase a respondent's personal data on request; keep the anonymous coded answers.

    Finds invitations by e-mail (case-insensitive) or label and responses by UUID
    (with their invitations), then clears the invitations' e-mail and label, the
    names under which the admin's log recorded them, and (unless ``free_text`` is
    False) the respondent's short and long text answers, which may identify them.
    Answers on scales, choices, numbers, dates and yes/no stay: they are anonymous
    once the link to the person is gone. ``dry_run`` reports without changing anything.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    with transaction.atomic():
        inv_filter = Q(pk__in=[])
        for email in emails:
            inv_filter |= Q(email__iexact=email.strip())
        for label in labels:
            inv_filter |= Q(label=label.strip())
        uuids = []
        for value in response_uuids:
            try:
                uuids.append(uuid_module.UUID(str(value).strip()))
            except ValueError as exc:
                raise ValidationError(_("“%(value)s” is not a response UUID.") % {"value": value}, code="uuid") from exc
        responses = Response.objects.select_for_update(of=("self",)).filter(
            Q(uuid__in=uuids) | Q(invitation__in=Invitation.objects.filter(inv_filter)))
        response_ids = list(responses.values_list("pk", flat=True))
        invitations = Invitation.objects.select_for_update(of=("self",)).filter(
            inv_filter | Q(response__pk__in=response_ids))
        invitation_ids = list(invitations.values_list("pk", flat=True))
        answers = Answer.objects.filter(response_id__in=response_ids)
        text_answers = answers.filter(question__type__in=FREE_TEXT_TYPES) if free_text else answers.none()
        log_entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Invitation),
            object_id__in=[str(pk) for pk in invitation_ids])
        report = ErasureReport(
            invitations=len(invitation_ids),
            emails_cleared=invitations.exclude(email="").count(),
            labels_cleared=invitations.exclude(label="").count(),
            responses=len(response_ids),
            free_text_answers=text_answers.count(),
            free_text_codes=tuple(sorted(set(text_answers.values_list("question__code", flat=True)))),
            coded_answers_kept=answers.exclude(pk__in=text_answers.values("pk")).count(),
            admin_log_entries=log_entries.count(),
            dry_run=dry_run,
        )
        if not dry_run:
            Invitation.objects.filter(pk__in=invitation_ids).update(email="", label="")
            text_answers.delete()
            for entry in log_entries:
                entry.object_repr = f"#{entry.object_id}"
                entry.save(update_fields=["object_repr"])
    return report


class MailNotSent(Exception):
    """The mail server refused or could not be reached; nothing was sent."""


def resume_link_send(*, wave: Wave, url: str, email: str, lang: str) -> None:
    """E-mail a respondent the link that continues their response, in ``lang``. The address is not
    stored anywhere. Raises :class:`MailNotSent` when the mail server refuses or cannot be reached."""
    with translation.override(lang):
        title = wave.local("title", lang)
        lines = [
            _("You asked for the link that continues the survey “%(title)s” where you left off:") % {"title": title},
            "", url, "",
            _("Keep it private: anyone with this link can see and change your answers. If you did not ask for "
              "it, you can ignore this message."),
        ]
        contact = wave.local("contact", lang)
        if contact:
            lines += ["", _("Questions about the survey: %(contact)s") % {"contact": contact}]
        subject = _("Your link to continue: %(title)s") % {"title": title}
    try:
        send_mail(subject, "\n".join(lines), None, [email], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailNotSent(str(exc)) from exc
