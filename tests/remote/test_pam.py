"""PAM for real, with temporary accounts: the password decides, and so does haclient."""

from __future__ import annotations

import pytest

from daemon.remote import pam
from daemon.remote.pam import AuthFailed, authenticate


def test_the_right_password_passes(ha_user):
    authenticate(ha_user.name, ha_user.password)


def test_a_wrong_password_and_an_unknown_user_read_the_same(ha_user):
    for user, password in ((ha_user.name, ha_user.password + "x"), ("crmt-nobody", "pw")):
        with pytest.raises(AuthFailed) as info:
            authenticate(user, password)
        assert str(info.value) == f"authentication failed for user {user}"
        assert password not in str(info.value)


def test_a_user_outside_haclient_is_refused(outsider):
    pam.check_password(outsider.name, outsider.password)       # the password is right
    with pytest.raises(AuthFailed, match="not in group haclient") as info:
        authenticate(outsider.name, outsider.password)
    assert outsider.password not in str(info.value)


def test_an_empty_or_nul_password_is_refused_before_pam(ha_user):
    for password in ("", ha_user.password + "\0"):
        with pytest.raises(AuthFailed, match="authentication failed"):
            authenticate(ha_user.name, password)


def test_the_group_is_primary_or_supplementary(ha_user):
    assert pam.in_group(ha_user.name, "haclient")
    assert pam.in_group("root", "root")
    assert not pam.in_group("crmt-nobody", "haclient") and not pam.in_group("root", "no-such")


def test_the_service_file_is_shipped_and_installed_only_when_absent(tmp_path):
    text = pam.SERVICE_FILE.read_text()
    assert "auth include common-auth" in text and "account include common-account" in text
    assert text.startswith("#")
    assert pam.install_pam_service(tmp_path) == tmp_path / "crmshell"
    assert (tmp_path / "crmshell").read_text() == text
    (tmp_path / "crmshell").write_text("# mine\n")
    assert pam.install_pam_service(tmp_path) is None
    assert (tmp_path / "crmshell").read_text() == "# mine\n"
