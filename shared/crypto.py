"""Envelope encryption for secrets at rest (tenants' Twilio auth tokens, webhook secrets).

Each secret gets its own random 256-bit data key (AES-GCM); the data key is wrapped by the
master key: Cloud KMS in GCP (KMS_KEY_NAME), or MASTER_KEY locally. Rotating the master key
re-wraps data keys only. The tenant id is bound as associated data, so a ciphertext copied
into another tenant's row does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.config import get_settings

_NONCE = 12


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes  # nonce + AES-GCM(secret)
    wrapped_key: bytes  # the data key, wrapped by the master key
    master_key_id: str


def _local_master() -> tuple[bytes, str]:
    raw = base64.b64decode(get_settings().master_key.get_secret_value())
    if len(raw) != 32:
        raise ValueError("MASTER_KEY must be 32 bytes, base64-encoded")
    return raw, "local:" + hashlib.sha256(raw).hexdigest()[:12]


def _kms(method: str, key_name: str, field: str, data: bytes) -> bytes:
    # The REST API through google-auth: no extra SDK for two calls.
    from google.auth import default
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = default(scopes=["https://www.googleapis.com/auth/cloudkms"])
    response = AuthorizedSession(credentials).post(  # type: ignore[no-untyped-call]
        f"https://cloudkms.googleapis.com/v1/{key_name}:{method}",
        json={field: base64.b64encode(data).decode()},
        timeout=10,
    )
    response.raise_for_status()
    out = "ciphertext" if method == "encrypt" else "plaintext"
    return base64.b64decode(response.json()[out])


def _wrap(data_key: bytes) -> tuple[bytes, str]:
    key_name = get_settings().kms_key_name
    if key_name:
        return _kms("encrypt", key_name, "plaintext", data_key), "kms:" + key_name
    master, key_id = _local_master()
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(master).encrypt(nonce, data_key, b"dek"), key_id


def _unwrap(wrapped: bytes, key_id: str) -> bytes:
    if key_id.startswith("kms:"):
        return _kms("decrypt", key_id[4:], "ciphertext", wrapped)
    master, expected = _local_master()
    if key_id != expected:
        raise ValueError(f"sealed with master key {key_id}, not the configured {expected}")
    return AESGCM(master).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], b"dek")


def seal(secret: str, context: str) -> Sealed:
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, secret.encode(), context.encode())
    wrapped, key_id = _wrap(data_key)
    return Sealed(ciphertext, wrapped, key_id)


def unseal(sealed: Sealed, context: str) -> str:
    data_key = _unwrap(sealed.wrapped_key, sealed.master_key_id)
    nonce, body = sealed.ciphertext[:_NONCE], sealed.ciphertext[_NONCE:]
    return AESGCM(data_key).decrypt(nonce, body, context.encode()).decode()
