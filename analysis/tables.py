"""The report's tables, computed from a wave's frame: each function takes the frame (from
:mod:`analysis.frames`) and the instrument's roles and returns a DataFrame or a result object of
:mod:`analysis.stats`. Nothing here formats numbers or reads responses; exact tests are kept by their table of counts, in
the cache and in the database (:func:`fisher_cached`).
"""
from __future__ import annotations

import hashlib
import os
import sys
import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Sequence

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils.translation import gettext as _

from .stats import crosstab as crosstab_mod
from .stats import distribution, ordinal, reliability


def table1(frame: pd.DataFrame, items: Sequence[str], *, split_by: str | None = None, whole: bool = True
           ) -> pd.DataFrame:
    """Table 1: per item the % of respondents in each category, highest category first, with n.

    With ``split_by`` (a profile question), one block of rows per group, indexed (group, item).
    """
    if not items:
        raise ValueError(_("This instrument has no scale items to tabulate."))
    categories = list(frame[items[0]].cat.categories)[::-1]  # Very high ... Low
    if split_by is None:
        return distribution.item_distribution(frame, items, categories, decimals=1, whole=whole)
    if split_by not in frame.columns:
        raise ValueError(_("Unknown profile question “%(name)s”.") % {"name": split_by})
    parts = {}
    for group, sub in frame.groupby(split_by, observed=False):
        if len(sub):
            parts[group] = distribution.item_distribution(sub, items, categories, decimals=1, whole=whole)
    return pd.concat(parts, names=[split_by, "item"])


def block_scores(frame: pd.DataFrame, blocks: dict[str, list[str]]) -> pd.DataFrame:
    """Mean item code (1..4) of each block, per respondent."""
    out = {}
    for name, items in blocks.items():
        codes = pd.DataFrame({i: frame[i].cat.codes.replace(-1, np.nan) + 1 for i in items})
        out[name] = codes.mean(axis=1, skipna=False)
    return pd.DataFrame(out, index=frame.index)


def reliability_tables(frame: pd.DataFrame, blocks: dict[str, list[str]], items: Sequence[str]
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The block table (alpha with CI, ordinal alpha, omega per block and for the scale) and the item table."""
    table = reliability.block_reliability(frame, blocks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        item_table = reliability.cronbach_alpha(frame, list(items)).items
    return table, item_table


def crosstab(frame: pd.DataFrame, item: str, by: str, *, exact_limit: int | None = None
             ) -> crosstab_mod.CrosstabResult:
    """``item`` (columns) by ``by`` (rows), with the tests of :func:`analysis.stats.crosstab.crosstab`;
    the exact tests through :func:`fisher_cached`."""
    return crosstab_mod.crosstab(frame, by, item, exact_limit=exact_limit, exact_test=fisher_cached)


FISHER_CACHE_SECONDS = 60 * 60 * 24 * 30
_GAVE_UP = object()
_LOCK = threading.Lock()
_RUNNING: dict[tuple[str, int], Future] = {}
_POOL: list[ThreadPoolExecutor] = []
_FINISHED: dict[str, float] = {}  # p-values computed in test threads, not kept yet


def _fisher_key(counts: np.ndarray) -> str:
    return "analysis:fisher:" + hashlib.sha256(f"{counts.shape}".encode() + counts.tobytes()).hexdigest()


def _fisher_known(key: str, limit: int) -> Any:
    """The kept p-value (the cache's, else the database's), ``_GAVE_UP`` when the test gave up under
    this budget, else None. The request's thread only: the test threads never use the database."""
    found = cache.get(key)
    if found is not None:
        return found
    with _LOCK:
        found = _FINISHED.pop(key, None)
    if found is not None:  # computed in a test thread: kept here, by the request's thread
        cache.set(key, found, FISHER_CACHE_SECONDS)
        return _fisher_keep(key, found)
    if cache.get(f"{key}:gave-up:{limit}") is not None:
        return _GAVE_UP
    from .models import ExactTest

    found = ExactTest.objects.filter(key=_db_key(key)).values_list("p_value", flat=True).first()
    if found is not None:
        cache.set(key, found, FISHER_CACHE_SECONDS)
    return found


def _db_key(key: str) -> str:
    return key.rsplit(":", 1)[-1]


def _fisher_keep(key: str, p: float | None) -> float | None:
    """Keep a p-value in the database too (for every process; the request's thread only)."""
    if p is not None:
        from .models import ExactTest

        ExactTest.objects.bulk_create([ExactTest(key=_db_key(key), p_value=p)], ignore_conflicts=True)
    return p


def _fisher_compute(key: str, counts: np.ndarray, limit: int, *, keep: bool = True) -> float | None:
    """The test; its p-value kept (``keep``, in the request's thread) or left in ``_FINISHED`` for
    the request's thread to keep (a test thread); a give-up kept in the cache for its budget."""
    p = crosstab_mod.fisher_exact_rxc(counts, limit=limit)
    if p is None:
        cache.set(f"{key}:gave-up:{limit}", True, FISHER_CACHE_SECONDS)
    elif keep:
        cache.set(key, p, FISHER_CACHE_SECONDS)
        _fisher_keep(key, p)
    else:
        with _LOCK:
            if len(_FINISHED) > 10_000:  # never collected (their reports failed): forgotten
                _FINISHED.clear()
            _FINISHED[key] = p
    return p


def fisher_cached(table: np.ndarray, *, limit: int) -> float | None:
    """:func:`analysis.stats.crosstab.fisher_exact_rxc` of ``table``, computed once per table of
    counts and kept in the cache and the database (``analysis.models.ExactTest``, shared by every
    server process and the worker): the p-value depends on the counts alone, so the report in another
    language, after an edited label or a new coding, and the bundle after the page, reuse it. A
    p-value is kept whatever the budget it was computed under; a give-up (None) only for its budget,
    in the cache.
    A test :func:`exact_prefetch` started is waited for, not computed twice."""
    counts = np.ascontiguousarray(table, dtype=np.int64)
    key = _fisher_key(counts)
    known = _fisher_known(key, limit)
    if known is not None:
        return None if known is _GAVE_UP else known
    with _LOCK:
        running = _RUNNING.get((key, limit))
    if running is not None:
        running.result()  # raises as the test did
    # a test thread keeps its result before it leaves _RUNNING: one that just finished is seen here
    known = _fisher_known(key, limit)
    if known is not None:
        return None if known is _GAVE_UP else known
    return _fisher_compute(key, counts, limit)


def exact_threads() -> int:
    """How many exact tests run at once (``ANALYSIS_EXACT_THREADS``; default: the processor count, at most 4)."""
    return max(1, int(getattr(settings, "ANALYSIS_EXACT_THREADS", 0) or min(os.cpu_count() or 1, 4)))


def _after_fork() -> None:
    """A forked process (a server's worker forked after the pool was made) starts with no pool and
    no running test: the parent's threads do not exist in it."""
    global _LOCK
    _LOCK = threading.Lock()
    _POOL.clear()
    _RUNNING.clear()
    _FINISHED.clear()
    if _SWITCH:
        sys.setswitchinterval(_SWITCH.pop())


os.register_at_fork(after_in_child=_after_fork)


def _pool() -> ThreadPoolExecutor:
    threads = exact_threads()
    with _LOCK:
        if _POOL and _POOL[0]._max_workers != threads:  # the setting changed: the running tests finish
            _POOL.pop().shutdown(wait=False)
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="exact-test"))
        return _POOL[0]


# While tests run in threads, the interpreter hands its lock over every 0.5 ms (not 5 ms): a test
# needs it back briefly between its compiled steps, and would otherwise wait up to 5 ms each time
# for the request's own thread (with 5 ms a test beside the report's model took twice as long).
SWITCH_INTERVAL = 0.0005
_SWITCH: list[float] = []


def _in_thread(key: str, counts: np.ndarray, limit: int) -> float | None:
    try:
        return _fisher_compute(key, counts, limit, keep=False)
    finally:
        with _LOCK:
            _RUNNING.pop((key, limit), None)
            if not _RUNNING and _SWITCH:
                sys.setswitchinterval(_SWITCH.pop())
        connections.close_all()  # this thread's own, should the cache be a database's (its only use of one)


def _start(pool: ThreadPoolExecutor, key: str, counts: np.ndarray, limit: int) -> None:
    with _LOCK:  # registered before the thread can finish (it leaves under the same lock)
        if (key, limit) in _RUNNING:
            return
        if not _SWITCH:
            _SWITCH.append(sys.getswitchinterval())
            sys.setswitchinterval(min(SWITCH_INTERVAL, _SWITCH[0]))
        _RUNNING[(key, limit)] = pool.submit(_in_thread, key, counts, limit)


def exact_prefetch(frame: pd.DataFrame, jobs: Sequence[tuple[str, str, int | None]]
                   ) -> dict[tuple[str, str, int | None], crosstab_mod.CrosstabResult]:
    """Start the exact tests of these cross-tabulations (``(item, by, exact_limit)``, as
    :func:`crosstab`) that are not kept yet, several at once in background threads
    (:func:`exact_threads`; the compiled tests release the interpreter's lock), and return at once.
    :func:`fisher_cached` then waits for each when its table is built, so that the tests of a
    bundle's cross-tabulations run side by side, and the report page's overlaps its model.

    Returns the cross-tabulations already final (no exact test, or one kept); those of a started
    test are left to be built again when it is done. Jobs that cannot be tabulated are left out
    (:func:`crosstab` raises their error)."""
    final: dict = {}
    started = False
    for item, by, exact_limit in jobs:
        missing: list[tuple[str, np.ndarray, int]] = []

        def probe(table: np.ndarray, *, limit: int) -> float | None:
            counts = np.ascontiguousarray(table, dtype=np.int64)
            key = _fisher_key(counts)
            known = _fisher_known(key, limit)
            if known is None:
                missing.append((key, counts, limit))
                return None
            return None if known is _GAVE_UP else known

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = crosstab_mod.crosstab(frame, by, item, exact_limit=exact_limit, exact_test=probe)
        except ValueError:
            continue
        if not missing:
            final[(item, by, exact_limit)] = result
            continue
        key, counts, limit = missing[0]
        if not started:
            crosstab_mod.fisher_prepare()  # compile (or load) the kernels once, before the threads
            pool, started = _pool(), True
        _start(pool, key, counts, limit)
    return final


def default_model_data(frame: pd.DataFrame, blocks: dict[str, list[str]], outcome: str,
                       covariates: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """The report's default model: the outcome on every block score and the covariates."""
    return model_data(frame, blocks, outcome, [*blocks, *covariates])


def model_data(frame: pd.DataFrame, blocks: dict[str, list[str]], outcome: str, predictors: Sequence[str]
               ) -> tuple[pd.DataFrame, str]:
    """Data and formula for a chosen outcome and predictors (block scores, items or profile questions)."""
    scores = block_scores(frame, blocks)
    columns = {}
    for name in [outcome, *predictors]:
        if name in scores:
            columns[name] = scores[name]
        elif name in frame.columns:
            columns[name] = frame[name]
        else:
            raise ValueError(_("Unknown variable “%(name)s”.") % {"name": name})
    if not predictors:
        raise ValueError(_("Choose at least one predictor."))
    if outcome in predictors:
        raise ValueError(_("The outcome cannot also be a predictor."))
    data = pd.DataFrame(columns)
    if not isinstance(data[outcome].dtype, pd.CategoricalDtype) or not data[outcome].cat.ordered:
        raise ValueError(_("The outcome “%(name)s” must be an ordered scale question.") % {"name": outcome})
    return data, f"{outcome} ~ " + " + ".join(predictors)


def fit_model(data: pd.DataFrame, formula: str, *, nominal: Sequence[str] | None = None) -> ordinal.OrdinalResult:
    """The proportional-odds model (with ``nominal``, partial proportional odds for those terms)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ordinal.fit(data, formula, nominal=list(nominal) if nominal else None)


def predicted_profiles(result: ordinal.OrdinalResult, data: pd.DataFrame, vary: str) -> pd.DataFrame:
    """Predicted category probabilities as ``vary`` moves over its range, others at typical values."""
    base = {}
    for col in result._rhs_columns:
        series = data[col].dropna()
        base[col] = series.mode().iloc[0] if isinstance(series.dtype, pd.CategoricalDtype) else float(series.mean())
    series = data[vary].dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        grid = [c for c in series.cat.categories if (series == c).any()]
    else:
        grid = list(np.linspace(series.min(), series.max(), 13))
    profiles = pd.DataFrame([{**base, vary: g} for g in grid])
    proba = result.predict_proba(profiles)
    proba.index = pd.Index(grid, name=vary)
    return proba


def coefficient_table(result: ordinal.OrdinalResult) -> pd.DataFrame:
    return result.coefficients[["estimate", "std_err", "z", "p", "odds_ratio", "ci_low", "ci_high"]]


def fit_table(result: ordinal.OrdinalResult) -> pd.DataFrame:
    r2 = result.pseudo_r2
    return pd.DataFrame({"value": {
        "n": result.n, "log-likelihood": result.loglik, "null log-likelihood": result.loglik_null,
        "LR chi2": result.lr_chi2, "df": result.lr_df, "p": result.lr_p, "AIC": result.aic, "BIC": result.bic,
        "McFadden R2": r2["mcfadden"], "Cox-Snell R2": r2["cox_snell"], "Nagelkerke R2": r2["nagelkerke"]}})
