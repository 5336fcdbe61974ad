"""The gazetteer of French communes: find a commune by the start of its name or by its postcode.

The data file (mobilite/data/communes.json.gz, rebuilt by scripts/build_communes.py) ships with the code and
is read once per process, on first use: nothing is fetched at run time. Names match whatever their accents
and case, "st" and "ste" stand for "saint" and "sainte", and a leading article may be left out ("havre"
finds Le Havre).
"""

from __future__ import annotations

import bisect
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "communes.json.gz"
DEFAULT_LIMIT = 10
_ARTICLE = re.compile(r"^(le|la|les|l) ")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# "Lyon (69003)", as the suggestions write a commune; the postcode picks one among namesakes.
_LABEL = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<postcode>\d{5})\s*\)$")


def normalise(text: str) -> str:
    """Lower case, no accents, words split on spaces, hyphens and apostrophes, abbreviations spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.split(r"[\s\-'’.,/]+", plain)
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words if word)


@dataclass(frozen=True)
class Commune:
    code: str  # INSEE code
    name: str
    postcodes: tuple[str, ...]
    departement: str  # its code ("69", "2A", "974")
    departement_name: str
    latitude: float
    longitude: float
    population: int

    def label(self, postcode: str | None = None) -> str:
        """How the commune is written in the form: its name and one postcode, which tell namesakes apart."""
        return f"{self.name} ({postcode if postcode in self.postcodes else self.postcodes[0]})"


@dataclass(frozen=True)
class Match:
    commune: Commune
    postcode: str

    @property
    def label(self) -> str:
        return self.commune.label(self.postcode)


class Gazetteer:
    def __init__(self, communes: list[Commune]):
        self.by_code = {commune.code: commune for commune in communes}
        self._names = sorted(
            (key, index)
            for index, commune in enumerate(communes)
            for key in {normalise(commune.name), _ARTICLE.sub("", normalise(commune.name))}
        )
        self._postcodes = sorted((postcode, index) for index, c in enumerate(communes) for postcode in c.postcodes)
        self._communes = communes

    def __len__(self) -> int:
        return len(self._communes)

    def _prefixed(self, keys: list[tuple[str, int]], prefix: str) -> list[tuple[str, int]]:
        start = bisect.bisect_left(keys, (prefix, -1))
        end = bisect.bisect_left(keys, (prefix + "\uffff", -1))
        return keys[start:end]

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Match]:
        """Communes whose name starts with `query`, or one of whose postcodes does (digits); exact names
        first, then the most populated. A query written as a suggestion ("Lyon (69003)") finds that one."""
        text = query.strip()
        labelled = _LABEL.match(text)
        if labelled:
            found = self._by_name_and_postcode(labelled["name"], labelled["postcode"])
            if found is not None:
                return [found]
            text = labelled["name"]
        if text.isdigit():
            hits = self._prefixed(self._postcodes, text)
            best: dict[int, str] = {}
            for postcode, index in hits:
                best.setdefault(index, postcode)
            ranked = sorted(best, key=lambda i: (len(self._communes[i].postcodes) > 1, -self._communes[i].population))
            return [Match(self._communes[i], best[i]) for i in ranked[:limit]]
        key = normalise(text)
        if not key:
            return []
        indexes = {index for _key, index in self._prefixed(self._names, key)}
        exact = {index for name, index in self._prefixed(self._names, key) if name == key}
        ranked = sorted(indexes, key=lambda i: (i not in exact, -self._communes[i].population, self._communes[i].name))
        return [Match(self._communes[i], self._communes[i].postcodes[0]) for i in ranked[:limit]]

    def _by_name_and_postcode(self, name: str, postcode: str) -> Match | None:
        key = normalise(name)
        for _postcode, index in self._prefixed(self._postcodes, postcode):
            commune = self._communes[index]
            if key in {normalise(commune.name), _ARTICLE.sub("", normalise(commune.name))}:
                return Match(commune, postcode)
        return None

    def resolve(self, text: str) -> Match | list[Match]:
        """The one commune `text` names (a name, a postcode, or "Name (postcode)"); else the candidates it
        could be (empty: none; several: namesakes, or one postcode shared by several communes)."""
        text = text.strip()
        labelled = _LABEL.match(text)
        if labelled:
            found = self._by_name_and_postcode(labelled["name"], labelled["postcode"])
            return found if found is not None else []
        if text.isdigit():
            matches = [m for m in self.search(text, limit=50) if m.postcode == text] if len(text) == 5 else []
        else:
            key = normalise(text)
            matches = [
                m
                for m in self.search(text, limit=50)
                if key in {normalise(m.commune.name), _ARTICLE.sub("", normalise(m.commune.name))}
            ]
        return matches[0] if len(matches) == 1 else matches


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, read from the data file once per process."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        document = json.load(handle)
    departements = document["departements"]
    communes = [
        Commune(code, name, tuple(postcodes.split()), dep, departements.get(dep, ""), lat, lon, population)
        for code, name, postcodes, dep, lat, lon, population in document["communes"]
    ]
    return Gazetteer(communes)


def search(query: str, limit: int = DEFAULT_LIMIT) -> list[Match]:
    return gazetteer().search(query, limit)


def resolve(text: str) -> Match | list[Match]:
    return gazetteer().resolve(text)


def by_code(code: str | None) -> Commune | None:
    return gazetteer().by_code.get(code) if code else None


def locate(city: str, postcode: str = "") -> Match | None:
    """The commune of an address written as a city and a postcode (an organisation's), when it is clear."""
    found = resolve(f"{city} ({postcode})" if postcode else city)
    if isinstance(found, Match):
        return found
    found = resolve(city) if postcode else found
    return found if isinstance(found, Match) else None
