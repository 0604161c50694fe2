"""The admin's XLSForm pages: upload a workbook to create or update an instrument (the list of
problems when it cannot be imported), and download an instrument as an XLSForm."""
from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Instrument
from .xlsform import XLSFormError, xlsform_import, xlsform_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSForm workbook"),
                           help_text=gettext_lazy("An .xlsx (or .xls) file with the sheets survey, choices and "
                                                  "settings, as KoboToolbox and ODK use."))
    code = forms.SlugField(label=gettext_lazy("Instrument code"), required=False,
                           help_text=gettext_lazy("Leave empty to use the form_id of the settings sheet. An "
                                                  "existing code updates that instrument."))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the workbook, store nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        if not upload.name.lower().endswith((".xlsx", ".xls", ".xlsm")):
            raise forms.ValidationError(_("Upload an .xlsx or .xls workbook."), code="file_type")
        return upload


def xlsform_upload_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stem = upload.name.rsplit(".", 1)[0]
        try:
            result = xlsform_import(source=upload.read(), code=form.cleaned_data["code"] or None,
                                    dry_run=form.cleaned_data["dry_run"], default_code=stem)
        except XLSFormError as exc:
            problems = exc.problems
    context = {
        **model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, "form": form,
        "title": _("Import an XLSForm"), "problems": problems, "result": result,
        "questions": sum(len(s["questions"]) for s in result.definition["sections"]) if result else 0,
    }
    return render(request, "admin/surveys/instrument/import_xlsform.html", context,
                  status=400 if problems else 200)


def xlsform_download_view(model_admin, request: HttpRequest, pk: int) -> HttpResponse:
    instrument = get_object_or_404(Instrument, pk=pk)
    if not model_admin.has_view_permission(request, instrument):
        raise PermissionDenied
    response = HttpResponse(xlsform_workbook(instrument), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{instrument.code}.xlsx"'
    return response
