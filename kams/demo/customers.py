"""The demo province's key accounts (CUS-01, CUS-02, CUS-14): group customers, individual
high-end and key customers, their paying accounts, member subscribers, contacts and
relations — and a handful of deliberate near-duplicates for the merge feature.

A seed loader, not a business operation: every table is written with ``bulk_create`` (a
query per batch, never per row) and no service is called per customer. The level of each
customer is computed here with the rule of ``kams.customers.selectors.level_suggest``.
Everything is drawn from the demo context's seeded ``random`` and ``faker``.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from pypinyin import lazy_pinyin

from kams.customers.enums import (
    AccountStatus,
    Business,
    CertificateType,
    ContactRole,
    CustomerStatus,
    CustomerType,
    PaymentMethod,
    RelationKind,
)
from kams.customers.models import Contact, Customer, Industry, Level, Member, PayingAccount, Relation
from kams.customers.reference_data import ensure_reference_data_now
from kams.customers.selectors import name_initials
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit, Staff

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

BATCH = 500
CUSTOMERS_PER_FACTOR = 2000
MEMBERS_MAX = {1: 60, 3: 100, 10: 150}  # the size factor → most members of one group customer

# Share of the province's key accounts by city: Nanjing and Suzhou are the biggest.
CITY_WEIGHTS = {
    "NJ": 17,
    "WX": 10,
    "XZ": 8,
    "CZ": 7,
    "SZ": 17,
    "NT": 8,
    "LYG": 4,
    "HA": 4,
    "YC": 5,
    "YZ": 5,
    "ZJ": 4,
    "TZ": 4,
    "SQ": 3,
}
CITY_INFO = {
    # code: (short name, telephone area code, postcode, division codes of its districts in CITIES order)
    "NJ": ("南京", "025", "210000", ["320102", "320104", "320106", "320105", "320115", "320111"]),
    "WX": ("无锡", "0510", "214000", ["320213", "320211", "320214", "320281", "320282"]),
    "XZ": ("徐州", "0516", "221000", ["320303", "320311", "320312", "320382", "320381"]),
    "CZ": ("常州", "0519", "213000", ["320402", "320404", "320412", "320411", "320481"]),
    "SZ": ("苏州", "0512", "215000", ["320508", "320571", "320506", "320583", "320581", "320582"]),
    "NT": ("南通", "0513", "226000", ["320602", "320612", "320614", "320682", "320681"]),
    "LYG": ("连云港", "0518", "222000", ["320706", "320703", "320707", "320722"]),
    "HA": ("淮安", "0517", "223000", ["320812", "320803", "320804", "320826"]),
    "YC": ("盐城", "0515", "224000", ["320902", "320903", "320904", "320981"]),
    "YZ": ("扬州", "0514", "225000", ["321002", "321003", "321012", "321081"]),
    "ZJ": ("镇江", "0511", "212000", ["321102", "321111", "321112", "321181"]),
    "TZ": ("泰州", "0523", "225300", ["321202", "321203", "321204", "321283"]),
    "SQ": ("宿迁", "0527", "223800", ["321302", "321311", "321322", "321323"]),
}

BRANDS = (
    "恒通 华泰 金陵 苏宁 汇丰 远东 天元 宏达 新华 长江 江南 东方 华瑞 中天 鑫源 永泰 国信 联创 正大 "
    "盛世 瑞康 海润 协鑫 亨通 中兴 大明 富华 龙腾 宝丰 同济 启明 华邦 恒瑞 海天 振华 明珠 三江 "
    "凯盛 润华 嘉禾 天成 银河 金桥 德润 锦程 安泰 博远 新城 汇通 万达 众诚 华信 元丰 弘业 扬子 "
    "苏美 东渡 运河 紫金 太湖 钟山 维扬 淮海 通江 江海 云龙 文峰 金鹰 华东 永鼎 恒力 沙钢 红豆"
).split()

# industry code → (share of group customers, [(trade word, legal suffixes, credit code prefix)])
COMPANY = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
INDUSTRY_TRADES: dict[str, tuple[int, list[tuple[str, tuple[str, ...], str]]]] = {
    "agriculture": (
        3,
        [("农业发展", COMPANY, "91"), ("种业", COMPANY, "91"), ("农牧", COMPANY, "91"), ("水产", COMPANY, "91")],
    ),
    "food": (4, [("食品", COMPANY, "91"), ("乳业", COMPANY, "91"), ("酒业", COMPANY, "91"), ("饮料", COMPANY, "91")]),
    "textile": (
        5,
        [("纺织", COMPANY, "91"), ("服饰", COMPANY, "91"), ("家纺", COMPANY, "91"), ("丝绸", COMPANY, "91")],
    ),
    "health": (
        6,
        [("制药", COMPANY, "91"), ("医疗器械", COMPANY, "91"), ("生物科技", COMPANY, "91"), ("医院", ("",), "12")],
    ),
    "chemical": (4, [("化工", COMPANY, "91"), ("新材料", COMPANY, "91"), ("精细化工", COMPANY, "91")]),
    "building": (
        5,
        [
            ("建材", COMPANY, "91"),
            ("水泥", COMPANY, "91"),
            ("建设", ("集团有限公司", "有限公司"), "91"),
            ("建工", ("集团有限公司",), "91"),
        ],
    ),
    "mining": (3, [("钢铁", COMPANY, "91"), ("特钢", COMPANY, "91"), ("冶金", COMPANY, "91"), ("矿业", COMPANY, "91")]),
    "machinery": (
        7,
        [("机械", COMPANY, "91"), ("重工", COMPANY, "91"), ("电机", COMPANY, "91"), ("电气", COMPANY, "91")],
    ),
    "automotive": (4, [("汽车", COMPANY, "91"), ("汽车零部件", COMPANY, "91"), ("汽车销售服务", ("有限公司",), "91")]),
    "appliance": (3, [("电器", COMPANY, "91"), ("家电", COMPANY, "91")]),
    "energy": (
        4,
        [("电力", COMPANY, "91"), ("燃气", COMPANY, "91"), ("石化", COMPANY, "91"), ("新能源", COMPANY, "91")],
    ),
    "it": (
        10,
        [
            ("科技", COMPANY, "91"),
            ("软件", COMPANY, "91"),
            ("信息技术", COMPANY, "91"),
            ("网络科技", COMPANY, "91"),
            ("电子", COMPANY, "91"),
        ],
    ),
    "transport": (
        6,
        [
            ("物流", COMPANY, "91"),
            ("港务", ("集团有限公司", "有限公司"), "91"),
            ("航运", COMPANY, "91"),
            ("公交", ("集团有限公司",), "91"),
            ("快递", ("有限公司",), "91"),
        ],
    ),
    "retail": (
        7,
        [
            ("商贸", COMPANY, "91"),
            ("百货", COMPANY, "91"),
            ("餐饮管理", ("有限公司",), "91"),
            ("超市", ("有限公司", "连锁有限公司"), "91"),
        ],
    ),
    "finance": (
        7,
        [
            ("农村商业银行", ("股份有限公司",), "91"),
            ("证券", ("股份有限公司", "有限责任公司"), "91"),
            ("保险代理", ("有限公司",), "91"),
            ("融资租赁", ("有限公司",), "91"),
            ("银行", ("股份有限公司",), "91"),
        ],
    ),
    "realestate": (
        5,
        [("置业", COMPANY, "91"), ("房地产开发", ("有限公司",), "91"), ("物业管理", ("有限公司",), "91")],
    ),
    "tourism": (
        4,
        [
            ("酒店", ("有限公司", "管理有限公司"), "91"),
            ("旅游发展", COMPANY, "91"),
            ("国际旅行社", ("有限公司",), "91"),
        ],
    ),
    "environment": (
        3,
        [("环保科技", COMPANY, "91"), ("水务", ("集团有限公司", "有限公司"), "91"), ("环境工程", ("有限公司",), "91")],
    ),
    "education": (5, [("学校", ("",), "12"), ("职业技术学院", ("",), "12"), ("教育科技", ("有限公司",), "91")]),
}
SCHOOLS = ("外国语学校", "实验学校", "第一中学", "第三中学", "实验小学", "高级中学", "国际学校")
HOSPITALS = ("第一人民医院", "第二人民医院", "中医院", "妇幼保健院", "口腔医院", "儿童医院")

ROADS = (
    "中山路 北京东路 汉中路 人民路 解放路 建设路 长江路 新华路 和平路 文化路 青年路 江东北路 "
    "湖滨路 学府路 太湖大道 金鸡湖大道 干将路 淮海路 健康路 凤凰路 东方大道 开发区大道 科技路 "
    "黄河路 珠江路 友谊路 迎宾大道 滨江大道 府前街 工农路"
).split()
COMPOUNDS = (
    "世纪花园 阳光城 翠湖苑 金色家园 锦绣江南 城市花园 御景湾 香榭丽舍 紫金山庄 滨江名邸 新城国际 碧桂园".split()
)
BANKS = (
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "招商银行",
    "江苏银行",
    "南京银行",
    "浦发银行",
    "中信银行",
    "邮储银行",
)
MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "178",
    "182",
    "183",
    "184",
    "187",
    "188",
    "195",
    "198",
)
MAIL_DOMAINS = ("163.com", "126.com", "qq.com", "139.com", "sina.com", "foxmail.com")
CONTACT_TITLES = {
    ContactRole.DECISION_MAKER: (("总经理", "总经理办公室"), ("董事长", "董事会办公室"), ("副总经理", "总经理办公室")),
    ContactRole.IT_MANAGER: (("信息中心主任", "信息中心"), ("网络管理员", "信息中心"), ("IT经理", "信息技术部")),
    ContactRole.KEY_EMPLOYEE: (("行政经理", "行政部"), ("采购经理", "采购部"), ("总经理助理", "总经理办公室")),
    ContactRole.FINANCE: (("财务经理", "财务部"), ("财务总监", "财务部"), ("会计", "财务部")),
    ContactRole.CONTACT: (("办公室主任", "办公室"), ("行政专员", "行政部"), ("综合部经理", "综合部")),
}
ACCOUNT_PARTS = ("信息中心", "营销中心", "专线业务", "分支机构", "员工通信", "总部")
GROUP_BUSINESS_EXTRAS = [
    Business.DATA,
    Business.LEASED_LINE,
    Business.INTERNET,
    Business.LOCAL,
    Business.LONG_DISTANCE,
    Business.VOIP,
]
INDIVIDUAL_BUSINESS_EXTRAS = [Business.DATA, Business.LONG_DISTANCE, Business.INTERNET, Business.VOIP, Business.LOCAL]

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_card_check_digit(first17: str) -> str:
    """GB 11643: the 18th character of a resident ID card number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def credit_code_check_char(first17: str) -> str:
    """GB 32100: the 18th character of a unified social credit code."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def _org_code_check_char(body: str) -> str:
    """GB 11714: the check character of the 9-character organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body, ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _ensure_reference_data() -> None:
    """The industries and default levels come with a data migration; a database flushed
    since (as transactional tests do) has lost them."""
    if not (Industry.objects.exists() and Level.objects.exists()):
        ensure_reference_data_now()


@dataclass
class _Plan:
    """One customer being planned, with what the later tables need to know about it."""

    customer: Customer
    city: str
    district_no: int | None  # 1-based index into the city's districts; None at city level
    brand: str = ""
    trade: str = ""
    birthday: datetime.date | None = None
    household_of: "_Plan | None" = None
    parent_of: list["_Plan"] = field(default_factory=list)
    account_ids: list[int] = field(default_factory=list)


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rnd = ctx.random
        self.faker = ctx.faker
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.certificates: set[str] = set()
        self.names: set[str] = set()
        self.msisdns: set[str] = set()
        self.account_seq = self.rnd.randint(10**9, 2 * 10**9)
        self.name_pool = [self.faker.name() for _ in range(1500)]

    # --- Reference data, each loaded once ----------------------------------------------------

    def load(self) -> None:
        _ensure_reference_data()
        self.industries = {i.code: i for i in Industry.objects.all()}
        self.levels = [
            (tuple(level.category.customer_types), level.min_monthly_revenue, level.min_tenure_months, level)
            for level in Level.objects.select_related("category").order_by("category__code", "rank")
        ]
        # From the database, not ``ctx.units``: inserting siblings in code order moves the
        # materialised paths of units already made, so the objects in memory can be stale.
        units = {
            u.code: u for u in OrgUnit.objects.filter(kind__in=[UnitKind.PROVINCE, UnitKind.CITY, UnitKind.DISTRICT])
        }
        self.cities = {code: units[code] for code in CITY_WEIGHTS}
        self.districts = {
            code: [units[f"{code}-D{i:02d}"] for i in range(1, len(CITY_INFO[code][3]) + 1)] for code in CITY_WEIGHTS
        }
        province_path = units["JS"].path
        rows = (
            Staff.objects.filter(
                roles__code=RoleCode.ACCOUNT_MANAGER, is_active=True, org_unit__path__startswith=province_path
            )
            .values_list("id", "org_unit__path", "org_unit__kind", "org_unit__code")
            .order_by("id")
            .distinct()
        )
        # city → [(staff id, district index or None)]: a district's manager keeps that
        # district's customers; a team manager of the city centre keeps city-level ones.
        self.managers: dict[str, list[tuple[int, int | None]]] = {code: [] for code in CITY_WEIGHTS}
        for staff_id, path, kind, unit_code in rows:
            for code, city in self.cities.items():
                if path.startswith(city.path):
                    district = int(unit_code.rsplit("-D", 1)[1]) if kind == UnitKind.DISTRICT else None
                    self.managers[code].append((staff_id, district))
                    break

    # --- Small generators --------------------------------------------------------------------

    def mobile(self) -> str:
        while True:
            number = f"{self.rnd.choice(MOBILE_PREFIXES)}{self.rnd.randint(0, 99_999_999):08d}"
            if number not in self.msisdns:
                self.msisdns.add(number)
                return number

    def landline(self, city: str) -> str:
        return f"{CITY_INFO[city][1]}-{self.rnd.randint(5, 8)}{self.rnd.randint(0, 9_999_999):07d}"

    def division(self, city: str, district_no: int | None) -> str:
        divisions = CITY_INFO[city][3]
        return divisions[district_no - 1] if district_no else self.rnd.choice(divisions)

    def credit_code(self, city: str, district_no: int | None, prefix: str) -> str:
        while True:
            # Since 2015 new registrations get an "MA…" organisation code; older ones are digits.
            if self.rnd.random() < 0.5:
                body = "MA" + "".join(self.rnd.choice(CREDIT_CHARS) for _ in range(6))
            else:
                body = f"{self.rnd.randint(10**7, 10**8 - 1)}"
            first17 = f"{prefix}{self.division(city, district_no)}{body}{_org_code_check_char(body)}"
            code = first17 + credit_code_check_char(first17)
            if code not in self.certificates:
                self.certificates.add(code)
                return code

    def id_card(self, city: str, district_no: int | None, birthday: datetime.date, male: bool) -> str:
        while True:
            sequence = self.rnd.randint(0, 499) * 2 + (1 if male else 0)
            first17 = f"{self.division(city, district_no)}{birthday:%Y%m%d}{sequence:03d}"
            number = first17 + id_card_check_digit(first17)
            if number not in self.certificates:
                self.certificates.add(number)
                return number

    def address(self, city: str, district_no: int | None, home: bool = False) -> str:
        district = self.districts[city][(district_no or self.rnd.randint(1, len(self.districts[city]))) - 1].name
        street = f"{self.rnd.choice(ROADS)}{self.rnd.randint(1, 399)}号"
        if home:
            street += f"{self.rnd.choice(COMPOUNDS)}{self.rnd.randint(1, 30)}幢{self.rnd.randint(101, 2802)}室"
        return f"江苏省{CITY_INFO[city][0]}市{district}{street}"

    def mail(self, name: str) -> str:
        return f"{''.join(lazy_pinyin(name))}{self.rnd.randint(1, 999)}@{self.rnd.choice(MAIL_DOMAINS)}"

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rnd.randint(low, high))

    def level(self, customer: Customer) -> Level | None:
        """The rule of ``selectors.level_suggest``, on levels loaded once."""
        revenue = customer.expected_monthly_revenue or Decimal("0")
        joined = customer.joined_on
        months = 0 if joined is None else max(0, (self.today.year - joined.year) * 12 + self.today.month - joined.month)
        for types, min_revenue, min_tenure, level in self.levels:
            if customer.customer_type in types and revenue >= min_revenue and months >= min_tenure:
                return level
        return None

    # --- Customers ---------------------------------------------------------------------------

    def group_name(self, city: str, district_no: int | None, trade: str, suffix: str) -> tuple[str, str]:
        place = CITY_INFO[city][0]
        if district_no:
            district = self.districts[city][district_no - 1].name
            if district[-1] in "市县" and self.rnd.random() < 0.6:
                place = district[:-1]
        brand = self.rnd.choice(BRANDS)
        if trade == "医院":
            return brand, f"{place}市{self.rnd.choice(HOSPITALS)}" if self.rnd.random() < 0.6 else f"{place}{brand}医院"
        if trade == "学校":
            return (
                brand,
                f"{place}市{self.rnd.choice(SCHOOLS)}"
                if self.rnd.random() < 0.5
                else f"{place}{brand}{self.rnd.choice(SCHOOLS)}",
            )
        if trade == "职业技术学院":
            return brand, f"{place}{brand}职业技术学院"
        return brand, f"{place}{brand}{trade}{suffix}"

    def unique_name(self, make) -> tuple[str, str]:
        for _attempt in range(50):
            brand, name = make()
            if name not in self.names:
                self.names.add(name)
                return brand, name
        brand, name = make()
        name = f"{name}（{self.rnd.randint(2, 99)}）"
        self.names.add(name)
        return brand, name

    def plan_customers(self) -> list[_Plan]:
        total = CUSTOMERS_PER_FACTOR * self.ctx.factor
        weight_sum = sum(CITY_WEIGHTS.values())
        industry_codes = [code for code in INDUSTRY_TRADES if code in self.industries]
        industry_weights = [INDUSTRY_TRADES[code][0] for code in industry_codes]
        plans: list[_Plan] = []
        for city, weight in CITY_WEIGHTS.items():
            count = round(total * weight / weight_sum)
            slots = self.assignments(city, count)
            for manager_id, district_no, status in slots:
                kind = self.rnd.choices(
                    [CustomerType.GROUP, CustomerType.HIGH_END, CustomerType.KEY_INDIVIDUAL], weights=[40, 35, 25]
                )[0]
                unit = self.districts[city][district_no - 1] if district_no else self.cities[city]
                if kind == CustomerType.GROUP:
                    plan = self.plan_group(city, district_no, self.rnd.choices(industry_codes, industry_weights)[0])
                else:
                    plan = self.plan_individual(city, district_no, kind)
                customer = plan.customer
                customer.status = status
                customer.org_unit = unit
                customer.account_manager_id = manager_id
                if status == CustomerStatus.POTENTIAL:
                    customer.joined_on = None
                    customer.businesses = customer.businesses[:1]
                else:
                    customer.joined_on = self.days_ago(0 if status == CustomerStatus.CURRENT else 400, 15 * 365)
                if status == CustomerStatus.HISTORICAL:
                    latest = (self.today - customer.joined_on).days - 180
                    customer.cancelled_at = self.now - datetime.timedelta(
                        days=self.rnd.randint(5, max(6, min(latest, 1000))), minutes=self.rnd.randint(0, 600)
                    )
                plans.append(plan)
        return plans

    def assignments(self, city: str, count: int) -> list[tuple[int | None, int | None, str]]:
        """(account manager, district, status) for the city's customers: spread evenly over
        its account managers, so every manager — the demo logins too — has a fair book."""
        statuses = self.rnd.choices(
            [CustomerStatus.CURRENT, CustomerStatus.POTENTIAL, CustomerStatus.HISTORICAL], weights=[87, 8, 5], k=count
        )
        managers = list(self.managers[city])
        self.rnd.shuffle(managers)
        slots, turn = [], 0
        for status in statuses:
            if not managers or (status == CustomerStatus.POTENTIAL and self.rnd.random() < 0.25):
                slots.append((None, None, status))  # a prospect nobody has taken on yet
                continue
            manager_id, district_no = managers[turn % len(managers)]
            turn += 1
            slots.append((manager_id, district_no, status))
        return slots

    def plan_group(self, city: str, district_no: int | None, industry: str) -> _Plan:
        trade, suffixes, prefix = self.rnd.choice(INDUSTRY_TRADES[industry][1])
        suffix = self.rnd.choice(suffixes)
        brand, name = self.unique_name(lambda: self.group_name(city, district_no, trade, suffix))
        revenue = min(500_000.0, max(2_000.0, self.rnd.lognormvariate(math.log(12_000), 1.1)))
        businesses = [Business.MOBILE] + sorted(
            self.rnd.sample(
                GROUP_BUSINESS_EXTRAS, self.rnd.randint(1 if revenue < 20_000 else 2, 5 if revenue > 80_000 else 3)
            )
        )
        leased = Business.LEASED_LINE in businesses
        customer = Customer(
            name=name,
            customer_type=CustomerType.GROUP,
            industry=self.industries[industry],
            certificate_type=CertificateType.CREDIT_CODE,
            certificate_no=self.credit_code(city, district_no, prefix),
            address=self.address(city, district_no),
            postcode=CITY_INFO[city][2],
            phone=self.landline(city) if self.rnd.random() < 0.7 else self.mobile(),
            email=f"{name_initials(name)[:12]}@{self.rnd.choice(('163.com', 'qq.com', 'vip.163.com', '139.com'))}"
            if self.rnd.random() < 0.6
            else "",
            businesses=businesses,
            employee_count=max(10, int(revenue / self.rnd.uniform(15, 60))),
            expected_monthly_revenue=Decimal(f"{revenue:.2f}"),
            occupied_resources=(
                f"数据专线 {self.rnd.randint(1, 6)} 条（{self.rnd.choice((20, 50, 100, 200, 1000))}M）"
                if leased
                else ""
            ),
            service_notes="每月上门走访一次；重要节假日前做通信保障。" if revenue >= 100_000 else "",
        )
        return _Plan(customer=customer, city=city, district_no=district_no, brand=brand, trade=trade)

    def plan_individual(self, city: str, district_no: int | None, kind: str) -> _Plan:
        male = self.rnd.random() < 0.6
        name = self.faker.name_male() if male else self.faker.name_female()
        birthday = datetime.date(self.rnd.randint(1955, 2000), 1, 1) + datetime.timedelta(days=self.rnd.randint(0, 364))
        centre = 600 if kind == CustomerType.HIGH_END else 300
        revenue = min(3_000.0, max(100.0, self.rnd.lognormvariate(math.log(centre), 0.7)))
        extras = self.rnd.sample(INDIVIDUAL_BUSINESS_EXTRAS, self.rnd.randint(0, 3))
        customer = Customer(
            name=name,
            customer_type=kind,
            certificate_type=CertificateType.ID_CARD,
            certificate_no=self.id_card(city, district_no, birthday, male),
            address=self.address(city, district_no, home=True),
            postcode=CITY_INFO[city][2],
            phone=self.mobile(),
            email=self.mail(name) if self.rnd.random() < 0.5 else "",
            businesses=[Business.MOBILE, *sorted(extras)],
            expected_monthly_revenue=Decimal(f"{revenue:.2f}"),
        )
        return _Plan(customer=customer, city=city, district_no=district_no, birthday=birthday)

    def link_subsidiaries(self, plans: list[_Plan]) -> None:
        """A few dozen groups get a subsidiary (子公司) in another city, named after them."""
        groups = [
            p
            for p in plans
            if p.customer.customer_type == CustomerType.GROUP
            and p.trade not in ("医院", "学校", "职业技术学院")
            and p.customer.status == CustomerStatus.CURRENT
        ]
        parents = sorted(groups, key=lambda p: p.customer.expected_monthly_revenue, reverse=True)[
            : 60 * self.ctx.factor
        ]
        self.rnd.shuffle(parents)
        parents = parents[: 30 * self.ctx.factor]
        taken = {id(p) for p in parents}
        pool = [p for p in groups if id(p) not in taken]
        self.rnd.shuffle(pool)
        for parent in parents:
            child = next((p for p in pool if p.city != parent.city and id(p) not in taken), None)
            if child is None:
                break
            taken.add(id(child))
            name = f"{CITY_INFO[child.city][0]}{parent.brand}{parent.trade}有限公司"
            if name in self.names:
                continue
            self.names.discard(child.customer.name)
            self.names.add(name)
            child.customer.name = name
            child.customer.industry = parent.customer.industry
            child.brand, child.trade = parent.brand, parent.trade
            child.customer.related_companies = f"母公司：{parent.customer.name}"
            parent.parent_of.append(child)

    def link_households(self, plans: list[_Plan]) -> None:
        """Some individuals share a household (同一家庭) with another of the same city."""
        by_city: dict[str, list[_Plan]] = {}
        for p in plans:
            if p.customer.customer_type != CustomerType.GROUP and p.customer.status != CustomerStatus.HISTORICAL:
                by_city.setdefault(p.city, []).append(p)
        pairs = 0
        cities = sorted(by_city, key=lambda c: -len(by_city[c]))
        while pairs < 25 * self.ctx.factor:
            people = by_city[cities[pairs % len(cities)]]
            first, second = self.rnd.sample(people, 2)
            if first.household_of or second.household_of or first is second:
                pairs += 1  # a clash: give up this pair, keep the loop finite
                continue
            second.household_of = first
            second.customer.address = first.customer.address
            second.customer.org_unit = first.customer.org_unit
            second.customer.account_manager_id = first.customer.account_manager_id
            pairs += 1

    def near_duplicates(self, plans: list[_Plan]) -> list[_Plan]:
        """Second entries of an existing company, as clerks make them: a space, a full-width
        space or a city suffix in the name; blank or different certificate. Potential, so the
        certificate constraint never bites; the merge feature is to clean them up."""
        groups = [
            p
            for p in plans
            if p.customer.customer_type == CustomerType.GROUP
            and p.customer.status == CustomerStatus.CURRENT
            and p.customer.name.endswith("公司")
            and not p.parent_of
        ]
        result = []
        for original in self.rnd.sample(groups, min(len(groups), 10 * self.ctx.factor)):
            source = original.customer
            city_name = CITY_INFO[original.city][0]
            cut = len(city_name) if source.name.startswith(city_name) else 2
            variants = [
                f"{source.name[:cut]} {source.name[cut:]}",
                f"{source.name[:cut]}\u3000{source.name[cut:]}",
                f"{source.name}（{city_name}）",
                f"{source.name}({city_name})",
                f"{source.name} ",
            ]
            name = self.rnd.choice(variants)
            if name in self.names:
                continue
            self.names.add(name)
            blank = self.rnd.random() < 0.5
            twin = Customer(
                name=name,
                customer_type=CustomerType.GROUP,
                status=CustomerStatus.POTENTIAL,
                industry=source.industry,
                org_unit=source.org_unit,
                account_manager_id=source.account_manager_id if self.rnd.random() < 0.5 else None,
                certificate_type="" if blank else CertificateType.CREDIT_CODE,
                certificate_no="" if blank else self.credit_code(original.city, original.district_no, "91"),
                address=source.address,
                postcode=source.postcode,
                phone=source.phone if self.rnd.random() < 0.6 else self.landline(original.city),
                businesses=[Business.MOBILE],
                employee_count=source.employee_count,
                expected_monthly_revenue=source.expected_monthly_revenue,
                service_notes="渠道录入，待核实",
            )
            result.append(
                _Plan(
                    customer=twin,
                    city=original.city,
                    district_no=original.district_no,
                    brand=original.brand,
                    trade=original.trade,
                )
            )
        return result

    def insert_customers(self, plans: list[_Plan]) -> None:
        # The running number follows the order customers joined; prospects come last.
        far = datetime.date.max
        plans.sort(key=lambda p: p.customer.joined_on or far)
        province = settings.KAMS_PROVINCE_CODE
        for number, plan in enumerate(plans, start=1):
            customer = plan.customer
            customer.code = f"{province}{number:08d}"
            customer.name_initials = name_initials(customer.name)
            customer.level = self.level(customer)
        customers = [p.customer for p in plans]
        Customer.objects.bulk_create(customers, batch_size=BATCH)
        self._fill_pks(Customer, customers, "code")

    @staticmethod
    def _fill_pks(model, objects, key: str) -> None:
        """Databases that do not return ids from a bulk insert: look them up by a unique key,
        a batch at a time."""
        missing = [o for o in objects if o.pk is None]
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            ids = dict(model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in chunk]}).values_list(key, "id"))
            for o in chunk:
                o.pk = ids[getattr(o, key)]

    # --- Accounts, members, contacts, relations ----------------------------------------------

    def insert_accounts(self, plans: list[_Plan]) -> None:
        accounts: list[tuple[_Plan, PayingAccount]] = []
        for plan in plans:
            customer = plan.customer
            group = customer.customer_type == CustomerType.GROUP
            count = self.rnd.choices([1, 2, 3, 4], weights=[40, 30, 18, 12])[0] if group else 1
            if customer.service_notes == "渠道录入，待核实":
                count = 1
            parts = self.rnd.sample(ACCOUNT_PARTS, count - 1)
            opened = customer.joined_on or self.days_ago(0, 60)
            for index in range(count):
                method = self.rnd.choices(
                    [PaymentMethod.BANK, PaymentMethod.CASH, PaymentMethod.PREPAID],
                    weights=[85, 10, 5] if group else [40, 30, 30],
                )[0]
                bank = ""
                if method == PaymentMethod.BANK:
                    city_name = CITY_INFO[plan.city][0]
                    if self.rnd.random() < 0.6:
                        bank = f"{self.rnd.choice(BANKS)}{city_name}分行"
                    else:
                        district = self.districts[plan.city][self.rnd.randrange(len(self.districts[plan.city]))].name
                        bank = f"{self.rnd.choice(BANKS)}{city_name}{district.rstrip('区')}支行"
                self.account_seq += self.rnd.randint(1, 97)
                account = PayingAccount(
                    customer_id=customer.pk,
                    account_no=f"25{self.account_seq:010d}",
                    name=customer.name if index == 0 else f"{customer.name}（{parts[index - 1]}）",
                    payment_method=method,
                    bank_name=bank,
                    bank_account="".join(str(self.rnd.randint(0, 9)) for _ in range(19)) if bank else "",
                    opened_on=opened
                    if index == 0
                    else min(self.today, opened + datetime.timedelta(days=self.rnd.randint(30, 2000))),
                )
                if customer.status == CustomerStatus.HISTORICAL:
                    account.status = AccountStatus.CANCELLED
                    account.cancelled_on = timezone.localdate(customer.cancelled_at)
                    account.cancelled_with_customer = True
                elif index > 0 and self.rnd.random() < 0.05:
                    account.status = AccountStatus.CANCELLED
                    account.cancelled_on = min(
                        self.today, account.opened_on + datetime.timedelta(days=self.rnd.randint(90, 1500))
                    )
                accounts.append((plan, account))
        rows = [a for _p, a in accounts]
        PayingAccount.objects.bulk_create(rows, batch_size=BATCH)
        self._fill_pks(PayingAccount, rows, "account_no")
        for plan, account in accounts:
            if account.status == AccountStatus.ACTIVE or plan.customer.status == CustomerStatus.HISTORICAL:
                plan.account_ids.append(account.pk)
        for plan, account in accounts:
            if not plan.account_ids:  # every account cancelled on its own: keep the first
                plan.account_ids.append(account.pk)

    def insert_members(self, plans: list[_Plan]) -> int:
        most = MEMBERS_MAX.get(self.ctx.factor, 60)
        low, high = math.log(2_000), math.log(500_000)
        members: list[Member] = []
        for plan in plans:
            customer = plan.customer
            if customer.customer_type != CustomerType.GROUP:
                continue
            share = (math.log(float(customer.expected_monthly_revenue)) - low) / (high - low)
            count = max(5, min(most, int(5 + (most - 5) * share * self.rnd.uniform(0.6, 1.6))))
            if customer.service_notes == "渠道录入，待核实":
                count = self.rnd.randint(1, 5)
            active = customer.status != CustomerStatus.HISTORICAL
            since = customer.joined_on or self.days_ago(0, 60)
            span = max(0, (self.today - since).days)
            for _n in range(count):
                members.append(
                    Member(
                        customer_id=customer.pk,
                        msisdn=self.mobile(),
                        name=self.rnd.choice(self.name_pool),
                        account_id=self.rnd.choice(plan.account_ids),
                        business=Business.MOBILE if self.rnd.random() < 0.85 else Business.DATA,
                        is_active=active and self.rnd.random() > 0.03,
                        joined_on=since + datetime.timedelta(days=self.rnd.randint(0, span)),
                    )
                )
        Member.objects.bulk_create(members, batch_size=BATCH)
        return len(members)

    def insert_contacts(self, plans: list[_Plan]) -> int:
        contacts: list[Contact] = []
        for plan in plans:
            customer = plan.customer
            if customer.customer_type == CustomerType.GROUP:
                count = self.rnd.choices([1, 2, 3, 4], weights=[20, 35, 30, 15])[0]
                roles = [ContactRole.IT_MANAGER if self.rnd.random() < 0.5 else ContactRole.CONTACT]
                roles += self.rnd.sample(
                    [
                        r
                        for r in (
                            ContactRole.DECISION_MAKER,
                            ContactRole.KEY_EMPLOYEE,
                            ContactRole.FINANCE,
                            ContactRole.CONTACT,
                        )
                        if r not in roles
                    ],
                    count - 1,
                )
                for index, role in enumerate(roles):
                    male = self.rnd.random() < 0.55
                    name = self.faker.name_male() if male else self.faker.name_female()
                    title, department = self.rnd.choice(CONTACT_TITLES[role])
                    contacts.append(
                        Contact(
                            customer_id=customer.pk,
                            name=name,
                            role=role,
                            title=title,
                            department=department,
                            mobile=f"{self.rnd.choice(MOBILE_PREFIXES)}{self.rnd.randint(0, 99_999_999):08d}",
                            email=self.mail(name) if self.rnd.random() < 0.5 else "",
                            birthday=(
                                datetime.date(self.rnd.randint(1960, 1995), 1, 1)
                                + datetime.timedelta(days=self.rnd.randint(0, 364))
                            )
                            if self.rnd.random() < 0.4
                            else None,
                            is_primary=index == 0,
                        )
                    )
            elif self.rnd.random() < 0.8:
                contacts.append(
                    Contact(
                        customer_id=customer.pk,
                        name=customer.name,
                        role=ContactRole.CONTACT,
                        mobile=customer.phone,
                        email=customer.email,
                        birthday=plan.birthday,
                        notes="本人",
                        is_primary=True,
                    )
                )
            else:
                name = self.faker.name_female() if self.rnd.random() < 0.7 else self.faker.name_male()
                contacts.append(
                    Contact(
                        customer_id=customer.pk,
                        name=name,
                        role=ContactRole.CONTACT,
                        title=self.rnd.choice(("秘书", "助理")),
                        mobile=f"{self.rnd.choice(MOBILE_PREFIXES)}{self.rnd.randint(0, 99_999_999):08d}",
                        notes=f"{customer.name}的秘书，来电请先联系",
                        is_primary=True,
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        return len(contacts)

    def household_note(self, first: _Plan, second: _Plan) -> str:
        # The 17th digit of an ID card number is odd for men, even for women.
        male = [int(p.customer.certificate_no[16]) % 2 == 1 for p in (first, second)]
        if male[0] != male[1] and abs(first.birthday.year - second.birthday.year) <= 12:
            return "配偶"
        return self.rnd.choice(("家庭成员", "亲属", "同住家庭成员"))

    def insert_relations(self, plans: list[_Plan]) -> int:
        relations = []
        for plan in plans:
            for child in plan.parent_of:
                relations.append(
                    Relation(
                        customer_id=plan.customer.pk,
                        other_id=child.customer.pk,
                        kind=RelationKind.PARENT_OF,
                        note="全资子公司" if self.rnd.random() < 0.6 else "控股子公司",
                    )
                )
            if plan.household_of is not None:
                relations.append(
                    Relation(
                        customer_id=plan.household_of.customer.pk,
                        other_id=plan.customer.pk,
                        kind=RelationKind.HOUSEHOLD,
                        note=self.household_note(plan.household_of, plan),
                    )
                )
        Relation.objects.bulk_create(relations, batch_size=BATCH)
        return len(relations)


def build_customers(ctx: DemoContext) -> int:
    """The province's key accounts with their accounts, members, contacts and relations.
    Returns the number of customers."""
    builder = _Builder(ctx)
    builder.load()
    plans = builder.plan_customers()
    builder.link_subsidiaries(plans)
    builder.link_households(plans)
    plans += builder.near_duplicates(plans)
    builder.insert_customers(plans)
    builder.insert_accounts(plans)
    builder.insert_members(plans)
    builder.insert_contacts(plans)
    builder.insert_relations(plans)
    return len(plans)
