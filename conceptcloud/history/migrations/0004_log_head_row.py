from django.db import migrations


def create_head(apps, schema_editor):
    # The log head exists from the start, so appends only ever update it.
    apps.get_model("history", "LogHead").objects.get_or_create(id=1, defaults={"size": 0})


class Migration(migrations.Migration):
    dependencies = [("history", "0003_subtree_hashes_fill")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
