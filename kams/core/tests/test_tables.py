"""Uploaded tables: CSV in either encoding and Excel read alike, numbers typed as numbers kept
whole."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from kams.core.errors import InvalidInput
from kams.core.tables import table_rows


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_in_utf8_and_gb18030_reads_the_same():
    text = "号码,姓名\n13900000001, 张三 \n"
    for content in (text.encode("utf-8-sig"), text.encode("gb18030")):
        assert list(table_rows(content, "a.csv")) == [(1, ["号码", "姓名"]), (2, ["13900000001", "张三"])]


def test_excel_cells_read_as_a_csv_would_hold_them():
    content = _xlsx([["number", "amount", "when", "day", "empty"],
                     [13900000001.0, 12.5, datetime.datetime(2026, 5, 3, 9, 30), datetime.date(2026, 5, 3), None]])
    rows = list(table_rows(content, "a.XLSX"))
    assert rows[1] == (2, ["13900000001", "12.5", "2026-05-03 09:30:00", "2026-05-03 00:00:00", ""])


def test_an_unreadable_workbook_is_one_clear_error():
    with translation.override("en"), pytest.raises(InvalidInput, match="readable Excel"):
        list(table_rows(b"not a zip", "a.xlsx"))
