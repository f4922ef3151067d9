import base64

from conceptcloud.history import merkle
from conceptcloud.history.checkpoint import checkpoint_verify
from conceptcloud.history.models import Checkpoint, Entry
from conceptcloud.history.receipts import verify_receipt


def _key(client) -> str:
    response = client.get("/.well-known/conceptcloud-log-key")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.content.decode().strip()


def test_the_checkpoint_is_a_signed_note_that_verifies_with_the_published_key(db, client, append_entries):
    append_entries(5)
    response = client.get("/api/v1/log/checkpoint")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    checkpoint = checkpoint_verify(response.content.decode(), _key(client))
    assert checkpoint.size == Entry.objects.count()
    assert checkpoint.root == merkle.root([bytes(e.leaf_hash) for e in Entry.objects.order_by("seq")])
    as_json = client.get("/api/v1/log/checkpoint?format=json").json()
    assert as_json["tree_size"] == checkpoint.size
    assert base64.b64decode(as_json["root_hash"]) == checkpoint.root


def test_the_key_endpoint_gives_the_verifier_key_and_the_raw_key(db, client):
    body = client.get("/api/v1/log/key").json()
    assert body["verifier_key"] == _key(client)
    assert body["verifier_key"].endswith(base64.b64encode(b"\x01" + base64.b64decode(body["public_key"])).decode())


def test_inclusion_and_consistency_proofs_verify_against_checkpoints(db, client, append_entries):
    entries = append_entries(7)
    key = _key(client)
    old = checkpoint_verify(client.get("/api/v1/log/checkpoint").content.decode(), key)
    more = append_entries(4)
    new = checkpoint_verify(client.get("/api/v1/log/checkpoint").content.decode(), key)
    for entry in (entries[0], entries[-1], more[-1]):
        body = client.get(f"/api/v1/log/proofs/inclusion?seq={entry.seq}&size={new.size}").json()
        proof = [bytes.fromhex(h) for h in body["inclusion_proof"]]
        assert merkle.verify_inclusion(bytes.fromhex(body["leaf_hash"]), entry.seq, new.size, proof, new.root)
    body = client.get(f"/api/v1/log/proofs/consistency?first={old.size}&second={new.size}").json()
    proof = [bytes.fromhex(h) for h in body["consistency_proof"]]
    assert merkle.verify_consistency(old.size, new.size, proof, old.root, new.root)


def test_impossible_proof_requests_are_problems(db, client, append_entries):
    entries = append_entries(3)
    size = Entry.objects.count()
    response = client.get(f"/api/v1/log/proofs/inclusion?seq={entries[-1].seq}&size={size + 1}")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert client.get(f"/api/v1/log/proofs/inclusion?seq={size}").status_code == 404
    assert client.get(f"/api/v1/log/proofs/consistency?first={size + 1}").status_code == 422
    assert client.get(f"/api/v1/log/entries/{size}/receipt").status_code == 404


def test_only_the_owner_gets_the_commitment_opening_in_a_receipt(db, client, make_user, make_asset):
    owner, stranger = make_user("owner"), make_user("stranger")
    asset = make_asset(owner, visibility="confidential")
    seq = Entry.objects.filter(subject=f"asset:{asset.pk}").order_by("seq").last().seq
    anonymous = client.get(f"/api/v1/log/entries/{seq}/receipt").json()
    assert "commitment" not in anonymous and verify_receipt(anonymous, key=_key(client)) == []
    client.force_login(stranger)
    assert "commitment" not in client.get(f"/api/v1/log/entries/{seq}/receipt").json()
    client.force_login(owner)
    receipt = client.get(f"/api/v1/log/entries/{seq}/receipt").json()
    assert receipt["commitment"]["content"]["details"] == "Confidential tolerances: 0.002 mm."
    assert verify_receipt(receipt, key=_key(client)) == []


def test_the_checkpoint_endpoint_answers_the_newest_checkpoint_and_stores_one_per_size(db, client, append_entries):
    append_entries(3)
    first = client.get("/api/v1/log/checkpoint").content.decode()
    assert client.get("/api/v1/log/checkpoint").content.decode() == first
    assert list(Checkpoint.objects.values_list("note", flat=True)) == [first]
    append_entries(2)
    body = client.get("/api/v1/log/checkpoint?format=json").json()
    stored = Checkpoint.objects.order_by("size").last()
    assert body["tree_size"] == stored.size == Entry.objects.count() and body["note"] == stored.note
    assert body["origin"] == "conceptcloud.localhost/log" and body["created_at"]


def test_a_receipt_carries_a_stored_checkpoint(db, client, make_user, make_asset):
    asset = make_asset(make_user("owner"))
    seq = Entry.objects.filter(subject=f"asset:{asset.pk}").last().seq
    receipt = client.get(f"/api/v1/log/entries/{seq}/receipt").json()
    assert Checkpoint.objects.get(size=receipt["tree_size"]).note == receipt["checkpoint"]


def test_a_witness_lists_every_checkpoint_after_the_size_it_last_saw(db, client, append_entries):
    sizes = []
    for count in (2, 1, 4, 3):
        append_entries(count)
        sizes.append(client.get("/api/v1/log/checkpoint?format=json").json()["tree_size"])
    everything = client.get("/api/v1/log/checkpoints").json()
    assert [item["tree_size"] for item in everything["items"]] == sizes and everything["count"] == 4
    key = _key(client)
    for item in everything["items"]:
        checkpoint = checkpoint_verify(item["note"], key)
        assert (checkpoint.size, base64.b64encode(checkpoint.root).decode()) == (item["tree_size"], item["root_hash"])
    page = client.get(f"/api/v1/log/checkpoints?after={sizes[0]}&page_size=2").json()
    assert [item["tree_size"] for item in page["items"]] == sizes[1:3] and page["count"] == 3
    rest = client.get(page["next"]).json()
    assert [item["tree_size"] for item in rest["items"]] == sizes[3:] and rest["next"] is None
    assert client.get("/api/v1/log/checkpoints?page_size=0").status_code == 422
