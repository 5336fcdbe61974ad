"""The three-party agreement of an immersion (décret n° 2016-1732, art. 13-1), filled in and signed online.

- Drafted from the data when both sides accept the proposal (services/proposals.py), or when first read for
  an immersion confirmed before this existed.
- The host's HR completes it (functions observed, required; objectives; daily hours; who bears the travel
  costs; the dates, within the session); the home HR checks it: the document is then frozen (its exact PDF
  bytes and their SHA-256) and the parties sign it in the network's order (networks.signing_order).
- A signature is a simple electronic signature with its evidence: account, time, IP, the SHA-256 of the
  bytes signed (the signer posts the hash they were shown: a stale page is refused), how they signed in.
- Any change after the check voids every signature (kept, with the reason), makes a new version, and tells
  those who had signed; the home HR checks the new version.
- When the last party signs, the signed PDF (the agreement and its signature page) is stored: every
  download gives the same bytes.

Following the agreements up (the coordination's overview and reminders, the flag of an agreement still
unsigned the day before) is in services.agreement_follow_up.
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.limits import MAX_WORKING_DAYS, MIN_WORKING_DAYS
from mobilite.models import (
    Agreement,
    AgreementSignature,
    AgreementState,
    AuthMethod,
    Immersion,
    ImmersionStatus,
    Network,
    OfferSession,
    SignatureParty,
    TravelCostsBearer,
    User,
    utcnow,
)
from mobilite.models.agreement import DEFAULT_SIGNING_ORDER
from mobilite.notifications import agreement as notices
from mobilite.services import audit
from mobilite.services import immersions as immersion_service
from mobilite.services.agreement_document import document_pdf, signed_pdf
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers
from mobilite.workdays import count_working_days

MAX_FUNCTIONS_LENGTH = 4000
MAX_OBJECTIVES_LENGTH = 4000
MAX_HOURS_LENGTH = 200

STATE_LABELS = {
    AgreementState.DRAFTED: _l("À compléter par l'organisation d'accueil"),
    AgreementState.COMPLETED: _l("À vérifier par l'employeur d'origine"),
    AgreementState.CHECKED: _l("Prête à signer"),
    AgreementState.SIGNING: _l("En cours de signature"),
    AgreementState.SIGNED: _l("Signée par les trois parties"),
}
PARTY_LABELS = {
    SignatureParty.AGENT: _l("L'agent"),
    SignatureParty.HOME: _l("L'employeur d'origine"),
    SignatureParty.HOST: _l("L'organisation d'accueil"),
}
METHOD_LABELS = {
    AuthMethod.PASSWORD: _l("compte mobilite, mot de passe"),
    AuthMethod.PROCONNECT: _l("compte mobilite, connexion ProConnect"),
    AuthMethod.ONE_TIME_LINK: _l("lien à usage unique"),
    AuthMethod.API_TOKEN: _l("jeton d'API personnel"),
}
BEARER_LABELS = {
    TravelCostsBearer.HOME: _l("L'employeur d'origine, comme pour une mission"),
    TravelCostsBearer.HOST: _l("L'organisation d'accueil"),
}
_SIGNABLE = (AgreementState.CHECKED, AgreementState.SIGNING)


# --- reading ------------------------------------------------------------------------------------------------


def of(immersion: Immersion) -> Agreement:
    """The immersion's agreement, drafted now when it has none yet (an immersion from before agreements).

    Two first reads at once both find none. On SQLite the write lock comes first and the second one reads
    again behind it; on PostgreSQL the second insert meets the unique key inside its savepoint and reads the
    agreement the first one drafted."""
    agreement = _read(immersion)
    if agreement is not None:
        return agreement
    db.begin_write()
    try:
        with db.session.begin_nested():
            agreement = _read(immersion) or draft(immersion, notify=False)
    except IntegrityError:
        existing = _read(immersion)
        if existing is None:
            raise
        agreement = existing
    db.session.commit()
    return agreement


def _read(immersion: Immersion) -> Agreement | None:
    return db.session.scalar(
        select(Agreement).where(Agreement.immersion_id == immersion.id).options(selectinload(Agreement.signatures))
    )


def draft(immersion: Immersion, notify: bool = True) -> Agreement:
    """The agreement as both sides' acceptance leaves it: everything the data says; the host completes it."""
    agreement = Agreement(
        immersion=immersion,
        immersion_id=immersion.id,
        state=AgreementState.DRAFTED,
        version=1,
        travel_costs_by=TravelCostsBearer.HOME,
        state_since=utcnow(),
    )
    db.session.add(agreement)
    db.session.flush()
    if notify:
        notices.waiting(immersion, _recipients_for(immersion, AgreementState.DRAFTED, None), "complete")
    return agreement


def network_of(immersion: Immersion) -> Network:
    return immersion.proposal.round.network


def signing_order(network: Network) -> list[SignatureParty]:
    """The network's order; the default one when the setting is not a permutation of the three parties."""
    try:
        order = [SignatureParty(p.strip()) for p in (network.signing_order or "").split(",")]
    except ValueError:
        order = []
    if sorted(order) != sorted(SignatureParty):
        order = [SignatureParty(p) for p in DEFAULT_SIGNING_ORDER.split(",")]
    return order


def next_party(agreement: Agreement) -> SignatureParty | None:
    """Who signs next; None before the check and once everybody signed."""
    if agreement.state not in _SIGNABLE:
        return None
    signed = {s.party for s in agreement.active_signatures()}
    for party in signing_order(network_of(agreement.immersion)):
        if party not in signed:
            return party
    return None


def parties_of(user: User, immersion: Immersion) -> set[SignatureParty]:
    """The parts the user plays: the agent, an HR officer of the home employer or of the host."""
    found = set()
    if immersion.agent_id == user.id:
        found.add(SignatureParty.AGENT)
    if user.is_hr_of(immersion.home_organisation_id) and immersion.agent_id != user.id:
        found.add(SignatureParty.HOME)
    if user.is_hr_of(immersion.host_organisation_id) and immersion.agent_id != user.id:
        found.add(SignatureParty.HOST)
    return found


def may_read(user: User, immersion: Immersion) -> bool:
    """The three parties and the network's coordinators; nobody else."""
    return bool(parties_of(user, immersion)) or user.coordinates(network_of(immersion).id)


def is_open(immersion: Immersion, today: date | None = None) -> bool:
    """Still confirmed and not begun: the agreement may change and be signed."""
    return immersion.status == ImmersionStatus.CONFIRMED and (today or date.today()) < immersion.start_date


def may_complete(user: User, immersion: Immersion) -> bool:
    return SignatureParty.HOST in parties_of(user, immersion) and is_open(immersion)


def may_check(user: User, agreement: Agreement) -> bool:
    return (
        SignatureParty.HOME in parties_of(user, agreement.immersion)
        and agreement.state == AgreementState.COMPLETED
        and is_open(agreement.immersion)
    )


def may_sign_as(user: User, agreement: Agreement, party: SignatureParty) -> bool:
    return (
        party in parties_of(user, agreement.immersion)
        and next_party(agreement) == party
        and is_open(agreement.immersion)
    )


def status(agreement: Agreement) -> dict:
    """Where the agreement stands: its state, whom it waits for and since when, its signatures."""
    waiting = _waiting_for(agreement)
    return {
        "state": agreement.state,
        "state_label": STATE_LABELS[agreement.state],
        "version": agreement.version,
        "waiting_for": waiting,
        "waiting_label": PARTY_LABELS[waiting] if waiting else "",
        "since": agreement.state_since or agreement.created_at,
        "order": signing_order(network_of(agreement.immersion)),
        "document_sha256": agreement.document_sha256,
        "signed_sha256": agreement.signed_sha256,
        "signatures": agreement.active_signatures(),
        "voided": [s for s in agreement.signatures if s.voided_at is not None],
    }


def _waiting_for(agreement: Agreement) -> SignatureParty | None:
    if agreement.state == AgreementState.DRAFTED:
        return SignatureParty.HOST
    if agreement.state == AgreementState.COMPLETED:
        return SignatureParty.HOME
    return next_party(agreement)


# --- changing -----------------------------------------------------------------------------------------------


def _lock(agreement: Agreement) -> None:
    """Two people acting at once (a change and a signature) go one after the other."""
    db.session.execute(select(Agreement.id).where(Agreement.id == agreement.id).with_for_update())
    db.session.refresh(agreement)


def _check_text(errors: dict, name: str, value: str, limit: int, required_message: str | None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        errors[name] = [required_message]
    elif len(value) > limit:
        errors[name] = [_("%(n)d caractères au plus.", n=limit)]
    return value


def complete(actor: User, immersion: Immersion, data: dict, today: date | None = None) -> Agreement:
    """The host's HR fills in (or changes) the agreement. A change after the check voids the signatures."""
    today = today or date.today()
    if SignatureParty.HOST not in parties_of(actor, immersion):
        raise ServiceError(_("Seuls les RH de l'organisation d'accueil complètent la convention."))
    if not is_open(immersion, today):
        raise ServiceError(_("L'immersion a commencé ou n'est plus confirmée : la convention ne change plus."))
    agreement = of(immersion)
    _lock(agreement)
    errors: dict[str, list[str]] = {}
    functions = _check_text(
        errors,
        "functions_observed",
        data.get("functions_observed", ""),
        MAX_FUNCTIONS_LENGTH,
        _("Décrivez les fonctions que la personne observera : la convention les indique obligatoirement."),
    )
    objectives = _check_text(errors, "objectives", data.get("objectives", ""), MAX_OBJECTIVES_LENGTH, None)
    hours = _check_text(
        errors,
        "daily_hours",
        data.get("daily_hours", ""),
        MAX_HOURS_LENGTH,
        _("Indiquez les horaires de la journée, par exemple « 9 h – 12 h 30, 14 h – 17 h »."),
    )
    try:
        bearer = TravelCostsBearer(data.get("travel_costs_by") or TravelCostsBearer.HOME)
    except ValueError:
        errors["travel_costs_by"] = [_("Choisissez qui prend en charge les frais de déplacement.")]
        bearer = agreement.travel_costs_by
    start, end = _dates(errors, immersion, data, today)
    if errors:
        raise ServiceError(errors)

    changed = (
        functions != agreement.functions_observed
        or objectives != agreement.objectives
        or hours != agreement.daily_hours
        or bearer != agreement.travel_costs_by
        or (start, end) != (immersion.start_date, immersion.end_date)
    )
    if not changed and agreement.state != AgreementState.DRAFTED:
        return agreement
    if agreement.state != AgreementState.DRAFTED:
        _void(agreement, actor, _("La convention a été modifiée par l'organisation d'accueil."))
    agreement.functions_observed, agreement.objectives, agreement.daily_hours = functions, objectives, hours
    agreement.travel_costs_by = bearer
    if (start, end) != (immersion.start_date, immersion.end_date):
        audit.record(
            actor,
            "immersion.dates",
            immersion,
            organisation_id=immersion.host_organisation_id,
            before=[str(immersion.start_date), str(immersion.end_date)],
            after=[str(start), str(end)],
        )
        immersion.start_date, immersion.end_date = start, end
        immersion.working_days = count_working_days(start, end)
    agreement.state = AgreementState.COMPLETED
    agreement.state_since = utcnow()
    agreement.completed_by_id = actor.id
    audit.record(
        actor,
        "agreement.complete",
        immersion,
        organisation_id=immersion.host_organisation_id,
        version=agreement.version,
    )
    notices.waiting(immersion, _recipients_for(immersion, AgreementState.COMPLETED, None), "check")
    db.session.commit()
    return agreement


def _dates(errors: dict, immersion: Immersion, data: dict, today: date) -> tuple[date, date]:
    """The dates asked for, within the session's; the immersion's own when none are given."""
    start, end = data.get("start_date") or immersion.start_date, data.get("end_date") or immersion.end_date
    session: OfferSession = immersion.session
    if start < session.start_date or end > session.end_date:
        errors["start_date" if start < session.start_date else "end_date"] = [
            _(
                "Les dates restent dans celles de la session, du %(start)s au %(end)s.",
                start=format_date(session.start_date, "long"),
                end=format_date(session.end_date, "long"),
            )
        ]
    elif end < start:
        errors["end_date"] = [_("La fin ne peut pas précéder le début.")]
    elif start <= today:
        errors["start_date"] = [_("Le premier jour doit être après aujourd'hui.")]
    elif not MIN_WORKING_DAYS <= count_working_days(start, end) <= MAX_WORKING_DAYS:
        errors["end_date"] = [
            _("Ces dates ne comptent aucun jour ouvré : choisissez au moins %(n)d jour ouvré.", n=MIN_WORKING_DAYS)
        ]
    return start, end


def _void(agreement: Agreement, actor: User | None, reason: str) -> None:
    """Voids every signature of the current version and starts a new version; those who signed are told."""
    now = utcnow()
    voided = agreement.active_signatures()
    for signature in voided:
        signature.voided_at, signature.void_reason = now, reason
    if agreement.state in (*_SIGNABLE, AgreementState.SIGNED):
        agreement.version += 1
    agreement.document_pdf, agreement.document_sha256 = None, ""
    agreement.signed_pdf, agreement.signed_sha256, agreement.signed_at = None, "", None
    agreement.checked_at = agreement.checked_by_id = None
    if voided:
        immersion = agreement.immersion
        audit.record(
            actor,
            "agreement.void",
            immersion,
            organisation_id=immersion.host_organisation_id,
            signatures=[s.id for s in voided],
        )
        signers = [db.session.get(User, s.signer_id) for s in voided if s.signer_id is not None]
        recipients = [(user, _role_of(user, immersion)) for user in signers if user is not None and user.active]
        notices.voided(immersion, _unique(recipients), reason)


def check(actor: User, immersion: Immersion) -> Agreement:
    """The home HR checks the completed agreement: the document is frozen and the signatures open."""
    agreement = of(immersion)
    _lock(agreement)
    if SignatureParty.HOME not in parties_of(actor, immersion):
        raise ServiceError(_("Seuls les RH de l'employeur d'origine vérifient la convention."))
    if not is_open(immersion):
        raise ServiceError(_("L'immersion a commencé ou n'est plus confirmée : la convention ne change plus."))
    if agreement.state != AgreementState.COMPLETED:
        raise ServiceError(_("La convention n'attend pas de vérification : rechargez la page."))
    now = utcnow()
    agreement.checked_at, agreement.checked_by_id = now, actor.id
    content = document_content(agreement)
    agreement.document_pdf = document_pdf(content)
    agreement.document_sha256 = hashlib.sha256(agreement.document_pdf).hexdigest()
    agreement.state, agreement.state_since = AgreementState.CHECKED, now
    audit.record(
        actor,
        "agreement.check",
        immersion,
        organisation_id=immersion.home_organisation_id,
        version=agreement.version,
        sha256=agreement.document_sha256,
    )
    _tell_next(agreement)
    db.session.commit()
    return agreement


def sign(
    actor: User,
    immersion: Immersion,
    party: SignatureParty,
    sha256: str,
    ip_address: str,
    method: AuthMethod,
) -> AgreementSignature:
    """The party signs the frozen document whose hash they were shown. Refused out of turn."""
    agreement = of(immersion)
    _lock(agreement)
    if party not in parties_of(actor, immersion):
        raise ServiceError(_("Vous ne signez pas cette convention pour cette partie."))
    if not is_open(immersion):
        raise ServiceError(_("L'immersion a commencé ou n'est plus confirmée : la convention ne se signe plus."))
    if agreement.state not in _SIGNABLE:
        raise ServiceError(_("La convention n'est pas prête à signer : elle doit être complétée puis vérifiée."))
    waiting = next_party(agreement)
    if waiting != party:
        raise ServiceError(
            _(
                "Ce n'est pas encore votre tour de signer : la convention attend la signature de %(party)s.",
                party=str(PARTY_LABELS[waiting]).lower() if waiting else "—",
            )
        )
    if (sha256 or "").strip().lower() != agreement.document_sha256:
        raise ServiceError(
            {
                "sha256": [
                    _(
                        "La convention a changé depuis que vous l'avez ouverte : relisez la nouvelle version "
                        "avant de signer."
                    )
                ]
            }
        )
    now = utcnow()
    signature = AgreementSignature(
        agreement=agreement,
        version=agreement.version,
        party=party,
        signer_id=actor.id,
        signer_name=actor.full_name,
        signer_email=actor.email,
        signed_at=now,
        ip_address=(ip_address or "")[:45],
        document_sha256=agreement.document_sha256,
        auth_method=method,
    )
    db.session.add(signature)
    db.session.flush()
    organisation_id = immersion.host_organisation_id if party == SignatureParty.HOST else immersion.home_organisation_id
    audit.record(
        actor,
        "agreement.sign",
        immersion,
        organisation_id=organisation_id,
        party=party.value,
        version=agreement.version,
    )
    agreement.state_since = now
    if next_party(agreement) is None:
        agreement.state = AgreementState.SIGNED
        agreement.signed_at = now
        agreement.signed_pdf = signed_pdf(document_content(agreement), _evidence(agreement))
        agreement.signed_sha256 = hashlib.sha256(agreement.signed_pdf).hexdigest()
        notices.signed(immersion, _everyone(immersion))
    else:
        agreement.state = AgreementState.SIGNING
        _tell_next(agreement)
    db.session.commit()
    return signature


# --- the document -------------------------------------------------------------------------------------------


def document_content(agreement: Agreement) -> dict:
    """The agreement's words, in the service's own language whoever asks: the signed document is one."""
    immersion = agreement.immersion
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")):
        summary = immersion_service.agreement_summary(immersion)
        return {
            "reference": summary["reference"],
            "version": agreement.version,
            "network_name": summary["network_name"],
            "agent_name": summary["agent_name"],
            "agent_job_title": summary["agent_job_title"],
            "agent_team": summary["agent_team"],
            "home_name": summary["home_name"],
            "home_address": summary["home_address"],
            "host_name": summary["host_name"],
            "host_address": summary["host_address"],
            "team": summary["team"],
            "title": summary["title"],
            "place": summary.get("place") or "",
            "tutor_name": summary["tutor_name"],
            "tutor_role": summary["tutor_role"],
            "tutor_email": summary["tutor_email"],
            "start_date": immersion.start_date,
            "end_date": immersion.end_date,
            "working_days": immersion.working_days,
            "daily_hours": agreement.daily_hours,
            "functions_observed": agreement.functions_observed,
            "objectives": agreement.objectives,
            "travel_costs_by": agreement.travel_costs_by.value,
            # The document's date: when it was frozen, so that the same agreement gives the same bytes.
            "frozen_at": agreement.checked_at or agreement.updated_at or utcnow(),
            "draft": agreement.state in (AgreementState.DRAFTED, AgreementState.COMPLETED),
        }


def _evidence(agreement: Agreement) -> list[dict]:
    return [
        {
            "party": s.party.value,
            "name": s.signer_name,
            "email": s.signer_email,
            "signed_at": s.signed_at,
            "ip": s.ip_address,
            "sha256": s.document_sha256,
            "method": s.auth_method.value,
        }
        for s in agreement.active_signatures()
    ]


def download(immersion: Immersion) -> tuple[bytes, str]:
    """The PDF to download: the signed one once everybody signed, else the document being signed, else the
    draft as it stands (marked as a draft). Returns the bytes and the file name."""
    agreement = of(immersion)
    reference = f"IMM-{immersion.id:06d}"
    if agreement.signed_pdf is not None:
        return agreement.signed_pdf, f"convention-immersion-{reference}-signee.pdf"
    if agreement.document_pdf is not None:
        return agreement.document_pdf, f"convention-immersion-{reference}-v{agreement.version}.pdf"
    return document_pdf(document_content(agreement)), f"convention-immersion-{reference}-projet.pdf"


# --- telling people -----------------------------------------------------------------------------------------


def _role_of(user: User, immersion: Immersion) -> str:
    if user.id == immersion.agent_id:
        return "agent"
    return "home" if user.is_hr_of(immersion.home_organisation_id) else "host"


def _unique(recipients: list[tuple[User, str]]) -> list[tuple[User, str]]:
    seen: set[int] = set()
    out = []
    for user, role in recipients:
        if user.id not in seen and user.active:
            seen.add(user.id)
            out.append((user, role))
    return out


def _party_people(immersion: Immersion, party: SignatureParty) -> list[tuple[User, str]]:
    if party == SignatureParty.AGENT:
        return _unique([(db.session.get_one(User, immersion.agent_id), "agent")])
    organisation_id = immersion.home_organisation_id if party == SignatureParty.HOME else immersion.host_organisation_id
    return _unique([(u, party.value) for u in hr_officers(organisation_id) if u.id != immersion.agent_id])


def _recipients_for(immersion: Immersion, state: AgreementState, party: SignatureParty | None):
    if state == AgreementState.DRAFTED:
        return _party_people(immersion, SignatureParty.HOST)
    if state == AgreementState.COMPLETED:
        return _party_people(immersion, SignatureParty.HOME)
    return _party_people(immersion, party) if party else []


def _everyone(immersion: Immersion) -> list[tuple[User, str]]:
    return _unique(
        _party_people(immersion, SignatureParty.AGENT)
        + _party_people(immersion, SignatureParty.HOME)
        + _party_people(immersion, SignatureParty.HOST)
    )


def _tell_next(agreement: Agreement) -> None:
    party = next_party(agreement)
    if party is not None:
        notices.waiting(agreement.immersion, _party_people(agreement.immersion, party), "sign")
