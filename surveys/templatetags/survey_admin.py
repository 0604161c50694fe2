"""Template tags of the project's admin templates."""
from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.simple_tag
def inline_column_id(prefix: str, name: str) -> str:
    """The id of a tabular inline's column header, which names the inputs of its column."""
    return f"{prefix}-column-{name}"


@register.simple_tag
def labelled_field(field: BoundField, prefix: str) -> str:
    """A tabular inline's input, named by its column's header (the table shows no label beside it)."""
    html = field.as_widget(attrs={"aria-labelledby": inline_column_id(prefix, field.name)})
    if field.field.show_hidden_initial:  # as BoundField.__str__ does
        html += field.as_hidden(only_initial=True)
    return html
