"""factory_boy factories for the models, flushed into the test's transaction."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from mobilite.extensions import db
from mobilite.models import (
    AvailabilityWindow,
    ImmersionRequest,
    Network,
    Offer,
    OfferSession,
    OfferStatus,
    Organisation,
    OrganisationKind,
    RequestStatus,
    Role,
    Skill,
    Theme,
    User,
)
from mobilite.services.auth import hash_password

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the scoped session of the test
        sqlalchemy_session_persistence = "commit"


class NetworkFactory(Base):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.Sequence(lambda n: f"reseau-{n}")


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Ville n°{n}")
    slug = factory.Sequence(lambda n: f"ville-{n}")
    kind = OrganisationKind.COMMUNE
    city = "Lyon"
    postcode = "69001"
    latitude = 45.76
    longitude = 4.83


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"agent{n}@example.fr")
    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password_hash = _PASSWORD_HASH
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [Role.AGENT]:
            self.add_role(Role(role))
        if create:
            db.session.commit()


class CoordinatorFactory(UserFactory):
    organisation = None
    network_id = factory.LazyFunction(lambda: NetworkFactory().id)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [Role.COORDINATOR]:
            self.add_role(Role(role))
        if create:
            db.session.commit()


class ThemeFactory(Base):
    class Meta:
        model = Theme

    code = factory.Sequence(lambda n: f"theme-{n}")
    label_fr = factory.Sequence(lambda n: f"Thème {n}")
    label_en = factory.Sequence(lambda n: f"Theme {n}")


class SkillFactory(Base):
    class Meta:
        model = Skill

    code = factory.Sequence(lambda n: f"skill-{n}")
    theme = factory.SubFactory(ThemeFactory)
    label_fr = factory.Sequence(lambda n: f"Compétence {n}")
    label_en = factory.Sequence(lambda n: f"Skill {n}")


class OfferFactory(Base):
    class Meta:
        model = Offer

    organisation = factory.SubFactory(OrganisationFactory)
    team = "Service urbanisme"
    title = factory.Sequence(lambda n: f"Immersion n°{n}")
    description = "Découvrir l'instruction des permis de construire."
    status = OfferStatus.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if extracted:
            self.themes = list(extracted)
            if create:
                db.session.commit()


class OfferSessionFactory(Base):
    class Meta:
        model = OfferSession

    offer = factory.SubFactory(OfferFactory)
    start_date = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=2))
    working_days = 3
    capacity = 2


class RequestFactory(Base):
    class Meta:
        model = ImmersionRequest

    agent = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.agent.organisation)
    status = RequestStatus.SUBMITTED
    # Submitted once unless still a draft, as the service does: HR sees a request from its submission on.
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == RequestStatus.DRAFT else utcnow())
    min_days = 2
    max_days = 5
    motivation = "Découvrir un autre métier."
    career_project = "Confirmer mon envie de rejoindre un service d'urbanisme."

    @factory.post_generation
    def windows(self, create, extracted, **kwargs):
        start = date.today() + timedelta(days=7)
        self.windows.append(AvailabilityWindow(start_date=start, end_date=start + timedelta(days=30)))
        if create:
            db.session.commit()


# --- after publication: rounds, proposals and immersions -----------------------------------------------

from mobilite.models import (  # noqa: E402
    Answer,
    Immersion,
    ImmersionStatus,
    Proposal,
    ProposalStatus,
    Round,
    RoundStatus,
    utcnow,
)


class RoundFactory(Base):
    """A published round; week_start goes back one week per instance so a network can hold several."""

    class Meta:
        model = Round

    network = factory.SubFactory(NetworkFactory)
    week_start = factory.Sequence(lambda n: date.today() - timedelta(days=date.today().weekday()) - timedelta(weeks=n))
    status = RoundStatus.PUBLISHED
    published_at = factory.LazyFunction(utcnow)


def _request_in_network_of(session: OfferSession) -> ImmersionRequest:
    organisation = OrganisationFactory(network=session.offer.organisation.network)
    return RequestFactory(agent=UserFactory(organisation=organisation), status=RequestStatus.MATCHED)


class ProposalFactory(Base):
    """A published proposal: an agent of another organisation of the host's network, on a session."""

    class Meta:
        model = Proposal

    session = factory.SubFactory(OfferSessionFactory)
    request = factory.LazyAttribute(lambda o: _request_in_network_of(o.session))
    round = factory.LazyAttribute(lambda o: RoundFactory(network=o.session.offer.organisation.network))
    status = ProposalStatus.PUBLISHED
    score = 50
    respond_by = factory.LazyFunction(lambda: date.today() + timedelta(days=7))


class ImmersionFactory(Base):
    """A confirmed immersion, with its confirmed proposal (set dates through proposal__session__…)."""

    class Meta:
        model = Immersion

    proposal = factory.SubFactory(
        ProposalFactory,
        status=ProposalStatus.CONFIRMED,
        agent_answer=Answer.ACCEPTED,
        host_answer=Answer.ACCEPTED,
        agent_answered_at=factory.LazyFunction(utcnow),
        host_answered_at=factory.LazyFunction(utcnow),
    )
    agent_id = factory.LazyAttribute(lambda o: o.proposal.request.agent_id)
    home_organisation_id = factory.LazyAttribute(lambda o: o.proposal.request.organisation_id)
    host_organisation_id = factory.LazyAttribute(lambda o: o.proposal.session.offer.organisation_id)
    session = factory.LazyAttribute(lambda o: o.proposal.session)
    start_date = factory.LazyAttribute(lambda o: o.proposal.session.start_date)
    end_date = factory.LazyAttribute(lambda o: o.proposal.session.end_date)
    working_days = factory.LazyAttribute(lambda o: o.proposal.session.working_days)
    status = ImmersionStatus.CONFIRMED
