"""Reading the CSV and Excel files HR teams live in, and writing CSV they can open."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook

from mobilite.services.errors import ServiceError

MAX_ROWS = 5000


def _cell(value) -> str:
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
    """(line number, {column: text}) for every non-empty row; column names are lower-cased."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        table = _csv_rows(content)
    elif name.endswith(".xlsx"):
        table = _xlsx_rows(content)
    else:
        raise ServiceError({"file": [_("Format non reconnu : envoyez un fichier .csv ou .xlsx.")]})
    if not table:
        raise ServiceError({"file": [_("Le fichier est vide.")]})
    header = [_cell(h).lower() for h in table[0]]
    rows = []
    for line, values in enumerate(table[1:], start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rows.append((line, {header[i]: cells[i] if i < len(cells) else "" for i in range(len(header)) if header[i]}))
    if len(rows) > MAX_ROWS:
        raise ServiceError({"file": [_("Trop de lignes (%(n)d au plus par fichier).", n=MAX_ROWS)]})
    return rows


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")  # Excel's "CSV" on French Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(content: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ServiceError({"file": [_("Ce fichier Excel ne peut pas être lu.")]}) from exc
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def write_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM and semicolons: what French Excel opens cleanly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
