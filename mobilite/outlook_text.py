"""The one place where an unmatched request's outlook becomes sentences, in the agent's words.

The figures come from the engine (appariement/outlook.py, stored by services.outlook): nothing here judges a
rule again. Called in the reader's language (a page, or an e-mail rendered in the recipient's); numbers and
dates by Flask-Babel, plurals by ngettext.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from appariement.scoring import WAITING_CAP_ROUNDS
from mobilite.i18n import format_date
from mobilite.models import ImmersionRequest, Offer, UnmatchedOutlook


@dataclass(frozen=True)
class OutlookText:
    """What the agent reads: why (a headline and its details), each wish's fate, what would open options."""

    headline: str
    reasons: list[str] = field(default_factory=list)
    wishes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    others: str = ""
    how_to_change: str = ""
    next_round: str = ""


def _n(value: float) -> str:
    return format_decimal(value)


def _limit(outlook: Mapping[str, Any], item: ImmersionRequest) -> str:
    km = outlook.get("max_distance_km", item.max_distance_km)
    return _n(km) if km is not None else ""


# Why the sessions of a round did not fit, counted per rule (each session under the first rule it breaks).
def _excluded(rule: str, n: int, outlook: Mapping[str, Any], item: ImmersionRequest) -> str:
    count = _n(n)
    if rule == "own_organisation":
        return ngettext(
            "%(count)s est proposée par votre organisation",
            "%(count)s sont proposées par votre organisation",
            n,
            count=count,
        )
    if rule == "dates":
        return ngettext(
            "%(count)s tombe hors de vos disponibilités", "%(count)s tombent hors de vos disponibilités", n, count=count
        )
    if rule == "duration":
        return ngettext(
            "%(count)s a une durée hors de celle que vous demandez (%(min)s à %(max)s jours)",
            "%(count)s ont une durée hors de celle que vous demandez (%(min)s à %(max)s jours)",
            n,
            count=count,
            min=_n(item.min_days),
            max=_n(item.max_days),
        )
    if rule == "quota":
        return ngettext(
            "%(count)s dépasse les jours qui restent sur votre quota",
            "%(count)s dépassent les jours qui restent sur votre quota",
            n,
            count=count,
        )
    if rule == "distance":
        return ngettext(
            "%(count)s est au-delà de votre distance maximale (%(km)s km)",
            "%(count)s sont au-delà de votre distance maximale (%(km)s km)",
            n,
            count=count,
            km=_limit(outlook, item),
        )
    if rule == "prerequisites":
        return ngettext(
            "%(count)s demande des compétences que votre profil n'indique pas au niveau requis",
            "%(count)s demandent des compétences que votre profil n'indique pas au niveau requis",
            n,
            count=count,
        )
    return ngettext(
        "%(count)s vous a déjà été proposée puis a été écartée ou déclinée",
        "%(count)s vous ont déjà été proposées puis ont été écartées ou déclinées",
        n,
        count=count,
    )


# Why eligible sessions could not take the request.
def _blocked(why: str, n: int) -> str:
    count = _n(n)
    if why == "full":
        return ngettext(
            "%(count)s a été attribuée à un agent mieux classé",
            "%(count)s ont été attribuées à des agents mieux classés",
            n,
            count=count,
        )
    if why == "diversity":
        return ngettext(
            "%(count)s accueille déjà assez d'agents de votre organisation",
            "%(count)s accueillent déjà assez d'agents de votre organisation",
            n,
            count=count,
        )
    if why == "continuity":
        return ngettext(
            "%(count)s aurait laissé trop de collègues absents en même temps dans votre service",
            "%(count)s auraient laissé trop de collègues absents en même temps dans votre service",
            n,
            count=count,
        )
    return ngettext("%(count)s n'a pas été retenue", "%(count)s n'ont pas été retenues", n, count=count)


def _wish_rule(rule: str, wish: Mapping[str, Any], outlook: Mapping[str, Any], item: ImmersionRequest) -> str:
    if rule == "distance" and wish.get("distance_km") is not None:
        return _(
            "à %(km)s km de votre lieu de travail ; votre limite est de %(limit)s km",
            km=_n(wish["distance_km"]),
            limit=_limit(outlook, item),
        )
    return str(
        {
            "own_organisation": _("elle est proposée par votre organisation"),
            "dates": _("ses dates tombent hors de vos disponibilités"),
            "duration": _("sa durée sort de celle que vous demandez"),
            "quota": _("sa durée dépasse les jours qui restent sur votre quota"),
            "distance": _("elle est au-delà de votre distance maximale"),
            "prerequisites": _("elle demande des compétences que votre profil n'indique pas au niveau requis"),
        }.get(rule, _("elle vous a déjà été proposée puis a été écartée ou déclinée"))
    )


def _wish(
    wish: Mapping[str, Any], outlook: Mapping[str, Any], item: ImmersionRequest, offers: Mapping[int, Offer]
) -> str:
    state = wish["state"]
    if state == "excluded":
        why = _(" ; ").join(_wish_rule(rule, wish, outlook, item) for rule in wish.get("rules", []))
    else:
        why = {
            "no_session": _("aucune session ouverte à ce tour"),
            "full": _("ses places sont allées à des agents mieux classés"),
            "diversity": _("elle accueille déjà assez d'agents de votre organisation"),
            "continuity": _("trop de collègues de votre service auraient été absents en même temps"),
        }.get(state, _("non retenue"))
    offer = offers.get(int(wish["offer"]))
    title = (
        _("« %(title)s », %(host)s", title=offer.title, host=offer.organisation.name)
        if offer
        else _("une offre retirée")
    )
    return _("Vœu n°%(rank)s, %(offer)s : %(why)s.", rank=wish["rank"], offer=title, why=why)


def _seats(change: Mapping[str, Any]) -> str:
    """When a change opens offers that are full for now, say how many still have a seat."""
    with_seats, offers = change.get("offers_with_seats", 0), change.get("offers", 0)
    if with_seats >= offers:
        return ""
    if with_seats == 0:
        return " " + ngettext("Pour l'instant, elle est complète.", "Pour l'instant, toutes sont complètes.", offers)
    return " " + ngettext(
        "Pour l'instant, %(count)s a encore une place.",
        "Pour l'instant, %(count)s ont encore une place.",
        with_seats,
        count=_n(with_seats),
    )


def _change(change: Mapping[str, Any]) -> str:
    rule, offers, sessions = change["rule"], change.get("offers", 0), change.get("sessions", 0)
    if rule == "distance":
        text = ngettext(
            "En portant votre distance maximale à %(km)s km, %(count)s offre devient possible.",
            "En portant votre distance maximale à %(km)s km, %(count)s offres deviennent possibles.",
            offers,
            km=_n(change["max_distance_km"]),
            count=_n(offers),
        )
    elif rule == "dates":
        first = format_date(date.fromisoformat(change["first_start"]), "full")  # "lundi 11 janvier 2027"
        text = ngettext(
            "En prolongeant vos disponibilités de %(days)s jours, %(count)s session devient possible ; "
            "elle commence le %(date)s.",
            "En prolongeant vos disponibilités de %(days)s jours, %(count)s sessions deviennent possibles ; "
            "la première commence le %(date)s.",
            sessions,
            days=_n(change.get("extra_days", 7)),
            count=_n(sessions),
            date=first,
        )
    elif rule == "duration":
        shorter = change.get("min_days") is not None
        days = change["min_days"] if shorter else change["max_days"]
        length = ngettext("%(count)s jour ouvré", "%(count)s jours ouvrés", days, count=_n(days))
        if shorter:
            text = ngettext(
                "En acceptant une immersion de %(length)s, %(count)s offre devient possible.",
                "En acceptant une immersion de %(length)s, %(count)s offres deviennent possibles.",
                offers,
                length=length,
                count=_n(offers),
            )
        else:
            text = ngettext(
                "En acceptant une immersion allant jusqu'à %(length)s, %(count)s offre devient possible.",
                "En acceptant une immersion allant jusqu'à %(length)s, %(count)s offres deviennent possibles.",
                offers,
                length=length,
                count=_n(offers),
            )
    else:
        return ngettext(
            "%(count)s offre demande des compétences que votre profil n'indique pas au niveau requis : "
            "si vous les avez, complétez votre profil.",
            "%(count)s offres demandent des compétences que votre profil n'indique pas au niveau requis : "
            "si vous les avez, complétez votre profil.",
            offers,
            count=_n(offers),
        ) + _seats(change)
    return text + _seats(change)


def _next_round(row: UnmatchedOutlook, item: ImmersionRequest) -> str:
    """The request waits for the next round; say it comes with more priority only when it does: the network
    weighs waiting, and the rounds waited (one more since this publication) still raise it."""
    weights = (row.round.settings_snapshot or {}).get("weights", {}) if row.round else {}
    if weights.get("waiting", 1) > 0 and item.rounds_waited <= WAITING_CAP_ROUNDS:
        return _(
            "Votre demande reste en lice : elle participera au prochain tour d'appariement, avec une priorité accrue."
        )
    return _("Votre demande reste en lice : elle participera au prochain tour d'appariement.")


def outlook_text(row: UnmatchedOutlook, item: ImmersionRequest, offers: Mapping[int, Offer]) -> OutlookText:
    """The words of one unmatched request's outlook (`offers`: the wished offers, by id)."""
    data = row.data or {}
    outlook: Mapping[str, Any] = data.get("outlook") or {}
    wishes = list(outlook.get("wishes", []))
    if row.reason == "outcompeted":
        blocked = {k: int(v) for k, v in data.get("blocked", {}).items() if v}
        n = sum(blocked.values())
        headline = ngettext(
            "La session qui vous correspondait n'avait plus de place pour vous :",
            "Les %(count)s sessions qui vous correspondaient n'avaient plus de place pour vous :",
            n,
            count=_n(n),
        )
        reasons = [
            _blocked(why, blocked[why]) for why in ("full", "diversity", "continuity", "not_chosen") if why in blocked
        ]
    elif outlook.get("sessions_open", 1) == 0:
        headline, reasons = _("Aucune session d'une autre organisation n'était ouverte à ce tour."), []
    else:
        excluded = {k: int(v) for k, v in data.get("excluded", {}).items() if v}
        n = sum(excluded.values())
        headline = ngettext(
            "La session ouverte à ce tour ne respecte pas toutes vos conditions :",
            "Aucune des %(count)s sessions ouvertes à ce tour ne respecte toutes vos conditions :",
            n,
            count=_n(n),
        )
        order = ("own_organisation", "dates", "duration", "quota", "distance", "prerequisites", "forbidden")
        reasons = [_excluded(rule, excluded[rule], outlook, item) for rule in order if rule in excluded]

    if wishes and all(w["state"] == "full" for w in wishes):
        wish_lines = [
            ngettext(
                "Votre vœu a été pourvu par des agents mieux classés sur cette offre.",
                "Vos %(count)s vœux ont été pourvus par des agents mieux classés sur ces offres.",
                len(wishes),
                count=_n(len(wishes)),
            )
        ]
    else:
        wish_lines = [_wish(w, outlook, item, offers) for w in wishes]

    changes = [_change(c) for c in outlook.get("changes", [])]
    if not changes:
        changes = [
            _("Aucun changement d'une seule condition de votre demande ne rend une autre session possible à ce tour.")
        ]
    seats = int(outlook.get("offers_with_seats", 0))
    others = ""
    if seats:
        if wishes:
            others = ngettext(
                "%(count)s autre offre a encore des places.",
                "%(count)s autres offres ont encore des places.",
                seats,
                count=_n(seats),
            )
        else:
            others = ngettext(
                "%(count)s offre a encore des places.",
                "%(count)s offres ont encore des places.",
                seats,
                count=_n(seats),
            )
    how = (
        _(
            "Votre demande est approuvée : ses conditions ne se modifient plus. Pour en changer, retirez-la puis "
            "faites une nouvelle demande, que votre employeur examinera à nouveau."
        )
        if outlook.get("changes")
        else ""
    )
    return OutlookText(
        headline=headline,
        reasons=reasons,
        wishes=wish_lines,
        changes=changes,
        others=others,
        how_to_change=how,
        next_round=_next_round(row, item),
    )
