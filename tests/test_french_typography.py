"""French typography by Flask-Babel: no-break spaces around ; : ! ? « » in every French message (and only
there), and "1er" for the first day of a month in French long dates."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext, ngettext

from mobilite.i18n import NARROW_NBSP as T
from mobilite.i18n import NBSP as N
from mobilite.i18n import format_date, format_datetime, french_spacing
from mobilite.services.agreement_pdf import latin1


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("Statut : publié", f"Statut{N}: publié"),
        ("Statut: publié", f"Statut{N}: publié"),
        ("Pourquoi ?", f"Pourquoi{T}?"),
        ("Attention!", f"Attention{T}!"),
        ("Oui ; non", f"Oui{T}; non"),
        ("« Lyon »", f"«{T}Lyon{T}»"),
        ("«Lyon»", f"«{T}Lyon{T}»"),
        ("Pourquoi\u00a0?", f"Pourquoi{T}?"),  # one rule for every mark, whatever was typed
        ("%(num)s offres ?", f"%(num)s offres{T}?"),
        ("Prochaine session : %(d)s", f"Prochaine session{N}: %(d)s"),
        ("{name} : prêt", f"{{name}}{N}: prêt"),
        (" ; ", f"{T}; "),  # a separator, put after a word
        ("(pourquoi ?)", f"(pourquoi{T}?)"),
        ("Quoi ?!", f"Quoi{T}?!"),
        ("<strong>Attention</strong> : lisez", f"<strong>Attention</strong>{N}: lisez"),
        ("Note:\nsuite", f"Note{N}:\nsuite"),
        ("Voir https://exemple.fr/a:b?c ; puis", f"Voir https://exemple.fr/a:b?c{T}; puis"),
    ],
)
def test_french_spacing_puts_the_no_break_space_before_the_mark(written, printed):
    assert french_spacing(written) == printed
    assert french_spacing(printed) == printed


@pytest.mark.parametrize(
    "kept",
    [
        "https://exemple.fr/page?x=1&y=2",
        "à 10:30",
        "?page=2",
        "mailto:rh@exemple.fr",
        '<a href="/offres?q=1" title="Statut : publié">lien</a>',
        "&amp; &nbsp; &#8239;",
        "%(a)s%(b)s",
        "{a:b}",
        "C:\\dossier",
        "Sans ponctuation",
    ],
)
def test_french_spacing_leaves_urls_times_placeholders_and_tags_alone(kept):
    assert french_spacing(kept) == kept


def test_french_messages_get_the_spaces_and_english_ones_do_not(app):
    with app.test_request_context():
        with force_locale("fr"):
            french = gettext("Tentatives faites : %(n)d.", n=3) + gettext("%(s)s", s="10:30 ; https://x.fr?a=1")
            plural = [ngettext("%(num)d offre ?", "%(num)d offres ?", n) for n in (1, 2)]
            lazy = str(lazy_gettext("Pour commencer :"))
            given_lazy = gettext(lazy_gettext("Pour commencer :"))
            template = render_template_string("{{ _('Qui vient : %(n)s', n='A : B') }}")
        with force_locale("en"):
            english = gettext("Pour commencer :")
            untranslated = gettext("Texte sans traduction : oui ?")
    # The values put into a message are left as they are: only the message's own words are respaced.
    assert french == f"Tentatives faites{N}: 3.10:30 ; https://x.fr?a=1"
    assert plural == [f"1 offre{T}?", f"2 offres{T}?"]
    assert lazy == given_lazy == f"Pour commencer{N}:"
    assert template == f"Qui vient{N}: A : B"
    assert english == "To get started:"
    assert untranslated == "Texte sans traduction : oui ?"


def test_the_pdf_fonts_keep_the_space_unbreakable():
    # The core fonts are latin-1: the narrow space becomes the latin-1 no-break space, never a breaking one.
    assert latin1(f"Pourquoi{T}? Statut{N}: «{T}Lyon{T}»") == f"Pourquoi{N}? Statut{N}: «{N}Lyon{N}»"


FIRST = date(2027, 2, 1)


@pytest.mark.parametrize(
    ("day", "form", "french", "english"),
    [
        (FIRST, "long", "1er février 2027", "February 1, 2027"),
        (FIRST, "full", "lundi 1er février 2027", "Monday, February 1, 2027"),
        (FIRST, "medium", "1er févr. 2027", "Feb 1, 2027"),
        (FIRST, None, "1er févr. 2027", "Feb 1, 2027"),
        (FIRST, "d MMMM", "1er février", "1 February"),
        (FIRST, "short", "01/02/2027", "2/1/27"),
        (FIRST, "MMMM y", "février 2027", "February 2027"),
        (date(2027, 2, 11), "long", "11 février 2027", "February 11, 2027"),
        (date(2027, 2, 21), "full", "dimanche 21 février 2027", "Sunday, February 21, 2027"),
        (date(2027, 3, 31), "long", "31 mars 2027", "March 31, 2027"),
        (date(2027, 1, 10), "long", "10 janvier 2027", "January 10, 2027"),
    ],
)
def test_the_first_of_the_month_is_written_1er_in_french(app, day, form, french, english):
    with app.test_request_context():
        with force_locale("fr"):
            assert format_date(day, form) == french
        with force_locale("en"):
            assert format_date(day, form) == english


def test_dates_and_times_are_read_in_the_user_time_zone_before_1er(app):
    # 31 January 23:30 UTC is already 1 February in Paris.
    late = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("fr"):
            assert format_date(late, "long") == "1er février 2027"
            assert format_datetime(late) == "1er févr. 2027, 00:30:00"
            assert format_datetime(late, "short") == "01/02/2027 00:30"
            assert format_datetime(late, "long").startswith("1er février 2027, 00:30:00")
            assert format_datetime(datetime(2027, 2, 11, 9, 0, tzinfo=UTC)) == "11 févr. 2027, 10:00:00"
            assert format_date(datetime(2027, 2, 1, 23, 30, tzinfo=UTC), "long") == "2 février 2027"
        with force_locale("en"):
            assert format_datetime(late) == f"Feb 1, 2027, 12:30:00{T}AM"


def test_templates_write_1er_too(app):
    with app.test_request_context():
        with force_locale("fr"):
            french = render_template_string(
                "{{ format_date(d, 'full') }} · {{ format_datetime(t, 'long') }}",
                d=FIRST,
                t=datetime(2027, 3, 1, 9, tzinfo=UTC),
            )
        with force_locale("en"):
            english = render_template_string("{{ format_date(d, 'full') }}", d=FIRST)
    assert french.startswith("lundi 1er février 2027 · 1er mars 2027, 10:00:00")
    assert english == "Monday, February 1, 2027"


FLASK_BABEL_DATES = re.compile(r"from flask_babel import (?:\([^)]*|[^\n]*)\bformat_date(time)?\b")


def test_every_date_goes_through_the_function_that_writes_1er(app):
    """Flask-Babel's own format_date writes "1 février": no module imports it, and its filters are replaced."""
    package = Path(__file__).resolve().parents[1] / "mobilite"
    direct = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "i18n.py" and FLASK_BABEL_DATES.search(path.read_text(encoding="utf-8"))
    ]
    assert direct == []
    with app.test_request_context(), force_locale("fr"):
        assert render_template_string("{{ d | dateformat('long') }}", d=FIRST) == "1er février 2027"
