"""Create the built-in roles of ORG-02 with their data scope and a starting permission set.

Administrators change the permission sets on the roles page afterwards; later domains add
their permissions to these roles in their own data migrations.
"""

from django.db import migrations

VIEW_ORG = ["org.view_orgunit", "org.view_staff", "org.view_role"]
MANAGE_STAFF = ["org.add_staff", "org.change_staff"]
SEE_LOG = ["audit.view_auditentry"]
SEE_SYSTEM = ["system.view_systemparameter", "system.view_jobrun"]
ADMIN = [
    *VIEW_ORG, *MANAGE_STAFF, *SEE_LOG, *SEE_SYSTEM,
    "org.add_orgunit", "org.change_orgunit", "org.add_role", "org.change_role", "org.delete_role",
    "system.change_systemparameter", "auth.view_group", "auth.view_user",
]

# code, Chinese name, data scope, description, permissions
ROLES = [
    ("account_manager", "客户经理", "own", "负责所辖客户的日常维系与营销", [*VIEW_ORG, *SEE_LOG]),
    ("customer_rep", "客户代表", "own", "协助客户经理受理业务", VIEW_ORG),
    ("business_manager", "业务经理", "unit", "负责产品与业务支撑", VIEW_ORG),
    ("director", "部门总监", "unit", "地市/区县大客户中心负责人", [*VIEW_ORG, *MANAGE_STAFF, *SEE_LOG, "system.view_jobrun"]),
    ("province_director", "省公司部门总监", "province", "省公司集团客户部负责人", [*VIEW_ORG, *MANAGE_STAFF, *SEE_LOG, *SEE_SYSTEM]),
    ("company_leader", "公司领导", "province", "公司分管领导，接收升级告警", [*VIEW_ORG, *SEE_LOG, *SEE_SYSTEM]),
    ("finance", "财务人员", "unit", "结算与账务", VIEW_ORG),
    ("technician", "技术支撑", "unit", "技术方案与售前支撑", VIEW_ORG),
    ("maintenance", "维护人员", "unit", "网络与故障维护", VIEW_ORG),
    ("club_staff", "俱乐部人员", "province", "俱乐部会员、积分与卡务", VIEW_ORG),
    ("channel_manager", "渠道经理", "province", "代理商、资源与结算管理", VIEW_ORG),
    ("agent_operator", "代理商操作员", "own", "代理商的业务操作员", ["org.view_orgunit"]),
    ("sysadmin", "系统管理员", "province", "系统配置、权限与监控", ADMIN),
]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now so roles get theirs.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("org", "Role")
    for code, name, scope, description, perms in ROLES:
        group, _ = Group.objects.get_or_create(name=f"role:{code}")
        wanted = []
        for label in perms:
            app_label, codename = label.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "data_scope": scope, "description": description, "group": group, "is_system": True},
        )


def remove_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Group = apps.get_model("auth", "Group")
    codes = [r[0] for r in ROLES]
    Role.objects.filter(code__in=codes).delete()
    Group.objects.filter(name__in=[f"role:{c}" for c in codes]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("audit", "0001_initial"),
        ("system", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
