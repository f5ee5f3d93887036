"""Envelope encryption: round trip, bound to its context, tamper-evident."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.exceptions import InvalidTag

from shared.crypto import seal, unseal


def test_round_trip_and_fresh_keys() -> None:
    a, b = seal("s3cret-token", "ctx:1"), seal("s3cret-token", "ctx:1")
    assert unseal(a, "ctx:1") == "s3cret-token"
    assert a.ciphertext != b.ciphertext
    assert a.wrapped_key != b.wrapped_key
    assert b"s3cret" not in a.ciphertext


def test_another_context_does_not_decrypt() -> None:
    with pytest.raises(InvalidTag):
        unseal(seal("token", "tenant-a"), "tenant-b")


def test_tampering_is_detected() -> None:
    sealed = seal("token", "ctx")
    flipped = bytes([sealed.ciphertext[-1] ^ 1])
    with pytest.raises(InvalidTag):
        unseal(dataclasses.replace(sealed, ciphertext=sealed.ciphertext[:-1] + flipped), "ctx")
