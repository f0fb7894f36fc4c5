"""The demo province (ARCHITECTURE §7): Jiangsu 江苏 with its 13 cities, their districts,
departments and teams, and staff in every role.

Later domains extend the demo by adding a step to ``STEPS`` (customers, bills, members …).
Every step is set-based (``bulk_create``), seeded for repeatability, and sized by
``--size`` so that ``bench/`` can build a province of any size with the same code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from kams.audit.services import audit_record
from kams.org.builtin_roles import ensure_builtin_roles_now
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit, Role, Staff
from kams.system.jobs import job_run

DEMO_PASSWORD = "kams-demo"

# City code, name, districts (区县), in the order of Jiangsu's administrative list.
CITIES: list[tuple[str, str, list[str]]] = [
    ("NJ", "南京", ["玄武区", "秦淮区", "鼓楼区", "建邺区", "江宁区", "浦口区"]),
    ("WX", "无锡", ["梁溪区", "滨湖区", "新吴区", "江阴市", "宜兴市"]),
    ("XZ", "徐州", ["云龙区", "泉山区", "铜山区", "邳州市", "新沂市"]),
    ("CZ", "常州", ["天宁区", "钟楼区", "武进区", "新北区", "溧阳市"]),
    ("SZ", "苏州", ["姑苏区", "工业园区", "吴中区", "昆山市", "常熟市", "张家港市"]),
    ("NT", "南通", ["崇川区", "通州区", "海门区", "如皋市", "启东市"]),
    ("LYG", "连云港", ["海州区", "连云区", "赣榆区", "东海县"]),
    ("HA", "淮安", ["清江浦区", "淮安区", "淮阴区", "涟水县"]),
    ("YC", "盐城", ["亭湖区", "盐都区", "大丰区", "东台市"]),
    ("YZ", "扬州", ["广陵区", "邗江区", "江都区", "仪征市"]),
    ("ZJ", "镇江", ["京口区", "润州区", "丹徒区", "丹阳市"]),
    ("TZ", "泰州", ["海陵区", "高港区", "姜堰区", "泰兴市"]),
    ("SQ", "宿迁", ["宿城区", "宿豫区", "沭阳县", "泗阳县"]),
]

PROVINCE_DEPARTMENTS = [
    ("JKB", "集团客户部"),
    ("CLUB", "大客户俱乐部"),
    ("QD", "渠道管理部"),
    ("IT", "信息技术部"),
    ("CW", "财务部"),
]

# Per city, how many generated people hold each role (multiplied by the size factor).
CITY_STAFFING = [
    (RoleCode.DIRECTOR, 1, "DKH"),
    (RoleCode.ACCOUNT_MANAGER, 4, "T"),
    (RoleCode.CUSTOMER_REP, 1, "DKH"),
    (RoleCode.BUSINESS_MANAGER, 1, "DKH"),
    (RoleCode.TECHNICIAN, 1, "WH"),
    (RoleCode.MAINTENANCE, 2, "WH"),
    (RoleCode.FINANCE, 1, "DKH"),
    (RoleCode.AGENT_OPERATOR, 1, "QD"),
]

SIZES = {"small": 1, "medium": 3, "large": 10}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    unit_code: str
    roles: tuple[str, ...]
    description: str
    superuser: bool = False


DEMO_LOGINS = [
    DemoLogin("admin", "系统管理员", "JS-IT", (RoleCode.SYSADMIN,), "system administrator, province", superuser=True),
    DemoLogin("js_director", "王建国", "JS-JKB", (RoleCode.PROVINCE_DIRECTOR,), "province group-customer department director"),
    DemoLogin("nj_director", "李明华", "NJ-DKH", (RoleCode.DIRECTOR,), "Nanjing key-account centre director"),
    DemoLogin("nj_manager1", "张晓燕", "NJ-DKH-T1", (RoleCode.ACCOUNT_MANAGER,), "Nanjing account manager"),
    DemoLogin("nj_manager2", "陈志强", "NJ-DKH-T2", (RoleCode.ACCOUNT_MANAGER,), "Nanjing account manager"),
    DemoLogin("sz_manager1", "周婷", "SZ-DKH-T1", (RoleCode.ACCOUNT_MANAGER,), "Suzhou account manager"),
    DemoLogin("js_club", "刘芳", "JS-CLUB", (RoleCode.CLUB_STAFF,), "province club staff"),
    DemoLogin("js_channel", "赵磊", "JS-QD", (RoleCode.CHANNEL_MANAGER,), "province channel manager"),
]


class DemoContext:
    """What one demo build knows: size, randomness, the units and roles made so far."""

    def __init__(self, *, size: str, seed: int = 2026) -> None:
        self.size = size
        self.factor = SIZES[size]
        self.random = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.units: dict[str, OrgUnit] = {}
        ensure_builtin_roles_now()
        self.roles = {r.code: r for r in Role.objects.select_related("group")}
        self.password_hash = make_password(DEMO_PASSWORD)


def build_org_tree(ctx: DemoContext) -> int:
    """Headquarters → Jiangsu → 13 cities → districts, with departments and teams."""
    hq = OrgUnit.objects.add_root(dict(code="HQ", name="总部", kind=UnitKind.HQ))
    province = OrgUnit.objects.add_child(hq, dict(code="JS", name="江苏省公司", kind=UnitKind.PROVINCE))
    ctx.units.update({"HQ": hq, "JS": province})
    for code, name in PROVINCE_DEPARTMENTS:
        ctx.units[f"JS-{code}"] = OrgUnit.objects.add_child(province, dict(code=f"JS-{code}", name=name, kind=UnitKind.DEPARTMENT))
    for city_code, city_name, districts in CITIES:
        city = OrgUnit.objects.add_child(province, dict(code=city_code, name=f"{city_name}分公司", kind=UnitKind.CITY))
        ctx.units[city_code] = city
        centre = OrgUnit.objects.add_child(city, dict(code=f"{city_code}-DKH", name=f"{city_name}大客户中心", kind=UnitKind.DEPARTMENT))
        ctx.units[centre.code] = centre
        for team in (1, 2):
            code = f"{city_code}-DKH-T{team}"
            ctx.units[code] = OrgUnit.objects.add_child(centre, dict(code=code, name=f"客户经理{'一二'[team - 1]}组", kind=UnitKind.TEAM))
        for suffix, label in (("WH", "网络维护中心"), ("QD", "渠道部")):
            code = f"{city_code}-{suffix}"
            ctx.units[code] = OrgUnit.objects.add_child(city, dict(code=code, name=f"{city_name}{label}", kind=UnitKind.DEPARTMENT))
        for index, district in enumerate(districts, start=1):
            code = f"{city_code}-D{index:02d}"
            ctx.units[code] = OrgUnit.objects.add_child(city, dict(code=code, name=district, kind=UnitKind.DISTRICT))
    return len(ctx.units)


def build_staff(ctx: DemoContext) -> int:
    """The named demo logins plus generated staff in every role, inserted in bulk."""
    User = get_user_model()
    people: list[tuple[dict, str, tuple[str, ...], bool]] = []
    for login in DEMO_LOGINS:
        people.append(({"username": login.username, "name": login.name}, login.unit_code, login.roles, login.superuser))
    for city_code, _name, districts in CITIES:
        for role, count, where in CITY_STAFFING:
            for _n in range(count * ctx.factor):
                unit = f"{city_code}-{where}"
                if where == "T":
                    unit = f"{city_code}-DKH-T{ctx.random.randint(1, 2)}"
                people.append(({"name": ctx.faker.name()}, unit, (role,), False))
        # District account managers: one per district, per size step.
        for index in range(1, len(districts) + 1):
            for _n in range(ctx.factor):
                people.append(({"name": ctx.faker.name()}, f"{city_code}-D{index:02d}", (RoleCode.ACCOUNT_MANAGER,), False))
    for role, unit in ((RoleCode.COMPANY_LEADER, "JS"), (RoleCode.FINANCE, "JS-CW"), (RoleCode.CLUB_STAFF, "JS-CLUB")):
        people.append(({"name": ctx.faker.name()}, unit, (role,), False))

    users, staff_rows = [], []
    for seq, (person, unit_code, _roles, superuser) in enumerate(people, start=1):
        employee_no = f"JS{seq:05d}"
        username = person.get("username") or f"js{seq:05d}"
        users.append(
            User(
                username=username,
                first_name=person["name"],
                password=ctx.password_hash,
                is_superuser=superuser,
                is_staff=superuser,
            )
        )
        staff_rows.append((employee_no, person["name"], unit_code))
    User.objects.bulk_create(users)
    user_ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id"))
    staff = [
        Staff(
            user_id=user_ids[user.username],
            employee_no=employee_no,
            name=name,
            org_unit=ctx.units[unit_code],
            mobile=f"1{ctx.random.choice('3589')}{ctx.random.randint(0, 999999999):09d}",
            email=f"{user.username}@js.example.cn",
        )
        for user, (employee_no, name, unit_code) in zip(users, staff_rows)
    ]
    Staff.objects.bulk_create(staff)
    staff_ids = dict(Staff.objects.filter(employee_no__in=[s.employee_no for s in staff]).values_list("employee_no", "id"))
    RoleLink = Staff.roles.through
    GroupLink = User.groups.through
    role_links, group_links = [], []
    for (employee_no, _name, _unit), user, (_p, _u, roles, _s) in zip(staff_rows, users, people):
        for code in roles:
            role = ctx.roles[code]
            role_links.append(RoleLink(staff_id=staff_ids[employee_no], role_id=role.id))
            group_links.append(GroupLink(user_id=user_ids[user.username], group_id=role.group_id))
    RoleLink.objects.bulk_create(role_links)
    GroupLink.objects.bulk_create(group_links)
    # 区县群组权限: the Nanjing director also oversees the Zhenjiang districts' key accounts.
    nj_director = Staff.objects.get(user__username="nj_director")
    nj_director.extra_units.add(ctx.units["ZJ-D01"], ctx.units["ZJ-D02"])
    return len(staff)


def run_first_operations(ctx: DemoContext) -> int:
    """A first day's work done through the real services, so the operation log, the
    history of records and the home page charts have something true to show."""
    from kams.org.services import staff_create, staff_update
    from kams.system.services import parameter_set

    def user(username: str):
        return get_user_model().objects.get(username=username)

    done = 0
    nj_director = user("nj_director")
    for staff in Staff.objects.filter(org_unit__code__startswith="NJ-DKH-T").select_related("org_unit")[:3]:
        staff_update(
            actor=nj_director,
            staff=staff,
            name=staff.name,
            org_unit=staff.org_unit,
            roles=list(staff.roles.all()),
            mobile=f"139{ctx.random.randint(0, 99999999):08d}",
            email=staff.email,
            reason="手机号码变更",
        )
        done += 1
    staff_create(
        actor=user("js_director"),
        username="sz_manager9",
        employee_no="JS09001",
        name=ctx.faker.name(),
        org_unit=ctx.units["SZ-DKH-T2"],
        roles=[ctx.roles[RoleCode.ACCOUNT_MANAGER]],
        password=None,
    )
    parameter_set(actor=user("admin"), key="security.session_idle_minutes", value=240, reason="等保测评整改：缩短空闲会话时长")
    return done + 2


Step = tuple[str, Callable[[DemoContext], int]]

from kams.demo import channels as channel_demo
from kams.demo import club_cards, club_hq, club_info, club_members, club_partners, club_portal, club_stats
from kams.demo.billing import build_bills, collect_and_find_duplicates, evaluate_levels, grade_credit
from kams.demo.care import build_care, build_support
from kams.demo.club import apply_cards, build_points
from kams.demo.contracts import build_contracts
from kams.demo.customers import build_customers  # noqa: E402  (it imports DemoContext for typing only)
from kams.demo.service import build_service_cases

STEPS: list[Step] = [
    ("org tree", build_org_tree),
    ("staff", build_staff),
    ("customers", build_customers),
    ("contracts", build_contracts),
    ("bills", build_bills),
    ("level evaluation", evaluate_levels),
    ("credit grading", grade_credit),
    ("collection", collect_and_find_duplicates),
    ("first operations", run_first_operations),
    ("service cases", build_service_cases),
    ("customer care", build_care),
    ("service support", build_support),
    ("club members", club_members.build),
    ("card applications", apply_cards),
    ("card stock", club_cards.build),
    ("points and redemptions", build_points),
    ("club activities", club_info.build),
    ("club partners", club_partners.build),
    ("member portal", club_portal.build),
    ("headquarters requests", club_hq.build),
    ("points schemes", club_stats.build),
    ("channels", channel_demo.build),
]


def demo_is_loaded() -> bool:
    return OrgUnit.objects.exists()


def load_demo(*, size: str = "small", echo: bool = False) -> dict[str, int]:
    """Build the demo province into an empty database. Each step is one transaction; the
    whole load is recorded as a job run with progress."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    if demo_is_loaded():
        raise RuntimeError("the database already holds data; the demo loads only into an empty one")
    counts: dict[str, int] = {}
    with job_run("demo.load", label=f"Demo data ({size})", total=len(STEPS), params={"size": size}, echo=echo) as job:
        ctx = DemoContext(size=size)
        for name, step in STEPS:
            with transaction.atomic():
                counts[name] = step(ctx)
            job.advance(1, message=f"{name}: {counts[name]}")
        with transaction.atomic():
            audit_record(actor=None, action="demo.load", after={"size": size, **counts}, target_repr="demo")
        job.run.result = counts
    return counts
