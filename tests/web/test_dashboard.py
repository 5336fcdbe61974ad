"""The coordinator's dashboard: the charts, their accessible tables, the filters and the CSV files."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from mobilite.extensions import db
from mobilite.models import (
    Feedback,
    FeedbackSide,
    ImmersionStatus,
    Outcome,
    ProposalStatus,
    RequestStatus,
    UnmatchedOutlook,
)
from mobilite.workdays import shift_years
from tests.factories import (
    CoordinatorFactory,
    ImmersionFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import login

SVG = "{http://www.w3.org/2000/svg}"
INTEGER = re.compile(r"^\d{1,3}(\u00a0\d{3})*$")  # "7", "1 234": never "4.166666667", never "0.5"


def _text(element: ET.Element) -> str:
    return " ".join(part.strip() for part in element.itertext() if part.strip())


def axes(svg: str) -> dict[str, list[str]]:
    """Each titled axis of a Vega SVG: its title -> its tick labels, as drawn."""
    found = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if "role-axis" not in group.get("class", "").split():
            continue
        titles = [_text(g) for g in group.iter(f"{SVG}g") if "role-axis-title" in g.get("class", "")]
        labels = [
            _text(t)
            for g in group.iter(f"{SVG}g")
            if "role-axis-label" in g.get("class", "")
            for t in g.iter(f"{SVG}text")
        ]
        if titles:
            found[titles[0]] = labels
    return found


def _network():
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    lyon = OrganisationFactory(network=network, name="Ville de Lyon")
    nantes = OrganisationFactory(network=network, name="Nantes Métropole")
    lille = OrganisationFactory(network=network, name="Métropole de Lille")
    return coordinator, network, lyon, nantes, lille


def _immersion(round_, home, host, start, days, satisfaction=()):
    """A done immersion of an agent of `home` at `host`, placed by `round_`, with the feedback's scores."""
    session = OfferSessionFactory(
        offer__organisation=host, start_date=start, end_date=start + timedelta(days=days - 1), working_days=days
    )
    request = RequestFactory(agent=UserFactory(organisation=home), status=RequestStatus.MATCHED)
    immersion = ImmersionFactory(
        proposal__session=session, proposal__request=request, proposal__round=round_, status=ImmersionStatus.DONE
    )
    for side, score in zip((FeedbackSide.AGENT, FeedbackSide.HOST), satisfaction, strict=False):
        immersion.feedback.append(Feedback(side=side, outcome=Outcome.DONE, satisfaction=score))
    db.session.commit()
    return immersion


def _board(network, lyon, nantes, lille):
    """March: Lyon sends 2 agents to Nantes (3 and 2 days), Nantes 1 to Lyon (4 days); May: Lille 1 to Lyon."""
    round_ = RoundFactory(network=network, week_start=date(2026, 2, 16))
    _immersion(round_, lyon, nantes, date(2026, 3, 2), 3, satisfaction=(5, 4))
    _immersion(round_, lyon, nantes, date(2026, 3, 16), 2)
    _immersion(round_, nantes, lyon, date(2026, 3, 9), 4, satisfaction=(3,))
    _immersion(round_, lille, lyon, date(2026, 5, 4), 1)
    return round_


def test_flows_are_a_heat_map_with_the_same_figures_in_tables(client):
    coordinator, network, lyon, nantes, lille = _network()
    outsider = OrganisationFactory(name="Hors réseau")
    _board(network, lyon, nantes, lille)
    login(client, coordinator.email)

    html = client.get("/coordination/tableau-de-bord").get_data(as_text=True)
    assert 'src="/coordination/tableau-de-bord/echanges.svg"' in html
    # The text alternative says what the chart shows, in figures.
    assert re.search(r'alt="Carte de chaleur des immersions confirmées ou réalisées\u00a0: 4, de 3 organisations', html)
    assert "Ville de Lyon vers Nantes Métropole (2)" in html
    # The accessible tables: every pair, and each organisation's totals.
    assert re.search(r"<td>Ville de Lyon</td><td>Nantes Métropole</td><td class=\"num\">2</td>", html)
    assert re.search(r'<th scope="row">Ville de Lyon</th><td class="num">2</td><td class="num">2</td>', html)
    assert outsider.name not in html

    svg = client.get("/coordination/tableau-de-bord/echanges.svg")
    assert svg.mimetype == "image/svg+xml" and svg.headers["Content-Security-Policy"] == "default-src 'none'"
    text = svg.get_data(as_text=True)
    drawn = axes(text)
    assert drawn["Organisation d'origine"] == ["Ville de Lyon", "Métropole de Lille", "Nantes Métropole"]
    assert drawn["Organisation d'accueil"] == ["Nantes Métropole", "Ville de Lyon"]  # the busiest first
    root = ET.fromstring(text)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text.startswith("Immersions entre")
    assert "style=" not in text and "<script" not in text  # the page's CSP would refuse either inline


def test_count_axes_are_integers_and_dates_and_numbers_are_french(client):
    coordinator, network, lyon, nantes, lille = _network()
    round_ = _board(network, lyon, nantes, lille)
    # Three requests in the round: two placed (one rejected by hand), one left unmatched.
    rejected = ProposalFactory(
        round=round_, session=OfferSessionFactory(offer__organisation=nantes), status=ProposalStatus.REJECTED
    )
    unmatched = RequestFactory(agent=UserFactory(organisation=lille))
    db.session.add(UnmatchedOutlook(round_id=round_.id, request_id=unmatched.id, reason="outcompeted"))
    db.session.commit()
    assert rejected.id
    login(client, coordinator.email)

    rounds = axes(client.get("/coordination/tableau-de-bord/tours.svg").get_data(as_text=True))
    assert rounds["Tour de la semaine du"] == ["16 févr. 2026"]
    assert rounds["Demandes"] and all(INTEGER.match(label) for label in rounds["Demandes"]), rounds["Demandes"]
    assert rounds["Demandes"][-1] == "6"  # 4 placed + 1 rejected + 1 unmatched

    months_svg = client.get("/coordination/tableau-de-bord/mois.svg").get_data(as_text=True)
    months = axes(months_svg)
    # One unit per axis: every month from March to May, April's empty one too.
    assert months["Mois de début des immersions"] == ["mars 2026", "avr. 2026", "mai 2026"]
    assert all(INTEGER.match(label) for label in months["Jours d'immersion"]), months["Jours d'immersion"]
    assert months["Satisfaction moyenne (sur 5)"] == ["1", "2", "3", "4", "5"]
    assert ">4,0<" in months_svg  # March's satisfaction: (5 + 4 + 3) / 3, French

    html = client.get("/coordination/tableau-de-bord").get_data(as_text=True)
    assert (
        '<th scope="row">16 février 2026</th><td class="num">6</td><td class="num">4</td><td class="num">2</td>' in html
    )
    assert "66,7\u00a0%" in html  # 4 of 6, French
    assert '<th scope="row">mars 2026</th><td class="num">3</td><td class="num">9</td><td class="num">4,0</td>' in html
    assert '<th scope="row">avril 2026</th><td class="num">0</td><td class="num">0</td><td class="num">—</td>' in html


def test_french_decimals_in_the_chart(client):
    coordinator, network, lyon, nantes, lille = _network()
    round_ = RoundFactory(network=network, week_start=date(2026, 2, 16))
    _immersion(round_, lyon, nantes, date(2026, 3, 2), 3, satisfaction=(5, 4))
    login(client, coordinator.email)
    months_svg = client.get("/coordination/tableau-de-bord/mois.svg").get_data(as_text=True)
    assert ">4,5<" in months_svg and ">4.5<" not in months_svg


def test_filters_by_period_and_organisation(client):
    coordinator, network, lyon, nantes, lille = _network()
    round_ = _board(network, lyon, nantes, lille)
    other_round = RoundFactory(network=network, week_start=date(2026, 4, 27))
    ProposalFactory(round=other_round, session=OfferSessionFactory(offer__organisation=nantes))
    login(client, coordinator.email)

    march = "/coordination/tableau-de-bord/echanges.csv?du=2026-03-01&au=2026-03-31"
    assert client.get(march).get_data().decode("utf-8-sig").splitlines() == [
        "organisation_origine;organisation_accueil;immersions",
        "Ville de Lyon;Nantes Métropole;2",
        "Nantes Métropole;Ville de Lyon;1",
    ]
    html = client.get("/coordination/tableau-de-bord?du=2026-03-01&au=2026-03-31").get_data(as_text=True)
    assert "Métropole de Lille" not in html.split("exchanges-title")[1].split("rounds-title")[0]
    assert 'src="/coordination/tableau-de-bord/echanges.svg?du=2026-03-01&amp;au=2026-03-31"' in html
    assert "Du 1er mars 2026 au 31 mars 2026" in html

    lille_only = f"?organisation={lille.id}"
    flows = client.get(f"/coordination/tableau-de-bord/echanges.csv{lille_only}").get_data().decode("utf-8-sig")
    assert flows.splitlines()[1:] == ["Métropole de Lille;Ville de Lyon;1"]
    months = client.get(f"/coordination/tableau-de-bord/mois.csv{lille_only}").get_data().decode("utf-8-sig")
    assert months.splitlines()[1:] == ["2026-05;1;1;;0"]
    # Rounds: the requests of Lille's agents only (one placed in the first round, none in the second).
    tours = client.get(f"/coordination/tableau-de-bord/tours.csv{lille_only}").get_data().decode("utf-8-sig")
    assert tours.splitlines()[1:] == ["2026-02-16;1;1;0;100,0", "2026-04-27;0;0;0;"]
    assert round_.id


def test_wrong_filters_are_named_and_nothing_is_drawn(client):
    coordinator, network, lyon, nantes, lille = _network()
    elsewhere = OrganisationFactory(name="Autre réseau")
    login(client, coordinator.email)

    page = client.get("/coordination/tableau-de-bord?du=2026-05-01&au=2026-04-01")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'id="au-error"' in html and "La date de fin doit être égale ou postérieure" in html
    assert "echanges.svg" not in html

    page = client.get(f"/coordination/tableau-de-bord?organisation={elsewhere.id}")
    assert page.status_code == 400
    assert 'id="organisation-error"' in page.get_data(as_text=True)
    assert "ne fait pas partie de votre réseau" in page.get_data(as_text=True)

    assert client.get("/coordination/tableau-de-bord?du=hier").status_code == 400
    assert client.get(f"/coordination/tableau-de-bord/echanges.svg?organisation={elsewhere.id}").status_code == 400
    assert client.get(f"/coordination/tableau-de-bord/tours.csv?organisation={elsewhere.id}").status_code == 400
    assert client.get("/coordination/tableau-de-bord/autre.csv").status_code == 404


def test_a_period_beyond_what_is_kept_or_planned_is_named_not_counted_month_by_month(client):
    """Regression: `au=9999-12-31` gave a 500 and `du=0001-01-01` walked some 24,000 months per call."""
    coordinator, network, lyon, nantes, lille = _network()
    _board(network, lyon, nantes, lille)
    login(client, coordinator.email)
    today = date.today()
    for query, field, words in (
        ("au=9999-12-31", "au", "Date trop lointaine"),
        ("du=0001-01-01", "du", "Date trop ancienne"),
        (f"du={today.year - 12}-01-01", "du", "Date trop ancienne"),
        (f"au={today.year + 3}-01-01", "au", "Date trop lointaine"),
    ):
        page = client.get(f"/coordination/tableau-de-bord?{query}")
        assert page.status_code == 400, query
        html = page.get_data(as_text=True)
        assert f'id="{field}-error"' in html and words in html, query
        for figure in ("mois.csv", "echanges.csv", "mois.svg"):
            assert client.get(f"/coordination/tableau-de-bord/{figure}?{query}").status_code == 400, (query, figure)

    # Ten years back and two ahead are a report's period: every month is listed, the immersions' ones counted.
    start, end = date(today.year - 10, today.month, 1), shift_years(today, 2)  # the latest day allowed
    rows = client.get(f"/coordination/tableau-de-bord/mois.csv?du={start}&au={end}").get_data().decode("utf-8-sig")
    months = rows.splitlines()[1:]
    assert len(months) == (end.year - start.year) * 12 + end.month - start.month + 1
    assert months[0].startswith(f"{start:%Y-%m};0;0") and months[-1].startswith(f"{end:%Y-%m};0;0")
    assert [m for m in months if m.startswith("2026-03")] == ["2026-03;3;9;4,0;3"]


def test_a_figure_asked_with_wrong_filters_names_them_in_the_reader_s_language(client):
    """Regression: the charts and CSV files answered Werkzeug's English "Bad Request" page, naming nothing."""
    coordinator, network, lyon, nantes, lille = _network()
    elsewhere = OrganisationFactory(name="Autre réseau")
    login(client, coordinator.email)
    for figure in ("mois.csv", "echanges.svg"):
        wrong_date = client.get(f"/coordination/tableau-de-bord/{figure}?du=hier")
        html = wrong_date.get_data(as_text=True)
        assert wrong_date.status_code == 400 and "Demande non valable" in html and "du :" in html
        assert "Bad Request" not in html
        other = client.get(f"/coordination/tableau-de-bord/{figure}?organisation={elsewhere.id}")
        assert "organisation :" in other.get_data(as_text=True) and "ne fait pas partie de votre réseau" in (
            other.get_data(as_text=True)
        )


def test_csv_files_carry_every_figure_of_the_tables(client):
    coordinator, network, lyon, nantes, lille = _network()
    _board(network, lyon, nantes, lille)
    login(client, coordinator.email)

    def lines(figure: str) -> list[str]:
        response = client.get(f"/coordination/tableau-de-bord/{figure}.csv")
        assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
        return response.get_data().decode("utf-8-sig").splitlines()

    assert lines("organisations") == [
        "organisation;immersions_envoyees;immersions_accueillies",
        "Ville de Lyon;2;2",
        "Nantes Métropole;1;2",
        "Métropole de Lille;1;0",
    ]
    assert lines("tours") == [
        "semaine_du;demandes;placees;non_placees;taux_de_placement_pct",
        "2026-02-16;4;4;0;100,0",
    ]
    assert lines("mois") == [
        "mois;immersions;jours_immersion;satisfaction_moyenne;avis",
        "2026-03;3;9;4,0;3",
        "2026-04;0;0;;0",
        "2026-05;1;1;;0",
    ]


def test_an_empty_network_has_no_chart_and_says_so(client):
    coordinator, *_ = _network()
    login(client, coordinator.email)
    html = client.get("/coordination/tableau-de-bord").get_data(as_text=True)
    assert "<img" not in html and "Aucune immersion confirmée sur cette période." in html
    assert client.get("/coordination/tableau-de-bord/echanges.svg").status_code == 404


def test_dashboard_is_for_coordinators_only(client):
    hr = UserFactory(roles=["rh"])
    login(client, hr.email)
    assert client.get("/coordination/tableau-de-bord").status_code == 404
    assert client.get("/coordination/tableau-de-bord/echanges.csv").status_code == 404


def test_a_coordinator_sees_only_the_own_network(client):
    coordinator, network, lyon, nantes, lille = _network()
    other, other_network, *orgs = _network()
    _board(other_network, *orgs)
    assert other.id and network.id
    login(client, coordinator.email)
    assert client.get("/coordination/tableau-de-bord/echanges.csv").get_data().decode("utf-8-sig").splitlines() == [
        "organisation_origine;organisation_accueil;immersions"
    ]


def test_a_round_placed_only_what_it_sent(client):
    """A proposal rejected, or kept back at publication (not approved in time), placed no one."""
    coordinator, network, lyon, nantes, lille = _network()
    round_ = RoundFactory(network=network, week_start=date(2026, 2, 16))
    session = OfferSessionFactory(offer__organisation=nantes)
    for status in (ProposalStatus.PUBLISHED, ProposalStatus.APPROVED, ProposalStatus.PROPOSED, ProposalStatus.REJECTED):
        ProposalFactory(round=round_, session=session, status=status)
    login(client, coordinator.email)
    tours = client.get("/coordination/tableau-de-bord/tours.csv").get_data().decode("utf-8-sig")
    assert tours.splitlines()[1:] == ["2026-02-16;4;1;3;25,0"]


def test_an_english_reader_gets_english_charts(client):
    coordinator, network, lyon, nantes, lille = _network()
    coordinator.locale = "en"
    db.session.commit()
    _board(network, lyon, nantes, lille)
    login(client, coordinator.email)
    rounds = axes(client.get("/coordination/tableau-de-bord/tours.svg").get_data(as_text=True))
    assert rounds["Round of the week of"] == ["16 Feb 2026"] and "Requests" in rounds
    months = axes(client.get("/coordination/tableau-de-bord/mois.svg").get_data(as_text=True))
    assert months["Month the immersions started"] == ["Mar 2026", "Apr 2026", "May 2026"]
