"""A placement's score in people's words: each term of the breakdown as a fact about the agent and the offer.

The engine scores a pair with weighted terms (appariement/scoring.py: interest, skill fit, wish, distance,
waiting, and a base for every placement); the breakdown keeps the weighted points. People read the facts
behind the points: "4 de ses 5 thématiques et compétences souhaitées", "à 95 km, dans sa limite de 100 km",
"son vœu n°2". One function, `describe`, makes them for any request × session pair (a proposal, or a session
a coordinator could move it to); the coordinator's review and the host's view of a candidate both read it.
Each term comes as a label and a value (a table's two cells) and as one sentence (a list's line).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from appariement.rules import haversine_km
from mobilite.models import ImmersionRequest, OfferSession, Place

# The order people read them in: what the agent asked for first, the base last.
TERMS = ("wish", "interest", "skill_fit", "distance", "waiting", "base")
LABELS = {
    "wish": _l("Place de l'offre dans les vœux de l'agent"),
    "interest": _l("Thématiques et compétences souhaitées couvertes par l'offre"),
    "skill_fit": _l("Compétences que l'offre fait progresser"),
    "distance": _l("Distance depuis son lieu de travail"),
    "waiting": _l("Tours d'appariement déjà passés sans proposition"),
    "base": _l("Placement"),
}


@dataclass(frozen=True)
class TermWords:
    term: str
    label: str  # what was weighed
    value: str  # how it came out for this agent, completing the label
    sentence: str  # the same, as one line that reads alone
    points: int | None  # weighted points it brought (None: not in the breakdown)


def distance_km(immersion_request: ImmersionRequest, session: OfferSession) -> float | None:
    """How far the host is from the agent's work place (great-circle, as the round measures it); None if
    a place is unknown."""
    agent, home, place = immersion_request.agent, immersion_request.organisation, session.offer.location
    lat = agent.work_latitude if agent.work_latitude is not None else home.latitude
    lon = agent.work_longitude if agent.work_longitude is not None else home.longitude
    if lat is None or lon is None or place.latitude is None or place.longitude is None:
        return None
    km = haversine_km(np.array([lat]), np.array([lon]), np.array([place.latitude]), np.array([place.longitude]))
    return float(km[0])


def wish_rank(immersion_request: ImmersionRequest, session: OfferSession) -> int | None:
    return next((w.rank for w in immersion_request.wishes if w.offer_id == session.offer_id), None)


def _number(value: float) -> str:
    return str(format_decimal(value))


def _interest(immersion_request: ImmersionRequest, session: OfferSession) -> tuple[str, str]:
    offer = session.offer
    themes, skills = {t.id for t in offer.themes}, {s.id for s in offer.skills}
    wanted = len(immersion_request.themes) + len(immersion_request.skills)
    covered = sum(t.id in themes for t in immersion_request.themes)
    covered += sum(s.id in skills for s in immersion_request.skills)
    if not wanted:
        return _("l'agent n'en a pas précisé"), _("L'agent n'a pas précisé de thématique ni de compétence souhaitée.")
    value = _("%(covered)s sur %(wanted)s", covered=_number(covered), wanted=_number(wanted))
    if wanted == 1:
        sentence = (
            _("L'offre couvre la thématique ou compétence qu'il ou elle souhaitait.")
            if covered
            else _("L'offre ne couvre pas la thématique ou compétence qu'il ou elle souhaitait.")
        )
    elif covered == 0:
        sentence = _("L'offre ne couvre aucune des %(num)s thématiques et compétences souhaitées.", num=_number(wanted))
    else:
        sentence = _(
            "L'offre couvre %(covered)s de ses %(num)s thématiques et compétences souhaitées.",
            covered=_number(covered),
            num=_number(wanted),
        )
    return value, sentence


def _skill_fit(immersion_request: ImmersionRequest, session: OfferSession) -> tuple[str, str]:
    skills = session.offer.skills
    if not skills:
        return _("l'offre n'en précise pas"), _("L'offre ne précise pas les compétences qu'elle fait progresser.")
    held = {us.skill_id for us in immersion_request.agent.skills}
    new, total = sum(s.id not in held for s in skills), len(skills)
    value = _("%(new)s sur %(total)s nouvelles pour l'agent", new=_number(new), total=_number(total))
    if new == total:
        sentence = ngettext(
            "La compétence que l'offre fait progresser est nouvelle pour l'agent.",
            "Les %(num)s compétences que l'offre fait progresser sont toutes nouvelles pour l'agent.",
            total,
        )
    elif new == 0:
        sentence = ngettext(
            "L'agent a déjà la compétence que l'offre fait progresser.",
            "L'agent a déjà les %(num)s compétences que l'offre fait progresser.",
            total,
        )
    else:
        sentence = _(
            "%(new)s des %(num)s compétences que l'offre fait progresser sont nouvelles pour l'agent.",
            new=_number(new),
            num=_number(total),
        )
    return value, sentence


def _wish_value(rank: int | None) -> str:
    return _("vœu n°%(rank)s", rank=rank) if rank is not None else _("l'offre ne figurait pas parmi ses vœux")


def _wish(immersion_request: ImmersionRequest, session: OfferSession) -> tuple[str, str]:
    rank = wish_rank(immersion_request, session)
    value = _wish_value(rank)
    if rank is not None:
        count = len(immersion_request.wishes)
        if count == 1:
            return value, _("Son unique vœu.")
        return value, _("Son vœu n°%(rank)s (sur %(count)s).", rank=rank, count=_number(count))
    if immersion_request.wishes:
        return value, _("L'offre ne figure pas parmi ses vœux.")
    return value, _("L'agent n'a pas fait de vœu : toutes les offres lui vont.")


def _distance_value(immersion_request: ImmersionRequest, session: OfferSession) -> tuple[str, float | None]:
    """The value's words, and the distance they read (None: remote or unknown)."""
    if session.offer.place == Place.REMOTE:
        return _("immersion à distance"), None
    km = distance_km(immersion_request, session)
    if km is None:
        return _("inconnue"), None
    text, limit = _("%(km)s km", km=_number(round(km))), immersion_request.max_distance_km
    if limit is None:
        return _("%(distance)s ; l'agent n'a pas fixé de limite", distance=text), km
    return _("%(distance)s ; sa limite : %(limit)s km", distance=text, limit=_number(limit)), km


def _distance(immersion_request: ImmersionRequest, session: OfferSession) -> tuple[str, str]:
    value, km = _distance_value(immersion_request, session)
    if session.offer.place == Place.REMOTE:
        return value, _("Immersion à distance : pas de trajet.")
    if km is None:
        return value, _("Distance inconnue : un des deux lieux n'est pas situé.")
    km_text, limit = _number(round(km)), immersion_request.max_distance_km
    if limit is None:
        return value, _("À %(km)s km ; l'agent n'a pas fixé de distance maximale.", km=km_text)
    return value, _("À %(km)s km, dans sa limite de %(limit)s km.", km=km_text, limit=_number(limit))


def _waiting(immersion_request: ImmersionRequest, _session: OfferSession) -> tuple[str, str]:
    waited = immersion_request.rounds_waited
    if not waited:
        return _number(0), _("Premier tour pour cette demande.")
    sentence = ngettext(
        "Déjà %(num)s tour passé sans proposition.", "Déjà %(num)s tours passés sans proposition.", waited
    )
    return _number(waited), sentence


def _base(_request: ImmersionRequest, _session: OfferSession) -> tuple[str, str]:
    return _("un agent de plus en immersion"), _("Chaque placement compte : un agent de plus part en immersion.")


_FACTS = {
    "wish": _wish,
    "interest": _interest,
    "skill_fit": _skill_fit,
    "distance": _distance,
    "waiting": _waiting,
    "base": _base,
}


def describe(
    immersion_request: ImmersionRequest,
    session: OfferSession,
    breakdown: Mapping[str, int] | None,
    weights: Mapping[str, int] | None = None,
    *,
    base: bool = True,
) -> list[TermWords]:
    """The terms the round weighed for this pair, in reading order, each with its points.

    A term whose weight was 0 in the round's settings (`weights`, the settings snapshot's) did not count and
    is left out; so is the base when `base` is False (a reader who compares placements needs no reminder
    that each one counts). An old breakdown without terms (a placement made by hand before scores were
    computed for it) gives no term. Loads the request's themes, skills, wishes and agent, the session's offer
    with its themes, skills and organisation: load them together for a list."""
    breakdown = breakdown or {}
    weights = weights or {}
    out = []
    for term in TERMS:
        if term not in breakdown or weights.get(term, 1) <= 0 or (term == "base" and not base):
            continue
        value, sentence = _FACTS[term](immersion_request, session)
        out.append(TermWords(term, str(LABELS[term]), value, sentence, int(breakdown[term])))
    return out


def short(
    immersion_request: ImmersionRequest,
    session: OfferSession,
    breakdown: Mapping[str, int] | None,
    weights: Mapping[str, int] | None = None,
) -> str:
    """The wish and the distance in a few words ("vœu n°2 · 45 km ; sa limite : 100 km"), for a list's row:
    needs the request's wishes and agent, the offer and both organisations, not the themes and skills."""
    breakdown, weights = breakdown or {}, weights or {}
    parts = []  # the values alone: a row never shows the sentences (half the translations of a page)
    if "wish" in breakdown and weights.get("wish", 1) > 0:
        parts.append(_wish_value(wish_rank(immersion_request, session)))
    if "distance" in breakdown and weights.get("distance", 1) > 0:
        parts.append(_distance_value(immersion_request, session)[0])
    return " · ".join(parts)
