"""The autocomplete's suggestion lists (communes, skills): JSON, for signed-in users only."""

from tests.factories import SkillFactory, ThemeFactory, UserFactory
from tests.fixtures import login


def test_commune_suggestions_for_a_signed_in_user(client):
    login(client, UserFactory().email)
    response = client.get("/suggestions/communes?q=st%20etien")
    assert response.status_code == 200 and response.is_json
    suggestions = response.get_json()["suggestions"]
    assert suggestions[0] == {"value": "Saint-Étienne (42000)", "label": "Saint-Étienne (42000)", "hint": "Loire (42)"}
    assert len(suggestions) == 10
    by_postcode = client.get("/suggestions/communes?q=74000&limit=3").get_json()["suggestions"]
    assert [s["value"] for s in by_postcode] == ["Annecy (74000)"]
    assert client.get("/suggestions/communes?q=").get_json() == {"suggestions": []}


def test_skill_suggestions_in_the_page_language(client):
    theme = ThemeFactory(label_fr="Finances", label_en="Finance")
    skill = SkillFactory(theme=theme, label_fr="Élaborer le budget primitif", label_en="Draw up the budget")
    SkillFactory(theme=theme, label_fr="Suivre la trésorerie", label_en="Monitor cash")
    login(client, UserFactory().email)
    found = client.get("/suggestions/competences?q=budg").get_json()["suggestions"]
    assert found == [{"value": str(skill.id), "label": "Élaborer le budget primitif", "hint": "Finances"}]
    assert client.get("/suggestions/competences?q=elab%20prim").get_json()["suggestions"][0]["value"] == str(skill.id)


def test_skill_suggestions_in_english(client):
    theme = ThemeFactory(label_fr="Finances", label_en="Finance")
    skill = SkillFactory(theme=theme, label_fr="Élaborer le budget primitif", label_en="Draw up the budget")
    login(client, UserFactory(locale="en").email)
    found = client.get("/suggestions/competences?q=draw").get_json()["suggestions"]
    assert found == [{"value": str(skill.id), "label": "Draw up the budget", "hint": "Finance"}]


def test_a_bad_query_names_the_field_in_the_page_language(client):
    login(client, UserFactory().email)
    response = client.get("/suggestions/communes?q=" + "a" * 101 + "&limit=99")
    assert response.status_code == 400
    assert response.get_json() == {
        "errors": {"q": ["100 caractères au plus."], "limit": ["Entre 1 et 20 suggestions."]}
    }


def test_suggestions_need_a_signed_in_user(client):
    for url in ("/suggestions/communes?q=lyon", "/suggestions/competences?q=budget"):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
