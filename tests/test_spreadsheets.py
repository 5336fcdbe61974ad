"""Reading spreadsheets costs what the file is worth (issue 11, findings 6 and 10): a small file declaring a
huge sheet, a zip bomb, a sheet of blank rows or random bytes are refused with a clear error, quickly."""

import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from mobilite.services import spreadsheets
from mobilite.services.errors import ServiceError
from mobilite.services.spreadsheets import MAX_LINES, MAX_ROWS, read_rows

SHEET = "xl/worksheets/sheet1.xml"
HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>titre</t></is></c></row>'


@pytest.fixture(autouse=True)
def _context(ctx):
    """Error messages are translated: reading runs in a request context, as in the import views."""


def _xlsx(sheet_xml: str | None = None) -> bytes:
    """A real workbook from openpyxl, its first sheet's XML replaced by `sheet_xml`."""
    workbook = Workbook()
    workbook.active.append(["titre"])
    workbook.active.append(["Une offre"])
    saved = io.BytesIO()
    workbook.save(saved)
    if sheet_xml is None:
        return saved.getvalue()
    crafted = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(saved.getvalue())) as source,
        zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, sheet_xml if item.filename == SHEET else source.read(item.filename))
    return crafted.getvalue()


def _refused(filename: str, content: bytes) -> str:
    with pytest.raises(ServiceError) as refused:
        read_rows(filename, content)
    return refused.value.errors["file"][0]


def test_a_plain_workbook_is_read():
    assert read_rows("offres.xlsx", _xlsx()) == [(2, {"titre": "Une offre"})]


def _offers_sheet(dimension: str, rows: int) -> bytes:
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Offre {n}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>Lyon</t></is></c></row>'
        for n in range(2, rows + 2)
    )
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>titre</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>ville</t></is></c></row>'
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return _xlsx(HEAD + declared + "<sheetData>" + header + cells + "</sheetData></worksheet>")


@pytest.mark.parametrize("dimension", ["A1", "A1:B3", "A1:A12", "", "A1:B11"])
def test_every_row_is_read_whatever_size_the_sheet_declares(dimension):
    """Regression: openpyxl stopped at the declared size, so a sheet declaring "A1" (as some writers do)
    was read as empty, and one declaring three rows lost the rest without a word."""
    assert read_rows("offres.xlsx", _offers_sheet(dimension, 10)) == [
        (n, {"titre": f"Offre {n}", "ville": "Lyon"}) for n in range(2, 12)
    ]


def test_cells_far_right_of_the_header_are_ignored():
    far = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, MAX_ROWS)
    )
    content = _xlsx(HEAD + '<dimension ref="A1"/><sheetData>' + HEADER_ROW + far + "</sheetData></worksheet>")
    rows = read_rows("offres.xlsx", content)
    assert len(rows) == MAX_ROWS - 2 and rows[0] == (2, {"titre": "2"})


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_row_with_values_only_under_untitled_columns_is_a_row_not_a_blank_line(kind):
    if kind == "csv":
        content = b"titre;ville\nOffre 2;Lyon\n;;Offre 3;Nantes\n\n"
    else:
        content = _xlsx(
            HEAD
            + "<sheetData>"
            + '<row r="1"><c r="A1" t="inlineStr"><is><t>titre</t></is></c></row>'
            + '<row r="2"><c r="A2" t="inlineStr"><is><t>Offre 2</t></is></c></row>'
            + '<row r="3"><c r="D3" t="inlineStr"><is><t>Offre 3</t></is></c></row>'
            + '<row r="4"></row>'
            + "</sheetData></worksheet>"
        )
    rows = read_rows(f"offres.{kind}", content)
    assert [line for line, _values in rows] == [2, 3]  # line 3 is reported (its titled cells are empty)
    assert rows[1][1]["titre"] == ""


def test_a_sheet_declaring_two_million_rows_is_refused_before_it_is_read():
    content = _xlsx(HEAD + '<dimension ref="A1:Z2000000"/><sheetData>' + HEADER_ROW + "</sheetData></worksheet>")
    assert len(content) < 10_000
    assert "2000000 lignes" in _refused("offres.xlsx", content)


def test_a_sheet_declaring_the_full_grid_is_refused_before_it_is_read():
    content = _xlsx(HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>' + HEADER_ROW + "</sheetData></worksheet>")
    assert "1048576 lignes et 16384 colonnes" in _refused("offres.xlsx", content)


def test_two_million_blank_rows_are_refused_unread_as_a_zip_bomb():
    content = _xlsx(HEAD + "<sheetData>" + HEADER_ROW + "<row/>" * 2_000_000 + "</sheetData></worksheet>")
    assert len(content) < 50_000  # 12 MB of XML, a few kilobytes once zipped
    assert "anormalement compressé" in _refused("offres.xlsx", content)


def test_blank_rows_under_the_bomb_threshold_still_stop_at_the_line_limit():
    content = _xlsx(HEAD + "<sheetData>" + HEADER_ROW + "<row/>" * (3 * MAX_LINES) + "</sheetData></worksheet>")
    assert "lignes vides comprises" in _refused("offres.xlsx", content)


def test_a_big_sheet_that_does_not_declare_its_size_is_refused_unread(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_RATIO", 10**9)  # not a bomb: openpyxl would read it once in full
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 100_000))
    content = _xlsx(HEAD + "<sheetData>" + HEADER_ROW + rows + "</sheetData></worksheet>")
    assert "n'indique pas sa taille" in _refused("offres.xlsx", content)


def test_an_archive_too_big_once_unzipped_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED", 2048)
    assert "trop volumineux une fois décompressé" in _refused("offres.xlsx", _xlsx())


def test_more_rows_than_the_limit_are_refused_as_soon_as_it_is_passed():
    csv = "titre\n" + "".join(f"Offre {n}\n" for n in range(MAX_ROWS + 1))
    assert f"{MAX_ROWS} au plus" in _refused("offres.csv", csv.encode())


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_refused_as_unreadable_csv(seed):
    content = random.Random(seed).randbytes(4096) + bytes([0x81])  # 0x81 is no character, even in cp1252
    assert "n'est pas du texte lisible" in _refused("offres.csv", content)


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"", bytes(range(256))])
def test_a_damaged_workbook_is_refused(content):
    assert "ne peut pas être lu" in _refused("offres.xlsx", content)
