"""Bulk imports of offers (with sessions) and of agent accounts: all or nothing.

Every bad row is reported with its line, column and reason, and nothing is saved until the file is clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError

from mobilite.extensions import db
from mobilite.models import Offer, Site, User
from mobilite.schemas.accounts import AccountSchema
from mobilite.schemas.offers import OfferSchema, SessionSchema
from mobilite.services import audit
from mobilite.services.accounts import build_account
from mobilite.services.errors import ServiceError
from mobilite.services.offers import build_offer, build_session
from mobilite.services.sites import organisation_sites
from mobilite.services.spreadsheets import read_rows
from mobilite.services.taxonomy import skills_by_code, themes_by_code

# Spreadsheet column → schema field. Columns are French: they are what HR teams type.
OFFER_COLUMNS = {
    "reference": None,
    "titre": "title",
    "equipe": "team",
    "description": "description",
    "thematiques": "themes",
    "competences": "skills",
    "prerequis": "prerequisites",
    "lieu": "place",
    "site": "site_id",  # the name of one of the organisation's active sites; empty: the organisation's address
    "accessibilite": "accessibility",
    "tuteur_nom": "tutor_name",
    "tuteur_fonction": "tutor_role",
    "tuteur_email": "tutor_email",
}
SESSION_COLUMNS = {"debut": "start_date", "fin": "end_date", "places": "capacity"}
ACCOUNT_COLUMNS = {
    "email": "email",
    "prenom": "first_name",
    "nom": "last_name",
    "equipe": "team",
    "poste": "job_title",
    "roles": "roles",
}
PLACES = {
    "sur site": "on_site",
    "on_site": "on_site",
    "hybride": "hybrid",
    "hybrid": "hybrid",
    "à distance": "remote",
    "a distance": "remote",
    "distance": "remote",
    "remote": "remote",
}
REQUIRED_OFFER_COLUMNS = ("titre", "equipe", "description", "debut", "fin", "places")
REQUIRED_ACCOUNT_COLUMNS = ("email", "prenom", "nom")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


class ImportRejected(ServiceError):
    def __init__(self, rows: list[RowError]):
        super().__init__(
            {
                "file": [
                    ngettext(
                        "%(num)d erreur : rien n'a été importé.", "%(num)d erreurs : rien n'a été importé.", len(rows)
                    )
                ]
            }
        )
        self.rows = sorted(rows, key=lambda e: (e.line, e.column))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def _column_of(field: str, mapping: dict) -> str:
    for column, name in mapping.items():
        if name == field:
            return column
    return field


def _flatten(messages, prefix="") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            out += _flatten(value, prefix or key)
        return out
    return [(prefix, str(m)) for m in messages]


def _check_header(rows, required: tuple[str, ...]) -> None:
    if not rows:
        raise ImportRejected([RowError(1, "", _("Le fichier n'a aucune ligne sous celle des titres de colonnes."))])
    present = set(rows[0][1])
    missing = [c for c in required if c not in present]
    if missing:
        raise ImportRejected([RowError(1, c, _("Colonne obligatoire absente.")) for c in missing])


def _parse_vocabulary(line, column, text, index, errors, *, with_level=False):
    """Codes or labels from the controlled vocabulary; unknown ones are reported, never guessed."""
    labels = {item.label_fr.lower(): item for item in index.values()}
    result = []
    for part in _split(text):
        name, _sep, level = part.partition(":")
        item = index.get(name.strip()) or labels.get(name.strip().lower())
        if item is None:
            errors.append(RowError(line, column, _("« %(v)s » n'est pas dans le référentiel.", v=name.strip())))
            continue
        if with_level:
            result.append({"skill_id": item.id, "min_level": level.strip() or "1"})
        else:
            result.append(item.id)
    return result


def _site_id(line: int, name: str, sites: dict[str, list[Site]], errors: list[RowError]) -> int | None:
    """The organisation's active site of that name (case and spacing aside); None, with the row's error, if
    there is none or more than one."""
    found = sites.get(_site_key(name), [])
    if len(found) == 1:
        return found[0].id
    if found:
        message = _(
            "Plusieurs sites actifs de votre organisation s'appellent « %(name)s » : renommez-en un.", name=name
        )
    elif sites:
        known = ", ".join(sorted({group[0].name for group in sites.values()}))
        message = _(
            "« %(name)s » n'est le nom d'aucun site actif de votre organisation (ses sites : %(known)s) ; laissez "
            "la colonne vide pour son adresse.",
            name=name,
            known=known,
        )
    else:
        message = _(
            "Votre organisation n'a pas de site « %(name)s » ; laissez la colonne vide pour son adresse.", name=name
        )
    errors.append(RowError(line, "site", message))
    return None


def _site_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _offer_payload(line: int, row: dict, vocab, sites: dict[str, list[Site]], errors: list[RowError]) -> dict:
    themes, skills = vocab
    payload = {field: row.get(column, "") for column, field in OFFER_COLUMNS.items() if field and field != "site_id"}
    if row.get("site", "").strip():
        payload["site_id"] = _site_id(line, row["site"].strip(), sites, errors)
    payload["themes"] = _parse_vocabulary(line, "thematiques", row.get("thematiques", ""), themes, errors)
    payload["skills"] = _parse_vocabulary(line, "competences", row.get("competences", ""), skills, errors)
    payload["prerequisites"] = _parse_vocabulary(
        line, "prerequis", row.get("prerequis", ""), skills, errors, with_level=True
    )
    place = row.get("lieu", "").strip().lower()
    payload["place"] = PLACES.get(place, place) if place else "on_site"
    return payload


def _session_payload(row: dict) -> dict:
    payload = {}
    for column, field in SESSION_COLUMNS.items():
        value = row.get(column, "")
        if field != "capacity" and len(value) == 10 and value[2] == "/" and value[5] == "/":
            value = f"{value[6:]}-{value[3:5]}-{value[:2]}"  # 31/12/2026 → 2026-12-31
        payload[field] = value
    return payload


def import_offers(actor: User, filename: str, content: bytes, today: date | None = None) -> list[Offer]:
    """Draft offers of the actor's organisation, one per reference (or title), one session per row."""
    today = today or date.today()
    rows = read_rows(filename, content)
    _check_header(rows, REQUIRED_OFFER_COLUMNS)
    vocab = (themes_by_code(), skills_by_code())
    sites: dict[str, list[Site]] = {}
    for site in organisation_sites(actor.organisation_id, active_only=True) if actor.organisation_id else []:
        sites.setdefault(_site_key(site.name), []).append(site)
    errors: list[RowError] = []
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line, row in rows:
        key = row.get("reference") or row.get("titre", "")
        groups.setdefault(key, []).append((line, row))

    offers: list[Offer] = []
    for group in groups.values():
        first_line, first = group[0]
        before = len(errors)
        try:
            data = OfferSchema().load(_offer_payload(first_line, first, vocab, sites, errors))
        except ValidationError as exc:
            errors += [RowError(first_line, _column_of(f, OFFER_COLUMNS), m) for f, m in _flatten(exc.messages)]
            errors += _session_errors_without_offer(group)
            continue
        if len(errors) > before:
            errors += _session_errors_without_offer(group)
            continue
        try:
            offer = build_offer(actor, data)
        except ServiceError as exc:
            errors += [RowError(first_line, _column_of(f, OFFER_COLUMNS), m) for f, m in _flatten(exc.errors)]
            errors += _session_errors_without_offer(group)
            continue
        for line, row in group:
            try:
                build_session(offer, SessionSchema().load(_session_payload(row)), today)
            except ValidationError as exc:
                errors += [RowError(line, _column_of(f, SESSION_COLUMNS), m) for f, m in _flatten(exc.messages)]
            except ServiceError as exc:
                errors += [RowError(line, _column_of(f, SESSION_COLUMNS), m) for f, m in _flatten(exc.errors)]
        offers.append(offer)

    if errors:
        db.session.rollback()
        raise ImportRejected(errors)
    audit.record(
        actor,
        "offer.import",
        actor.organisation,
        organisation_id=actor.organisation_id,
        offers=len(offers),
        sessions=sum(len(o.sessions) for o in offers),
    )
    db.session.commit()
    return offers


def _session_errors_without_offer(group: list[tuple[int, dict]]) -> list[RowError]:
    """The sessions of an offer that failed, checked as far as they can be without it (dates, seats), so that
    one upload reports every error of the file; the rules that need the offer wait for it."""
    errors = []
    for line, row in group:
        try:
            SessionSchema().load(_session_payload(row))
        except ValidationError as exc:
            errors += [RowError(line, _column_of(f, SESSION_COLUMNS), m) for f, m in _flatten(exc.messages)]
    return errors


def import_accounts(actor: User, filename: str, content: bytes, *, token_hours: int) -> list[User]:
    """Agent accounts of the actor's organisation; each gets a first-password link once the file is clean."""
    rows = read_rows(filename, content)
    _check_header(rows, REQUIRED_ACCOUNT_COLUMNS)
    errors: list[RowError] = []
    users: list[User] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        cells = {field: row.get(column, "") for column, field in ACCOUNT_COLUMNS.items()}
        payload: dict[str, object] = {
            **cells,
            "roles": _split(cells["roles"]) or ["agent"],
            "organisation_id": actor.organisation_id,
        }
        email = cells["email"].strip().lower()
        if email in seen:
            errors.append(RowError(line, "email", _("Adresse déjà présente ligne %(n)d.", n=seen[email])))
            continue
        seen[email] = line
        try:
            data = AccountSchema().load(payload)
            users.append(build_account(actor, data, token_hours=token_hours))
        except ValidationError as exc:
            errors += [RowError(line, _column_of(f, ACCOUNT_COLUMNS), m) for f, m in _flatten(exc.messages)]
        except ServiceError as exc:
            errors += [RowError(line, _column_of(f, ACCOUNT_COLUMNS), m) for f, m in _flatten(exc.errors)]
    if errors:
        db.session.rollback()
        raise ImportRejected(errors)
    db.session.commit()
    return users
