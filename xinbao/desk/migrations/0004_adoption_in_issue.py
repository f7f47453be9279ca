from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0003_adoption_list_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="adoption",
            name="in_issue",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="adoption",
            index=models.Index(
                condition=models.Q(("in_issue", False)),
                fields=["periodical", "item"],
                name="adoption_waiting",
            ),
        ),
    ]
