"""import_responses: validated against the instrument, all or nothing, every bad cell reported."""
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
