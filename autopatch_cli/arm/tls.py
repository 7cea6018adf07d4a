"""``serve --tls``: a self-signed certificate for the loopback addresses, made once and kept beside the store.

az refuses bearer tokens over plain http, so the real azure-cli talks to the emulator only over https. The
certificate is made with ``cryptography`` (the maintained library under trustme, pyOpenSSL and the SDKs'
own certificate credentials): an EC P-256 key, subjectAltName IP:127.0.0.1, IP:::1 and DNS:localhost,
CA:TRUE so that it can stand as its own trust anchor in ``REQUESTS_CA_BUNDLE`` (OpenSSL 3 accepts a
self-signed leaf there only as a CA). It is kept while it is readable, covers those names and has more than
a week to live; otherwise a new one replaces it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

CERT_NAME = "tls-cert.pem"
KEY_NAME = "tls-key.pem"
VALID_DAYS = 825  # the longest life browsers and OpenSSL-based clients accept for a server certificate
RENEW_BEFORE = dt.timedelta(days=7)
NAMES = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Certificate:
    certfile: Path
    keyfile: Path
    created: bool


def folder_for(store_path: Path) -> Path:
    """Where serve keeps its certificate: a folder beside the store, named after it."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".tls")


def ensure(store_path: Path, *, now: dt.datetime | None = None) -> Certificate:
    """The store's self-signed loopback certificate, made if missing, unreadable, wrong or about to expire."""
    folder = folder_for(store_path)
    certfile, keyfile = folder / CERT_NAME, folder / KEY_NAME
    now = now or dt.datetime.now(dt.UTC)
    if _usable(certfile, keyfile, now):
        return Certificate(certfile, keyfile, created=False)
    folder.mkdir(parents=True, exist_ok=True)
    cert_pem, key_pem = make(now)
    _write_private(keyfile, key_pem)
    _write_atomic(certfile, cert_pem)
    return Certificate(certfile, keyfile, created=True)


def make(now: dt.datetime) -> tuple[bytes, bytes]:
    """A new self-signed certificate and its key, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "autopatch serve (127.0.0.1)"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "autopatch local emulator")])
    alternatives = [x509.DNSName(n) for n in NAMES] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES]
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert_pem, key_pem


def _usable(certfile: Path, keyfile: Path, now: dt.datetime) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(certfile.read_bytes())
        key = serialization.load_pem_private_key(keyfile.read_bytes(), password=None)
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    if certificate.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        return False
    covered = set(names.get_values_for_type(x509.DNSName)) >= set(NAMES) and {
        str(a) for a in names.get_values_for_type(x509.IPAddress)} >= set(ADDRESSES)
    return covered and certificate.not_valid_after_utc - RENEW_BEFORE > now


def _write_private(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
