"""Uploaded tables (CSV or Excel) read as lines of text cells: what every file import of a
domain starts from (return forms, partner exchanges, network observations, serial lists).

    for line, cells in table_rows(content, file_name):
        ...

CSV comes as UTF-8 (with or without BOM) or, as Excel on Chinese Windows saves it, GB18030;
an ``.xlsx`` file is read from its first sheet. Line numbers start at 1 as the user sees them.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kams.core.errors import InvalidInput


def table_rows(content: bytes, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of every row, cells as stripped text. An unreadable workbook raises
    ``InvalidInput`` before any row."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any unreadable workbook is one clear error
            raise InvalidInput(_("The file is not a readable Excel workbook.")) from None
        try:
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                yield number, [cell_text(v) for v in values]
        finally:
            workbook.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")  # saved by Excel on Chinese Windows
    for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield number, [v.strip() for v in values]


def cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV would hold: dates in ISO form, whole numbers without
    ``.0`` (numbers, card and IMEI serials are often typed as numbers), decimals exactly."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(str(value)), "f")
    return str(value).strip()
