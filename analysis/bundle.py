"""A wave's report as files: every table (CSV, XLSX, LaTeX, HTML), figure (PNG, SVG, PDF), the data
(CSV, XLSX, SPSS, Stata) with its codebook, report.html and a README, in a folder or a ZIP file.

What goes in is exactly the :class:`analysis.report.Report` it is given: nothing is computed here.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import documents, exports, figures
from .models import PreparedBundle
from .report import CACHE_SECONDS, Report, report_build, report_prefetch, report_version

def _readme(report: Report, written: list[Path], out: Path) -> str:
    wave = report.wave
    lines = [
        _("Report of the wave %(slug)s (%(title)s)") % {"slug": wave.slug, "title": wave.local("title", report.lang)},
        _("Instrument: %(instrument)s. Completed responses: %(n)d.") % {"instrument": wave.instrument.code,
                                                                        "n": report.n},
        "",
        _("Files"),
        "- data.csv, data.sav, data.dta, data.xlsx: " + _(
            "one row per completed response, one column per question code; values are option codes; SPSS and "
            "Stata files carry variable and value labels."),
        "- codebook.csv, codebook.json: " + _("every variable with its question text, type and codes."),
    ]
    for table in report.tables().values():
        text = f"- {table.name}.csv: {table.title}"
        if table.note:
            text += f" {table.note}"
        lines.append(text)
    for figure in report.figures().values():
        lines.append(f"- figures/{figure.name}.png, .svg, .pdf: {figure.title}")
    lines += ["- report.html: " + _("all of the above on one page."), "",
              _("Methods are documented in docs/analysis.md and docs/stats.md of the software."), ""]
    for section in report.sections:
        for problem in section.problems:
            lines.append(f"{section.title}: {problem}")
    return "\n".join(lines)


def data_write(wave, out: Path, *, lang: str, free_text: bool = False) -> list[Path]:
    """Write the wave's data files (CSV, XLSX, SPSS, Stata) and codebook into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with translation.override(lang):
        for fmt in exports.DATA_FORMATS:
            path = out / f"data.{fmt}"
            exports.write_data(wave, fmt, path, lang=lang, free_text=free_text)
            written.append(path)
        for path, content in ((out / "codebook.csv", exports.codebook(wave, lang=lang).to_csv(index=False).encode()),
                              (out / "codebook.json", exports.codebook_json(wave).encode())):
            path.write_bytes(content)
            written.append(path)
    return written


def wave_bundle_write(wave, out: Path, *, lang: str, progress: Callable[[str], None] | None = None,
                      free_text: bool = False) -> list[Path]:
    """Write the wave's whole bundle (the report with every cross-tabulation) into ``out``: the data
    files first, then the report is built and its files written, so that the two large things (the
    data files' frame and the report) are never in memory at once."""
    step = progress or (lambda name: None)
    report_prefetch(wave, lang=lang)  # the exact tests run while the data files are written
    step("data")
    written = data_write(wave, out, lang=lang, free_text=free_text)
    step("report")
    report = report_build(wave, lang=lang, all_crosstabs=True)
    return written + bundle_write(report, out, progress=progress, free_text=free_text, data=False)


def bundle_write(report: Report, out: Path, *, progress: Callable[[str], None] | None = None,
                 free_text: bool = False, data: bool = True) -> list[Path]:
    """Write every file of ``report`` into the folder ``out``; return the paths written. The data
    files (left out with ``data=False``) hold the free-text answers only with ``free_text`` (they may
    hold personal data)."""
    step = progress or (lambda name: None)
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    written: list[Path] = []

    def write(path: Path, content: bytes) -> None:
        path.write_bytes(content)
        written.append(path)

    with translation.override(report.lang):
        if data:
            step("data")
            written += data_write(report.wave, out, lang=report.lang, free_text=free_text)
        step("tables")
        (out / "values").mkdir(exist_ok=True)
        word = documents.TableDocuments()
        for table in report.tables().values():
            formats = ("csv", "tex") if table.name.startswith("crosstab_") else documents.TABLE_FORMATS
            for fmt in formats:
                write(out / f"{table.name}.{fmt}",
                      word.docx(table) if fmt == "docx" else documents.table_bytes(table, fmt))
            write(out / "values" / f"{table.name}.csv", documents.table_bytes(table, "csv", values=True))
            if table.name.startswith("crosstab_"):
                write(out / f"{table.name}.txt", str(table.result).encode())
        step("figures")
        for figure in report.figures().values():
            for fmt, content in figure.render_all(figures.FORMATS).items():
                write(out / "figures" / f"{figure.name}.{fmt}", content)
        step("report page")
        html = render_to_string("analysis/bundle_report.html", {"report": report, "wave": report.wave,
                                                                "style": documents.HTML_STYLE})
        write(out / "report.html", html.encode())
        write(out / "report.docx", documents.report_docx(report, word))
        write(out / "README.txt", _readme(report, written, out).encode())
    return written


PREPARED_MAX_BYTES = 64 * 1024 * 1024  # larger bundles are not kept in the database


def bundle_key(wave, *, lang: str, free_text: bool = False, version: str | None = None) -> str:
    """What a wave's bundle is valid for: its report's version (``report_version``, or ``version``
    when the caller has it), the wave's slug and titles, the language and whether it holds the
    free-text answers."""
    version = version or report_version(wave)
    return hashlib.sha256(
        f"{version}:{wave.slug}:{wave.title}:{wave.title_ru}:{lang}:{int(free_text)}".encode()).hexdigest()


def bundle_zip_for(wave, *, lang: str, free_text: bool = False) -> bytes:
    """The wave's bundle, built once per report version (responses, instrument texts, codings),
    wave title and language, and kept: in the cache, and, without the free-text answers, in the
    database (``PreparedBundle``, for every server process; the worker builds it ahead after a
    report page). A second download of an unchanged wave is not built again."""
    key = bundle_key(wave, lang=lang, free_text=free_text)
    data = cache.get("analysis:bundle:" + key)
    if data is None and not free_text:
        stored = PreparedBundle.objects.filter(wave=wave, lang=lang, key=key).values_list("data", flat=True).first()
        data = None if stored is None else bytes(stored)
    if data is None:
        with tempfile.TemporaryDirectory() as tmp:
            wave_bundle_write(wave, Path(tmp), lang=lang, free_text=free_text)
            data = _zip(Path(tmp))
        if not free_text and len(data) <= PREPARED_MAX_BYTES:
            _prepared_keep(wave, lang, key, data)
    cache.set("analysis:bundle:" + key, data, CACHE_SECONDS)
    return data


def _prepared_keep(wave, lang: str, key: str, data: bytes) -> None:
    """Keep ``data`` as the wave's bundle in ``lang`` (replacing an older version's)."""
    try:
        with transaction.atomic():
            PreparedBundle.objects.update_or_create(wave=wave, lang=lang, defaults={"key": key, "data": data})
    except IntegrityError:  # another process kept the same bundle at the same moment
        pass


def bundle_zip(report: Report, *, free_text: bool = False) -> bytes:
    """The bundle of ``report`` as a ZIP file (data without free-text answers unless ``free_text``)."""
    with tempfile.TemporaryDirectory() as tmp:
        bundle_write(report, Path(tmp), free_text=free_text)
        return _zip(Path(tmp))


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder))
    return buffer.getvalue()
