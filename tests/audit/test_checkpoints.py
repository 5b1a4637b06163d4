"""Signed checkpoints: made with a key outside the database, published without a token, and a
chain cut back, rewritten or forked below a saved one is refused. Signatures and proofs check
with the public key alone."""
import base64
import hashlib
import json

from sqlalchemy import text
from sqlmodel import Session

from permits.audit import chain, checkpoints, merkle, signing
from permits.audit.models import AuditEntry
from tests.openapi_check import assert_matches_openapi


def _keygen_and_checkpoint(runner, key_path) -> dict:
    made = runner.invoke(args=["audit", "keygen", str(key_path)])
    assert made.exit_code == 0, made.output
    signed = runner.invoke(args=["audit", "checkpoint"])
    assert signed.exit_code == 0, signed.output
    return json.loads(signed.stdout)


def _save(tmp_path, body, name="checkpoint.json"):
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return str(path)


def test_keygen_refuses_to_overwrite_a_key(runner, tmp_path):
    path = tmp_path / "k.pem"
    assert runner.invoke(args=["audit", "keygen", str(path)]).exit_code == 0
    again = runner.invoke(args=["audit", "keygen", str(path)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_production_refuses_to_checkpoint_without_a_key(app, runner):
    app.config["PARITY_ENV"] = "production"
    app.config.pop("PARITY_SIGNING_KEY_FILE", None)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 2
    assert "PARITY_SIGNING_KEY_FILE" in result.output and "Traceback" not in result.output


def test_a_checkpoint_verifies_with_the_public_key_alone(client, runner, world, signing_key_file):
    body = _keygen_and_checkpoint(runner, signing_key_file)
    published = client.get("/api/v1/public/checkpoints/key").json
    public = signing.load_public(published["public_key"])
    assert published["key_id"] == body["key_id"]
    assert checkpoints.check_signature(body, public) is None
    assert checkpoints.check_signature({**body, "seq": body["seq"] + 1}, public) is not None
    raw = base64.b64decode(body["signature"])
    public.verify(raw, checkpoints.message(body))  # any Ed25519 library does the same


def test_the_checkpoints_are_published(client, runner, world, signing_key_file):
    first = _keygen_and_checkpoint(runner, signing_key_file)
    latest = client.get("/api/v1/public/checkpoints/latest")
    assert latest.status_code == 200 and latest.json == first
    assert_matches_openapi(client, "GET", "/api/v1/public/checkpoints/latest", latest)
    listed = client.get("/api/v1/public/checkpoints")
    assert listed.json["items"] == [first]
    assert_matches_openapi(client, "GET", "/api/v1/public/checkpoints", listed)
    key = client.get("/api/v1/public/checkpoints/key")
    assert_matches_openapi(client, "GET", "/api/v1/public/checkpoints/key", key)


def test_verify_extends_a_saved_checkpoint(runner, world, signing_key_file, tmp_path):
    saved = _save(tmp_path, _keygen_and_checkpoint(runner, signing_key_file))
    result = runner.invoke(args=["audit", "verify", "--checkpoint", saved])
    assert result.exit_code == 0, result.output
    assert "extends checkpoint" in result.output


def test_a_chain_cut_back_is_refused(db, runner, world, signing_key_file, tmp_path):
    saved = _save(tmp_path, _keygen_and_checkpoint(runner, signing_key_file))
    with db.begin() as conn:  # the newest entries removed: the chain still links up
        conn.execute(text("DELETE FROM audit_entry WHERE seq > (SELECT max(seq) - 2 FROM audit_entry)"))
    assert runner.invoke(args=["audit", "verify"]).output.count("cut back") == 0
    result = runner.invoke(args=["audit", "verify", "--checkpoint", saved])
    assert result.exit_code == 1 and "cut back" in result.output


def _rewrite_from(db, seq: int) -> None:
    """An intruder's rewrite: change one entry and recompute every hash after it."""
    with Session(db) as session:
        entries = session.exec(AuditEntry.__table__.select().order_by(AuditEntry.seq)).all()
        prev = chain.GENESIS
        for row in entries:
            entry = AuditEntry(**row._asdict())
            if entry.seq == seq:
                entry.reason = "rewritten"
            entry.prev_hash = prev
            entry.hash = hashlib.sha256(chain.canonical(entry)).hexdigest()
            session.execute(AuditEntry.__table__.update().where(AuditEntry.id == entry.id)
                            .values(prev_hash=entry.prev_hash, hash=entry.hash, reason=entry.reason))
            prev = entry.hash
        session.commit()


def test_a_rewritten_chain_verifies_alone_but_not_against_the_checkpoint(db, runner, world,
                                                                         signing_key_file, tmp_path):
    saved = _save(tmp_path, _keygen_and_checkpoint(runner, signing_key_file))
    _rewrite_from(db, 3)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # why checkpoints exist
    result = runner.invoke(args=["audit", "verify", "--checkpoint", saved])
    assert result.exit_code == 1 and "rewritten or forked" in result.output


def test_a_forged_checkpoint_is_refused(runner, world, signing_key_file, tmp_path):
    body = _keygen_and_checkpoint(runner, signing_key_file)
    saved = _save(tmp_path, {**body, "signed_at": "2020-01-01T00:00:00Z"})
    result = runner.invoke(args=["audit", "verify", "--checkpoint", saved])
    assert result.exit_code == 1 and "signature" in result.output


def test_consistency_between_checkpoints_checks_offline(client, db, runner, world,
                                                       signing_key_file, shipper):
    first = _keygen_and_checkpoint(runner, signing_key_file)
    with Session(db) as session:
        chain.record(session, actor_id=None, action="test.more", entity="thing", entity_id=1)
        chain.record(session, actor_id=None, action="test.more", entity="thing", entity_id=2)
        session.commit()
    second = json.loads(runner.invoke(args=["audit", "checkpoint"]).stdout)
    answer = client.get(f"/api/v1/public/checkpoints/consistency?first={first['seq']}&second={second['seq']}")
    assert answer.status_code == 200
    assert_matches_openapi(client, "GET", "/api/v1/public/checkpoints/consistency", answer)
    proof = [bytes.fromhex(p) for p in answer.json["proof"]]
    assert merkle.verify_consistency(first["seq"], second["seq"], bytes.fromhex(first["root"]),
                                     bytes.fromhex(second["root"]), proof)
    assert client.get("/api/v1/public/checkpoints/consistency?first=1&second=x").status_code == 400
    assert client.get(f"/api/v1/public/checkpoints/consistency?first=1&second={second['seq']}").status_code == 404


def test_a_permit_decision_is_proved_in_a_checkpoint_offline(client, runner, world, signing_key_file):
    assert client.get(f"/api/v1/public/permits/{world.number}/proof").status_code == 404
    _keygen_and_checkpoint(runner, signing_key_file)
    answer = client.get(f"/api/v1/public/permits/{world.number}/proof")
    assert answer.status_code == 200, answer.json
    assert_matches_openapi(client, "GET", "/api/v1/public/permits/{number}/proof", answer)
    body = answer.json
    certificate_hash = client.get(f"/api/v1/public/permits/{world.number}").json["decision"]["record_hash"]
    # What an outsider does with the answer, the checkpoint and the public key, nothing else:
    assert hashlib.sha256(body["entry_canonical"].encode()).hexdigest() == body["entry_hash"]
    assert json.loads(body["entry_canonical"])["after"]["record_hash"] == certificate_hash
    point = body["checkpoint"]
    assert merkle.verify_inclusion(merkle.leaf_hash(bytes.fromhex(body["entry_hash"])),
                                   body["leaf_index"], point["seq"],
                                   [bytes.fromhex(p) for p in body["proof"]],
                                   bytes.fromhex(point["root"]))
    key = signing.load_public(client.get("/api/v1/public/checkpoints/key").json["pem"])
    assert checkpoints.check_signature(point, key) is None


def test_the_scheduler_signs_a_checkpoint_daily(client, runner, world, signing_key_file):
    runner.invoke(args=["audit", "keygen", str(signing_key_file)])
    result = runner.invoke(args=["jobs", "run", "audit-checkpoint", "--day", "2026-11-29"])
    assert "audit-checkpoint 2026-11-29: checkpoint of" in result.output
    assert client.get("/api/v1/public/checkpoints/latest").status_code == 200


def test_the_public_proofs_are_rate_limited_per_address(db, database_url):
    """A proof reads every hash up to its checkpoint: no one may ask for thousands a minute."""
    import uuid

    from permits.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex})
    client = app.test_client()
    codes = [client.get("/api/v1/public/checkpoints/consistency?first=1&second=1").status_code
             for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
