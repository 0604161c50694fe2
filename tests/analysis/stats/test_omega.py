"""analysis.stats.reliability.omega against psych::omega(x, nfactors = 1)$omega.tot
(reference/omega/make_reference.R: bfi's five scales with their reverse-keyed items unreversed and
all 25 items, lsat6 and lsat7 (psych), ability (psychTools), with missing answers, pairwise)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import reliability as rel

REF_DIR = Path(__file__).parent / "reference" / "omega"
REF = json.loads((REF_DIR / "reference.json").read_text())
BFI = pd.read_csv(REF_DIR / "bfi.csv")
SETS = {**{f"bfi_{s}": BFI[[f"{s}{i}" for i in range(1, 6)]] for s in "ACENO"}, "bfi_all": BFI,
        "lsat6": pd.read_csv(REF_DIR / "lsat6.csv"), "lsat7": pd.read_csv(REF_DIR / "lsat7.csv"),
        "ability": pd.read_csv(REF_DIR / "ability.csv")}


@pytest.mark.parametrize("name", list(SETS))
def test_omega_total_matches_psych(name):
    ref, data = REF[name], SETS[name]
    res = rel.omega(data, missing="pairwise")
    assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-6)
    np.testing.assert_array_equal(res.key.to_numpy(), ref["key"])
    np.testing.assert_allclose(res.loadings.to_numpy(), ref["loadings"], atol=1e-5)  # psych's L-BFGS-B stops at ~1e-6
    assert res.n == ref["n"] == len(data)


def test_reverse_keyed_items_are_reversed_and_named_as_psych_does():
    """bfi's openness items O2 and O5 are reverse keyed: psych reverses them itself (0.617); the
    model-implied formula on the unreversed items gave 0.059 without a word."""
    res = rel.omega(SETS["bfi_O"], missing="pairwise")
    assert res.omega_total == pytest.approx(REF["bfi_O"]["omega_tot"], abs=1e-6)
    assert res.omega_total > 0.6
    assert any("reversed" in n and "['O2', 'O5']" in n for n in res.notes)
    assert (res.loadings > 0).all()


def test_omega_listwise_on_complete_rows_equals_pairwise_there():
    data = SETS["bfi_A"].dropna()
    a, b = rel.omega(data), rel.omega(data, missing="pairwise")
    assert a.omega_total == pytest.approx(b.omega_total, abs=1e-9)  # the same matrix; BFGS to ~1e-11


def test_heywood_case_gives_nan_with_a_note():
    """3 items, 3 respondents: the one-factor solution has a loading far above 1 (the old formula
    returned 32,140,569)."""
    data = pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 2], "c": [2, 3, 1]})
    res = rel.omega(data)
    assert np.isnan(res.omega_total)
    assert any("Heywood" in n and "undefined" in n for n in res.notes)


def test_omega_is_nan_or_within_unit_interval_on_tiny_samples():
    rng = np.random.default_rng(3)
    seen_nan = seen_value = 0
    for _ in range(200):
        data = pd.DataFrame(rng.integers(1, 5, size=(4, 3)), columns=list("abc"))
        if (data.std() == 0).any():
            continue
        value = rel.omega(data).omega_total
        assert np.isnan(value) or 0 <= value <= 1
        seen_nan += np.isnan(value)
        seen_value += not np.isnan(value)
    assert seen_nan and seen_value


def test_omega_missing_argument_is_checked():
    with pytest.raises(ValueError, match="'listwise' or 'pairwise'"):
        rel.omega(SETS["bfi_A"], missing="mean")
