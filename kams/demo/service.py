"""Service cases of the demo province (SVC-02 … SVC-06, SVC-12, SVC-13), run through the real
process engine: every case is opened with ``case_open`` and every step is completed with
``workitem_complete`` by a person holding the step's role, so the history, the audit log,
the work items and the on-time statistics are those the engine writes.

Cases of every process are placed over the last three months (``now=``): most are closed
along different decision branches, some are in the middle of their steps, some were just
opened, a few are cancelled. Steps are completed at a realistic share of their time limit,
some after their deadline (late in the on-time statistics); some open steps are already past
their deadline, and the SLA sweep run at the end warns and escalates them. Nanjing and Suzhou,
and the books of the demo logins (nj_manager1, nj_director, sz_manager1), get the most.

The story of the issue is among them: a bank's level-1 fault reported through 1001 at 02:10,
its first step due at 02:40, open, late and escalated on the Nanjing director's board.

Follow-up cases opened by a step's action (签署合同意向书 → 合同签定 …) start at the moment the
step is done, so such steps are completed now, at the end of recent cases only.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kams.customers.enums import AccountStatus, ContractState, CustomerStatus
from kams.customers.models import Contact, Contract, Customer, Level, PayingAccount
from kams.org.enums import RoleCode
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import scope_for
from kams.service import services
from kams.service.calendar import WorkingCalendar, limit_seconds
from kams.service.enums import CalendarKind, CaseSource, ItemStatus
from kams.service.models import Case, ProcessDefinition, WorkItem
from kams.service.sla import sla_sweep

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

# How many cases of each process a size factor opens (follow-up cases come on top).
CASES = {
    "complaint": 24, "fault_level2": 13, "fault_level1": 8, "consultation": 10, "service_request": 9,
    "visit_acceptance": 12, "contract_signing": 10, "engineering": 8, "activation_other": 8, "activation_data": 8,
    "revisit": 12, "service_transfer": 6, "suggestion": 8, "business_plan": 5, "qualification_review": 7,
    "agent_qualification": 6, "arrears": 12, "off_network": 4, "level_change": 8,
}
NO_CUSTOMER = {"business_plan", "agent_qualification"}
# Where a case's fate places it: (share, days ago opened low, high).
FATES = {
    "done": (0.55, 8, 90),  # run to its end (still open if time has not caught up)
    "running": (0.20, 0, 6),  # recent, in the middle of its steps
    "stuck": (0.06, 8, 40),  # stopped at an early step long ago: late and escalated
    "cancelled": (0.07, 1, 20),
    "fresh": (0.12, 0, 0),  # opened in the last hours
}
LATE_SHARE = 0.16
SPAWN_DAYS = 25  # branches opening a follow-up case are taken by cases opened since (done now)
SWEEP_MINUTES = 5  # the SLA sweep runs every five minutes (kams.service.apps)  # of steps done after their deadline
REGRADE_BUDGET = 3  # steps queueing a province-wide credit re-grading
CALLS = {
    "activation_other": ("contract_signing", "engineering"),
    "fault_level1": ("contract_signing",),
    "fault_level2": ("contract_signing",),
    "complaint": ("fault_level2", "contract_signing"),
}

_SIGNED = {"contract_customer_ok": True, "contract_director_ok": True, "contract_over_authority": False}
# Per process: (weight, answers, needs). An answer list is used one value per visit of the
# step, the last repeating. needs: "contract" (a contract of the customer is signed),
# "spawn" (a step opens a follow-up case), "regrade", "cancel" (the customer leaves).
BRANCHES: dict[str, list[tuple[int, dict[str, Any], set[str]]]] = {
    "visit_acceptance": [
        (3, {"initial_intent": False}, set()),
        (3, {"initial_intent": True, "review_passed": True, "customer_satisfied": True}, {"spawn"}),
        (1, {"initial_intent": True, "review_passed": [False, True], "project_feasible": True,
             "customer_satisfied": [False, True]}, {"spawn"}),
        (2, {"initial_intent": True, "review_passed": False, "project_feasible": False}, set()),
    ],
    "contract_signing": [
        (4, _SIGNED, {"contract"}),
        (1, {"contract_customer_ok": [False, True], "contract_director_ok": True, "contract_over_authority": True,
             "contract_leader_ok": True}, {"contract"}),
        (1, {"contract_customer_ok": True, "contract_director_ok": [False, True], "contract_over_authority": True,
             "contract_leader_ok": [False, True]}, {"contract"}),
    ],
    "engineering": [
        (4, {"joint_test_ok": True, "acceptance_ok": True}, set()),
        (1, {"joint_test_ok": [False, True], "acceptance_ok": [False, True]}, set()),
    ],
    "activation_other": [
        (3, {"act_contract_signed": True, "act_need_engineering": False, "act_amount_matches": True}, set()),
        (1, {"act_contract_signed": False, "act_need_engineering": True, "act_amount_matches": [False, True], **_SIGNED,
             "joint_test_ok": True, "acceptance_ok": True}, {"contract"}),
    ],
    "activation_data": [
        (4, {"data_amount_matches": True}, set()),
        (1, {"data_amount_matches": [False, True]}, set()),
    ],
    "revisit": [
        (4, {"problems_found": False, "opportunity_found": False}, set()),
        (2, {"problems_found": True, "opportunity_found": False}, set()),
        (1, {"problems_found": True, "opportunity_found": True}, {"spawn"}),
    ],
    "complaint": [
        (5, {"manager_solved": True, "complaint_satisfied": True}, set()),
        (2, {"manager_solved": False, "director_solved": True, "complaint_satisfied": True}, set()),
        (1, {"manager_solved": False, "director_solved": False, "complaint_satisfied": True}, set()),
        (1, {"manager_solved": True, "complaint_satisfied": [False, True], "yellow_can_solve": True}, set()),
        (1, {"manager_solved": True, "complaint_satisfied": False, "yellow_can_solve": False, "need_compensation": False},
         set()),
    ],
    "service_transfer": [
        (2, {"meets_criteria": True}, {"spawn"}),
        (1, {"meets_criteria": False}, set()),
    ],
    "suggestion": [
        (2, {"needs_handling": True}, set()),
        (1, {"needs_handling": False}, set()),
    ],
    "fault_level1": [
        (3, {"need_compensation": False}, set()),
        (1, {"need_compensation": True, "in_contract": True}, set()),
        (1, {"need_compensation": True, "in_contract": False, **_SIGNED}, {"contract"}),
    ],
    "fault_level2": [
        (4, {"need_compensation": False}, set()),
        (1, {"need_compensation": True, "in_contract": True}, set()),
        (1, {"need_compensation": True, "in_contract": False, **_SIGNED}, {"contract"}),
    ],
    "business_plan": [
        (3, {"plan_reviewed_ok": True, "plan_approved": True}, set()),
        (1, {"plan_reviewed_ok": [False, True], "plan_approved": True}, set()),
    ],
    "qualification_review": [
        (2, {"data_verified": True, "qualified": True}, {"regrade"}),
        (1, {"data_verified": [False, True], "qualified": False}, set()),
    ],
    "agent_qualification": [
        (3, {"agent_docs_ok": True, "deposit_ok": True, "agent_approved": True}, set()),
        (1, {"agent_docs_ok": False}, set()),
        (1, {"agent_docs_ok": True, "deposit_ok": False}, set()),
        (1, {"agent_docs_ok": True, "deposit_ok": True, "agent_approved": False}, set()),
    ],
    "arrears": [
        (4, {"paid_in_full": True}, set()),
        (2, {"paid_in_full": False, "paid_after_dunning": True}, {"regrade"}),
        (1, {"paid_in_full": False, "paid_after_dunning": False}, {"regrade"}),
    ],
    "off_network": [
        (1, {"retained": True}, set()),
    ],
    "level_change": [
        (1, {"approved": False}, set()),
        (1, {"approved": True, "club_member": True}, set()),
        (2, {"approved": True, "club_member": False}, set()),
    ],
    "consultation": [
        (3, {"answered": True}, set()),
        (2, {"answered": False}, set()),
    ],
    "service_request": [
        (3, {"category": "other"}, set()),
        (1, {"category": "complaint"}, {"spawn"}),
        (1, {"category": "consultation"}, {"spawn"}),
        (1, {"category": "fault_level2"}, {"spawn"}),
    ],
}
# A bool a branch does not name: the usual answer.
FALSE_BY_DEFAULT = {
    "contract_over_authority", "problems_found", "opportunity_found", "need_compensation", "act_need_engineering",
    "club_member",
}
SOURCES = {
    "complaint": [(CaseSource.HOTLINE_1001, 4), (CaseSource.HOTLINE_10018, 2), (CaseSource.MANAGER, 3), (CaseSource.WEBSITE, 1)],
    "fault_level1": [(CaseSource.HOTLINE_1001, 3), (CaseSource.HOTLINE_10019, 1), (CaseSource.CENTER, 2)],
    "fault_level2": [(CaseSource.HOTLINE_1001, 3), (CaseSource.HOTLINE_10019, 1), (CaseSource.MANAGER, 2)],
    "consultation": [(CaseSource.HOTLINE_10018, 2), (CaseSource.WEBSITE, 2), (CaseSource.SHOP, 1), (CaseSource.MANAGER, 1)],
    "service_request": [(CaseSource.SYSTEM, 3), (CaseSource.HOTLINE_1001, 1)],
    "suggestion": [(CaseSource.WEBSITE, 2), (CaseSource.MANAGER, 2), (CaseSource.HOTLINE_10018, 1)],
    "visit_acceptance": [(CaseSource.MANAGER, 3), (CaseSource.CENTER, 1), (CaseSource.SHOP, 1)],
    "activation_other": [(CaseSource.CENTER, 2), (CaseSource.SHOP, 1), (CaseSource.MANAGER, 2)],
    "agent_qualification": [(CaseSource.AGENT, 1)],
}
HOTLINES = {CaseSource.HOTLINE_1001, CaseSource.HOTLINE_10018, CaseSource.HOTLINE_10019, CaseSource.SYSTEM}

# --- Plausible form content -------------------------------------------------------------------------

REQUESTS = [
    ("new", "客户新办公楼入驻，需整体通信方案：固话中继、互联网专线与全楼WLAN覆盖", "新办公楼整体通信方案"),
    ("new", "客户拟开通物联网卡约300张，用于物流车辆定位与冷链温度监控", "物联网卡车辆定位"),
    ("change", "总部互联网专线由100M扩容至500M，并增加一条备份链路", "互联网专线扩容"),
    ("value_added", "客户希望开通云视频会议与移动办公应用，覆盖各地分支机构", "云视频会议与移动办公"),
    ("new", "客户在江宁新建生产基地，需MSTP专线与总部互联，并开通集团V网", "生产基地专线互联"),
    ("value_added", "客户咨询企业云盘与电子合同服务，计划替换自建文件服务器", "企业云盘与电子合同"),
    ("change", "客户员工集团V网扩容，新增成员约120人并调整资费套餐", "集团V网扩容"),
]
NEEDS = [
    "两地办公互联、语音与数据统一承载，要求专线可用率不低于99.9%",
    "分支机构视频会议每周约20场，需保障上行带宽与会议质量",
    "生产车间需要无线覆盖，支持扫码枪与AGV小车接入",
    "营业网点需要双路由保护，任一链路中断不影响业务",
    "希望按月结算、统一出账，并提供分项费用明细",
]
SOLUTIONS_TECH = [
    "采用MSTP双路由接入，主用100M、备用50M，核心节点设在新街口机房，配套光纤收发器两台",
    "采用政企OTN专线，A端客户机房、Z端数据中心，10G波道，提供7×24小时监控",
    "部署AC+AP方案，约60个吸顶AP，POE交换机供电，VLAN隔离办公与访客网络",
    "互联网专线500M，提供/29公网地址段，配套防火墙与上网行为管理",
]
COMPLAINTS = [
    ("mobile", "billing", "客户反映集团成员本月话费异常，多名员工被收取未订购的增值业务费"),
    ("data", "network", "客户反映MSTP专线近一周频繁抖动，视频会议多次中断"),
    ("leased_line", "network", "客户反映互联网专线下午时段速率明显下降，仅为签约带宽的三成"),
    ("mobile", "service", "客户投诉营业厅办理集团成员入网时等候时间过长，工作人员态度欠佳"),
    ("voip", "product", "客户反映IP电话呼叫外地号码时偶发单通，影响对外业务"),
    ("long_distance", "billing", "客户对长途话费优惠未按协议执行提出异议，要求核查并退费"),
    ("data", "service", "客户反映宽带故障报修后超过48小时无人上门处理"),
    ("other", "other", "客户对俱乐部积分兑换礼品迟迟未到货表示不满"),
]
FAULTS = [
    ("总部至数据中心的MSTP专线中断，网管显示光路告警", "新街口汇聚机房—客户A端", "MSTP专线、视频会议"),
    ("互联网专线全部中断，客户办公楼无法上网", "客户楼宇接入交换机", "互联网专线"),
    ("营业网点与总部数据专线丢包严重，业务系统频繁超时", "区县传输节点", "数据专线"),
    ("客户园区无线网络大面积掉线，AP无法注册", "园区汇聚交换机", "WLAN"),
    ("集团V网成员无法互拨短号", "本地网V网平台", "集团V网"),
    ("客户呼叫中心中继线路全部占线无法呼入", "关口局中继电路", "语音中继"),
]
FAULT_CAUSES = [
    "市政施工挖断主干光缆，已熔接恢复", "客户侧光纤收发器故障，已更换设备", "汇聚交换机板卡故障，已倒换备板并更换",
    "传输设备软件缺陷导致端口异常，已升级补丁", "机房供电中断，UPS耗尽，已恢复供电",
]
SUGGESTIONS = [
    "建议在园区增设4G/5G室分，解决地下车库信号弱的问题",
    "建议集团账单增加按部门分摊的费用明细，便于内部核算",
    "建议俱乐部网站支持在线预约客户经理上门服务",
    "建议专线故障报修后提供处理进度短信通知",
    "建议为集团客户提供统一的电子发票批量下载功能",
]
QUESTIONS = [
    "咨询集团V网新增成员的资费标准及办理所需材料",
    "询问互联网专线从100M升级到300M的费用与开通周期",
    "咨询企业上云套餐中云主机的配置与价格",
    "询问国际长途漫游优惠包的适用国家和资费",
    "咨询俱乐部积分的有效期与兑换规则",
    "询问专线发票抬头变更需要提供哪些材料",
]
RETENTION = [
    "赠送6个月专线带宽提速，免收升级费用", "按新资费标准下调集团成员套餐月费15%，签订两年协议",
    "由技术部门专项整改网络质量并提供季度网络质量报告", "安排客户经理驻点服务，故障2小时内上门",
]
# complaint type → (the departments' feedback, the result filed)
FEEDBACK = {
    "billing": ("经计费中心核查，系统配置错误导致多收费用，已更正并办理退费。", "问题已解决，多收费用已在下期账单中退还。"),
    "network": ("网络维护中心已更换故障设备并优化路由，连续三天监测指标正常。", "网络问题已整改，客户业务恢复正常。"),
    "service": ("营业厅已对相关人员批评教育并组织服务规范培训。", "已向客户致歉，服务问题已整改。"),
    "product": ("业务支撑部已升级平台版本，问题不再复现。", "平台已升级，客户确认问题解决。"),
    "other": ("俱乐部已协调供应商补发礼品，三日内送达。", "已协调处理完毕，客户表示认可。"),
}
DEPARTMENTS = ["网络维护中心", "业务支撑部", "市场经营部", "计费账务中心", "俱乐部"]


_EMPTY = object()  # a field left empty on purpose


def _short(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _plain(name: str) -> str:
    return re.sub(r"[\s\u3000]|[（(].*[）)]$", "", name)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0, second=0).isoformat()


class _Case:
    """What one simulated case knows while its steps are filled in."""

    def __init__(self, key: str, customer: Customer | None, answers: dict[str, Any], contract: Contract | None,
                 new_level: Level | None, theme: Any):
        self.key, self.customer, self.answers, self.contract = key, customer, answers, contract
        self.new_level, self.theme = new_level, theme
        self.used: dict[str, int] = {}
        self.opened_at: datetime.datetime | None = None


class ServiceDemo:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.rnd, self.faker = ctx, ctx.random, ctx.faker
        self.now = timezone.now()
        self.calendar = WorkingCalendar.load(self.now - datetime.timedelta(days=100))
        self.users: dict[int, Any] = {}
        self.pool_cache: dict[tuple[str, int], list[Any]] = {}
        self.regrades = 0
        self.counts = {"cases": 0, "steps": 0, "late": 0, "cancelled": 0}
        services.definitions_sync_package()  # a flushed database has none installed yet
        definitions = ProcessDefinition.objects.filter(is_active=True)
        self.actions = {(d.key, s["id"]): s.get("action", "") for d in definitions for s in d.steps}
        self.start_forms = {d.key: d.start_form for d in definitions}
        self._people()
        self._customers()

    # --- People --------------------------------------------------------------------------------

    def user(self, staff: Staff) -> Any:
        if staff.user_id not in self.users:
            self.users[staff.user_id] = get_user_model().objects.select_related("staff").get(pk=staff.user_id)
        return self.users[staff.user_id]

    def login(self, username: str) -> Any:
        return self.user(Staff.objects.get(user__username=username))

    def _people(self) -> None:
        named = {"nj_director", "nj_manager1", "nj_manager2", "sz_manager1", "js_director", "js_club", "js_channel"}
        staff = list(Staff.objects.filter(is_active=True).select_related("org_unit", "user").prefetch_related("roles"))
        # Demo logins first: when they may take a pooled step, they do.
        staff.sort(key=lambda s: (s.user.username not in named, s.employee_no))
        self.holders: dict[str, list[Staff]] = {}
        for person in staff:
            for role in person.roles.all():
                self.holders.setdefault(role.code, []).append(person)
        self.directors = {}
        for person in self.holders[RoleCode.DIRECTOR]:
            city = person.org_unit.code.split("-")[0]
            self.directors.setdefault(city, person)
        self.province_director = self.holders[RoleCode.PROVINCE_DIRECTOR][0]

    def actor_for(self, item: WorkItem) -> Any:
        """Who does a step: its assignee, else a holder of its role whose scope covers it."""
        if item.assignee_id:
            return self.user(item.assignee)
        key = (item.role, item.org_unit_id)
        if key not in self.pool_cache:
            self.pool_cache[key] = [
                self.user(p) for p in self.holders.get(item.role, []) if scope_for(self.user(p)).covers_unit(item.org_unit)
            ]
        people = self.pool_cache[key]
        if not people:
            raise RuntimeError(f"demo: nobody may take {item.step_name} ({item.role}) in {item.org_unit}")
        return people[0] if self.rnd.random() < 0.7 else self.rnd.choice(people)

    def director_of(self, unit: OrgUnit) -> Any:
        return self.user(self.directors.get(unit.code.split("-")[0]) or self.province_director)

    # --- Customers -----------------------------------------------------------------------------

    def _customers(self) -> None:
        with_mobile = Contact.objects.filter(customer=OuterRef("pk")).exclude(mobile="")
        base = (
            Customer.objects.filter(account_manager__isnull=False)
            .filter(Exists(with_mobile))
            .select_related("org_unit", "account_manager__user", "level")
            .order_by("pk")
        )
        # The demo's own checks compare these customers' level with the rule (every 37th):
        # a level changed by hand in a case would not match, so they are left alone.
        by_pk = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
        by_code = list(Customer.objects.order_by("code").values_list("pk", flat=True))
        self.checked = set(by_pk[::37]) | set(by_code[::37])
        current = [c for c in base.filter(status=CustomerStatus.CURRENT)]
        # Potential customers to admit: not the near-duplicates kept for the merge feature.
        names = {c.name for c in current}
        self.potential = [
            c for c in base.filter(status=CustomerStatus.POTENTIAL)
            if c.pk not in self.checked and c.name not in names and _plain(c.name) == c.name
        ]
        self.groups: dict[str, list[Customer]] = {}
        for c in current:
            city = c.org_unit.code.split("-")[0]
            manager = c.account_manager.user.username
            group = manager if manager in ("nj_manager1", "nj_manager2", "sz_manager1") else f"city:{city}"
            self.groups.setdefault(group, []).append(c)
        self.other_cities = [code for code in sorted({g[5:] for g in self.groups if g.startswith("city:")}) if code not in ("NJ", "SZ")]
        self.city_turn = 0
        self.contracts: dict[int, list[Contract]] = {}
        for contract in Contract.objects.filter(customer__status=CustomerStatus.CURRENT).order_by(
            "-state", "pk"  # drafts and contracts in approval before those in force
        ):
            if contract.state in (ContractState.DRAFT, ContractState.APPROVING, ContractState.ACTIVE):
                self.contracts.setdefault(contract.customer_id, []).append(contract)
        for contracts in self.contracts.values():
            contracts.sort(key=lambda k: k.state not in (ContractState.DRAFT, ContractState.APPROVING))
        self.levels = list(Level.objects.order_by("category_id", "rank"))
        self.used_customers: set[int] = set()

    def pick_customer(self, needs: set[str], key: str) -> Customer:
        """The demo logins' books first, then Nanjing and Suzhou, the other cities in turn."""
        def fits(c: Customer) -> bool:
            if "contract" in needs and not self.contracts.get(c.pk):
                return False
            if key == "level_change" and (c.pk in self.checked or c.level_id is None):
                return False
            return True

        roll = self.rnd.random()
        order = (
            ["nj_manager1"] if roll < 0.26 else ["nj_manager2"] if roll < 0.34 else ["city:NJ"] if roll < 0.46
            else ["sz_manager1"] if roll < 0.60 else ["city:SZ"] if roll < 0.66 else []
        )
        if not order:
            self.city_turn += 1
            order = [f"city:{self.other_cities[self.city_turn % len(self.other_cities)]}"]
        order += ["city:NJ", "city:SZ", *(f"city:{c}" for c in self.other_cities)]
        for group in order:
            candidates = [c for c in self.groups.get(group, []) if fits(c)]
            if candidates:
                fresh = [c for c in candidates if c.pk not in self.used_customers] or candidates
                customer = self.rnd.choice(fresh)
                self.used_customers.add(customer.pk)
                return customer
        raise RuntimeError(f"demo: no customer fits a {key} case")

    def pick_contract(self, customer: Customer) -> Contract:
        contracts = self.contracts[customer.pk]
        return contracts.pop(0) if len(contracts) > 1 else contracts[0]

    def pick_level(self, customer: Customer) -> Level:
        same = [lv for lv in self.levels if lv.category_id == customer.level.category_id and lv.pk != customer.level_id]
        near = [lv for lv in same if abs(lv.rank - customer.level.rank) == 1] or same
        return self.rnd.choice(near)

    # --- Times ---------------------------------------------------------------------------------

    def opening_time(self, key: str, fate: str) -> datetime.datetime:
        _share, low, high = FATES[fate]
        faults = key.startswith("fault_")
        if fate == "fresh":
            moment = self.now - datetime.timedelta(minutes=self.rnd.randint(20, 6 * 60))
            return moment if faults else self._working_before(moment)
        day = timezone.localdate(self.now) - datetime.timedelta(days=self.rnd.randint(low, high))
        if faults:
            hour = self.rnd.choice([0, 2, 7, 9, 10, 11, 14, 15, 16, 19, 21, 23])
        else:
            while not self.calendar.is_working_day(day):
                day -= datetime.timedelta(days=1)
            hour = self.rnd.randint(8, 16)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, self.rnd.randint(0, 59))))
        if not faults and moment.hour == 8 and moment.minute < 30:
            moment += datetime.timedelta(minutes=40)
        if moment >= self.now:
            moment = self.now - datetime.timedelta(minutes=self.rnd.randint(30, 180))
            if not faults:
                moment = self._working_before(moment)
        return moment

    def _working_before(self, moment: datetime.datetime) -> datetime.datetime:
        """The latest working moment at or before ``moment`` (an office case is opened in office hours)."""
        local = timezone.localtime(moment)
        for _i in range(30):
            opens = local.replace(hour=self.calendar.start.hour, minute=self.calendar.start.minute, second=0, microsecond=0)
            closes = local.replace(hour=self.calendar.end.hour, minute=self.calendar.end.minute, second=0, microsecond=0)
            if self.calendar.is_working_day(local.date()) and local >= opens + datetime.timedelta(minutes=10):
                latest = closes - datetime.timedelta(minutes=self.rnd.randint(5, 90))
                return local if local <= closes else max(latest, opens + datetime.timedelta(minutes=10))
            local = (local - datetime.timedelta(days=1)).replace(hour=23, minute=0)
        return moment

    def done_at(self, item: WorkItem, late: bool) -> datetime.datetime:
        share = self.rnd.uniform(1.1, 2.4) if late else self.rnd.uniform(0.08, 0.85)
        calendar = None if item.calendar == CalendarKind.ALWAYS else self.calendar
        seconds = limit_seconds(item.time_limit, item.calendar, calendar) * share
        if calendar is None:
            return item.started_at + datetime.timedelta(seconds=seconds)
        return calendar.add(item.started_at, seconds)

    # --- Form values ---------------------------------------------------------------------------

    def values(self, case: _Case, fields: list[dict], at: datetime.datetime) -> dict[str, Any]:
        out = {}
        for field in fields:
            value = self.value(case, field, at)
            if value is not None:
                out[field["name"]] = value
        return out

    def value(self, case: _Case, field: dict, at: datetime.datetime) -> Any:
        name, kind = field["name"], field["type"]
        if name in case.answers:
            answer = case.answers[name]
            if isinstance(answer, list):
                index = case.used.get(name, 0)
                case.used[name] = index + 1
                return answer[min(index, len(answer) - 1)]
            return answer
        if kind == "bool":
            return name not in FALSE_BY_DEFAULT
        if not field.get("required") and kind in ("text", "textarea", "decimal", "datetime") and self.rnd.random() < 0.4:
            return None
        made = self.text(case, name, at)
        if made is _EMPTY:
            return None
        if made is not None:
            return made
        rnd = self.rnd
        if kind == "choice":
            keys = [c[0] for c in field["choices"]]
            return keys[0] if rnd.random() < 0.55 else rnd.choice(keys)
        if kind == "date":
            return timezone.localtime(at).date().isoformat()
        if kind == "datetime":
            return _local(at - datetime.timedelta(minutes=rnd.randint(5, 40)))
        if kind == "int":
            return rnd.randint(1, 20)
        if kind == "decimal":
            return float(Decimal(rnd.randint(20, 900) * 100))
        if not field.get("required"):
            return None
        return "已按规范处理，情况已记录。" if kind == "textarea" else "已处理"

    def text(self, case: _Case, name: str, at: datetime.datetime) -> Any:  # noqa: C901 (one table of fields)
        rnd, c = self.rnd, case.customer
        who = c.name if c else ""
        today = timezone.localtime(at)
        theme = case.theme
        key = case.key
        amount = float(Decimal(rnd.randint(8, 400) * 100))
        common: dict[str, Any] = {
            # 客户走访及业务办理
            "request_summary": lambda: theme[1], "request_kind": lambda: theme[0],
            "contact_person": lambda: f"{self.faker.name()}（{rnd.choice(['办公室主任', '信息中心主任', '行政经理', '总经理助理'])}）",
            "customer_profile": lambda: f"{who}，员工约{rnd.randint(80, 2000)}人，现有集团成员{rnd.randint(20, 400)}户，"
                                        f"月通信费用约{rnd.randint(2, 60)}千元，主要使用移动语音与数据专线。",
            "basic_needs": lambda: rnd.choice(NEEDS),
            "talk_notes": lambda: "客户认可初步思路，希望一周内提交技术方案与报价。",
            "clarified_needs": lambda: f"{theme[1]}；{rnd.choice(NEEDS)}。",
            "requirements_doc": lambda: f"《{who}基本需求书》：{theme[2]}，要求{rnd.randint(15, 45)}个工作日内开通。",
            "tech_solution": lambda: rnd.choice(SOLUTIONS_TECH),
            "resource_survey": lambda: f"现场勘查：距最近接入点约{rnd.randint(2, 30) * 50}米，管道资源充足。",
            "feasibility_report": lambda: rnd.choice(["投资回收期约14个月，项目可行", "资源不足，需新建光缆，投资过高"]),
            "customer_feedback": lambda: rnd.choice(["客户对方案满意", "客户希望降低首年费用，方案需调整报价"]),
            "intent_summary": lambda: f"双方签署《{theme[2]}合作意向书》，预计合同金额{rnd.randint(5, 80)}万元/年。",
            "archive_reason": lambda: rnd.choice(["客户暂无明确需求，资料归档列入潜在大客户库", "方案论证未通过，列入潜在大客户库持续跟进"]),
            # 合同签定
            "contract_subject": lambda: f"{case.contract.title}（{case.contract.contract_no}）" if case.contract else "服务协议",
            "contract_id": lambda: case.contract.pk if case.contract else None,
            "contract_summary": lambda: "按集团客户标准合同模板拟定，服务期三年，资费按优惠协议执行。",
            "business_opinion": lambda: rnd.choice(["同意，律师已审核违约条款", "建议补充服务等级(SLA)条款"]),
            "finance_opinion": lambda: rnd.choice(["同意，结算方式为按月托收", "同意，需客户预存三个月费用"]),
            "customer_changes": lambda: "客户要求将付款周期由按月调整为按季度。",
            "archive_location": lambda: f"大客户中心合同档案柜{rnd.choice('ABC')}-{rnd.randint(1, 30):02d}",
            # 工程实施
            "project_name": lambda: f"{who}{theme[2]}工程",
            "work_request": lambda: f"申请开工，需准备电路资源：{rnd.choice(['MSTP 100M两条', 'OTN 10G波道一条', '互联网专线500M'])}。",
            "construction_plan": lambda: "按合同确定的施工方案：敷设光缆、安装设备、配置数据，夜间施工不影响客户办公。",
            "completed_on": lambda: today.date().isoformat(),
            "progress_notes": lambda: "施工按计划推进，已完成光缆敷设。",
            "acceptance_notes": lambda: rnd.choice(["测试指标全部达标", "部分AP信号覆盖不足，需整改"]),
            "rectification": lambda: "按合同补装AP四台并调整信道，复测达标。",
            "as_built": lambda: "竣工资料已归档，已通知维护中心纳入日常维护。",
            "settled_amount": lambda: amount if key == "engineering" else float(Decimal(rnd.randint(0, 30) * 100)),
            # 业务开通
            "service_requested": lambda: theme[1],
            "urge_notes": lambda: "已电话督促客户尽快回签合同。",
            "received_amount": lambda: amount,
            "correction": lambda: "核对发现少收一个月月租，已补收并更正台账。",
            "recheck_result": lambda: "复核后单款相符。",
            "invoice_no": lambda: f"{rnd.randint(10000000, 99999999)}",
            "service_numbers": lambda: "、".join(f"1{rnd.choice('3589')}{rnd.randint(0, 999999999):09d}" for _n in range(3)),
            "circuit_ref": lambda: f"{c.org_unit.code.split('-')[0]}-MSTP-{today:%Y}-{rnd.randint(100, 999)}" if c else "MSTP",
            "open_date": lambda: (today + datetime.timedelta(days=rnd.randint(2, 10))).date().isoformat(),
            "confirmation_no": lambda: f"QR{today:%Y%m%d}{rnd.randint(100, 999)}",
            "message": lambda: self.message(case),
            # 回访
            "revisit_kind": lambda: rnd.choice(["planned", "planned", "aftercare", "new_customer"]),
            "revisit_plan": lambda: rnd.choice(["季度例行回访，了解业务使用情况", "故障处理后回访，确认网络恢复情况", "新入网客户首次回访"]),
            "planned_date": lambda: (today + datetime.timedelta(days=rnd.randint(1, 5))).date().isoformat(),
            "preparation": lambda: "整理客户近三个月账单与故障记录。",
            "appointment_at": lambda: _local(today + datetime.timedelta(days=rnd.randint(1, 3), hours=rnd.randint(0, 4))),
            "visited_on": lambda: today.date().isoformat(),
            "satisfaction": lambda: rnd.choice(["very_satisfied", "satisfied", "satisfied", "neutral"]) if key == "revisit"
            else rnd.choice(["satisfied", "satisfied", "neutral", "unsatisfied"]),
            "visit_record": lambda: rnd.choice(["客户对网络质量和服务总体满意", "客户反映月底账单到达较晚", "客户提出希望增加带宽"]),
            "problem_handling": lambda: "已协调计费中心提前出账，并将电子账单推送至客户财务邮箱。",
            "summary": lambda: "回访完成，客户关系良好。",
            "opportunity": lambda: "客户计划新开两个分支机构，有专线与V网需求。",
            # 投诉
            "business_type": lambda: theme[0], "complaint_type": lambda: theme[1],
            "complaint_content": lambda: theme[2],
            "complaint_number": lambda: f"1{rnd.choice('3589')}{rnd.randint(0, 999999999):09d}",
            "complainant": lambda: self.faker.name(),
            "handling_deadline": lambda: _EMPTY,
            "manager_handling": lambda: f"已联系客户说明情况，并提交{ {'billing': '计费核查', 'network': '网络排查'}.get(theme[1], '内部协调')}工单。",
            "director_handling": lambda: "中心总监协调网络部门专项处理。",
            "leader_instruction": lambda: "请网络部、计费中心两日内联合处理并回复客户。",
            "dept_feedback": lambda: FEEDBACK.get(theme[1], FEEDBACK["other"])[0] if key == "complaint" else "已核查并处理。",
            "reply_content": lambda: "已电话回复客户处理结果，客户表示认可。" if key == "complaint" else "已将业务部门答复转告客户。",
            "handling_result": lambda: {"complaint": FEEDBACK.get(theme[1], FEEDBACK["other"])[1],
                                        "suggestion": "建议已采纳，纳入下季度工作计划。"}.get(key, "已按客户要求处理完毕。"),
            "final_satisfaction": lambda: rnd.choice(["satisfied", "satisfied", "satisfied", "neutral", "dissatisfied"]),
            # 服务转接
            "source_department": lambda: rnd.choice(["公众客户部", "数据业务部", "市场经营部"]),
            "report_month": lambda: f"{(today.replace(day=1) - datetime.timedelta(days=1)):%Y-%m}",
            "report_ref": lambda: f"BB-{today:%Y%m}-{rnd.randint(10, 99)}",
            "selection_basis": lambda: "近三个月月均通信费用超过5000元，成员数超过20户。",
            "first_contact_on": lambda: today.date().isoformat(),
            "contact_notes": lambda: "已电话联系客户，介绍大客户经理服务。",
            # 建议
            "suggestion_content": lambda: theme, "suggestion_report": lambda: f"客户建议：{theme}",
            "analysis": lambda: "同类建议本季度共收到3条，具有普遍性。",
            "director_comment": lambda: "请相关部门研究落实。", "department": lambda: rnd.choice(DEPARTMENTS),
            "feedback": lambda: "已将处理结果反馈客户。", "thanks_note": lambda: "已致电感谢客户并赠送俱乐部积分。",
            # 故障
            "fault_description": lambda: theme[0], "affected_services": lambda: theme[2],
            "occurred_at": lambda: _local(case.opened_at - datetime.timedelta(minutes=rnd.randint(3, 25))),
            "fault_location": lambda: theme[1],
            "fault_impact": lambda: rnd.choice(["客户核心业务中断", "部分分支机构业务受影响", "约200名员工无法正常办公"]),
            "fault_request_no": lambda: f"GZ-{today:%Y%m%d}-{rnd.randint(100, 999)}",
            "backup_started_at": lambda: _local(at - datetime.timedelta(minutes=rnd.randint(2, 10))),
            "solution": lambda: rnd.choice(["抢修队赶赴现场熔接光缆", "倒换至备用路由并更换故障板卡", "远程重启设备并现场更换光模块"]),
            "restored_at": lambda: _local(at - datetime.timedelta(minutes=rnd.randint(10, 120))),
            "fault_cause": lambda: rnd.choice(FAULT_CAUSES),
            "aftercare_satisfaction": lambda: rnd.choice(["satisfied", "satisfied", "neutral", "dissatisfied"]),
            "compensation_plan": lambda: "按合同SLA条款减免当月专线月租的10%。",
            "negotiated_plan": lambda: "经协商，赠送三个月带宽提速并减免当月月租。",
            "compensation_amount": lambda: float(Decimal(rnd.randint(5, 50) * 100)),
            # 业务计划
            "plan_period": lambda: "year", "plan_label": lambda: theme,
            "targets_given": lambda: "收入增长8%，新增集团客户120户，流失率不高于3%，投诉率下降20%。",
            "plan_content": lambda: "按行业划分责任，重点拓展金融、政务、制造业客户；季度分解到各客户经理。",
            "target_revenue": lambda: float(Decimal(rnd.randint(800, 3000) * 10000)),
            "target_new_users": lambda: rnd.randint(60, 200), "target_churn_rate": lambda: 3.0,
            "target_complaints": lambda: rnd.randint(10, 40),
            "approval_comment": lambda: "同意，按计划执行。", "publish_note": lambda: "已下达各客户经理组。",
            "decomposition": lambda: "一组：金融、政务；二组：制造业、商贸；各区县按上年收入占比分解。",
            # 资格审查
            "apply_reason": lambda: f"{who}近三个月通信费用持续增长，申请纳入大客户管理。",
            "monthly_revenue": lambda: float(Decimal(rnd.randint(50, 300) * 100)),
            "months_on_net": lambda: rnd.randint(6, 60),
            "services_used": lambda: "移动语音、集团V网、互联网专线",
            "verify_notes": lambda: "计费帐务资料与申报一致。",
            "review_comment": lambda: rnd.choice(["同意", "情况属实，同意", "请补充近半年账单后再议"]),
            "admit_note": lambda: "已建立大客户档案并分配客户经理。",
            "credit_note": lambda: "按初始信用等级规则评定。",
            "reject_reason": lambda: "近三个月收入未达到大客户标准，暂列入潜在大客户库。" if key != "agent_qualification"
            else "资质材料不全或保证金未到位，不予通过。",
            # 代理商资格
            "agent_name": lambda: theme, "applied_level": lambda: rnd.choice(["city", "city", "province"]),
            "business_scope": lambda: "集团客户业务代理、终端销售及售后服务。",
            "license_no": lambda: f"9132{rnd.randint(10000000000000, 99999999999999)}",
            "documents": lambda: "营业执照、法人身份证、经营场所租赁合同、近两年财务报表。",
            "check_notes": lambda: "经营场所已实地核查。", "deposit_amount": lambda: float(Decimal(rnd.choice([50000, 100000, 200000]))),
            "granted_level": lambda: "city", "agent_code": lambda: f"DL-JS-{rnd.randint(100, 999)}",
            # 欠费
            "period": lambda: f"{(today.replace(day=1) - datetime.timedelta(days=35)):%Y-%m}",
            "billed_amount": lambda: amount, "notice_sent_on": lambda: today.date().isoformat(),
            "paid_amount": lambda: amount, "dunning_notes": lambda: "已向客户财务发送催缴函并电话提醒。",
            "arrears_amount": lambda: float(Decimal(rnd.randint(10, 300) * 100)),
            "note": lambda: "客户承诺下月结清。", "regrade_note": lambda: "按历史交费情况重新评定信用等级。",
            # 离网
            "leave_reason": lambda: rnd.choice(["tariff", "competitor", "business", "network"]),
            "leave_detail": lambda: rnd.choice(["竞争对手报价低约20%，客户有意转网", "客户业务收缩，部分分支机构撤并", "客户对网络质量不满"]),
            "retention_plan": lambda: rnd.choice(RETENTION),
            "retention_result": lambda: "客户接受挽留方案，续签两年协议。" if case.answers.get("retained") else "客户坚持离网。",
            "settle_notes": lambda: "欠费已结清，押金已退还。",
            "reason": lambda: "客户业务迁出江苏，申请离网。",
            "churn_analysis": lambda: "流失原因：业务迁移。已录入客户流失原因知识库。",
            # 级别变化
            "trigger": lambda: rnd.choice(["evaluation", "arpu", "tenure"]),
            "proposed_level": lambda: case.new_level.code if case.new_level else "",
            "new_level": lambda: case.new_level.code if case.new_level else "",
            "change_reason": lambda: f"近六个月ARPU{'持续上升' if case.new_level and c.level and case.new_level.rank < c.level.rank else '明显下降'}，"
                                     f"建议调整为{case.new_level.name if case.new_level else ''}。",
            "card_class": lambda: rnd.choice(["diamond", "emerald", "sapphire"]),
            "keep_note": lambda: "维持原级别，下季度再评估。",
            # 咨询与客服请求
            "question": lambda: theme, "contact_name": lambda: self.faker.name(),
            "answer": lambda: "已告知资费标准与办理流程。" if case.answers.get("answered") else "需业务部门确认后答复。",
            "expert_answer": lambda: "业务部门答复：可按集团优惠资费办理，开通周期约5个工作日。",
            "description": lambda: theme,
            "request_type": lambda: rnd.choice(["投诉", "咨询", "报障", "其它"]),
            "customer_code": lambda: _EMPTY,
        }
        maker = common.get(name)
        return maker() if maker else None

    def message(self, case: _Case) -> str:
        name = case.customer.name if case.customer else ""
        return {
            "activation_other": f"尊敬的{name}：您申请的业务已开通，首次交费日期为次月10日前。如有疑问请联系您的客户经理。",
            "activation_data": f"尊敬的{name}：您的数据专线已开通，计费自开通日起，交费日期为每月20日前。",
            "level_change": f"尊敬的{name}：根据近期业务情况，您的客户级别已调整，相应服务内容详见俱乐部网站。",
        }.get(case.key, f"尊敬的{name}：故障赔偿方案已执行，相关费用减免将在下期账单体现。感谢您的理解。")

    def theme(self, key: str, customer: Customer | None, unit: OrgUnit | None = None) -> Any:
        rnd = self.rnd
        city = (unit.name if unit else customer.org_unit.name if customer else "").replace("大客户中心", "")
        return {
            "visit_acceptance": lambda: rnd.choice(REQUESTS), "activation_other": lambda: rnd.choice(REQUESTS),
            "complaint": lambda: rnd.choice(COMPLAINTS), "fault_level1": lambda: rnd.choice(FAULTS),
            "fault_level2": lambda: rnd.choice(FAULTS), "suggestion": lambda: rnd.choice(SUGGESTIONS),
            "consultation": lambda: rnd.choice(QUESTIONS), "engineering": lambda: rnd.choice(REQUESTS),
            "service_request": lambda: rnd.choice(QUESTIONS + [c[2] for c in COMPLAINTS]),
            "business_plan": lambda: f"{timezone.localdate().year + 1}年度{city}大客户业务发展计划",
            "agent_qualification": lambda: f"{rnd.choice(['汇通', '恒信', '联创', '天元', '鑫达'])}通信器材有限公司",
        }.get(key, lambda: None)()

    def title(self, case: _Case, data: dict[str, Any]) -> str:
        t = case.theme
        return {
            "visit_acceptance": lambda: f"业务受理：{t[2]}", "contract_signing": lambda: f"合同签订：{data.get('contract_subject', '')}",
            "engineering": lambda: f"工程实施：{data.get('project_name', '')}", "activation_other": lambda: f"业务开通：{t[2]}",
            "activation_data": lambda: f"数据专线开通：{data.get('circuit_ref', '')}", "revisit": lambda: "客户回访",
            "complaint": lambda: f"投诉：{_short(t[2])}", "service_transfer": lambda: f"大客户转接：{data.get('report_month', '')}报表",
            "suggestion": lambda: f"建议：{_short(t)}", "fault_level1": lambda: f"一级故障：{_short(t[0])}",
            "fault_level2": lambda: f"二级故障：{_short(t[0])}", "business_plan": lambda: t,
            "qualification_review": lambda: "大客户资格审查", "agent_qualification": lambda: f"代理商资格审定：{t}",
            "arrears": lambda: f"欠费处理：{data.get('period', '')}", "off_network": lambda: "离网处理",
            "level_change": lambda: f"级别变更：{case.customer.level.name if case.customer and case.customer.level else ''}→"
                                    f"{case.new_level.name if case.new_level else ''}",
            "consultation": lambda: f"咨询：{_short(t)}", "service_request": lambda: f"客服转来：{_short(t)}",
        }[case.key]()

    # --- Running a case ------------------------------------------------------------------------

    def branch(self, key: str, fate: str, opened_at: datetime.datetime) -> tuple[dict[str, Any], set[str]]:
        options = BRANCHES[key]
        recent = self.now - opened_at < datetime.timedelta(days=SPAWN_DAYS)
        allowed = [o for o in options if ("spawn" not in o[2] or recent) and ("regrade" not in o[2] or self.regrades < REGRADE_BUDGET)]
        weights = [o[0] for o in allowed or options]
        _w, answers, needs = self.rnd.choices(allowed or options, weights)[0]
        return dict(answers), needs

    def open_case(self, key: str, fate: str, *, customer: Customer | None = None, answers: dict | None = None,
                  needs: set[str] | None = None, opened_at: datetime.datetime | None = None, source: str | None = None,
                  opener: Any = None, org_unit: OrgUnit | None = None) -> tuple[Case, _Case]:
        opened_at = opened_at or self.opening_time(key, fate)
        if answers is None:
            answers, needs = self.branch(key, fate, opened_at)
        needs = needs or set()
        if customer is None and key not in NO_CUSTOMER:
            customer = self.rnd.choice(self.potential) if key == "qualification_review" else self.pick_customer(needs, key)
        if key == "business_plan" and org_unit is None:
            city = self.rnd.choice(["NJ", "NJ", "SZ", "WX", "XZ", "CZ", "NT"])
            org_unit = OrgUnit.objects.get(code=f"{city}-DKH")
            opener = opener or self.director_of(org_unit)
        contract = self.pick_contract(customer) if "contract" in needs else None
        new_level = self.pick_level(customer) if key == "level_change" else None
        case = _Case(key, customer, answers, contract, new_level, self.theme(key, customer, org_unit))
        case.opened_at = opened_at
        data = self.values(case, self.start_forms[key], opened_at)
        if source is None:
            weighted = SOURCES.get(key, [(CaseSource.MANAGER, 2), (CaseSource.CENTER, 1)])
            source = self.rnd.choices([s for s, _w in weighted], [w for _s, w in weighted])[0]
        if opener is None:
            if customer is None:
                opener = self.login("js_channel") if key == "agent_qualification" else self.login("js_director")
            elif source in HOTLINES or customer.status != CustomerStatus.CURRENT:
                opener = self.director_of(customer.org_unit)
            else:
                opener = self.user(customer.account_manager)
        opened = services.case_open(
            actor=opener, process=key, title=self.title(case, data), data=data, customer=customer, source=source,
            org_unit=org_unit, now=opened_at,
        )
        self.counts["cases"] += 1
        return opened, case

    def step_action(self, process: str, step: str) -> str:
        for key in (process, *CALLS.get(process, ()), *(k for c in CALLS.get(process, ()) for k in CALLS.get(c, ()))):
            if (key, step) in self.actions:
                return self.actions[(key, step)]
        return ""

    def run(self, opened: Case, case: _Case, *, steps: int | None = None) -> Case:
        """Complete up to ``steps`` steps (all if None) as long as their time has come."""
        done = 0
        while steps is None or done < steps:
            item = (
                WorkItem.objects.filter(case=opened, status=ItemStatus.OPEN)
                .select_related("assignee", "org_unit").order_by("pk").first()
            )
            if item is None:
                break
            action = self.step_action(opened.process_key, item.step)
            late = self.rnd.random() < LATE_SHARE
            at = self.done_at(item, late)
            if at > self.now:
                break
            spawns = action == "spawn_case" or (action == "classify_case" and case.answers.get("category") != "other")
            if spawns:
                at = self.now  # the follow-up case opens now: so is this step done
            if action == "credit_regrade":
                if self.regrades >= REGRADE_BUDGET:
                    break
                self.regrades += 1
            values = self.values(case, item.form, at)
            opened = services.workitem_complete(actor=self.actor_for(item), item=item, values=values, now=at)
            done += 1
            self.counts["steps"] += 1
            self.counts["late"] += int(at > item.deadline)
        return opened

    # --- The whole demo ------------------------------------------------------------------------

    def fates(self, count: int) -> list[str]:
        names = list(FATES)
        chosen = ["done", "running", "fresh"][:count]
        chosen += self.rnd.choices(names, [FATES[n][0] for n in names], k=max(0, count - len(chosen)))
        self.rnd.shuffle(chosen)
        return chosen

    def build(self) -> int:
        factor = self.ctx.factor
        for key, count in CASES.items():
            for fate in self.fates(count * factor):
                self.one(key, fate)
        self.bank_fault_at_night()
        self.leaving_customer()
        self.sweep()
        return self.counts["cases"]

    def sweep(self) -> None:
        """The SLA sweep as it ran every five minutes while the cases were open: warnings and
        escalations are dated when they happened."""
        tick = datetime.timedelta(minutes=SWEEP_MINUTES)
        while True:
            due = WorkItem.objects.filter(next_alert_at__lte=self.now).order_by("next_alert_at").values_list(
                "next_alert_at", flat=True).first()
            if due is None:
                break
            at = datetime.datetime.fromtimestamp(-(-due.timestamp() // tick.total_seconds()) * tick.total_seconds(), tz=datetime.UTC)
            sla_sweep(now=min(at, self.now))
        sla_sweep(now=timezone.now())

    def one(self, key: str, fate: str) -> Case:
        opened, case = self.open_case(key, fate)
        if fate == "fresh":
            return opened
        if fate == "running":
            opened = self.run(opened, case, steps=None if self.rnd.random() < 0.5 else self.rnd.randint(1, 4))
        elif fate in ("stuck", "cancelled"):
            opened = self.run(opened, case, steps=self.rnd.randint(0, 2))
        else:
            opened = self.run(opened, case)
        if fate == "cancelled" and opened.status == "open":
            reasons = ["客户撤回申请", "重复受理，已合并至另一工单", "客户需求变更，重新受理", "经核实非本中心受理范围"]
            services.case_cancel(actor=self.director_of(opened.org_unit), case=opened, reason=self.rnd.choice(reasons))
            self.counts["cancelled"] += 1
        return opened

    def bank_fault_at_night(self) -> Case:
        """The issue's story: at 02:10 a Nanjing bank reports a level-1 fault through 1001; the
        first step is due at 02:40 and nobody has taken it."""
        local = timezone.localtime(self.now)
        reported = local.replace(hour=2, minute=10, second=0, microsecond=0)
        if reported > local - datetime.timedelta(hours=1):
            reported -= datetime.timedelta(days=1)
        nanjing = [c for g in ("nj_manager1", "nj_manager2", "city:NJ") for c in self.groups.get(g, [])]
        banks = [c for c in nanjing if "银行" in c.name] or [c for c in nanjing if c.customer_type == "group"] or nanjing
        bank = banks[0]
        theme = ("总行数据中心至城东灾备中心的两条MSTP专线同时中断，网银与柜面业务受影响，部分ATM无法联网",
                 "新街口汇聚机房", "MSTP专线×2、网上银行、ATM")
        data = {"fault_description": f"客户值班经理来电（1001转）：{theme[0]}。", "occurred_at": _local(reported - datetime.timedelta(minutes=6)),
                "affected_services": theme[2]}
        case = services.case_open(
            actor=self.login("nj_director"), process="fault_level1", title="一级故障：银行数据中心专线中断", data=data,
            customer=bank, source=CaseSource.HOTLINE_1001, now=reported,
        )
        self.counts["cases"] += 1
        return case

    def leaving_customer(self) -> Case | None:
        """One customer leaves the network (注销, off_network's last branch): someone outside
        the demo logins' books, whose accounts are all in use."""
        closed_accounts = PayingAccount.objects.filter(customer=OuterRef("pk")).exclude(status=AccountStatus.ACTIVE)
        candidates = [
            c for code in self.other_cities for c in self.groups.get(f"city:{code}", [])
            if c.pk not in self.used_customers and c.pk not in self.checked
        ]
        free = set(Customer.objects.filter(pk__in=[c.pk for c in candidates]).filter(~Exists(closed_accounts)).values_list("pk", flat=True))
        candidates = [c for c in candidates if c.pk in free and c.customer_type == "group"]
        if not candidates:
            return None
        customer = self.rnd.choice(candidates)
        opened_at = self.opening_time("off_network", "stuck")
        opened, case = self.open_case("off_network", "done", customer=customer, answers={"retained": False}, needs={"cancel"},
                                      opened_at=opened_at)
        return self.run(opened, case)


def build_service_cases(ctx: DemoContext) -> int:
    return ServiceDemo(ctx).build()
