"""Markup the templates repeat hundreds of times per page, built in Python rather than in a Jinja loop."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence

from flask import Flask
from markupsafe import Markup, escape

from mobilite.services.search import ChoiceList

Choices = Iterable[tuple[object, str]]


def _wanted(chosen: object) -> set[str]:
    if chosen is None:
        return set()
    if isinstance(chosen, list | tuple | set):
        return {str(value) for value in chosen}
    return {str(chosen)}


def _with_chosen(plain: Markup, chosen: object) -> Markup:
    """`plain` options with the chosen values' marked selected: each value's opening tag, quotes included, is
    exactly `<option value="…">` (labels are escaped, so no text can look like one)."""
    html = str(plain)
    for value in _wanted(chosen):
        tag = f'<option value="{escape(value)}">'
        html = html.replace(tag, f'<option value="{escape(value)}" selected>')
    return Markup(html)


# The options' markup of the lists a service keeps a while (services.search.ChoiceList, the search form's),
# by the list's identity, for as long as the list lives: they are then escaped once rather than on every page.
_markup_of: dict[int, Markup] = {}


def _rendered(choices: object, render: Callable[[], Markup]) -> Markup:
    """The options with nothing chosen: rendered once per ChoiceList, every time for any other list."""
    if not isinstance(choices, ChoiceList):
        return render()
    key = id(choices)
    plain = _markup_of.get(key)
    if plain is None:
        plain = render()
        if _markup_of.setdefault(key, plain) is plain:  # the first thread to store it owns the clean-up
            weakref.finalize(choices, _markup_of.pop, key, None)
    return plain


def select_options(choices: Choices, chosen: object = None) -> Markup:
    """`<option>`s for (value, label) pairs, the chosen value(s) selected. The search form lists hundreds
    of skills and organisations: a Jinja loop over them was a third of the page's rendering time."""
    plain = _rendered(
        choices,
        lambda: Markup(
            "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices)
        ),
    )
    return _with_chosen(plain, chosen)


def grouped_select_options(groups: Sequence[tuple[str, Choices]], chosen: object = None) -> Markup:
    """The same in `<optgroup>`s, from (group label, pairs)."""
    plain = _rendered(
        groups,
        lambda: Markup(
            "".join(f'<optgroup label="{escape(label)}">{select_options(pairs)}</optgroup>' for label, pairs in groups)
        ),
    )
    return _with_chosen(plain, chosen)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(select_options=select_options, grouped_select_options=grouped_select_options)
