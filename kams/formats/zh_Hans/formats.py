"""Chinese input formats: ISO dates first.

A form widget renders its value in the first input format of the active language, and the
browser's ``<input type="date">`` accepts only ``YYYY-MM-DD`` (``datetime-local`` also takes a
space before the time); Django's ``zh_Hans`` lists ``%Y/%m/%d`` first, so every date field of
a Chinese page came up empty. The other forms are still accepted when typed or imported.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
]
