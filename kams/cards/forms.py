"""Forms of the card and card-stock pages. They only collect input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.cards.enums import CORRECTABLE_STATES, BlankState
from kams.cards.selectors import stock_units
from kams.club.models import ClubLevel
from kams.org.enums import UnitKind

DATE = forms.DateInput(attrs={"type": "date"})
SERIAL = {"max_length": 30, "widget": forms.TextInput(attrs={"placeholder": "JS2026000001"})}


def reason_field(required=True, label=_("Reason")) -> forms.CharField:
    return forms.CharField(label=label, max_length=300, required=required, widget=forms.Textarea(attrs={"rows": 2}))


class UserForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class ApplyForm(forms.Form):
    member = forms.CharField(label=_("Member number"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CardMoveForm(UserForm):
    """One move of a card: the reason (required to replace or cancel); to issue or replace,
    the unit whose stock gives the blank and, optionally, its serial."""

    unit = forms.ModelChoiceField(label=_("Take the blank from the stock of"), queryset=None)
    serial = forms.CharField(label=_("Blank serial"), required=False,
                             help_text=_("Empty: the lowest serial in stock of the card's level."), **SERIAL)
    reason = reason_field(required=False)

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        if action in ("issue", "replace"):
            self.fields["unit"].queryset = stock_units(self.user)
        else:
            del self.fields["unit"], self.fields["serial"]
        if action in ("replace", "cancel"):
            self.fields["reason"].required = True


class StockInForm(UserForm):
    level = forms.ModelChoiceField(label=_("Card level"), queryset=ClubLevel.objects.all())
    first = forms.CharField(label=_("First serial"), **SERIAL)
    last = forms.CharField(label=_("Last serial"), **SERIAL)
    unit = forms.ModelChoiceField(label=_("Into the stock of"), queryset=None, required=False,
                                  help_text=_("Empty: your province."))
    note = forms.CharField(label=_("Note (delivery, supplier)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = stock_units(self.user).filter(kind=UnitKind.PROVINCE)


class _BlanksForm(UserForm):
    level = forms.ModelChoiceField(label=_("Card level"), queryset=ClubLevel.objects.all(), required=False,
                                   help_text=_("Needed with a count."))
    first = forms.CharField(label=_("First serial"), required=False, **SERIAL)
    last = forms.CharField(label=_("Last serial"), required=False, help_text=_("Empty: the first serial only."),
                           **SERIAL)
    count = forms.IntegerField(label=_("Or a count"), required=False,
                               help_text=_("Instead of a range: the lowest serials in stock of the level."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MoveForm(_BlanksForm):
    from_unit = forms.ModelChoiceField(label=_("From unit"), queryset=None)
    to_unit = forms.ModelChoiceField(label=_("To unit"), queryset=None)
    field_order = ["from_unit", "to_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = self.fields["to_unit"].queryset = stock_units(self.user)


class ReturnForm(_BlanksForm):
    from_unit = forms.ModelChoiceField(label=_("Returned by"), queryset=None,
                                       help_text=_("The blanks go to the unit above it."))
    field_order = ["from_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = stock_units(self.user).exclude(kind=UnitKind.PROVINCE)


class VoidForm(UserForm):
    unit = forms.ModelChoiceField(label=_("Held by"), queryset=None)
    first = forms.CharField(label=_("First serial"), **SERIAL)
    last = forms.CharField(label=_("Last serial"), required=False, help_text=_("Empty: the first serial only."),
                           **SERIAL)
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = stock_units(self.user)


class CorrectForm(forms.Form):
    first = forms.CharField(label=_("First serial"), **SERIAL)
    last = forms.CharField(label=_("Last serial"), required=False, help_text=_("Empty: the first serial only."),
                           **SERIAL)
    state = forms.ChoiceField(label=_("New state"), choices=[(s, BlankState(s).label) for s in CORRECTABLE_STATES])
    reason = reason_field()


class StocktakeForm(UserForm):
    unit = forms.ModelChoiceField(label=_("Unit counted"), queryset=None)
    counted_on = forms.DateField(label=_("Counted on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = stock_units(self.user)
        self.fields["counted_on"].initial = timezone.localdate()
        for level in ClubLevel.objects.order_by("rank"):
            self.fields[f"count_{level.code}"] = forms.IntegerField(
                label=_("%(level)s blanks counted") % {"level": level.name}, required=False, min_value=0,
            )

    def counts(self) -> dict[str, int | None]:
        return {name[len("count_"):]: value for name, value in self.cleaned_data.items() if name.startswith("count_")}


class StatusQueryForm(forms.Form):
    serial = forms.CharField(label=_("Serial"), **SERIAL)
    last = forms.CharField(label=_("To serial"), required=False, help_text=_("Empty: that serial only."), **SERIAL)
