"""Coders code open answers one at a time; researchers edit codebooks and set final codes."""
from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.views import AccessDenied, message_page
from surveys.models import Question, Response, Wave
from surveys.roles import CODE_ANSWERS, MANAGE_CODEBOOKS, permission_required

from . import selectors, services
from .forms import CategoryForm, CodebookDesignForm, CodingForm, FinalCodesForm, MergeForm
from .models import Codebook


def _nothing_to_code() -> Http404:
    return Http404(_("There is nothing to code at this address."))


def _wave_codebook_get(slug: str, question: str) -> tuple[Wave, Codebook]:
    wave = selectors.wave_get(slug=slug)
    codebook = selectors.codebook_get_by_question(wave=wave, question_code=question) if wave else None
    if codebook is None:
        raise _nothing_to_code()
    return wave, codebook


def _unit_get(codebook: Codebook, wave: Wave, uuid: UUID) -> Response:
    response = selectors.unit_get(codebook=codebook, wave=wave, uuid=uuid)
    if response is None:
        raise _nothing_to_code()
    return response


@require_http_methods(["GET"])
@permission_required(CODE_ANSWERS)
def coding_home(request: HttpRequest) -> HttpResponse:
    rows = []
    for wave, books in selectors.wave_list():
        for book in books:
            rows.append({"wave": wave, "codebook": book,
                         "progress": selectors.coder_progress(codebook=book, wave=wave, coder=request.user)})
    return render(request, "coding/home.html", {
        "rows": rows, "can_manage": request.user.has_perm(MANAGE_CODEBOOKS)})


@require_http_methods(["GET"])
@permission_required(CODE_ANSWERS)
def coding_next(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    wave, codebook = _wave_codebook_get(slug, question)
    unit = selectors.unit_get_next(codebook=codebook, wave=wave, coder=request.user)
    if unit is None:
        return render(request, "coding/done.html", {
            "wave": wave, "codebook": codebook,
            "progress": selectors.coder_progress(codebook=codebook, wave=wave, coder=request.user)})
    return redirect("coding:unit", slug=slug, question=question, uuid=unit.uuid)


@require_http_methods(["GET", "POST"])
@permission_required(CODE_ANSWERS)
def coding_unit(request: HttpRequest, slug: str, question: str, uuid: UUID) -> HttpResponse:
    """One open answer and its question; the coder ticks the codes that apply. Other coders' codes
    are never shown here."""
    wave, codebook = _wave_codebook_get(slug, question)
    response = _unit_get(codebook, wave, uuid)
    coding = selectors.coding_get(codebook=codebook, response=response, coder=request.user)
    if coding is None:
        refusal = selectors.coding_refusal(codebook=codebook, response=response, coder=request.user)
        if refusal is not None:
            code, message = refusal
            if code == "seen":
                raise AccessDenied(message, title=_("You cannot code this answer"))
            return message_page(request, title=_("Already coded"), message=message, status=409)
    categories = selectors.category_list(codebook=codebook)
    if request.method == "POST" and not (coding and coding.is_finished):
        form = CodingForm(request.POST, categories=categories)
        if form.is_valid():
            finish = "finish" in request.POST
            try:
                services.coding_save(codebook=codebook, response=response, coder=request.user,
                                 codes=form.code_inputs(), finish=finish)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if finish:
                    messages.success(request, _("Coding finished."))
                    return redirect("coding:next", slug=slug, question=question)
                messages.success(request, _("Codes saved as a draft."))
                return redirect("coding:unit", slug=slug, question=question, uuid=uuid)
        status = 422
    else:
        form = CodingForm(initial=CodingForm.initial_from(coding), categories=categories)
        status = 200
    return render(request, "coding/unit.html", {
        "wave": wave, "codebook": codebook, "response": response, "form": form, "coding": coding,
        "text": selectors.unit_text(codebook=codebook, response=response),
        "finished": bool(coding and coding.is_finished),
        "changed": selectors.correction_open_get(codebook=codebook, response=response) is not None,
        "progress": selectors.coder_progress(codebook=codebook, wave=wave, coder=request.user),
    }, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def consensus_list(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    wave, codebook = _wave_codebook_get(slug, question)
    if request.method == "POST" and "accept_agreed" in request.POST:
        n = services.final_codes_accept_agreed(codebook=codebook, wave=wave, user=request.user)
        messages.success(request, _("Final codes set for %(n)d answers where the coders agree (answers you coded "
                                    "yourself, or changed after coding, are left for a review).") % {"n": n})
        return redirect("coding:consensus", slug=slug, question=question)
    units = selectors.unit_summary_list(codebook=codebook, wave=wave)
    labels = {
        selectors.UnitState.CHANGED: _("changed after coding"),
        selectors.UnitState.DECIDED: _("final codes set"), selectors.UnitState.AGREED: _("coders agree"),
        selectors.UnitState.DISAGREED: _("coders disagree"),
        selectors.UnitState.CODING: _("coding in progress"), selectors.UnitState.UNCODED: _("not coded"),
    }
    counts = [(label, sum(1 for u in units if u.state == state)) for state, label in labels.items()]
    for unit in units:
        unit.state_label = labels[unit.state]
        unit.own = request.user.get_username() in unit.coders
    return render(request, "coding/consensus_list.html", {
        "wave": wave, "codebook": codebook, "units": units, "counts": [(l, n) for l, n in counts if n],
        "states": selectors.UnitState})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def consensus_unit(request: HttpRequest, slug: str, question: str, uuid: UUID) -> HttpResponse:
    wave, codebook = _wave_codebook_get(slug, question)
    response = _unit_get(codebook, wave, uuid)
    if not selectors.unit_is_complete(codebook=codebook, response=response):
        return message_page(request, title=_("Coding not finished"),
                            message=_("The codes are shown once every coding this answer needs is finished."),
                            status=409)
    refusal = selectors.decision_refusal(codebook=codebook, response=response, user=request.user)
    if refusal:
        raise AccessDenied(refusal, title=_("You cannot set these final codes"))
    services.unit_seen(codebook=codebook, response=response, user=request.user)
    detail = selectors.consensus_get(codebook=codebook, response=response)
    categories = [row.category for row in detail["rows"]]
    if request.method == "POST":
        data = request.POST
        if "confirm" in data and detail["decision"] is not None:  # keep the final codes as they are
            data = data.copy()
            data.setlist("categories", [str(fc.category_id) for fc in detail["decision"].codes.all()])
        form = FinalCodesForm(data, categories=categories)
        if form.is_valid():
            try:
                services.final_codes_set(codebook=codebook, response=response,
                                     categories=list(form.cleaned_data["categories"]), user=request.user,
                                     note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Final codes saved."))
                return redirect("coding:consensus", slug=slug, question=question)
    else:
        form = FinalCodesForm(categories=categories, initial={
            "categories": [row.category.pk for row in detail["rows"] if row.final],
            "note": detail["decision"].note if detail["decision"] else ""})
    return render(request, "coding/consensus_unit.html", {
        "wave": wave, "codebook": codebook, "response": response, "form": form, **detail,
    }, status=422 if form.errors else 200)


@require_http_methods(["POST"])
@permission_required(MANAGE_CODEBOOKS)
def codebook_design(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_get(pk)
    form = CodebookDesignForm(request.POST)
    if form.is_valid():
        try:
            services.codebook_design_set(codebook=codebook, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Coding design saved."))
            return redirect("coding:codebook", pk=pk)
    return render(request, "coding/codebook.html", {
        "codebook": codebook, "categories": selectors.category_list(codebook=codebook, active_only=False),
        "design_form": form}, status=422)


# --- codebooks ------------------------------------------------------------------------------

def _codebook_get(pk: int) -> Codebook:
    codebook = selectors.codebook_get(pk=pk)
    if codebook is None:
        raise Http404(_("There is no such codebook."))
    return codebook


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def codebook_index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        raw = request.POST.get("question", "")
        question = Question.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if question is None:
            messages.error(request, _("Choose a question to create a codebook for."))
        else:
            try:
                codebook = services.codebook_create(question=question)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Codebook created from the question’s options."))
                return redirect("coding:codebook", pk=codebook.pk)
        return redirect("coding:codebooks")
    return render(request, "coding/codebooks.html", {
        "codebooks": selectors.codebook_list(), "codable": selectors.codable_question_list()})


@require_http_methods(["GET"])
@permission_required(MANAGE_CODEBOOKS)
def codebook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_get(pk)
    return render(request, "coding/codebook.html", {
        "codebook": codebook, "categories": selectors.category_list(codebook=codebook, active_only=False),
        "design_form": CodebookDesignForm(initial={"design": codebook.design,
                                                   "coders_may_decide": codebook.coders_may_decide})})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def category_add(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_get(pk)
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.codebook_category_add(codebook=codebook, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Category %(code)d added.") % {"code": category.code})
            return redirect("coding:codebook", pk=pk)
    return render(request, "coding/category_form.html", {
        "codebook": codebook, "form": form, "title": _("Add a category")}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def category_edit(request: HttpRequest, pk: int, category_pk: int) -> HttpResponse:
    codebook = _codebook_get(pk)
    category = codebook.categories.filter(pk=category_pk, merged_into__isnull=True).first()
    if category is None:
        raise Http404(_("There is no such category."))
    form = CategoryForm(request.POST if request.method == "POST" else None, initial={
        "label_en": category.label_en, "label_ru": category.label_ru,
        "description_en": category.description_en, "description_ru": category.description_ru})
    if request.method == "POST" and form.is_valid():
        try:
            services.codebook_category_update(category=category, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Category %(code)d saved.") % {"code": category.code})
            return redirect("coding:codebook", pk=pk)
    return render(request, "coding/category_form.html", {
        "codebook": codebook, "form": form, "category": category,
        "title": _("Rename category %(code)d") % {"code": category.code}}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def category_merge(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_get(pk)
    form = MergeForm(request.POST if request.method == "POST" else None, categories=selectors.category_list(codebook=codebook))
    if request.method == "POST" and form.is_valid():
        try:
            target = services.codebook_categories_merge(source=form.cleaned_data["source"],
                                                    target=form.cleaned_data["target"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Merged into %(label)s; every code now points to it.") % {
                "label": target.label})
            return redirect("coding:codebook", pk=pk)
    return render(request, "coding/merge.html", {"codebook": codebook, "form": form},
                  status=422 if form.errors else 200)
