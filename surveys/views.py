"""The respondent's pages: entry by open link or invitation, one section per page,
review, submit, thank-you. Views validate and call services; they compute nothing."""
from __future__ import annotations

from collections import OrderedDict
from functools import wraps
from typing import Any, Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.views import AccessDenied, PageNotFound, message_page

from . import ratelimit, selectors, services
from .forms import ResumeLinkEmailForm, SectionForm
from .models import Response, Wave

SESSION_KEY = "surveys.response.{wave_pk}"


def _session_key(wave: Wave) -> str:
    return SESSION_KEY.format(wave_pk=wave.pk)


def _language() -> str:
    return (get_language() or "en")[:2]


def _wave_get(slug: str) -> Wave:
    """The wave respondents answer at this address; ``PageNotFound`` for drafts, interview guides
    (recorded by interviewers at /interviews/) and unknown slugs."""
    return _wave_check(selectors.wave_by_slug(slug=slug))


def _wave_check(wave: Wave | None) -> Wave:
    if wave is None or wave.status == Wave.Status.DRAFT or wave.instrument.kind == wave.instrument.Kind.INTERVIEW:
        raise PageNotFound(_("There is no survey at this address. Please check the link you were given."),
                           title=_("Survey not found"))
    return wave


def _session_lookup(request: HttpRequest, slug: str) -> tuple[Wave | None, Response | None]:
    """This browser's response to the wave at ``slug``, with the wave and its instrument, in one
    query when the session holds a response (``(None, None)`` when it holds none to that wave)."""
    prefix = SESSION_KEY.format(wave_pk="")
    pks = [pk for key, pk in request.session.items() if key.startswith(prefix) and isinstance(pk, int)]
    if not pks:
        return None, None
    response = selectors.response_by_slug(pks=pks, slug=slug)
    if response is None or request.session.get(_session_key(response.wave)) != response.pk:
        return None, None
    return response.wave, response


def _respondent_get(request: HttpRequest, slug: str) -> tuple[Wave, Response | None]:
    """The wave respondents answer at ``slug`` (``_wave_get``) and this browser's response to it."""
    wave, response = _forwarded(request, slug) or _session_lookup(request, slug)
    if wave is None:
        return _wave_get(slug), None
    return _wave_check(wave), response


def _forward(request: HttpRequest, to: str, wave: Wave, response: Response,
             answers: dict[int, Any] | None = None) -> HttpResponse:
    """Answer a respondent's successful POST with the page at ``to`` itself, as its GET would show
    it, instead of a redirect to it: one round trip instead of two on every page of the
    questionnaire (LimeSurvey does the same). ``wave`` and ``response`` are this request's, as the
    POST left them, and ``answers`` (when given) the response's answers as it stored them
    (``services.answers_after_section``): the page does not read them again.

    The page says where it is: the ``Content-Location`` header, the forms' ``action``, and
    ``static/js/page-url.js``, which gives the browser's history entry the page's own address, so
    that reloading the page, going back to it or bookmarking it asks for that page (a GET), not the
    form sent before."""
    match = resolve(to)
    request.method = "GET"
    request.path = request.path_info = to
    request.resolver_match = match
    request.surveys_forwarded = (match.kwargs.get("slug"), wave, response, answers)
    page = match.func(request, *match.args, **match.kwargs)
    if page.status_code == 200:
        page["Content-Location"] = to
    return page


def _forwarded(request: HttpRequest, slug: str) -> tuple[Wave, Response] | None:
    """The wave and response :func:`_forward` handed on to the page it shows."""
    forwarded = getattr(request, "surveys_forwarded", None)
    return forwarded[1:3] if forwarded is not None and forwarded[0] == slug else None


def _answers(request: HttpRequest, response: Response) -> dict[int, Any]:
    """The response's answers (question pk -> value): as the POST that forwarded here stored them,
    or read from the database."""
    forwarded = getattr(request, "surveys_forwarded", None)
    if forwarded is not None and forwarded[2] is response and forwarded[3] is not None:
        return forwarded[3]
    return selectors.response_answers(response=response)


def _closed_page(request: HttpRequest, *, message: str | None = None, wave: Wave | None = None,
                 title: str | None = None) -> HttpResponse:
    message = message or _("This survey is not accepting answers at the moment. Thank you for your interest.")
    if wave is not None and wave.contact:
        message += " " + _("Questions about it: %(contact)s") % {"contact": wave.contact}
    return message_page(request, title=title or _("This survey is closed"), message=message, status=410)


def _invalid_link(message: str) -> PageNotFound:
    return PageNotFound(message, title=_("This link is not valid"))


def _invalid_invitation() -> PageNotFound:
    # One page for unknown and used links: nobody can tell them apart, so the contact is the
    # site's (DJANGO_SURVEY_CONTACT), never a wave's.
    from django.conf import settings

    message = _("This invitation link is not valid or has already been used. If you believe this is a "
                "mistake, please contact the people who sent it.")
    if settings.SURVEY_CONTACT:
        message += " " + _("Contact: %(contact)s") % {"contact": settings.SURVEY_CONTACT}
    return _invalid_link(message)


def _too_many_attempts(request: HttpRequest) -> HttpResponse:
    page = message_page(
        request, title=_("Too many attempts"),
        message=_("Too many links that are not valid were opened from your network. Please wait a few minutes "
                  "and open the link you received again."),
        status=429,
    )
    page["Retry-After"] = str(ratelimit.retry_after())
    return page


def _remember(request: HttpRequest, wave: Wave, response: Response) -> None:
    request.session[_session_key(wave)] = response.pk


def _step_url(wave: Wave, step: int) -> str:
    return reverse("surveys:step", kwargs={"slug": wave.slug, "step": step + 1})


def _resume_url(request: HttpRequest, response: Response) -> str:
    if response.invitation_id:
        return ""
    token = request.session.get(f"surveys.resume.{response.pk}")
    if not token:
        return ""
    return request.build_absolute_uri(reverse("surveys:resume", kwargs={"slug": response.wave.slug, "token": token}))


def _continue_url(structure: selectors.WaveStructure, response: Response) -> str:
    step = response.current_step
    # From the first page on (step 0) the answers are not read: should the logic skip that page,
    # the page itself sends the respondent on.
    if structure.has_logic and 0 < step < len(structure.sections):
        visible = _shown(structure, response)
        if step not in visible.steps:
            step = visible.next_step(step)
    if step >= len(structure.sections):
        return reverse("surveys:review", kwargs={"slug": structure.wave.slug})
    return _step_url(structure.wave, step)


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    waves = [w for w in Wave.objects.select_related("instrument").filter(
        status=Wave.Status.OPEN, access=Wave.Access.OPEN_LINK).exclude(
        instrument__kind="interview") if w.is_accepting()]
    return render(request, "surveys/home.html", {"waves": waves})


@require_http_methods(["GET", "POST"])
def wave_entry(request: HttpRequest, slug: str) -> HttpResponse:
    wave, response = _respondent_get(request, slug)
    if not wave.is_accepting():
        return _closed_page(request, wave=wave)
    if wave.access == Wave.Access.INVITATION and response is None:
        raise AccessDenied(_("This survey is by invitation only. Please open the personal link you received."),
                           title=_("Invitation required"))
    if response is not None and response.is_completed:
        return redirect("surveys:thanks", slug=wave.slug)
    start_key = f"surveys.start.{wave.pk}"
    if request.method == "POST":
        started_now = False
        if response is None:
            # The key the entry page put in the session: a double click, or twenty, start one response.
            started = services.response_start(wave=wave, language=_language(),
                                               start_key=request.session.get(start_key))
            response, started_now = started.response, started.created
            _remember(request, wave, response)
            request.session[f"surveys.resume.{response.pk}"] = started.resume_token
        structure = selectors.wave_structure(wave=wave)
        return _forward(request, _continue_url(structure, response), wave, response,
                        {} if started_now else None)  # a response started now has no answers
    if response is None and start_key not in request.session:
        request.session[start_key] = services.new_token()
    return render(request, "surveys/wave_entry.html", {"wave": wave, "response": response})


@require_http_methods(["GET"])
def wave_resume(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    if ratelimit.is_blocked("token", request):
        return _too_many_attempts(request)
    wave = _wave_get(slug)
    if not wave.is_accepting():
        return _closed_page(request, wave=wave)
    response = selectors.response_get_by_resume_token(wave=wave, token=token)
    if response is None:
        ratelimit.record_failure("token", request)
        raise _invalid_link(_("This resume link is not valid. You can start the survey again from its main link."))
    _remember(request, wave, response)
    request.session[f"surveys.resume.{response.pk}"] = token
    if response.is_completed:
        return redirect("surveys:thanks", slug=wave.slug)
    return redirect(_continue_url(selectors.wave_structure(wave=wave), response))


@require_http_methods(["GET"])
def invitation_entry(request: HttpRequest, token: str) -> HttpResponse:
    # Unknown and used links take the same path (hash, one query, count, one page):
    # neither the page nor the time tells them apart.
    if ratelimit.is_blocked("token", request):
        return _too_many_attempts(request)
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None or invitation.used_at is not None:
        ratelimit.record_failure("token", request)
        raise _invalid_invitation()
    if invitation.wave.status == Wave.Status.DRAFT:  # a valid link to a wave that has not opened yet
        return _closed_page(request, wave=invitation.wave, title=_("This survey has not opened yet"),
                            message=_("Your link is valid: please open it again once the survey has opened."))
    wave = _wave_get(invitation.wave.slug)
    if not wave.is_accepting():
        return _closed_page(request, wave=wave)
    response = services.response_start(wave=wave, invitation=invitation, language=_language()).response
    if response.is_completed:
        ratelimit.record_failure("token", request)
        raise _invalid_invitation()
    _remember(request, wave, response)
    return redirect(_continue_url(selectors.wave_structure(wave=wave), response))


def _respondent_redirect(wave: Wave, response: Response | None) -> HttpResponse | None:
    """Where this browser goes instead of a page of the survey: the entry page without a
    response, the thank-you page once it is submitted; None when it may answer."""
    if response is None:
        return redirect("surveys:wave_entry", slug=wave.slug)
    if response.is_completed:
        return redirect("surveys:thanks", slug=wave.slug)
    return None


def _shown(structure: selectors.WaveStructure, response: Response) -> selectors.Visibility:
    return structure.shown(structure.answers_by_code(selectors.response_answers(response=response)))


@require_http_methods(["GET", "POST"])
def response_step(request: HttpRequest, slug: str, step: int) -> HttpResponse:
    wave, response = _respondent_get(request, slug)
    if not wave.is_accepting():
        return _closed_page(request, wave=wave)
    elsewhere = _respondent_redirect(wave, response)
    if elsewhere is not None:
        return elsewhere
    structure = selectors.wave_structure(wave=wave)
    index = step - 1
    if not 0 <= index < len(structure.sections):
        raise PageNotFound(_("This page of the survey does not exist."))
    if index > response.current_step:  # no skipping ahead of unanswered sections
        return redirect(_continue_url(structure, response))
    section = structure.sections[index]
    questions = structure.questions[section.pk]
    stored_by_pk = _answers(request, response)
    stored = structure.answers_by_code(stored_by_pk)
    visible = structure.shown(stored)
    if not visible.sections[section.pk]:  # the logic skips this page
        return redirect(_step_url(wave, visible.next_step(index)) if visible.next_step(index) < len(
            structure.sections) else reverse("surveys:review", kwargs={"slug": wave.slug}))
    logic = structure.has_logic
    shown = (lambda page: structure.shown({**stored, **page}).questions) if logic else None
    if request.method == "POST":
        form = SectionForm(request.POST, questions=questions, options=structure.options, shown=shown,
                           initially_hidden={c for c, on in visible.questions.items() if not on}, grid=section.grid)
        going_back = "back" in request.POST
        if "switch_language" in request.POST:  # the header's language buttons submit this form
            return _switch_language(request, response, form, questions, wave, index)
        if form.is_valid():
            after = structure.shown({**stored, **form.answers()}) if logic else visible
            following = after.next_step(index)
            # with the logic, the answers stored earlier that this page's answers now hide are cleared too
            hidden = [q for q in structure.all_questions if q.code in stored and q not in questions
                      and not after.questions.get(q.code, True)] if logic else []
            given = form.answers()
            services.response_save_section(
                response=response, questions=questions, cleaned_data=given, step=following, hidden=hidden,
            )
            now = services.answers_after_section(stored=stored_by_pk, questions=questions, cleaned_data=given,
                                                 hidden=hidden)
            if going_back:
                return _forward(request, _step_url(wave, after.previous_step(index)), wave, response, now)
            if "save_exit" in request.POST:
                return _forward(request, reverse("surveys:saved", kwargs={"slug": wave.slug}), wave, response)
            if following >= len(structure.sections):
                return _forward(request, reverse("surveys:review", kwargs={"slug": wave.slug}), wave, response, now)
            return _forward(request, _step_url(wave, following), wave, response, now)
        if going_back or "save_exit" in request.POST:
            # Keep what is valid on this page, then go back or leave; invalid values are not stored.
            valid = [q for q in questions if q.code in form.cleaned_data and q.code not in form.errors]
            if valid:
                services.response_save_section(
                    response=response, questions=valid, cleaned_data=form.cleaned_data, step=index,
                )
            if going_back:
                now = services.answers_after_section(stored=stored_by_pk, questions=valid,
                                                     cleaned_data=form.cleaned_data)
                return _forward(request, _step_url(wave, visible.previous_step(index)), wave, response, now)
            return _forward(request, reverse("surveys:saved", kwargs={"slug": wave.slug}), wave, response)
    markup = None
    if request.method != "POST":
        initial = {q.code: stored[q.code] for q in questions if q.code in stored}

        def form_build() -> SectionForm:
            return SectionForm(initial=initial, questions=questions, options=structure.options, grid=section.grid,
                               initially_hidden={c for c, on in visible.questions.items() if not on})

        # a page nothing is answered on yet needs no form once its questions' markup is kept
        markup = None if initial else _unanswered_markup(wave, section, questions, visible, form_build)
        form = None if markup is not None else form_build()
    page, total = visible.position(index)
    context_answers = {code: value for code, value in stored.items()
                       if code not in {q.code for q in questions}} if logic else None
    return render(request, "surveys/step.html", {
        "wave": wave, "section": section, "form": form, "step": page, "total": total,
        "progress": round(100 * (page - 1) / total), "is_first": page == 1,
        "resume_url": _resume_url(request, response), "logic_answers": context_answers,
        "switch_language_form": "step-form",  # the header's language buttons save this page first
        "questions_markup": markup,
    }, status=200 if form is None or not form.errors else 422)


# The markup of the questions of pages with nothing answered on them, as every respondent first sees
# each page, by structure revision (a key names one revision: never out of date), section, language
# and the questions the logic hides; the least recently used are forgotten first.
_UNANSWERED: OrderedDict[tuple, str] = OrderedDict()
UNANSWERED_MAX = 256


def _unanswered_markup(wave: Wave, section, questions, visible: selectors.Visibility,
                       form_build: Callable[[], SectionForm]) -> str | None:
    """The questions of a page nothing is answered on yet (``surveys/_questions.html`` with the
    unbound form ``form_build`` makes), rendered once per structure revision, section, language and
    questions the logic hides (``visible``) in each process; None when nothing is kept
    (``UNANSWERED_MAX`` 0). Pages with answers or errors are rendered each time, with their form."""
    if UNANSWERED_MAX <= 0:
        return None
    hidden = frozenset(q.code for q in questions if not visible.questions.get(q.code, True))
    key = (selectors.structure_cache_key(wave=wave), section.pk, get_language(), hidden)
    markup = selectors.memory_get(_UNANSWERED, key)
    if markup is None:
        markup = render_to_string("surveys/_questions.html", {"form": form_build()})
        selectors.memory_keep(_UNANSWERED, key, markup, UNANSWERED_MAX)
    return markup


def _switch_language(request: HttpRequest, response: Response, form: SectionForm, questions, wave: Wave,
                     index: int) -> HttpResponse:
    """Change the language from a questionnaire page without losing what is on it: the page's valid
    answers are stored (as "Save and continue later" does, without asking for what is missing),
    then the same page is shown in the other language."""
    from django.conf import settings

    form.is_valid()
    valid = [q for q in questions if q.code in form.cleaned_data and q.code not in form.errors]
    if valid:
        services.response_save_section(response=response, questions=valid, cleaned_data=form.cleaned_data,
                                       step=index)
    language = request.POST.get("switch_language", "")
    page = redirect(_step_url(wave, index))
    if language in dict(settings.LANGUAGES):
        page.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return page


def _review_rows(structure: selectors.WaveStructure, stored: dict[int, Any]) -> list[dict[str, Any]]:
    """The shown sections with their shown questions (the logic hides the rest)."""
    rows = []
    visible = structure.shown(structure.answers_by_code(stored))
    for number, section in enumerate(structure.sections, start=1):
        if not visible.sections[section.pk]:
            continue
        items = []
        for q in structure.questions[section.pk]:
            if not visible.questions[q.code]:
                continue
            value = stored.get(q.pk)
            labels = {o.code: o.label for o in structure.options.get(q.pk, [])}
            if q.type == q.Type.YES_NO and value is not None:
                shown = _("Yes") if value == 1 else _("No")
            elif isinstance(value, list):
                shown = "; ".join(str(labels.get(v, v)) for v in value)
            elif value is None:
                shown = ""
            else:
                shown = str(labels.get(value, value))
            items.append({"question": q, "value": shown, "missing": q.required and value in (None, [], "")})
        rows.append({"section": section, "step": number, "items": items})
    return rows


@require_http_methods(["GET", "POST"])
def response_review(request: HttpRequest, slug: str) -> HttpResponse:
    wave, response = _respondent_get(request, slug)
    if not wave.is_accepting():
        return _closed_page(request, wave=wave)
    elsewhere = _respondent_redirect(wave, response)
    if elsewhere is not None:
        return elsewhere
    structure = selectors.wave_structure(wave=wave)
    if response.current_step < len(structure.sections):
        return redirect(_continue_url(structure, response))
    error = None
    if request.method == "POST":
        try:
            # the service asks only for the questions the logic shows
            submitted = services.response_submit(response=response, questions=structure.all_questions,
                                                 language=_language()).response
        except ValidationError:
            error = _("Some required questions are not answered yet; they are marked below.")
        except services.ResponseClosed:
            return _closed_page(request, message=_("This survey is not accepting answers at the moment."))
        else:
            return _forward(request, reverse("surveys:thanks", kwargs={"slug": wave.slug}), wave, submitted)
    rows = _review_rows(structure, _answers(request, response))
    return render(request, "surveys/review.html", {
        "wave": wave, "rows": rows, "error": error, "total": len(structure.sections),
        "resume_url": _resume_url(request, response),
    }, status=422 if error else 200)


@require_http_methods(["GET"])
def response_saved(request: HttpRequest, slug: str) -> HttpResponse:
    wave, response = _forwarded(request, slug) or _session_lookup(request, slug)
    if response is None:
        return redirect("surveys:wave_entry", slug=slug)
    return render(request, "surveys/saved.html", {"wave": wave, "resume_url": _resume_url(request, response),
                                                  "email_form": ResumeLinkEmailForm()})


def _resume_mails_key(response: Response) -> str:
    return f"surveys:resume-mails:{response.pk}"


@require_http_methods(["POST"])
def response_saved_email(request: HttpRequest, slug: str) -> HttpResponse:
    """E-mail this browser's resume link to the address given (at most SURVEYS_RESUME_MAILS times a
    day per response; the address is not stored)."""
    wave, response = _session_lookup(request, slug)
    if response is None:
        return redirect("surveys:wave_entry", slug=slug)
    url = _resume_url(request, response)
    if not url:  # an invitation's response: its invitation link is the way back
        return redirect("surveys:saved", slug=slug)
    form = ResumeLinkEmailForm(request.POST)
    context = {"wave": wave, "resume_url": url, "email_form": form}
    if not form.is_valid():
        return render(request, "surveys/saved.html", context, status=400)
    key = _resume_mails_key(response)
    if (cache.get(key) or 0) >= settings.SURVEYS_RESUME_MAILS:
        context["mail_error"] = _("This link has been e-mailed %(n)d times today already; copy it from this page "
                                  "instead.") % {"n": settings.SURVEYS_RESUME_MAILS}
        return render(request, "surveys/saved.html", context, status=429)
    try:
        services.resume_link_send(wave=wave, url=url, email=form.cleaned_data["email"], lang=_language())
    except services.MailNotSent:
        context["mail_error"] = _("The e-mail could not be sent just now. Copy the link from this page, or try "
                                  "again later.")
        return render(request, "surveys/saved.html", context, status=503)
    cache.add(key, 0, timeout=24 * 60 * 60)
    cache.incr(key)
    messages.success(request, _("The link was sent to %(email)s. If it does not arrive, look in your spam "
                                "folder or copy it from this page.") % {"email": form.cleaned_data["email"]})
    return redirect("surveys:saved", slug=slug)


@require_http_methods(["GET"])
def response_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    wave, response = _forwarded(request, slug) or _session_lookup(request, slug)
    if response is None or not response.is_completed:
        return redirect("surveys:wave_entry", slug=slug)
    return render(request, "surveys/thanks.html", {"wave": wave})


# --- preview: the questionnaire as a respondent sees it, for admins and researchers; nothing is stored --

PREVIEW_PERMISSIONS = ("surveys.change_wave", "surveys.analyse_waves")


def _preview_wave(request: HttpRequest, slug: str) -> Wave:
    """Any wave (drafts and interview guides too) for a user who may run or analyse waves."""
    if not any(request.user.has_perm(perm) for perm in PREVIEW_PERMISSIONS):
        raise AccessDenied(_("Only admins and researchers can preview a questionnaire."),
                           title=_("Preview not allowed"))
    wave = Wave.objects.select_related("instrument").filter(slug=slug).first()
    if wave is None:
        raise PageNotFound(_("There is no wave at this address."), title=_("Wave not found"))
    return wave


def _preview_login(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _preview_step_url(wave: Wave, index: int) -> str:
    return reverse("surveys:preview_step", kwargs={"slug": wave.slug, "step": index + 1})


@require_http_methods(["GET"])
@_preview_login
def wave_preview(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _preview_wave(request, slug)
    structure = selectors.wave_structure(wave=wave)
    return render(request, "surveys/preview_start.html", {
        "wave": wave, "preview": True, "total": len(structure.sections),
        "first_url": _preview_step_url(wave, 0) if structure.sections else "",
    })


@require_http_methods(["GET", "POST"])
@_preview_login
def wave_preview_step(request: HttpRequest, slug: str, step: int) -> HttpResponse:
    """One page of the questionnaire: answers are validated as a respondent's would be, then
    forgotten; every page can be opened directly."""
    wave = _preview_wave(request, slug)
    structure = selectors.wave_structure(wave=wave)
    index = step - 1
    if not 0 <= index < len(structure.sections):
        raise PageNotFound(_("This page of the survey does not exist."))
    section = structure.sections[index]
    questions = structure.questions[section.pk]
    if request.method == "POST":
        form = SectionForm(request.POST, questions=questions, options=structure.options)
        if "back" in request.POST:
            return redirect(_preview_step_url(wave, max(index - 1, 0)))
        if form.is_valid():  # valid: go on, store nothing
            if index + 1 >= len(structure.sections):
                return redirect("surveys:preview_review", slug=wave.slug)
            return redirect(_preview_step_url(wave, index + 1))
    else:
        form = SectionForm(questions=questions, options=structure.options)
    total = len(structure.sections)
    return render(request, "surveys/step.html", {
        "wave": wave, "section": section, "form": form, "step": step, "total": total,
        "progress": round(100 * index / total), "is_first": index == 0, "preview": True,
        "pages": [(n, s.title) for n, s in enumerate(structure.sections, start=1)],
    }, status=200 if request.method == "GET" or not form.errors else 422)


@require_http_methods(["GET", "POST"])
@_preview_login
def wave_preview_review(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _preview_wave(request, slug)
    structure = selectors.wave_structure(wave=wave)
    rows = _review_rows(structure, {})
    return render(request, "surveys/review.html", {
        "wave": wave, "rows": rows, "total": len(structure.sections), "preview": True,
        "submitted": request.method == "POST",
    })
