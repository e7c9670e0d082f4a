"""A node's TLS identity: private files, kept across restarts, fingerprint as openssl says."""

from __future__ import annotations

import stat
import subprocess

import pytest
from cryptography import x509

from daemon.remote.identity import IdentityError, ensure_identity, regenerate


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_made_once_private_and_kept(tmp_path):
    directory = tmp_path / "remote"
    ident = ensure_identity(directory, "node1")
    assert mode(directory) == 0o700 and mode(ident.key_path) == 0o600
    assert ensure_identity(directory, "node1") == ident
    assert regenerate(directory, "node1").fingerprint != ident.fingerprint


def test_the_fingerprint_is_the_one_openssl_prints(tmp_path):
    ident = ensure_identity(tmp_path, "node1")
    out = subprocess.run(["openssl", "x509", "-in", str(ident.cert_path), "-noout",
                          "-fingerprint", "-sha256"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    assert "SHA256:" + out.strip().split("=", 1)[1] == ident.fingerprint


def test_the_certificate_names_the_host_for_ten_years(tmp_path):
    ident = ensure_identity(tmp_path, "db2.example")
    cert = x509.load_pem_x509_certificate(ident.cert_path.read_bytes())
    assert cert.subject.rfc4514_string() == "CN=db2.example"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["db2.example"]
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    assert 3649 <= days <= 3651


def test_loose_modes_are_tightened(tmp_path):
    ident = ensure_identity(tmp_path / "r", "n")
    (tmp_path / "r").chmod(0o755)
    ident.key_path.chmod(0o644)
    ensure_identity(tmp_path / "r", "n")
    assert mode(tmp_path / "r") == 0o700 and mode(ident.key_path) == 0o600


def test_a_broken_certificate_is_an_error_naming_it(tmp_path):
    ident = ensure_identity(tmp_path, "n")
    ident.cert_path.write_text("garbage")
    with pytest.raises(IdentityError, match=str(ident.cert_path)):
        ensure_identity(tmp_path, "n")
