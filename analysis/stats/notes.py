"""Messages of the statistics core that an interface can say in another language.

A :class:`Note` is the English text itself (a ``str``: printed, compared and logged as before) and
also carries a ``key`` and the values it was made from, so that the report can look the key up in
its translated catalogue and format the values for its language. Exceptions carry a ``Note`` as
their message (``ValueError(Note(...))``): ``str(exc)`` stays the English text.
"""
from __future__ import annotations

from typing import Any


class Note(str):
    """An English message with its ``key`` and ``params`` (``template.format(**params)``)."""

    key: str
    template: str
    params: dict[str, Any]

    def __new__(cls, key: str, template: str, params: dict[str, Any] | None = None) -> "Note":
        params = dict(params or {})
        self = super().__new__(cls, template.format(**params))
        self.key, self.template, self.params = key, template, params
        return self

    def __reduce__(self):  # results holding notes are cached (pickled)
        return (Note, (self.key, self.template, self.params))

    def prefixed(self, term: str) -> "Note":
        """The same note about one term of a model ("size: ..."); the note itself is its ``note``."""
        return Note(f"term:{self.key}", "{term}: {note}", {"term": term, "note": self})
