from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("history", "0004_log_head_row")]

    operations = [
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("size", models.BigIntegerField(primary_key=True, serialize=False)),
                ("root_hash", models.BinaryField(max_length=32)),
                ("note", models.TextField()),
                ("created_at", models.DateTimeField()),
            ],
            options={"ordering": ["size"]},
        ),
    ]
