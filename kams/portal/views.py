"""Pages of the member portal (会员自服务). Every page but the login pages needs a logged-in
member (``member_required``) and reads and writes that member only: no page takes a member
from the address."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kams.club.enums import ItemKind, PointsCategory, PointsKind
from kams.club.errors import InsufficientPoints, UnknownItem
from kams.club.redemption import item_on_offer, item_price
from kams.core.errors import KamsError
from kams.portal import selectors, services
from kams.portal.auth import (
    current,
    login_method,
    member_required,
    portal_login,
    portal_logout,
    refresh_hash,
    safe_next,
)
from kams.portal.errors import WeakPassword
from kams.portal.forms import CodeLoginForm, MemberDataForm, PasswordForm, PasswordLoginForm, PhoneForm
from kams.system.parameters import param

PAGE_SIZE = 20


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else phone


# --- Logging in and out ---------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if current(request) is not None:
        return redirect(safe_next(request))
    form = PasswordLoginForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            card = services.login_with_password(card_no=form.cleaned_data["card_no"],
                                                password=form.cleaned_data["password"], ip=_ip(request))
        except KamsError as exc:
            error, status = exc.text, exc.status
        else:
            portal_login(request, card, "password")
            return redirect(safe_next(request))
    return render(request, "portal/login.html", {"form": form, "error": error, "next": safe_next(request, "/m/"),
                                                 "title": _("Member login")}, status=status)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def code_login_view(request):
    """Log in with a one-time code sent by SMS (the first login, or a forgotten password)."""
    if current(request) is not None:
        return redirect(safe_next(request))
    form = CodeLoginForm(request.POST or None)
    error, info, status, sent = "", "", 200, False
    if request.method == "POST" and form.is_valid():
        card_no = form.cleaned_data["card_no"]
        if request.POST.get("action") == "send":
            try:
                services.login_code_send(card_no=card_no, ip=_ip(request))
            except KamsError as exc:
                error, status = exc.text, exc.status
            else:
                sent = True
                info = _("If the card number is registered, a code was sent by SMS to the member's mobile. "
                         "It is valid for 5 minutes.")
        elif not form.cleaned_data["code"]:
            error, status, sent = _("Enter the six-digit code from the SMS."), 400, True
        else:
            try:
                card = services.login_with_code(card_no=card_no, code=form.cleaned_data["code"], ip=_ip(request))
            except KamsError as exc:
                error, status, sent = exc.text, exc.status, True
            else:
                portal_login(request, card, "code")
                if not card.member.portal_password:
                    messages.info(request, _("Welcome! Choose a password for your next logins."))
                    return redirect("portal:password")
                return redirect(safe_next(request))
    return render(request, "portal/code_login.html", {"form": form, "error": error, "info": info, "sent": sent,
                                                      "next": safe_next(request, "/m/"),
                                                      "title": _("Log in with an SMS code")}, status=status)


@require_POST
@csrf_protect
def logout_view(request):
    portal_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("portal:login")


@sensitive_post_parameters("current", "password", "password2")
@member_required
def password_view(request):
    member = request.member
    need_current = bool(member.portal_password) and login_method(request) != "code"
    form = PasswordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member = services.password_set(member=member, password=form.cleaned_data["password"],
                                           current=form.cleaned_data["current"] if need_current else None)
        except KamsError as exc:
            form.add_error("password" if isinstance(exc, WeakPassword) else "current", exc.text)
            status = exc.status
        else:
            refresh_hash(request, member)
            messages.success(request, _("Your password is saved."))
            return redirect("portal:home")
    elif request.method == "POST":
        status = 400
    return render(request, "portal/password.html", {"form": form, "need_current": need_current,
                                                    "first": not member.portal_password,
                                                    "title": _("Password")}, status=status)


# --- Home, points ---------------------------------------------------------------------------------


@member_required
def home_view(request):
    from kams.clubinfo.selectors import member_announcements

    member = request.member
    context = selectors.home(member, request.portal_card)
    context.update({"member": member, "title": _("My club"),
                    "announcements": list(member_announcements(member)[:3])})
    return render(request, "portal/home.html", context)


@member_required
def points_view(request):
    page = _page(request, selectors.entries(request.member).select_related("redemption__item"))
    return render(request, "portal/points.html", {"page": page, "balance": selectors.balance(request.member),
                                                  "title": _("Points history")})


@member_required
def expiring_view(request):
    days = param("club.expiry_warning_days")
    soon = timezone.localdate() + datetime.timedelta(days=days)
    lots = list(selectors.open_lots(request.member))
    return render(request, "portal/expiring.html", {"lots": lots, "soon": soon, "days": days,
                                                    "total": sum(lot.remaining for lot in lots),
                                                    "title": _("Points and their expiry")})


# --- Redemption -----------------------------------------------------------------------------------


@member_required
def catalogue_view(request):
    member = request.member
    kind = request.GET.get("kind", "")
    rows = services.catalogue(member)
    if kind in ItemKind.values:
        rows = [(item, price) for item, price in rows if item.kind == kind]
    kinds = [(value, label) for value, label in ItemKind.choices]
    return render(request, "portal/catalogue.html", {"rows": rows, "kind": kind, "kinds": kinds,
                                                     "balance": selectors.balance(member),
                                                     "title": _("Redeem points")})


@member_required
def redeem_view(request, code: str):
    """The confirmation page carries a fresh idempotency key: sending the same form twice
    redeems once."""
    member = request.member
    try:
        item = item_on_offer(code)
    except UnknownItem:
        raise Http404 from None
    price = item_price(item, member.level)
    if price is None:  # not for this level: as if it did not exist
        raise Http404
    key, quantity, error, status = services.new_redeem_key(), "1", "", 200
    if request.method == "POST":
        key, quantity = request.POST.get("key", ""), request.POST.get("quantity", "1")
        try:
            redemption, created = services.portal_redeem(member=member, item_code=item.code, quantity=quantity, key=key)
        except InsufficientPoints as exc:
            error, status = _("You have %(balance)s points; this needs %(points)s. Nothing was deducted.") % {
                "balance": exc.params.get("balance"), "points": exc.params.get("points")}, exc.status
        except KamsError as exc:
            error, status = exc.text, exc.status
        else:
            if created:
                messages.success(request, _("Redeemed: %(points)s points were deducted.") % {"points": redemption.points})
            else:
                messages.info(request, _("This redemption was already made; nothing more was deducted."))
            return redirect("portal:receipt", pk=redemption.pk)
    return render(request, "portal/redeem.html", {
        "item": item, "price": price, "key": key, "quantity": quantity, "error": error,
        "balance": selectors.balance(member), "title": _("Confirm redemption"),
    }, status=status)


@member_required
def receipt_view(request, pk: int):
    redemption = get_object_or_404(selectors.redemptions(request.member), pk=pk)
    return render(request, "portal/receipt.html", {"r": redemption, "balance": selectors.balance(request.member),
                                                   "title": _("Redemption")})


@member_required
def redemptions_view(request):
    page = _page(request, selectors.redemptions(request.member))
    return render(request, "portal/redemptions.html", {"page": page, "months": selectors.months(request.member),
                                                       "title": _("My redemptions")})


@member_required
def statement_view(request, year: int, month: int):
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    data = selectors.statement(request.member, datetime.date(year, month, 1))
    kinds, categories = dict(PointsKind.choices), dict(PointsCategory.choices)
    lines = [{"kind": kinds.get(r["kind"], r["kind"]), "category": categories.get(r["category"], r["category"]),
              "points": r["points"]} for r in data["by_category"]]
    return render(request, "portal/statement.html", {**data, "lines": lines, "title": _("Monthly statement")})


@member_required
def auto_view(request):
    """预约积分消费 (CLUB-16): the item the monthly job redeems for the member, or none."""
    member = request.member
    status = 200
    if request.method == "POST":
        try:
            services.auto_redeem_choose(member=member, item_code=request.POST.get("item", ""))
        except KamsError as exc:
            messages.error(request, exc.text)
            status = exc.status
        else:
            messages.success(request, _("Your choice for the automatic monthly redemption is saved."))
            return redirect("portal:auto")
        member.refresh_from_db()
    return render(request, "portal/auto.html", {"choices": services.auto_redeem_choices(member),
                                                "chosen": member.auto_redeem_item_id,
                                                "balance": selectors.balance(member),
                                                "title": _("Automatic monthly redemption")}, status=status)


# --- My data --------------------------------------------------------------------------------------


@member_required
def me_view(request):
    member = request.member
    prefs = member.preferences or {}
    initial = {"email": member.email, "address": member.address, "statement_channel": member.statement_channel,
               "hobbies": prefs.get("hobbies", ""), "contact_time": prefs.get("contact_time", ""),
               "care_wishes": prefs.get("care_wishes", "")}
    form = MemberDataForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.member_data_change(
                    member=member, email=d["email"], address=d["address"], statement_channel=d["statement_channel"],
                    preferences={"hobbies": d["hobbies"], "contact_time": d["contact_time"],
                                 "care_wishes": d["care_wishes"]})
            except KamsError as exc:
                form.add_error(None, exc.text)
                status = exc.status
            else:
                messages.success(request, _("Your data is saved."))
                return redirect("portal:me")
        else:
            status = 400
    return render(request, "portal/me.html", {"form": form, "member": member, "card": request.portal_card,
                                              "phone": _mask(member.phone), "title": _("My data")}, status=status)


@sensitive_post_parameters("code")
@member_required
def phone_view(request):
    """Change the mobile number: a code goes to the new number and comes back here."""
    member = request.member
    form = PhoneForm(request.POST or None)
    error, status, sent_to = "", 200, ""
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            try:
                row = services.phone_code_send(member=member, card_no=request.portal_card.card_no,
                                               phone=form.cleaned_data["phone"])
            except KamsError as exc:
                error, status = exc.text, exc.status
            else:
                sent_to = _mask(row.phone)
        else:
            try:
                services.phone_change_confirm(member=member, code=form.cleaned_data["code"])
            except KamsError as exc:
                error, status = exc.text, exc.status
            else:
                messages.success(request, _("Your mobile number is changed."))
                return redirect("portal:me")
    show_code = bool(sent_to) or request.POST.get("action") == "confirm"
    return render(request, "portal/phone.html", {"form": form, "error": error, "sent_to": sent_to, "show_code": show_code,
                                                 "phone": _mask(member.phone), "title": _("Change mobile number")},
                  status=status)


# --- Announcements and activities -----------------------------------------------------------------


@member_required
def news_view(request):
    from kams.clubinfo.selectors import member_announcements

    return render(request, "portal/news.html", {"announcements": list(member_announcements(request.member)[:50]),
                                                "title": _("Club announcements")})


@member_required
def activities_view(request):
    from kams.clubinfo.selectors import member_activities_open, member_registrations

    member = request.member
    return render(request, "portal/activities.html", {
        "open": list(member_activities_open(member)), "mine": list(member_registrations(member)[:20]),
        "title": _("Club activities"),
    })


@require_POST
@member_required
def activity_register_view(request, pk: int):
    from kams.clubinfo.selectors import member_activities_open
    from kams.clubinfo.services import activity_register_member

    member = request.member
    activity = member_activities_open(member).filter(pk=pk).first()
    if activity is None:
        raise Http404
    try:
        activity_register_member(member=member, activity=activity)
    except KamsError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(request, _("You are registered for %(activity)s.") % {"activity": activity.name})
    return redirect("portal:activities")
