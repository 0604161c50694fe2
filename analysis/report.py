"""A wave's report as data: every table, figure, note and explanation, in one language.

``report_build`` is the one place that decides what a wave's report holds: which tables and
figures apply to its instrument (read from the questions' roles, see
:func:`analysis.frames.roles`), their titles and notes, and why something could not be
computed. The report page, every download, the ZIP bundle and ``manage.py analyze`` render the
:class:`Report` it returns and compute nothing of their own, so they show the same tables with the
same numbers.

Expensive results (Table 1, reliability, cross-tabulations, models) are cached per report version
(:func:`report_version`: the wave's completed responses, its instrument's texts and everything coded
in it) and language, in Django's cache (shared by the server's processes). Each process also keeps
the reports it built last (``REPORT_MEMO_SIZE``), by report version, wave title, language and
options: asking again for an unchanged wave's report costs the version's few queries and nothing
else.
"""
from __future__ import annotations

import dataclasses
import hashlib
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from surveys.models import Instrument, Wave

from . import core_messages, figures, frames, presentation, style, tables
from .frames import coding as coding_frames
from .frames import lines as frame_lines
from .frames.tidy import completed_responses
from .stats import choices as choice_stats
from .stats.agreement import agreement_table
from .stats import ordinal
from .stats.comparison import compare_items

CACHE_SECONDS = 60 * 60 * 24
PREFETCH_RESPONSES = 5000  # report_prefetch: larger waves are not read twice
REPORT_MEMO_SIZE = 16  # reports kept built in each process (the most recently used)
BATCH_EXACT_LIMIT = 40_000_000  # the bundle runs many exact tests: each gets about 3 s (docs/stats.md)


@dataclass
class Table:
    """One table: ``name`` is its file name in downloads (``<name>.csv``), ``data`` its values."""

    name: str
    title: str
    data: pd.DataFrame
    note: str = ""
    result: Any = None  # the statistics result behind the table, where there is one
    display: pd.DataFrame | None = None  # as printed: labels, headers in words, formatted numbers

    @property
    def printed(self) -> pd.DataFrame:
        return self.display if self.display is not None else self.data


@dataclass
class Figure:
    """One figure, drawn on demand: ``name`` is its file name in downloads (``figure-<name>.png``)."""

    name: str
    title: str
    alt: str
    draw: Callable[[], Any]
    note: str = ""
    width_cm: float = 17  # a journal page; 8.5 for a column
    rendered: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)  # by format

    def render(self, fmt: str) -> bytes:
        return self.render_all((fmt,))[fmt]

    def render_all(self, formats: Sequence[str] = figures.FORMATS) -> dict[str, bytes]:
        """The figure in each format (drawn once for the formats not rendered before)."""
        missing = [fmt for fmt in formats if fmt not in self.rendered]
        if missing:
            self.rendered.update(figures.figure_formats(self.draw(), missing))
        return {fmt: self.rendered[fmt] for fmt in formats}


@dataclass
class Section:
    """A part of the report: its tables and figures, notes, and the explanations of what could not
    be computed (``problems``)."""

    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    result: Any = None
    summary: str = ""  # one line in words on what the section computed (the model: outcome and predictors)


@dataclass(frozen=True)
class Options:
    """What a researcher chose on the report page; None means the report's default."""

    split: str | None = None
    item: str | None = None
    by: str | None = None
    outcome: str | None = None
    predictors: tuple[str, ...] = ()


@dataclass
class Report:
    wave: Wave
    lang: str
    n: int
    roles: frames.Roles
    variables: list[frames.Variable]
    options: Options
    sections: list[Section]
    frame: pd.DataFrame = field(repr=False, default=None)
    version: str = ""  # the report version it was built for (report_version)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def tables(self) -> dict[str, Table]:
        return {t.name: t for s in self.sections for t in s.tables}

    def figures(self) -> dict[str, Figure]:
        return {f.name: f for s in self.sections for f in s.figures}

    def table(self, name: str) -> Table | None:
        return self.tables().get(name)

    def figure(self, name: str) -> Figure | None:
        return self.figures().get(name)

    def label(self, name: str) -> str:
        """A variable's (or block's) label in the report's language."""
        for var in self.variables:
            if var.name == name:
                return var.label(self.lang)
        return name


def report_version(wave: Wave) -> str:
    """What a report's cached parts are valid for: the wave's completed responses, its instrument's
    structure and texts (``structure_revision`` changes on every edit of a question, option or
    label) and everything coded in the wave."""
    return (f"{frames.wave_version(wave)}:{wave.instrument_id}:{wave.instrument.structure_revision}:"
            f"{coding_frames.coding_version(wave)}")


def _cache_key(wave_version: str, lang: str, name: str) -> str:
    return "analysis:2:" + hashlib.sha256(f"{wave_version}:{lang}:{name}".encode()).hexdigest()


def _cached(wave_version: str, lang: str, name: str, compute: Callable[[], Any]) -> Any:
    key = _cache_key(wave_version, lang, name)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _respondents(instrument: Instrument, n: int) -> str:
    if instrument.kind == Instrument.Kind.INTERVIEW:
        return _("n = %(n)d interviews") % {"n": n}
    return _("n = %(n)d respondents") % {"n": n}


class _Builder:
    def __init__(self, wave: Wave, lang: str, options: Options, *, all_crosstabs: bool, exact_limit: int | None,
                 version: str):
        self.wave, self.lang, self.options = wave, lang, options
        self.all_crosstabs, self.exact_limit = all_crosstabs, exact_limit
        self.version = version
        self.variables = frames.variables(wave.instrument)
        self.roles = frames.roles(wave.instrument)
        # every answer as given (frequencies, figures), and as the statistics take it: missing-value
        # options ("Don't know", ...) are missing values there, said in each table's note
        self.answers = self.cached("frame", lambda: frame_lines.line_frame(wave, lang=lang))
        self.frame, self.excluded = frames.missing_as_na(self.answers, self.variables, lang)
        self.n = len(self.frame)

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        return _cached(self.version, self.lang, name, compute)

    def variable(self, name: str) -> frames.Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def label(self, name: str) -> str:
        """The short label of a variable, or of a block of items."""
        if name in self.roles.blocks:
            return self.roles.block_label(name, self.lang)
        var = self.variable(name)
        if var is not None:
            return var.short(self.lang)
        return self.question_label(name) if any(v.question == name for v in self.variables) else name

    def question_label(self, code: str) -> str:
        """The label of a question whose variables are its options (a multiple choice)."""
        question = self.wave.instrument.questions.get(code=code)
        return question.label

    def build(self) -> list[Section]:
        sections: list[Section] = []
        if not self.n:
            return sections
        if self.roles.items:
            self.crosstab_prefetch()
        for place, question in enumerate(self.roles.figures, start=1):
            number = self.roles.figure_numbers.get(question, place)
            if question in self.roles.combinations:
                sections.append(self.choice_figure(number, question, combinations=True))
            elif self.is_coded(question):
                sections.append(self.coded_figure(number, question))
            else:
                sections.append(self.choice_figure(number, question))
        numbers = [v.name for v in self.variables if v.type == "number"]
        if numbers:
            sections.append(self.numbers(numbers))
        if self.roles.items:
            sections += [self.table1(), self.reliability()]
            if self.roles.outcome:
                sections.append(self.model())
            if self.all_crosstabs:
                # the bundle's (and analyze's) figures are all drawn: drawn now, while the exact tests run
                for section in sections:
                    for figure in section.figures:
                        figure.render_all()
            # built after the model, in its place: its exact test runs beside the model's (crosstab_prefetch)
            sections.insert(len(sections) - bool(self.roles.outcome), self.crosstab())
        sections.append(self.frequencies())
        return sections

    # --- figures of choice questions --------------------------------------------------------------
    def is_coded(self, question: str) -> bool:
        """A multiple choice that coders code, or that interviewers record (the interview guide's coded
        figure), is counted by :meth:`coded_figure`; the others by :meth:`choice_figure`."""
        var = next((v for v in self.variables if v.question == question), None)
        if var is None or var.type != "multiple":
            return False
        if self.wave.instrument.kind == Instrument.Kind.INTERVIEW:
            return True
        from surveys.coding import selectors as coding_selectors
        return coding_selectors.codebook_get_by_question(wave=self.wave, question_code=question) is not None

    def option_label(self, question: str, var: frames.Variable) -> str:
        """The option of a multiple-choice variable ("<question>: <option>"), whole even when it holds a colon."""
        short, prefix = var.short(self.lang), self.question_label(question) + ": "
        return short[len(prefix):] if short.startswith(prefix) else short.rsplit(": ", 1)[-1]

    def illustrative_note(self, *questions: str) -> str:
        """The note of a demo wave's tables on questions whose answers are illustrative, or ""."""
        from surveys.demo import illustrative_questions
        if set(questions) & illustrative_questions(self.wave.slug):
            return _("Illustrative demo data: the paper publishes no figures for these questions.")
        return ""

    def choice_figure(self, number: int, question: str, *, combinations: bool = False) -> Section:
        """A choice question as a figure: a single choice as the % of each option, a multiple choice as
        the number of respondents naming each option (several answers allowed) or, with
        ``combinations``, as the % of each combination of options given; n beside every figure."""
        title = _("Figure %(number)d. %(label)s") % {"number": number, "label": self.question_label(question)}
        section = Section(key=f"figure{number}", title=title)
        options = [v for v in self.variables if v.question == question]
        multiple = options[0].type == "multiple"
        decimal = "," if self.lang == "ru" else "."
        if multiple:
            codes = [int(v.name.rsplit("__", 1)[1]) for v in options]
            labels = {code: self.option_label(question, v) for code, v in zip(codes, options)}
            indicators = self.answers[[v.name for v in options]].copy()
            indicators.columns = codes
        else:
            var = options[0]
            labels = var.value_labels(self.lang)
            order = {label: code for code, label in labels.items()}
            answers = self.answers[question].map(lambda x: order.get(x) if isinstance(x, str) else None)
        if combinations:
            table = choice_stats.combination_percentages(indicators, labels)
        elif multiple:
            table = choice_stats.option_counts(indicators, labels)
        else:
            table = choice_stats.option_percentages(answers, labels)
        n, missing = table.attrs["n"], table.attrs["missing"]
        if not n:
            section.problems.append(_("Nobody answered this question."))
            return section
        note = _respondents(self.wave.instrument, n)
        if missing:
            note += "; " + _("%(missing)d left the question unanswered") % {"missing": missing}
        if multiple and not combinations:
            table_note = _("%(n)s. Several answers allowed: the number of respondents naming each option, and its "
                           "%% of the respondents who answered (the percentages can sum to more than 100).") % {
                "n": note}
            value, xlabel = "count", _("Number of respondents")
            alt = _("Horizontal bar chart of the number of respondents naming each option")
        elif combinations:
            table_note = _("%(n)s. Each row is one combination of options as respondents gave it; %% of the "
                           "respondents who answered.") % {"n": note}
            value, xlabel = "percent", "%"
            alt = _("Horizontal bar chart of the percentage of respondents giving each combination of options")
        else:
            table_note = _("%(n)s. %% of the respondents who answered.") % {"n": note}
            value, xlabel = "percent", "%"
            alt = _("Horizontal bar chart of the percentage of respondents choosing each option")
        illustrative = self.illustrative_note(question)
        if illustrative:
            section.notes.append(illustrative)
            table_note += " " + illustrative
        if multiple and not combinations:
            section.notes.append(_("Several answers were allowed."))
        rows = [(str(r["label"]), int(r["count"]), float(r["percent"])) for _k, r in table.iterrows()]
        if combinations:  # the option codes of each combination, space-separated
            data = table.reset_index(drop=True)
            data.insert(0, "options", [" ".join(str(c) for c in combo) for combo in table.index])
        else:
            data = table.reset_index()
        data.attrs = dict(table.attrs)
        display = presentation.frequencies(rows, self.lang, missing=missing, cases=multiple and not combinations)
        section.tables.append(Table(name=f"figure{number}", title=title, data=data, note=table_note, display=display))
        figure_note = note + (" · " + _("several answers allowed") if multiple and not combinations else "")
        section.figures.append(Figure(
            name=f"figure{number}", title=title, note=figure_note, alt=alt,
            draw=lambda: figures.choice_bars_figure(table, value=value, xlabel=xlabel, decimal=decimal)))
        section.result = table
        return section

    # --- numeric answers -----------------------------------------------------------------------
    def numbers(self, columns: list[str]) -> Section:
        """n, mean, SD, median and range of every numeric question."""
        section = Section(key="numbers", title=_("Numeric answers"))
        table = choice_stats.numeric_summary(self.answers, columns)
        display = presentation.numeric_summary(table, self.lang, self.label)
        note = _("%(n)s. Mean, standard deviation (n − 1), median and range of the answers given.") % {
            "n": _respondents(self.wave.instrument, self.n)}
        section.tables.append(Table(name="numbers", title=_("Numeric answers"), data=table, note=note,
                                    display=display))
        section.result = table
        return section

    # --- coded figures -------------------------------------------------------------------------
    def coded_figure(self, number: int, question: str) -> Section:
        suffix = "" if number == 1 else str(number)
        title = _("Figure %(number)d. %(label)s") % {"number": number, "label": self.question_label(question)}
        section = Section(key=f"figure{number}", title=title)
        try:
            counts = coding_frames.figure_counts(self.wave, self.answers, self.variables, question, lang=self.lang)
        except ValueError as exc:
            section.problems.append(self.model_note(exc))
            return section
        n = counts.attrs["n"]
        note = _respondents(self.wave.instrument, n)
        if counts.attrs["source"] == "coded":
            source = _("The counts are the coders' final codes.")
        else:
            source = _("The counts are the categories the interviewers recorded (the answers are not coded yet).")
        section.notes.append(source)
        if counts.attrs["illustrative"]:
            note += " · " + _("illustrative demo data: only the order of the categories follows the paper")
            section.notes.append(_("Illustrative demo data: the counts only keep the order of the categories "
                                   "in the paper."))
        table_note = _("%(n)s; several categories per answer, so the percentages (of the answers counted) can "
                       "sum to more than 100. %(source)s") % {"n": note, "source": source}
        section.tables.append(Table(name=f"figure{number}", title=title, data=counts, note=table_note,
                                    display=presentation.counts(counts, self.lang, n)))
        xlabel = _("Number of opinions")
        section.figures.append(Figure(
            name=f"figure{number}", title=title, note=note,
            alt=_("Horizontal bar chart of the number of answers naming each category"),
            draw=lambda: figures.coded_counts_figure(counts, n=n, xlabel=xlabel)))
        try:
            long, codes = coding_frames.agreement_long(self.wave, question)
            agreement = agreement_table(long, unit="unit", coder="coder", code="code", codes=codes)
        except ValueError:  # no codebook, or fewer than two coders: nothing to compare
            agreement = None
        if agreement is not None:
            categories = {int(code): label for code, label in counts["label"].items()}
            section.tables.append(Table(
                name=f"agreement{suffix}", title=_("Agreement between coders"), data=agreement,
                display=presentation.agreement(agreement, self.lang, categories),
                note=_('Per category, each answer is a yes/no decision of each coder; "overall" pools every '
                       "decision. Percent agreement, Cohen's kappa and Krippendorff's alpha (nominal).")))
        return section

    # --- Table 1 -----------------------------------------------------------------------------
    def table1(self) -> Section:
        items, n = self.roles.items, self.n
        section = Section(key="table1", title=_("Table 1. Distribution of answers"))
        split = self.options.split if self.options.split in self.roles.profile else None
        try:
            whole = self.cached("table1", lambda: tables.table1(self.frame, items))
            shown = whole if split is None else self.cached(
                f"table1:{split}", lambda: tables.table1(self.frame, items, split_by=split))
        except ValueError as exc:
            section.problems.append(self.model_note(exc))
            return section
        note = _("%(n)s. Percentages of valid answers, rounded so that every row sums to 100 (largest "
                 "remainder); n is the number of valid answers to the item.") % {
            "n": _respondents(self.wave.instrument, n)}
        title = _("Table 1. Distribution of answers (%%), n = %(n)d") % {"n": n}
        if self.illustrative_note(*items):
            section.notes.append(self.illustrative_note(*items))
            note += " " + self.illustrative_note(*items)
        section.tables.append(Table(name="table1", title=title, data=shown, note=note,
                                    display=presentation.distribution(shown, self.lang, self.label)))
        section.result = split
        chart_title = _("Distribution of answers (%%), n = %(n)d") % {"n": n}
        labels = [self.label(item) for item in whole.index]
        section.figures.append(Figure(
            name="table1", title=chart_title, note=note,
            alt=_("Stacked bar chart of the distribution of answers to each item"),
            draw=lambda: figures.table1_figure(whole, labels=labels)))
        return section

    # --- reliability -------------------------------------------------------------------------
    def reliability(self) -> Section:
        section = Section(key="reliability", title=_("Reliability"))
        try:
            blocks, items = self.cached("reliability", lambda: tables.reliability_tables(
                self.frame, self.roles.blocks, self.roles.items))
        except ValueError as exc:
            section.problems.append(self.model_note(exc))
            return section
        if self.illustrative_note(*self.roles.items):
            section.notes.append(self.illustrative_note(*self.roles.items))
        section.tables += [
            Table(name="reliability", title=_("Reliability of the blocks and of the scale"), data=blocks,
                  display=presentation.reliability(blocks, self.lang, self.label),
                  note=_("%(n)s. Cronbach's α with Feldt's 95%% interval, standardized α, ordinal α (from "
                         "polychoric correlations) and McDonald's ω total (one factor, as psych::omega; not "
                         "identified for two-item blocks: —).") % {"n": _respondents(self.wave.instrument, self.n)}),
            Table(name="reliability_items", title=_("Item statistics"), data=items,
                  display=presentation.item_statistics(items, self.lang, self.label),
                  note=_("M and SD of the item codes (1 = lowest category); item-rest r: correlation of the item "
                         "with the sum of the other items; α if deleted: Cronbach's α of the scale without the "
                         "item.")),
        ]
        return section

    # --- cross-tabulations -------------------------------------------------------------------
    def _crosstab_table(self, name: str, item: str, by: str, exact_limit: int | None) -> Table:
        result = self.cached(f"xt:{item}:{by}:{exact_limit}",
                             lambda: tables.crosstab(self.frame, item, by, exact_limit=exact_limit))
        title = _("Cross-tabulation of %(item)s by %(by)s") % {"item": self.label(item), "by": self.label(by)}
        return Table(name=name, title=title, data=result.counts, result=result,
                     display=presentation.crosstab(result.counts, self.lang, self.label(by), self.label(item)),
                     note=self.crosstab_reading(result, item, by) + " " + _(
                         "Cells: counts. Tests: Pearson's chi-square (no continuity correction), the likelihood "
                         "ratio G², Cramér's V and, for sparse tables, Fisher's exact test.") + self.excluded_note(item, by))

    def excluded_note(self, *names: str) -> str:
        """" Left out as missing values: Don't know (Cluster member, n = 7)." or ""."""
        parts = [_("%(option)s (%(variable)s, n = %(n)s)") % {"option": option, "variable": self.label(name),
                                                              "n": style.integer(count, self.lang)}
                 for name in names for option, count in self.excluded.get(name, {}).items() if count]
        if not parts:
            return ""
        return " " + _("Left out as missing values: %(answers)s.") % {"answers": "; ".join(parts)}

    def crosstab_reading(self, result, item: str, by: str) -> str:
        """One sentence on the result, in the report's language."""
        exact = result.exact_p is not None
        p = result.exact_p if exact else result.p
        if p != p:  # NaN
            return _("The association could not be tested.")
        v = result.cramers_v
        strength = (_("negligible") if v < 0.1 else _("weak") if v < 0.3 else _("moderate") if v < 0.5
                    else _("strong"))
        params = {"a": self.label(by), "b": self.label(item), "p": style.p_value(p, self.lang),
                  "v": style.bounded(v, 2, self.lang), "n": result.n, "strength": strength,
                  "test": pgettext("in a sentence", "Fisher's exact test") if exact
                  else pgettext("in a sentence", "the chi-square test")}
        if p < 0.05:
            text = _("The association between %(a)s and %(b)s is statistically significant at the 5%% level "
                     "(%(test)s, p = %(p)s); its strength is %(strength)s (Cramér's V = %(v)s, n = %(n)d).") % params
        else:
            text = _("The association between %(a)s and %(b)s is not statistically significant at the 5%% level "
                     "(%(test)s, p = %(p)s); its strength is %(strength)s (Cramér's V = %(v)s, n = %(n)d).") % params
        if result.sparse and not exact:
            text += " " + _("The table is sparse and the exact test could not be computed; read the chi-square "
                            "with care.")
        elif exact:
            text += " " + _("The table is sparse, so the exact test is used.")
        return text

    def crosstab_pair(self) -> tuple[str, str | None]:
        """The page's cross-tabulation: the chosen item and question, else the first item by the
        covariate (else profile question) with the fewest categories, the cheapest table."""
        choices = [v.name for v in self.variables if v.values and v.type != "multiple"]
        item = self.options.item if self.options.item in choices else self.roles.items[0]
        candidates = [q for q in dict.fromkeys([*self.roles.covariates, *self.roles.profile]) if q != item]
        default_by = min(candidates, key=lambda q: (q not in self.roles.covariates, len(self.variable(q).values)
                                                    if self.variable(q) else 0), default=None)
        return item, self.options.by if self.options.by in choices else default_by

    def crosstab_jobs(self) -> list[tuple[str, str, str, int | None]]:
        """(table name, item, by, exact test's budget) of every cross-tabulation of the report."""
        item, by = self.crosstab_pair()
        jobs = [] if by is None or by == item else [("crosstab", item, by, None)]
        if self.all_crosstabs and jobs:
            jobs += [(f"crosstab_{item_q}_by_{by_q}", item_q, by_q, self.exact_limit or BATCH_EXACT_LIMIT)
                     for by_q in self.roles.covariates or self.roles.profile for item_q in self.roles.items]
        return jobs

    def crosstab_prefetch(self) -> None:
        """Start the exact tests of the report's cross-tabulations not computed yet, side by side in
        background threads (:func:`analysis.tables.exact_prefetch`), while the rest is built."""
        jobs = {(item, by, limit): f"xt:{item}:{by}:{limit}" for _name, item, by, limit in self.crosstab_jobs()}
        todo = [job for job, name in jobs.items() if cache.get(_cache_key(self.version, self.lang, name)) is None]
        for job, result in tables.exact_prefetch(self.frame, todo).items():
            cache.set(_cache_key(self.version, self.lang, jobs[job]), result, CACHE_SECONDS)

    def crosstab(self) -> Section:
        section = Section(key="crosstab", title=_("Cross-tabulation"))
        item, by = self.crosstab_pair()
        section.result = (item, by)
        if by is None or by == item:
            section.problems.append(_("This instrument has no profile question to cross-tabulate by."))
            return section
        for name, item_q, by_q, limit in self.crosstab_jobs():
            if name == "crosstab":
                try:
                    section.tables.append(self._crosstab_table(name, item_q, by_q, limit))
                except ValueError as exc:
                    section.problems.append(self.model_note(exc))
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    section.tables.append(self._crosstab_table(name, item_q, by_q, limit))
                except ValueError:  # e.g. a constant item: the page explains
                    continue
        return section

    # --- ordinal regression ------------------------------------------------------------------
    def model(self) -> Section:
        outcome = self.roles.outcome
        section = Section(key="model", title=_("Ordinal regression"))
        chosen = self.options.outcome is not None
        try:
            if chosen:
                data, formula = tables.model_data(self.frame, self.roles.blocks, self.options.outcome,
                                                  list(self.options.predictors))
            else:
                data, formula = tables.default_model_data(self.frame, self.roles.blocks, outcome,
                                                          [c for c in self.roles.covariates if c in self.frame])
            result = self.cached(f"model:{formula}", lambda: tables.fit_model(data, formula))
        except ValueError as exc:
            section.problems.append(self.model_note(exc))
            return section
        section.result = result
        section.summary = _("Outcome: %(outcome)s; predictors: %(predictors)s.") % {
            "outcome": self.label(result.formula.split("~", 1)[0].strip()),
            "predictors": "; ".join(self.label(c) for c in result._rhs_columns)}
        section.notes += [self.model_note(note) for note in result.notes]
        factors = {c: [str(x) for x in data[c].cat.categories] for c in result._rhs_columns
                   if isinstance(data[c].dtype, pd.CategoricalDtype)}
        model_outcome = self.options.outcome or outcome
        n_note = _("n = %(n)d; %(dropped)d dropped for missing values.") % {"n": result.n, "dropped": result.n_dropped}
        used = list(self.options.predictors) if chosen else [c for c in self.roles.covariates if c in self.frame]
        n_note += self.excluded_note(model_outcome, *used)
        section.tables += [
            Table(name="ordinal_coefficients", title=_("Ordinal regression of %(outcome)s: coefficients") % {
                "outcome": self.label(model_outcome)}, data=tables.coefficient_table(result), result=result,
                  display=presentation.coefficients(tables.coefficient_table(result), self.lang, self.label, factors),
                  note=_("Proportional-odds (cumulative logit) model, logit P(Y ≤ j) = θj − x′β, as R's "
                         "ordinal::clm: a positive B means higher categories are more likely. OR: odds ratio, with "
                         "its Wald 95%% interval. Block scores are the mean item code of the block. %(n)s") % {
                      "n": n_note}),
            Table(name="ordinal_thresholds", title=_("Ordinal regression: thresholds"), data=result.thresholds,
                  display=presentation.thresholds(result.thresholds, self.lang),
                  note=_("θj between adjacent categories of %(outcome)s, on the logit scale.") % {
                      "outcome": self.label(model_outcome)}),
            Table(name="ordinal_fit", title=_("Ordinal regression: fit"), data=tables.fit_table(result),
                  display=presentation.fit(tables.fit_table(result), self.lang),
                  note=_("Likelihood-ratio test against the model with thresholds only; pseudo-R² of McFadden, "
                         "Cox–Snell and Nagelkerke.")),
        ]
        if len(result.brant):
            section.tables.append(Table(
                name="ordinal_brant", title=_("Brant test of proportional odds"), data=result.brant,
                display=presentation.tests(result.brant, self.lang, self.label),
                note=_("A small p means the effect differs across the thresholds (Brant 1990).")))
        self.proportional_odds_tests(section, data, formula, result)
        vary = next((p for p in result._rhs_columns if p in self.roles.blocks), None)
        if vary is not None:
            title = _("Predicted probabilities of %(outcome)s") % {"outcome": self.label(model_outcome)}
            xlabel, ylabel = self.label(vary), _("Predicted probability")
            section.figures.append(Figure(
                name="probabilities", title=title,
                alt=_("Predicted probabilities of each outcome category as a block score varies"),
                note=_("Other predictors at their mean (scores) or most frequent category."), width_cm=8.5,
                draw=lambda: figures.probability_figure(tables.predicted_profiles(result, data, vary), xlabel=xlabel,
                                                        ylabel=ylabel, decimal="," if self.lang == "ru" else ".")))
        return section

    def model_note(self, note: str) -> str:
        """The statistics core's notes in the report's language, with advice where a researcher can act."""
        return core_messages.say(note, self.lang, self.label)

    def proportional_odds_tests(self, section: Section, data: pd.DataFrame, formula: str, result) -> None:
        """ordinal::nominal_test and scale_test per predictor, and the partial proportional-odds model
        for the predictors the first rejects."""
        try:
            nominal = self.cached(f"nominal:{formula}", lambda: ordinal.nominal_test(data, formula))
            scale = self.cached(f"scale:{formula}", lambda: ordinal.scale_test(data, formula))
        except ValueError as exc:
            section.notes.append(_("The likelihood-ratio tests of proportional odds cannot be computed: %(reason)s")
                                 % {"reason": self.model_note(exc)})
            return
        for name, table, title, what in (
                ("ordinal_nominal_test", nominal, _("Likelihood-ratio test of proportional odds"),
                 _("each predictor's effect allowed to differ across the thresholds")),
                ("ordinal_scale_test", scale, _("Likelihood-ratio test of equal scale"),
                 _("each predictor allowed to change the scale (dispersion) of the latent variable"))):
            section.tables.append(Table(
                name=name, title=title, data=table,
                display=presentation.tests(table, self.lang, self.label, statistic="lr"),
                note=_("Against the model above, %(what)s; as R's ordinal::%(function)s.") % {
                    "what": what, "function": "nominal_test" if name.endswith("nominal_test") else "scale_test"}))
        rejected = [term for term, p in nominal["p"].items() if p < 0.05 and term in result._rhs_columns]
        if not rejected:
            return
        labels = ", ".join(self.label(t) for t in rejected)
        section.notes.append(_("Proportional odds is rejected for %(terms)s (p < .05): the partial "
                               "proportional-odds model below lets its effect differ across the thresholds.")
                             % {"terms": labels})
        try:
            partial = self.cached(f"partial:{formula}:{rejected}",
                                  lambda: tables.fit_model(data, formula, nominal=rejected))
        except ValueError as exc:
            section.notes.append(self.model_note(exc))
            return
        section.tables.append(Table(
            name="ordinal_partial_thresholds", title=_("Partial proportional-odds model: thresholds"),
            data=partial.thresholds, display=presentation.thresholds(partial.thresholds, self.lang, self.label),
            note=_("Thresholds by %(terms)s (R's clm with nominal = ~ %(formula)s); log-likelihood %(ll)s against "
                   "%(ll0)s.") % {"terms": labels, "formula": " + ".join(rejected),
                                 "ll": style.number(partial.loglik, 2, self.lang),
                                 "ll0": style.number(result.loglik, 2, self.lang)}))

    # --- frequencies -------------------------------------------------------------------------
    def frequencies(self) -> Section:
        """The frequency table of every closed question."""
        section = Section(key="frequencies", title=_("Frequencies of the closed questions"))
        questions = list(dict.fromkeys(v.question for v in self.variables if v.values))
        for code in questions:
            options = [v for v in self.variables if v.question == code]
            if options[0].type == "multiple":
                answered = self.answers[options[0].name].notna()
                cases = int(answered.sum())
                rows = []
                for var in options:
                    chosen = int(self.answers.loc[answered, var.name].fillna(0).sum())
                    rows.append((self.option_label(code, var), chosen,
                                 100 * chosen / cases if cases else float("nan")))
                data = pd.DataFrame(rows, columns=["option", "n", "percent_of_cases"])
                missing = self.n - cases
                display = presentation.frequencies(rows, self.lang, missing=missing, cases=True)
                note = _("Several answers allowed: %% of the %(cases)d respondents who answered; the percentages can "
                         "sum to more than 100.") % {"cases": cases}
                if options[0].max_choices is not None:
                    note += " " + ngettext("At most %(limit)d option could be chosen.",
                                           "At most %(limit)d options could be chosen.",
                                           options[0].max_choices) % {"limit": options[0].max_choices}
            else:
                column = self.frame[code]  # missing-value options are missing here
                valid = int(column.notna().sum())
                counts = self.answers[code].value_counts(sort=False)
                rows = [(str(level), int(counts.get(level, 0)),
                         100 * counts.get(level, 0) / valid if valid else float("nan"))
                        for level in column.cat.categories]
                left_out = self.excluded.get(code, {})
                rows += [(option, count, float("nan")) for option, count in left_out.items()]
                data = pd.DataFrame(rows, columns=["option", "n", "percent_of_valid"])
                missing = self.n - valid - sum(left_out.values())
                display = presentation.frequencies(rows, self.lang, missing=missing, cases=False)
                note = _("%% of the %(valid)d valid answers.") % {"valid": valid}
                if left_out:
                    note += " " + _("%(options)s: a missing value, not counted in the percentages.") % {
                        "options": ", ".join(left_out)}
            data.attrs["missing"] = missing
            note += " " + _respondents(self.wave.instrument, self.n) + "."
            if self.illustrative_note(code):
                note += " " + self.illustrative_note(code)
            section.tables.append(Table(name=f"freq_{code}", title=self.label(code), data=data, display=display,
                                        note=note))
        return section


_reports: OrderedDict[tuple, "Report"] = OrderedDict()
_reports_lock = threading.Lock()


def forget_reports() -> None:
    """Empty this process's memo of built reports (the cached parts stay in Django's cache)."""
    with _reports_lock:
        _reports.clear()


def report_build(wave: Wave, *, lang: str = "en", options: Options | None = None, all_crosstabs: bool = False,
                 exact_limit: int | None = None) -> Report:
    """Build the report of ``wave`` in ``lang`` (or return the one this process built for the same
    report version, wave title, language and options).

    Parameters
    ----------
    options : Options, optional
        The page's choices (split of Table 1, the cross-tabulation, the model); defaults otherwise.
    all_crosstabs : bool
        Also every item by every covariate (profile question) with its exact test, as the bundle has.
    exact_limit : int, optional
        The work bound of each exact test of ``all_crosstabs``.
    """
    options = options or Options()
    version = report_version(wave)
    key = (version, wave.slug, wave.title, wave.title_ru, lang, options, all_crosstabs, exact_limit)
    with _reports_lock:
        report = _reports.get(key)
        if report is not None:
            _reports.move_to_end(key)
            return dataclasses.replace(report, wave=wave)  # the wave as asked for now (its status, dates)
    with translation.override(lang):
        builder = _Builder(wave, lang, options, all_crosstabs=all_crosstabs, exact_limit=exact_limit,
                           version=version)
        sections = builder.build()
    report = Report(wave=wave, lang=lang, n=builder.n, roles=builder.roles, variables=builder.variables,
                    options=options, sections=sections, frame=builder.frame, version=version)
    with _reports_lock:
        _reports[key] = report
        while len(_reports) > REPORT_MEMO_SIZE:
            _reports.popitem(last=False)
    return report


def report_prefetch(wave: Wave, *, lang: str = "en", all_crosstabs: bool = True, exact_limit: int | None = None
                    ) -> None:
    """Start the exact tests :func:`report_build` with the same arguments will need, in background
    threads, and return: the bundle writes its data files meanwhile. Not for waves of more than
    ``PREFETCH_RESPONSES`` completed responses, whose tables are seldom sparse enough to need an
    exact test: their report's frame is not read before the data files are written (one large
    frame in memory at a time)."""
    with translation.override(lang):
        builder = _exact_builder(wave, lang, all_crosstabs=all_crosstabs, exact_limit=exact_limit)
        if builder is not None:
            builder.crosstab_prefetch()


def _exact_builder(wave: Wave, lang: str, *, all_crosstabs: bool, exact_limit: int | None) -> _Builder | None:
    """The builder whose cross-tabulations' exact tests are computed ahead; None for a wave of more
    than ``PREFETCH_RESPONSES`` completed responses, or one with nothing to cross-tabulate."""
    if completed_responses([wave]).count() > PREFETCH_RESPONSES:
        return None
    builder = _Builder(wave, lang, Options(), all_crosstabs=all_crosstabs, exact_limit=exact_limit,
                       version=report_version(wave))
    return builder if builder.n and builder.roles.items else None


def report_exact_tests(wave: Wave) -> int:
    """Compute, and keep for every process (:func:`analysis.tables.fisher_cached`), the exact tests
    of every cross-tabulation of the wave's report and bundle that are not known yet, side by side as
    the bundle runs them, and wait for them: what the worker does after new responses
    (``analysis.tasks.exact_prepare``), so that neither meets them cold. The p-values depend on the
    counts alone, so one language serves both. Returns how many cross-tabulations the wave has (0:
    more than ``PREFETCH_RESPONSES`` completed responses, or nothing to cross-tabulate)."""
    with translation.override("en"):
        builder = _exact_builder(wave, "en", all_crosstabs=True, exact_limit=None)
        if builder is None:
            return 0
        jobs = builder.crosstab_jobs()
        tables.exact_prefetch(builder.frame, [(item, by, limit) for _name, item, by, limit in jobs])
        for _name, item, by, limit in jobs:  # each waited for, and kept, here
            try:
                tables.crosstab(builder.frame, item, by, exact_limit=limit)
            except ValueError:  # cannot be tabulated: the report says why
                continue
        return len(jobs)


def comparison_build(a: Wave, b: Wave, *, lang: str = "en") -> Table:
    """Two waves of one instrument side by side (:func:`analysis.stats.comparison.compare_items`) over
    the scale's items and the outcome. Raises ValueError, with the reason, when they cannot be compared.

    The waves may use different versions of the instrument: items are matched by their code (the
    variable name), and the note names the items one wave's version lacks, and those whose
    options differ between the versions (neither is compared); ``data.attrs["not_in"]`` holds them
    by wave slug."""
    with translation.override(lang):
        if a.instrument.code != b.instrument.code:
            raise ValueError(_("Only waves of the same instrument can be compared."))
        match = frames.variables_match(a.instrument, b.instrument, _comparable_items)
        if not match.common and not (match.only_a or match.only_b or match.different):
            raise ValueError(_("This instrument has no ordered scale items to compare."))
        if not match.common:
            raise ValueError(_("The two versions of the instrument have no ordered scale item in common.")
                             + " " + _comparison_gaps(a, b, match))
        frame_a, frame_b = frames.wave_frame(a, lang=lang), frames.wave_frame(b, lang=lang)
        if not len(frame_a) or not len(frame_b):
            raise ValueError(_("Both waves need completed responses."))
        table = compare_items(frame_a, frame_b, match.common)
        table.attrs["not_in"] = {a.slug: list(match.only_b), b.slug: list(match.only_a)}
        table.attrs["different"] = list(match.different)
        short = {v.name: v.short(lang) for v in [*frames.variables(b.instrument), *frames.variables(a.instrument)]}
        note = _("Mean item code (1 = lowest category) in each wave (a: %(a)s; b: %(b)s), the change b − a, "
                 "and the Mann–Whitney U test of each item (two-sided, normal approximation with tie and "
                 "continuity correction); p (Holm): adjusted for testing every item.") % {
                     "a": a.local("title", lang), "b": b.local("title", lang)}
        if a.instrument_id != b.instrument_id:
            note += " " + _("The waves use versions %(va)d and %(vb)d of the instrument; items are matched by "
                            "their code.") % {"va": a.instrument.version, "vb": b.instrument.version}
            gaps = _comparison_gaps(a, b, match)
            if gaps:
                note += " " + gaps
        return Table(name=f"compare-{a.slug}-{b.slug}", title=_("%(a)s compared with %(b)s") % {
            "a": a.local("title", lang), "b": b.local("title", lang)}, data=table,
            display=presentation.comparison(table, lang, lambda code: short.get(code, code)), note=note)


def _comparable_items(instrument: Instrument) -> list[str]:
    roles = frames.roles(instrument)
    return [*roles.items, *([roles.outcome] if roles.outcome else [])]


def _comparison_gaps(a: Wave, b: Wave, match: "frames.VariableMatch") -> str:
    """Which wave lacks which items, and which items are defined differently (not compared)."""
    parts = []
    if match.only_b:
        parts.append(_("Not in %(wave)s (version %(version)d), so not compared: %(codes)s.") % {
            "wave": a.local("title"), "version": a.instrument.version, "codes": ", ".join(match.only_b)})
    if match.only_a:
        parts.append(_("Not in %(wave)s (version %(version)d), so not compared: %(codes)s.") % {
            "wave": b.local("title"), "version": b.instrument.version, "codes": ", ".join(match.only_a)})
    if match.different:
        parts.append(_("Options differ between the versions, so not compared: %(codes)s.") % {
            "codes": ", ".join(match.different)})
    return " ".join(parts)


def crosstab_choices(variables: Sequence[frames.Variable], lang: str) -> list[tuple[str, str]]:
    """The questions a cross-tabulation can use: every single-choice variable."""
    return [(v.name, v.short(lang)) for v in variables if v.values and v.type != "multiple"]


def model_choices(variables: Sequence[frames.Variable], roles: frames.Roles, lang: str
                  ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(outcomes, predictors) a model can use: ordered questions; block scores and choice questions."""
    with translation.override(lang):
        outcomes = [(v.name, v.short(lang)) for v in variables if v.values and v.type != "multiple" and v.ordered]
        blocks = [(b, _("Block score: %(block)s") % {"block": roles.block_label(b, lang)}) for b in roles.blocks]
    return outcomes, blocks + crosstab_choices(variables, lang)


def split_choices(report: Report) -> list[tuple[str, str]]:
    """The profile questions Table 1 can be split by, with their labels."""
    return [(q, report.label(q)) for q in report.roles.profile]
