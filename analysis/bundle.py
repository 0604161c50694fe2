"""A wave's report as files: every table (CSV, XLSX, LaTeX, HTML), figure (PNG, SVG, PDF), the data
(CSV, XLSX, SPSS, Stata) with its codebook, report.html and a README, in a folder or a ZIP file.

What goes in is exactly the :class:`analysis.report.Report` it is given: nothing is computed here.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Callable, Union

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import documents, exports, figures
from .models import PreparedBundle
from .report import CACHE_SECONDS, Report, report_build, report_prefetch, report_version


def _readme(report: Report) -> str:
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


# Where a bundle's files go: a folder, or a ZIP file being written (its members named by their
# paths inside the bundle).
Target = Union[Path, zipfile.ZipFile]


class _Files:
    """Writes a bundle's files into its target: in a folder on disk, or straight into the ZIP file
    (no file is written to disk and read back). ``written``: the paths written, relative to the
    bundle's root for a ZIP file."""

    def __init__(self, out: Target):
        self.out, self.written, self._folders = out, [], set()
        if isinstance(out, Path):
            out.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, content: bytes) -> None:
        if isinstance(self.out, Path):
            path = self.out / name
            if path.parent not in self._folders:
                path.parent.mkdir(exist_ok=True)
                self._folders.add(path.parent)
            path.write_bytes(content)
        else:
            path = Path(name)
            info = zipfile.ZipInfo(str(PurePosixPath(name)), date_time=time.localtime()[:6])
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            self.out.writestr(info, content)
        self.written.append(path)

    def add_written(self, name: str, write: Callable[[Path], None]) -> None:
        """A file a library writes to a path of its own (pyreadstat, openpyxl): in the folder, or in
        a temporary one and from there into the ZIP file."""
        if isinstance(self.out, Path):
            write(self.out / name)
            self.written.append(self.out / name)
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            write(path)
            self.out.write(path, name)
        self.written.append(Path(name))


def data_write(wave, out: Target, *, lang: str, free_text: bool = False) -> list[Path]:
    """Write the wave's data files (CSV, XLSX, SPSS, Stata) and codebook into ``out``."""
    files = out if isinstance(out, _Files) else _Files(out)
    start = len(files.written)
    with translation.override(lang):
        for fmt in exports.DATA_FORMATS:
            files.add_written(f"data.{fmt}", lambda path, fmt=fmt: exports.write_data(
                wave, fmt, path, lang=lang, free_text=free_text))
        files.add("codebook.csv", exports.codebook(wave, lang=lang).to_csv(index=False).encode())
        files.add("codebook.json", exports.codebook_json(wave).encode())
    return files.written[start:]


def wave_bundle_write(wave, out: Target, *, lang: str, progress: Callable[[str], None] | None = None,
                      free_text: bool = False) -> list[Path]:
    """Write the wave's whole bundle (the report with every cross-tabulation) into ``out``, a folder
    or a ZIP file: the data files first, then the report is built and its files written, so that the
    two large things (the data files' frame and the report) are never in memory at once."""
    step = progress or (lambda name: None)
    report_prefetch(wave, lang=lang)  # the exact tests run while the data files are written
    step("data")
    files = _Files(out)
    data_write(wave, files, lang=lang, free_text=free_text)
    step("report")
    report = report_build(wave, lang=lang, all_crosstabs=True)
    return _report_write(report, files, progress=progress)


def bundle_write(report: Report, out: Target, *, progress: Callable[[str], None] | None = None,
                 free_text: bool = False, data: bool = True) -> list[Path]:
    """Write every file of ``report`` into ``out`` (a folder, or a ZIP file); return the paths
    written. The data files (left out with ``data=False``) hold the free-text answers only with
    ``free_text`` (they may hold personal data)."""
    files = _Files(out)
    if data:
        (progress or (lambda name: None))("data")
        data_write(report.wave, files, lang=report.lang, free_text=free_text)
    return _report_write(report, files, progress=progress)


def _report_write(report: Report, files: _Files, *, progress: Callable[[str], None] | None) -> list[Path]:
    """The report's own files (tables, figures, report.html and .docx, README) after the data's."""
    step = progress or (lambda name: None)
    write = files.add
    with translation.override(report.lang):
        step("tables")
        word = documents.TableDocuments()
        for table in report.tables().values():
            formats = ("csv", "tex") if table.name.startswith("crosstab_") else documents.TABLE_FORMATS
            for fmt in formats:
                write(f"{table.name}.{fmt}", word.docx(table) if fmt == "docx" else documents.table_bytes(table, fmt))
            write(f"values/{table.name}.csv", documents.table_bytes(table, "csv", values=True))
            if table.name.startswith("crosstab_"):
                write(f"{table.name}.txt", str(table.result).encode())
        step("figures")
        for figure in report.figures().values():
            for fmt, content in figure.render_all(figures.FORMATS).items():
                write(f"figures/{figure.name}.{fmt}", content)
        step("report page")
        html = render_to_string("analysis/bundle_report.html", {"report": report, "wave": report.wave,
                                                                "style": documents.HTML_STYLE})
        write("report.html", html.encode())
        write("report.docx", documents.report_docx(report, word))
        write("README.txt", _readme(report).encode())
    return files.written


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
        data = _zipped(lambda zf: wave_bundle_write(wave, zf, lang=lang, free_text=free_text))
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
    return _zipped(lambda zf: bundle_write(report, zf, free_text=free_text))


def _zipped(write: Callable[[zipfile.ZipFile], object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        write(zf)
    return buffer.getvalue()
