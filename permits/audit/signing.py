"""The checkpoint signing key: Ed25519, kept in a file outside the database.

Whoever can write the database cannot forge a checkpoint without this file. Production reads
it from PARITY_SIGNING_KEY_FILE and refuses to sign without it; development keeps one under
instance/ (made on first use). The public key is published, so anyone can check a signature.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DEVELOPMENT_KEY_NAME = "checkpoint-signing-key.pem"
ALGORITHM = "Ed25519"


class SigningKeyMissing(RuntimeError):
    """No key to sign with: the message says what to set."""


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 bytes of the SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(raw_public(public)).hexdigest()[:32]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def generate(path: str | Path) -> SigningKey:
    """Write a new key to `path` (readable by its owner only); refuses to overwrite one."""
    path = Path(path)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: an existing key signed published checkpoints; replacing it silently would orphan them.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return SigningKey(private)


def load(path: str | Path) -> SigningKey:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyMissing(f"PARITY_SIGNING_KEY_FILE={path} cannot be read: {exc.strerror}.") from exc
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise SigningKeyMissing(f"PARITY_SIGNING_KEY_FILE={path} is not a PEM private key.") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyMissing(f"PARITY_SIGNING_KEY_FILE={path} is not an Ed25519 key.")
    return SigningKey(private)


def configured(config, instance_path: str) -> SigningKey:
    """The key the configuration names; in development, one kept under instance/."""
    path = config.get("PARITY_SIGNING_KEY_FILE")
    if path:
        return load(path)
    if config.get("PARITY_ENV") == "production":
        raise SigningKeyMissing(
            "No checkpoint signing key: set PARITY_SIGNING_KEY_FILE to a key file kept outside "
            "the database (make one with `flask --app permits audit keygen PATH`).")
    dev = Path(instance_path) / DEVELOPMENT_KEY_NAME
    return load(dev) if dev.exists() else generate(dev)


def verify(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_public(pem_or_raw_b64: str) -> Ed25519PublicKey:
    """A published public key, as PEM or as base64 of the raw 32 bytes."""
    text = pem_or_raw_b64.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
