"""Imports are all or nothing, with every bad row reported; exports re-import as they are."""

import io
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Notification, Offer, OfferSession, OfferStatus, Role, User
from mobilite.workdays import add_working_days, next_monday
from tests.factories import OfferFactory, OfferSessionFactory, RequestFactory, SkillFactory, UserFactory
from tests.fixtures import csrf_token, login

START = next_monday(date.today()) + timedelta(weeks=3)
END = add_working_days(START, 3)
DESCRIPTION = "Accompagner l'équipe dans l'instruction des dossiers de la semaine."
HEADER = "reference;titre;equipe;description;thematiques;competences;prerequis;lieu;debut;fin;places"


def _upload(client, path, filename, content: bytes):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(
        path, data={"csrf_token": token, "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def _offer_count() -> int:
    return db.session.scalar(select(func.count(Offer.id)))


def test_csv_import_groups_sessions_by_reference(client):
    hr = UserFactory(roles=[Role.RH])
    skill = SkillFactory()
    later = START + timedelta(weeks=2)
    csv = "\n".join(
        [
            HEADER,
            f"A;Vis ma vie ADS;Urbanisme;{DESCRIPTION};{skill.theme.code};{skill.code};;sur site;{START};{END};2",
            f"A;Vis ma vie ADS;Urbanisme;{DESCRIPTION};;;;;{later.strftime('%d/%m/%Y')};"
            f"{add_working_days(later, 2).strftime('%d/%m/%Y')};1",
            f"B;Découvrir la paie;RH;{DESCRIPTION};;;{skill.label_fr}:2;hybride;{START};{START};1",
        ]
    ).encode("utf-8-sig")
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.csv", csv)
    assert response.status_code == 302, response.get_data(as_text=True)
    offers = db.session.scalars(select(Offer).order_by(Offer.title)).all()
    assert [o.title for o in offers] == ["Découvrir la paie", "Vis ma vie ADS"]
    assert all(o.status == OfferStatus.DRAFT and o.organisation_id == hr.organisation_id for o in offers)
    assert len(offers[1].sessions) == 2 and offers[1].sessions[0].capacity == 2
    assert [(p.skill_id, p.min_level) for p in offers[0].prerequisites] == [(skill.id, 2)]


def test_bad_rows_are_all_reported_with_line_and_column_and_nothing_is_imported(client):
    hr = UserFactory(roles=[Role.RH])
    csv = "\n".join(
        [
            HEADER,
            f"A;Vis ma vie ADS;Urbanisme;{DESCRIPTION};inconnu;;;sur site;{START};{END};2",
            f"B;Correct;RH;{DESCRIPTION};;;;;{START};{END};1",
            f"C;Trop long;RH;{DESCRIPTION};;;;;{START};{START + timedelta(days=30)};1",
            f"D;;RH;court;;;;lune;pas une date;{END};zéro",
        ]
    ).encode()
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.csv", csv)
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    expected = [("2", "thematiques"), ("4", "fin"), ("5", "titre"), ("5", "description"), ("5", "lieu")]
    for line, column in expected:
        assert f'<td class="num">{line}</td><td><code>{column}</code></td>' in html, (line, column)
    assert "«\u202finconnu\u202f» n'est pas dans le référentiel." in html
    assert "rien n'a été importé" in html
    assert _offer_count() == 0
    assert db.session.scalar(select(func.count(OfferSession.id))) == 0


def test_a_row_whose_offer_fails_still_has_its_session_errors_reported(client):
    """Regression: the dates and seats of a row were checked only once its offer part was right, so a second
    upload revealed errors the first one had hidden."""
    hr = UserFactory(roles=[Role.RH])
    csv = "\n".join([HEADER, f"R6;Mauvaise;Equipe;Desc;;;;lune;2027-02-30;{END};-1"]).encode()
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.csv", csv)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for column in ("description", "lieu", "debut", "places"):
        assert f'<td class="num">2</td><td><code>{column}</code></td>' in html, column
    assert _offer_count() == 0


def test_xlsx_import(client):
    hr = UserFactory(roles=[Role.RH])
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Titre", "Equipe", "Description", "Debut", "Fin", "Places"])
    sheet.append(["Accueil du public", "Accueil", DESCRIPTION, START, END, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.xlsx", buffer.getvalue())
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert offer.title == "Accueil du public" and offer.sessions[0].capacity == 3


def test_unknown_format_and_missing_columns_are_explained(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.pdf", b"%PDF")
    assert response.status_code == 400 and "Format non reconnu" in response.get_data(as_text=True)
    response = _upload(client, "/rh/offres/import", "offres.csv", b"titre;equipe\nA;B\n")
    html = response.get_data(as_text=True)
    assert "<code>description</code>" in html and "Colonne obligatoire absente." in html


def test_a_long_description_full_of_commas_imports_with_its_semicolons(client):
    """Regression: the separator was guessed from the file's first 4 KB, so a first row with a long description
    full of commas made every column "missing"."""
    hr = UserFactory(roles=[Role.RH])
    long_text = ("Accueillir, former, accompagner, évaluer, rendre compte. " * 80)[:4500]
    csv = f"titre;equipe;description;debut;fin;places\nOffre longue;Equipe;{long_text};{START};{END};2\n"
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.csv", csv.encode())
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert db.session.scalar(select(Offer.description)) == long_text.strip()


def test_titles_as_hr_types_them_and_excel_unicode_text_import(client):
    """Accented titles ("Équipe", "Début") and Excel's "Texte Unicode" (UTF-16, tabs) were "missing columns"."""
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    accented = f"Titre;Équipe;Description;Début;Fin;Places\nAccueil;Accueil;{DESCRIPTION};{START};{END};1\n"
    assert _upload(client, "/rh/offres/import", "offres.csv", accented.encode("utf-8-sig")).status_code == 302
    unicode_text = f"titre\tequipe\tdescription\tdebut\tfin\tplaces\r\nPaie\tRH\t{DESCRIPTION}\t{START}\t{END}\t1\r\n"
    response = _upload(client, "/rh/offres/import", "offres.csv", unicode_text.encode("utf-16"))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert sorted(db.session.scalars(select(Offer.title))) == ["Accueil", "Paie"]


def test_a_file_with_only_its_titles_says_so(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.csv", b"titre;equipe;description;debut;fin;places\n")
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400 and "aucune ligne sous celle des titres" in html
    assert "Colonne obligatoire absente" not in html
    response = _upload(client, "/rh/comptes/import", "comptes.csv", b"email;prenom;nom\n")
    assert "aucune ligne sous celle des titres" in response.get_data(as_text=True).replace("&#39;", "'")
    assert _offer_count() == 0


def test_a_file_over_the_size_limit_is_refused_in_the_reader_s_language(app, client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    response = _upload(client, "/rh/offres/import", "offres.csv", b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "Fichier trop volumineux" in html and "Request Entity Too Large" not in html


def test_an_imported_name_with_a_control_character_is_a_row_error(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    response = _upload(client, "/rh/comptes/import", "agents.csv", b"email;prenom;nom\na@example.fr;Ana;C\x07D\n")
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400 and '<td class="num">2</td><td><code>nom</code></td>' in html
    assert "invisible non accepté" in html
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "a@example.fr")) == 0


def test_export_reimports_as_it_is(client):
    hr = UserFactory(roles=[Role.RH])
    offer = OfferFactory(organisation=hr.organisation, description=DESCRIPTION)
    OfferSessionFactory(offer=offer, start_date=START, end_date=END, working_days=4, capacity=2)
    OfferFactory(title="Offre d'une autre organisation")
    login(client, hr.email)
    exported = client.get("/rh/offres/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.get_data().decode("utf-8-sig")
    assert offer.title in text and "Offre d'une autre organisation" not in text
    before = _offer_count()
    assert _upload(client, "/rh/offres/import", "export.csv", exported.get_data()).status_code == 302
    assert _offer_count() == before + 1


def _new_site(organisation, name: str):
    from mobilite.services import sites

    site = sites.new_site(organisation, {"name": name, "address": "15 rue Lortet", "commune": "Lyon (69007)"})
    db.session.add(site)
    db.session.commit()
    return site


def test_an_offer_at_a_site_reimports_at_that_site(client):
    """The export names the offer's site; the import finds it by that name (case and spacing aside)."""
    hr = UserFactory(roles=[Role.RH])
    site = _new_site(hr.organisation, "Centre technique municipal")
    offer = OfferFactory(organisation=hr.organisation, description=DESCRIPTION, site=site)
    OfferSessionFactory(offer=offer, start_date=START, end_date=END, working_days=4, capacity=2)
    at_home = OfferFactory(organisation=hr.organisation, description=DESCRIPTION, title="À l'adresse du siège")
    OfferSessionFactory(offer=at_home, start_date=START, end_date=END, working_days=4, capacity=1)
    login(client, hr.email)
    exported = client.get("/rh/offres/export.csv").get_data()
    header, *rows = exported.decode("utf-8-sig").splitlines()
    assert "site" in header.split(";")
    assert any(";Centre technique municipal;" in row for row in rows)
    assert _upload(client, "/rh/offres/import", "export.csv", exported).status_code == 302
    imported = db.session.scalars(select(Offer).where(Offer.id.not_in([offer.id, at_home.id]))).all()
    assert sorted((o.title, o.site_id) for o in imported) == sorted([(offer.title, site.id), (at_home.title, None)])

    csv = "titre;equipe;description;site;debut;fin;places\n"
    csv += f"Accueil;Accueil;{DESCRIPTION};  centre TECHNIQUE  municipal ;{START};{END};1"
    assert _upload(client, "/rh/offres/import", "offres.csv", csv.encode()).status_code == 302
    assert db.session.scalar(select(Offer).where(Offer.title == "Accueil")).site_id == site.id


def test_an_unknown_or_ambiguous_site_is_a_row_error_and_nothing_is_imported(client):
    hr = UserFactory(roles=[Role.RH])
    _new_site(hr.organisation, "Centre technique")
    _new_site(hr.organisation, "Annexe")
    _new_site(hr.organisation, "annexe")
    OfferFactory(organisation=UserFactory().organisation, site=_new_site(UserFactory().organisation, "Ailleurs"))
    csv = "\n".join(
        [
            "titre;equipe;description;site;debut;fin;places",
            f"Accueil;Accueil;{DESCRIPTION};Garage;{START};{END};1",
            f"Paie;RH;{DESCRIPTION};Annexe;{START};{END};1",
            f"Courrier;RH;{DESCRIPTION};Ailleurs;{START};{END};1",
            f"Correct;RH;{DESCRIPTION};Centre technique;{START};{END};1",
        ]
    ).encode()
    login(client, hr.email)
    before = _offer_count()
    response = _upload(client, "/rh/offres/import", "offres.csv", csv)
    html = response.get_data(as_text=True).replace("&#39;", "'").replace("\u202f", " ").replace("\xa0", " ")
    assert response.status_code == 400
    for line in ("2", "3", "4"):
        assert f'<td class="num">{line}</td><td><code>site</code></td>' in html, line
    assert "« Garage » n'est le nom d'aucun site actif de votre organisation (ses sites : " in html
    assert "Centre technique) ; laissez la colonne vide pour son adresse." in html
    assert "Plusieurs sites actifs de votre organisation s'appellent « Annexe »" in html
    assert "« Ailleurs » n'est le nom d'aucun site actif" in html  # another organisation's site
    assert _offer_count() == before


def test_requests_export_lists_only_the_organisations_requests(client):
    hr = UserFactory(roles=[Role.RH])
    own = RequestFactory(agent=UserFactory(organisation=hr.organisation, last_name="Interne"))
    RequestFactory(agent=UserFactory(last_name="Externe"))
    login(client, hr.email)
    text = client.get("/rh/demandes/export.csv").get_data().decode("utf-8-sig")
    assert own.agent.email in text and "Externe" not in text


def test_account_import_creates_agents_and_sends_links_all_or_nothing(client):
    hr = UserFactory(roles=[Role.RH])
    existing = UserFactory()
    login(client, hr.email)
    bad = f"email,prenom,nom,roles\na@example.fr,Anne,Arnaud,agent\n{existing.email},Bob,Brun,\nb@x,,Colin,chef\n"
    response = _upload(client, "/rh/comptes/import", "agents.csv", bad.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<td class="num">3</td><td><code>email</code></td>' in html
    assert '<td class="num">4</td><td><code>prenom</code></td>' in html
    assert '<td class="num">4</td><td><code>roles</code></td>' in html
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "a@example.fr")) == 0

    good = "email;prenom;nom;equipe;poste\na@example.fr;Anne;Arnaud;Voirie;Technicienne\n"
    assert _upload(client, "/rh/comptes/import", "agents.csv", good.encode()).status_code == 302
    created = db.session.scalar(select(User).where(User.email == "a@example.fr"))
    assert created.organisation_id == hr.organisation_id and created.roles == {Role.AGENT}
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == created.id)) == 1
