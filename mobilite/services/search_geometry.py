"""The offer search's distance, one formula for the SQL search and the in-memory index alike.

Distance is measured from the agent's work place to where the offer happens with an equirectangular
projection at the agent's latitude (x = Δlongitude·cos(latitude₀), y = Δlatitude, 111.195 km a degree): within
a few tenths of a percent of the great-circle distance at the scale of a country, and computable by SQLite and
PostgreSQL alike with plain arithmetic (the cosine is a constant worked out here). A bounding box on the
coordinates prefilters the rows before that expression is evaluated. The functions take SQL column
expressions or numpy columns: the same operators build either.
"""

from __future__ import annotations

import math
from typing import Any

KM_PER_DEGREE = 111.195
FAR = 1e9  # the sort key of offers whose place has no coordinates: last


def squared_degrees(latitude: Any, longitude: Any, origin: tuple[float, float]) -> Any:
    """Squared distance in degrees² (monotonic with km): no square root or cosine needed in SQL."""
    lat0, lon0 = origin
    k = math.cos(math.radians(lat0))
    dx = (longitude - lon0) * k
    dy = latitude - lat0
    return dx * dx + dy * dy


def within(latitude: Any, longitude: Any, origin: tuple[float, float], km: float, distance2: Any) -> Any:
    """Within `km` of the origin: the bounding box, then the disc (unknown coordinates are never within)."""
    lat0, lon0 = origin
    reach = km / KM_PER_DEGREE
    half_lon = reach / math.cos(math.radians(lat0))
    return (
        (latitude >= lat0 - reach)
        & (latitude <= lat0 + reach)
        & (longitude >= lon0 - half_lon)
        & (longitude <= lon0 + half_lon)
        & (distance2 <= reach * reach)
    )
