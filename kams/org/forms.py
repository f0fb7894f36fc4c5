from django import forms
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kams.org.enums import DataScope, UnitKind
from kams.org.models import OrgUnit, Role


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return ("　" * max(0, obj.depth - 1)) + obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return ("　" * max(0, obj.depth - 1)) + obj.name


class OrgUnitCreateForm(forms.Form):
    parent = UnitChoiceField(label=_("Parent unit"), queryset=OrgUnit.objects.none())
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = OrgUnit.objects.visible_to(user)


class OrgUnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class StaffForm(forms.Form):
    username = forms.RegexField(
        label=_("Login name"),
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": _("Use 3 to 150 letters, digits and _ . @ + -.")},
    )
    employee_no = forms.RegexField(
        label=_("Operator ID"),
        regex=r"^[A-Za-z0-9-]{2,20}$",
        error_messages={"invalid": _("Use 2 to 20 letters, digits and dashes.")},
    )
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    org_unit = UnitChoiceField(label=_("Org unit"), queryset=OrgUnit.objects.none())
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=Role.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    extra_units = UnitMultipleChoiceField(
        label=_("District group"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Further units whose data this person may see."),
    )
    mobile = forms.RegexField(
        label=_("Mobile"), regex=r"^1\d{10}$", required=False,
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, required=False,
        help_text=_("Leave empty to create the login without a password."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.visible_to(user).filter(is_active=True)
        self.fields["org_unit"].queryset = units
        self.fields["extra_units"].queryset = units.filter(kind__in=UnitKind.geographic())
        if editing:
            for name in ("username", "employee_no", "password"):
                del self.fields[name]
        else:
            del self.fields["reason"]
            del self.fields["is_active"]


class RoleForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    data_scope = forms.ChoiceField(label=_("Data scope"), choices=DataScope.choices)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices()
        if editing:
            del self.fields["code"]


KAMS_APPS = ("org", "audit", "system", "access", "customers", "club", "service", "sales",
             "marketing", "retention", "channels", "products", "resources", "reports",
             "knowledge", "federation", "integration")


def permission_choices():
    """Permissions of the KAMS apps, grouped by app for the role editor."""
    perms = (
        Permission.objects.filter(content_type__app_label__in=KAMS_APPS)
        .select_related("content_type")
        .order_by("content_type__app_label", "content_type__model", "codename")
    )
    return [(f"{p.content_type.app_label}.{p.codename}", f"{p.content_type.app_label} · {p.name}") for p in perms]


class StaffPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
