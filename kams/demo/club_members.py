"""The club members of the demo province (CLUB-01, CLUB-02): who is a member is decided by the
bills, with the rule of ``kams.club.levels`` (the highest level whose average monthly paid and
months on network the candidate reaches), over the latest billed months:

* individual high-end and key customers, judged on all their bills;
* key persons of group customers, each with the number whose bills earn the points (the two
  best-paying numbers of a group that qualify);
* a group's chief contact judged on all the group's bills, where a city would otherwise lack a
  diamond member.

Member JS00000001 is a diamond member in Nanjing of a customer of the demo login
``nj_manager1`` (the points step gives it card 8600000001). Every city has members of every
level. A few members applied and await the qualification review, a few were suspended by the
last annual inspection, and the last three monthly runs have their upgrades and downgrades.

A seed loader: ``bulk_create`` of members, points accounts and level history (no cards, no
points: later steps do those), everything drawn from the context's seeded ``random``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Max, Q, Sum
from django.utils import timezone

from kams.billing.models import BillSummary
from kams.club.enums import LevelChangeKind, MemberStatus, StatementChannel
from kams.club.ledger import add_months
from kams.club.levels import level_table, months_between, pick_level
from kams.club.models import ClubLevel, ClubMember, LevelRun, MemberLevelChange, PointsAccount
from kams.club.reference_data import ensure_reference_data_now
from kams.customers.enums import ContactRole, CustomerStatus, CustomerType
from kams.customers.models import Contact, Customer, Member
from kams.org.models import Staff
from kams.system.parameters import param

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

BATCH = 1000
CENT = Decimal("0.01")
NUMBERS_PER_GROUP = 2
CHIEFS_PER_CITY = 3
HOBBIES = ["高尔夫", "网球", "摄影", "书法", "茶道", "钓鱼", "旅行", "收藏", "马拉松", "骑行", "围棋", "红酒", "登山"]
CONTACT_TIMES = ["工作日上午", "工作日下午", "工作日晚上", "周末", "午休时间", "只发短信，不打电话"]
CARE_WISHES = ["生日送鲜花", "节日短信问候即可", "希望邀请参加高尔夫邀请赛", "关注孩子教育讲座", "希望定期健康体检",
               "不需要上门拜访", "家人生日提醒", "希望参加新品体验会", ""]


@dataclass
class Candidate:
    customer_id: int
    city: str
    name: str
    msisdn: str
    phone: str
    certificate_no: str
    email: str
    address: str
    birthday: datetime.date | None
    network_since: datetime.date | None
    manager_id: int | None
    averages: dict[int, Decimal] = field(default_factory=dict)
    level: ClubLevel | None = None

    @property
    def average(self) -> Decimal:
        return max(self.averages.values()) if self.averages else Decimal("0")


def _birthday(certificate_no: str) -> datetime.date | None:
    if len(certificate_no) == 18 and certificate_no[6:14].isdigit():
        try:
            return datetime.date(int(certificate_no[6:10]), int(certificate_no[10:12]), int(certificate_no[12:14]))
        except ValueError:
            return None
    return None


def _averages(queryset, keys: tuple[str, ...], period: datetime.date, windows: list[int]) -> dict:
    """keys → {months: average monthly paid}, in one aggregate query."""
    start = add_months(period, -(windows[-1] - 1))
    rows = (
        queryset.filter(period__gte=start, period__lte=period).values(*keys)
        .annotate(**{f"w{m}": Sum("paid", filter=Q(period__gte=add_months(period, -(m - 1)))) for m in windows})
        .order_by()
    )
    return {
        tuple(row[k] for k in keys): {m: (Decimal(str(row[f"w{m}"] or 0)) / m).quantize(CENT) for m in windows}
        for row in rows
    }


class MemberBuilder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.rnd = ctx, ctx.random
        self.today = timezone.localdate()

    def build(self) -> int:
        ensure_reference_data_now()
        self.levels = level_table()
        self.period = BillSummary.objects.aggregate(p=Max("period"))["p"]
        if not self.levels or self.period is None:
            return 0
        self.windows = sorted({lv.review_months for lv in self.levels})
        customers = {
            row["pk"]: row for row in Customer.objects.filter(status=CustomerStatus.CURRENT).values(
                "pk", "name", "customer_type", "phone", "certificate_no", "email", "address", "joined_on",
                "account_manager_id", "org_unit__code")
        }
        individuals, numbers, chiefs = self.candidates(customers)
        chosen = self.choose(individuals, numbers, chiefs)
        first = self.first_member(chiefs, chosen)
        self.fill_gaps(chosen, chiefs, numbers, first)
        return self.write(first, chosen)

    # --- Who qualifies ------------------------------------------------------------------------

    def candidates(self, customers: dict) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
        current = BillSummary.objects.filter(customer__status=CustomerStatus.CURRENT)
        whole = _averages(current, ("customer_id",), self.period, self.windows)
        by_number = _averages(current.filter(customer__customer_type=CustomerType.GROUP).exclude(msisdn=""),
                              ("customer_id", "msisdn"), self.period, self.windows)
        subscribers = {
            m["msisdn"]: m for m in Member.objects.filter(is_active=True, customer__status=CustomerStatus.CURRENT)
            .values("msisdn", "name", "joined_on")
        }
        chief_of: dict[int, tuple[str, str]] = {}
        for customer_id, name, mobile in (Contact.objects.filter(role=ContactRole.DECISION_MAKER)
                                          .order_by("customer_id", "pk").values_list("customer_id", "name", "mobile")):
            chief_of.setdefault(customer_id, (name, mobile))
        individuals, numbers, chiefs = [], [], []
        for (customer_id,), averages in sorted(whole.items()):
            c = customers.get(customer_id)
            if c is None:
                continue
            base = dict(customer_id=customer_id, city=c["org_unit__code"].split("-")[0], manager_id=c["account_manager_id"],
                        address=c["address"], averages=averages)
            if c["customer_type"] == CustomerType.GROUP:
                name, mobile = chief_of.get(customer_id) or (self.ctx.faker.name(), "")
                chiefs.append(Candidate(name=name, msisdn="", phone=mobile,
                                        certificate_no="", email="", birthday=None, network_since=c["joined_on"], **base))
            else:
                individuals.append(Candidate(name=c["name"], msisdn="", phone=c["phone"], certificate_no=c["certificate_no"],
                                             email=c["email"], birthday=_birthday(c["certificate_no"]),
                                             network_since=c["joined_on"], **base))
        for (customer_id, msisdn), averages in sorted(by_number.items()):
            c, sub = customers.get(customer_id), subscribers.get(msisdn)
            if c is None:
                continue
            numbers.append(Candidate(
                customer_id=customer_id, city=c["org_unit__code"].split("-")[0], manager_id=c["account_manager_id"],
                name=(sub or {}).get("name") or self.ctx.faker.name(), msisdn=msisdn, phone=msisdn, certificate_no="",
                email="", address="", birthday=None,
                network_since=(sub or {}).get("joined_on") or c["joined_on"], averages=averages,
            ))
        for candidate in (*individuals, *numbers, *chiefs):
            candidate.level = pick_level(self.levels, candidate.averages,
                                         months_between(candidate.network_since, self.period))
        return individuals, numbers, chiefs

    def choose(self, individuals: list[Candidate], numbers: list[Candidate], chiefs: list[Candidate]) -> list[Candidate]:
        chosen = [c for c in individuals if c.level is not None]
        # The chief contacts of each city's biggest groups, judged on all the group's bills.
        by_city: dict[str, list[Candidate]] = defaultdict(list)
        for c in chiefs:
            if c.level is not None:
                by_city[c.city].append(c)
        for city_chiefs in by_city.values():
            chosen += sorted(city_chiefs, key=lambda c: (-c.average, c.customer_id))[:CHIEFS_PER_CITY * self.ctx.factor]
        per_group: dict[int, list[Candidate]] = defaultdict(list)
        for c in numbers:
            if c.level is not None:
                per_group[c.customer_id].append(c)
        for group in per_group.values():
            chosen += sorted(group, key=lambda c: -c.average)[:NUMBERS_PER_GROUP]
        return chosen

    def first_member(self, chiefs: list[Candidate], chosen: list[Candidate]) -> Candidate | None:
        """JS00000001: the best-paying diamond of ``nj_manager1``'s Nanjing customers."""
        manager = Staff.objects.filter(user__username="nj_manager1").values_list("pk", flat=True).first()
        diamond = self.levels[0]
        pool = [c for c in (*chosen, *chiefs) if c.city == "NJ" and c.level is not None and c.level.pk == diamond.pk]
        own = [c for c in pool if c.manager_id == manager] or pool
        if not own:
            return None
        best = max(own, key=lambda c: (c.average, -c.customer_id))
        if best in chosen:
            chosen.remove(best)
        return best

    def fill_gaps(self, chosen: list[Candidate], chiefs: list[Candidate], numbers: list[Candidate],
                  first: Candidate | None) -> None:
        """Every city gets members of every level: a group's chief (all its bills) or another
        qualifying number where the bills alone gave the city none."""
        already = [*chosen, *([first] if first else [])]
        have = {(c.city, c.level.pk) for c in already}
        taken = {(c.customer_id, c.msisdn) for c in already}
        spare = sorted((c for c in (*chiefs, *numbers) if c.level is not None and (c.customer_id, c.msisdn) not in taken),
                       key=lambda c: (c.city, -c.average, c.customer_id, c.msisdn))
        for candidate in spare:
            if (candidate.city, candidate.level.pk) not in have:
                chosen.append(candidate)
                have.add((candidate.city, candidate.level.pk))

    # --- Writing -------------------------------------------------------------------------------

    def write(self, first: Candidate | None, chosen: list[Candidate]) -> int:
        rank = {lv.pk: lv.rank for lv in self.levels}
        chosen.sort(key=lambda c: (c.city, rank[c.level.pk], c.customer_id, c.msisdn))
        ordered = ([first] if first else []) + chosen
        prefix = param("club.member_prefix")
        start = ClubMember.objects.filter(member_no__startswith=prefix).count() + 1
        lowest = self.levels[-1].pk
        members = []
        for n, c in enumerate(ordered):
            # Mostly active; a few applicants awaiting the review and a few low payers suspended
            # by the last inspection; never the first member.
            roll = 1.0 if c is first else self.rnd.random()
            status, joined = MemberStatus.APPLIED, None
            if roll >= 0.03:
                joined = self.joined_on(c)
                old_enough = (self.today - joined).days >= 400
                suspended = roll < 0.08 and c.level.pk == lowest and old_enough
                status = MemberStatus.SUSPENDED if suspended else MemberStatus.ACTIVE
            prefs = {k: v for k, v in (("hobbies", "、".join(self.rnd.sample(HOBBIES, self.rnd.randint(1, 3)))),
                                       ("contact_time", self.rnd.choice(CONTACT_TIMES)),
                                       ("care_wishes", self.rnd.choice(CARE_WISHES))) if v}
            inspected = self.inspected_on(joined, status)
            if status == MemberStatus.SUSPENDED and inspected is None:
                status = MemberStatus.ACTIVE
            members.append(ClubMember(
                member_no=f"{prefix}{start + n:08d}", customer_id=c.customer_id, name=c.name[:60], msisdn=c.msisdn,
                certificate_no=c.certificate_no, phone=c.phone, email=c.email, birthday=c.birthday,
                address=c.address[:200], level=c.level, status=status, joined_on=joined, network_since=c.network_since,
                inspected_on=inspected, preferences=prefs if self.rnd.random() < 0.7 else {},
                statement_channel=self.rnd.choices(StatementChannel.values, weights=[60, 20, 15, 5])[0],
            ))
        if not members:
            return 0
        ClubMember.objects.bulk_create(members, batch_size=BATCH)
        members = list(ClubMember.objects.filter(member_no__gte=members[0].member_no, member_no__lte=members[-1].member_no,
                                                 member_no__startswith=prefix).select_related("level").order_by("member_no"))
        PointsAccount.objects.bulk_create([PointsAccount(member=m) for m in members], batch_size=BATCH)
        self.history(members, {m.member_no: c for m, c in zip(members, ordered)})
        return len(members)

    def joined_on(self, c: Candidate) -> datetime.date:
        earliest = max(c.network_since or datetime.date(2015, 1, 1), datetime.date(2015, 1, 1))
        latest = self.today - datetime.timedelta(days=40)
        span = max(0, (latest - earliest).days)
        return earliest + datetime.timedelta(days=self.rnd.randint(0, span)) if span else latest

    def inspected_on(self, joined: datetime.date | None, status: str) -> datetime.date | None:
        """The annual inspection runs on the 1st of the month: a member a year or more in the club
        was last inspected on one of the last thirteen (a few are due again; the suspended ones were
        inspected on one of the last two)."""
        if joined is None or (self.today - joined).days < 365:
            return None
        back = self.rnd.randint(0, 1) if status == MemberStatus.SUSPENDED else self.rnd.randint(0, 12)
        day = add_months(self.today.replace(day=1), -back)
        return day if day > joined else None

    def history(self, members: list[ClubMember], candidates: dict[str, Candidate]) -> None:
        """Admission for everyone; upgrades and downgrades in the last three monthly runs;
        the inspection that suspended the suspended ones."""
        club = Staff.objects.filter(user__username="js_club").values_list("user_id", flat=True).first()
        by_rank = sorted(self.levels, key=lambda lv: lv.rank)
        runs = [add_months(self.period, -k) for k in (2, 1, 0)]
        rows, stamps, counts = [], [], defaultdict(lambda: [0, 0])
        for m in members:
            applied = m.status == MemberStatus.APPLIED
            rows.append(MemberLevelChange(
                member=m, kind=LevelChangeKind.ADMISSION, new_level=m.level,
                old_status="" if applied else MemberStatus.APPLIED,
                new_status=MemberStatus.APPLIED if applied else MemberStatus.ACTIVE,
                reason="入会申请" if applied else "资格审核通过", decided_by_id=None if applied else club,
            ))
            stamps.append(m.joined_on or self.today - datetime.timedelta(days=self.rnd.randint(1, 20)))
            if m.inspected_on is not None:
                average = candidates[m.member_no].averages.get(m.level.review_months)
                failed = m.status == MemberStatus.SUSPENDED
                rows.append(MemberLevelChange(
                    member=m, kind=LevelChangeKind.INSPECTION, old_level=m.level, new_level=m.level,
                    old_status=MemberStatus.ACTIVE, new_status=m.status, period=m.inspected_on, avg_paid=average,
                    reason=(f"年检未通过：月均实缴 {average} 元，未达任何级别保级标准" if failed else
                            f"年检通过：月均实缴 {average} 元"), decided_by_id=club,
                ))
                stamps.append(m.inspected_on)
                if failed:
                    continue
            if applied or m.joined_on is None or m.joined_on > add_months(self.period, -3) or self.rnd.random() > 0.12:
                continue
            index = by_rank.index(next(lv for lv in by_rank if lv.pk == m.level_id))
            up = self.rnd.random() < 0.6
            other = by_rank[index + 1] if up and index + 1 < len(by_rank) else by_rank[index - 1] if index > 0 else None
            if other is None:
                continue
            up = other.rank > m.level.rank
            period = self.rnd.choice(runs)
            average = candidates[m.member_no].averages.get((m.level if up else other).review_months)
            rows.append(MemberLevelChange(
                member=m, kind=LevelChangeKind.AUTO, old_level=other, new_level=m.level, old_status=MemberStatus.ACTIVE,
                new_status=MemberStatus.ACTIVE, period=period, avg_paid=average,
                reason=(f"升级：月均实缴 {average} 元，达到 {m.level.min_monthly_paid} 元" if up else
                        f"降级：月均实缴 {average} 元，低于 {other.keep_monthly_paid} 元"),
            ))
            stamps.append(add_months(period, 1) + datetime.timedelta(days=2))
            counts[period][0 if up else 1] += 1
        MemberLevelChange.objects.bulk_create(rows, batch_size=BATCH)
        for row, day in zip(rows, stamps):  # the history happened at its own dates
            row.created_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, self.rnd.randint(0, 59))))
        MemberLevelChange.objects.bulk_update(rows, ["created_at"], batch_size=BATCH)
        active = sum(1 for m in members if m.status != MemberStatus.APPLIED)
        for period in runs:
            ups, downs = counts[period]
            run = LevelRun.objects.create(kind=LevelChangeKind.AUTO, period=period, evaluated=active, upgrades=ups,
                                          downgrades=downs, runs=1)
            finished = timezone.make_aware(datetime.datetime.combine(add_months(period, 1) + datetime.timedelta(days=2),
                                                                     datetime.time(4, 5)))
            LevelRun.objects.filter(pk=run.pk).update(started_at=finished, finished_at=finished)
        inspected: dict[datetime.date, list[ClubMember]] = defaultdict(list)
        for m in members:
            if m.inspected_on is not None:
                inspected[m.inspected_on].append(m)
        for day, group in sorted(inspected.items()):
            suspended = sum(1 for m in group if m.status == MemberStatus.SUSPENDED)
            run = LevelRun.objects.create(kind=LevelChangeKind.INSPECTION, period=day, started_by_id=club, runs=1,
                                          evaluated=len(group), kept=len(group) - suspended, suspended=suspended)
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
            LevelRun.objects.filter(pk=run.pk).update(started_at=at, finished_at=at)

def build(ctx: DemoContext) -> int:
    """Club members of every level in every city, chosen by their bills (see the module)."""
    return MemberBuilder(ctx).build()
