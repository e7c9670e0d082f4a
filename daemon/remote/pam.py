"""Checking a password with PAM, through ctypes on libpam.so.0 (no compiled module needed).

The node accepts `cluster auth` only for a valid account in haclient, as pcsd does: PAM's
`auth` (the password) and `account` (expired, locked) stacks of the `crmshell` service, then
the group. The reasons are never told apart to the caller (a wrong password and an unknown
user read the same), and the password never appears in any message.

Memory: PAM frees the responses array and each answer itself, so both come from libc's
calloc/strdup, never from Python; the conversation callback is kept referenced for as long as
the PAM handle lives, or ctypes would free the trampoline PAM calls back into.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import grp
import os
import pwd
from pathlib import Path

from daemon.atomic_write import write_atomically

SERVICE = "crmshell"
SERVICE_FILE = Path(__file__).resolve().parent / "pam.d" / SERVICE

PAM_SUCCESS = 0
PAM_BUF_ERR = 5
PAM_CONV_ERR = 19
PAM_RHOST = 4
PAM_FAIL_DELAY = 10
PAM_PROMPT_ECHO_OFF = 1
PAM_PROMPT_ECHO_ON = 2
PAM_ERROR_MSG = 3
PAM_TEXT_INFO = 4


class AuthFailed(Exception):
    """Refused; the message is safe to show and to log (no password in it)."""


class PamUnavailable(AuthFailed):
    """libpam cannot be loaded: nobody can authenticate on this node."""


class _Message(ctypes.Structure):
    _fields_ = [("msg_style", ctypes.c_int), ("msg", ctypes.c_char_p)]


class _Response(ctypes.Structure):
    _fields_ = [("resp", ctypes.c_void_p), ("resp_retcode", ctypes.c_int)]


_CONV = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.POINTER(_Message)),
                         ctypes.POINTER(ctypes.POINTER(_Response)), ctypes.c_void_p)


# PAM's own delay after a failure (pam_unix: about 2 s, random) is replaced by the server's,
# which is the same every time and does not hold a worker thread.
_DELAY = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p)
_NO_DELAY = _DELAY(lambda _status, _usec, _appdata: None)


class _Conv(ctypes.Structure):
    _fields_ = [("conv", _CONV), ("appdata_ptr", ctypes.c_void_p)]


_libs = None


def _load():
    global _libs
    if _libs is None:
        try:
            pam = ctypes.CDLL("libpam.so.0")
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        except OSError as err:
            raise PamUnavailable(f"cannot load libpam.so.0 ({err}); install libpam0g") from None
        handle = ctypes.c_void_p
        pam.pam_start.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_Conv),
                                  ctypes.POINTER(handle)]
        pam.pam_start.restype = ctypes.c_int
        for name in ("pam_authenticate", "pam_acct_mgmt", "pam_end"):
            getattr(pam, name).argtypes = [handle, ctypes.c_int]
            getattr(pam, name).restype = ctypes.c_int
        pam.pam_set_item.argtypes = [handle, ctypes.c_int, ctypes.c_void_p]
        pam.pam_set_item.restype = ctypes.c_int
        pam.pam_strerror.argtypes = [handle, ctypes.c_int]
        pam.pam_strerror.restype = ctypes.c_char_p
        libc.calloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
        libc.calloc.restype = ctypes.c_void_p
        libc.strdup.argtypes = [ctypes.c_char_p]
        libc.strdup.restype = ctypes.c_void_p
        libc.free.argtypes = [ctypes.c_void_p]
        libc.free.restype = None
        _libs = (pam, libc)
    return _libs


def _conversation(password: bytes, libc):
    """The callback answering PAM's password prompt (and nothing else it might ask)."""
    def conv(count, messages, responses, _appdata):
        if count <= 0:
            return PAM_CONV_ERR
        array = libc.calloc(count, ctypes.sizeof(_Response))
        if not array:
            return PAM_BUF_ERR
        answers = ctypes.cast(array, ctypes.POINTER(_Response))
        for i in range(count):
            style = messages[i].contents.msg_style
            if style == PAM_PROMPT_ECHO_OFF:
                answers[i].resp = libc.strdup(password)
                if not answers[i].resp:
                    return _give_up(libc, answers, count, PAM_BUF_ERR)
            elif style in (PAM_ERROR_MSG, PAM_TEXT_INFO):
                answers[i].resp = None
            else:                      # a question we cannot answer (an OTP, a new password)
                return _give_up(libc, answers, count, PAM_CONV_ERR)
        responses[0] = answers
        return PAM_SUCCESS
    return _CONV(conv)


def _give_up(libc, answers, count: int, code: int) -> int:
    for i in range(count):
        if answers[i].resp:
            libc.free(answers[i].resp)
    libc.free(ctypes.cast(answers, ctypes.c_void_p))
    return code


def check_password(user: str, password: str, service: str = SERVICE,
                   rhost: str | None = None) -> None:
    """PAM's auth and account stacks for `user`; AuthFailed with PAM's reason otherwise.
    The reason is for the log: callers show the caller only `authenticate`'s message."""
    pam, libc = _load()
    callback = _conversation(password.encode("utf-8"), libc)
    conv = _Conv(callback, None)
    handle = ctypes.c_void_p()
    status = pam.pam_start(service.encode(), user.encode("utf-8"), ctypes.byref(conv),
                           ctypes.byref(handle))
    if status != PAM_SUCCESS:
        raise AuthFailed(f"PAM service {service} cannot start (error {status})")
    try:
        pam.pam_set_item(handle, PAM_FAIL_DELAY, ctypes.cast(_NO_DELAY, ctypes.c_void_p))
        if rhost:
            pam.pam_set_item(handle, PAM_RHOST, ctypes.c_char_p(rhost.encode()))
        status = pam.pam_authenticate(handle, 0)
        if status == PAM_SUCCESS:
            status = pam.pam_acct_mgmt(handle, 0)
        if status != PAM_SUCCESS:
            reason = (pam.pam_strerror(handle, status) or b"error").decode(errors="replace")
            raise AuthFailed(f"PAM refused user {user}: {reason}")
    finally:
        pam.pam_end(handle, status)
        del callback, conv           # only now: PAM may call back until pam_end


def in_group(user: str, group: str) -> bool:
    """Primary or supplementary member of `group` (as daemon.api.auth decides locally)."""
    try:
        gid = grp.getgrnam(group).gr_gid
        entry = pwd.getpwnam(user)
    except KeyError:
        return False
    return entry.pw_gid == gid or gid in os.getgrouplist(entry.pw_name, entry.pw_gid)


def authenticate(user: str, password: str, service: str = SERVICE, group: str = "haclient",
                 rhost: str | None = None) -> None:
    """Return if `user` with `password` may use the remote API, else raise AuthFailed with
    one message for every password or account failure."""
    refused = AuthFailed(f"authentication failed for user {user}")
    if not user or "\0" in user or "\0" in password or len(password) > 4096:
        raise refused
    try:
        check_password(user, password, service, rhost)
    except PamUnavailable:
        raise
    except AuthFailed:
        raise refused from None
    if not in_group(user, group):
        raise AuthFailed(f"user {user} is not in group {group} (add it: usermod -aG {group} "
                         f"{user})")


def install_pam_service(etc_pam_d=Path("/etc/pam.d")) -> Path | None:
    """Copy the shipped `crmshell` service file into place when it is not there yet (an
    administrator's own version is kept). The path written, or None."""
    target = Path(etc_pam_d) / SERVICE
    if target.exists():
        return None
    write_atomically(target, SERVICE_FILE.read_bytes(), new_mode=0o644)
    return target
