"""The host's HR reads, before answering, who is coming: motivation, current job, the skills and interests that
bear on the offer, and the score in plain words. Nobody else's HR does, and the host only once the proposal
is published to them; the agent's form says exactly who reads the motivation."""

from __future__ import annotations

from html import unescape

from mobilite.extensions import db
from mobilite.models import OfferPrerequisite, ProposalStatus, RequestStatus, Role, UserSkill, Wish
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import login

MOTIVATION = "Je veux comprendre comment une métropole instruit les permis avant de reprendre ce dossier chez nous."


def _proposal(status=ProposalStatus.PUBLISHED):
    """An agent of Lyon proposed on an offer of a host 30 km north; they share one theme and one skill."""
    home = OrganisationFactory(latitude=45.764, longitude=4.836)
    host = OrganisationFactory(
        network=home.network, name="Métropole d'accueil", latitude=45.764 + 30 / 111.195, longitude=4.836
    )
    urbanism, digital, other = ThemeFactory(label_fr="Urbanisme"), ThemeFactory(label_fr="Numérique"), ThemeFactory()
    instruction = SkillFactory(theme=urbanism, label_fr="Instruction des autorisations")
    gis = SkillFactory(theme=urbanism, label_fr="Cartographie SIG")
    law = SkillFactory(theme=urbanism, label_fr="Droit de l'urbanisme")
    offer = OfferFactory(organisation=host, themes=[urbanism], title="Instruire un permis")
    offer.skills = [instruction, gis]
    offer.prerequisites = [OfferPrerequisite(skill=law, min_level=2)]
    agent = UserFactory(organisation=home, first_name="Inès", job_title="Gestionnaire ADS", team="Service urbanisme")
    agent.skills = [UserSkill(skill=gis, level=2), UserSkill(skill=law, level=3)]
    agent.interests = [urbanism, other]
    item = RequestFactory(agent=agent, status=RequestStatus.MATCHED, motivation=MOTIVATION, max_distance_km=50)
    item.themes, item.skills = [urbanism, digital], [instruction]
    item.wishes.append(Wish(offer=offer, rank=1))
    db.session.commit()
    breakdown = {"base": 100, "interest": 267, "skill_fit": 62, "wish": 500, "distance": 80, "waiting": 0}
    proposal = ProposalFactory(
        session=OfferSessionFactory(offer=offer), request=item, status=status, breakdown=breakdown, score=1009
    )
    return proposal, UserFactory(organisation=host, roles=[Role.RH]), UserFactory(organisation=home, roles=[Role.RH])


def _page(client, user, proposal):
    login(client, user.email)
    response = client.get(f"/rh/propositions/{proposal.id}")
    return response.status_code, unescape(response.get_data(as_text=True))


def test_the_host_reads_who_is_coming_before_answering(client):
    proposal, host_hr, _home_hr = _proposal()
    status, page = _page(client, host_hr, proposal)
    assert status == 200
    assert "Qui vient\u00a0: Inès" in page and MOTIVATION in page
    assert "Gestionnaire ADS · Service urbanisme" in page
    # What the agent asked for and the offer covers: the theme and the skill, not the other theme.
    assert "Urbanisme, Instruction des autorisations" in page and "Numérique" in page
    # The agent's level in each skill of the offer, and against the prerequisite.
    assert "Cartographie SIG" in page and "2 — Pratique" in page
    assert "Instruction des autorisations" in page and "non indiquée dans son profil" in page
    assert "3 — Maîtrise\u202f; niveau demandé\u00a0: 2 — Pratique" in page
    # The score in plain words, not in points.
    assert "Thématiques et compétences souhaitées couvertes par l'offre" in page and "2 sur 3" in page
    assert "1 sur 2 nouvelles pour l'agent" in page
    assert "vœu n°1" in page
    assert "30 km\u202f; sa limite\u00a0: 50 km" in page
    assert "267" not in page and "interest" not in page
    # Before the answer form.
    assert page.index(MOTIVATION) < page.index("Accepter la proposition")


def test_in_english(client):
    proposal, host_hr, _home_hr = _proposal()
    host_hr.locale = "en"
    db.session.commit()
    _status, page = _page(client, host_hr, proposal)
    assert "Who is coming: Inès" in page and "2 of 3" in page and "wish 1" in page


def test_another_organisations_hr_and_the_home_hr_do_not_read_it(client):
    proposal, _host_hr, home_hr = _proposal()
    stranger = UserFactory(organisation=OrganisationFactory(network=home_hr.organisation.network), roles=[Role.RH])
    status, page = _page(client, stranger, proposal)
    assert status == 404 and MOTIVATION not in page
    status, page = _page(client, home_hr, proposal)  # the employer follows the proposal, and reads the request
    assert status == 200 and "Qui vient" not in page


def test_the_host_reads_it_only_once_the_proposal_is_published(client):
    for status in (ProposalStatus.PROPOSED, ProposalStatus.APPROVED, ProposalStatus.REJECTED):
        proposal, host_hr, _home_hr = _proposal(status)
        code, page = _page(client, host_hr, proposal)
        assert code == 404 and MOTIVATION not in page


def test_the_request_form_says_who_reads_the_motivation(client):
    agent = UserFactory(work_latitude=45.76, work_longitude=4.83, work_city="Lyon")
    login(client, agent.email)
    page = unescape(client.get("/agent/demandes/nouvelle").get_data(as_text=True))
    assert (
        "Elle est lue par le service RH de votre employeur et, quand son avis est demandé, par votre responsable "
        "hiérarchique, qui examinent votre demande\u202f; puis, après une proposition, par le service RH de "
        "l'organisation d'accueil." in page
    )
