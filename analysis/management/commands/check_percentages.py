"""Check printed percentages against a claimed n (GRIM-like; see docs/analysis.md).

    manage.py check_percentages --n 14 --decimals 1 64.4 21.4 7.1 7.1
    manage.py check_percentages --n 75 --decimals 0 --range 40 120 --row-sums-to 100 \\
        --file table1.csv --column very_high --column high --column not_very_high --column low

Exit status 0 whatever the verdict; invalid input is a CommandError (status 1).
"""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.stats.consistency import (MAX_DECIMALS, ROUNDINGS, PercentageInputError, consistent_n,
                                        parse_percentage, parse_values, percentages_check)

RULE_TEXT = {"either": "round-half-up or round-half-even (either accepted)", "half_up": "round-half-up only",
             "half_even": "round-half-even only"}


def _decimals_of(value: Decimal) -> int:
    return max(-value.as_tuple().exponent, 0)


class Command(BaseCommand):
    help = ("Say which printed percentages no whole count of n respondents can produce (a GRIM-like check), "
            "and which n are consistent with all of them.")

    def add_arguments(self, parser):
        parser.add_argument("values", nargs="*", help="the percentages as printed (64.4 or 64,4)")
        parser.add_argument("--n", type=int, help="the claimed number of respondents")
        parser.add_argument("--decimals", type=int,
                            help="decimals the values were printed with (default: the most among the values)")
        parser.add_argument("--rounding", choices=ROUNDINGS, default="either",
                            help="rounding rule of the publication (default: either half-up or half-even)")
        parser.add_argument("--file", type=Path, help="a CSV file to read the percentages from")
        parser.add_argument("--column", action="append", default=[],
                            help="a column of --file (repeat for several: with --row-sums-to, each line is a row)")
        parser.add_argument("--row-sums-to", type=str, default=None, metavar="PCT",
                            help="the values of a row are one distribution: their counts must sum to n*PCT/100 "
                                 "(100 for complete rows)")
        parser.add_argument("--range", type=int, nargs=2, metavar=("LOW", "HIGH"),
                            help="list the n between LOW and HIGH consistent with every value")

    # --- input ------------------------------------------------------------------------------

    def _from_file(self, path: Path, columns: list[str]) -> list[tuple[str, list[Decimal]]]:
        if not columns:
            raise CommandError("--file needs at least one --column")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(text.splitlines(), dialect=dialect)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"{path}: no column {', '.join(map(repr, missing))}; "
                               f"the columns are {', '.join(reader.fieldnames or []) or 'none'}")
        rows = []
        for line, record in enumerate(reader, start=2):
            cells = [(c, (record.get(c) or "").strip()) for c in columns]
            try:
                values = [parse_percentage(cell) for _c, cell in cells if cell]
            except PercentageInputError as exc:
                raise CommandError(f"{path}: line {line}: {exc}") from None
            if values:
                rows.append((f"line {line}", values))
        if not rows:
            raise CommandError(f"{path}: no values in {', '.join(columns)}")
        return rows

    def _rows(self, values: list[str], file: Path | None, columns: list[str], decimals) -> list[tuple[str, list]]:
        if file and values:
            raise CommandError("Give the values or --file, not both.")
        if file:
            return self._from_file(file, columns)
        if columns:
            raise CommandError("--column needs --file")
        if not values:
            raise CommandError("Give the percentages to check (or --file FILE.csv --column NAME).")
        try:
            parsed = parse_values(" ".join(values), decimals=MAX_DECIMALS if decimals is None else decimals)
        except PercentageInputError as exc:
            raise CommandError(f"Invalid value: {exc}") from None
        if not parsed:
            raise CommandError("Give the percentages to check.")
        return [("", parsed)]

    # --- output -----------------------------------------------------------------------------

    def _table(self, rows, *, n, decimals, rounding, row_sums_to):
        self.stdout.write(f"n = {n}, {decimals} decimal(s); rounding: {RULE_TEXT[rounding]}")
        labelled = any(label for label, _ in rows)
        header = (["row"] if labelled else []) + ["value", "achievable", f"counts of {n}"]
        lines, flagged, sums, mixed = [], [], [], False
        for label, values in rows:
            check = percentages_check(values, decimals=decimals, n=n, rounding=rounding, row_sums_to=row_sums_to)
            for v in check.values:
                if v.achievable:
                    lo, hi = v.count_range
                    counts = str(lo) if lo == hi else f"{lo}-{hi}"
                    if rounding == "either" and len(v.rules) == 1:
                        counts += f" (only {v.rules[0].replace('_', '-')})"
                else:
                    flagged.append(f"{v.value}" + (f" ({label})" if label else ""))
                    near = [f"{k} gives {val}" for val, k in (v.below, v.above) if val is not None]
                    counts = "none; nearest: " + ", ".join(near)
                lines.append(([label] if labelled else []) + [str(v.value), "yes" if v.achievable else "NO", counts])
            if not check.flagged and not check.consistent:
                if row_sums_to is not None and not any(check.row_counts.values()):
                    sums.append(label or "the values")
                else:
                    mixed = True
        widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
        for r in [header, *lines]:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
        total = sum(len(vals) for _l, vals in rows)
        if flagged:
            self.stdout.write(f"Not achievable with n = {n}: {', '.join(flagged)} ({len(flagged)} of {total} values).")
        else:
            self.stdout.write(f"Every value is achievable with n = {n}.")
        if sums:
            self.stdout.write(f"But no counts of these rows sum to {row_sums_to} % of {n}: {', '.join(sums)}.")
        if mixed:
            self.stdout.write("But no single rounding rule reproduces them all: some need half-up, others half-even.")

    def handle(self, *args, values, n, decimals, rounding, file, column, row_sums_to, range, **options):
        if n is None and range is None:
            raise CommandError("Give --n (the claimed number of respondents) and/or --range LOW HIGH.")
        if decimals is not None and decimals < 0:
            raise CommandError(f"--decimals must be 0 or more, not {decimals}")
        if n is not None and n < 1:
            raise CommandError(f"--n must be at least 1, not {n}")
        if range is not None and not 1 <= range[0] <= range[1]:
            raise CommandError(f"--range needs 1 <= LOW <= HIGH, not {range[0]} {range[1]}")
        if row_sums_to is not None:
            try:
                row_sums_to = parse_percentage(row_sums_to)
            except PercentageInputError as exc:
                raise CommandError(f"--row-sums-to: {exc}") from None
            if row_sums_to == 0:
                raise CommandError("--row-sums-to must be more than 0")
        rows = self._rows(values, file, column, decimals)
        if decimals is None:
            decimals = max(_decimals_of(v) for _l, vals in rows for v in vals)
        try:
            for _label, vals in rows:  # refuse a value with more decimals than --decimals before printing
                for v in vals:
                    parse_percentage(v, decimals)
            if n is not None:
                self._table(rows, n=n, decimals=decimals, rounding=rounding, row_sums_to=row_sums_to)
            if range is not None:
                found = consistent_n([vals for _l, vals in rows], decimals=decimals, n_range=tuple(range),
                                     rounding=rounding, row_sums_to=row_sums_to)
                what = "every row (counts summing)" if row_sums_to is not None else "every value"
                listed = ", ".join(map(str, found)) if found else "none"
                self.stdout.write(f"n consistent with {what} in {range[0]}..{range[1]}: {listed}")
        except ValueError as exc:  # a value with more decimals than --decimals, a bad range, ...
            raise CommandError(f"Invalid input: {exc}") from None
