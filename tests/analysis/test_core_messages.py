"""The statistics core's messages reach a Russian report in Russian, with labels for variable names,
and stay the same English text everywhere else (printed, compared, pickled)."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from analysis.core_messages import say
from analysis.stats import ordinal
from analysis.stats.ordinal import Note

LABELS = {"size": "Размер", "trust": "Доверие", "y": "Готовность"}


def _data():
    rng = np.random.default_rng(3)
    n = 60
    size = pd.Categorical(rng.choice(["micro", "small"], n), categories=["micro", "small", "large"])
    trust = rng.normal(size=n)
    y = pd.Categorical(np.clip(np.round(trust + rng.normal(size=n)) + 2, 1, 3).astype(int), ordered=True)
    frame = pd.DataFrame({"y": y, "size": size, "trust": trust})
    frame.loc[[0, 1, 2], "trust"] = np.nan
    return frame


def _ru(message):
    with translation.override("ru"):
        return say(message, "ru", lambda name: LABELS.get(name, name))


def test_a_fits_notes_are_english_text_with_keys_and_russian_in_a_russian_report():
    result = ordinal.fit(_data(), "y ~ size + trust")
    notes = {note.key: note for note in result.notes if isinstance(note, Note)}
    assert notes["dropped_listwise"] == "3 rows with missing values were dropped (listwise)."
    assert notes["predictor_categories_dropped"] == "Predictor 'size': categories with no observations dropped: " \
                                                    "['large']."
    assert _ru(notes["dropped_listwise"]) == "3 респондента с пропущенными ответами исключены (построчное удаление)."
    assert _ru(notes["predictor_categories_dropped"]) == ("Размер: категории, которые никто не выбрал, исключены из "
                                                          "модели: large.")
    with translation.override("en"):
        assert say(notes["dropped_listwise"], "en") == "3 respondents with a missing answer were left out " \
                                                       "(listwise deletion)."
    again = pickle.loads(pickle.dumps(result))
    assert [(n.key, n.params) for n in again.notes if isinstance(n, Note)] == \
        [(n.key, n.params) for n in result.notes if isinstance(n, Note)]


def test_a_model_that_cannot_be_fitted_says_why_in_russian():
    frame = _data()
    frame["trust"] = np.nan
    with pytest.raises(ValueError) as exc:
        ordinal.fit(frame, "y ~ size + trust")
    assert str(exc.value) == "The predictor 'trust' has no observed values (every row is missing); remove it from " \
                             "the formula."
    assert _ru(exc.value) == "На вопрос-предиктор «Доверие» никто не ответил; исключите его из модели."
    frame = _data()
    frame["y"] = pd.Categorical([2] * len(frame), categories=[1, 2, 3], ordered=True)
    with pytest.raises(ValueError) as exc:
        ordinal.fit(frame, "y ~ trust")
    assert _ru(exc.value) == ("Ответы на зависимую переменную «Готовность» приходятся менее чем на две категории; "
                              "модель не строится.")


def test_a_terms_note_nests_and_unknown_texts_pass_through():
    inner = Note("brant_link", "The Brant test is defined for the logit link only.")
    term = inner.prefixed("size")
    assert term == "size: The Brant test is defined for the logit link only."
    assert _ru(term) == "Размер: Тест Бранта определён только для логит-связи."
    unfitted = Note("term_unfitted", "{term}: the model with {kind} effects of {term} cannot be fitted ({reason}); "
                    "its test is NaN.", {"term": "size", "kind": "scale", "reason": inner})
    assert _ru(unfitted) == ("Размер: модель с масштабными эффектами переменной Размер не оценивается (Тест Бранта "
                             "определён только для логит-связи.); её тест недоступен.")
    assert _ru("a plain message") == "a plain message"
    assert _ru(ValueError("plain")) == "plain"
