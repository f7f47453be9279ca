"""WeCom application callbacks: the published signature and message encryption.

As WeCom documents it (developer.work.weixin.qq.com/document/path/90968, "加解密方案说明"):

* signature: SHA-1 of the token, the timestamp, the nonce and the encrypted text, sorted and
  joined, in hex (``msg_signature``);
* key: ``base64decode(EncodingAESKey + "=")``, 32 bytes; AES-256-CBC with IV = the key's first
  16 bytes; PKCS#7 padding to a multiple of 32 bytes;
* plaintext: 16 random bytes, the message's length in 4 big-endian bytes, the message, and the
  receiving CorpID, which must be ours.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CallbackError(ValueError):
    """A callback that is not authentic or cannot be read."""


def parse_xml(text: str | bytes) -> dict[str, str]:
    """The child elements of a flat WeCom XML document, by tag. A document with a DOCTYPE is
    refused: WeCom never sends one, and entities are how XML parsers are attacked."""
    head = text[:4096] if isinstance(text, str) else text[:4096].decode("utf-8", "replace")
    if "<!DOCTYPE" in head.upper() or "<!ENTITY" in head.upper():
        raise CallbackError("XML with a DOCTYPE")
    try:
        root = ET.fromstring(text)  # noqa: S314  (no DOCTYPE, hence no entities: checked above)
    except ET.ParseError as exc:
        raise CallbackError(f"bad XML: {exc}") from exc
    return {child.tag: (child.text or "") for child in root}


@dataclass(frozen=True)
class WeComCrypt:
    token: str
    encoding_aes_key: str
    corp_id: str

    @property
    def key(self) -> bytes:
        try:
            key = base64.b64decode(self.encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise CallbackError("EncodingAESKey is not base64") from exc
        if len(key) != 32:
            raise CallbackError("EncodingAESKey must be 43 characters (a 32-byte key)")
        return key

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        joined = "".join(sorted([self.token, timestamp, nonce, encrypted])).encode()
        return hashlib.sha1(joined).hexdigest()  # noqa: S324  (SHA-1 is WeCom's published signature, not our choice)

    def verify(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise CallbackError("bad signature")

    def decrypt(self, encrypted: str) -> str:
        key = self.key
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error as exc:
            raise CallbackError("the encrypted text is not base64") from exc
        if not data or len(data) % 16:
            raise CallbackError("the encrypted text is not whole AES blocks")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CallbackError("bad padding")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise CallbackError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receiver = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length:
            raise CallbackError("bad length")
        if not hmac.compare_digest(receiver, self.corp_id.encode()):
            raise CallbackError("the message is for another CorpID")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CallbackError("the message is not UTF-8") from exc

    def encrypt(self, message: str, *, random: bytes | None = None) -> str:
        key = self.key
        body = message.encode("utf-8")
        plain = (
            (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.corp_id.encode()
        )
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def verify_url(self, *, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The URL check WeCom makes when the callback is configured: the echo, decrypted."""
        self.verify(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def decrypt_callback(
        self, *, msg_signature: str, timestamp: str, nonce: str, body: bytes
    ) -> dict[str, str]:
        """The fields of a POSTed callback: its ``Encrypt`` verified, decrypted and parsed."""
        encrypted = parse_xml(body).get("Encrypt", "")
        if not encrypted:
            raise CallbackError("no Encrypt element")
        self.verify(msg_signature, timestamp, nonce, encrypted)
        return parse_xml(self.decrypt(encrypted))
