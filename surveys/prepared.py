"""Queries whose SQL is compiled once: the respondent's pages run the same three lookups on every
request, and Django's ORM compiles a queryset's SQL again each time it is evaluated (0.40 ms for
the response with its wave and instrument, 0.17 ms for a response's answers, against about 0.01 ms
to run either on SQLite).

A :class:`PreparedQuery` builds its queryset once per thread and database connection with
placeholder values, keeps the compiled SQL and the compiler that made it, and then runs that SQL
with the values given, turning the rows into model instances (with their ``select_related``
objects) or tuples (``values_list``) as Django's own iterables do. The queries are logged as any
other (``CaptureQueriesContext`` counts them). ``tests/surveys/test_prepared.py`` holds every result
equal to the ORM's, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators


class PreparedQuery:
    """``build(*values)`` returns a queryset (model instances, or ``values_list`` of fields); it is
    called once per thread and connection with ``placeholders``, values that must each appear
    exactly once among the compiled SQL's parameters, in any order. :meth:`run` then gives the rows
    for other values, in the placeholders' order."""

    def __init__(self, build: Callable[..., QuerySet], placeholders: tuple, using: str = DEFAULT_DB_ALIAS):
        self.build, self.placeholders, self.using = build, tuple(placeholders), using
        self._local = threading.local()  # a compiler is bound to a connection, which is per thread

    def _compiled(self):
        connection = connections[self.using]
        state = getattr(self._local, "state", None)
        if state is not None and state[0] is connection:
            return state
        queryset = self.build(*self.placeholders)
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable) or queryset.query.annotation_select \
                or queryset.query.extra_select or queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise TypeError("A prepared query is a plain filter of model instances or of fields (values_list).")
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        params = list(params)
        if len(params) != len(self.placeholders) or any(params.count(p) != 1 for p in self.placeholders):
            raise ValueError(f"The placeholders {self.placeholders!r} are not the query's parameters {params!r}.")
        positions = [params.index(p) for p in self.placeholders]
        state = (connection, compiler, sql, positions, queryset._iterable_class is ModelIterable)
        self._local.state = state
        return state

    def run(self, *values: Any) -> list:
        """The query's results for ``values`` (given in the placeholders' order)."""
        connection, compiler, sql, positions, instances = self._compiled()
        params: list[Any] = [None] * len(positions)
        for position, value in zip(positions, values, strict=True):
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not instances:
            return list(compiler.results_iter(results=[rows], tuple_expected=True))
        # as django.db.models.query.ModelIterable does
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, self.using)
        out = []
        for row in compiler.results_iter(results=[rows]):
            obj = klass_info["model"].from_db(self.using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            out.append(obj)
        return out
