"""The built-in roles of ORG-02: code, Chinese name, data scope and a starting permission
set. Administrators change the sets on the roles page afterwards; later domains add their
permissions to these roles in their own data migrations.

``ensure_builtin_roles`` takes the model classes as arguments so that data migrations can
pass their historical models and running code the real ones. It grants the permissions that
exist when it runs and skips the others: a domain that adds permissions to this table adds a
data migration (depending on its own models' migration) that calls it again.
``test_builtin_roles_hold_every_listed_permission`` proves that, after all migrations, no
listed permission is missing.
"""

VIEW_ORG = ["org.view_orgunit", "org.view_staff", "org.view_role"]
MANAGE_STAFF = ["org.add_staff", "org.change_staff"]
SEE_LOG = ["audit.view_auditentry"]
SEE_SYSTEM = ["system.view_systemparameter", "system.view_jobrun"]
# Credit (CUS-08): readers see grades, the log and the standards; directors set grades by
# hand; the province group-customer department edits standards and runs the re-grading.
CREDIT_READ = ["credit.view_accountcredit", "credit.view_creditchange", "credit.view_creditstandard", "credit.view_initialgraderule", "credit.view_creditrun"]
CREDIT_ADMIN = ["credit.change_creditstandard", "credit.change_initialgraderule", "credit.add_creditrun"]
CUSTOMER_READ = [
    "customers.view_customer", "customers.view_payingaccount", "customers.view_contact", "customers.view_member",
    "customers.view_contract", "customers.view_contractattachment", "billing.view_billsummary",
    "customers.view_levelchange", "customers.view_levelevaluation",
    "customers.view_preference", "customers.view_carerecord", "customers.view_level",
    *CREDIT_READ,
]
BILLING_IMPORT = ["billing.view_billimport", "billing.add_billimport"]
CUSTOMER_WORK = [
    *CUSTOMER_READ, "customers.add_customer", "customers.change_customer",
    "customers.add_payingaccount", "customers.change_payingaccount",
    "customers.add_contact", "customers.change_contact", "customers.delete_contact",
    "customers.add_member", "customers.change_member", "customers.view_personal_data",
    "customers.add_contract", "customers.change_contract",
    "customers.add_preference", "customers.add_carerecord",
]
CUSTOMER_LEAD = [*CUSTOMER_WORK, "customers.cancel_customer", "customers.approve_contract", "customers.approve_preference", "notify.view_message", "credit.change_accountcredit"]
LEVEL_ADMIN = ["customers.add_levelevaluation", "customers.approve_levelchange"]
# Collection and merge (CUS-03, CUS-04, SVC-05): managers make first contacts, directors
# review candidates and duplicates, the province group-customer department runs it all and
# approves merges.
FIRST_CONTACT = ["collection.view_candidate", "collection.view_firstcontacttask", "collection.change_firstcontacttask"]
COLLECTION_READ = [
    "collection.view_admissionrule", "collection.view_candidate", "collection.view_firstcontacttask",
    "collection.view_duplicatepair", "collection.view_merge",
]
COLLECTION_REVIEW = [*FIRST_CONTACT, *COLLECTION_READ, "collection.review_candidate", "collection.change_duplicatepair"]
COLLECTION_ADMIN = [
    *COLLECTION_REVIEW, "collection.add_admissionrule", "collection.change_admissionrule",
    "collection.add_candidate", "collection.add_duplicatepair", "collection.approve_merge",
]
# Service processes (SVC, OTH): everyone who takes steps reads cases and opens them; directors
# reassign and cancel; the province department and administrators upload process versions.
SERVICE_READ = [
    "service.view_case", "service.view_workitem", "service.view_caseevent", "service.view_processdefinition",
    "service.view_arrearsrecord", "service.view_holiday",
]
SERVICE_WORK = [*SERVICE_READ, "service.add_case"]
SERVICE_LEAD = [*SERVICE_WORK, "service.reassign_workitem", "service.cancel_case"]
SERVICE_ADMIN = [
    *SERVICE_READ, "service.upload_processdefinition", "service.add_holiday", "service.change_holiday",
    "service.delete_holiday",
]
# Visits and customer care (SVC-07, SVC-08): managers plan their own visits and act on care
# proposals; directors keep the unit's gift stock; the province sets care rules and gifts.
CARE_READ = [
    "care.view_visitplan", "care.view_visit", "care.view_carerule", "care.view_gift", "care.view_giftstock",
    "care.view_giftmove", "care.view_careproposal", "care.view_careaction", "care.view_caresurvey",
]
CARE_WORK = [
    *CARE_READ, "care.add_visitplan", "care.change_visitplan", "care.approve_visitplan", "care.change_visit",
    "care.change_careproposal", "care.add_careaction", "care.add_caresurvey",
]
CARE_LEAD = [*CARE_WORK, "care.add_giftstock", "care.transfer_giftstock"]
CARE_ADMIN = [*CARE_LEAD, "care.add_carerule", "care.change_carerule", "care.add_gift", "care.change_gift"]
# Service support (SVC-01 templates and records, SVC-09/10/11/14): everyone who serves reads it
# and records consultations; managers and technicians make solutions, records and lines;
# directors assess quality and run cut-over notices; the province keeps templates and SLAs.
SUPPORT_READ = [
    "support.view_solutiontemplate", "support.view_technicalsolution", "support.view_projectrecord",
    "support.view_projectrecordchange", "support.view_qualityindicator", "support.view_qualityassessment",
    "support.view_qualityscore", "support.view_consultation", "support.view_serviceclass", "support.view_customerline",
    "support.view_linefault", "support.view_linecheck", "support.view_cutovernotice", "support.view_cutoverimpact",
    "support.view_emergencystep",
]
SUPPORT_DESK = [*SUPPORT_READ, "support.add_consultation", "support.change_consultation"]
SUPPORT_SOLUTIONS = [
    "support.add_technicalsolution", "support.change_technicalsolution", "support.add_projectrecord",
    "support.change_projectrecord", "support.add_customerline", "support.change_customerline", "support.add_linecheck",
]
SUPPORT_WORK = [
    *SUPPORT_DESK, *SUPPORT_SOLUTIONS, "support.add_linefault", "support.change_cutoverimpact", "support.change_emergencystep",
]
SUPPORT_CUTOVER = ["support.add_cutovernotice", "support.change_cutovernotice", "support.send_cutovernotice"]
SUPPORT_LEAD = [
    *SUPPORT_WORK, *SUPPORT_CUTOVER, "support.archive_technicalsolution", "support.add_qualityassessment",
    "support.change_linefault",
]
SUPPORT_ADMIN = [
    *SUPPORT_LEAD, "support.add_solutiontemplate", "support.change_solutiontemplate", "support.change_qualityindicator",
    "support.change_serviceclass",
]
SUPPORT_TECH = [*SUPPORT_READ, *SUPPORT_SOLUTIONS, "support.change_emergencystep"]
SUPPORT_MAINT = [
    *SUPPORT_READ, *SUPPORT_CUTOVER, "support.add_linefault", "support.change_linefault", "support.add_linecheck",
    "support.change_emergencystep", "support.change_cutoverimpact",
]
SUPPORT_REFERENCE = ["support.view_serviceclass", "support.view_qualityindicator", "support.view_solutiontemplate"]
# Loyalty club (CLUB-*): everyone who serves customers reads members and points and redeems at
# the desk; club staff run members, cards, adjustments and the monthly run; province
# directors approve adjustments; headquarters' rules are entered by administrators (HQ-03).
CLUB_READ = [
    "club.view_clublevel", "club.view_clubmember", "club.view_memberlevelchange", "club.view_card",
    "club.view_pointsaccount", "club.view_pointsentry", "club.view_pointslot", "club.view_pointsrule",
    "club.view_expiryrule", "club.view_pointsrun", "club.view_pointsadjustment", "club.view_redemptionitem",
    "club.view_redemptionrule", "club.view_redemption",
]
CLUB_DESK = [*CLUB_READ, "club.add_redemption", "club.change_clubmember", "club.add_pointsadjustment"]
CLUB_WORK = [
    *CLUB_DESK, "club.add_clubmember", "club.add_card", "club.change_card", "club.reverse_redemption",
    "club.review_clubmember", "club.inspect_clubmember", "club.add_pointsrun",
]
CLUB_ADMIN = [
    *CLUB_WORK, "club.add_pointsrule", "club.change_pointsrule", "club.add_redemptionitem",
    "club.change_redemptionitem", "club.add_redemptionrule", "club.change_redemptionrule",
    "club.view_redemptionchannel", "club.add_redemptionchannel", "club.change_redemptionchannel",
    "club.change_clublevel", "clubapi.view_hqrequest",
]
CLUB_LEAD = [*CLUB_ADMIN, "club.approve_pointsadjustment"]
CLUB_HQ = [*CLUB_ADMIN, "club.issue_hq_rule", "club.add_expiryrule"]
# Member cards and the card stock (CLUB-07, CLUB-08): account managers read their members' cards
# and apply for them; directors read their unit's card stock, hand it down, transfer, return
# and count it; club staff do everything, stock-in, voids and status corrections included.
CARD_READ = ["club.view_card", "club.view_clubmember"]
CARD_APPLY = [*CARD_READ, "club.add_card"]
CARD_WORK = [*CARD_APPLY, "club.change_card"]
CARD_STOCK_READ = ["cards.view_blankrange", "cards.view_blankmove", "cards.view_stocktake", "cards.view_stocktakeline"]
CARD_STOCK_LEAD = [*CARD_STOCK_READ, "cards.distribute_blankrange", "cards.add_stocktake"]
CARD_STOCK_ADMIN = [*CARD_STOCK_LEAD, "cards.stock_in_blankrange", "cards.void_blankrange", "cards.correct_blankrange"]
# Club service information (CLUB-05, CLUB-06, CLUB-20, CLUB-23): everyone serving members reads
# it, registers members for activities and records consultations, personal care and gifts (a gift
# is issued through the care service from the care stock, a consultation is a support
# consultation: hence their permissions here); club staff and province directors keep the
# standards, outlets, services, activities, evaluation and announcements.
CLUBINFO_READ = [
    "clubinfo.view_servicestandard", "clubinfo.view_servicecontent", "clubinfo.view_serviceoutlet",
    "clubinfo.view_membergift", "clubinfo.view_membercare", "clubinfo.view_memberconsultation",
    "clubinfo.view_activity", "clubinfo.view_activityregistration", "clubinfo.view_evaluationindicator",
    "clubinfo.view_evaluation", "clubinfo.view_evaluationvalue", "clubinfo.view_announcement",
]
CLUBINFO_WORK = [
    *CLUBINFO_READ, "clubinfo.add_activityregistration", "clubinfo.change_activityregistration",
    "clubinfo.add_memberconsultation", "clubinfo.change_memberconsultation", "clubinfo.add_membercare",
    "clubinfo.add_membergift", "care.view_gift", "care.view_giftstock", "care.add_careaction",
    "support.view_consultation", "support.add_consultation", "support.change_consultation",
]
CLUBINFO_ADMIN = [
    *CLUBINFO_WORK, "clubinfo.add_servicestandard", "clubinfo.change_servicestandard", "clubinfo.add_servicecontent",
    "clubinfo.change_servicecontent", "clubinfo.add_serviceoutlet", "clubinfo.change_serviceoutlet",
    "clubinfo.add_activity", "clubinfo.change_activity", "clubinfo.add_evaluationindicator",
    "clubinfo.change_evaluationindicator", "clubinfo.add_evaluation", "clubinfo.change_evaluation",
    "clubinfo.add_announcement", "clubinfo.change_announcement",
]
# Club partners (CLUB-19): club staff keep partners, agreements, coupons, outlets, exchanges,
# appraisal and compute the settlement; the province director approves agreements; finance
# reads everything and confirms and pays the settlement statements.
PARTNER_READ = [
    "partners.view_partner", "partners.view_partneragreement", "partners.view_partneractivity",
    "partners.view_partneroutlet", "partners.view_partnerservice", "partners.view_couponbatch", "partners.view_coupon",
    "partners.view_exchangeimport", "partners.view_partnerexchange", "partners.view_settlementstatement",
    "partners.view_settlementline", "partners.view_appraisalindicator", "partners.view_appraisal",
    "partners.view_appraisalscore",
]
PARTNER_WORK = [
    *PARTNER_READ, "partners.add_partnerexchange", "partners.add_exchangeimport", "partners.add_partneractivity",
    "partners.change_partneractivity", "partners.add_partneroutlet", "partners.change_partneroutlet",
    "partners.add_couponbatch", "partners.change_coupon", "partners.redeem_coupon", "partners.add_appraisal",
    "partners.change_appraisal", "partners.add_settlementstatement",
]
PARTNER_ADMIN = [
    *PARTNER_WORK, "partners.add_partner", "partners.change_partner", "partners.add_partneragreement",
    "partners.change_partneragreement", "partners.add_partnerservice", "partners.change_partnerservice",
    "partners.add_appraisalindicator", "partners.change_appraisalindicator",
]
PARTNER_FINANCE = [*PARTNER_READ, "partners.confirm_settlementstatement", "partners.pay_settlementstatement"]
# Club statistics and points cost (CLUB-22, CLUB-17): directors read the statistics of their
# unit; finance reads the cost (accounting, liability, forecasts); province directors and
# company leaders read both; club staff also make points schemes and run their forecasts.
CLUBSTATS_STATS = ["clubstats.view_clubstatistics"]
CLUBSTATS_COST = ["clubstats.view_pointscost", "clubstats.view_pointsscheme", "clubstats.view_pointsschemeforecast"]
CLUBSTATS_READ = [*CLUBSTATS_STATS, *CLUBSTATS_COST]
CLUBSTATS_ADMIN = [
    *CLUBSTATS_READ, "clubstats.add_pointsscheme", "clubstats.change_pointsscheme", "clubstats.add_pointsschemeforecast",
]
ATTRIBUTES = [
    "customers.view_extraattribute", "customers.add_extraattribute", "customers.change_extraattribute",
    "customers.change_level",
]
ADMIN = [
    *VIEW_ORG, *MANAGE_STAFF, *SEE_LOG, *SEE_SYSTEM,
    "org.add_orgunit", "org.change_orgunit", "org.add_role", "org.change_role", "org.delete_role",
    "system.change_systemparameter", "system.run_backup", "auth.view_group", "auth.view_user",
    "notify.view_message", "notify.change_message",
    *CUSTOMER_READ, *ATTRIBUTES, *BILLING_IMPORT, *COLLECTION_READ,
]

# Channels (CH): channel managers run agents, accounts, stock and settlement; finance takes
# payments and pays out; directors and leaders read.
CHANNEL_READ = [
    "channels.view_agent", "channels.view_agenttype", "channels.view_agentauthorisation", "channels.view_agentlevelchange",
    "channels.view_ledgeraccount", "channels.view_ledgertransaction", "channels.view_ledgerentry",
    "channels.view_agentsubscriber",
]
CHANNEL_WORK = [
    *CHANNEL_READ, "channels.add_agent", "channels.change_agent", "channels.register_agent", "channels.grade_agent",
    "channels.add_agenttype", "channels.change_agenttype", "channels.add_agentauthorisation",
    "channels.change_agentauthorisation", "channels.delete_agentauthorisation",
]
CHANNEL_FINANCE = [*CHANNEL_READ, "channels.add_ledgertransaction"]
# Channel settlement (CH-11 … CH-16): channel managers configure and run settlements and adjust
# bills; finance pays out (返利, 补发, 补收); leaders read.
SETTLEMENT_READ = [
    "settlement.view_settlementvariable", "settlement.view_businessscheme", "settlement.view_compositescheme",
    "settlement.view_agentscheme", "settlement.view_extraction", "settlement.view_settlementrun",
    "settlement.view_agentbill",
]
SETTLEMENT_WORK = [
    *SETTLEMENT_READ, "settlement.change_settlementvariable", "settlement.add_businessscheme",
    "settlement.add_compositescheme", "settlement.change_compositescheme", "settlement.change_agentscheme",
    "settlement.add_extraction", "settlement.add_settlementrun", "settlement.change_agentbill",
]
SETTLEMENT_PAYOUT = [*SETTLEMENT_READ, "settlement.pay_agentbill"]
# Return forms (CH-08, CH-09): channel managers take handovers and enter forms (entering creates
# the subscriber's customer and member through the customer services, hence their add
# permissions); directors read.
RETURNFORM_READ = [
    "returnforms.view_handover", "returnforms.view_handoverline", "returnforms.view_formentry",
    "returnforms.view_entrybatch",
]
RETURNFORM_WORK = [
    *RETURNFORM_READ, "returnforms.add_handover", "returnforms.add_formentry", "returnforms.add_entrybatch",
    "customers.add_customer", "customers.add_member",
]
# Channel evaluation and statistics (CH-10, CH-17): channel managers configure models, enter
# satisfaction scores, run evaluations and export them; directors and leaders read.
CHANNELSTATS_READ = [
    "channelstats.view_evaluationmodel", "channelstats.view_modelindicator", "channelstats.view_manualscore",
    "channelstats.view_evaluationrun", "channelstats.view_indicatorvalue", "channelstats.view_evaluationresult",
    "channelstats.view_evaluationexport", "channelstats.view_channel_statistics",
]
CHANNELSTATS_WORK = [
    *CHANNELSTATS_READ, "channelstats.add_evaluationmodel", "channelstats.run_evaluation",
    "channelstats.add_manualscore", "channelstats.change_manualscore",
]
# Mobile terminals (PRD-05): channel managers keep models and subsidy levels, record subsidised
# sales, load network observations and review 窜机窜卡 flags; directors read.
TERMINAL_READ = [
    "terminals.view_handsetmodel", "terminals.view_subsidylevel", "terminals.view_subsidisedsale",
    "terminals.view_observationimport", "terminals.view_observation", "terminals.view_anomaly",
]
TERMINAL_WORK = [
    *TERMINAL_READ, "terminals.add_handsetmodel", "terminals.change_handsetmodel", "terminals.add_subsidylevel",
    "terminals.add_subsidisedsale", "terminals.add_observationimport", "terminals.review_anomaly",
]
# Resources (RES-02, CH-06, CH-07): channel managers keep prices, the stock flow, stock and
# the agents' pickups; directors, province directors and finance read.
RESOURCE_READ = [
    "resources.view_resourceitem", "resources.view_resourceprice", "resources.view_pickuplimit",
    "resources.view_stocknode", "resources.view_flowrule", "resources.view_pickuporder", "resources.view_pickupline",
    "resources.view_agenttransfer", "resources.view_feeadjustment", "resources.view_movement",
]
RESOURCE_WORK = [
    *RESOURCE_READ, "resources.add_resourceprice", "resources.change_resourceprice", "resources.change_pickuplimit",
    "resources.add_stocknode", "resources.change_stocknode", "resources.add_flowrule", "resources.change_flowrule",
    "resources.delete_flowrule", "resources.stock_in_resources", "resources.move_stock", "resources.add_pickuporder",
    "resources.cancel_pickuporder", "resources.return_resources", "resources.transfer_resources",
    "resources.adjust_fees",
]
# Resource inventory interface (TMF639, kams.resourceapi): whoever reads the channels reads the
# items; channel managers add items to stock, lock (void) and unlock them and delete mistaken ones.
RESOURCE_API_READ = ["resources.view_resourceitem"]
RESOURCE_API_WORK = [
    *RESOURCE_API_READ, "resources.add_resourceitem", "resources.change_resourceitem",
    "resources.delete_resourceitem",
]

# code, Chinese name, data scope, description, permissions
ROLES = [
    ("account_manager", "客户经理", "own", "负责所辖客户的日常维系与营销", [*VIEW_ORG, *SEE_LOG, *CUSTOMER_WORK, *FIRST_CONTACT, *SERVICE_WORK, *CARE_WORK, *SUPPORT_WORK, *CLUB_DESK, *CARD_APPLY, *CLUBINFO_WORK]),
    ("customer_rep", "客户代表", "own", "协助客户经理受理业务", [*VIEW_ORG, *CUSTOMER_WORK, *SERVICE_WORK, *CARE_WORK, *SUPPORT_WORK]),
    ("business_manager", "业务经理", "unit", "负责产品与业务支撑", [*VIEW_ORG, *CUSTOMER_READ, *SERVICE_WORK, *SUPPORT_DESK]),
    ("director", "部门总监", "unit", "地市/区县大客户中心负责人",
     [*VIEW_ORG, *MANAGE_STAFF, *SEE_LOG, "system.view_jobrun", *CHANNELSTATS_READ, *CHANNEL_READ, *SETTLEMENT_READ, *CUSTOMER_LEAD, *COLLECTION_REVIEW, *SERVICE_LEAD, *CARE_LEAD, *SUPPORT_LEAD, *CLUB_DESK, *CARD_READ, *CARD_STOCK_LEAD, *CLUBINFO_WORK, *CLUBSTATS_STATS, *RESOURCE_READ, *TERMINAL_READ, *RETURNFORM_READ]),
    ("province_director", "省公司部门总监", "province", "省公司集团客户部负责人",
     [*VIEW_ORG, *MANAGE_STAFF, *SEE_LOG, *SEE_SYSTEM, *CHANNELSTATS_READ, *CUSTOMER_LEAD, *ATTRIBUTES, *BILLING_IMPORT, *LEVEL_ADMIN, *COLLECTION_ADMIN, *CREDIT_ADMIN, *SERVICE_LEAD, *SERVICE_ADMIN, *CARE_ADMIN, *SUPPORT_ADMIN, *CLUB_LEAD, *CARD_READ, *CARD_STOCK_LEAD, *CLUBINFO_ADMIN, *PARTNER_ADMIN, "partners.approve_partneragreement", *CLUBSTATS_READ, *CHANNEL_READ, *SETTLEMENT_READ, *RESOURCE_API_READ, *RESOURCE_READ, *TERMINAL_READ, *RETURNFORM_READ]),
    ("company_leader", "公司领导", "province", "公司分管领导，接收升级告警", [*VIEW_ORG, *CHANNELSTATS_READ, *SEE_LOG, *SEE_SYSTEM, *CUSTOMER_READ, *SERVICE_LEAD, *CARE_READ, *SUPPORT_READ, "support.change_emergencystep", *CLUB_READ, *CLUBINFO_READ, *PARTNER_READ, *CLUBSTATS_READ, *CHANNEL_READ, *SETTLEMENT_READ, *RESOURCE_API_READ]),
    ("finance", "财务人员", "unit", "结算与账务", [*VIEW_ORG, *CUSTOMER_READ, *CLUB_READ, *SERVICE_WORK, *SUPPORT_READ, "support.change_technicalsolution", *PARTNER_FINANCE, *CLUBSTATS_COST, *CHANNEL_FINANCE, *SETTLEMENT_PAYOUT, *RESOURCE_API_READ, *RESOURCE_READ]),
    ("technician", "技术支撑", "unit", "技术方案与售前支撑", [*VIEW_ORG, *CUSTOMER_READ, *SERVICE_WORK, *SUPPORT_TECH]),
    ("maintenance", "维护人员", "unit", "网络与故障维护", [*VIEW_ORG, *CUSTOMER_READ, *SERVICE_WORK, *SUPPORT_MAINT]),
    ("club_staff", "俱乐部人员", "province", "俱乐部会员、积分与卡务", [*VIEW_ORG, *SEE_LOG, "system.view_jobrun", *CUSTOMER_READ, *SERVICE_WORK, *SUPPORT_DESK, *CLUB_ADMIN, *CARD_WORK, *CARD_STOCK_ADMIN, *CLUBINFO_ADMIN, *PARTNER_ADMIN, *CLUBSTATS_ADMIN]),
    ("channel_manager", "渠道经理", "province", "代理商、资源与结算管理", [*VIEW_ORG, *CHANNELSTATS_WORK, *SEE_LOG, "system.view_jobrun", *CUSTOMER_READ, *SERVICE_WORK, *SUPPORT_DESK, *CHANNEL_WORK, *CHANNEL_FINANCE, *SETTLEMENT_WORK, *RESOURCE_API_WORK, *RESOURCE_WORK, *TERMINAL_WORK, *RETURNFORM_WORK]),
    ("agent_operator", "代理商操作员", "own", "代理商的业务操作员", ["org.view_orgunit"]),
    ("sysadmin", "系统管理员", "province", "系统配置、权限与监控", [*ADMIN, *SERVICE_ADMIN, *SUPPORT_REFERENCE, *CLUB_HQ]),
]



def refresh_roles_migration(apps, schema_editor) -> None:
    """Body of every data migration that (re)applies this table: make the permissions of
    the apps migrated so far (normally made only after all migrations), then the roles."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_builtin_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), apps.get_model("org", "Role"))


def ensure_builtin_roles(Group, Permission, Role) -> None:
    """Create or refresh the built-in roles. Idempotent."""
    for code, name, scope, description, perms in ROLES:
        group, _created = Group.objects.get_or_create(name=f"role:{code}")
        wanted = Permission.objects.none()
        for label in perms:
            app_label, codename = label.split(".")
            wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(wanted)
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "data_scope": scope, "description": description, "group": group, "is_system": True},
        )


def ensure_builtin_roles_now() -> None:
    from django.contrib.auth.models import Group, Permission

    from kams.org.models import Role

    ensure_builtin_roles(Group, Permission, Role)
