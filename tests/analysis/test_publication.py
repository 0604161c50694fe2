"""Tables and figures as a journal would print them: exact text of Table 1 and the regression table
in English and Russian, no English left in Russian reports, LaTeX that compiles, PDF figures with
embedded TrueType fonts, Word documents, frequency tables of every closed question."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from django.utils import translation

from analysis import documents, style
from analysis.report import report_build
from surveys.models import Wave

pytestmark = pytest.mark.django_db

TABLE1_CSV = {
    "en": '''"Table 1. Distribution of answers (%), n = 100"
Item,Very high,High,Not very high,Low,n,Missing
Contacts between employees and management,15,22,35,28,100,0
Close bonds among employees,33,22,39,6,100,0
Propensity to take risks,12,21,32,35,100,0
Cultural and moral foundations,18,21,41,20,100,0
Cooperation among firms,41,30,22,7,100,0
Benefit from the cooperation network,21,45,25,9,100,0
Trust in cooperation,55,25,11,9,100,0
Management's interest in staff knowledge,41,27,24,8,100,0
"n = 100 respondents. Percentages of valid answers, rounded so that every row sums to 100 (largest remainder); n is the number of valid answers to the item."
''',
    "ru": '''"Таблица 1. Распределение ответов (%), n = 100"
Пункт,Очень высокий,Высокий,Не очень высокий,Низкий,n,Нет ответа
Контакты работников и руководства,15,22,35,28,100,0
Тесные связи между работниками,33,22,39,6,100,0
Склонность к риску,12,21,32,35,100,0
Культурные и нравственные основы,18,21,41,20,100,0
Сотрудничество между фирмами,41,30,22,7,100,0
Выгода от сети сотрудничества,21,45,25,9,100,0
Доверие в сотрудничестве,55,25,11,9,100,0
Интерес руководства к знаниям сотрудников,41,27,24,8,100,0
"n = 100 респондентов. Проценты от действительных ответов, округлённые так, чтобы каждая строка в сумме давала 100 (метод наибольшего остатка); n — число действительных ответов на пункт."
''',
}

TABLE1_TEX_BODY = {
    "en": r"""\caption{Distribution of answers (\%), n = 100}
\label{tab:table1}
\begin{tabularx}{\textwidth}{@{}>{\raggedright\arraybackslash}Xrrrrrr@{}}
\toprule
Item & \begin{tabular}[b]{@{}r@{}}Very\\high\end{tabular} & High & \begin{tabular}[b]{@{}r@{}}Not\\very\\high\end{tabular} & Low & \textit{n} & Missing \\
\midrule
Contacts between employees and management & 15 & 22 & 35 & 28 & 100 & 0 \\""",
    "ru": r"""\caption{Распределение ответов (\%), n = 100}
\label{tab:table1}
\begin{tabularx}{\textwidth}{@{}>{\raggedright\arraybackslash}Xrrrrrr@{}}
\toprule
Пункт & \begin{tabular}[b]{@{}r@{}}Очень\\высокий\end{tabular} & Высокий & \begin{tabular}[b]{@{}r@{}}Не\\очень\\высокий\end{tabular} & Низкий & \textit{n} & \begin{tabular}[b]{@{}r@{}}Нет\\ответа\end{tabular} \\
\midrule
Контакты работников и руководства & 15 & 22 & 35 & 28 & 100 & 0 \\""",
}


def _report(wave, lang):
    return report_build(wave, lang=lang)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_table1_csv_and_latex_exactly(demo_wave, lang):
    table = _report(demo_wave, lang).table("table1")
    with translation.override(lang):
        assert documents.table_bytes(table, "csv").decode() == TABLE1_CSV[lang]
        tex = documents.table_bytes(table, "tex").decode()
    assert TABLE1_TEX_BODY[lang].split("\n", 2)[2].split("\n", 1)[1] in tex
    assert r"\bottomrule" in tex and ("Примечание." if lang == "ru" else "Note.") in tex
    assert "Table 1: Table 1" not in tex and "Таблица 1. " not in tex.split(r"\caption")[1].split("}")[0]
    assert r"(\%), \textit{n} = 100}" in tex  # statistical symbols in italics, as APA sets them
    # the labels wrap and take the width left; numbers keep theirs, headers break between words


def test_regression_table_styles_p_values_and_names_reference_categories(demo_wave):
    en = _report(demo_wave, "en").table("ordinal_coefficients").printed
    assert list(en.columns) == ["B", "SE", "z", "p", "OR", "95% CI (OR)"]
    assert en.loc["Culture and behaviour"].tolist() == ["1.09", "0.31", "3.51", "< .001", "2.98", "[1.62, 5.49]"]
    assert en.loc["Relationships and participation", "p"] == ".014"
    assert "Size (ref. Micro (up to 15))" in en.index and "    Small (16–100)" in en.index
    assert en.loc["    Large (over 250)", "B"] == "−0.17"
    ru = _report(demo_wave, "ru").table("ordinal_coefficients").printed
    assert ru.loc["Культура и поведение"].tolist() == ["1,09", "0,31", "3,51", "< 0,001", "2,98", "[1,62; 5,49]"]
    assert "Размер (базовая категория: Микропредприятие (до 15))" in ru.index


ALLOWED = {"n", "k", "p", "z", "df", "B", "M", "SD", "U", "AIC", "BIC", "R", "r", "j", "x", "logit", "P", "Y",
           "clm", "ordinal", "psych", "omega", "nominal_test", "scale_test", "nominal", "a", "b", "V", "G", "R&D",
           "NaN", "OR"}


@pytest.mark.parametrize("slug", ["social-capital-demo", "cluster-managers-demo", "cluster-organisations-demo"])
def test_russian_reports_have_no_english_and_use_decimal_commas(demo_wave, slug):
    report = _report(Wave.objects.get(slug=slug), "ru")
    texts = []
    for section in report.sections:
        texts += [section.title, *section.notes, *section.problems]
        texts += [text for figure in section.figures for text in (figure.title, figure.note, figure.alt)]
        for table in section.tables:
            printed = table.printed
            texts += [table.title, table.note, str(printed.index.name), *map(str, printed.columns),
                      *map(str, printed.index)]
            cells = [str(v) for v in printed.to_numpy().ravel()]
            assert not any(re.search(r"\d\.\d", c) for c in cells), (table.name, cells)
            texts += cells
    texts = [re.sub(r"\b\w+::\w+", "", t) for t in texts]  # R functions named as the methods' source
    words = {w.rstrip(":") for text in texts for w in re.findall(r"[A-Za-z][A-Za-z_&:]*", text)}
    words -= ALLOWED
    # question codes in formulas are variable names, not English prose
    words -= {v.name for v in report.variables} | set(report.roles.blocks)
    assert words == set()


def test_frequency_tables_of_the_interview_demo(demo_wave):
    report = _report(Wave.objects.get(slug="cluster-managers-demo"), "en")
    funds = report.table("freq_sustainable_without_project_funds")
    assert funds.data.set_index("option").loc["No", "n"] == 15 and funds.data.attrs["missing"] == 0
    unsure = int(funds.data.set_index("option").loc["Unsure", "n"])  # a missing-value option: not in the %
    assert funds.printed.loc["No"].tolist() == ["15", f"{100 * 15 / (50 - unsure):.1f}"] == ["15", "38.5"]
    assert funds.printed.loc["Unsure"].tolist() == [str(unsure), "—"]
    local = report.table("freq_local_benefits").data.set_index("option")
    assert local["n"].sum() == 50 and local["n"].iloc[-1] == 3  # "no, ..." is the last option
    expected = report.table("freq_expected_funding")
    assert expected.printed.columns.tolist() == ["n", "% of cases"]


@pytest.mark.parametrize("slug", ["social-capital-demo", "cluster-managers-demo", "cluster-organisations-demo"])
def test_every_latex_table_of_the_bundle_compiles(demo_wave, tmp_path, slug):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (CI installs it)")
    for lang in ("en", "ru"):
        report = report_build(Wave.objects.get(slug=slug), lang=lang)
        with translation.override(lang):
            body = "\n".join(documents.table_bytes(t, "tex").decode() for t in report.tables().values())
        doc = ("\\documentclass{article}\\usepackage[T2A]{fontenc}\\usepackage[utf8]{inputenc}"
               "\\usepackage[russian,english]{babel}\\usepackage{booktabs,tabularx}\\begin{document}\n"
               + body + "\n\\end{document}\n")
        (tmp_path / f"tables-{lang}.tex").write_text(doc, encoding="utf-8")
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"tables-{lang}.tex"],
                             cwd=tmp_path, capture_output=True, text=True, encoding="latin-1", timeout=120)
        assert run.returncode == 0, run.stdout[-3000:]
        # fits \textwidth, and no word or number sticks out of its column
        assert "Overfull \\hbox" not in run.stdout, re.findall(r"Overfull.*", run.stdout)


def test_latex_escapes_user_text():
    assert documents.latex_escape(r"50% & \input{x} ^^41 $_#{}~") == (
        r"50\% \& \textbackslash{}input\{x\} \textasciicircum{}\textasciicircum{}41 \$\_\#\{\}\textasciitilde{}")


def test_pdf_figures_embed_truetype_fonts(researcher_client, demo_wave, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    for slug, name in (("social-capital-demo", "table1"), ("social-capital-demo", "probabilities"),
                       ("cluster-managers-demo", "figure1")):
        for lang in ("en", "ru"):
            pdf = researcher_client.get(f"/analysis/w/{slug}/download/figure-{name}.pdf",
                                        HTTP_ACCEPT_LANGUAGE=lang).content
            path = tmp_path / f"{name}-{lang}.pdf"
            path.write_bytes(pdf)
            fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
            assert fonts and all(("TrueType" in f or "Type 1" in f) and "Type 3" not in f for f in fonts), fonts


def test_svg_keeps_text_as_text(researcher_client, demo_wave):
    svg = researcher_client.get("/analysis/w/social-capital-demo/download/figure-table1.svg").content.decode()
    assert "<text" in svg and "Contacts between employees" in svg


def test_docx_tables_and_report(researcher_client, demo_wave):
    from docx import Document

    r = researcher_client.get("/analysis/w/social-capital-demo/download/table1.docx")
    document = Document(io.BytesIO(r.content))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Item", "Very high", "High", "Not very high", "Low", "n",
                                                      "Missing"]
    assert [c.text for c in table.rows[1].cells][:5] == ["Contacts between employees and management", "15", "22",
                                                         "35", "28"]
    report = Document(io.BytesIO(researcher_client.get(
        "/analysis/w/social-capital-demo/download/report.docx").content))
    assert len(report.tables) >= 8 and len(report.inline_shapes) >= 2


def test_one_word_writer_makes_every_table_as_a_new_document_would(demo_wave):
    """The bundle's writer refills one document for table after table: each file holds exactly the
    parts (body, title, styles, relationships) that a document made for that table alone holds, and
    the whole report made with the tables' paragraphs it kept is the report made anew."""
    report = report_build(Wave.objects.get(slug="social-capital-demo"), lang="ru")
    tables = [t for t in report.tables().values() if not t.name.startswith("crosstab_")]
    assert len(tables) >= 8
    writer = documents.TableDocuments()
    with translation.override("ru"):
        for table in tables + tables[:1]:  # the first again: nothing of the others is left in it
            reused, alone = (zipfile.ZipFile(io.BytesIO(data)) for data in
                             (writer.docx(table), documents.table_bytes(table, "docx")))
            assert reused.namelist() == alone.namelist()
            for name in alone.namelist():
                assert reused.read(name) == alone.read(name), (table.name, name)
            body = reused.read("word/document.xml").decode()
            assert body.count("<w:tbl>") == 1 and table.printed.columns[0] in body
            assert f"<dc:title>{table.title}</dc:title>" in reused.read("docProps/core.xml").decode()
        assert all(writer.parts(table) for table in tables)
        copied, anew = (zipfile.ZipFile(io.BytesIO(documents.report_docx(report, made)))
                        for made in (writer, None))
    assert copied.namelist() == anew.namelist()
    for name in anew.namelist():
        assert copied.read(name) == anew.read(name), name
    assert copied.read("word/document.xml").decode().count("<w:tbl>") == len(tables)
    with translation.override("en"):  # kept in Russian: not taken for an English report
        assert writer.parts(tables[0]) is None


def test_xlsx_has_a_printed_and_a_values_sheet_of_text_cells(researcher_client, demo_wave):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(researcher_client.get(
        "/analysis/w/social-capital-demo/download/reliability.xlsx").content))
    assert book.sheetnames == ["table", "values"]
    printed = book["table"]
    assert printed["A1"].value == "Reliability of the blocks and of the scale"
    assert printed["D7"].value == ".74" and printed["D7"].data_type == "s"
    assert book["values"]["D6"].value == pytest.approx(0.737903, abs=1e-6)


@pytest.mark.parametrize("value,lang,expected", [
    (0.0469, "en", ".047"), (0.0004, "en", "< .001"), (0.0469, "ru", "0,047"), (0.0004, "ru", "< 0,001"),
    (float("nan"), "en", "—"), (1.0, "en", "1.000")])
def test_p_values(value, lang, expected):
    assert style.p_value(value, lang) == expected


def test_bounded_and_intervals():
    assert style.bounded(0.738, 2, "en") == ".74" and style.bounded(-0.05, 2, "en") == "−.05"
    assert style.bounded(0.738, 2, "ru") == "0,74"
    assert style.interval(1.178, 4.33, 2, "en") == "[1.18, 4.33]"
    assert style.interval(1.178, 4.33, 2, "ru") == "[1,18; 4,33]"
    assert style.number(-0.001, 2, "en") == "0.00"


def test_the_bundle_is_in_one_language(researcher_client, demo_wave):
    bundle = researcher_client.get("/analysis/w/social-capital-demo/download/bundle.zip", HTTP_ACCEPT_LANGUAGE="ru")
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zf:
        readme = zf.read("README.txt").decode()
        assert readme.startswith("Отчёт по волне social-capital-demo")
        assert "Таблица 1. Распределение ответов" in zf.read("report.html").decode()
