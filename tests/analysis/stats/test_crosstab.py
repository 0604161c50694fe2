"""analysis.stats.crosstab against R's chisq.test and fisher.test (reference/crosstab/make_reference.R)."""
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import crosstab as ct  # the module

REF = json.loads((Path(__file__).parent / "reference" / "crosstab" / "reference.json").read_text())
REF_LARGE = json.loads((Path(__file__).parent / "reference" / "crosstab" / "reference_large.json").read_text())


def _long(table):
    t = np.asarray(table)
    rows, cols = np.nonzero(t >= 0)
    reps = t[rows, cols]
    return pd.DataFrame({"r": np.repeat(rows, reps), "c": np.repeat(cols, reps)})


@pytest.mark.parametrize("name", list(REF))
def test_chi_square_statistics_match_r(name):
    ref = REF[name]
    res = ct.crosstab(_long(ref["table"]), "r", "c", exact=False)
    np.testing.assert_array_equal(res.counts.to_numpy(), ref["table"])
    assert res.chi2 == pytest.approx(ref["chi2"], rel=1e-12)
    assert res.dof == ref["dof"]
    assert res.p == pytest.approx(ref["p"], rel=1e-9)
    assert res.g2 == pytest.approx(ref["g2"], rel=1e-12)
    assert res.g2_p == pytest.approx(ref["g2_p"], rel=1e-9)
    assert res.cramers_v == pytest.approx(ref["cramers_v"], rel=1e-12)
    np.testing.assert_allclose(res.expected.to_numpy(), ref["expected"], rtol=1e-12)
    np.testing.assert_allclose(res.adjusted_residuals.to_numpy(), ref["stdres"], rtol=1e-10)


@pytest.mark.parametrize("name", list(REF))
def test_fisher_exact_matches_r(name):
    """Every reference table, the 4 x 4 n = 107 and the demo-sized 5 x 4 n = 100 included, within
    the default work budget."""
    p = ct.fisher_exact_rxc(np.array(REF[name]["table"]))
    assert p == pytest.approx(REF[name]["fisher_p"], rel=1e-8)


def _brute_force_fisher(table):
    """Enumerate every table with the observed margins (small tables only)."""
    table = np.asarray(table)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n = table.sum()
    lf = lambda v: math.lgamma(v + 1)  # noqa: E731
    const = sum(map(lf, rows)) + sum(map(lf, cols)) - lf(n)
    probs = []

    def fill(j, left, acc):
        if j == len(cols) - 1:
            probs.append(math.exp(const + acc - sum(map(lf, left))))
            return
        for x in itertools.product(*(range(min(r, cols[j]) + 1) for r in left)):
            if sum(x) == cols[j]:
                fill(j + 1, [r - v for r, v in zip(left, x)], acc - sum(map(lf, x)))

    fill(0, list(rows), 0.0)
    observed = math.exp(const - sum(lf(v) for v in table.ravel()))
    return sum(p for p in probs if p <= observed * (1 + 1e-7))


def test_fisher_exact_matches_full_enumeration():
    rng = np.random.default_rng(7)
    for _ in range(40):
        shape = tuple(rng.integers(2, 5, size=2))
        table = rng.multinomial(int(rng.integers(6, 16)), rng.dirichlet(np.ones(shape[0] * shape[1]))).reshape(shape)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if min(table.shape) < 2:
            continue
        assert ct.fisher_exact_rxc(table) == pytest.approx(_brute_force_fisher(table), rel=1e-9), table


def test_fisher_job_satisfaction_documented_value():
    assert ct.fisher_exact_rxc(np.array(REF["job"]["table"])) == pytest.approx(0.7827, abs=5e-5)


def test_exact_test_past_its_budget_returns_none_with_a_note():
    res = ct.crosstab(_long(REF["larger"]["table"]), "r", "c", exact=True, exact_limit=100_000)
    assert res.exact_p is None and any("too large" in n for n in res.notes)


def test_exact_test_refuses_a_huge_table_quickly_and_within_memory(monkeypatch):
    """4 x 6, n = 200: the compiled network holds no edges, so the bound on memory is that of the
    weights held (HELD_WEIGHTS, lowered here; at its default the table is finished in about 40 s,
    test_fisher_exact_4x6_n200_matches_r)."""
    table = np.random.default_rng(1).multinomial(200, np.ones(24) / 24).reshape(4, 6)
    monkeypatch.setattr(ct, "HELD_WEIGHTS", 300_000)
    assert ct.fisher_exact_rxc(table, limit=10**12) is None


def test_exact_test_refuses_a_network_past_its_edge_bound(monkeypatch):
    """The number of edges of each stage is counted before it is walked: past NETWORK_EDGES the
    test stops at once."""
    monkeypatch.setattr(ct, "NETWORK_EDGES", 1_000_000)
    assert ct.fisher_exact_rxc(np.array(REF_LARGE["esoph_alc_tob"]["table"]), limit=10**12) is None


def test_sparse_table_gets_the_exact_p_and_a_reading():
    res = ct.crosstab(_long(REF["sparse3x3"]["table"]), "r", "c")
    assert res.sparse and res.exact_p == pytest.approx(REF["sparse3x3"]["fisher_p"], rel=1e-8)
    assert "Fisher's exact test" in res.reading and "significant at the 5 % level" in res.reading


def test_empty_categories_are_shown_but_not_tested():
    df = pd.DataFrame({
        "item": pd.Categorical([4, 4, 3, 3, 1, 1, 4, 3] * 5, categories=[4, 3, 2, 1], ordered=True),
        "size": pd.Categorical(["micro", "small"] * 20, categories=["micro", "small", "large"]),
    })
    res = ct.crosstab(df, "item", "size")
    assert res.counts.shape == (4, 3)
    assert res.counts.loc[2].sum() == 0 and res.counts["large"].sum() == 0
    assert res.dof == (3 - 1) * (2 - 1)
    assert any("left out of the tests" in n and "item = 2" in n and "size = large" in n for n in res.notes)


def test_missing_values_are_dropped_with_a_note():
    df = pd.DataFrame({"a": [1, 2, 1, 2, None, 1, 2, 1], "b": ["x", "y", "y", "x", "x", None, "y", "x"]})
    res = ct.crosstab(df, "a", "b")
    assert res.n == 6 and "2 rows with a missing value" in res.notes[0]


def test_bad_input():
    df = pd.DataFrame({"a": [1, 1, 1], "b": [1, 2, 1]})
    with pytest.raises(ValueError, match="two non-empty categories"):
        ct.crosstab(df, "a", "b")
    with pytest.raises(ValueError, match="not in the data"):
        ct.crosstab(df, "a", "zz")


@pytest.mark.slow
def test_fisher_exact_esoph_alcohol_by_tobacco_matches_r():
    """R's esoph: cases by alcgp and tobgp, 4 x 4, n = 200 (R's fisher.test: 10-30 s here)."""
    ref = REF_LARGE["esoph_alc_tob"]
    assert ct.fisher_exact_rxc(np.array(ref["table"])) == pytest.approx(ref["fisher_p"], rel=1e-8)


@pytest.mark.parametrize("name", [k for k in REF_LARGE if k.startswith("sparse50x50")])
def test_fisher_exact_very_sparse_50x50_agrees_with_monte_carlo(name):
    """50 x 50, n = 40: ours agrees with R's Monte Carlo p-value (B = 1e5) within 4 standard errors."""
    ref = REF_LARGE[name]
    p = ct.fisher_exact_rxc(np.array(ref["table"]))
    mc, b = ref["monte_carlo_p"], ref["monte_carlo_B"]
    se = math.sqrt(max(mc * (1 - mc), 1 / b) / b)
    assert p is not None and abs(p - mc) <= 4 * se + 1 / b


REF_4X6 = json.loads((Path(__file__).parent / "reference" / "crosstab" / "reference_4x6.json").read_text()) \
    if (Path(__file__).parent / "reference" / "crosstab" / "reference_4x6.json").exists() else {}


@pytest.mark.parametrize("name", [k for k in REF if np.array(REF[k]["table"]).shape != (2, 2)])
def test_fisher_exact_compiled_network_matches_r(name, monkeypatch):
    """The compiled kernels (walk, fold, cross join) on every reference table, which are otherwise
    small enough for the numpy network."""
    if ct._kernels() is None:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(ct, "SMALL_NETWORK", 0)
    assert ct.fisher_exact_rxc(np.array(REF[name]["table"])) == pytest.approx(REF[name]["fisher_p"], rel=1e-8)


def test_fisher_exact_compiled_network_matches_full_enumeration(monkeypatch):
    if ct._kernels() is None:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(ct, "SMALL_NETWORK", 0)
    rng = np.random.default_rng(7)
    for _ in range(15):
        shape = (int(rng.integers(2, 4)), int(rng.integers(3, 5)))
        table = rng.multinomial(int(rng.integers(4, 11)), np.ones(shape[0] * shape[1]) / (shape[0] * shape[1])).reshape(shape)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if min(table.shape) < 2 or table.shape == (2, 2):
            continue
        assert ct.fisher_exact_rxc(table) == pytest.approx(_brute_force_fisher(table), rel=1e-9), table


def test_fisher_exact_gives_up_within_its_budget():
    """The budget is checked at every edge: a give-up comes at most 10 % past it (here the 4 x 6
    table of n = 200, which needs about 800 million, with 20 million)."""
    if ct._kernels() is None:
        pytest.skip("numba is not installed")
    table = np.random.default_rng(1).multinomial(200, np.ones(24) / 24).reshape(4, 6)
    limit = 20_000_000
    budget = [limit]
    with pytest.raises(ct._TooLarge):
        ct._network_p(table, budget)
    assert -budget[0] <= 0.1 * limit
    assert ct.fisher_exact_rxc(table, limit=limit) is None


@pytest.mark.slow
@pytest.mark.skipif(not REF_4X6, reason="reference_4x6.json not made")
def test_fisher_exact_4x6_n200_matches_r():
    """4 x 6, n = 200, even margins (R's fisher.test: 10 minutes on a loaded machine; here under a
    minute and 0.5 GB). R's FEXACT merges past path lengths within 3.45e-7 of each other, and here
    differs from the exact sum by 1.3e-8 (relative); every ordering of our network agrees with
    itself to 1e-12."""
    ref = REF_4X6["even4x6_n200"]
    table = np.array(ref["table"])
    np.testing.assert_array_equal(table, np.random.default_rng(1).multinomial(200, np.ones(24) / 24).reshape(4, 6))
    assert ct.fisher_exact_rxc(table) == pytest.approx(ref["fisher_p"], rel=3e-8)


def test_fisher_monte_carlo_agrees_with_the_exact_test():
    for name in ("sparse3x3", "job", "sparse3x4"):
        exact = REF[name]["fisher_p"]
        p, se = ct.fisher_monte_carlo(np.array(REF[name]["table"]), b=20_000, seed=3)
        assert abs(p - exact) <= 4 * se + 1 / 20_000
    table = np.array(REF["job"]["table"])
    assert ct.fisher_monte_carlo(table, b=2000, seed=5) == ct.fisher_monte_carlo(table, b=2000, seed=5)


def test_fisher_monte_carlo_refuses_odd_input():
    with pytest.raises(ValueError, match="at least 1"):
        ct.fisher_monte_carlo(np.array([[1, 2], [3, 4]]), b=0)
    with pytest.raises(ValueError, match="non-negative"):
        ct.fisher_monte_carlo(np.array([[1, -2], [3, 4]]))


def test_crosstab_note_points_to_the_monte_carlo_p_value():
    table = np.random.default_rng(1).multinomial(200, np.ones(24) / 24).reshape(4, 6)
    res = ct.crosstab(_long(table), "r", "c", exact=True, exact_limit=1_000_000)
    assert res.exact_p is None and any("fisher_monte_carlo" in n for n in res.notes)


def test_numba_cache_goes_under_var_when_the_package_folder_is_read_only(tmp_path, monkeypatch):
    class Numba:
        class config:
            CACHE_DIR = ""
    here, var = tmp_path / "pkg", tmp_path / "var"
    here.mkdir()
    var.mkdir()
    real_access = ct.os.access
    monkeypatch.setattr(ct.os, "access", lambda p, mode: False if str(p).startswith(str(here)) else real_access(p, mode))
    ct._cache_dir(Numba, str(here), str(var))
    assert Numba.config.CACHE_DIR == str(var / "numba-cache") and (var / "numba-cache").is_dir()
    Numba.config.CACHE_DIR = "/chosen"  # NUMBA_CACHE_DIR set: left alone
    ct._cache_dir(Numba, str(here), str(var))
    assert Numba.config.CACHE_DIR == "/chosen"


def test_numba_cache_left_beside_the_module_when_writable(tmp_path):
    class Numba:
        class config:
            CACHE_DIR = ""
    ct._cache_dir(Numba, str(tmp_path), str(tmp_path / "var"))
    assert Numba.config.CACHE_DIR == "" and not (tmp_path / "var").exists()
