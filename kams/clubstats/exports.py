"""Excel workbooks of several tables: one sheet per table of a statistic or a forecast."""

from __future__ import annotations

import datetime
import tempfile
from decimal import Decimal
from typing import Any, Iterable

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def _value(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str, datetime.date, Decimal)):
        return value
    return str(value)


def xlsx_tables(*, sheets: Iterable[tuple[str, list[tuple[Any, str]], list[dict]]], filename: str) -> FileResponse:
    """``sheets``: (title, [(column title, row key)], rows) each."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, columns, rows in sheets:
        name = str(title)[:31] or "Sheet"
        for forbidden in "[]:*?/\\":
            name = name.replace(forbidden, " ")
        while name in used:
            name = name[:28] + f"~{len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        header = []
        for column_title, _key in columns:
            cell = WriteOnlyCell(sheet, value=str(column_title))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_value(row.get(key)) for _title, key in columns])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"{filename}-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
