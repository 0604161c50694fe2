"""XLSForm in and out: the project's own fixture, workbooks written by others (pyxform's test suite,
tests/surveys/xlsform/, BSD licence in LICENSE.pyxform), unsupported features refused with their
sheet, row and column, and the round trip of every shipped instrument."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from pyxform.xls2xform import convert

from surveys.models import Instrument, Option, Question
from surveys.xlsform import (XLSFormError, _Parser, condition_to_relevant, instrument_definition, xlsform_import,
                             xlsform_workbook)

HERE = Path(__file__).resolve().parent / "xlsform"
EN, RU = "label::English (en)", "label::Russian (ru)"


def workbook(survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None) -> bytes:
    """A small XLSForm: each sheet as rows, the first row its header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for name, rows in (("choices", choices), ("settings", settings)):
        if rows:
            extra = book.create_sheet(name)
            for row in rows:
                extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SURVEY_HEADER = ["type", "name", EN, RU, "required", "relevant", "constraint"]
YES_NO = [["list_name", "name", EN, RU], ["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]]


# --- the project's own fixture ---------------------------------------------------------------

def test_the_cluster_organisations_fixture_loads_through_the_import(instruments):
    instrument = Instrument.objects.get(code="cluster-organisations")
    questions = {q.code: q for q in instrument.questions.all()}
    for code in ("cluster", "region", "org_status", "interest_mechanisms", "funding_sources", "staff_count",
                 "priority_activities", "collab_companies", "collab_international", "comment"):
        assert code in questions
        assert questions[code].text_en and questions[code].text_ru
    assert (questions["org_status"].role, questions["org_status"].figure) == ("figure", 4)
    assert (questions["interest_mechanisms"].role, questions["interest_mechanisms"].figure) == ("figure", 5)
    assert (questions["funding_sources"].role, questions["funding_sources"].figure) == ("combinations", 7)
    assert (questions["staff_count"].type, questions["staff_count"].min_value, questions["staff_count"].max_value) \
        == ("number", 1, 500)
    assert questions["org_status"].scale.options.count() == 6
    assert questions["interest_mechanisms"].scale.options.count() == 10
    other = Option.objects.get(scale=questions["funding_sources"].scale, name="other")
    assert other.code == 99 and other.specify and other.label_ru == "Другое"
    assert questions["funding_sources__other"].condition == {"q": "funding_sources", "op": "selected", "value": 99}
    assert questions["org_status__other"].condition == {"q": "org_status", "op": "eq", "value": 99}
    assert Option.objects.get(scale=questions["org_status"].scale, code=1).name == "development_institute"


def test_the_fixture_is_a_valid_xlsform():
    result = convert(xlsform=str(Path(__file__).resolve().parents[2] / "fixtures" / "instruments"
                                 / "cluster-organisations.xlsx"))
    assert "<h:html" in result.xform


# --- workbooks written by others --------------------------------------------------------------

@pytest.mark.django_db
def test_pyxforms_text_and_integer_example_imports():
    result = xlsform_import(source=(HERE / "text_and_integer.xlsx").read_bytes(), code="text-and-integer")
    questions = list(result.instrument.questions.order_by("order"))
    assert [(q.code, q.type, q.text_en, q.text_ru) for q in questions] == [
        ("your_name", "text", "What is your name?", "What is your name?"),
        ("your_age", "number", "How many years old are you?", "How many years old are you?")]
    assert any("ru" in w for w in result.warnings)  # the Russian texts are missing: said, and English used


@pytest.mark.django_db
def test_pyxforms_specify_other_example_imports_with_a_specify_option():
    result = xlsform_import(source=(HERE / "specify_other.xlsx").read_bytes(), code="specify-other")
    sex = result.instrument.questions.get(code="sex")
    options = list(sex.scale.options.order_by("order"))
    assert [(o.code, o.name, o.specify) for o in options] == [(1, "male", False), (2, "female", False),
                                                             (99, "other", True)]
    assert result.instrument.questions.get(code="sex__other").condition == {"q": "sex", "op": "eq", "value": 99}


@pytest.mark.django_db
def test_pyxforms_field_list_example_imports_its_group_as_a_section():
    result = xlsform_import(source=(HERE / "field-list.xlsx").read_bytes(), code="field-list")
    question = result.instrument.questions.get(code="table_list_question")
    assert question.section.code == "name" and question.help_en == "hint"
    assert [o.name for o in question.scale.options.order_by("order")] == ["yes", "no"]


@pytest.mark.django_db
@pytest.mark.parametrize("name, where, what", [
    ("loop.xlsx", "row 3, column A (type)", "begin loop over toilet_type"),
    ("choice_filter_test.xlsx", "column", "choice_filter"),
    ("group.xlsx", "row 4, column A (type)", "phone number"),
])
def test_pyxforms_unsupported_examples_are_refused_and_nothing_is_stored(name, where, what):
    with pytest.raises(XLSFormError) as exc:
        xlsform_import(source=(HERE / name).read_bytes(), code="refused")
    text = "\n".join(exc.value.problems)
    assert "sheet “survey”" in text and where in text and what in text
    assert not Instrument.objects.filter(code="refused").exists()


# --- unsupported features: each refused with its sheet, row and column -----------------------

@pytest.mark.django_db
@pytest.mark.parametrize("row, column, needle", [
    (["calculate", "total", "Total", "Итого", None, None, None], "A", "calculations"),
    (["begin repeat", "people", "People", "Люди", None, None, None], "A", "repeats"),
    (["geopoint", "where", "Where", "Где", None, None, None], "A", "GPS"),
    (["image", "photo", "Photo", "Фото", None, None, None], "A", "media"),
    (["integer", "n2", "N", "N", None, "${age} > 3 and regex(${age}, '1')", None], "F", "regex"),
    (["integer", "n3", "N", "N", None, None, "regex(., '[0-9]+')"], "G", "constraint"),
    (["integer", "n4", "N", "N", "${age} > 1", None, None], "E", "required"),
    (["integer", "n5", "N", "N", None, "${later} = 1", None], "F", "later"),
])
def test_unsupported_features_are_refused_with_sheet_row_and_column(row, column, needle):
    data = workbook([SURVEY_HEADER, ["integer", "age", "Age", "Возраст", "yes", None, None], row])
    with pytest.raises(XLSFormError) as exc:
        xlsform_import(source=data, code="bad")
    problem = "\n".join(exc.value.problems)
    assert f"sheet “survey”, row 3, column {column}" in problem and needle in problem
    assert not Instrument.objects.filter(code="bad").exists()


@pytest.mark.django_db
def test_choice_filters_and_media_columns_are_refused():
    data = workbook([[*SURVEY_HEADER, "choice_filter", "media::image"],
                     ["select_one yn", "q", "Q", "В", "yes", None, None, "yes=1", None],
                     ["note", "pic", "P", "P", None, None, None, None, "a.jpg"]], YES_NO)
    with pytest.raises(XLSFormError) as exc:
        xlsform_import(source=data, code="bad")
    text = "\n".join(exc.value.problems)
    assert "row 2, column H (choice_filter)" in text and "row 3, column I (media::image)" in text


@pytest.mark.django_db
def test_a_problem_the_loader_finds_stores_nothing():
    # the loader refuses a choice list with two options asking to specify (its own rule)
    choices = [["list_name", "name", EN, RU, "crs_specify_en", "crs_specify_ru"],
               ["c", "a", "A", "А", "Which?", "Какой?"], ["c", "b", "B", "Б", "Which?", "Какой?"]]
    data = workbook([SURVEY_HEADER, ["select_one c", "q", "Q", "В", "yes", None, None]], choices)
    with pytest.raises(XLSFormError) as exc:
        xlsform_import(source=data, code="bad")
    assert "more than one option" in "\n".join(exc.value.problems)
    assert not Instrument.objects.filter(code="bad").exists()


# --- what the subset translates -------------------------------------------------------------

def _parse(text: str, types: dict[str, str], names: dict | None = None):
    return _Parser(text, types, names or {}).parse()


def test_relevant_expressions_become_display_conditions():
    types = {"member": "single", "barriers": "multiple", "age": "number", "name": "text"}
    names = {"member": {"yes": 1, "no": 2}, "barriers": {"trust": 1, "other": 99}}
    assert _parse("${member} = 'yes'", types, names) == {"q": "member", "op": "eq", "value": 1}
    assert _parse("selected(${barriers}, 'other')", types, names) == {"q": "barriers", "op": "selected", "value": 99}
    assert _parse("selected(${member}, 'no')", types, names) == {"q": "member", "op": "eq", "value": 2}
    assert _parse("${age} >= 18 and (${age} < 65 or not(${name} != ''))", types, names) == {"all": [
        {"q": "age", "op": "ge", "value": 18},
        {"any": [{"q": "age", "op": "lt", "value": 65}, {"not": {"q": "name", "op": "answered"}}]}]}
    assert _parse("${member} = 'yes' or ${member} = 'no'", types, names) == {"q": "member", "op": "in",
                                                                              "value": [1, 2]}
    assert _parse("${name} = 'Perm'", types) == {"q": "name", "op": "eq", "value": "Perm"}
    assert _parse("${age} > 2.5", types) == {"q": "age", "op": "gt", "value": 2.5}


def test_conditions_are_written_as_the_relevant_expressions_they_are_read_from():
    names = {"member": {1: "yes", 2: "no"}, "barriers": {1: "trust", 99: "other"}}
    types = {"member": "single", "barriers": "multiple", "age": "number", "name": "text"}
    back = {code: {v: k for k, v in n.items()} for code, n in names.items()}
    for condition in [
        {"q": "member", "op": "eq", "value": 1},
        {"q": "barriers", "op": "selected", "value": 99},
        {"all": [{"q": "age", "op": "ge", "value": 18}, {"not": {"q": "barriers", "op": "selected", "value": 1}}]},
        {"any": [{"q": "age", "op": "lt", "value": 3}, {"all": [{"q": "name", "op": "answered"},
                                                                {"q": "member", "op": "ne", "value": 2}]}]},
        {"q": "member", "op": "in", "value": [1, 2]},
    ]:
        assert _parse(condition_to_relevant(condition, names), types, back) == condition


@pytest.mark.django_db
def test_numeric_choice_names_keep_their_number_and_others_are_numbered_in_order():
    choices = [["list_name", "name", EN, RU], ["c", "9", "Don't know", "Не знаю"], ["c", "high", "High", "Высокий"],
               ["c", "low", "Low", "Низкий"], ["c", "1", "One", "Один"]]
    data = workbook([SURVEY_HEADER, ["select_one c", "q", "Q", "В", "yes", None, None]], choices)
    instrument = xlsform_import(source=data, code="numbered").instrument
    options = instrument.questions.get(code="q").scale.options.order_by("order")
    assert [(o.code, o.name) for o in options] == [(9, ""), (2, "high"), (3, "low"), (1, "")]


@pytest.mark.django_db
def test_dry_run_checks_and_stores_nothing(tmp_path, capsys):
    path = tmp_path / "form.xlsx"
    path.write_bytes(workbook([SURVEY_HEADER, ["integer", "age", "Age", "Возраст", "yes", None, ". >= 0 and . <= 120"]]))
    call_command("import_xlsform", str(path), "--code", "dry", "--dry-run")
    assert "Nothing stored" in capsys.readouterr().out
    assert not Instrument.objects.filter(code="dry").exists()
    call_command("import_xlsform", str(path), "--code", "dry")
    age = Question.objects.get(instrument__code="dry", code="age")
    assert (age.min_value, age.max_value, age.required) == (0, 120, True)


@pytest.mark.django_db
def test_the_command_lists_every_problem(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([SURVEY_HEADER, ["calculate", "x", "X", "X", None, None, None],
                               ["geopoint", "y", "Y", "Y", None, None, None]]))
    with pytest.raises(CommandError) as exc:
        call_command("import_xlsform", str(path))
    assert "row 2, column A" in str(exc.value) and "row 3, column A" in str(exc.value)


# --- round trip -------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["social-capital", "cluster-managers", "cluster-organisations"])
def test_export_is_a_valid_xform_and_imports_back_to_the_same_instrument(instruments, code, tmp_path):
    instrument = Instrument.objects.get(code=code)
    data = xlsform_workbook(instrument)
    path = tmp_path / f"{code}.xlsx"
    path.write_bytes(data)
    result = convert(xlsform=str(path))  # pyxform: XLSForm -> XForm
    assert "<h:html" in result.xform and "itext" in result.xform  # translations kept
    copy = xlsform_import(source=data, code=f"{code}-copy").instrument
    original, again = instrument_definition(instrument), instrument_definition(copy)
    again["code"] = original["code"]
    assert again == original
    assert set(copy.questions.values_list("code", flat=True)) == set(instrument.questions.values_list("code", flat=True))


def test_export_xlsform_command_writes_the_workbook(instruments, tmp_path):
    path = tmp_path / "out.xlsx"
    call_command("export_xlsform", "social-capital", str(path))
    assert openpyxl.load_workbook(path).sheetnames[:3] == ["survey", "choices", "settings"]
    with pytest.raises(CommandError):
        call_command("export_xlsform", "nope", str(path))


# --- the admin's pages ------------------------------------------------------------------------

@pytest.fixture
def admin_client_(client, django_user_model):
    user = django_user_model.objects.create_superuser("xlsadmin", "x@example.org", "pw")
    client.force_login(user)
    return client


def test_the_admin_uploads_an_xlsform_and_sees_the_instrument(admin_client_, instruments):
    from django.core.files.uploadedfile import SimpleUploadedFile
    page = admin_client_.get("/admin/surveys/instrument/")
    assert "/admin/surveys/instrument/import-xlsform/" in page.content.decode()
    upload = SimpleUploadedFile("Kobo form.xlsx", (HERE / "specify_other.xlsx").read_bytes())
    response = admin_client_.post("/admin/surveys/instrument/import-xlsform/", {"file": upload})
    assert response.status_code == 200
    instrument = Instrument.objects.get(code="kobo-form")
    assert f"/admin/surveys/instrument/{instrument.pk}/change/" in response.content.decode()


def test_the_admin_upload_lists_the_problems_and_stores_nothing(admin_client_, instruments):
    from django.core.files.uploadedfile import SimpleUploadedFile
    before = Instrument.objects.count()
    upload = SimpleUploadedFile("loop.xlsx", (HERE / "loop.xlsx").read_bytes())
    response = admin_client_.post("/admin/surveys/instrument/import-xlsform/", {"file": upload, "code": "loop"})
    assert response.status_code == 400
    assert "row 3, column A (type)" in response.content.decode()
    assert Instrument.objects.count() == before


def test_the_admin_downloads_an_instrument_as_xlsform(admin_client_, instruments):
    instrument = instruments["cluster-managers"]
    page = admin_client_.get(f"/admin/surveys/instrument/{instrument.pk}/change/")
    assert f"/admin/surveys/instrument/{instrument.pk}/xlsform/" in page.content.decode()
    response = admin_client_.get(f"/admin/surveys/instrument/{instrument.pk}/xlsform/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert convert(xlsform=response.content).xform


@pytest.mark.django_db
def test_the_example_of_the_docs_imports_as_documented():
    header = ["type", "name", EN, RU, "required", "relevant", "constraint"]
    data = workbook([
        header,
        ["begin group", "profile", "Your enterprise", "Ваше предприятие", None, None, None],
        ["select_one yes_no_dk", "cluster_member", "Is it a cluster member?", "Входит ли оно в кластер?", "yes",
         None, None],
        ["text", "cluster_name", "Which cluster?", "В какой кластер?", "yes", "${cluster_member} = 'yes'", None],
        ["integer", "employees", "Number of employees", "Число работников", "no", None, ". >= 1 and . <= 100000"],
        ["select_multiple barriers", "barriers", "Barriers", "Препятствия", "no", "not(${cluster_member} = 'yes')",
         None],
        ["end group", None, None, None, None, None, None],
    ], [["list_name", "name", EN, RU], ["yes_no_dk", "yes", "Yes", "Да"], ["yes_no_dk", "no", "No", "Нет"],
        ["yes_no_dk", "9", "Don't know", "Не знаю"], ["barriers", "trust", "Low trust", "Низкое доверие"],
        ["barriers", "risk", "Unwillingness to take risks", "Нежелание рисковать"]],
        [["form_title", "form_id", "default_language"], ["Readiness survey", "readiness", "English (en)"]])
    assert convert(xlsform=data).xform
    instrument = xlsform_import(source=data).instrument
    assert instrument.code == "readiness"
    questions = {q.code: q for q in instrument.questions.all()}
    assert sorted(questions["cluster_member"].scale.options.values_list("code", flat=True)) == [1, 2, 9]
    assert questions["cluster_name"].condition == {"q": "cluster_member", "op": "eq", "value": 1}
    assert (questions["employees"].min_value, questions["employees"].max_value) == (1, 100000)
    assert questions["barriers"].condition == {"not": {"q": "cluster_member", "op": "eq", "value": 1}}
