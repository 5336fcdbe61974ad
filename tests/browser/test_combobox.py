"""The autocomplete (mobilite/static/combobox.js) follows the WAI-ARIA combobox pattern with the keyboard, and
the form it enhances posts what the agent picked."""

import pytest

from mobilite.extensions import db
from mobilite.models import User
from tests.factories import SkillFactory, ThemeFactory, UserFactory
from tests.fixtures import PASSWORD, sign_in

pytestmark = pytest.mark.browser


def test_work_place_and_skill_are_picked_with_the_keyboard(page, app):
    theme = ThemeFactory(label_fr="Finances")
    budget = SkillFactory(theme=theme, label_fr="Élaborer le budget primitif")
    agent = UserFactory(work_city="Lyon", work_latitude=45.76, work_longitude=4.83)
    sign_in(page, agent.email, PASSWORD)
    page.goto("/agent/profil")

    place = page.get_by_role("combobox", name="Commune")
    assert place.get_attribute("aria-expanded") == "false"
    listbox_id = place.get_attribute("aria-controls")
    place.fill("")
    place.press_sequentially("st etien")
    listbox = page.locator(f"#{listbox_id}")
    listbox.get_by_role("option").first.wait_for()
    assert place.get_attribute("aria-expanded") == "true"
    assert listbox.get_attribute("role") == "listbox"
    assert place.get_attribute("aria-activedescendant") is None
    place.press("ArrowDown")
    first = listbox.get_by_role("option").first
    assert place.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    place.press("ArrowDown")
    place.press("ArrowUp")
    assert place.get_attribute("aria-activedescendant") == first.get_attribute("id")
    place.press("Enter")  # picks, and does not submit the form
    assert place.input_value() == "Saint-Étienne (42000)"
    assert place.get_attribute("aria-expanded") == "false"
    assert page.url.endswith("/agent/profil")

    place.press_sequentially("x")  # Escape closes the list without changing the text
    place.fill("grenob")
    listbox.get_by_role("option").first.wait_for()
    place.press("Escape")
    assert place.get_attribute("aria-expanded") == "false" and place.input_value() == "grenob"
    place.fill("Saint-Étienne (42000)")

    # The first skill row's select became a combobox; the select itself stays, hidden, and holds the value.
    skill = page.get_by_role("combobox", name="Compétence 1")
    skill.press_sequentially("budg")
    page.get_by_role("option", name="Élaborer le budget primitif").wait_for()
    skill.press("ArrowDown")
    skill.press("Enter")
    assert skill.input_value() == "Élaborer le budget primitif"
    assert page.locator("#skill-0-choice").input_value() == str(budget.id)
    assert page.locator('[role="status"]').first.inner_text() != ""
    # A suggestion list answered after the agent left its field does not open over the next one.
    assert place.get_attribute("aria-expanded") == "false"

    page.get_by_role("button", name="Enregistrer mon profil").click()
    page.get_by_text("Votre profil est enregistré.").wait_for()
    db.session.expire_all()
    user = db.session.get(User, agent.id)
    assert (user.work_city, user.work_postcode) == ("Saint-Étienne", "42000")
    assert [row.skill_id for row in user.skills] == [budget.id]
