"""manage.py analyze <wave> [--out DIR] [--lang en|ru]: every table and figure of the report."""
from __future__ import annotations

import html
import warnings
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from analysis import coding, exports, frames, report
from surveys.models import Wave

README = """Report of the wave {slug} ({title})
Instrument: {instrument}. Completed responses: {n}.

Files
- data.csv, data.sav, data.dta, data.xlsx: one row per completed response, one column per question
  code; values are option codes; SPSS and Stata files carry variable and value labels.
- codebook.csv, codebook.json: every variable with its question text, type and codes.
- table1.csv/.xlsx/.tex/.html: per item, the percentage of valid answers in each category (whole
  numbers rounded by the largest-remainder method so that every row sums to 100), with n.
- reliability.csv: per block and for the whole scale, Cronbach's alpha with Feldt's 95 % interval,
  standardized alpha, ordinal alpha (alpha of the polychoric correlations, Zumbo et al. 2007) and
  McDonald's omega total (one factor, minres; not identified for two-item blocks).
- reliability_items.csv: per item, mean, SD, corrected item-total correlation, alpha if deleted.
- ordinal_*.csv: proportional-odds model of readiness on the block scores (mean item code), size and
  region; logit P(Y <= j) = theta_j - x'beta as in R's ordinal::clm; Wald 95 % intervals of the odds
  ratios; McFadden, Cox-Snell and Nagelkerke pseudo-R2; Brant test of proportional odds.
- crosstab_<item>_by_<question>.csv (and .txt with the tests): each item by size and by region;
  counts; chi-square (no continuity correction), likelihood ratio,
  Cramer's V and, for sparse tables, Fisher's exact test (exact, as R's fisher.test).
- figure1.csv and figures/figure1.*: interview waves: per category of the coded added value, the
  number of cluster managers naming it (Figure 1 of the paper), with n.
- agreement.csv: interview waves coded by two coders: per category and overall, percent agreement,
  Cohen's kappa and Krippendorff's alpha (nominal).
- figures/*.png (300 dpi), .svg, .pdf.
- report.html: all of the above on one page.

Methods are documented in docs/analysis.md and docs/stats.md of the software.
"""


BATCH_EXACT_LIMIT = 40_000_000  # the report runs many exact tests: each gets about 3 s (see docs/stats.md)


def write_report(wave: Wave, out: Path, *, lang: str = "en", progress: bool = False) -> list[Path]:
    """Write every table (CSV, XLSX, LaTeX, HTML), figure, data file and report.html into ``out``."""
    written: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    steps = ["data", "tables", "figures", "report"]
    bar = tqdm(steps, desc=wave.slug, disable=not progress, unit="step")
    with translation.override(lang):
        frame = frames.wave_frame(wave, lang=lang)
        variables = frames.variables(wave.instrument)
        scale = report.scale_of(variables, frames.items_of_group(wave.instrument))
        sections: list[tuple[str, str]] = []
        for step in bar:
            bar.set_postfix_str(step)
            if step == "data":
                for fmt in exports.DATA_FORMATS:
                    path = out / f"data.{fmt}"
                    exports.write_data(wave, fmt, path, lang=lang)
                    written.append(path)
                exports.codebook(wave, lang=lang).to_csv(out / "codebook.csv", index=False)
                (out / "codebook.json").write_text(exports.codebook_json(wave), encoding="utf-8")
                written += [out / "codebook.csv", out / "codebook.json"]
            elif step == "tables" and len(frame) and any(v.question == "added_value" for v in variables):
                counts = coding.figure1_table(wave, frame, variables, lang=lang)
                counts.to_csv(out / "figure1.csv")
                written.append(out / "figure1.csv")
                sections.append(("figure1", counts.to_html()))
                try:
                    agreement = coding.agreement(wave)
                except ValueError:
                    agreement = None
                if agreement is not None:
                    agreement.to_csv(out / "agreement.csv")
                    written.append(out / "agreement.csv")
                    sections.append(("agreement between coders", agreement.to_html(float_format=lambda v: f"{v:.4f}")))
                fig = report.figure1(counts, n=counts.attrs["n"], title="Added value of the cluster for its members",
                                     xlabel="Number of opinions", note=_figure1_note(wave, counts.attrs["n"]))
                for fmt in ("png", "svg", "pdf"):
                    path = out / "figures" / f"figure1.{fmt}"
                    path.write_bytes(_save(fig, fmt))
                    written.append(path)
            elif step == "tables" and len(frame) and scale.items:
                tables = {"table1": report.table1(frame, scale.items)}
                try:
                    tables["reliability"], tables["reliability_items"] = report.reliability_tables(frame, scale)
                except ValueError as exc:
                    sections.append(("Reliability", f"<p>{html.escape(str(exc))}</p>"))
                if "readiness" in frame:
                    try:
                        data, formula = report.default_model_data(frame, scale.blocks)
                        result = report.fit_model(data, formula)
                        tables["ordinal_coefficients"] = report.coefficient_table(result)
                        tables["ordinal_thresholds"] = result.thresholds
                        tables["ordinal_fit"] = report.fit_table(result)
                        tables["ordinal_brant"] = result.brant
                    except ValueError as exc:
                        sections.append(("Ordinal regression", f"<p>{html.escape(str(exc))}</p>"))
                for by in [q for q in report.MODEL_PROFILE_QUESTIONS if q in frame]:
                    for item in scale.items:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            try:
                                xt = report.crosstab(frame, item, by, exact_limit=BATCH_EXACT_LIMIT)
                            except ValueError:
                                continue
                        name = f"crosstab_{item}_by_{by}"
                        tables[name] = xt.counts
                        (out / f"{name}.txt").write_text(str(xt), encoding="utf-8")
                for name, table in tables.items():
                    table.to_csv(out / f"{name}.csv")
                    written.append(out / f"{name}.csv")
                    if not name.startswith("crosstab_"):
                        for fmt in ("xlsx", "tex", "html"):
                            (out / f"{name}.{fmt}").write_bytes(exports.table_bytes(table, fmt, title=name))
                            written.append(out / f"{name}.{fmt}")
                        sections.append((name, table.to_html(float_format=lambda v: f"{v:.3f}", na_rep="")))
            elif step == "figures" and len(frame) and scale.items:
                figs = {"table1": report.table1_figure(report.table1(frame, scale.items),
                                                       title=f"Distribution of answers (%), n = {len(frame)}")}
                if "readiness" in frame:
                    try:
                        data, formula = report.default_model_data(frame, scale.blocks)
                        result = report.fit_model(data, formula)
                        vary = next(iter(scale.blocks))
                        figs["probabilities"] = report.probability_figure(
                            report.predicted_profiles(result, data, vary), title="Predicted probabilities of readiness",
                            xlabel=vary)
                    except ValueError:
                        pass
                for name, fig in figs.items():
                    for fmt in ("png", "svg", "pdf"):
                        path = out / "figures" / f"{name}.{fmt}"
                        path.write_bytes(report.figure_bytes(fig, fmt) if fmt == "pdf" else _save(fig, fmt))
                        written.append(path)
            elif step == "report":
                body = "\n".join(f"<h2>{html.escape(t)}</h2>\n{content}" for t, content in sections)
                figures = "".join(f'<p><img src="figures/{p.name}" style="max-width:100%"></p>'
                                  for p in sorted((out / "figures").glob("*.png")))
                (out / "report.html").write_text(
                    f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(wave.title)}"
                    f"</title></head><body><h1>{html.escape(wave.title)}</h1><p>n = {len(frame)}</p>{body}{figures}"
                    "</body></html>", encoding="utf-8")
                (out / "README.txt").write_text(README.format(slug=wave.slug, title=wave.title, n=len(frame),
                                                              instrument=wave.instrument.code), encoding="utf-8")
                written += [out / "report.html", out / "README.txt"]
    return written


def _figure1_note(wave: Wave, n: int) -> str:
    from analysis.views import figure1_note

    return figure1_note(wave, n)


def _save(fig, fmt: str) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=300 if fmt == "png" else None, bbox_inches="tight")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Write every table and figure of a wave's report (CSV, XLSX, LaTeX, HTML, PNG/SVG/PDF) and report.html."

    def add_arguments(self, parser):
        parser.add_argument("wave", help="the wave's slug")
        parser.add_argument("--out", type=Path, default=None, help="output folder (default: out/<wave>)")
        parser.add_argument("--lang", choices=["en", "ru"], default="en")

    def handle(self, *args, wave, out, lang, **options):
        try:
            wave_obj = Wave.objects.select_related("instrument").get(slug=wave)
        except Wave.DoesNotExist as exc:
            raise CommandError(f"No wave with the slug {wave!r}.") from exc
        out = out or Path("out") / wave_obj.slug
        written = write_report(wave_obj, out, lang=lang, progress=options.get("verbosity", 1) > 0)
        self.stdout.write(f"{len(written)} files written to {out}")
