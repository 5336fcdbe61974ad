"""The search form's option lists: built in Python for speed, with the same escaping and selection."""

from flask import current_app
from sqlalchemy import event

from mobilite.extensions import db
from mobilite.services import search
from mobilite.web.widgets import grouped_select_options, select_options
from tests.factories import OrganisationFactory, SkillFactory, ThemeFactory, UserFactory
from tests.fixtures import login


def test_options_escape_labels_and_values_and_mark_the_chosen_ones():
    html = select_options([("1", "Ville & <Campagne>"), ("2", 'Dit "oui"'), (3, "Trois")], ["2", "3"])
    assert html == (
        '<option value="1">Ville &amp; &lt;Campagne&gt;</option>'
        '<option value="2" selected>Dit &#34;oui&#34;</option>'
        '<option value="3" selected>Trois</option>'
    )
    assert "selected" not in select_options([("1", "Un")], None)
    assert select_options([("7", "Sept")], "7") == '<option value="7" selected>Sept</option>'
    grouped = grouped_select_options([("Droit <public>", [("4", "Marchés")])], ["4"])
    assert grouped == '<optgroup label="Droit &lt;public&gt;"><option value="4" selected>Marchés</option></optgroup>'


def test_cached_choices_are_escaped_once_and_each_page_marks_its_own_chosen_values(ctx, monkeypatch):
    # filter_choices' lists keep their rendered options: the next page's choice is marked on them, and lists
    # loaded again (the cache expired) are rendered afresh, a new label showing at once.
    monkeypatch.setitem(current_app.config, "FILTER_CHOICES_CACHE_SECONDS", 60)
    monkeypatch.setattr(search, "_choices_cache", {})
    agent = UserFactory()
    theme = ThemeFactory(label_fr="Urbanisme")
    themes = search.filter_choices(agent, "fr")["themes"]
    first = select_options(themes, [str(theme.id)])
    assert f'<option value="{theme.id}" selected>Urbanisme</option>' in first
    from mobilite.web import widgets

    kept = widgets._markup_of[id(themes)]
    assert "selected" not in kept and f'<option value="{theme.id}">Urbanisme</option>' in kept
    second = select_options(search.filter_choices(agent, "fr")["themes"], None)
    assert "selected" not in second and f'<option value="{theme.id}">Urbanisme</option>' in second
    theme.label_fr = "Urbanisme & paysage"
    db.session.flush()
    search._choices_cache.clear()  # as when the minute is up
    fresh = select_options(search.filter_choices(agent, "fr")["themes"], theme.id)
    assert f'<option value="{theme.id}" selected>Urbanisme &amp; paysage</option>' in fresh
    key = id(themes)
    del themes, first  # the list gone, so is its markup
    search._choices_cache.clear()
    assert key not in widgets._markup_of


def test_the_search_form_keeps_the_chosen_filters_selected(client):
    agent = UserFactory()
    theme = ThemeFactory(label_fr="Urbanisme <&>")
    skill = SkillFactory(theme=theme, label_fr="Instruire un permis")
    other = OrganisationFactory(network=agent.organisation.network, name="Mairie d'Ys", city="Ys")
    login(client, agent.email)
    html = client.get(f"/agent/offres?theme={theme.id}&skill={skill.id}&organisation={other.id}&city=Ys").get_data(
        as_text=True
    )
    assert f'<option value="{theme.id}" selected>Urbanisme &lt;&amp;&gt;</option>' in html
    assert f'<option value="{skill.id}" selected>Instruire un permis</option>' in html
    assert f'<option value="{other.id}" selected>Mairie d&#39;Ys</option>' in html
    assert '<option value="Ys" selected>Ys</option>' in html


def test_a_signed_in_page_loads_its_user_roles_and_organisation_in_one_query(app, client):
    agent = UserFactory()
    login(client, agent.email)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/compte").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    about_the_user = [s for s in statements if "FROM users" in s or "FROM user_roles" in s or "FROM organisations" in s]
    assert len(about_the_user) == 1, about_the_user
