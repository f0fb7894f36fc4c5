"""Date fields in Chinese pages: the browser's date input takes only ISO dates."""

import datetime

from django import forms
from django.utils import translation


class _Dates(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def test_date_inputs_render_iso_dates_in_chinese_and_english():
    initial = {"day": datetime.date(2026, 5, 3), "at": datetime.datetime(2026, 5, 3, 9, 30)}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = str(_Dates(initial=initial))
        assert 'value="2026-05-03"' in html, (language, html)
        assert 'value="2026-05-03 09:30' in html, (language, html)


def test_chinese_forms_still_accept_slashes_and_iso():
    with translation.override("zh-hans"):
        for text in ("2026-05-03", "2026/05/03", "2026年05月03日"):
            form = _Dates(data={"day": text, "at": "2026-05-03T09:30"})
            assert form.is_valid(), (text, form.errors)
            assert form.cleaned_data["day"] == datetime.date(2026, 5, 3)
            assert form.cleaned_data["at"].hour == 9
