"""Fieldwork pages: the dashboard of a wave (researchers and admins), the e-mail texts and mailings,
the invitations' states (admins), the partial responses (CSV), background jobs, and the opt-out
page of the respondents. Views validate and call services and selectors; they compute nothing."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.views import PageNotFound
from surveys.models import Invitation, Wave
from surveys.roles import ANALYSE_WAVES, permission_required, user_is_admin

from . import charts, exports, selectors, services, sending, texts
from .forms import JobForm, MailingForm, TemplateForm
from .models import Job, Kind, Message

def admin_required(view):
    """Admins only (superusers and the Admins group): anonymous users log in, others get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _wave(slug: str) -> Wave:
    return get_object_or_404(Wave.objects.select_related("instrument"), slug=slug)


@require_GET
@permission_required(ANALYSE_WAVES)
def wave_list(request: HttpRequest) -> HttpResponse:
    waves = Wave.objects.select_related("instrument").exclude(instrument__kind="interview")
    return render(request, "fieldwork/index.html", {"waves": waves})


@require_GET
@permission_required(ANALYSE_WAVES)
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave(slug)
    board = selectors.dashboard_get(wave=wave)
    per_day_chart = charts.bar_chart(
        [(day.isoformat(), n) for day, n in board.per_day], chart_id="per-day",
        title=_("Completions per day"), description=_("Completed responses per day; the table below gives the "
                                                      "same numbers."))
    stops_chart = charts.bar_chart(
        [(str(row["page"]), row["count"]) for row in board.stops], chart_id="stops",
        title=_("Where respondents stop"), description=_("Unfinished responses by the page they stopped on; the "
                                                         "table below gives the same numbers."))
    return render(request, "fieldwork/dashboard.html", {
        "wave": wave, "board": board, "per_day_chart": per_day_chart, "stops_chart": stops_chart,
        "is_admin": user_is_admin(request.user), "job_form": JobForm(),
        "states": [(key, selectors.State.LABELS[key], n) for key, n in board.states.items()],
    })


@require_http_methods(["GET", "POST"])
@admin_required
def compose(request: HttpRequest, slug: str) -> HttpResponse:
    """Write the invitation and reminder texts; send either to the wave's invitations."""
    wave = _wave(slug)
    forms_by_kind = {kind: TemplateForm(initial=texts.texts_for(wave, kind), prefix=kind) for kind in Kind.values}
    mailing_form = MailingForm()
    status = 200
    if request.method == "POST":
        kind = request.POST.get("save")
        if kind in Kind.values:
            form = forms_by_kind[kind] = TemplateForm(request.POST, prefix=kind)
            if form.is_valid():
                services.template_save(wave=wave, kind=kind, **form.cleaned_data)
                messages.success(request, _("The texts are saved."))
                return redirect("fieldwork:compose", slug=wave.slug)
            status = 400
        elif "reset" in request.POST and request.POST["reset"] in Kind.values:
            services.template_reset(wave=wave, kind=request.POST["reset"])
            messages.success(request, _("The default texts are back."))
            return redirect("fieldwork:compose", slug=wave.slug)
        else:
            mailing_form = MailingForm(request.POST)
            if mailing_form.is_valid():
                try:
                    mailing = services.mailing_create(
                        wave=wave, kind=mailing_form.cleaned_data["kind"],
                        language=mailing_form.cleaned_data["language"],
                        base_url=request.build_absolute_uri("/"), user=request.user)
                except ValidationError as exc:
                    mailing_form.add_error(None, exc)
                else:
                    messages.success(request, _("%(count)d messages are queued; the worker sends them.") % {
                        "count": mailing.messages.count()})
                    return redirect("fieldwork:dashboard", slug=wave.slug)
            status = 400
    return render(request, "fieldwork/compose.html", {
        "wave": wave, "forms": [(kind, label, forms_by_kind[kind]) for kind, label in Kind.choices],
        "mailing_form": mailing_form, "recipients": selectors.recipients_count(wave=wave),
        "placeholder_help": texts.PLACEHOLDER_HELP,
    }, status=status)


@require_GET
@admin_required
def invitation_list(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave(slug)
    state = request.GET.get("state", "")
    rows = selectors.invitations_with_state(wave=wave)
    if state in selectors.State.LABELS:
        rows = rows.filter(state=state)
    else:
        state = ""
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "fieldwork/invitations.html", {
        "wave": wave, "page": page, "state": state, "states": selectors.State.LABELS,
    })


@require_POST
@admin_required
def retry_failed(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue the wave's failed messages again (the admin's retry)."""
    wave = _wave(slug)
    count = services.messages_retry(messages=Message.objects.filter(mailing__wave=wave, status=Message.Status.FAILED))
    messages.success(request, _("%(count)d failed messages are queued again.") % {"count": count})
    return redirect("fieldwork:dashboard", slug=wave.slug)


@require_GET
@permission_required(ANALYSE_WAVES)
def partial_csv(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave(slug)
    response = HttpResponse(exports.partial_responses_csv(wave), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{wave.slug}-partial-responses.csv"'
    return response


@require_POST
@permission_required(ANALYSE_WAVES)
def job_create(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _wave(slug)
    form = JobForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The job was not queued: %(errors)s") % {
            "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect("fieldwork:dashboard", slug=wave.slug)
    services.job_create(wave=wave, user=request.user, **form.cleaned_data)
    messages.success(request, _("The job is queued; this page shows when it is done."))
    return redirect("fieldwork:dashboard", slug=wave.slug)


@require_GET
@permission_required(ANALYSE_WAVES)
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, kind=Job.JobKind.BUNDLE, status=Job.Status.DONE)
    if not job.output.startswith("jobs/") or not default_storage.exists(job.output):
        raise Http404
    return FileResponse(default_storage.open(job.output, "rb"), as_attachment=True,
                        filename=job.output.rsplit("/", 1)[-1], content_type="application/zip")


@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every message: a page asking to confirm (mail scanners follow links; only the
    POST opts out), then a page saying it is done."""
    pk = sending.opt_out_invitation_id(token)
    invitation = Invitation.objects.select_related("wave").filter(pk=pk).first() if pk else None
    if invitation is None:
        raise PageNotFound(_("This link is not valid. Please check the link in the message you received."),
                           title=_("This link is not valid"))
    if request.method == "POST":
        services.opt_out(invitation=invitation)
        return render(request, "fieldwork/opt_out_done.html", {"wave": invitation.wave})
    return render(request, "fieldwork/opt_out.html", {"wave": invitation.wave})
