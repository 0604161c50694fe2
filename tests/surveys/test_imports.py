"""import_responses: validated against the instrument, all or nothing, every bad cell reported."""
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from analysis import exports, frames
from surveys.models import Answer, Response, Wave

pytestmark = pytest.mark.django_db

HEADER = ("region,sector,size,ownership,position,cluster_member,sc1_contacts,sc2_bonds,sc3_risk_knowledge,"
          "sc4_culture,sc5_cooperation,sc6_network_benefit,sc7_trust,sc8_knowledge_interest,readiness,barriers,comment\n")


@pytest.fixture
def target(social_capital):
    return Wave.objects.create(instrument=social_capital, title="Paper", slug="paper", status=Wave.Status.CLOSED)


def test_import_codes_and_labels(target, tmp_path):
    f = tmp_path / "paper.csv"
    f.write_text(HEADER
                 + "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3,1;6,Хорошо\n"
                 + "Perm region,Finance,Small (16–100),Private,Other,No,Very high,Low,High,Низкий,High,High,Low,Low,"
                 + "Rather ready,Lack of state support,\n", encoding="utf-8")
    call_command("import_responses", "paper", str(f))
    assert Response.objects.filter(wave=target, status="completed").count() == 2
    df = frames.wave_frame(target, codes=True)
    assert df["sc1_contacts"].tolist() == [4, 4]
    assert df["sc4_culture"].tolist() == [1, 1]
    assert df["region"].tolist() == [2, 2] and df["sector"].tolist() == [1, 4]
    assert df["barriers__6"].tolist() == [1, 1] and df["barriers__1"].tolist() == [1, 0]


def test_malformed_import_changes_nothing_and_reports_each_bad_cell(target, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(HEADER
                 + "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3,,\n"          # valid
                 + "2,1,9,1,1,2,5,3,2,1,4,3,4,3,3,,\n"          # size 9 and sc1 5 invalid
                 + "2,1,3,1,1,2,4,3,2,1,4,3,4,,3,42,\n",         # sc8 missing (required), barrier 42
                 encoding="utf-8")
    with pytest.raises(CommandError, match="4 errors in 3 rows; nothing was imported"):
        call_command("import_responses", "paper", str(f))
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_error_report_names_rows_and_columns(target, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "2,1,9,1,1,2,4,3,2,1,4,3,4,3,3,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_responses", "paper", str(f))
    err = capsys.readouterr().err
    assert "bad.csv: row 2, column size:" in err and "'9'" in err


def test_dry_run_stores_nothing(target, tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text(HEADER + "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3,,\n", encoding="utf-8")
    call_command("import_responses", "paper", str(f), "--dry-run")
    assert Response.objects.count() == 0


def test_unknown_column_is_refused(target, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("region,email\n2,a@b.c\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_responses", "paper", str(f))
    assert Response.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_importing_an_export_reproduces_the_data(instruments, tmp_path, fmt):
    call_command("make_demo_data", verbosity=0)
    demo = Wave.objects.get(slug="social-capital-demo")
    path = tmp_path / f"demo.{fmt}"
    exports.write_data(demo, fmt, path)
    target = Wave.objects.create(instrument=demo.instrument, title="Copy", slug="copy", status=Wave.Status.CLOSED)
    # the same response ids cannot be stored twice: import into a copy without them
    import pandas as pd
    if fmt == "csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["response_id"])
        path = tmp_path / "copy.csv"
        df.to_csv(path, index=False)
    else:
        from surveys.imports import read_table, responses_import
        frame, first = read_table(path)
        report = responses_import(wave=target, frame=frame.drop(columns=["response_id"]), first_row=first)
        assert report.ok, [str(e) for e in report.errors[:5]]
    if fmt == "csv":
        call_command("import_responses", "copy", str(path))
    cols = [c for c in frames.wave_frame(demo, codes=True).columns if c not in ("response_id", "wave", "submitted_at")]
    original = frames.wave_frame(demo, codes=True)[cols].reset_index(drop=True)
    copy = frames.wave_frame(target, codes=True)[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(original.astype(str), copy.astype(str))


def test_reimporting_the_same_response_ids_is_refused(instruments, tmp_path):
    call_command("make_demo_data", verbosity=0)
    demo = Wave.objects.get(slug="social-capital-demo")
    path = tmp_path / "demo.csv"
    exports.write_data(demo, "csv", path)
    with pytest.raises(CommandError, match="100 errors"):
        call_command("import_responses", "social-capital-demo", str(path))
    assert Response.objects.filter(wave=demo).count() == 100


# --- issue 13, part 2: what R, Excel and paper files bring ------------------------------------

ROW = "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3,{barriers},{comment}\n"


def _errors(target, path, **kwargs):
    from surveys.imports import read_table, responses_import
    frame, rows = read_table(path, **{k: v for k, v in kwargs.items() if k == "date_format"})
    return responses_import(wave=target, frame=frame, first_row=rows, **kwargs)


def test_r_na_and_empty_cells_are_missing_values(target, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + ROW.format(barriers="NA", comment="NA") + ROW.format(barriers="", comment=""),
                 encoding="utf-8")
    call_command("import_responses", "paper", str(f))
    df = frames.wave_frame(target, codes=True)
    assert df["comment"].isna().all() and df["barriers__1"].isna().all()
    f.write_text(HEADER.replace("region,", "region,response_id,", 1).split("\n")[0] + "\n"
                 + "NA,NA," + ROW.format(barriers="", comment="").split(",", 1)[1], encoding="utf-8")
    report = _errors(target, f)
    assert [(e.row, e.column) for e in report.errors] == [(2, "region")]
    assert "required" in report.errors[0].message and "invalid" not in report.errors[0].message.lower()


def test_row_numbers_are_the_files_line_numbers(target, tmp_path):
    f = tmp_path / "lines.csv"
    f.write_text(HEADER + ROW.format(barriers="", comment='"first line\nsecond line\nthird"') + "\n"
                 + ROW.format(barriers="", comment="").replace("2,1,3", "2,1,9", 1), encoding="utf-8")
    report = _errors(target, f)
    assert [(e.row, e.column) for e in report.errors] == [(6, "size")]
    assert Response.objects.count() == 0


def test_duplicate_id_inside_one_file_is_reported_as_such(target, tmp_path):
    rid = "7d2b3c1e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    f = tmp_path / "dup.csv"
    f.write_text("response_id," + HEADER + f"{rid}," + ROW.format(barriers="", comment="")
                 + f"{rid.upper()}," + ROW.format(barriers="", comment=""), encoding="utf-8")
    report = _errors(target, f)
    assert [(e.row, e.column) for e in report.errors] == [(3, "response_id")]
    assert "duplicate response id" in report.errors[0].message and "row 2" in report.errors[0].message
    assert Response.objects.count() == 0


def test_cp1251_and_semicolon_files_are_read(target, tmp_path):
    f = tmp_path / "excel-ru.csv"
    f.write_bytes((HEADER.replace(",", ";") + "2;1;3;1;1;2;4;3;2;1;4;3;4;3;3;1;Хорошо, спасибо\n").encode("cp1251"))
    call_command("import_responses", "paper", str(f))
    assert frames.wave_frame(target, codes=True)["comment"].tolist() == ["Хорошо, спасибо"]


def test_a_file_in_another_encoding_is_refused_with_a_clear_message(target, tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes((HEADER + ROW.format(barriers="", comment="Très bien merci")).encode("latin-1"))
    with pytest.raises(CommandError, match=r"line 2: the file is not UTF-8 .*nothing was imported"):
        call_command("import_responses", "paper", str(f))
    assert Response.objects.count() == 0


DATED = {
    "code": "dated", "title": {"en": "Dated", "ru": "С датой"},
    "sections": [{"code": "s", "title": {"en": "S", "ru": "С"}, "questions": [
        {"code": "visit", "type": "date", "text": {"en": "Visit", "ru": "Визит"}},
        {"code": "note", "type": "text", "required": False, "text": {"en": "Note", "ru": "Заметка"}}]}],
}


@pytest.fixture
def dated(db):
    from surveys.instruments import instrument_import
    return Wave.objects.create(instrument=instrument_import(data=DATED), title="D", slug="dated",
                               status=Wave.Status.CLOSED)


def test_dates_must_match_the_declared_format_never_swapped(dated, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("visit,note\n2024-02-03,a\n03.02.2024,b\n02/03/2024,c\n2024-02-30,d\n", encoding="utf-8")
    report = _errors(dated, f)
    assert [(e.row, e.column) for e in report.errors] == [(3, "visit"), (4, "visit"), (5, "visit")]
    assert "YYYY-MM-DD" in report.errors[0].message and "--date-format dmy" in report.errors[0].message
    f.write_text("visit,note\n03.02.2024,a\n2024-02-03,b\n", encoding="utf-8")
    report = _errors(dated, f, date_format="dmy")
    assert [(e.row, e.column) for e in report.errors] == [(3, "visit")] and "DD.MM.YYYY" in report.errors[0].message
    f.write_text("visit,note\n03.02.2024,a\n", encoding="utf-8")
    call_command("import_responses", "dated", str(f), "--date-format", "dmy")
    assert frames.wave_frame(dated, codes=True)["visit"].tolist() == [pd.Timestamp("2024-02-03")]


def test_xlsx_rows_are_the_sheets_row_numbers(dated, tmp_path):
    import datetime as dt

    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["visit", "note"])
    sheet.append([dt.date(2024, 2, 3), "typed date"])
    sheet.append([])
    sheet.append(["13/02/2024", "text date"])
    path = tmp_path / "d.xlsx"
    book.save(path)
    report = _errors(dated, path)
    assert [(e.row, e.column) for e in report.errors] == [(4, "visit")]
