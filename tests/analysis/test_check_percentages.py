"""`manage.py check_percentages` and the page /analysis/check-percentages/.

The published numbers come from the project's reference files (../shared/reference/):
table1_social_capital.csv (Table 1 of seed 001, whole percentages said to be of 75 respondents)
and figure7_funding_sources.csv (Figure 7 of seed 002: 64.4, 21.4, 7.1, 7.1 % of 14).
"""
import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

TABLE1 = [[15, 22, 35, 28], [33, 22, 39, 6], [12, 21, 32, 35], [18, 21, 41, 20],
          [41, 30, 22, 7], [21, 45, 25, 9], [55, 25, 11, 9], [41, 27, 24, 8]]
COLUMNS = ["very_high", "high", "not_very_high", "low"]
URL = "/analysis/check-percentages/"


def _run(*args) -> str:
    out = StringIO()
    call_command("check_percentages", *args, stdout=out)
    return out.getvalue()


# --- the command -----------------------------------------------------------------------------

def test_command_flags_64_4_of_14():
    out = _run("--n", "14", "--decimals", "1", "64.4", "21.4", "7.1", "7.1")
    line = next(x for x in out.splitlines() if x.startswith("64.4"))
    assert "NO" in line and "9 gives 64.3" in line and "10 gives 71.4" in line
    assert "Not achievable with n = 14: 64.4 (1 of 4 values)." in out


def test_command_reads_decimal_commas_and_infers_decimals():
    out = _run("--n", "14", "64,4", "21,4", "7,1", "7,1")
    assert "1 decimal(s)" in out and "Not achievable with n = 14: 64.4 " in out


def test_command_flags_22_of_75_and_lists_100(tmp_path):
    out = _run("--n", "75", "--decimals", "0", "--range", "40", "120", "22", "41", "37")
    assert "22     NO" in out and "16 gives 21, 17 gives 23" in out
    assert "n consistent with every value in 40..120:" in out


def test_command_table1_file_with_row_sums(tmp_path):
    path = tmp_path / "table1.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item", *COLUMNS])
        writer.writerows([i, *row] for i, row in enumerate(TABLE1, start=1))
    args = ["--file", str(path), *sum((["--column", c] for c in COLUMNS), [])]
    out = _run("--n", "75", "--row-sums-to", "100", "--range", "40", "120", *args)
    assert "Not achievable with n = 75: 22 (line 2), 22 (line 3), 6 (line 3), 18 (line 5), 30 (line 6), 22 (line 6)" in out
    assert "n consistent with every row (counts summing) in 40..120: 100, 110, 111, 114, 116, 119, 120" in out


@pytest.mark.parametrize("args, message", [
    (["--n", "14", "abc"], "'abc' is not a number"),
    (["--n", "14", "--decimals", "0", "64.4"], "more decimals than the 0 given"),
    (["--n", "14", "101"], "over 100"),
    (["--n", "14", "--", "-3"], "negative"),
    (["--n", "0", "22"], "--n must be at least 1"),
    (["--n", "14", "--decimals", "-1", "22"], "--decimals must be 0 or more"),
    (["22"], "Give --n"),
    (["--n", "14"], "Give the percentages"),
    (["--range", "10", "5", "22"], "--range needs"),
    (["--n", "14", "--column", "x", "22"], "--column needs --file"),
])
def test_command_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_command_missing_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column 'c'; the columns are a, b"):
        _run("--n", "3", "--file", str(path), "--column", "c")


# --- the page ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_page_flags_64_4_of_14(researcher_client):
    r = researcher_client.get(URL, {"values": "64,4; 21,4; 7,1; 7,1", "decimals": 1, "n": 14, "rounding": "either",
                                    "low": 1, "high": 50})
    assert r.status_code == 200
    assert [str(v) for v in r.context["check"].flagged] == ["64.4"]
    assert r.context["rows"][0]["below"][1] == 9 and r.context["consistent"] == []
    html = r.content.decode()
    assert "table-responsive" in html and "table-danger" in html and "1 printed value cannot come from 14" in html


@pytest.mark.django_db
def test_page_table1_row_lists_100(researcher_client):
    values = "\n".join(" ".join(map(str, row)) for row in TABLE1)
    r = researcher_client.get(URL, {"values": values, "decimals": 0, "n": 75, "rounding": "either",
                                    "low": 40, "high": 120})
    assert r.status_code == 200
    assert sorted(set(int(v) for v in r.context["check"].flagged)) == [6, 18, 22, 30]
    assert 100 in r.context["consistent"] and 75 not in r.context["consistent"]
    one_row = researcher_client.get(URL, {"values": "15, 22, 35, 28", "decimals": 0, "n": 100, "row": "on",
                                          "rounding": "either"})
    assert one_row.status_code == 200 and one_row.context["check"].consistent
    assert "Every value is achievable with n = 100." in one_row.content.decode()


@pytest.mark.django_db
def test_page_in_russian(researcher_client):
    r = researcher_client.get(URL, {"values": "64,4", "decimals": 1, "n": 14, "rounding": "either"},
                              HTTP_ACCEPT_LANGUAGE="ru")
    assert r.status_code == 200
    assert "Проверка опубликованных процентов" in r.content.decode()


@pytest.mark.django_db
def test_empty_form_and_link_from_index(researcher_client):
    r = researcher_client.get(URL)
    assert r.status_code == 200 and "check" not in r.context and not r.context["form"].is_bound
    assert reverse("analysis:check_percentages") in researcher_client.get("/analysis/").content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    r = client.get(URL, {"values": "22", "n": 75, "decimals": 0})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("query, field, text", [
    ({"values": "15 6x 22", "n": 75, "decimals": 0}, "values", "“6x” is not a number."),
    ({"values": "64.4", "n": 14, "decimals": 0}, "values", "“64.4” has more decimals than the 0 given."),
    ({"values": "101", "n": 14, "decimals": 0}, "values", "“101” is over 100"),
    ({"values": "-5", "n": 14, "decimals": 0}, "values", "“-5” is negative"),
    ({"values": "nan", "n": 14, "decimals": 0}, "values", "“nan” is not a finite number."),
    ({"values": " , ", "n": 14, "decimals": 0}, "values", "Enter at least one percentage."),
    ({"values": "22", "n": 0, "decimals": 0}, "n", "greater than or equal to 1"),
    ({"values": "22", "n": "many", "decimals": 0}, "n", "Enter a whole number."),
    ({"values": "22", "n": 14, "decimals": -1}, "decimals", "greater than or equal to 0"),
    ({"values": "22", "n": 14, "decimals": 0, "low": 10}, "high", "Give both ends"),
    ({"values": "22", "n": 14, "decimals": 0, "low": 10, "high": 5}, "high", "below its start"),
    ({"values": "22", "decimals": 0, "low": 1, "high": 100000}, "high", "At most 5000"),
    ({"values": "22", "n": 14, "decimals": 0, "rounding": "up"}, "rounding", "Select a valid choice"),
    ({"values": "22", "decimals": 0}, "__all__", "Give the claimed n"),
])
def test_bad_input_is_a_form_error(researcher_client, query, field, text):
    r = researcher_client.get(URL, {"rounding": "either", **query})
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert field in errors and any(text in e for e in errors[field]), errors
    assert "check" not in r.context
