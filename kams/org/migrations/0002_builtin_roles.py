"""Create the built-in roles of ORG-02 (see ``kams.org.builtin_roles``)."""

from django.db import migrations

from kams.org.builtin_roles import ROLES, refresh_roles_migration


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
    operations = [migrations.RunPython(refresh_roles_migration, remove_roles)]
