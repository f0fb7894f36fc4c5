"""Create the built-in roles of ORG-02 (see ``kams.org.builtin_roles``)."""

from django.db import migrations

from kams.org.builtin_roles import ROLES, ensure_builtin_roles


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now so roles get theirs.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_builtin_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), apps.get_model("org", "Role"))


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
