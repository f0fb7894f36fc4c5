"""Visits, customer care and service support of the demo province (SVC-01, SVC-07 … SVC-11,
SVC-14), made through the real services of ``kams.care`` and ``kams.support`` after the
service cases exist:

* care — a gift catalogue with stock in a few cities (received, transferred), the care rules
  (contact birthdays, 春节, 元旦, contract and customer anniversaries), today's run of the
  proposal job, proposals accepted (gifts issued) and dismissed, earlier care with the
  customers' scores, visit plans approved (they open visit cases) and one still a draft;
* support — solution templates (one revised) and technical solutions made from them for
  green-channel cases, project records, three months of quality assessments, consultations,
  private lines of class A/B/C with faults linked (one breaching its class SLA, and the night's
  level-1 fault of the bank still running), a cut-over notice sent to the customers it
  touches, and an emergency of last month closed with every step done.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kams.care import services as care
from kams.care.enums import CareKind, ProposalState, RuleKind, VisitMethod
from kams.care.models import CareProposal, VisitPlan
from kams.care.selectors import plan_candidates
from kams.customers.enums import CustomerStatus, CustomerType
from kams.customers.models import Customer, Industry, Level
from kams.org.enums import RoleCode
from kams.org.models import OrgUnit, Staff
from kams.service.enums import CaseStatus, ItemStatus
from kams.service.models import Case, WorkItem
from kams.support import services as support
from kams.support.enums import (
    AnswerSatisfaction,
    CheckKind,
    CheckResult,
    ConsultationChannel,
    ConsultationTopic,
    Feasibility,
    LineType,
    NoticeKind,
    ResourceKind,
    SubjectKind,
)
from kams.support.models import CustomerLine, QualityIndicator, ServiceClass
from kams.support.reference_data import ensure_reference_data_now as ensure_support_reference_data
from kams.system.parameters import param

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

# 春节 (the lunar new year) by year: its date moves.
SPRING_FESTIVAL = {
    2025: datetime.date(2025, 1, 29), 2026: datetime.date(2026, 2, 17), 2027: datetime.date(2027, 2, 6),
    2028: datetime.date(2028, 1, 26), 2029: datetime.date(2029, 2, 13), 2030: datetime.date(2030, 2, 3),
    2031: datetime.date(2031, 1, 23), 2032: datetime.date(2032, 2, 11),
}
GIFTS = [
    # code, name, unit, reference cost, note
    ("cake", "生日蛋糕", "个", "168", "联系人生日关怀"),
    ("tea", "新春茶礼盒", "盒", "298", "春节慰问"),
    ("fruit", "精品果篮", "个", "128", "上门慰问"),
    ("flowers", "鲜花花束", "束", "199", "开业、乔迁祝贺"),
    ("pen", "定制签字笔", "支", "45", "签约纪念"),
]
CONSULTATIONS = [
    (ConsultationTopic.TARIFF, "集团V网新增成员的资费标准是多少？", "按集团V网优惠资费，成员间通话免费，月功能费5元。"),
    (ConsultationTopic.BUSINESS, "互联网专线从100M升级到300M需要多久？", "资源具备时约5个工作日，需签订变更协议。"),
    (ConsultationTopic.BILLING, "本月账单比上月多了800元，是什么原因？", "经查为新增10个成员号码的月租，已发送费用明细。"),
    (ConsultationTopic.NETWORK, "新办公楼地下一层手机没有信号怎么办？", "已登记室分建设需求，网络部将于两周内勘查。"),
    (ConsultationTopic.CLUB, "俱乐部积分可以兑换哪些礼品？有效期多长？", "积分可兑换话费与礼品，有效期至次年年底。"),
    (ConsultationTopic.BILLING, "专线发票抬头变更需要提供哪些材料？", "提供加盖公章的变更申请与新营业执照复印件即可。"),
    (ConsultationTopic.BUSINESS, "企业云盘支持多少人同时使用？", "标准版支持200人，可按需扩容。"),
    (ConsultationTopic.OTHER, "客户经理联系电话变更后如何查询？", "可拨打10018或登录俱乐部网站查询。"),
]
TEMPLATES = [
    ("FA-JR-01", "金融行业双路由专线方案", ["finance"],
     "总行与分支机构采用MSTP/OTN双路由接入，主备链路自动倒换；数据中心互联10G波道；7×24小时驻点响应，"
     "A类服务等级（可用率99.99%，故障4小时修复）。",
     "光纤收发器、PTN接入设备各两台；客户侧配置双电源。", "新建引入光缆两条，不同管道路由；机房间距不少于200米。"),
    ("FA-ZW-01", "政务外网与视频会议方案", ["education", "health"],
     "政务外网专线接入，县区单位统一汇聚；云视频会议平台按会场数计费；重要会议提供现场保障。",
     "视频终端按会场配置，MCU由平台提供。", "利用现网PON资源，新建楼宇引入光缆。"),
    ("FA-ZZ-01", "制造业园区WLAN与物联网方案", ["machinery", "automotive", "textile", "chemical"],
     "园区AC+AP无线覆盖，办公与生产网络隔离；物联网卡用于设备监控与车辆定位；互联网专线统一出口。",
     "吸顶AP约每300平方米一个，工业级AP用于车间。", "POE交换机供电，桥架布线，夜间施工。"),
]


def _day_at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Demo:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.rnd = ctx, ctx.random
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.users: dict[int, Any] = {}
        self.count = 0

    def user(self, staff: Staff) -> Any:
        if staff.user_id not in self.users:
            self.users[staff.user_id] = get_user_model().objects.select_related("staff").get(pk=staff.user_id)
        return self.users[staff.user_id]

    def login(self, username: str) -> Any:
        return self.user(Staff.objects.get(user__username=username))

    def holder(self, role: str, unit_code: str) -> Staff:
        """A holder of ``role`` in the unit (a demo login when one is there)."""
        people = Staff.objects.filter(roles__code=role, org_unit__code=unit_code, is_active=True).select_related("user")
        return sorted(people, key=lambda s: ("_" not in s.user.username, s.employee_no))[0]  # demo logins have a "_"

    def director(self, city: str) -> Any:
        return self.user(self.holder(RoleCode.DIRECTOR, f"{city}-DKH"))

    def unit(self, code: str) -> OrgUnit:
        return OrgUnit.objects.get(code=code)

    def book(self, username: str, **filters: Any) -> list[Customer]:
        return list(
            Customer.objects.filter(account_manager__user__username=username, status=CustomerStatus.CURRENT, **filters)
            .select_related("org_unit", "account_manager").order_by("pk")
        )


# --- Care --------------------------------------------------------------------------------------------


class CareDemo(_Demo):
    def build(self) -> int:
        self.gifts()
        self.rules()
        result = care.care_proposals_generate(today=self.today)
        self.count += result["proposals"]
        self.decide_proposals()
        self.earlier_care()
        self.visit_plans()
        return self.count

    def gifts(self) -> None:
        js = self.login("js_director")
        self.catalogue = {
            code: care.gift_save(actor=js, code=code, name=name, unit_label=unit, reference_cost=Decimal(cost), note=note)
            for code, name, unit, cost, note in GIFTS
        }
        g = self.catalogue
        f = self.ctx.factor
        nj, sz = self.director("NJ"), self.director("SZ")
        for actor, unit, code, quantity, cost in (
            (nj, "NJ", "cake", 40, "150"), (nj, "NJ", "tea", 60, "280"), (nj, "NJ", "fruit", 30, "118"),
            (nj, "NJ", "flowers", 12, "189"), (sz, "SZ", "cake", 30, "155"), (sz, "SZ", "tea", 40, "285"),
            (sz, "SZ", "fruit", 20, "120"), (sz, "SZ", "flowers", 10, "195"), (js, "JS", "tea", 200, "275"), (js, "JS", "pen", 500, "38"),
        ):
            care.stock_in(actor=actor, gift=g[code], org_unit=self.unit(unit), quantity=quantity * f, unit_cost=Decimal(cost),
                          note=f"{self.today.year}年度礼品采购入库")
            self.count += 1
        for city, quantity in (("WX", 30), ("XZ", 20), ("CZ", 20)):
            care.stock_transfer(actor=js, gift=g["tea"], from_unit=self.unit("JS"), to_unit=self.unit(city), quantity=quantity,
                                note="省公司统一采购，调拨地市")
            self.count += 1

    def rules(self) -> None:
        js = self.login("js_director")
        top_group = Level.objects.filter(category__code="group").order_by("rank").first()
        festival = next(d for year, d in sorted(SPRING_FESTIVAL.items()) if d >= self.today)
        g = self.catalogue
        for values in (
            dict(name="联系人生日送蛋糕", kind=RuleKind.BIRTHDAY, days_ahead=7, action_text="生日当天送蛋糕与贺卡，客户经理电话祝福",
                 gift=g["cake"], gift_quantity=1),
            dict(name="春节慰问", kind=RuleKind.FESTIVAL, festival_date=festival, days_ahead=30, min_level=top_group,
                 customer_type=CustomerType.GROUP, action_text="春节前上门拜年，赠送新春茶礼", gift=g["tea"], gift_quantity=2),
            dict(name="元旦贺卡", kind=RuleKind.FESTIVAL, festival_month=1, festival_day=1, days_ahead=45, min_level=top_group,
                 customer_type=CustomerType.GROUP, action_text="寄送元旦贺卡与企业台历"),
            dict(name="合同签订周年", kind=RuleKind.CONTRACT_ANNIVERSARY, days_ahead=7,
                 action_text="发送合同周年感谢短信，了解续约意向"),
            dict(name="入网周年感谢", kind=RuleKind.CUSTOMER_ANNIVERSARY, days_ahead=3, customer_type=CustomerType.HIGH_END,
                 action_text="入网周年感谢短信，赠送俱乐部积分"),
        ):
            care.care_rule_save(actor=js, **values)
            self.count += 1

    def decide_proposals(self) -> None:
        """The demo managers take up some of today's proposals (gifts issued from their city's
        stock) and let one go; the customers score the care given."""
        accepted = dismissed = 0
        demo = ("nj_manager1", "nj_manager2", "sz_manager1")
        cities = [self.unit("NJ").path, self.unit("SZ").path]  # where the gifts are in stock
        proposals = [
            p for p in CareProposal.objects.filter(state=ProposalState.PROPOSED, manager__isnull=False)
            .select_related("manager__user", "gift", "customer", "org_unit").order_by("occasion_on", "pk")
            if any(p.org_unit.path.startswith(c) for c in cities)
        ]
        proposals.sort(key=lambda p: p.manager.user.username not in demo)
        for proposal in proposals:
            actor = self.user(proposal.manager)
            if dismissed == 0 and proposal.gift is None:
                care.care_proposal_dismiss(actor=actor, proposal=proposal, reason="客户近期出国，改为微信问候")
                dismissed += 1
                continue
            if accepted >= 4 * self.ctx.factor:
                continue
            action = care.care_proposal_accept(actor=actor, proposal=proposal)
            if accepted % 2 == 0:
                care.care_survey_record(actor=actor, action=action, score=self.rnd.choice([4, 5, 5]), comment="客户表示感谢")
            accepted += 1
        self.count += accepted + dismissed

    def earlier_care(self) -> None:
        """Care given over the last two months, most of it scored by the customer afterwards."""
        contents = {
            CareKind.VISIT: ["上门慰问并了解年度通信需求", "带果篮看望客户负责人，沟通专线续约"],
            CareKind.GREETING: ["中秋节短信与电话问候", "国庆节日问候"],
            CareKind.GIFT: ["客户新厂区开业，赠送鲜花祝贺", "客户负责人生日，送蛋糕"],
            CareKind.OTHER: ["邀请参加俱乐部客户答谢会"],
        }
        gifts = {CareKind.VISIT: ("fruit", 1), CareKind.GIFT: ("flowers", 1)}
        for username in ("nj_manager1", "nj_manager2", "sz_manager1"):
            actor = self.login(username)
            customers = self.book(username)
            for _n in range(5 * self.ctx.factor):
                customer = self.rnd.choice(customers)
                kind = self.rnd.choice(list(contents))
                gift, quantity = gifts.get(kind, (None, 0))
                action = care.care_action_record(
                    actor=actor, customer=customer, kind=kind, content=self.rnd.choice(contents[kind]),
                    happened_on=self.today - datetime.timedelta(days=self.rnd.randint(3, 60)),
                    gift=self.catalogue[gift] if gift else None, gift_quantity=quantity,
                )
                if self.rnd.random() < 0.7:
                    care.care_survey_record(actor=actor, action=action, score=self.rnd.choice([3, 4, 4, 5, 5]),
                                            comment=self.rnd.choice(["服务周到", "很贴心", "", "希望多些实际优惠"]))
                self.count += 1

    def visit_plans(self) -> None:
        """A manager's own plan and a district plan, approved (each opens its visit cases), and
        a draft waiting for approval; a few visits already have their first step done."""
        limit = param("care.plan_inline_limit")
        nj_manager = self.login("nj_manager1")
        group_levels = list(Level.objects.filter(category__code="group").order_by("-rank"))
        plan = care.visit_plan_save(
            actor=nj_manager, name="张晓燕 年末集团客户走访", purpose="了解集团客户年度业务使用情况与明年通信需求，介绍新业务",
            method=VisitMethod.ON_SITE, due_on=self.today + datetime.timedelta(days=14), customer_type=CustomerType.GROUP,
            days_since_visit=90,
        )
        self._approve(plan, nj_manager, self.director("NJ"), group_levels, limit)
        sz = self.director("SZ")
        plan = care.visit_plan_save(
            actor=sz, name="工业园区高端客户电话回访", purpose="回访高端客户对网络与服务的满意度", method=VisitMethod.PHONE,
            due_on=self.today + datetime.timedelta(days=7), region=self.unit("SZ-D02"), customer_type=CustomerType.HIGH_END,
            days_since_visit=60,
        )
        self._approve(plan, sz, sz, list(Level.objects.filter(category__code="individual").order_by("-rank")), limit)
        care.visit_plan_save(
            actor=self.director("WX"), name="无锡A类集团客户年终走访", purpose="年终走访A、B类集团客户，沟通明年合作",
            method=VisitMethod.ON_SITE, due_on=self.today + datetime.timedelta(days=21), customer_type=CustomerType.GROUP,
            min_level=group_levels[-2] if len(group_levels) > 1 else None,
        )
        self.count += 1
        items = WorkItem.objects.filter(case__care_visit__plan__owner__user__username="nj_manager1", status=ItemStatus.OPEN)
        for item in items.order_by("pk")[:3]:
            care.visit_result_quick(actor=nj_manager, item=item, note="已电话预约，下周上门拜访")

    def _approve(self, plan: VisitPlan, maker: Any, approver: Any, levels: list[Level], limit: int) -> None:
        """Narrow the plan to its better customers until it opens its visits at once."""
        for level in levels:
            if plan_candidates(plan, maker).count() <= limit:
                break
            plan = care.visit_plan_save(actor=maker, plan=plan, min_level=level)
        plan = care.visit_plan_approve(actor=approver, plan=plan)
        self.count += plan.customer_count


def build_care(ctx: DemoContext) -> int:
    return CareDemo(ctx).build()


# --- Support -------------------------------------------------------------------------------------------


class SupportDemo(_Demo):
    def build(self) -> int:
        ensure_support_reference_data()  # service classes and indicators (gone after a flush)
        self.templates()
        self.solutions()
        self.quality()
        self.consultations()
        self.lines()
        self.notices()
        return self.count

    def templates(self) -> None:
        js = self.login("js_director")
        industries = {i.code: i for i in Industry.objects.all()}
        self.template = {}
        for number, name, codes, content, equipment, engineering in TEMPLATES:
            self.template[number] = support.template_create(
                actor=js, number=number, name=name, valid_from=self.today - datetime.timedelta(days=300),
                customer_types=[CustomerType.GROUP], content=content, equipment_notes=equipment, engineering_notes=engineering,
                industries=[industries[c] for c in codes if c in industries],
            )
            self.count += 1
        self.template["FA-JR-01"] = support.template_revise(
            actor=js, template=self.template["FA-JR-01"], change_note="增加SD-WAN备份链路选项",
            content=TEMPLATES[0][3] + "可选SD-WAN作为第三备份链路。",
        )

    def solutions(self) -> None:
        """技术方案 for two green-channel cases: one surveyed, analysed, concluded and archived,
        with the resources recorded after acceptance; one still being drafted."""
        cases = list(
            Case.objects.filter(channel="green", customer__customer_type=CustomerType.GROUP,
                                customer__status=CustomerStatus.CURRENT, customer__account_manager__isnull=False)
            .select_related("customer__org_unit", "customer__account_manager").order_by("-process_key", "opened_at")
        )  # visit_acceptance first: that is where a solution is made
        preferred = [c for c in cases if c.customer.account_manager.user.username in ("nj_manager1", "sz_manager1")]
        for index, case in enumerate((preferred + [c for c in cases if c not in preferred])[:2 * self.ctx.factor]):
            customer = case.customer
            manager = self.user(customer.account_manager)
            city = customer.org_unit.code.split("-")[0]
            template = self.template["FA-JR-01" if customer.industry_id and customer.industry.code == "finance" else "FA-ZZ-01"]
            solution = support.solution_create(actor=manager, customer=customer, template=template, case=case)
            technician = self.user(self.holder(RoleCode.TECHNICIAN, f"{city}-WH"))
            support.solution_survey(actor=technician, solution=solution, resources_available=True,
                                    survey_result="现场勘查：距最近接入机房约800米，管道资源充足，需新建引入光缆两条。")
            self.count += 1
            if index % 2:
                continue
            finance = self.user(self.holder(RoleCode.FINANCE, f"{city}-DKH"))
            support.solution_analyse(actor=finance, solution=solution, investment=Decimal("186000"),
                                     expected_monthly_revenue=Decimal("23500"), monthly_cost=Decimal("4200"))
            support.solution_conclude(actor=manager, solution=solution, feasibility=Feasibility.FEASIBLE,
                                      conclusion="投资回收期约10个月，资源具备，项目可行，建议签署合作意向书。")
            support.solution_archive(actor=self.director(city), solution=solution, category="专线接入")
            for kind, name, spec, quantity, location in (
                (ResourceKind.NETWORK, "MSTP专线（双路由）", "主用100M／备用50M", 2, "客户总部机房—汇聚机房"),
                (ResourceKind.EQUIPMENT, "PTN接入设备", "华为OptiX PTN 910", 2, "客户总部机房"),
                (ResourceKind.SERVICE, "集团V网", "成员约180户", 1, ""),
            ):
                support.record_add(actor=manager, customer=customer, case=case, solution=solution, kind=kind, name=name,
                                   specification=spec, quantity=quantity, location=location,
                                   accepted_on=self.today - datetime.timedelta(days=5))
                self.count += 1

    def quality(self) -> None:
        """Three months of 服务质量考核 of the Nanjing and Suzhou account managers and
        representatives by their directors, and of an agent by the province."""
        months = []
        first = self.today.replace(day=1)
        for _n in range(3):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
            months.append(first)
        codes = {kind: [i.code for i in support.indicators_for(kind)] for kind in (SubjectKind.ACCOUNT_MANAGER, SubjectKind.CUSTOMER_REP, SubjectKind.AGENT)}
        if not QualityIndicator.objects.exists():
            return
        for city in ("NJ", "SZ"):
            director = self.director(city)
            city_path = self.unit(city).path
            for role, kind in ((RoleCode.ACCOUNT_MANAGER, SubjectKind.ACCOUNT_MANAGER), (RoleCode.CUSTOMER_REP, SubjectKind.CUSTOMER_REP)):
                people = Staff.objects.filter(roles__code=role, org_unit__path__startswith=city_path, is_active=True).order_by("employee_no")
                for person in people:
                    skill = self.rnd.uniform(72, 95)
                    for period in months:
                        scores = {code: round(min(100, max(50, skill + self.rnd.uniform(-8, 6)))) for code in codes[kind]}
                        support.assessment_record(actor=director, subject_kind=kind, period=period, scores=scores, staff=person,
                                                  comment=self.rnd.choice(["", "", "走访完成率偏低", "客户评价良好"]))
                        self.count += 1
        js = self.login("js_director")
        for period in months:
            scores = {code: self.rnd.randint(70, 92) for code in codes[SubjectKind.AGENT]}
            support.assessment_record(actor=js, subject_kind=SubjectKind.AGENT, period=period, scores=scores,
                                      subject_name="南京汇通通信器材有限公司", org_unit=self.unit("JS-QD"))
            self.count += 1

    def consultations(self) -> None:
        """咨询记录 of the last month: most answered at once and rated, some answered later."""
        channels = [c for c in ConsultationChannel.values]
        waiting = []
        for n in range(28 * self.ctx.factor):
            topic, question, answer = self.rnd.choice(CONSULTATIONS)
            asked = self.now - datetime.timedelta(days=self.rnd.randint(0, 30), hours=self.rnd.randint(0, 8), minutes=self.rnd.randint(0, 59))
            username = self.rnd.choice(["nj_manager1", "nj_manager1", "nj_manager2", "sz_manager1"])
            if n % 5 == 4:  # a caller who is no customer (yet): the representative records it
                city = "NJ" if username.startswith("nj") else "SZ"
                actor = self.user(self.holder(RoleCode.CUSTOMER_REP, f"{city}-DKH"))
                customer, caller = None, self.ctx.faker.name()
            else:
                actor = self.login(username)
                customer = self.rnd.choice(self.book(username))
                caller = customer.name if customer.customer_type != CustomerType.GROUP else self.ctx.faker.name()
            answered = self.rnd.random() < 0.85
            consultation = support.consultation_record(
                actor=actor, channel=self.rnd.choice(channels), topic=topic, content=question, customer=customer, asked_at=asked,
                caller_name=caller, caller_phone=f"1{self.rnd.choice('3589')}{self.rnd.randint(0, 999999999):09d}",
                answer=answer if answered else "",
                answer_satisfaction=self.rnd.choice([AnswerSatisfaction.VERY_SATISFIED, AnswerSatisfaction.SATISFIED,
                                                     AnswerSatisfaction.SATISFIED, AnswerSatisfaction.NEUTRAL,
                                                     AnswerSatisfaction.DISSATISFIED]) if answered else "",
            )
            if not answered:
                waiting.append((actor, consultation, answer))
            self.count += 1
        for actor, consultation, answer in waiting[: len(waiting) // 2]:
            support.consultation_answer(actor=actor, consultation=consultation, answer=answer,
                                        answer_satisfaction=AnswerSatisfaction.SATISFIED)

    def _line(self, customer: Customer, code: str, element: str, *, opened: datetime.datetime | None = None) -> CustomerLine:
        city = customer.org_unit.code.split("-")[0]
        director = self.director(city)
        self.line_seq = getattr(self, "line_seq", 0) + 1
        service_class = ServiceClass.objects.get(line_type=LineType.PRIVATE_LINE, code=code)
        line = support.line_add(
            actor=director, customer=customer, line_no=f"{city}-ZX-{self.today:%Y}-{self.line_seq:04d}", line_type=LineType.PRIVATE_LINE,
            service_class=service_class, bandwidth_mbps=self.rnd.choice([50, 100, 200, 500]),
            a_end=customer.address or customer.name, z_end=f"{customer.org_unit.name}汇聚机房", network_element=element,
            ordered_on=self.today - datetime.timedelta(days=400),
        )
        maintenance = self.user(self.holder(RoleCode.MAINTENANCE, f"{city}-WH"))
        tested = opened or self.now - datetime.timedelta(days=self.rnd.randint(100, 300))
        support.line_check_record(actor=maintenance, line=line, kind=CheckKind.ACTIVATION_TEST, result=CheckResult.PASSED,
                                  at=tested - datetime.timedelta(days=60), availability_pct=Decimal("100"),
                                  latency_ms=Decimal("3.2"), packet_loss_pct=Decimal("0"), note="开通测试通过")
        support.line_check_record(actor=maintenance, line=line, kind=CheckKind.MONITORING, result=CheckResult.PASSED,
                                  at=self.now - datetime.timedelta(days=self.rnd.randint(1, 20)),
                                  availability_pct=Decimal(str(self.rnd.choice(["99.99", "99.95", "100"]))),
                                  latency_ms=Decimal("4.1"), packet_loss_pct=Decimal("0.01"), note="月度监控")
        self.count += 1
        return line

    def lines(self) -> None:
        """Private lines of class A/B/C; fault cases linked to them, measured against the class:
        one restored within its SLA, one that took longer than an A line allows, and the bank's
        fault of tonight, still open."""
        repair = {c.code: Decimal(c.repair_hours) for c in ServiceClass.objects.filter(line_type=LineType.PRIVATE_LINE)}
        faults = list(
            Case.objects.filter(process_key__in=support.fault_process_keys(), status=CaseStatus.CLOSED,
                                customer__customer_type=CustomerType.GROUP, customer__status=CustomerStatus.CURRENT)
            .select_related("customer__org_unit").order_by("opened_at")
        )
        breached = within = 0
        for case in faults:
            restored = case.data.get("restored_at")
            first = case.work_items.filter(status=ItemStatus.DONE).order_by("completed_at").values_list("completed_at", flat=True).first()
            if not restored or first is None:
                continue
            restored_at = parse_datetime(restored)
            if restored_at is None:
                continue
            if timezone.is_naive(restored_at):
                restored_at = timezone.make_aware(restored_at)
            if restored_at < case.opened_at:
                continue
            hours = Decimal((restored_at - case.opened_at).total_seconds()) / 3600
            if breached < 1 and hours > repair["A"]:
                code, breached = "A", breached + 1
            elif within < 2 and hours <= repair["B"]:
                code, within = "B", within + 1
            elif within < 3 and hours <= repair["C"]:
                code, within = "C", within + 1
            else:
                continue
            line = self._line(case.customer, code, f"{case.customer.org_unit.code}-MSTP-{self.rnd.randint(1, 9):02d}")
            support.line_fault_link(actor=self.director(case.customer.org_unit.code.split("-")[0]), line=line, case=case,
                                    responded_at=first, restored_at=restored_at, note=case.data.get("fault_cause", "")[:300])
            self.count += 1
            if breached and within >= 2:
                break
        story = (
            Case.objects.filter(process_key="fault_level1", source="1001", status=CaseStatus.OPEN, customer__isnull=False,
                                title__contains="银行")
            .select_related("customer__org_unit").order_by("-opened_at").first()
        )
        if story is not None:
            line = self._line(story.customer, "A", "NJ-XJK-MSTP-01")
            support.line_fault_link(actor=self.login("nj_director"), line=line, case=story, note="总行至灾备中心主用专线")
            self.count += 1
        # The demo manager's group customers on the OLT that is cut over next week.
        for customer in self.book("nj_manager1", customer_type=CustomerType.GROUP)[:3 * self.ctx.factor]:
            self._line(customer, self.rnd.choice("BC"), "NJ-XW-OLT-03")

    def notices(self) -> None:
        """A cut-over next week, its customers notified and two of them confirmed; last month's
        emergency closed with every step of its emergency process done; a draft in Suzhou."""
        nj = self.login("nj_director")
        maintenance = self.holder(RoleCode.MAINTENANCE, "NJ-WH")
        rep = self.holder(RoleCode.CUSTOMER_REP, "NJ-DKH")
        manager = Staff.objects.get(user__username="nj_manager1")
        day = self.today + datetime.timedelta(days=5)
        starts = _day_at(day, 0, 30)
        notice = support.notice_create(
            actor=nj, kind=NoticeKind.CUTOVER, title="玄武区OLT设备软件升级割接", network_element="NJ-XW-OLT-03",
            areas=[self.unit("NJ-D01")], starts_at=starts, ends_at=_day_at(day, 4, 30),
            impact="割接期间玄武区部分专线与宽带业务中断约30分钟，语音业务不受影响。",
            steps=[
                {"name": "割接前设备配置数据备份", "responsible": maintenance, "due_at": starts - datetime.timedelta(hours=6)},
                {"name": "割接实施与业务验证", "responsible": maintenance, "due_at": _day_at(day, 5)},
                {"name": "电话确认重点客户已知悉", "responsible": rep, "due_at": starts - datetime.timedelta(days=1)},
                {"name": "割接后回访重点客户", "responsible": manager, "due_at": _day_at(day, 17)},
            ],
        )
        support.notice_send(actor=nj, notice=notice)
        for impact in notice.impacts.select_related("customer").order_by("pk")[:2]:
            support.impact_acknowledge(actor=nj, impact=impact, acknowledged_by=self.ctx.faker.name(), note="客户已知悉，割接时段无重要业务")
        self.count += 1

        day = self.today - datetime.timedelta(days=24)
        emergency = support.notice_create(
            actor=nj, kind=NoticeKind.EMERGENCY, title="暴雨导致江宁区主干光缆中断", areas=[self.unit("NJ-D05")],
            starts_at=_day_at(day, 14, 20), ends_at=_day_at(day, 21, 0),
            impact="江宁区部分集团客户专线中断，已启动应急预案，抢修队伍已出发。",
            steps=[
                {"name": "启动应急预案，调度抢修队伍", "responsible": maintenance, "due_at": _day_at(day, 15)},
                {"name": "重要客户业务倒换至备用路由", "responsible": maintenance, "due_at": _day_at(day, 16)},
                {"name": "逐一电话通知受影响客户", "responsible": rep, "due_at": _day_at(day, 16)},
            ],
        )
        support.notice_send(actor=nj, notice=emergency)
        for minutes, step in zip((25, 80, 70), emergency.steps.order_by("order")):
            responsible = self.user(step.responsible)
            support.step_done(actor=responsible, step=step, result="已完成", at=_day_at(day, 14, 20) + datetime.timedelta(minutes=minutes))
        support.notice_close(actor=nj, notice=emergency, summary="21:00光缆熔接完成，业务全部恢复；已回访受影响客户。")
        self.count += 1

        sz_maintenance = self.user(self.holder(RoleCode.MAINTENANCE, "SZ-WH"))
        day = self.today + datetime.timedelta(days=12)
        support.notice_create(
            actor=sz_maintenance, kind=NoticeKind.MAINTENANCE, title="工业园区传输环网扩容", network_element="SZ-YQ-PTN-02",
            areas=[self.unit("SZ-D02")], starts_at=_day_at(day, 1), ends_at=_day_at(day, 5), impact="扩容期间个别专线可能闪断。",
        )
        self.count += 1


def build_support(ctx: DemoContext) -> int:
    return SupportDemo(ctx).build()

