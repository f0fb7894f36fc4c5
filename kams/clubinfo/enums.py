"""Choices of the club's service information, activities, evaluation and announcements."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    """服务内容: what the club offers its members beyond points."""

    LOUNGE = "lounge", _("Airport VIP lounge")  # 机场贵宾厅
    GREEN_CHANNEL = "green_channel", _("Green channel at the counter")  # 营业厅绿色通道
    BIRTHDAY = "birthday", _("Birthday care")  # 生日关怀
    HEALTH = "health", _("Health check")  # 健康体检
    TRAVEL = "travel", _("Travel and rail service")  # 商旅服务
    MANAGER = "manager", _("Dedicated account manager")  # 专属客户经理
    REPAIR = "repair", _("Priority repair")  # 优先维修
    OTHER = "other", _("Other")


class CareOccasion(models.TextChoices):
    """会员人情服务: the occasion of the care given."""

    BIRTHDAY = "birthday", _("Birthday")  # 生日
    FESTIVAL = "festival", _("Festival")  # 节日
    HOSPITAL = "hospital", _("Hospital visit")  # 住院探望
    WEDDING = "wedding", _("Wedding")  # 婚庆
    CONDOLENCE = "condolence", _("Condolence")  # 吊唁
    ANNIVERSARY = "anniversary", _("Membership anniversary")  # 入会周年
    OTHER = "other", _("Other")


class ActivityKind(models.TextChoices):
    """俱乐部会员活动的种类."""

    SALON = "salon", _("Salon or lecture")  # 沙龙讲座
    SPORTS = "sports", _("Sports")  # 高尔夫、羽毛球
    TRAVEL = "travel", _("Trip")  # 旅游
    FAMILY = "family", _("Family day")  # 亲子
    FESTIVAL = "festival", _("Festival party")  # 节日联谊
    HEALTH = "health", _("Health")  # 健康
    OTHER = "other", _("Other")


class ActivityState(models.TextChoices):
    """planned → open (registration) → closed; planned or open → cancelled."""

    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Finished")
    CANCELLED = "cancelled", _("Activity cancelled")


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    CANCELLED = "cancelled", _("Registration cancelled")


class RegistrationChannel(models.TextChoices):
    STAFF = "staff", _("Staff")
    PORTAL = "portal", _("Member portal")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class IndicatorSource(models.TextChoices):
    """Where an indicator's value comes from: entered by hand or computed from the data."""

    MANUAL = "manual", _("Entered by hand")
    PARTICIPATION = "participation_rate", _("Activity participation rate (%)")
    FEEDBACK = "feedback_score", _("Average activity feedback score")
    CONSULTATION = "consultation_satisfaction", _("Consultation satisfaction (%)")
    REDEMPTIONS = "redemptions_per_100", _("Redemptions per 100 members")
    CARE = "care_per_100", _("Personal-care services per 100 members")


class Audience(models.TextChoices):
    """会员服务公告 (members, on the portal) or 内部信息发布 (staff)."""

    MEMBERS = "members", _("Members")
    STAFF = "staff", _("Staff (internal)")
