import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.masking import for_reader
from kams.audit.selectors import activity_by_day, audit_entries_for
from kams.org.selectors import org_units_for, staff_count_by_unit, staff_for
from kams.system.selectors import recent_jobs


@login_required
def home(request):
    """The start page: what the user's scope holds, with charts."""
    user = request.user
    since = timezone.localdate() - datetime.timedelta(days=29)
    by_unit = staff_count_by_unit(user)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    activity = {row["day"]: row["n"] for row in activity_by_day(user, start)}
    days = [since + datetime.timedelta(days=i) for i in range(30)]
    context = {
        "title": _("Home"),
        "unit_count": org_units_for(user).count(),
        "staff_count": staff_for(user).filter(is_active=True).count(),
        "audit_today": audit_entries_for(user).filter(at__date=timezone.localdate()).count(),
        "recent": for_reader(audit_entries_for(user)[:8], user) if user.has_perm("audit.view_auditentry") else [],
        "jobs": recent_jobs(5) if user.has_perm("system.view_jobrun") else [],
        "chart_units": {
            "labels": [row["unit"].name for row in by_unit],
            "values": [row["count"] for row in by_unit],
        },
        "chart_activity": {
            "labels": [d.strftime("%m-%d") for d in days],
            "values": [activity.get(d, 0) for d in days],
        },
    }
    return render(request, "web/home.html", context)
