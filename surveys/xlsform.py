"""XLSForm in and out: the questionnaire spreadsheets of ODK, KoboToolbox, SurveyCTO and Ona.

Import (:func:`xlsform_import`) reads a workbook with pyxform's own reader
(``pyxform.xls2json_backends.get_xlsform``: the ``survey``, ``choices`` and ``settings`` rows),
translates the supported subset into the instrument definition that
:func:`surveys.instruments.instrument_import` loads (docs/instruments.md), and loads it, so one
loader validates everything. What lies outside the subset is refused before anything is stored,
each problem naming its sheet, row, column and what is not supported (:class:`XLSFormError`).

Export (:func:`xlsform_workbook`) writes an instrument as an .xlsx that pyxform converts to a valid
XForm. What XLSForm has no column for (question roles, blocks, short labels, the type of a
question beyond XLSForm's own, option codes, ordered scales) travels in extra columns and sheets
whose names start with ``crs_``, which XLSForm tools ignore; an export imports back to the same
instrument.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .instruments import LANGS, SPECIFY_SUFFIX, instrument_import
from .models import Block, Instrument, Option, Question, Scale, Section

LANGUAGE_COLUMNS = {"en": "English (en)", "ru": "Russian (ru)"}
LANGUAGE_NAMES = {"english": "en", "en": "en", "russian": "ru", "ru": "ru", "русский": "ru"}
SPECIFY_TEXTS = {"en": "Please specify:", "ru": "Уточните:"}
OTHER_LABELS = {"en": "Other", "ru": "Другое"}
YES_NO_LIST = "crs_yes_no"
SUPPORTED_TYPES = "select_one, select_multiple, text, integer, decimal, date, note, begin group, end group"

# Columns of the survey sheet that the import reads; anything else with a value is refused unless it
# is one of the harmless display columns.
SURVEY_COLUMNS = {"type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
                  "required_message", "crs_role", "crs_group", "crs_label", "crs_type", "crs_max_length",
                  "crs_grid", "crs_specify_for", "crs_figure"}
IGNORED_COLUMNS = {"appearance", "guidance_hint", "comments", "comment", "rows", "autoplay", "parameters"}
CHOICES_COLUMNS = {"list_name", "name", "label", "crs_code", "crs_missing", "crs_specify"}
_CALC, _REPEATS, _GPS, _MEDIA = (gettext_lazy("calculations"), gettext_lazy("repeats"), gettext_lazy("GPS"),
                                gettext_lazy("media"))
UNSUPPORTED_TYPES = {
    "calculate": _CALC, "begin repeat": _REPEATS, "end repeat": _REPEATS, "begin loop": _REPEATS,
    "geopoint": _GPS, "geotrace": _GPS, "geoshape": _GPS, "gps": _GPS, "image": _MEDIA, "audio": _MEDIA,
    "video": _MEDIA, "file": _MEDIA, "barcode": gettext_lazy("barcodes"), "background-audio": _MEDIA,
}


class XLSFormError(ValidationError):
    """The workbook cannot be imported; ``problems`` lists every reason (sheet, row, column, what)."""

    def __init__(self, problems: list[str]):
        super().__init__(problems, code="xlsform")
        self.problems = problems


@dataclass
class _Cell:
    sheet: str
    row: int
    column: str


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class _Sheet:
    """One sheet's rows as pyxform reads them, with the header normalised (lower case, ``label:x``
    as ``label::x``, ``list name`` as ``list_name``) and each column's letter."""

    name: str
    rows: list[dict[str, str]]
    letters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, name: str, rows: Any, header: Any) -> "_Sheet":
        columns = list((header or [{}])[0].keys()) if header else []
        mapping = {c: _normal_header(c) for c in columns}
        letters = {mapping[c]: _column_letter(i) for i, c in enumerate(columns)}
        out = [{mapping.get(k, _normal_header(k)): v for k, v in row.items()} for row in (rows or [])]
        return cls(name=name, rows=out, letters=letters)

    def where(self, row_index: int, column: str) -> str:
        base = column.split("::", 1)[0]
        letter = self.letters.get(column) or next((v for k, v in self.letters.items() if k.startswith(base)), "?")
        return _("sheet “%(sheet)s”, row %(row)d, column %(letter)s (%(column)s)") % {
            "sheet": self.name, "row": row_index + 2, "letter": letter, "column": column}


def _normal_header(header: str) -> str:
    text = re.sub(r"\s+", " ", str(header).strip()).lower()
    text = re.sub(r"(?<!:):(?!:)", "::", text, count=1)
    head, sep, lang = text.partition("::")
    head = head.strip().replace(" ", "_") if head.strip() in ("list name", "list_name") else head.strip()
    return f"{head}{sep}{lang.strip()}" if sep else head


def _lang_of(suffix: str) -> str | None:
    """"English (en)" -> "en"; "russian" -> "ru"; unknown languages -> None."""
    match = re.search(r"\(([A-Za-z-]+)\)\s*$", suffix)
    if match:
        code = match.group(1).lower()[:2]
        return code if code in LANGS else None
    return LANGUAGE_NAMES.get(suffix.strip().lower())


class _Translator:
    """The workbook, translated into an instrument definition; ``problems`` collects what is refused."""

    def __init__(self, workbook: Any, *, code: str | None, default_code: str):
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.survey = _Sheet.read("survey", workbook.survey, workbook.survey_header)
        self.choices = _Sheet.read("choices", workbook.choices, workbook.choices_header)
        self.settings = _Sheet.read("settings", workbook.settings, workbook.settings_header)
        extra = getattr(workbook, "_crs", {})
        self.scales_sheet = extra.get("crs_scales", [])
        self.blocks_sheet = extra.get("crs_blocks", [])
        settings = self.settings.rows[0] if self.settings.rows else {}
        self.settings_row = settings
        default = settings.get("default_language", "")
        self.default_lang = _lang_of(default) or "en"
        self.code = slugify(code or settings.get("form_id") or default_code) or "xlsform"
        self.langs_seen: set[str] = set()
        self.refused_columns: set[tuple[str, str]] = set()

    # --- texts -------------------------------------------------------------------------------
    def texts(self, row: dict[str, str], key: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for column, value in row.items():
            head, sep, suffix = column.partition("::")
            if not sep and column.startswith(key + "_") and column[len(key) + 1:] in LANGS:
                head, sep, suffix = key, "_", f"({column[len(key) + 1:]})"
            if head != key:
                continue
            lang = _lang_of(suffix) if sep else self.default_lang
            if lang is None:
                continue
            out.setdefault(lang, value)
        return out

    def complete(self, texts: dict[str, str]) -> dict[str, str]:
        """A text in every language: one given in a single language is used for the other too."""
        if not texts:
            return {}
        self.langs_seen.update(texts)
        first = texts.get("en") or next(iter(texts.values()))
        return {lang: texts.get(lang) or first for lang in LANGS}

    def refuse(self, sheet: _Sheet, index: int, column: str, what: str, *, once: bool = False) -> None:
        """Add a problem; with ``once``, a column already refused on an earlier row is not repeated."""
        if once:
            if (sheet.name, column) in self.refused_columns:
                return
            self.refused_columns.add((sheet.name, column))
            what += " " + _("(Later rows with this column are not listed.)")
        self.problems.append(f"{sheet.where(index, column)}: {what}")

    # --- choices -----------------------------------------------------------------------------
    def read_choices(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for index, row in enumerate(self.choices.rows):
            if not row:
                continue
            for column, value in row.items():
                head = re.sub(r"_(en|ru)$", "", column.split("::", 1)[0])
                if head not in CHOICES_COLUMNS and head not in IGNORED_COLUMNS:
                    self.refuse(self.choices, index, column, _("the column “%(column)s” is not supported (media, "
                                                               "choice filters and other choice attributes are "
                                                               "not).") % {"column": column}, once=True)
            list_name, name = row.get("list_name", ""), row.get("name", "")
            if not list_name or not name:
                self.refuse(self.choices, index, "list_name" if not list_name else "name",
                            _("a choice needs a list name and a name."))
                continue
            lists.setdefault(list_name, []).append((index, row))
        out: dict[str, list[dict[str, Any]]] = {}
        for list_name, rows in lists.items():
            used = set()
            for _i, row in rows:
                explicit = row.get("crs_code") or (row["name"] if re.fullmatch(r"-?\d+", row["name"]) else "")
                if explicit:
                    used.add(int(explicit))
            next_code, options = 1, []
            for index, row in rows:
                explicit = row.get("crs_code") or (row["name"] if re.fullmatch(r"-?\d+", row["name"]) else "")
                if explicit:
                    code = int(explicit)
                else:
                    while next_code in used:
                        next_code += 1
                    code = next_code
                    used.add(code)
                label = self.complete(self.texts(row, "label")) or {lang: row["name"] for lang in LANGS}
                option: dict[str, Any] = {"code": code, "label": label, "_row": index}
                if row["name"] != str(code):
                    option["name"] = row["name"]
                if row.get("crs_missing", "").lower() in ("yes", "true", "1"):
                    option["missing"] = True
                specify = self.complete(self.texts(row, "crs_specify"))
                if specify:
                    option["specify"] = specify
                options.append(option)
            codes = [o["code"] for o in options]
            if len(set(codes)) != len(codes):
                self.refuse(self.choices, rows[0][0], "name", _("the list “%(list)s” has two choices with the "
                                                                "same code.") % {"list": list_name})
            out[list_name] = options
        return out

    # --- survey ------------------------------------------------------------------------------
    def translate(self) -> dict[str, Any]:
        choice_lists = self.read_choices()
        used_lists: dict[str, dict[str, Any]] = {}
        sections: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        pending_notes: list[dict[str, str]] = []
        types: dict[str, str] = {}  # question code -> our type, for the conditions
        names: dict[str, dict[str, int]] = {}  # question code -> choice name -> code
        depth = 0
        default_title = self.complete(self.settings_texts("form_title")) or {lang: self.code for lang in LANGS}
        for index, row in enumerate(self.survey.rows):
            if not row:
                continue
            type_ = re.sub(r"\s+", " ", row.get("type", "").strip())
            low = type_.lower()
            for column in row:
                head = column.split("::", 1)[0]
                if head not in SURVEY_COLUMNS and head not in IGNORED_COLUMNS:
                    self.refuse(self.survey, index, column, _("the column “%(column)s” is not supported.")
                                % {"column": column}, once=True)
            if row.get("crs_specify_for"):
                continue  # the text question of an "Other, please specify" option: the loader adds it
            name = row.get("name", "")
            if low in ("begin group", "begin_group"):
                if depth:
                    self.refuse(self.survey, index, "type", _("a group inside a group is not supported."))
                depth += 1
                current = {"code": name or f"section{len(sections) + 1}",
                           "title": self.complete(self.texts(row, "label")) or {lang: name for lang in LANGS},
                           "questions": [], "_row": index}
                if row.get("relevant"):
                    current["condition"] = self.condition(row["relevant"], index, types, names)
                if row.get("crs_grid", "").lower() in ("yes", "true", "1"):
                    current["grid"] = True
                sections.append(current)
                continue
            if re.fullmatch(r"end[ _](repeat|loop)", low):
                continue  # its "begin" row is already refused
            if low in ("end group", "end_group"):
                depth = max(depth - 1, 0)
                current = None
                continue
            base = low.split(" ", 1)[0]
            if low in UNSUPPORTED_TYPES or base in UNSUPPORTED_TYPES or low.startswith("begin repeat") or \
                    low.startswith("begin loop") or low.startswith("begin_repeat"):
                what = UNSUPPORTED_TYPES.get(low) or UNSUPPORTED_TYPES.get(base) or _REPEATS
                self.refuse(self.survey, index, "type", _("the type “%(type)s” is not supported (%(what)s); "
                                                          "supported: %(supported)s.") % {
                    "type": type_, "what": what, "supported": SUPPORTED_TYPES})
                continue
            if not name:
                self.refuse(self.survey, index, "name", _("a question needs a name."))
                continue
            if current is None:
                current = {"code": "main", "title": default_title, "questions": [], "_row": index}
                sections.append(current)
            if low == "note":
                texts = self.complete(self.texts(row, "label"))
                if not current["questions"] and not current.get("intro") and not pending_notes:
                    current["intro"] = texts
                else:
                    pending_notes.append(texts)
                continue
            question = self.question(row, index, type_, choice_lists, used_lists, types, names)
            if question is None:
                continue
            if pending_notes:
                help_ = question.get("help") or {}
                question["help"] = {lang: "\n\n".join([*(n[lang] for n in pending_notes if n),
                                                       *([help_[lang]] if help_.get(lang) else [])])
                                    for lang in LANGS}
                pending_notes = []
            current["questions"].append(question)
        if pending_notes and sections:
            last = sections[-1]
            last["intro"] = {lang: "\n\n".join([*([last["intro"][lang]] if last.get("intro") else []),
                                                *(n[lang] for n in pending_notes if n)]) for lang in LANGS}
        sections = [s for s in sections if s["questions"]]
        for s in sections:
            s.pop("_row", None)
        missing_langs = [lang for lang in LANGS if lang not in self.langs_seen]
        if missing_langs and self.langs_seen:
            self.warnings.append(_("The workbook has no texts in %(langs)s: the texts of the other language are "
                                   "used; translate them in the admin.") % {"langs": ", ".join(missing_langs)})
        definition = {
            "code": self.code,
            "kind": self.settings_row.get("crs_kind") or Instrument.Kind.QUESTIONNAIRE,
            "title": default_title,
            "description": self.complete(self.settings_texts("crs_description")),
            "blocks": [{"code": b["code"], "label": self.complete(self.texts(b, "label"))} for b in self.blocks_sheet],
            "scales": list(used_lists.values()),
            "sections": sections,
        }
        return definition

    def settings_texts(self, key: str) -> dict[str, str]:
        """A text of the settings sheet; the title from ``crs_title::<language>`` where given."""
        texts = self.texts(self.settings_row, key)
        if key == "form_title":
            texts.update(self.texts(self.settings_row, "crs_title"))
        return texts

    def question(self, row: dict[str, str], index: int, type_: str, choice_lists, used_lists, types, names
                 ) -> dict[str, Any] | None:
        name = row["name"]
        low = type_.lower()
        select = re.fullmatch(r"(select_one|select one from|select one|select_multiple|select all that apply from|"
                              r"select all that apply) (\S+)( (or_other|or specify other|or other))?", type_,
                              flags=re.IGNORECASE)
        q: dict[str, Any] = {"code": name}
        crs_type = row.get("crs_type", "")
        if select:
            list_name = select.group(2)
            multiple = select.group(1).lower().startswith("select_multiple") or "all that apply" in select.group(1).lower()
            if list_name not in choice_lists:
                self.refuse(self.survey, index, "type", _("the choice list “%(list)s” is not on the choices sheet.")
                            % {"list": list_name})
                return None
            options = [dict(o) for o in choice_lists[list_name]]
            if select.group(3) and not any(o.get("specify") for o in options):
                used = {o["code"] for o in options}
                code = 99 if 99 not in used else max(used) + 1
                options.append({"code": code, "label": dict(OTHER_LABELS), "name": "other",
                                "specify": dict(SPECIFY_TEXTS)})
            scale_code = list_name if not select.group(3) else f"{list_name}_other"
            if list_name == YES_NO_LIST or crs_type == "yes_no":
                q["type"] = "yes_no"
            else:
                if scale_code not in used_lists:
                    meta = next((s for s in self.scales_sheet if s.get("list_name") == list_name), {})
                    scale = {"code": scale_code, "ordered": meta.get("ordered", "").lower() in ("yes", "true", "1"),
                             "options": [{k: v for k, v in o.items() if k != "_row"} for o in options]}
                    label = self.complete(self.texts(meta, "label"))
                    if label:
                        scale["label"] = label
                    used_lists[scale_code] = scale
                q["type"] = "multiple" if multiple else ("scale" if crs_type == "scale" else "single")
                q["scale"] = scale_code
            names[name] = {o.get("name") or str(o["code"]): o["code"] for o in options}
            if q["type"] == "yes_no":
                names[name] = {"1": 1, "0": 0, "yes": 1, "no": 0}
        elif low in ("text", "string"):
            q["type"] = "long_text" if crs_type == "long_text" else "text"
        elif low in ("integer", "int", "decimal"):
            q["type"] = "number"
        elif low == "date":
            q["type"] = "date"
        else:
            self.refuse(self.survey, index, "type", _("the type “%(type)s” is not supported; supported: "
                                                      "%(supported)s.") % {"type": type_, "supported": SUPPORTED_TYPES})
            return None
        q["text"] = self.complete(self.texts(row, "label")) or {lang: name for lang in LANGS}
        help_ = self.complete(self.texts(row, "hint"))
        if help_:
            q["help"] = help_
        label = self.complete(self.texts(row, "crs_label"))
        if label:
            q["label"] = label
        required = row.get("required", "").strip().lower()
        if required in ("yes", "true", "true()", "1"):
            q["required"] = True
        elif required in ("", "no", "false", "false()", "0"):
            q["required"] = False
        else:
            self.refuse(self.survey, index, "required", _("only yes or no is supported, not an expression."))
        for key, column in (("role", "crs_role"), ("group", "crs_group")):
            if row.get(column):
                q[key] = row[column]
        if row.get("crs_max_length"):
            q["max_length"] = int(row["crs_max_length"])
        if row.get("crs_figure"):
            q["figure"] = int(row["crs_figure"])
        if row.get("constraint"):
            bounds = self.bounds(row["constraint"], index, q["type"])
            q.update(bounds)
        if row.get("relevant"):
            condition = self.condition(row["relevant"], index, types, names)
            if condition is not None:
                q["condition"] = condition
        types[name] = q["type"]
        return q

    def bounds(self, text: str, index: int, type_: str) -> dict[str, float]:
        """``. >= a and . <= b`` (either part alone, either order) as min and max of a number; for a
        select_multiple, ``count-selected(.) <= b`` (and ``>= a``) as the most (fewest) options chosen."""
        out: dict[str, float] = {}
        parts = re.split(r"\s+and\s+", text.strip())
        subject = r"count-selected\(\s*\.\s*\)" if type_ == "multiple" else r"\."
        number_ = r"\d+" if type_ == "multiple" else r"-?\d+(?:\.\d+)?"
        for part in parts:
            match = re.fullmatch(rf"{subject}\s*(>=|<=)\s*({number_})", part.strip())
            if type_ not in ("number", "multiple") or not match \
                    or (("min" if match.group(1) == ">=" else "max") in out):
                self.refuse(self.survey, index, "constraint", _(
                    "only numeric bounds of the form “. >= a and . <= b” (for a select_multiple, "
                    "“count-selected(.) <= b”) are supported, not “%(text)s”.") % {"text": text})
                return {}
            number = float(match.group(2))
            out["min" if match.group(1) == ">=" else "max"] = int(number) if number.is_integer() else number
        return out

    def condition(self, text: str, index: int, types: dict[str, str], names: dict[str, dict[str, int]]
                  ) -> dict[str, Any] | None:
        try:
            return _Parser(text, types, names).parse()
        except _ParseError as exc:
            self.refuse(self.survey, index, "relevant", _("“%(text)s”: %(problem)s") % {
                "text": text, "problem": exc.args[0]})
            return None


# --- relevant: a small tokenizer and parser ------------------------------------------------------

class _ParseError(Exception):
    pass


TOKEN = re.compile(r"""\s*(?:(?P<field>\$\{[A-Za-z_][\w.-]*\})|(?P<string>'[^']*'|"[^"]*")|"""
                   r"""(?P<number>-?\d+(?:\.\d+)?)|(?P<op>!=|<=|>=|=|<|>)|(?P<punct>[(),])|"""
                   r"""(?P<word>[A-Za-z_][\w-]*))""")
OPS = {"=": "eq", "!=": "ne", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _ParseError(_("cannot read “%(rest)s”.") % {"rest": text[pos:].strip()})
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    """``or`` of ``and`` of ``not(...)``, ``( ... )``, ``selected(${f}, 'name')`` and ``${f} op literal``."""

    def __init__(self, text: str, types: dict[str, str], names: dict[str, dict[str, int]]):
        self.tokens = _tokens(text)
        self.pos = 0
        self.types, self.names = types, names

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value and token[1].lower() != value):
            found = token[1] if token else _("the end")
            raise _ParseError(_("expected %(what)s, found “%(found)s”.") % {"what": value or kind, "found": found})
        self.pos += 1
        return token

    def parse(self) -> dict[str, Any]:
        result = self.disjunction()
        if self.peek() is not None:
            raise _ParseError(_("unexpected “%(token)s”.") % {"token": self.peek()[1]})
        return result

    def disjunction(self) -> dict[str, Any]:
        parts = [self.conjunction()]
        while self.peek() and self.peek()[0] == "word" and self.peek()[1].lower() == "or":
            self.pos += 1
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        same = {p.get("q") for p in parts}
        if all(p.get("op") == "eq" for p in parts) and len(same) == 1:
            return {"q": parts[0]["q"], "op": "in", "value": [p["value"] for p in parts]}
        return {"any": parts}

    def conjunction(self) -> dict[str, Any]:
        parts = [self.unary()]
        while self.peek() and self.peek()[0] == "word" and self.peek()[1].lower() == "and":
            self.pos += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def unary(self) -> dict[str, Any]:
        token = self.peek()
        if token is None:
            raise _ParseError(_("the expression ends too early."))
        if token == ("punct", "("):
            self.pos += 1
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        if token[0] == "word" and token[1].lower() == "not":
            self.pos += 1
            self.take("punct", "(")
            inner = self.disjunction()
            self.take("punct", ")")
            return {"not": inner}
        if token[0] == "word" and token[1].lower() == "selected":
            self.pos += 1
            self.take("punct", "(")
            code = self.field()
            self.take("punct", ",")
            literal = self.take()
            self.take("punct", ")")
            value = self.value(code, literal)
            op = "selected" if self.types.get(code) == "multiple" else "eq"
            return {"q": code, "op": op, "value": value}
        if token[0] == "field":
            code = self.field()
            op_token = self.take("op")
            literal = self.take()
            op = OPS[op_token[1]]
            if literal[0] == "string" and literal[1][1:-1] == "" and op in ("eq", "ne"):
                answered = {"q": code, "op": "answered"}
                return answered if op == "ne" else {"not": answered}
            return {"q": code, "op": op, "value": self.value(code, literal)}
        if token[0] == "word":
            raise _ParseError(_("the function or word “%(word)s” is not supported (supported: comparisons of "
                                "${field} with a value, selected(), and, or, not, parentheses).") % {"word": token[1]})
        raise _ParseError(_("unexpected “%(token)s”.") % {"token": token[1]})

    def field(self) -> str:
        code = self.take("field")[1][2:-1]
        if code not in self.types:
            raise _ParseError(_("“%(code)s” is not a question before it.") % {"code": code})
        return code

    def value(self, code: str, literal: tuple[str, str]) -> Any:
        kind, text = literal
        if kind == "string":
            text = text[1:-1]
        elif kind != "number":
            raise _ParseError(_("expected a value, found “%(found)s”.") % {"found": text})
        if code in self.names:
            if text not in self.names[code]:
                raise _ParseError(_("“%(name)s” is not a choice of “%(code)s”.") % {"name": text, "code": code})
            return self.names[code][text]
        if self.types.get(code) == "number" or (kind == "number" and self.types.get(code) not in ("text", "long_text")):
            try:
                number = float(text)
            except ValueError:
                raise _ParseError(_("“%(code)s” is a number; “%(text)s” is not.") % {"code": code, "text": text})
            return int(number) if number.is_integer() and "." not in text else number
        return text


# --- import ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    instrument: Instrument | None
    definition: dict[str, Any]
    warnings: list[str]


def _read(source: Any):
    """The workbook's sheets as pyxform reads them (``DefinitionData``), plus our ``crs_`` sheets."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    if hasattr(source, "read"):
        source = source.read()
    elif isinstance(source, (str, Path)):
        source = Path(source).read_bytes()
    try:
        workbook = get_xlsform(xlsform=source)
    except (PyXFormError, ValueError, OSError) as exc:
        raise XLSFormError([_("The file is not a workbook that XLSForm tools can read: %(error)s") % {"error": exc}])
    crs: dict[str, list[dict[str, str]]] = {}
    if source[:2] == b"PK":  # an .xlsx: our crs_ sheets, which pyxform leaves out
        try:
            import openpyxl
            book = openpyxl.load_workbook(io.BytesIO(source), read_only=True, data_only=True)
            for name in book.sheetnames:
                if name.lower().startswith("crs_"):
                    rows = list(book[name].iter_rows(values_only=True))
                    header = [_normal_header(h) if h else "" for h in (rows[0] if rows else [])]
                    crs[name.lower()] = [{h: str(v) for h, v in zip(header, r) if h and v not in (None, "")}
                                         for r in rows[1:] if any(v not in (None, "") for v in r)]
            book.close()
        except Exception:  # unreadable here although pyxform read it: no extra sheets
            crs = {}
    return workbook, crs


def xlsform_definition(source: Any, *, code: str | None = None, default_code: str = "xlsform"
                       ) -> tuple[dict[str, Any], list[str]]:
    """The instrument definition (the JSON of docs/instruments.md) of an XLSForm, and warnings.

    Raises :class:`XLSFormError` listing every unsupported feature (sheet, row, column, what)."""
    workbook, crs = _read(source)
    translator = _Translator(_WithExtra(workbook, crs), code=code, default_code=default_code)
    if not translator.survey.rows:
        raise XLSFormError([_("The workbook has no “survey” sheet.")])
    definition = translator.translate()
    if translator.problems:
        raise XLSFormError(translator.problems)
    if not definition["sections"]:
        raise XLSFormError([_("The “survey” sheet has no question.")])
    return definition, translator.warnings


class _WithExtra:
    def __init__(self, workbook: Any, crs: dict[str, Any]):
        self._workbook, self._crs = workbook, crs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._workbook, name)


def xlsform_import(*, source: Any, code: str | None = None, dry_run: bool = False, default_code: str = "xlsform"
                   ) -> ImportResult:
    """Create or update an instrument from an XLSForm (a path, bytes or an uploaded file).

    Everything happens in one transaction: a problem anywhere (in the workbook, or one the loader
    finds, such as a condition on a later question) stores nothing. ``dry_run`` checks everything
    and rolls back. Raises :class:`XLSFormError` with the list of problems."""
    definition, warnings = xlsform_definition(source, code=code, default_code=default_code)
    try:
        with transaction.atomic():
            instrument = instrument_import(data=definition)
            if dry_run:
                transaction.set_rollback(True)
                instrument = None
    except XLSFormError:
        raise
    except ValidationError as exc:
        raise XLSFormError(exc.messages) from exc
    return ImportResult(instrument=instrument, definition=definition, warnings=warnings)


# --- export ----------------------------------------------------------------------------------------

def _lang_texts(obj: Any, field_name: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field_name}_{lang}", "") or "" for lang in LANGS}


def instrument_definition(instrument: Instrument) -> dict[str, Any]:
    """The instrument as stored, as the definition ``instrument_import`` takes (without the text
    questions that "please specify" options add)."""
    scales = []
    for scale in Scale.objects.filter(instrument=instrument).order_by("code"):
        options = []
        for o in Option.objects.filter(scale=scale).order_by("order", "code"):
            option: dict[str, Any] = {"code": o.code, "label": _lang_texts(o, "label")}
            if o.missing:
                option["missing"] = True
            if o.name:
                option["name"] = o.name
            if o.specify:
                specify_q = Question.objects.filter(instrument=instrument, specify_for__scale=scale,
                                                    code__endswith=SPECIFY_SUFFIX).first()
                option["specify"] = _lang_texts(specify_q, "text") if specify_q else dict(SPECIFY_TEXTS)
            options.append(option)
        scales.append({"code": scale.code, "ordered": scale.ordered, "label": _lang_texts(scale, "label"),
                       "options": options})
    sections = []
    for section in Section.objects.filter(instrument=instrument).order_by("order", "pk"):
        questions = []
        for q in Question.objects.filter(section=section, specify_for__isnull=True).select_related("scale") \
                .order_by("order", "pk"):
            item: dict[str, Any] = {"code": q.code, "type": q.type, "required": q.required,
                                    "text": _lang_texts(q, "text")}
            for key, value in (("help", _lang_texts(q, "help")), ("label", _lang_texts(q, "label"))):
                if any(value.values()):
                    item[key] = value
            for key, value in (("scale", q.scale.code if q.scale_id else None), ("group", q.group), ("role", q.role),
                               ("min", q.min_value), ("max", q.max_value), ("max_length", q.max_length),
                               ("condition", q.condition), ("figure", q.figure)):
                if value not in (None, "", {}):
                    item[key] = int(value) if isinstance(value, float) and value.is_integer() else value
            questions.append(item)
        entry: dict[str, Any] = {"code": section.code, "title": _lang_texts(section, "title"), "questions": questions}
        if any(_lang_texts(section, "intro").values()):
            entry["intro"] = _lang_texts(section, "intro")
        if section.condition:
            entry["condition"] = section.condition
        if section.grid:
            entry["grid"] = True
        sections.append(entry)
    return {
        "code": instrument.code, "kind": instrument.kind, "title": _lang_texts(instrument, "title"),
        "description": _lang_texts(instrument, "description"),
        "blocks": [{"code": b.code, "label": _lang_texts(b, "label")}
                   for b in Block.objects.filter(instrument=instrument).order_by("order", "code")],
        "scales": scales, "sections": sections,
    }


def _literal(value: Any, names: dict[int, str] | None) -> str:
    if names is not None:
        return "'" + names.get(value, str(value)) + "'"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return "'" + str(value) + "'"


def condition_to_relevant(condition: dict[str, Any] | None, names: dict[str, dict[int, str]], top: bool = True) -> str:
    """A display condition as an XLSForm ``relevant`` expression (the subset the import reads)."""
    if not condition:
        return ""
    if "all" in condition or "any" in condition:
        word = " and " if "all" in condition else " or "
        text = word.join(condition_to_relevant(c, names, top=False) for c in condition.get("all", condition.get("any")))
        return text if top else f"({text})"
    if "not" in condition:
        return f"not({condition_to_relevant(condition['not'], names)})"
    code, op, value = condition["q"], condition["op"], condition.get("value")
    field_ = "${" + code + "}"
    q_names = names.get(code)
    if op == "answered":
        return f"{field_} != ''"
    if op == "selected":
        return f"selected({field_}, {_literal(value, q_names)})"
    if op == "in":
        text = " or ".join(f"{field_} = {_literal(v, q_names)}" for v in value)
        return text if top else f"({text})"
    symbol = {v: k for k, v in OPS.items()}[op]
    return f"{field_} {symbol} {_literal(value, q_names)}"


def _lang_columns(key: str) -> list[str]:
    return [f"{key}::{LANGUAGE_COLUMNS[lang]}" for lang in LANGS]


def xlsform_workbook(instrument: Instrument) -> bytes:
    """The instrument as an XLSForm workbook (.xlsx)."""
    import openpyxl

    definition = instrument_definition(instrument)
    scales = {s["code"]: s for s in definition["scales"]}
    names: dict[str, dict[int, str]] = {}
    for section in definition["sections"]:
        for q in section["questions"]:
            if q["type"] == "yes_no":
                names[q["code"]] = {1: "1", 0: "0"}
            elif q.get("scale"):
                names[q["code"]] = {o["code"]: o.get("name") or str(o["code"]) for o in scales[q["scale"]]["options"]}
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey_header = ["type", "name", *_lang_columns("label"), *_lang_columns("hint"), "required", "relevant",
                     "constraint", "crs_type", "crs_role", "crs_group", *_lang_columns("crs_label"), "crs_max_length",
                     "crs_grid", "crs_figure", "crs_specify_for"]
    survey.append(survey_header)

    def row(values: dict[str, Any]) -> None:
        survey.append([values.get(h) for h in survey_header])

    def texts(key: str, texts_: dict[str, str] | None) -> dict[str, str | None]:
        texts_ = texts_ or {}
        return {f"{key}::{LANGUAGE_COLUMNS[lang]}": texts_.get(lang) or None for lang in LANGS}

    for section in definition["sections"]:
        row({"type": "begin group", "name": section["code"],
             "relevant": condition_to_relevant(section.get("condition"), names) or None,
             "crs_grid": "yes" if section.get("grid") else None, **texts("label", section["title"])})
        if section.get("intro"):
            row({"type": "note", "name": f"{section['code']}_intro", **texts("label", section["intro"])})
        for q in section["questions"]:
            type_ = {"text": "text", "long_text": "text", "number": "decimal", "date": "date"}.get(q["type"])
            if q["type"] in ("single", "scale"):
                type_ = f"select_one {q['scale']}"
            elif q["type"] == "multiple":
                type_ = f"select_multiple {q['scale']}"
            elif q["type"] == "yes_no":
                type_ = f"select_one {YES_NO_LIST}"
            if q["type"] == "number" and all(float(q.get(b, 0)).is_integer() for b in ("min", "max")) \
                    and ("min" in q or "max" in q):
                type_ = "integer"
            subject = "count-selected(.)" if q["type"] == "multiple" else "."
            bounds = [f"{subject} >= {q['min']}" if "min" in q else "", f"{subject} <= {q['max']}" if "max" in q else ""]
            row({"type": type_, "name": q["code"], "required": "yes" if q.get("required", True) else "no",
                 "relevant": condition_to_relevant(q.get("condition"), names) or None,
                 "constraint": " and ".join(b for b in bounds if b) or None,
                 "crs_type": q["type"] if q["type"] in ("scale", "long_text", "yes_no") else None,
                 "crs_role": q.get("role"), "crs_group": q.get("group"), "crs_max_length": q.get("max_length"),
                 "crs_figure": q.get("figure"),
                 **texts("label", q["text"]), **texts("hint", q.get("help")), **texts("crs_label", q.get("label"))})
            if q.get("scale"):
                specify = next((o for o in scales[q["scale"]]["options"] if o.get("specify")), None)
                if specify:
                    name = names[q["code"]][specify["code"]]
                    op = "selected" if q["type"] == "multiple" else None
                    relevant = (f"selected(${{{q['code']}}}, '{name}')" if op else f"${{{q['code']}}} = '{name}'")
                    row({"type": "text", "name": f"{q['code']}{SPECIFY_SUFFIX}", "required": "yes",
                         "relevant": relevant, "crs_specify_for": q["code"], **texts("label", specify["specify"])})
        row({"type": "end group"})
    choices = book.create_sheet("choices")
    # pyxform reads "x::language" columns of the choices sheet as translations of the choice (and fails on
    # unknown ones): the prompts of "please specify" options go in crs_specify_en, crs_specify_ru
    choices.append(["list_name", "name", *_lang_columns("label"), "crs_code", "crs_missing",
                    *(f"crs_specify_{lang}" for lang in LANGS)])
    for scale in definition["scales"]:
        for o in scale["options"]:
            spec = o.get("specify") or {}
            choices.append([scale["code"], o.get("name") or str(o["code"]), o["label"]["en"], o["label"]["ru"],
                            o["code"], "yes" if o.get("missing") else None, spec.get("en"), spec.get("ru")])
    if any(q["type"] == "yes_no" for s in definition["sections"] for q in s["questions"]):
        choices.append([YES_NO_LIST, "1", "Yes", "Да", 1, None, None, None])
        choices.append([YES_NO_LIST, "0", "No", "Нет", 0, None, None, None])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language", *_lang_columns("crs_title"), "crs_kind",
                     *_lang_columns("crs_description")])
    title, description = definition["title"], definition["description"]
    settings.append([title["en"], definition["code"], LANGUAGE_COLUMNS["en"], title["en"], title["ru"],
                     definition["kind"], description.get("en") or None, description.get("ru") or None])
    scales_sheet = book.create_sheet("crs_scales")
    scales_sheet.append(["list_name", "ordered", *_lang_columns("label")])
    for scale in definition["scales"]:
        scales_sheet.append([scale["code"], "yes" if scale["ordered"] else "no", scale["label"].get("en") or None,
                             scale["label"].get("ru") or None])
    blocks = book.create_sheet("crs_blocks")
    blocks.append(["code", *_lang_columns("label")])
    for block in definition["blocks"]:
        blocks.append([block["code"], block["label"]["en"], block["label"]["ru"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
