"""Every hard rule the engine can name reaches the coordinator as a sentence, in French and in English."""

from flask_babel import force_locale
from flask_babel import gettext as _

from appariement import RuleName
from mobilite.services.round_review import RULE_LABELS


def test_every_engine_rule_has_a_label():
    assert set(RULE_LABELS) == set(RuleName)


def test_every_rule_label_is_translated_into_english(ctx):
    with force_locale("en"):
        untranslated = [str(rule) for rule, label in RULE_LABELS.items() if _(label) == label]
    assert untranslated == []
