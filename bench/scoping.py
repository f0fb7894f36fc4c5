"""Scoped reads (ORG-03) against the bare-SQL floor.

For a director, a province director and an account manager: the staff list as the page
reads it (scope filter, join to the unit, order, first page, total count) and the subtree of
their city, each timed through the ORM and as hand-written SQL on the same connection.
Prints the median time of each and the ratio ORM / SQL.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        bench_dir = Path(tempfile.mkdtemp(prefix="kams-bench-"))
        os.environ["KAMS_VAR_DIR"] = str(bench_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kams.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kams.demo.generator import load_demo
    from kams.org.models import OrgUnit, Staff
    from kams.org.scoping import scope_for

    call_command("migrate", interactive=False, verbosity=0)
    if OrgUnit.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
    counts = load_demo(size=args.size)
    print(f"database: {connection.vendor}, demo size {args.size}: {counts}")
    print(f"{'case':<38}{'ORM ms':>10}{'SQL ms':>10}{'ratio':>8}")

    for username in ("nj_director", "js_director", "nj_manager1"):
        user = Staff.objects.get(user__username=username).user
        scope = scope_for(user)

        def orm_list():
            qs = Staff.objects.visible_to(user).select_related("org_unit").order_by("employee_no")
            list(qs[:25])
            qs.count()

        where = " OR ".join(["u.path LIKE %s"] * len(scope.prefixes)) or "1=1"
        params = [p + "%" for p in scope.prefixes]
        sql_page = (
            "SELECT s.*, u.* FROM org_staff s JOIN org_orgunit u ON u.id = s.org_unit_id "
            f"WHERE ({where}) ORDER BY s.employee_no LIMIT 25"
        )
        sql_count = f"SELECT COUNT(*) FROM org_staff s JOIN org_orgunit u ON u.id = s.org_unit_id WHERE ({where})"

        def raw_list():
            with connection.cursor() as cursor:
                cursor.execute(sql_page, params)
                cursor.fetchall()
                cursor.execute(sql_count, params)
                cursor.fetchone()

        orm, raw = timed(orm_list, args.repeat), timed(raw_list, args.repeat)
        print(f"{'staff list, ' + username:<38}{orm * 1000:>10.3f}{raw * 1000:>10.3f}{orm / raw:>8.2f}")

    city = OrgUnit.objects.get(code="NJ")

    def orm_subtree():
        list(OrgUnit.objects.subtree_of(city).values_list("id", flat=True))

    def raw_subtree():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM org_orgunit WHERE path LIKE %s ORDER BY path", [city.path + "%"])
            cursor.fetchall()

    orm, raw = timed(orm_subtree, args.repeat), timed(raw_subtree, args.repeat)
    print(f"{'org subtree of Nanjing':<38}{orm * 1000:>10.3f}{raw * 1000:>10.3f}{orm / raw:>8.2f}")


if __name__ == "__main__":
    main()
