"""Organisation enums: unit kinds, data scopes and the built-in roles of ORG-02."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")

    @classmethod
    def geographic(cls) -> tuple[str, ...]:
        return (cls.HQ, cls.PROVINCE, cls.CITY, cls.DISTRICT)


# Which kinds may sit under which: a tree an operator would recognise.
ALLOWED_CHILDREN: dict[str, tuple[str, ...]] = {
    UnitKind.HQ: (UnitKind.PROVINCE, UnitKind.DEPARTMENT),
    UnitKind.PROVINCE: (UnitKind.CITY, UnitKind.DEPARTMENT),
    UnitKind.CITY: (UnitKind.DISTRICT, UnitKind.DEPARTMENT),
    UnitKind.DISTRICT: (UnitKind.DEPARTMENT, UnitKind.TEAM),
    UnitKind.DEPARTMENT: (UnitKind.DEPARTMENT, UnitKind.TEAM),
    UnitKind.TEAM: (),
}


class DataScope(models.TextChoices):
    """How far a role sees (ORG-03). A person with several roles gets the widest."""

    OWN = "own", _("Own records")
    UNIT = "unit", _("Own unit and below")
    PROVINCE = "province", _("Whole province")
    ALL = "all", _("Everything")

    @classmethod
    def rank(cls, value: str) -> int:
        return [cls.OWN, cls.UNIT, cls.PROVINCE, cls.ALL].index(value)


class RoleCode(models.TextChoices):
    """The built-in roles (ORG-02); administrators may add more."""

    ACCOUNT_MANAGER = "account_manager", _("Account manager")  # 客户经理
    CUSTOMER_REP = "customer_rep", _("Customer representative")  # 客户代表
    BUSINESS_MANAGER = "business_manager", _("Business manager")  # 业务经理
    DIRECTOR = "director", _("Department director")  # 总监
    PROVINCE_DIRECTOR = "province_director", _("Province department director")  # 省公司部门总监
    COMPANY_LEADER = "company_leader", _("Company leader")  # 公司领导
    FINANCE = "finance", _("Finance")  # 财务
    TECHNICIAN = "technician", _("Technician")  # 技术支撑
    MAINTENANCE = "maintenance", _("Maintenance")  # 维护
    CLUB_STAFF = "club_staff", _("Club staff")  # 俱乐部
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")  # 渠道经理
    AGENT_OPERATOR = "agent_operator", _("Agent operator")  # 代理商操作员
    SYSADMIN = "sysadmin", _("System administrator")  # 系统管理员
