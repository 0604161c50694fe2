"""analysis.stats.agreement against published worked examples and hand computation."""
import numpy as np
import pandas as pd
import pytest

from analysis.stats import agreement

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal example with missing data.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def test_krippendorff_worked_example():
    assert agreement.krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(0.743, abs=5e-4)


def test_cohens_kappa_by_hand():
    # 50 units: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> po = .7, pe = .5*.6 + .5*.4 = .5, kappa = .4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert agreement.cohens_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    assert agreement.percent_agreement(a, b) == pytest.approx(70.0)


def test_units_coded_by_one_coder_are_left_out():
    assert agreement.percent_agreement([1, 2, None], [1, 3, 2]) == pytest.approx(50.0)


def test_agreement_table_per_code_and_overall():
    codings = pd.DataFrame([
        ("u1", "A", "rd"), ("u1", "B", "rd"), ("u1", "A", "funds"),
        ("u2", "A", "rd"), ("u2", "B", "rd"), ("u2", "B", "funds"),
        ("u3", "A", None), ("u3", "B", None),
        ("u4", "A", "funds"), ("u4", "B", "funds"),
    ], columns=["unit", "coder", "code"])
    table = agreement.agreement_table(codings)
    assert list(table.index) == ["funds", "rd", "overall"]
    assert table.loc["rd", "percent_agreement"] == 100.0 and table.loc["rd", "units"] == 4
    assert table.loc["funds", "percent_agreement"] == 50.0
    # funds: A = [1,0,0,1], B = [0,1,0,1]: po = .5, pe = .5*.5 + .5*.5 = .5 -> kappa 0
    assert table.loc["funds", "cohens_kappa"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["overall", "units"] == 8 and table.loc["overall", "percent_agreement"] == 75.0
    assert -1 <= table.loc["overall", "krippendorff_alpha"] <= 1


def test_bad_input():
    with pytest.raises(ValueError, match="equal length"):
        agreement.cohens_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="two coders"):
        agreement.krippendorff_alpha([[1, 2, 3]])
    with pytest.raises(ValueError, match="at least two coders"):
        agreement.agreement_table(pd.DataFrame({"unit": [1], "coder": ["A"], "code": ["x"]}))
