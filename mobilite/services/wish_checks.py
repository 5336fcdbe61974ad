"""Which of a request's wishes can be matched, and which offers fit the request as it stands.

Both questions go to the engine (`appariement.check_pairs`), with the request and the sessions converted as
a round converts them (`round_problem.engine_request`, `engine_session`): the web never rewrites a rule. A
wish can be matched when at least one upcoming session of its offer keeps every pair rule; otherwise each
broken rule is told in the agent's words, with its figures ("à 95 km de votre lieu de travail ; votre limite
est de 50 km"). Submitting a request with such a wish is refused (services.requests); a draft keeps it, with
the warnings shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

import appariement
from appariement.rules import EARTH_RADIUS_KM
from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    AvailabilityWindow,
    ForbiddenPair,
    ImmersionRequest,
    Network,
    Offer,
    OfferPrerequisite,
    OfferSession,
    OfferStatus,
    Organisation,
    Place,
    Skill,
    User,
    Wish,
)
from mobilite.models.site import located_offers
from mobilite.services import rules
from mobilite.services.round_problem import engine_organisation, engine_request, engine_session

# The requests whose wishes still matter: not yet matched, refused or over (those an agent may withdraw).
CHECKED_STATUSES = request_lifecycle.WITHDRAWABLE
SESSIONS_SHOWN = 3  # sessions of an impossible wish explained one by one; the others are counted
PER_PAGE = 20
MAX_CANDIDATES = 2000  # sessions the engine examines for one "offres compatibles" page, the nearest first
REACH_MARGIN = 1.001  # the SQL bounding box must never lose a session the distance rule keeps

# Rules that depend on the offer alone (its host, its prerequisites, its being open), said once per wish;
# the others depend on the session's dates and length, said per session.
OFFER_RULES = (appariement.OwnOrganisation, appariement.TooFar, appariement.PrerequisitesMissing, appariement.Closed)


@dataclass(frozen=True)
class WishCheck:
    """One wish: the upcoming sessions of its offer that keep every rule, and why the others do not."""

    rank: int
    offer: Offer
    upcoming: int  # upcoming sessions of the offer
    fitting: list[OfferSession]
    offer_reasons: list[str] = field(default_factory=list)  # whatever the session
    session_reasons: list[str] = field(default_factory=list)  # one line per (session, rule), SESSIONS_SHOWN at most
    more_sessions: int = 0  # sessions not explained one by one

    @property
    def ok(self) -> bool:
        return bool(self.fitting)

    @property
    def reasons(self) -> list[str]:
        more = (
            [
                ngettext(
                    "%(num)d autre session ne convient pas non plus",
                    "%(num)d autres sessions ne conviennent pas non plus",
                    self.more_sessions,
                )
            ]
            if self.more_sessions
            else []
        )
        return self.offer_reasons + self.session_reasons + more

    def error(self) -> str:
        """The reason a submission is refused, naming the wish."""
        sentences = " ".join(_sentence(reason) for reason in self.reasons)
        return _(
            "Vœu n°%(rank)d « %(title)s » : aucune session ne peut vous être proposée en l'état. %(reasons)s "
            "Modifiez votre demande (distance, disponibilités, durée) ou retirez ce vœu.",
            rank=self.rank,
            title=self.offer.title,
            reasons=sentences,
        )


@dataclass(frozen=True)
class WishChecks:
    """The checks of a request's wishes, in rank order; `checked` is False while it has no availability
    window (nothing can be matched then, and the legal rules already ask for one)."""

    wishes: list[WishCheck]
    checked: bool = True

    @property
    def impossible(self) -> list[WishCheck]:
        return [w for w in self.wishes if not w.ok]

    def by_offer(self) -> dict[int, WishCheck]:
        return {w.offer.id: w for w in self.wishes}

    def errors(self) -> dict[str, list[str]]:
        """Field errors for a refused submission: every impossible wish under "wishes"."""
        refused = [w.error() for w in self.impossible] if self.checked else []
        return {"wishes": refused} if refused else {}


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


# --- the agent's words for each broken rule -------------------------------------------------------------


def _days(n: int) -> str:
    return ngettext("%(num)d jour", "%(num)d jours", n)


def _dates(session: OfferSession) -> dict[str, str]:
    return {"start": format_date(session.start_date, "long"), "end": format_date(session.end_date, "long")}


def _skill_text(missing: appariement.MissingSkill, skills: dict[str, Skill]) -> str:
    skill = skills.get(missing.skill)
    name = skill.label(str(get_locale())) if skill is not None else missing.skill
    if missing.held_level == 0:
        return _(
            "prérequis : « %(skill)s » au niveau %(level)d au moins ; cette compétence ne figure pas dans votre profil",
            skill=name,
            level=missing.required_level,
        )
    return _(
        "prérequis : « %(skill)s » au niveau %(level)d au moins ; votre profil indique le niveau %(held)d",
        skill=name,
        level=missing.required_level,
        held=missing.held_level,
    )


def _offer_reason(failure: appariement.Failure, skills: dict[str, Skill]) -> list[str]:
    if isinstance(failure, appariement.OwnOrganisation):
        return [_("cette offre vient de votre propre organisation : une immersion se fait ailleurs")]
    if isinstance(failure, appariement.TooFar):
        return [
            _(
                "à %(km)s km de votre lieu de travail ; votre limite est de %(limit)s km",
                km=format_decimal(round(failure.distance_km)),
                limit=format_decimal(round(failure.max_distance_km)),
            )
        ]
    if isinstance(failure, appariement.PrerequisitesMissing):
        return [_skill_text(m, skills) for m in failure.missing]
    if isinstance(failure, appariement.Closed):
        return [_("cette offre n'est plus publiée dans votre réseau")]
    return []


def _session_reason(failure: appariement.Failure, session: OfferSession, network: Network) -> str:
    dates = _dates(session)
    if isinstance(failure, appariement.OutsideWindows):
        return _("aucune de vos disponibilités ne couvre la session du %(start)s au %(end)s", **dates)
    if isinstance(failure, appariement.DurationOutside):
        return ngettext(
            "la session du %(start)s au %(end)s dure %(num)d jour ouvré ; votre demande accepte %(min)d à %(max)d "
            "jours",
            "la session du %(start)s au %(end)s dure %(num)d jours ouvrés ; votre demande accepte %(min)d à %(max)d "
            "jours",
            failure.working_days,
            min=failure.min_days,
            max=failure.max_days,
            **dates,
        )
    if isinstance(failure, appariement.OverQuota):
        return ngettext(
            "la session du %(start)s au %(end)s dure %(num)d jour ouvré ; il ne vous reste que %(left)s "
            "d'immersion sur les %(quota)d permis sur %(years)d ans",
            "la session du %(start)s au %(end)s dure %(num)d jours ouvrés ; il ne vous reste que %(left)s "
            "d'immersion sur les %(quota)d permis sur %(years)d ans",
            failure.working_days,
            left=_days(failure.quota_days),
            quota=network.quota_days,
            years=network.quota_years,
            **dates,
        )
    if isinstance(failure, appariement.Forbidden):
        return _(
            "la session du %(start)s au %(end)s vous a déjà été proposée, puis écartée ou déclinée : "
            "elle ne vous sera plus proposée",
            **dates,
        )
    raise ValueError(f"not a session rule: {failure!r}")


# --- the engine's problem for one request ----------------------------------------------------------------


def _quota_left(agent: User, network: Network, today: date) -> int:
    return rules.remaining_quota(agent.id, network, today)


def _with_offers(query: Select) -> Select:
    return query.options(
        selectinload(OfferSession.offer).options(
            joinedload(Offer.organisation),
            joinedload(Offer.site),  # where it happens (Offer.location)
            selectinload(Offer.themes),
            selectinload(Offer.skills),
            selectinload(Offer.prerequisites).joinedload(OfferPrerequisite.skill),
        )
    )


def _is_open(session: OfferSession, network: Network) -> bool:
    offer = session.offer
    host = offer.organisation
    return offer.status == OfferStatus.PUBLISHED and host.network_id == network.id and host.is_active


def _check(
    immersion_request: ImmersionRequest, network: Network, sessions: Sequence[OfferSession], today: date
) -> dict[int, appariement.PairCheck]:
    """The engine's verdict on the request with each session (by session id). Sessions of offers that are not
    open (closed, or of another network) stay out of the problem: the engine then calls them closed."""
    home = immersion_request.organisation
    request = engine_request(immersion_request, home, _quota_left(immersion_request.agent, network, today))
    open_sessions = [s for s in sessions if _is_open(s, network)]
    hosts = {s.offer.organisation_id: s.offer.organisation for s in open_sessions}
    forbidden: list[tuple[int, int]] = []
    if immersion_request.id is not None and open_sessions:
        rows = db.session.execute(
            select(ForbiddenPair.request_id, ForbiddenPair.session_id).where(
                ForbiddenPair.request_id == immersion_request.id,
                ForbiddenPair.session_id.in_([s.id for s in open_sessions]),
            )
        )
        forbidden = [(r, s) for r, s in rows]
    problem = appariement.Problem(
        organisations=tuple(engine_organisation(o) for o in {home.id: home, **hosts}.values()),
        requests=(request,),
        sessions=tuple(engine_session(s, s.offer.organisation) for s in open_sessions),
        forbidden=tuple((str(r), str(s)) for r, s in forbidden),
    )
    checks = appariement.check_pairs(problem, [(request.id, str(s.id)) for s in sessions])
    return {int(c.session_id): c for c in checks}


def _skills(checks: Iterable[appariement.PairCheck]) -> dict[str, Skill]:
    codes = {
        m.skill
        for c in checks
        for f in c.failures
        if isinstance(f, appariement.PrerequisitesMissing)
        for m in f.missing
    }
    if not codes:
        return {}
    return {s.code: s for s in db.session.scalars(select(Skill).where(Skill.code.in_(codes)))}


def _wish_check(rank: int, offer: Offer, sessions: list[OfferSession], checks, network, skills) -> WishCheck:
    if offer.status != OfferStatus.PUBLISHED or not offer.organisation.is_active:
        return WishCheck(rank, offer, len(sessions), [], [_("cette offre n'est plus publiée dans votre réseau")])
    if not sessions:
        return WishCheck(rank, offer, 0, [], [_("cette offre n'a pas de session à venir")])
    fitting = [s for s in sessions if checks[s.id].ok]
    if fitting:
        return WishCheck(rank, offer, len(sessions), fitting)
    offer_reasons: list[str] = []
    explained: list[str] = []
    shown = unexplained = 0
    for session in sessions:
        failures = checks[session.id].failures
        for failure in failures:
            if isinstance(failure, OFFER_RULES):
                offer_reasons += [r for r in _offer_reason(failure, skills) if r not in offer_reasons]
        own = [f for f in failures if not isinstance(f, OFFER_RULES)]
        if own and shown < SESSIONS_SHOWN:
            explained += [_session_reason(f, session, network) for f in own]
            shown += 1
        elif own:
            unexplained += 1
    return WishCheck(rank, offer, len(sessions), [], offer_reasons, explained, unexplained)


def _upcoming_sessions(offer_ids: list[int], today: date) -> dict[int, list[OfferSession]]:
    query = select(OfferSession).where(OfferSession.offer_id.in_(offer_ids), OfferSession.start_date > today)
    found: dict[int, list[OfferSession]] = {}
    for session in db.session.scalars(_with_offers(query).order_by(OfferSession.start_date, OfferSession.id)):
        found.setdefault(session.offer_id, []).append(session)
    return found


def check_wishes(immersion_request: ImmersionRequest, today: date | None = None) -> WishChecks:
    """Each wish of the request (saved or not), against the upcoming sessions of its offer."""
    today = today or date.today()
    wishes = sorted(immersion_request.wishes, key=lambda w: w.rank)
    if not wishes:
        return WishChecks([])
    if not immersion_request.windows:
        return WishChecks([], checked=False)
    network = immersion_request.organisation.network
    sessions = _upcoming_sessions([w.offer_id for w in wishes], today)
    every = [s for w in wishes for s in sessions.get(w.offer_id, [])]
    checks = _check(immersion_request, network, every, today) if every else {}
    skills = _skills(checks.values())
    return WishChecks(
        [_wish_check(w.rank, w.offer, sessions.get(w.offer_id, []), checks, network, skills) for w in wishes]
    )


def check_values(
    agent: User, values: dict, offers: list[Offer], saved: ImmersionRequest | None = None, today: date | None = None
) -> WishChecks:
    """The wishes of a request as a form or the API sends it (`values`: windows, min_days, max_days,
    max_distance_km; `offers`: the wished offers, first wish first), before anything is saved. The request is
    built in memory only, never added to the session."""
    organisation = saved.organisation if saved is not None else agent.organisation
    if organisation is None:  # the services refuse a request from an agent outside any organisation first
        raise LookupError(f"{agent!r} belongs to no organisation")
    unsaved = ImmersionRequest(
        agent=agent,
        organisation=organisation,
        min_days=values["min_days"],
        max_days=values["max_days"],
        max_distance_km=values.get("max_distance_km"),
        rounds_waited=saved.rounds_waited if saved is not None else 0,
        windows=[AvailabilityWindow(start_date=w["start"], end_date=w["end"]) for w in values.get("windows", [])],
        wishes=[Wish(offer=offer, offer_id=offer.id, rank=rank) for rank, offer in enumerate(offers, start=1)],
    )
    if saved is not None:
        unsaved.id = saved.id  # its forbidden pairs count
    unsaved.agent_id, unsaved.organisation_id = agent.id, organisation.id
    return check_wishes(unsaved, today)


# --- offers that fit the request as it stands ------------------------------------------------------------


@dataclass(frozen=True)
class CompatibleOffer:
    offer: Offer
    distance_km: float  # from the agent's place to the host, as the distance rule measures it
    sessions: list[OfferSession]  # the upcoming sessions that keep every rule, soonest first
    wished: bool


@dataclass(frozen=True)
class CompatiblePage:
    items: list[CompatibleOffer]
    total: int
    page: int
    per_page: int
    examined: int  # sessions the engine examined
    truncated: bool  # more candidates than MAX_CANDIDATES: only the nearest were examined
    checked: bool = True  # False while the request has no availability window

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)


def _reach_box(lat0: float, lon0: float, km: float):
    """A latitude/longitude box holding every point within `km` (great circle) of the agent's place, or None
    where no simple box does (near a pole, across the antimeridian, half the globe): the distance rule itself
    then decides alone."""
    angle = km / EARTH_RADIUS_KM
    dlat = math.degrees(angle) * REACH_MARGIN
    if abs(lat0) + dlat >= 89.0 or angle >= math.pi / 2:
        return None
    ratio = math.sin(angle) / math.cos(math.radians(lat0))
    if ratio >= 1:
        return None
    dlon = math.degrees(math.asin(ratio)) * REACH_MARGIN
    if lon0 - dlon < -180 or lon0 + dlon > 180:
        return None
    return (lat0 - dlat, lat0 + dlat), (lon0 - dlon, lon0 + dlon)


def _candidates(immersion_request: ImmersionRequest, request: appariement.Request, today: date) -> Select:
    """Sessions worth asking the engine about, on cheap conditions that never drop an eligible one: a published
    offer of the network from another organisation, starting after today, overlapping an availability window,
    and (with a distance limit) a remote offer or a host inside the bounding box of the agent's reach."""
    located, offer_latitude, offer_longitude, _city = located_offers(
        select(OfferSession)
        .join(Offer, OfferSession.offer_id == Offer.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
    )
    latitude = func.coalesce(offer_latitude, 0.0)  # as the engine reads a place without coordinates
    longitude = func.coalesce(offer_longitude, 0.0)
    query = located.where(
        Organisation.network_id == immersion_request.organisation.network_id,
        Offer.status == OfferStatus.PUBLISHED,
        Organisation.is_active,
        Offer.organisation_id != immersion_request.organisation_id,
        OfferSession.start_date > today,
        or_(*(and_(OfferSession.start_date <= end, OfferSession.end_date >= start) for start, end in request.windows)),
    )
    box = _reach_box(request.lat, request.lon, request.max_distance_km) if request.max_distance_km is not None else None
    if box is not None:
        (south, north), (west, east) = box
        near = and_(latitude.between(south, north), longitude.between(west, east))
        query = query.where(or_(Offer.place == Place.REMOTE, near))
    # Beyond MAX_CANDIDATES, the nearest first (a flat approximation is enough to choose which to examine).
    k = math.cos(math.radians(request.lat))
    spread = (latitude - request.lat) * (latitude - request.lat) + (longitude - request.lon) * (
        longitude - request.lon
    ) * (k * k)
    return query.order_by(spread, OfferSession.id)


def compatible_offers(
    immersion_request: ImmersionRequest, page: int = 1, per_page: int = PER_PAGE, today: date | None = None
) -> CompatiblePage:
    """The published offers of the network with at least one upcoming session that keeps every rule for the
    request as it stands, closest first (then by id), one page of them."""
    today = today or date.today()
    page = max(page, 1)
    if not immersion_request.windows:
        return CompatiblePage([], 0, page, per_page, 0, False, checked=False)
    network = immersion_request.organisation.network
    request = engine_request(
        immersion_request, immersion_request.organisation, _quota_left(immersion_request.agent, network, today)
    )
    sessions = list(
        db.session.scalars(_with_offers(_candidates(immersion_request, request, today)).limit(MAX_CANDIDATES + 1))
    )
    truncated = len(sessions) > MAX_CANDIDATES
    sessions = sessions[:MAX_CANDIDATES]
    checks = _check(immersion_request, network, sessions, today) if sessions else {}
    fitting: dict[int, list[OfferSession]] = {}
    distance: dict[int, float] = {}
    for session in sessions:
        check = checks[session.id]
        if check.ok and check.distance_km is not None:
            fitting.setdefault(session.offer_id, []).append(session)
            distance[session.offer_id] = check.distance_km
    wished = {w.offer_id for w in immersion_request.wishes}
    order = sorted(fitting, key=lambda offer_id: (distance[offer_id], offer_id))
    items = [
        CompatibleOffer(
            offer=fitting[offer_id][0].offer,
            distance_km=distance[offer_id],
            sessions=sorted(fitting[offer_id], key=lambda s: (s.start_date, s.id)),
            wished=offer_id in wished,
        )
        for offer_id in order[(page - 1) * per_page : page * per_page]
    ]
    return CompatiblePage(items, len(order), page, per_page, len(sessions), truncated)
