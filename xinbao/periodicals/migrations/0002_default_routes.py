"""Sign-off routing per the practice: routine and general urgent information is signed by the
leader in charge of information; important and major emergency information by the principal."""

from django.db import migrations

ROUTES = [
    ("routine", "leader_in_charge"),
    ("general_urgent", "leader_in_charge"),
    ("important", "principal_leader"),
    ("major_emergency", "principal_leader"),
]


def add(apps, schema_editor):
    SignRoute = apps.get_model("periodicals", "SignRoute")
    for urgency, role in ROUTES:
        SignRoute.objects.get_or_create(urgency=urgency, defaults={"signer_role": role})


def remove(apps, schema_editor):
    apps.get_model("periodicals", "SignRoute").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("periodicals", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
