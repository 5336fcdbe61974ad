"""Charts as SVG, rendered on the server from Vega-Lite specifications.

vl-convert (a PyPI wheel) runs Vega's own renderer in an embedded JavaScript engine: no script reaches the
browser, nothing is fetched at run time (external data is refused), and the SVG holds presentation
attributes only, no style. Numbers and dates in the charts follow d3's locale for the reader's language
("1 234", "66,7 %", "mars 2026").

A rendering takes tens of milliseconds once the engine is warm (its first start takes about a second per
process): identical specifications are rendered once per process, then served from a small cache.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

import vl_convert
from flask_babel import get_locale
from markupsafe import escape

# d3-format and d3-time-format locales bundled with vl-convert, by the app's languages.
_D3_LOCALES = {"fr": "fr-FR", "en": "en-GB"}

BLUE = "#000091"
ORANGE = "#b34000"
LIGHT_BLUE = "#e3e3fd"
GREY = "#e5e5e5"
TEXT = "#1e1e1e"
MUTED = "#4d4d4d"
# The renderer measures text to lay a chart out (label room, truncation): the browser must draw it with a font
# of the same widths. Arial where it exists, else Liberation Sans (same metrics, measured here).
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"

# The look of every chart: the site's colours and font, readable sizes, no label cut short in a legend.
CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 13,
        "titleFontSize": 14,
        "labelColor": TEXT,
        "titleColor": TEXT,
        "gridColor": "#dddddd",
        "domainColor": MUTED,
        "tickColor": MUTED,
        "titleFontWeight": "bold",
    },
    "legend": {"labelFontSize": 13, "titleFontSize": 14, "labelLimit": 0, "titleLimit": 0, "labelColor": TEXT},
    "title": {"fontSize": 15, "anchor": "start", "color": TEXT},
    "aria": False,  # the page gives each chart its text alternative; Vega's own labels are English
}

_CACHE_SIZE = 48
_cache: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def count_axis(largest: int, most: int = 6) -> tuple[list[int], list[int]]:
    """Integer ticks for counts up to `largest` (at most `most` of them, steps of 1, 2 or 5 × 10^k) and the
    domain they span. Vega's own tick choice goes down to 0.5 on a small count, whatever its tickMinStep."""
    step = 1
    while -(-max(largest, 1) // step) > most - 1:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    top = -(-max(largest, 1) // step) * step
    return list(range(0, top + 1, step)), [0, top]


def d3_locale() -> str:
    return _D3_LOCALES.get(str(get_locale()).split("_")[0], "fr-FR")


def render_svg(spec: dict[str, Any], title: str, description: str) -> str:
    """The chart as an SVG document whose accessible name is `title` and description `description`."""
    locale: Any = d3_locale()  # one of vl-convert's locale names (its stubs list them as literals)
    key = hashlib.sha256(json.dumps([spec, locale], sort_keys=True, default=str).encode()).hexdigest()
    with _lock:
        svg = _cache.get(key)
        if svg is not None:
            _cache.move_to_end(key)
    if svg is None:
        svg = vl_convert.vegalite_to_svg(
            {**spec, "config": CONFIG},
            format_locale=locale,
            time_format_locale=locale,
            allowed_base_urls=[],  # the data is inline: the renderer never reaches the network
        )
        with _lock:
            _cache[key] = svg
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return _with_text_alternative(svg, title, description)


def _with_text_alternative(svg: str, title: str, description: str) -> str:
    """role="img" with <title> and <desc>: what a screen reader announces when the SVG is opened alone."""
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace("<svg ", '<svg role="img" aria-labelledby="chart-title chart-desc" ', 1)
    return (
        f'{head}<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(description)}</desc>'
        f"{svg[head_end:]}"
    )
