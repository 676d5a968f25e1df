"""The fake's TLS certificate: the official SDK only speaks ``wss://`` (quirk 3 of
:mod:`bot.transport.wecom_protocol`), so the fake serves TLS with a self-signed certificate for
loopback, which the client is told to trust through ``AGRIBOT_WECOM_CA_FILE``.

The certificate is kept in a folder (the home's ``data/wecom-fake/tls``) and reused on the next
start, so a bot that loaded it once keeps trusting a restarted fake.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_DAYS = 3650


@dataclass(frozen=True)
class Certificate:
    cert: Path  # PEM: what the client trusts
    key: Path  # PEM: the private key, readable by its owner only

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def certificate(folder: Path) -> Certificate:
    """The certificate in ``folder``, made first when there is none (or only half of one)."""
    found = Certificate(folder / "cert.pem", folder / "key.pem")
    if found.cert.is_file() and found.key.is_file():
        return found
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    # A name of its own: OpenSSL finds a trusted root by subject, so two fakes' certificates
    # trusted by one client (tests, a re-made folder) must not share one.
    name = x509.Name([x509.NameAttribute(
        NameOID.COMMON_NAME, f"agribot wecom-fake {secrets.token_hex(4)}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    descriptor = os.open(found.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_pem)
    found.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return found
