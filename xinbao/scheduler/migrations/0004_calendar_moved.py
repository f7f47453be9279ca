"""The working calendar left for its own app (``calendar.0001_initial`` takes the models over
with their tables); the daily check's chore row follows it under its new name."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def rename_check(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Chore = apps.get_model("scheduler", "Chore")
    if Chore.objects.filter(name="calendar.check").exists():
        Chore.objects.filter(name="scheduler.calendar_check").delete()
    else:
        Chore.objects.filter(name="scheduler.calendar_check").update(name="calendar.check")


def rename_check_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Chore = apps.get_model("scheduler", "Chore")
    Chore.objects.filter(name="calendar.check").update(name="scheduler.calendar_check")


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler", "0003_chore_failure"),
        ("calendar", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="CalendarYear"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_check, rename_check_back),
    ]
