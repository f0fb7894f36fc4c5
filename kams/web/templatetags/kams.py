import datetime

from django import forms, template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def bs(field):
    """Render a form field with Bootstrap classes."""
    widget = field.field.widget
    css = "form-select form-select-sm" if isinstance(widget, (forms.Select, forms.SelectMultiple)) else "form-control form-control-sm"
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def cell(value):
    """A table cell: dates in local time, booleans as icons, empty as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        icon = "bi-check-circle-fill text-success" if value else "bi-x-circle text-muted"
        return format_html('<i class="bi {}" title="{}"></i>', icon, _("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value
