"""Reading the CSV and Excel files HR teams live in, and writing CSV they can open.

Reading costs what the file is worth: rows are streamed and reading stops at the row limit; an Excel file
(a zip archive) is checked before openpyxl opens it (uncompressed size, compression ratio: no zip bomb) and
its sheet's declared size is checked before a row is read. Writing neutralises what a spreadsheet would run.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook

from mobilite.services.errors import ServiceError

MAX_ROWS = 5000  # non-empty data rows
MAX_LINES = 2 * MAX_ROWS  # lines read, empty ones included (a sheet of blank rows costs time too)
MAX_COLUMNS = 200
MAX_UNCOMPRESSED = 20 * 1024 * 1024  # an .xlsx holds XML: 5,000 rows of offers are a few megabytes of it
MAX_RATIO = 200  # real spreadsheets compress 5 to 50 times; a zip bomb, thousands
MAX_MEMBERS = 1000
# openpyxl reads a sheet that does not declare its size once in full to size it: only small ones may do that.
MAX_UNSIZED_SHEET = 2 * 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*(?::([A-Z]+)(\d+))?"')


def _refused(message: str) -> ServiceError:
    return ServiceError({"file": [message]})


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for every non-empty row; columns are named by `column_title`."""
    name = (filename or "").lower()
    table: Iterator[Iterable[object]]
    if name.endswith(".csv"):
        table = _csv_rows(content)
    elif name.endswith(".xlsx"):
        table = _xlsx_rows(content)
    else:
        raise _refused(_("Format non reconnu : envoyez un fichier .csv ou .xlsx."))
    first = next(table, None)
    if first is None:
        raise _refused(_("Le fichier est vide."))
    header = [column_title(_cell(h)) for h in first]
    width = max((i + 1 for i, name in enumerate(header) if name), default=0)  # columns past it have no title
    rows: list[tuple[int, dict[str, str]]] = []
    for line, values in enumerate(table, start=2):
        if line > MAX_LINES:
            raise _refused(_("Trop de lignes (%(n)d au plus par fichier, lignes vides comprises).", n=MAX_LINES))
        cells = [unquoted(_cell(v)) for v in itertools.islice(values, width)]
        # A row empty under the titles but not beyond them is still a row (reported as such), not a blank one.
        if not any(cells) and not any(_cell(v) for v in itertools.islice(values, width, None)):
            continue
        if len(rows) == MAX_ROWS:
            raise _refused(_("Trop de lignes (%(n)d au plus par fichier).", n=MAX_ROWS))
        rows.append((line, {header[i]: cells[i] if i < len(cells) else "" for i in range(len(header)) if header[i]}))
    return rows


def column_title(text: str) -> str:
    """A column's title as the imports name it: "Équipe" and "équipe" are "equipe", "Tuteur nom" "tuteur_nom"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.strip().lower()) if not unicodedata.combining(c))
    return "_".join(plain.split())


def _csv_text(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Texte Unicode"
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise _refused(_("Ce fichier CSV n'est pas du texte lisible : enregistrez-le en « CSV UTF-8 ».")) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")  # Excel's "CSV" on French Windows
    except UnicodeDecodeError as exc:
        raise _refused(
            _(
                "Ce fichier CSV n'est pas du texte lisible (octet non valable en position %(n)d) : "
                "enregistrez-le en « CSV UTF-8 ».",
                n=exc.start,
            )
        ) from None


def _delimiter(text: str) -> str:
    """The header line's separator: French Excel writes ";", others "," or a tab, and titles hold none. (Guessing
    from the rows, as csv.Sniffer does, goes wrong on a long description full of commas.)"""
    header = text.split("\n", 1)[0]
    counts = {separator: header.count(separator) for separator in ";,\t"}
    found = max(counts, key=lambda separator: counts[separator])
    return found if counts[found] else ";"


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _csv_text(content)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a field over csv's size limit, a stray quote in strict dialects…
            raise _refused(_("Ce fichier CSV ne peut pas être lu (ligne %(n)d).", n=reader.line_num)) from exc
        yield row


def _check_archive(content: bytes) -> None:
    """Refuse, before anything is decompressed, an archive whose declared content is absurd.

    The sizes are the zip directory's own; zipfile never inflates a member past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _refused(_("Ce fichier Excel ne peut pas être lu.")) from exc
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
        raise _refused(
            _(
                "Ce fichier Excel est trop volumineux une fois décompressé (%(n)d Mo au plus).",
                n=MAX_UNCOMPRESSED // (1024 * 1024),
            )
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _refused(_("Ce fichier Excel est anormalement compressé : il n'est pas lu."))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                with archive.open(member) as sheet:
                    _check_declared_size(sheet.read(64 * 1024), member.file_size)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _check_declared_size(head: bytes, size: int) -> None:
    """The <dimension ref="A1:Z2000000"/> a sheet declares before its rows, checked before openpyxl reads it."""
    found = _DIMENSION.search(head)
    if found is None:
        if size > MAX_UNSIZED_SHEET:
            raise _refused(
                _(
                    "La feuille n'indique pas sa taille et dépasse %(n)d Mo : enregistrez-la depuis un tableur.",
                    n=MAX_UNSIZED_SHEET // (1024 * 1024),
                )
            )
        return
    rows = int(found.group(2)) if found.group(2) else 1
    columns = _column_number(found.group(1)) if found.group(1) else 1
    if rows > MAX_LINES or columns > MAX_COLUMNS:
        raise _refused(
            _(
                "La feuille annonce %(rows)d lignes et %(columns)d colonnes : %(max_rows)d lignes et "
                "%(max_columns)d colonnes au plus.",
                rows=rows,
                columns=columns,
                max_rows=MAX_LINES,
                max_columns=MAX_COLUMNS,
            )
        )


def _xlsx_rows(content: bytes) -> Iterator[Iterable]:
    _check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        declared_rows, declared_columns = sheet.max_row, sheet.max_column  # the sheet's <dimension>, if any
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _refused(_("Ce fichier Excel ne peut pas être lu.")) from exc
    if (declared_rows or 0) > MAX_LINES or (declared_columns or 0) > MAX_COLUMNS:
        workbook.close()
        raise _refused(
            _(
                "La feuille annonce %(rows)d lignes et %(columns)d colonnes : %(max_rows)d lignes et "
                "%(max_columns)d colonnes au plus.",
                rows=declared_rows or 0,
                columns=declared_columns or 0,
                max_rows=MAX_LINES,
                max_columns=MAX_COLUMNS,
            )
        )
    return _stream(workbook, sheet)


def _stream(workbook, sheet) -> Iterator[Iterable]:
    """The sheet's rows as its XML holds them, one at a time (read_rows stops at its limits); cells past
    MAX_COLUMNS are ignored.

    The declared size only refuses a sheet early: openpyxl would stop at it, and some writers declare "A1"
    for a whole sheet (its rows would be lost without a word)."""
    sheet.reset_dimensions()
    try:
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails while it is read
        raise _refused(_("Ce fichier Excel ne peut pas être lu.")) from exc
    finally:
        workbook.close()


# OWASP's advice against CSV injection: a text cell starting with one of these is a formula to a spreadsheet;
# a leading single quote makes it text (and the imports take it off again).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    """A cell's text as exported: numbers and dates as they are, text that would run as a formula quoted."""
    text = _cell(value)
    if not isinstance(value, int | float | date) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unquoted(text: str) -> str:
    """An imported cell as it was before `neutralised` (an exported file re-imports as it is)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def write_csv(header: list[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM and semicolons: what French Excel opens cleanly. Text cells are neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(h) for h in header])
    writer.writerows([[neutralised(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
