"""SIRET numbers: 14 digits whose Luhn key holds, the check the INSEE uses (its SIREN, the first nine
digits, has a Luhn key of its own; the whole number's key is the one that identifies the establishment).

La Poste's establishments (SIREN 356 000 000) are the one documented exception: their key is the sum of the
digits, a multiple of 5.
"""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"
_SEPARATORS = re.compile(r"[\s.\-]")


def normalise_siret(raw: str) -> str:
    """The number as typed, without the spaces, dots or dashes people group its digits with."""
    return _SEPARATORS.sub("", raw)


def luhn_holds(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_problem(siret: str) -> str | None:
    """Why a normalised number is no SIRET ("length", "digits", "key"), or None when it is one."""
    if not siret.isascii() or not siret.isdigit():
        return "digits"
    if len(siret) != 14:
        return "length"
    if siret.startswith(LA_POSTE_SIREN):
        return None if sum(int(c) for c in siret) % 5 == 0 else "key"
    return None if luhn_holds(siret) else "key"


def is_siret(siret: str) -> bool:
    return siret_problem(siret) is None
