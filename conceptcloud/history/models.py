"""The append-only creative history.

`Entry` rows are never updated or deleted. `LogHead` is a single row that
serialises appends: a writer locks it, takes the next sequence number and
moves it on in the same transaction as the change the entry records.
`SubtreeHash` keeps the hash of every complete aligned subtree of the RFC 9162
tree (see merkle.py), written with the entry that completes it, so proofs and
roots never rebuild the tree. `Checkpoint` keeps every signed checkpoint the
log has handed out, one per tree size, so `verify --log` can hold the entries
to what was signed.
"""

from django.conf import settings
from django.db import models


class LogHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)


class Entry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(max_length=50, db_index=True)
    subject = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    # The exact canonical bytes that were hashed, kept so verification never
    # depends on re-serialising JSON read back from the database.
    canonical = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "entries"


class CommitmentSalt(models.Model):
    """The salt of a confidential commitment, released only to the asset's owner."""

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="salt")
    salt = models.BinaryField(max_length=32)


class SubtreeHash(models.Model):
    """MTH of leaves [index·2^level, (index+1)·2^level); level 0 holds the leaf hashes."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="history_subtree_level_index")]


class Checkpoint(models.Model):
    """A signed checkpoint as it was handed out: stored once per tree size, never changed.

    `root_hash` and `note` say the same thing (the note's text states the size
    and the base64 root); `note` is the C2SP signed note, byte for byte.
    """

    size = models.BigIntegerField(primary_key=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["size"]
