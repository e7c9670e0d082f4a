"""A node's TLS identity: a self-signed certificate and its key, made once, kept for years.

Nobody signs it: the caller trusts a node by pinning the certificate's fingerprint the first
time it authenticates with the password (`cluster auth`), and refuses a changed one after that.
So the certificate must stay the same across restarts (it is only made when absent) and the
key must stay private (0600, in a 0700 directory). `cryptography` is imported only to make
one, which keeps the remote daemon's start fast.
"""

from __future__ import annotations

import datetime
import os
import ssl
from collections import namedtuple
from pathlib import Path

from daemon.atomic_write import write_atomically
from daemon.remote.protocol import fingerprint

__all__ = ["Identity", "IdentityError", "ensure_identity", "regenerate", "fingerprint",
           "CERT_NAME", "KEY_NAME"]

CERT_NAME = "tls.crt"
KEY_NAME = "tls.key"
VALID_DAYS = 3650

Identity = namedtuple("Identity", "cert_path key_path fingerprint")


class IdentityError(Exception):
    """The certificate or key cannot be read or made; the message names the file."""


def ensure_identity(directory, hostname: str) -> Identity:
    """The node's identity in `directory`, made first if the certificate or key is missing."""
    directory = _private_directory(Path(directory))
    cert, key = directory / CERT_NAME, directory / KEY_NAME
    if cert.exists() and key.exists():
        _keep_private(key)
        return Identity(cert, key, fingerprint(_der(cert)))
    return regenerate(directory, hostname)


def regenerate(directory, hostname: str) -> Identity:
    """A new key and certificate (every caller that pinned the old one will refuse it)."""
    directory = _private_directory(Path(directory))
    cert, key = directory / CERT_NAME, directory / KEY_NAME
    cert_pem, key_pem = _make(hostname)
    try:
        write_atomically(key, key_pem, new_mode=0o600)
        _keep_private(key)
        write_atomically(cert, cert_pem, new_mode=0o644)
    except OSError as err:
        raise IdentityError(f"cannot write the TLS identity in {directory}: "
                            f"{err.strerror}") from None
    return Identity(cert, key, fingerprint(ssl.PEM_cert_to_DER_cert(cert_pem.decode())))


def _private_directory(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if directory.stat().st_mode & 0o077:
            os.chmod(directory, 0o700)
    except OSError as err:
        raise IdentityError(f"cannot use {directory} for the TLS identity: "
                            f"{err.strerror}") from None
    return directory


def _keep_private(key: Path) -> None:
    if key.stat().st_mode & 0o077:
        os.chmod(key, 0o600)


def _der(cert: Path) -> bytes:
    try:
        return ssl.PEM_cert_to_DER_cert(cert.read_text(encoding="ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise IdentityError(f"{cert} is not a PEM certificate ({err}); remove it and "
                            f"{cert.with_name(KEY_NAME)} to make a new identity") from None


def _make(hostname: str) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM): EC P-256, CN and DNS SAN the host name, 10 years."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
