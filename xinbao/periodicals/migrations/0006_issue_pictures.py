import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0002_item_merged_into_alter_item_status"),
        ("periodicals", "0005_periodical_setup"),
    ]

    operations = [
        migrations.CreateModel(
            name="IssuePicture",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("caption", models.CharField(max_length=200, verbose_name="caption")),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=1, verbose_name="order"),
                ),
                (
                    "attachment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="items.attachment",
                        verbose_name="picture",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pictures",
                        to="periodicals.issueitem",
                    ),
                ),
            ],
            options={
                "verbose_name": "picture in an issue",
                "verbose_name_plural": "pictures in issues",
                "ordering": ["entry", "position", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("entry", "attachment"), name="picture_once_per_entry"
                    )
                ],
            },
        ),
    ]
