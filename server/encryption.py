"""Encryption at rest for credentials we must keep (the agent's Salesforce OAuth token)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class CipherError(ValueError):
    """Ciphertext was altered, or was made with another TOKEN_ENCRYPTION_KEY."""


class TokenCipher:
    """Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from TOKEN_ENCRYPTION_KEY by HKDF.

    Deriving lets the variable be any long random text (such as Heroku's generated secrets).
    """

    def __init__(self, key_material: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"digital-tab oauth tokens v1"
        ).derive(key_material.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken:
            raise CipherError("stored token cannot be decrypted with this key") from None
