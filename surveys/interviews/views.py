"""The interviewer's pages: assigned waves, start (consent first), one page with the whole guide
and autosave, completion, history. Views validate and call services."""
from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.views import AccessDenied, message_page
from surveys.coding import selectors as coding_selectors
from surveys.conventions import consent_question_get
from surveys.models import Wave
from surveys.roles import CONDUCT_INTERVIEWS, permission_required
from surveys.selectors import WaveStructure, response_answers, wave_structure
from surveys.services import ResponseClosed
from surveys.text import JSONBodyError, json_body

from . import selectors, services
from .forms import AnswerCorrectionForm, InterviewForm, InterviewStartForm
from .models import Interview

MAX_AUTOSAVE_BYTES = 1_000_000


def _not_assigned() -> PermissionDenied:
    # One answer for waves that do not exist and waves the interviewer is not assigned to.
    return PermissionDenied(_("You are not assigned to this interview wave, or it does not exist."))


def _wave_get(request: HttpRequest, slug: str) -> Wave:
    wave = selectors.wave_get(user=request.user, slug=slug)
    if wave is None:
        raise _not_assigned()
    return wave


def _interview_get(request: HttpRequest, uuid: UUID) -> Interview:
    interview = selectors.interview_get(user=request.user, uuid=uuid)
    if interview is None:
        raise _not_assigned()
    return interview


def _closed_page(request: HttpRequest, message: str) -> HttpResponse:
    return message_page(request, title=_("This wave is closed"), message=message, status=410)


@require_http_methods(["GET"])
@permission_required(CONDUCT_INTERVIEWS)
def interview_home(request: HttpRequest) -> HttpResponse:
    return render(request, "interviews/home.html", {"waves": selectors.wave_list(user=request.user)})


@require_http_methods(["GET"])
@permission_required(CONDUCT_INTERVIEWS)
def wave_interviews(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave_get(request, slug)
    return render(request, "interviews/wave.html", {
        "wave": wave, "interviews": selectors.interview_list(wave=wave), "accepting": wave.is_accepting(),
    })


@require_http_methods(["GET", "POST"])
@permission_required(CONDUCT_INTERVIEWS)
def interview_start(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave_get(request, slug)
    if not wave.is_accepting():
        return _closed_page(request, _("This wave does not accept new interviews."))
    question = consent_question_get(instrument=wave.instrument)
    if question is None:
        return message_page(request, title=_("The guide has no consent question"),
                            message=_("Ask an administrator to add a yes/no question “consent” to the guide."),
                            status=409)
    form = InterviewStartForm(request.POST if request.method == "POST" else None, consent_question=question)
    if request.method == "POST" and form.is_valid():
        try:
            interview = services.interview_start(wave=wave, interviewer=request.user,
                                                 consent=form.cleaned_data["consent"],
                                                 language=(get_language() or "en")[:2])
        except ResponseClosed as exc:
            return _closed_page(request, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Consent recorded. The interview is saved as you type."))
            return redirect("interviews:edit", uuid=interview.response.uuid)
    return render(request, "interviews/start.html", {"wave": wave, "form": form, "question": question},
                  status=422 if form.errors else 200)


def _edit_context(interview: Interview, form: InterviewForm, structure: WaveStructure, **extra):
    # the guide's display conditions: shown as the stored answers stand, then followed in the browser
    shown = structure.shown(structure.answers_by_code(response_answers(response=interview.response))).questions
    sections = [{
        "section": block.section,
        "rows": [{"field": form[row.question.code], "coded": row.coded, "question": row.question,
                  "locked": row.question.code in form.locked, "hidden": not shown.get(row.question.code, True),
                  "condition": json.dumps(row.question.condition, separators=(",", ":"))
                  if row.question.condition else ""}
                 for row in block.rows],
    } for block in selectors.guide_layout(structure=structure)]
    return {
        "interview": interview, "wave": interview.response.wave, "form": form, "sections": sections,
        "editable": interview.response.wave.is_accepting(), "logic_answers": {}, **extra,
    }


def _conflict_rows(current: Interview, structure: WaveStructure, mine: dict) -> list[dict]:
    """Answers where the stored (other) version differs from what this person sent."""
    theirs = selectors.interview_values(interview=current)
    rows = []
    for question in structure.all_questions:
        if question.code not in mine:
            continue
        a, b = services.normalise(theirs.get(question.code)), services.normalise(mine[question.code])
        if a != b:
            options = structure.options.get(question.pk, [])
            rows.append({"label": question.text,
                         "theirs": selectors.value_display(question=question, value=a, options=options),
                         "mine": selectors.value_display(question=question, value=b, options=options)})
    return rows


def _locked_codes(interview: Interview, structure: WaveStructure) -> list[str]:
    """The open answers of this interview whose coding has started."""
    ids = coding_selectors.coded_text_question_ids(response=interview.response)
    return [q.code for q in structure.all_questions if q.pk in ids]


def _interview_form(structure: WaveStructure, data=None, initial=None, locked=()) -> InterviewForm:
    return InterviewForm(data, initial=initial, questions=selectors.interview_questions(structure=structure),
                         options=structure.options, locked=locked)


@require_http_methods(["GET", "POST"])
@permission_required(CONDUCT_INTERVIEWS)
def interview_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The whole guide on one page. Works without JavaScript (Save posts the form); with it, autosave."""
    interview = _interview_get(request, uuid)
    structure = wave_structure(wave=interview.response.wave)
    locked = _locked_codes(interview, structure)
    if request.method == "POST":
        form = _interview_form(structure, data=request.POST, locked=locked,
                               initial=selectors.interview_values(interview=interview))
        try:
            base_version = int(request.POST.get("version", ""))
        except ValueError:
            base_version = -1
        if form.is_valid():
            try:
                result = services.interview_save(interview=interview, user=request.user, base_version=base_version,
                                             values=form.answers())
            except services.InterviewConflict as exc:
                return render(request, "interviews/edit.html", _edit_context(
                    exc.current, form, structure, conflict=str(exc),
                    conflict_rows=_conflict_rows(exc.current, structure, form.answers()),
                ), status=409)
            except ResponseClosed as exc:
                return _closed_page(request, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved (version %(version)d).") % {"version": result.interview.version})
                return redirect("interviews:edit", uuid=uuid)
        return render(request, "interviews/edit.html", _edit_context(interview, form, structure), status=422)
    form = _interview_form(structure, initial=selectors.interview_values(interview=interview), locked=locked)
    return render(request, "interviews/edit.html", _edit_context(interview, form, structure))


def _json_error(error: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error, "message": message, **extra}, status=status)


@require_http_methods(["POST"])
@permission_required(CONDUCT_INTERVIEWS)
def interview_autosave(request: HttpRequest, uuid: UUID) -> JsonResponse:
    """JSON: ``{"version": n, "answers": {code: value}}`` -> the saved state (200), a conflict with the
    other version (409), field errors (422)."""
    interview = selectors.interview_get(user=request.user, uuid=uuid)
    if interview is None:
        return _json_error("forbidden", _("You are not assigned to this interview wave."), 403)
    if len(request.body) > MAX_AUTOSAVE_BYTES:
        return _json_error("too_large", _("The data sent is too large."), 413)
    try:
        payload = json_body(request.body, max_bytes=MAX_AUTOSAVE_BYTES)
    except JSONBodyError as exc:
        return _json_error("bad_request", str(exc), 400)
    base_version = payload.get("version") if isinstance(payload, dict) else None
    answers = payload.get("answers", {}) if isinstance(payload, dict) else None
    if not isinstance(base_version, int) or isinstance(base_version, bool) or not isinstance(answers, dict):
        return _json_error("bad_request", _("Send JSON with a version number and the answers."), 400)
    structure = wave_structure(wave=interview.response.wave)
    form = _interview_form(structure, locked=_locked_codes(interview, structure))
    cleaned, errors = form.clean_partial(answers)
    if errors:
        return _json_error("invalid", _("Some answers are not valid; nothing was saved. Correct the marked fields."),
                           422, errors=errors)
    try:
        result = services.interview_save(interview=interview, user=request.user, base_version=base_version,
                                     values=cleaned)
    except services.InterviewConflict as exc:
        return _json_error("conflict", str(exc), 409, current=selectors.interview_state(interview=exc.current,
                                                                                     structure=structure))
    except ResponseClosed as exc:
        return _json_error("closed", str(exc), 410)
    except ValidationError as exc:
        return _json_error("invalid", " ".join(exc.messages), 422, errors={})
    return JsonResponse({"ok": True, "changed": result.changed,
                         **selectors.interview_state(interview=result.interview, structure=structure)})


@require_http_methods(["POST"])
@permission_required(CONDUCT_INTERVIEWS)
def interview_complete(request: HttpRequest, uuid: UUID) -> HttpResponse:
    interview = _interview_get(request, uuid)
    try:
        base_version = int(request.POST.get("version", ""))
    except ValueError:
        base_version = -1
    try:
        services.interview_complete(interview=interview, user=request.user, base_version=base_version)
    except services.InterviewConflict as exc:
        messages.error(request, str(exc))
    except ResponseClosed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The interview is marked complete. You can still correct it while the wave is open."))
        return redirect("interviews:wave", slug=interview.response.wave.slug)
    return redirect("interviews:edit", uuid=uuid)


@require_http_methods(["GET"])
@permission_required(CONDUCT_INTERVIEWS)
def interview_history(request: HttpRequest, uuid: UUID) -> HttpResponse:
    interview = _interview_get(request, uuid)
    structure = wave_structure(wave=interview.response.wave)
    options = structure.options
    rows = [{
        "change": c,
        "old": selectors.value_display(question=c.question, value=c.old_value, options=options.get(c.question_id, [])),
        "new": selectors.value_display(question=c.question, value=c.new_value, options=options.get(c.question_id, [])),
    } for c in selectors.answer_change_list(interview=interview)]
    events = interview.history.select_related("history_user").order_by("-history_date")[:200]
    return render(request, "interviews/history.html", {
        "interview": interview, "wave": interview.response.wave, "rows": rows, "events": events,
    })


@require_http_methods(["GET", "POST"])
@permission_required(CONDUCT_INTERVIEWS)
def answer_correct(request: HttpRequest, uuid: UUID, question: str) -> HttpResponse:
    """Correct an open answer whose coding has started: the correction is recorded and the unit is
    marked "changed after coding" until a researcher reviews it."""
    interview = _interview_get(request, uuid)
    structure = wave_structure(wave=interview.response.wave)
    if question not in _locked_codes(interview, structure):
        raise AccessDenied(_("Only an open answer whose coding has started is corrected here; change other "
                             "answers on the interview page."), title=_("Nothing to correct here"))
    q = next(q for q in structure.all_questions if q.code == question)
    current = selectors.interview_values(interview=interview).get(question) or ""
    if not interview.response.wave.is_accepting():
        return _closed_page(request, _("The wave of this interview is closed; the interview can no longer be "
                                       "changed."))
    form = AnswerCorrectionForm(request.POST if request.method == "POST" else None,
                                initial={"text": current, "version": interview.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_answer_correct(
                interview=interview, user=request.user, base_version=form.cleaned_data["version"],
                question_code=question, text=form.cleaned_data["text"], reason=form.cleaned_data["reason"])
        except services.InterviewConflict as exc:
            form.add_error(None, str(exc))
        except ResponseClosed as exc:
            return _closed_page(request, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Correction recorded. A researcher reviews the codes of this answer."))
            return redirect("interviews:edit", uuid=uuid)
    return render(request, "interviews/correct.html", {
        "interview": interview, "wave": interview.response.wave, "question": q, "current": current, "form": form,
    }, status=422 if form.errors else 200)
