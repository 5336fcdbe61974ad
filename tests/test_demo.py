"""The demo network loads once, with the programme's twelve organisations and realistic people."""

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Offer, OfferStatus, Organisation, Role, Skill, Theme, User, UserRole
from mobilite.seed import demo_data
from mobilite.services import demo
from tests.fixtures import login

PASSWORD = "demo password for tests"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_the_programme_and_is_idempotent(ctx):
    demo.load_demo(PASSWORD)
    counts = {m: _count(m) for m in (Organisation, User, Offer, ImmersionRequest, Theme, Skill)}
    assert counts[Organisation] == 12
    assert {o.name for o in db.session.scalars(select(Organisation))} == {o["name"] for o in demo_data.ORGANISATIONS}
    agents_only = db.session.scalar(
        select(func.count(func.distinct(UserRole.user_id))).where(UserRole.role == Role.AGENT)
    )
    assert 75 <= agents_only <= 120
    assert counts[Theme] >= 20 and counts[Skill] >= 100
    lyon = db.session.scalar(select(Organisation).where(Organisation.slug == "ville-de-lyon"))
    assert abs(lyon.latitude - 45.76) < 0.05 and abs(lyon.longitude - 4.83) < 0.05

    demo.load_demo(PASSWORD)
    assert {m: _count(m) for m in counts} == counts


def test_demo_accounts_are_printed_by_the_cli(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "rh.ville-de-lyon@demo.mobilite.fr" in result.output
    assert "coordination@demo.mobilite.fr" in result.output
    again = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert "déjà" in again.output


def test_lyon_hr_sees_lyon_offers_and_only_those(app, client):
    with app.test_request_context():
        demo.load_demo(PASSWORD)
    lyon_titles = set(
        db.session.scalars(select(Offer.title).join(Organisation).where(Organisation.slug == "ville-de-lyon"))
    )
    other_titles = set(
        db.session.scalars(select(Offer.title).join(Organisation).where(Organisation.slug != "ville-de-lyon"))
    )
    assert lyon_titles and other_titles
    login(client, "rh.ville-de-lyon@demo.mobilite.fr", PASSWORD)
    html = client.get("/rh/").get_data(as_text=True).replace("&#39;", "'")
    assert all(title in html for title in lyon_titles)
    assert not any(title in html for title in other_titles)


def test_demo_has_published_offers_with_future_sessions_and_approved_requests(ctx):
    demo.load_demo(PASSWORD)
    published = db.session.scalars(select(Offer).where(Offer.status == OfferStatus.PUBLISHED)).all()
    assert len(published) >= 30
    assert all(offer.sessions for offer in published)
    assert db.session.scalar(select(func.count(ImmersionRequest.id)).where(ImmersionRequest.status == "approved")) >= 20
