"""The report's tables as documents: CSV, XLSX, LaTeX (booktabs), HTML and Word (.docx), and the
whole report as one .docx.

Each table is written as it is printed (``Table.printed``: labels, headers in words, the numbers'
style of :mod:`analysis.style`) with its caption and note; XLSX adds a sheet of the unrounded values
(``Table.data``), and CSV gives them with ``values=True``. Every text is escaped for its format:
LaTeX specials and backslashes, HTML, and spreadsheet cells (written as text, never as formulas).
"""
from __future__ import annotations

import csv
import html
import io
import re
from copy import deepcopy
from typing import TYPE_CHECKING

import pandas as pd
from django.utils.translation import get_language, gettext as _

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report, Table

TABLE_FORMATS = ("csv", "xlsx", "tex", "html", "docx")
NUMBERED = re.compile(r"^(Table|Figure|Таблица|Рисунок)\s+\d+\.\s*")


def caption(title: str) -> str:
    """The title without its "Table 1." prefix: LaTeX and Word number their captions themselves."""
    return NUMBERED.sub("", title)


def table_bytes(table: "Table", fmt: str, *, values: bool = False) -> bytes:
    """``table`` as CSV, XLSX, LaTeX, HTML or .docx (``values``: CSV of the unrounded values)."""
    if fmt == "csv":
        return _csv(table, values=values)
    if fmt == "xlsx":
        return _xlsx(table)
    if fmt == "tex":
        return latex_table(table).encode("utf-8")
    if fmt == "html":
        return ("<!doctype html><html><head><meta charset='utf-8'><title>" + html.escape(table.title) +
                "</title><style>" + HTML_STYLE + "</style></head><body>" + html_table(table) +
                "</body></html>").encode("utf-8")
    if fmt == "docx":
        return TableDocuments().docx(table)
    raise ValueError(f"Unknown table format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}.")


# --- CSV and XLSX ---------------------------------------------------------------------------

def _csv(table: "Table", *, values: bool) -> bytes:
    if values:
        return table.data.to_csv().encode("utf-8")
    printed = table.printed
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([table.title])
    writer.writerow([printed.index.name or "", *printed.columns])
    for label, row in zip(printed.index, printed.itertuples(index=False)):
        writer.writerow([_cell(label), *(_cell(v) for v in row)])
    if table.note:
        writer.writerow([table.note])
    return buffer.getvalue().encode("utf-8")


def _cell(value) -> str:
    if isinstance(value, tuple):
        return " / ".join(map(str, value))
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _xlsx(table: "Table") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "table"
    printed = table.printed
    line = Side(style="thin")

    def text(row: int, col: int, value, **style):
        cell = sheet.cell(row=row, column=col)
        cell.value = _cell(value)
        cell.data_type = "s"  # text, never a formula
        for key, val in style.items():
            setattr(cell, key, val)
        return cell

    text(1, 1, table.title, font=Font(bold=True))
    header = [printed.index.name or "", *printed.columns]
    for c, value in enumerate(header, start=1):
        text(2, c, value, font=Font(bold=True), border=Border(top=line, bottom=line),
             alignment=Alignment(horizontal="left" if c == 1 else "right", wrap_text=True))
    for r, (label, row) in enumerate(zip(printed.index, printed.itertuples(index=False)), start=3):
        text(r, 1, label)
        for c, value in enumerate(row, start=2):
            text(r, c, value, alignment=Alignment(horizontal="right"))
    last = 2 + len(printed)
    for c in range(1, len(header) + 1):
        sheet.cell(row=last, column=c).border = Border(bottom=line)
    if table.note:
        text(last + 1, 1, table.note, font=Font(italic=True))
    sheet.column_dimensions["A"].width = min(60, max(12, *(len(str(v)) for v in printed.index)) + 2)
    values = book.create_sheet("values")
    data = table.data.reset_index()
    for c, name in enumerate(data.columns, start=1):
        values.cell(row=1, column=c, value=str(name)).data_type = "s"
    for r, row in enumerate(data.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            cell = values.cell(row=r, column=c)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                cell.value = value
            else:
                cell.value = _cell(value)
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- LaTeX ----------------------------------------------------------------------------------

LATEX_PREAMBLE = (
    "% Needs \\usepackage{booktabs,tabularx} and, for Russian text,\n"
    "% \\usepackage[T2A]{fontenc}\\usepackage[utf8]{inputenc}\\usepackage[russian]{babel}\n"
)
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
    "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", "α": r"$\alpha$", "β": r"$\beta$", "θ": r"$\theta$", "κ": r"$\kappa$", "ω": r"$\omega$",
    "χ": r"$\chi$", "²": r"\textsuperscript{2}", "≤": r"$\leq$", "≥": r"$\geq$", "±": r"$\pm$", "−": r"\textminus{}",
    "′": r"$'$", "—": "---", "–": "--", "\u00a0": "~", "…": r"\ldots{}", "×": r"$\times$", "«": "<<", "»": ">>",
    "\n": " ", "\r": " ", "\t": " ",
}


def latex_escape(text: str) -> str:
    """Text safe for LaTeX: every special character (backslashes and ``^^`` included) written as a
    command, Greek letters and mathematical signs in math mode, control characters dropped."""
    out = []
    for char in str(text):
        if char in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[char])
        elif ord(char) < 32 or 0x7f <= ord(char) < 0xa0:
            continue
        else:
            out.append(char)
    return "".join(out)


# Statistical symbols, set in italics as APA style prescribes (Greek letters stay upright).
STAT_SYMBOLS = frozenset({"n", "N", "p", "M", "SD", "SE", "B", "z", "t", "df", "r", "U", "F", "OR", "k"})
_SYMBOL_BEFORE_RELATION = re.compile(
    r"(?<![\w\\{])(n|N|p|M|SD|SE|B|z|df|U|k)(?= (?:=|\\textless\{\}|\\textgreater\{\}|\$\\leq\$|is|---) )")


def latex_header(text: str) -> str:
    """A column header: a statistical symbol alone (n, p, SD ...) or leading ("p (Holm)") in italics."""
    head, _sep, rest = str(text).partition(" ")
    if head in STAT_SYMBOLS:
        return r"\textit{" + head + "}" + (" " + latex_escape(rest) if rest else "")
    return latex_escape(text)


def latex_symbols(escaped: str) -> str:
    """Italics for the statistical symbols of already escaped running text ("n = 100", "p < .05")."""
    return _SYMBOL_BEFORE_RELATION.sub(r"\\textit{\1}", escaped)


def _stacked_header(text: str, room: float, width) -> str:
    """A header over a column of numbers: its words in lines no wider than ``room`` (the widest
    cell) or its longest word, right-aligned, set as a one-column tabular."""
    room = max([room, *(width(word) for word in text.split())])
    lines: list[str] = []
    for word in text.split():
        if lines and width(lines[-1] + " " + word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) <= 1:
        return latex_header(text)
    return r"\begin{tabular}[b]{@{}r@{}}" + r"\\".join(latex_header(line) for line in lines) + r"\end{tabular}"


def latex_table(table: "Table", *, label: str | None = None) -> str:
    printed = table.printed
    k = len(printed.columns)
    # The stub (labels) is the one column that wraps and takes the width left; a column of numbers
    # keeps its natural width, and its header is broken between words into lines no wider than its
    # widest cell (or its longest word), so that neither numbers nor words are ever cut. A column
    # holding longer texts wraps as the stub does.
    def width(text: str) -> float:  # Cyrillic letters are wider than Latin ones in Computer Modern
        return sum(1.35 if ord(ch) > 0x3ff else 1 for ch in text)

    textual = [max((width(_cell(v)) for v in printed[c]), default=0) > 18 for c in printed.columns]
    spec = (r"@{}>{\raggedright\arraybackslash}X"
            + "".join(r">{\raggedright\arraybackslash}X" if wide else "r" for wide in textual) + "@{}")
    headers = [latex_header(printed.index.name or "")] + [
        latex_header(c) if wide else _stacked_header(str(c), max((width(_cell(v)) for v in printed[c]), default=0),
                                                     width)
        for c, wide in zip(printed.columns, textual)]
    size = r"\small" if k < 6 else r"\footnotesize"  # wide tables in a smaller type, to fit the page
    lines = [LATEX_PREAMBLE.rstrip(), r"\begin{table}[htbp]", r"\centering", size,
             r"\setlength{\tabcolsep}{4pt}",
             r"\caption{" + latex_symbols(latex_escape(caption(table.title))) + "}",
             r"\label{tab:" + re.sub(r"[^A-Za-z0-9:-]", "-", label or table.name) + "}",
             r"\begin{tabularx}{\textwidth}{" + spec + "}", r"\toprule",
             " & ".join(headers) + r" \\",
             r"\midrule"]
    for name, row in zip(printed.index, printed.itertuples(index=False)):
        stub = _cell(name)
        indent = r"\quad " if stub.startswith("    ") else ""
        lines.append(" & ".join([indent + latex_escape(stub.strip()), *(latex_escape(_cell(v)) for v in row)])
                     + r" \\")
    lines += [r"\bottomrule", r"\end{tabularx}"]
    if table.note:
        lines.append(r"\par\smallskip\parbox{\textwidth}{\footnotesize\textit{" + latex_escape(_("Note.")) + "} "
                     + latex_symbols(latex_escape(table.note)) + "}")
    lines += [r"\end{table}", ""]
    return "\n".join(lines)


# --- HTML -----------------------------------------------------------------------------------

HTML_STYLE = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}"
    "table.apa{border-collapse:collapse;margin:.5rem 0;font-size:.9rem;border-top:2px solid #000;"
    "border-bottom:2px solid #000}table.apa thead th{border-bottom:1px solid #000}"
    "table.apa th,table.apa td{padding:.2rem .6rem;text-align:right;vertical-align:top}"
    "table.apa th[scope=row],table.apa thead th:first-child{text-align:left;font-weight:normal}"
    "table.apa caption{text-align:left;padding:.3rem 0;caption-side:top}.note{font-size:.85rem}"
    "figure{margin:1rem 0}img{max-width:100%}"
)


def html_table(table: "Table") -> str:
    printed = table.printed
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in [printed.index.name or "", *printed.columns])
    rows = "".join(
        f'<tr><th scope="row">{html.escape(_cell(name))}</th>'
        + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for name, row in zip(printed.index, printed.itertuples(index=False)))
    note = (f'<p class="note"><em>{html.escape(_("Note."))}</em> {html.escape(table.note)}</p>'
            if table.note else "")
    return (f'<table class="apa"><caption>{html.escape(table.title)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>{note}")


# --- Word -----------------------------------------------------------------------------------

def _rule(cell, edge: str, size: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = cell._tc.get_or_add_tcPr().first_child_found_in("w:tcBorders")
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        cell._tc.get_or_add_tcPr().append(borders)
    element = OxmlElement(f"w:{edge}")
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:color"), "000000")
    borders.append(element)


def _docx_table(document, table: "Table") -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    printed = table.printed
    paragraph = document.add_paragraph()
    paragraph.add_run(table.title).bold = True
    grid = document.add_table(rows=1 + len(printed), cols=1 + len(printed.columns))
    header = [printed.index.name or "", *printed.columns]
    for c, value in enumerate(header):
        cell = grid.rows[0].cells[c]
        cell.text = str(value)
        _rule(cell, "top", 12)
        _rule(cell, "bottom", 6)
    for r, (name, row) in enumerate(zip(printed.index, printed.itertuples(index=False)), start=1):
        cells = grid.rows[r].cells
        cells[0].text = _cell(name)
        for c, value in enumerate(row, start=1):
            cells[c].text = _cell(value)
            cells[c].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in grid.rows[-1].cells:
        _rule(cell, "bottom", 12)
    for row in grid.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    if table.note:
        note = document.add_paragraph()
        note.add_run(_("Note.") + " ").italic = True
        note.add_run(table.note).font.size = Pt(9)


class TableDocuments:
    """One table per Word document, for the tables of one report: python-docx's template is opened
    once and the document's body emptied back to the template's for each table (opening the template
    is most of a one-table document's cost). Every document is as a new ``Document()`` would make it.
    The tables' paragraphs are kept (:meth:`parts`) for :func:`report_docx`. Not shared between
    threads: each caller makes its own."""

    def __init__(self):
        from docx import Document

        self.document = Document()
        self.body = self.document.element.body
        self.template = [deepcopy(child) for child in self.body]
        self.made: dict[tuple, list] = {}  # the body elements each table added, by table and language

    def docx(self, table: "Table") -> bytes:
        for child in list(self.body):
            self.body.remove(child)
        self.body.extend(deepcopy(child) for child in self.template)
        before = len(self.body) - 1  # the template's children; the last is the section's properties
        self.document.core_properties.title = table.title
        _docx_table(self.document, table)
        self.made[table.name, get_language()] = list(self.body)[before:-1]
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    def parts(self, table: "Table") -> list | None:
        """Copies of the caption, grid and note :meth:`docx` made for ``table`` in the active
        language, or None."""
        made = self.made.get((table.name, get_language()))
        return None if made is None else [deepcopy(element) for element in made]


def report_docx(report: "Report", tables: TableDocuments | None = None) -> bytes:
    """The whole report as one Word document: every section's notes, tables and figures (each
    table's paragraphs copied from ``tables`` when it made that table's document)."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.core_properties.title = report.wave.local("title", report.lang)
    document.add_heading(report.wave.local("title", report.lang), level=1)
    for section in report.sections:
        document.add_heading(section.title, level=2)
        for text in [*([section.summary] if section.summary else []), *section.problems, *section.notes]:
            document.add_paragraph(text)
        for table in section.tables:
            if table.name.startswith("crosstab_"):
                continue
            made = tables.parts(table) if tables is not None else None
            if made is None:
                _docx_table(document, table)
            else:
                end = document.element.body[-1]  # the section's properties stay last
                for element in made:
                    end.addprevious(element)
        for figure in section.figures:
            document.add_picture(io.BytesIO(figure.render("png")), width=Cm(figure.width_cm))
            document.add_paragraph(figure.title + (f". {figure.note}" if figure.note else ""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
