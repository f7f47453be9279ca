"""The calendar's models, moved from the scheduler app with their tables and rows.

State only: the tables ``scheduler_calendarday`` and ``scheduler_calendaryear`` were created by
``scheduler.0002_calendar`` and keep their names (``db_table``); nothing is copied or dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("scheduler", "0002_calendar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        (
                            "is_workday",
                            models.BooleanField(
                                help_text="Ticked for a make-up workday on a weekend; clear for a holiday.",
                                verbose_name="working day",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="For example 春节 or 调休上班.",
                                max_length=32,
                                verbose_name="name",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "calendar day",
                        "verbose_name_plural": "calendar days",
                        "db_table": "scheduler_calendarday",
                        "ordering": ["date"],
                    },
                ),
                migrations.CreateModel(
                    name="CalendarYear",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="year")),
                        ("complete", models.BooleanField(default=False, verbose_name="complete")),
                        (
                            "entered_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="entered at"),
                        ),
                        (
                            "entered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="entered by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "calendar year",
                        "verbose_name_plural": "calendar years",
                        "db_table": "scheduler_calendaryear",
                        "ordering": ["year"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
