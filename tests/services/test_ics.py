"""The immersion's calendar file: one all-day event per working day (weekends and public holidays left out),
at the host's address, naming the tutor; the first day says where and when the visitor is met."""

from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from mobilite.extensions import db
from mobilite.models import ImmersionStatus
from mobilite.services import immersions as service
from tests.factories import ImmersionFactory

# Wednesday 7 May 2031 to Tuesday 13 May 2031: Thursday 8 May is a public holiday (Victoire 1945), then a
# weekend. Four working days: Wednesday 7, Friday 9, Monday 12, Tuesday 13.
START, END = date(2031, 5, 7), date(2031, 5, 13)
WORKING_DAYS = [date(2031, 5, 7), date(2031, 5, 9), date(2031, 5, 12), date(2031, 5, 13)]


@pytest.fixture
def immersion(ctx):
    item = ImmersionFactory(
        proposal__session__start_date=START, proposal__session__end_date=END, proposal__session__working_days=4
    )
    offer = item.session.offer
    offer.tutor_name, offer.tutor_role, offer.tutor_email = "Jeanne Dœuf", "Cheffe de service", "jeanne@exemple.fr"
    offer.organisation.address, offer.organisation.postcode, offer.organisation.city = (
        "1 place de l'Hôtel de Ville",
        "38000",
        "Grenoble",
    )
    offer.meeting_time, offer.meeting_place = time(9, 30), "Accueil du bâtiment B"
    db.session.commit()
    return item


def _events(immersion):
    return Calendar.from_ical(service.immersion_ics(immersion)).walk("VEVENT")


def _text(event, name: str) -> str:
    return str(event.get(name, ""))


def test_one_all_day_event_per_working_day_without_weekends_and_holidays(immersion):
    events = _events(immersion)
    assert [e.decoded("dtstart") for e in events] == WORKING_DAYS
    for event in events:  # all-day: a date, the end being the next day (exclusive, as iCalendar wants)
        day = event.decoded("dtstart")
        assert type(day) is date and event.decoded("dtend") == day + timedelta(days=1)
        assert _text(event, "status") == "CONFIRMED"
    assert [_text(e, "description").splitlines()[0] for e in events] == [f"Jour {n} sur 4" for n in range(1, 5)]


def test_each_day_has_its_own_stable_uid(immersion):
    uids = [_text(e, "uid") for e in _events(immersion)]
    assert len(set(uids)) == 4
    assert uids[0] == f"immersion-{immersion.id}-20310507@localhost"
    assert [_text(e, "uid") for e in _events(immersion)] == uids  # calendars update instead of duplicating


def test_every_day_gives_the_host_address_and_the_tutor(immersion):
    for event in _events(immersion):
        location, description = _text(event, "location"), _text(event, "description")
        assert "1 place de l'Hôtel de Ville, 38000 Grenoble" in location
        assert "Tuteur ou tutrice\u00a0: Jeanne Dœuf, Cheffe de service, jeanne@exemple.fr" in description
        assert f"/agent/immersions/{immersion.id}" in description


def test_the_first_day_says_where_and_when_the_visitor_is_met(immersion):
    first, *others = _events(immersion)
    assert _text(first, "summary").endswith("rendez-vous à 09:30")
    assert "Rendez-vous le premier jour\u00a0: à 09:30, Accueil du bâtiment B" in _text(first, "description")
    assert _text(first, "location").startswith("Accueil du bâtiment B, ")
    for event in others:
        assert "rendez-vous" not in _text(event, "summary").lower()
        assert "Rendez-vous" not in _text(event, "description")
        assert "Accueil du bâtiment B" not in _text(event, "location")


def test_the_meeting_time_is_written_in_the_reader_s_language(immersion):
    with force_locale("en"):
        first = _events(immersion)[0]
    assert _text(first, "summary").replace("\u202f", " ").endswith("meeting at 9:30 AM")
    assert "Day 1 of 4" in _text(first, "description")


def test_without_a_meeting_time_or_place_no_day_mentions_one(immersion):
    offer = immersion.session.offer
    offer.meeting_time, offer.meeting_place = None, ""
    db.session.commit()
    events = _events(immersion)
    assert len(events) == 4
    for event in events:
        assert "rendez-vous" not in (_text(event, "summary") + _text(event, "description")).lower()
        assert _text(event, "location").startswith(offer.organisation.name)


def test_a_place_alone_is_given_without_a_time(immersion):
    immersion.session.offer.meeting_time = None
    db.session.commit()
    first = _events(immersion)[0]
    assert "Rendez-vous le premier jour\u00a0: Accueil du bâtiment B" in _text(first, "description")
    assert "rendez-vous" not in _text(first, "summary").lower()


def test_a_cancelled_immersion_cancels_every_day(immersion):
    immersion.status = ImmersionStatus.CANCELLED
    db.session.commit()
    assert {_text(e, "status") for e in _events(immersion)} == {"CANCELLED"}
