"""Excel export of any list: the rows of the (already scoped and filtered) queryset,
streamed through openpyxl's write-only workbook, so a big list does not fill memory."""

import datetime
import tempfile
from typing import Any, Callable, Iterable

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

Column = tuple[Any, Callable[[Any], Any]]


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, (int, float, str, datetime.date)):
        return value
    return str(value)


def xlsx_response(*, rows: Iterable[Any], columns: list[Column], filename: str, sheet: str = "Sheet1"):
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    header = []
    for title, _getter in columns:
        cell = WriteOnlyCell(worksheet, value=str(title))
        cell.font = Font(bold=True)
        header.append(cell)
    worksheet.append(header)
    for row in rows:
        worksheet.append([_cell_value(getter(row)) for _title, getter in columns])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
