"""Human labels for the enums, translated per request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mobilite.models import (
    OfferStatus,
    OrganisationKind,
    Place,
    ProposalStatus,
    RequestStatus,
    Role,
    RoundStatus,
)

# Keyed by enum class first: several enums share values ("published", "draft"…).
LABELS: dict[type, dict] = {
    Role: {
        Role.AGENT: _l("Agent"),
        Role.RH: _l("RH"),
        Role.COORDINATOR: _l("Coordination"),
        Role.ADMIN: _l("Administration"),
    },
    OfferStatus: {
        OfferStatus.DRAFT: _l("Brouillon"),
        OfferStatus.SUBMITTED: _l("En validation"),
        OfferStatus.PUBLISHED: _l("Publiée"),
        OfferStatus.CLOSED: _l("Close"),
        OfferStatus.ARCHIVED: _l("Archivée"),
    },
    RequestStatus: {
        RequestStatus.DRAFT: _l("Brouillon"),
        RequestStatus.SUBMITTED: _l("En attente de l'employeur"),
        RequestStatus.APPROVED: _l("Approuvée"),
        RequestStatus.REFUSED: _l("Refusée"),
        RequestStatus.POSTPONED: _l("Reportée"),
        RequestStatus.MATCHED: _l("Proposition reçue"),
        RequestStatus.CLOSED: _l("Terminée"),
        RequestStatus.WITHDRAWN: _l("Retirée"),
    },
    RoundStatus: {
        RoundStatus.SCHEDULED: _l("Programmé"),
        RoundStatus.RUNNING: _l("En cours"),
        RoundStatus.PROPOSED: _l("Propositions à revoir"),
        RoundStatus.PUBLISHED: _l("Publié"),
        RoundStatus.FAILED: _l("Échec"),
    },
    ProposalStatus: {
        ProposalStatus.PROPOSED: _l("Proposée"),
        ProposalStatus.APPROVED: _l("Validée par la coordination"),
        ProposalStatus.REJECTED: _l("Écartée"),
        ProposalStatus.PUBLISHED: _l("En attente de réponse"),
        ProposalStatus.ACCEPTED: _l("Acceptée"),
        ProposalStatus.DECLINED: _l("Déclinée"),
        ProposalStatus.EXPIRED: _l("Expirée"),
        ProposalStatus.CONFIRMED: _l("Confirmée"),
    },
    Place: {
        Place.ON_SITE: _l("Sur site"),
        Place.HYBRID: _l("Hybride"),
        Place.REMOTE: _l("À distance"),
    },
    OrganisationKind: {
        OrganisationKind.COMMUNE: _l("Commune"),
        OrganisationKind.EPCI: _l("Intercommunalité"),
        OrganisationKind.DEPARTEMENT: _l("Département"),
        OrganisationKind.REGION: _l("Région"),
        OrganisationKind.CCAS: _l("CCAS"),
        OrganisationKind.CARSAT: _l("Carsat"),
        OrganisationKind.ETAT: _l("Service de l'État"),
        OrganisationKind.HOPITAL: _l("Établissement hospitalier"),
        OrganisationKind.AUTRE: _l("Autre"),
    },
}


# The terms of a proposal's score (appariement's soft goals), as a coordinator reads them.
SCORE_TERMS = {
    "base": _l("Placement"),
    "interest": _l("Intérêts"),
    "skill_fit": _l("Compétences"),
    "wish": _l("Vœu"),
    "distance": _l("Proximité"),
    "waiting": _l("Attente"),
    "fairness": _l("Équité"),
    "reciprocity": _l("Réciprocité"),
    "manual": _l("Choix manuel"),
}


# Why an eligible session could not take an unmatched request.
BLOCKERS = {
    "full": _l("complète"),
    "diversity": _l("déjà assez d'agents de la même organisation"),
    "continuity": _l("continuité de service de l'organisation d'origine"),
    "not_chosen": _l("non retenue"),
}


def term_label(term: str) -> str:
    return str(SCORE_TERMS.get(term, BLOCKERS.get(term, term)))


def label(value) -> str:
    return str(LABELS.get(type(value), {}).get(value, value))


def init_app(app) -> None:
    app.add_template_filter(label, "status_label")
    app.add_template_filter(term_label, "term_label")
    from mobilite.services.stages import stage  # (it reads the proposal and immersion of a request)

    app.add_template_filter(stage, "stage")
