"""Coders code open answers one at a time; researchers edit codebooks and set final codes."""
from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import coding_selectors as csel
from . import coding_services as csvc
from .coding_forms import CategoryForm, CodingForm, FinalCodesForm, MergeForm
from .models import Codebook, Question, Wave
from .roles import CODE_ANSWERS, MANAGE_CODEBOOKS, permission_required


def _page(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/unavailable.html", {"title": title, "message": message}, status=status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return _page(request, title=_("Page not found"), message=_("There is nothing to code at this address."),
                 status=404)


def _wave_codebook(request: HttpRequest, slug: str, question: str) -> tuple[Wave, Codebook] | HttpResponse:
    wave = csel.wave_get(slug=slug)
    codebook = csel.codebook_for(wave=wave, question_code=question) if wave else None
    if codebook is None:
        return _not_found(request)
    return wave, codebook


@require_http_methods(["GET"])
@permission_required(CODE_ANSWERS)
def coding_home(request: HttpRequest) -> HttpResponse:
    rows = []
    for wave, books in csel.coding_waves():
        for book in books:
            rows.append({"wave": wave, "codebook": book,
                         "progress": csel.coder_progress(codebook=book, wave=wave, coder=request.user)})
    return render(request, "surveys/coding/home.html", {
        "rows": rows, "can_manage": request.user.has_perm(MANAGE_CODEBOOKS)})


@require_http_methods(["GET"])
@permission_required(CODE_ANSWERS)
def coding_next(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    found = _wave_codebook(request, slug, question)
    if isinstance(found, HttpResponse):
        return found
    wave, codebook = found
    unit = csel.coding_next_unit(codebook=codebook, wave=wave, coder=request.user)
    if unit is None:
        return render(request, "surveys/coding/done.html", {
            "wave": wave, "codebook": codebook,
            "progress": csel.coder_progress(codebook=codebook, wave=wave, coder=request.user)})
    return redirect("coding:unit", slug=slug, question=question, uuid=unit.uuid)


@require_http_methods(["GET", "POST"])
@permission_required(CODE_ANSWERS)
def coding_unit(request: HttpRequest, slug: str, question: str, uuid: UUID) -> HttpResponse:
    """One open answer and its question; the coder ticks the codes that apply. Other coders' codes
    are never shown here."""
    found = _wave_codebook(request, slug, question)
    if isinstance(found, HttpResponse):
        return found
    wave, codebook = found
    response = csel.unit_get(codebook=codebook, wave=wave, uuid=uuid)
    if response is None:
        return _not_found(request)
    coding = csel.coding_of(codebook=codebook, response=response, coder=request.user)
    if coding is None and csel.coding_count(codebook=codebook, response=response) >= csel.MAX_CODERS:
        return _page(request, title=_("Already coded"),
                     message=_("Two coders have already coded this answer."), status=409)
    categories = csel.categories(codebook=codebook)
    if request.method == "POST" and not (coding and coding.is_finished):
        form = CodingForm(request.POST, categories=categories)
        if form.is_valid():
            finish = "finish" in request.POST
            try:
                csvc.coding_save(codebook=codebook, response=response, coder=request.user,
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
    return render(request, "surveys/coding/unit.html", {
        "wave": wave, "codebook": codebook, "response": response, "form": form, "coding": coding,
        "text": csel.unit_text(codebook=codebook, response=response),
        "finished": bool(coding and coding.is_finished),
        "progress": csel.coder_progress(codebook=codebook, wave=wave, coder=request.user),
    }, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def consensus_list(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    found = _wave_codebook(request, slug, question)
    if isinstance(found, HttpResponse):
        return found
    wave, codebook = found
    if request.method == "POST" and "accept_agreed" in request.POST:
        n = csvc.final_codes_accept_agreed(codebook=codebook, wave=wave, user=request.user)
        messages.success(request, _("Final codes set for %(n)d answers where the coders agree.") % {"n": n})
        return redirect("coding:consensus", slug=slug, question=question)
    units = csel.consensus_units(codebook=codebook, wave=wave)
    labels = {
        csel.UnitState.DECIDED: _("final codes set"), csel.UnitState.AGREED: _("coders agree"),
        csel.UnitState.DISAGREED: _("coders disagree"), csel.UnitState.SINGLE: _("one coder (final)"),
        csel.UnitState.CODING: _("coding in progress"), csel.UnitState.UNCODED: _("not coded"),
    }
    counts = [(label, sum(1 for u in units if u.state == state)) for state, label in labels.items()]
    for unit in units:
        unit.state_label = labels[unit.state]
    return render(request, "surveys/coding/consensus_list.html", {
        "wave": wave, "codebook": codebook, "units": units, "counts": [(l, n) for l, n in counts if n],
        "states": csel.UnitState})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def consensus_unit(request: HttpRequest, slug: str, question: str, uuid: UUID) -> HttpResponse:
    found = _wave_codebook(request, slug, question)
    if isinstance(found, HttpResponse):
        return found
    wave, codebook = found
    response = csel.unit_get(codebook=codebook, wave=wave, uuid=uuid)
    if response is None:
        return _not_found(request)
    detail = csel.consensus_detail(codebook=codebook, response=response)
    if detail is None:
        return _page(request, title=_("Coding not finished"),
                     message=_("The codes are shown once every coder of this answer has finished."), status=409)
    categories = [row.category for row in detail["rows"]]
    if request.method == "POST":
        form = FinalCodesForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                csvc.final_codes_set(codebook=codebook, response=response,
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
    return render(request, "surveys/coding/consensus_unit.html", {
        "wave": wave, "codebook": codebook, "response": response, "form": form, **detail,
    }, status=422 if form.errors else 200)


# --- codebooks ------------------------------------------------------------------------------

def _codebook_or_page(request: HttpRequest, pk: int) -> Codebook | HttpResponse:
    codebook = csel.codebook_get(pk=pk)
    return codebook if codebook is not None else _page(
        request, title=_("Page not found"), message=_("There is no such codebook."), status=404)


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
                codebook = csvc.codebook_create(question=question)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Codebook created from the question’s options."))
                return redirect("coding:codebook", pk=codebook.pk)
        return redirect("coding:codebooks")
    return render(request, "surveys/coding/codebooks.html", {
        "codebooks": csel.codebook_list(), "codable": csel.codable_questions()})


@require_http_methods(["GET"])
@permission_required(MANAGE_CODEBOOKS)
def codebook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_or_page(request, pk)
    if isinstance(codebook, HttpResponse):
        return codebook
    return render(request, "surveys/coding/codebook.html", {
        "codebook": codebook, "categories": csel.categories(codebook=codebook, active_only=False)})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def category_add(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_or_page(request, pk)
    if isinstance(codebook, HttpResponse):
        return codebook
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            category = csvc.codebook_category_add(codebook=codebook, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Category %(code)d added.") % {"code": category.code})
            return redirect("coding:codebook", pk=pk)
    return render(request, "surveys/coding/category_form.html", {
        "codebook": codebook, "form": form, "title": _("Add a category")}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def category_edit(request: HttpRequest, pk: int, category_pk: int) -> HttpResponse:
    codebook = _codebook_or_page(request, pk)
    if isinstance(codebook, HttpResponse):
        return codebook
    category = codebook.categories.filter(pk=category_pk, merged_into__isnull=True).first()
    if category is None:
        return _page(request, title=_("Page not found"), message=_("There is no such category."), status=404)
    form = CategoryForm(request.POST if request.method == "POST" else None, initial={
        "label_en": category.label_en, "label_ru": category.label_ru,
        "description_en": category.description_en, "description_ru": category.description_ru})
    if request.method == "POST" and form.is_valid():
        try:
            csvc.codebook_category_update(category=category, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Category %(code)d saved.") % {"code": category.code})
            return redirect("coding:codebook", pk=pk)
    return render(request, "surveys/coding/category_form.html", {
        "codebook": codebook, "form": form, "category": category,
        "title": _("Rename category %(code)d") % {"code": category.code}}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_CODEBOOKS)
def category_merge(request: HttpRequest, pk: int) -> HttpResponse:
    codebook = _codebook_or_page(request, pk)
    if isinstance(codebook, HttpResponse):
        return codebook
    form = MergeForm(request.POST if request.method == "POST" else None, categories=csel.categories(codebook=codebook))
    if request.method == "POST" and form.is_valid():
        try:
            target = csvc.codebook_categories_merge(source=form.cleaned_data["source"],
                                                    target=form.cleaned_data["target"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Merged into %(label)s; every code now points to it.") % {
                "label": target.label})
            return redirect("coding:codebook", pk=pk)
    return render(request, "surveys/coding/merge.html", {"codebook": codebook, "form": form},
                  status=422 if form.errors else 200)
