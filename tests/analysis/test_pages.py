"""The researcher's pages and downloads: Table 1 exactly as published, and access by role only."""
import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "table1_social_capital.csv"
ITEMS = ["sc1_contacts", "sc2_bonds", "sc3_risk_knowledge", "sc4_culture", "sc5_cooperation",
         "sc6_network_benefit", "sc7_trust", "sc8_knowledge_interest"]


def _reference():
    with open(REFERENCE, encoding="utf-8") as fh:
        return [[int(r[c]) for c in ("very_high", "high", "not_very_high", "low")] for r in csv.DictReader(fh)]


def test_table1_on_the_page(researcher_client, demo_wave):
    page = researcher_client.get("/analysis/w/social-capital-demo/")
    assert page.status_code == 200
    table = page.context["report"].table("table1").data
    assert table[["Very high", "High", "Not very high", "Low"]].astype(int).values.tolist() == _reference()
    assert (table["n"] == 100).all()
    html = page.content.decode()
    assert "Table 1" in html and "Reliability" in html and "Brant" in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table1_downloads(researcher_client, demo_wave, fmt):
    r = researcher_client.get(f"/analysis/w/social-capital-demo/download/table1.{fmt}")
    assert r.status_code == 200
    if fmt == "csv":
        df = pd.read_csv(io.BytesIO(r.content), skiprows=1, index_col=0).iloc[:-1]
    else:
        df = pd.read_excel(io.BytesIO(r.content), sheet_name="values", index_col=0)
    assert df[["Very high", "High", "Not very high", "Low"]].astype(int).values.tolist() == _reference()


def test_analyze_command_writes_table1_and_report(demo_wave, tmp_path):
    call_command("analyze", "social-capital-demo", "--out", str(tmp_path), verbosity=0)
    df = pd.read_csv(tmp_path / "values" / "table1.csv", index_col=0)
    assert df[["Very high", "High", "Not very high", "Low"]].astype(int).values.tolist() == _reference()
    for name in ["report.html", "report.docx", "README.txt", "data.sav", "data.dta", "codebook.json",
                 "reliability.csv", "ordinal_coefficients.csv", "figures/table1.png", "figures/probabilities.svg"]:
        assert (tmp_path / name).exists(), name


def test_crosstab_and_model_forms(researcher_client, demo_wave):
    page = researcher_client.get("/analysis/w/social-capital-demo/?item=sc7_trust&by=size")
    report = page.context["report"]
    assert report.table("crosstab").result.n == 100 and report.section("crosstab").result == ("sc7_trust", "size")
    page = researcher_client.get("/analysis/w/social-capital-demo/?outcome=readiness&predictors=relationships_participation&predictors=size")
    coefficients = page.context["report"].table("ordinal_coefficients").data
    assert list(coefficients.index)[0] == "relationships_participation"
    bad = researcher_client.get("/analysis/w/social-capital-demo/?outcome=readiness&predictors=readiness")
    assert bad.status_code == 400 and "cannot also be a predictor" in bad.content.decode()


@pytest.mark.parametrize("query, message", [
    ("item=no_such_column&by=size", "no_such_column is not one of the available choices"),
    ("item=sc7_trust&by=%3Cscript%3E", "&lt;script&gt; is not one of the available choices"),
    ("item=sc7_trust&by=sc7_trust", "Choose two different questions"),
    ("outcome=nope&predictors=size", "nope is not one of the available choices"),
])
def test_a_query_naming_unknown_columns_is_refused_with_400(researcher_client, demo_wave, query, message):
    """The page shows the refused choice; every download refuses it instead of answering with the
    default table under the asked-for name."""
    base = "/analysis/w/social-capital-demo/"
    page = researcher_client.get(f"{base}?{query}")
    assert page.status_code == 400 and message in page.content.decode()
    for name in ("crosstab.csv", "crosstab.xlsx", "ordinal_coefficients.tex", "figure-figure1.png", "report.docx"):
        r = researcher_client.get(f"{base}download/{name}?{query}")
        assert r.status_code == 400, name
        assert "This download cannot be made" in r.content.decode() and message in r.content.decode()
    assert researcher_client.get(f"{base}download/crosstab.csv?item=sc7_trust&by=size").status_code == 200


@pytest.mark.parametrize("query", ["question=abc", "question=1.5", "question=", "question=-1&question=x",
                                   "split=%00", "split=nope", "item=", "outcome=", "values=abc", "bom=x"])
def test_odd_query_parameters_never_give_a_500(researcher_client, demo_wave, interview_demo_wave, query):
    """The test client re-raises a server error: any 500 fails."""
    for url in ("/analysis/", "/analysis/w/social-capital-demo/", "/analysis/w/cluster-managers-demo/",
                "/analysis/w/social-capital-demo/download/table1.csv", "/analysis/compare/",
                "/analysis/check-percentages/", "/coding/"):
        assert researcher_client.get(f"{url}?{query}").status_code in (200, 400, 404), url


def test_default_model_has_something_to_find(researcher_client, demo_wave):
    page = researcher_client.get("/analysis/w/social-capital-demo/")
    model = page.context["report"].section("model").result
    assert model.converged and model.lr_p < 0.001 and model.n == 100


URLS = ["/analysis/", "/analysis/w/social-capital-demo/", "/analysis/w/social-capital-demo/download/table1.csv",
        "/analysis/w/social-capital-demo/download/data.sav", "/analysis/w/social-capital-demo/download/bundle.zip"]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role,expected", [("anonymous", 302), ("interviewer", 403), ("coder", 403)])
def test_pages_refuse_users_without_the_researcher_role(client, role_users, demo_wave, url, role, expected):
    if role != "anonymous":
        client.force_login(role_users[role])
    r = client.get(url)
    assert r.status_code == expected
    if expected == 302:
        assert r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_researchers_and_admins_get_in(client, role_users, demo_wave, role):
    client.force_login(role_users[role])
    assert client.get("/analysis/").status_code == 200


def test_unknown_download_is_a_404(researcher_client, demo_wave):
    assert researcher_client.get("/analysis/w/social-capital-demo/download/nope.csv").status_code == 404
    assert researcher_client.get("/analysis/w/nope/").status_code == 404


def test_wave_comparison(researcher_client, demo_wave, social_capital):
    from surveys.models import Wave
    empty = Wave.objects.create(instrument=social_capital, title="Empty", slug="empty", status=Wave.Status.CLOSED)
    r = researcher_client.get("/analysis/compare/?a=social-capital-demo&b=empty")
    assert "Both waves need completed responses" in r.content.decode()
    r = researcher_client.get("/analysis/compare/?a=social-capital-demo&b=social-capital-demo")
    assert r.status_code == 400 and "two different waves" in r.content.decode()
    from analysis import frames
    from analysis.stats.comparison import compare_items
    df = frames.wave_frame(demo_wave)
    table = compare_items(df, df.iloc[:50], ["sc1_contacts", "sc7_trust"])
    assert table.loc["sc7_trust", "n_a"] == 100 and table.loc["sc7_trust", "n_b"] == 50
    assert table.loc["sc7_trust", "change"] == pytest.approx(
        (df["sc7_trust"].cat.codes[:50] + 1).mean() - (df["sc7_trust"].cat.codes + 1).mean())
    assert 0 <= table.loc["sc1_contacts", "p"] <= 1
    other = Wave.objects.create(instrument=Wave.objects.get(slug="social-capital-demo").instrument.__class__.objects.get(
        code="cluster-managers"), title="I", slug="interviews")
    r = researcher_client.get("/analysis/compare/?a=social-capital-demo&b=interviews")
    assert "same instrument" in r.content.decode()


def test_figure1_from_the_interview_demo(researcher_client, demo_wave, tmp_path):
    page = researcher_client.get("/analysis/w/cluster-managers-demo/")
    counts = page.context["report"].table("figure1").data
    assert counts["count"].tolist() == [12, 11, 9, 8, 6, 5, 3]
    assert counts["label"].iloc[0] == "Generating common R&D projects"
    assert counts["label"].iloc[-1] == "Services offered by the cluster management"
    html = page.content.decode()
    assert "Illustrative demo data" in html and "n = 50 interviews" in html
    png = researcher_client.get("/analysis/w/cluster-managers-demo/download/figure-figure1.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    csv_text = researcher_client.get("/analysis/w/cluster-managers-demo/download/figure1.csv").content.decode()
    assert csv_text.splitlines()[1:3] == ["Category,n,%", "Generating common R&D projects,12,24.0"]
    values = researcher_client.get("/analysis/w/cluster-managers-demo/download/figure1.csv?values=1").content.decode()
    assert values.splitlines()[1] == "1,Generating common R&D projects,12"
    call_command("analyze", "cluster-managers-demo", "--out", str(tmp_path), verbosity=0)
    assert (tmp_path / "figures" / "figure1.pdf").exists()
    assert pd.read_csv(tmp_path / "values" / "figure1.csv")["count"].tolist() == [12, 11, 9, 8, 6, 5, 3]


def test_interview_demo_facts(demo_wave):
    from analysis import frames
    from surveys.models import Wave
    df = frames.wave_frame(Wave.objects.get(slug="cluster-managers-demo"), codes=True)
    assert len(df) == 50
    assert (df["sustainable_without_project_funds"] == 2).sum() == 15
    assert (df["local_benefits"] == 3).sum() == 3
    assert df["region"].nunique() == 3  # the three clusters of the paper


def test_a_tiny_wave_gets_explanations_not_errors(researcher_client, social_capital, tmp_path):
    from surveys.models import Wave
    Wave.objects.create(instrument=social_capital, title="Tiny", slug="tiny", status=Wave.Status.CLOSED)
    f = tmp_path / "two.csv"
    f.write_text("region,sector,size,ownership,position,cluster_member,sc1_contacts,sc2_bonds,sc3_risk_knowledge,"
                 "sc4_culture,sc5_cooperation,sc6_network_benefit,sc7_trust,sc8_knowledge_interest,readiness\n"
                 "2,1,3,1,1,2,4,3,2,1,4,3,4,3,3\n2,1,3,1,1,2,4,3,2,1,4,3,4,3,3\n", encoding="utf-8")
    call_command("import_responses", "tiny", str(f))
    page = researcher_client.get("/analysis/w/tiny/?item=sc1_contacts&by=size")
    assert page.status_code == 200
    html = page.content.decode()
    assert "no variance" in html or "cannot" in html.lower() or "fewer than two" in html
    for name in ("figure-probabilities.png", "figure-table1.png", "table1.csv", "reliability.csv", "bundle.zip"):
        assert researcher_client.get(f"/analysis/w/tiny/download/{name}").status_code in (200, 404), name


def test_agreement_between_coders_on_the_interview_report(researcher_client, demo_wave):
    page = researcher_client.get("/analysis/w/cluster-managers-demo/")
    table = page.context["report"].table("agreement").data
    assert table.loc["overall", "units"] == 350
    assert table.loc["overall", "percent_agreement"] == pytest.approx(92.2857, abs=1e-4)
    assert table.loc["overall", "krippendorff_alpha"] == pytest.approx(0.7497, abs=1e-4)
    assert table.loc[3, "percent_agreement"] == 100.0
    csv_text = researcher_client.get("/analysis/w/cluster-managers-demo/download/agreement.csv?values=1").content
    assert csv_text.decode().splitlines()[0] == "code,units,percent_agreement,cohens_kappa,krippendorff_alpha"
