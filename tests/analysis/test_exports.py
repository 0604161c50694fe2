"""Exports read back: exact CSV text, labelled SPSS/Stata files, tables in every format."""
import csv
import io

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command

from analysis import exports, frames
from surveys import selectors, services
from surveys.forms import SectionForm
from surveys.models import Wave

pytestmark = pytest.mark.django_db
ITEMS = ["sc1_contacts", "sc2_bonds", "sc3_risk_knowledge", "sc4_culture", "sc5_cooperation",
         "sc6_network_benefit", "sc7_trust", "sc8_knowledge_interest"]


@pytest.fixture
def small_wave(open_wave, answers):
    structure = selectors.wave_structure(wave=open_wave)
    response = services.response_start(wave=open_wave).response
    for step, section in enumerate(structure.sections, start=1):
        qs = structure.questions[section.pk]
        form = SectionForm(answers[step], questions=qs, options=structure.options)
        assert form.is_valid()
        services.response_save_section(response=response, questions=qs, cleaned_data=form.answers(), step=step)
    done = services.response_submit(response=response, questions=structure.all_questions, language="ru")
    return open_wave, done.response


def test_csv_of_a_small_fixture_is_exact(small_wave):
    wave, response = small_wave
    text = "".join(exports.csv_rows(wave))
    submitted = pd.Timestamp(response.submitted_at).tz_convert("UTC").isoformat()
    expected = (
        "response_id,wave,submitted_at,language,region,sector,size,ownership,position,cluster_member,cluster_name,"
        "sc1_contacts,sc2_bonds,sc3_risk_knowledge,sc4_culture,sc5_cooperation,sc6_network_benefit,sc7_trust,"
        "sc8_knowledge_interest,readiness,barriers__1,barriers__2,barriers__3,barriers__4,barriers__5,barriers__6,"
        "barriers__99,barriers__other,comment\n"
        # cluster_name and barriers__other were not asked (not a member; "Other" not chosen): empty
        f"{response.uuid},open-wave,{submitted},ru,2,1,3,1,1,2,,4,3,2,1,4,3,4,3,3,1,0,0,0,0,1,0,,"
        "Нам нужна поддержка региона.\n"
    )
    assert text == expected
    assert "".join(exports.csv_rows(wave, bom=True)).startswith("\ufeffresponse_id,")


def test_sav_keeps_values_and_labels(demo_wave, tmp_path):
    path = tmp_path / "d.sav"
    exports.write_data(demo_wave, "sav", path)
    df, meta = pyreadstat.read_sav(str(path))
    assert len(df) == 100
    assert df["sc1_contacts"].value_counts()[4.0] == 15
    assert meta.variable_value_labels["sc1_contacts"] == {1.0: "Low", 2.0: "Not very high", 3.0: "High", 4.0: "Very high"}
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["sc7_trust"].startswith("How much does trust influence")
    assert meta.variable_measure["sc1_contacts"] == "ordinal"
    original = frames.wave_frame(demo_wave, codes=True)
    for col in ITEMS + ["readiness", "size", "region"]:
        assert df[col].astype(int).tolist() == original[col].astype(int).tolist()


def test_dta_keeps_values_and_labels(demo_wave, tmp_path):
    path = tmp_path / "d.dta"
    exports.write_data(demo_wave, "dta", path, lang="ru")
    df, meta = pyreadstat.read_dta(str(path))
    assert df["sc7_trust"].value_counts()[4] == 55
    label_set = meta.variable_to_label["sc1_contacts"]
    assert meta.value_labels[label_set] == {1: "Низкий", 2: "Не очень высокий", 3: "Высокий", 4: "Очень высокий"}
    assert all(len(lbl) <= 80 for lbl in meta.column_labels)


def test_xlsx_has_data_and_codebook(demo_wave, tmp_path):
    path = tmp_path / "d.xlsx"
    exports.write_data(demo_wave, "xlsx", path)
    sheets = pd.read_excel(path, sheet_name=None)
    assert set(sheets) == {"data", "codebook"}
    assert len(sheets["data"]) == 100
    book = sheets["codebook"].set_index("variable")
    assert book.loc["sc1_contacts", "values"] == "1 = Low; 2 = Not very high; 3 = High; 4 = Very high"


def test_codebook_json(demo_wave):
    import json
    book = json.loads(exports.codebook_json(demo_wave))
    sc1 = next(v for v in book["variables"] if v["variable"] == "sc1_contacts")
    assert sc1["measure"] == "ordinal" and sc1["group"] == "relationships_participation"
    assert sc1["values"][3] == {"code": 4, "label": {"en": "Very high", "ru": "Очень высокий"}}


def test_export_command(demo_wave, tmp_path):
    out = tmp_path / "x.csv"
    call_command("export_wave", "social-capital-demo", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 100 and sum(r["sc7_trust"] == "4" for r in rows) == 55


def test_no_personal_data_in_any_export(demo_wave, tmp_path):
    issued = services.invitations_create(wave=demo_wave, count=1, emails=["ceo@firm.example"], labels=["Firm X"])
    from surveys.models import Response
    response = services.response_start(wave=demo_wave, invitation=issued[0].invitation).response
    Response.objects.filter(pk=response.pk).update(status="completed", submitted_at=demo_wave.opens_at)
    for fmt in exports.DATA_FORMATS:
        content = exports.data_bytes(demo_wave, fmt)
        for secret in ("ceo@firm.example", "Firm X", issued[0].token):
            assert secret.encode() not in content, (fmt, secret)


def test_stata_shortens_long_codes_and_keeps_them_in_the_label(instruments, tmp_path):
    call_command("make_demo_data", verbosity=0)
    wave = Wave.objects.get(slug="cluster-managers-demo")
    path = tmp_path / "i.dta"
    exports.write_data(wave, "dta", path)
    df, meta = pyreadstat.read_dta(str(path))
    assert "sustainable_without_project_fu" in df.columns  # 30 characters
    label = dict(zip(meta.column_names, meta.column_labels))["sustainable_without_project_fu"]
    assert label.startswith("[sustainable_without_project_funds]")
    assert (df["sustainable_without_project_fu"] == 2).sum() == 15
    assert exports.stata_names(["a" * 40, "a" * 40, "b"]) == ["a" * 30, "a" * 28 + "_1", "b"]


def test_the_codebook_says_which_questions_were_asked_only_sometimes(open_wave):
    """Questions shown by a condition, and questions added to a running wave, are empty where they
    were not asked: the codebook says so, and names the instrument version."""
    import json as json_module

    from surveys import services
    from surveys.models import Section

    section = Section.objects.get(instrument=open_wave.instrument, code="readiness")
    services.wave_question_add(wave=open_wave, section=section, code="late_question", type="text",
                               text_en="Added late", text_ru="Добавлен позже", confirmed=True)
    book = exports.codebook(open_wave).set_index("variable")
    assert "Asked only when" in book.loc["cluster_name", "notes"] and '"cluster_member"' in book.loc["cluster_name", "notes"]
    assert "Asked only when" in book.loc["barriers__other", "notes"]
    assert "Added to the running wave on" in book.loc["late_question", "notes"]
    assert book.loc["sc1_contacts", "notes"] == ""
    data = json_module.loads(exports.codebook_json(open_wave))
    assert data["instrument_version"] == open_wave.instrument.version == 1
    by_name = {v["variable"]: v for v in data["variables"]}
    assert by_name["cluster_name"]["asked_when"] == {"q": "cluster_member", "op": "eq", "value": 1}
    assert by_name["late_question"]["added_to_running_wave"] and by_name["sc1_contacts"]["asked_when"] is None
