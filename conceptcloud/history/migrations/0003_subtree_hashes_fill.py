"""Store the subtree hashes of the entries appended before they were kept."""

from django.db import migrations

from conceptcloud.history.merkle import CompactTree

BATCH = 2000


def fill(apps, schema_editor):
    Entry = apps.get_model("history", "Entry")
    SubtreeHash = apps.get_model("history", "SubtreeHash")
    if SubtreeHash.objects.exists():
        return
    tree = CompactTree()
    for leaf in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True).iterator(chunk_size=BATCH):
        tree.append(bytes(leaf))
    rows = [SubtreeHash(level=level, index=index, hash=value) for (level, index), value in tree.nodes.items()]
    SubtreeHash.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("history", "0002_subtree_hashes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
