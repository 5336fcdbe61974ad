"""Markup the templates repeat hundreds of times per page, built in Python rather than in a Jinja loop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Flask
from markupsafe import Markup, escape

Choices = Iterable[tuple[object, str]]


def _wanted(chosen: object) -> set[str]:
    if chosen is None:
        return set()
    if isinstance(chosen, list | tuple | set):
        return {str(value) for value in chosen}
    return {str(chosen)}


def select_options(choices: Choices, chosen: object = None) -> Markup:
    """`<option>`s for (value, label) pairs, the chosen value(s) selected. The search form lists hundreds
    of skills and organisations: a Jinja loop over them was a third of the page's rendering time."""
    wanted = _wanted(chosen)
    return Markup(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) in wanted else ""}>{escape(label)}</option>'
            for value, label in choices
        )
    )


def grouped_select_options(groups: Sequence[tuple[str, Choices]], chosen: object = None) -> Markup:
    """The same in `<optgroup>`s, from (group label, pairs)."""
    return Markup(
        "".join(
            f'<optgroup label="{escape(label)}">{select_options(pairs, chosen)}</optgroup>' for label, pairs in groups
        )
    )


def register(app: Flask) -> None:
    app.jinja_env.globals.update(select_options=select_options, grouped_select_options=grouped_select_options)
