"""SSH to the hosts a cluster is made from: paramiko, with OpenSSH's rules for host keys.

Bootstrap (`cluster init/join/add`) reaches peers that have no cluster yet, so SSH is the only
trust there is; it must not be weaker than `ssh` itself. Host keys are therefore checked against
known_hosts before any credential is sent, as `StrictHostKeyChecking=accept-new` does: an unknown
key is refused with its fingerprint unless the caller accepts new keys, a changed key always.

We drive paramiko's Transport ourselves instead of its SSHClient (and MissingHostKeyPolicy):
SSHClient wants the password before it knows whether a key works, tries keys in its own order,
and matches known_hosts through paramiko's HostKeys, which knows no `*`/`!` patterns and no
@revoked. Our check runs right after the key exchange, before any credential is sent. Every
failure is an SshError whose text is one line naming the host; no password ever reaches a
message or a log.

Commands are argv lists; `quote_argv` is the one place they become the string SSH's exec channel
takes (the remote login shell, a POSIX shell for root on our hosts, splits it back).
"""

from __future__ import annotations

import logging
import posixpath
import re
import secrets
import shlex
import socket
import threading
import time
from base64 import b64encode
from contextlib import closing
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Callable, Iterator

import paramiko
from paramiko.hostkeys import HostKeyEntry
from paramiko.sftp import CMD_EXTENDED

from daemon.atomic_write import write_atomically

# paramiko logs handshake and auth errors (with tracebacks) from its own thread; we report each
# failure ourselves, in one line, so its records must not fall through to Python's last-resort
# handler, which prints them on the terminal.
_paramiko_log = logging.getLogger("paramiko")
_paramiko_log.addHandler(logging.NullHandler())
_paramiko_log.setLevel(logging.WARNING)

DEFAULT_KEY_NAMES = ("id_ed25519", "id_ecdsa", "id_rsa")
_known_hosts_lock = threading.Lock()  # sessions to several hosts may add keys at the same time


class SshError(Exception):
    """An SSH failure the user can act on; the message is one line naming the host."""


class UnknownHostKey(SshError):
    def __init__(self, host: str, key_type: str, fingerprint: str) -> None:
        super().__init__(f"{host}: unknown host key ({key_type} {fingerprint}); check it and "
                         "run again with --accept-new-host-key to trust it")
        self.host, self.key_type, self.fingerprint = host, key_type, fingerprint


class HostKeyChanged(SshError):
    def __init__(self, host: str, key: paramiko.PKey, known: list[paramiko.PKey], remove: str) -> None:
        super().__init__(f"WARNING: the host key of {host} changed (it is now {_describe(key)}, "
                         f"known_hosts has {', '.join(_describe(k) for k in known)}); "
                         f"remove the old key with {_quoted(remove)} if this is expected")
        self.host, self.key_type, self.fingerprint = host, key.get_name(), fingerprint(key)


class AuthFailed(SshError):
    """No key, agent key or password was accepted (the message says which were tried)."""


class Unreachable(SshError):
    """No TCP connection: refused, timed out, no route, or the name does not resolve."""


class CommandTimeout(SshError):
    """A command gave no result in time; its channel is closed."""


@dataclass(frozen=True)
class SshTarget:
    host: str
    user: str = "root"
    port: int = 22

    @property
    def known_hosts_name(self) -> str:
        """The name OpenSSH files this host's keys under: `[host]:port` off port 22."""
        host = self.host.lower()  # as ssh does, before matching or hashing
        return host if self.port == 22 else f"[{host}]:{self.port}"


@dataclass(frozen=True)
class CommandResult:
    returncode: int  # -1 when the command was killed by a signal (no exit status came back)
    stdout: bytes
    stderr: bytes


def quote_argv(argv: list[str]) -> str:
    """The one place an argv list becomes a string: SSH's exec channel only takes a string,
    which the remote shell splits back into exactly these words."""
    if not argv or not all(isinstance(word, str) for word in argv):
        raise TypeError(f"a command must be a non-empty list of strings, not {argv!r}")
    return shlex.join(argv)


def fingerprint(key: paramiko.PKey) -> str:
    """`SHA256:...` exactly as `ssh-keygen -l` and `ssh` print it (base64 without padding)."""
    return "SHA256:" + b64encode(sha256(key.asbytes()).digest()).decode().rstrip("=")


def _quoted(command: str) -> str:
    return f'"{command}"' if "'" in command else f"'{command}'"


def _describe(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {fingerprint(key)}"


def _glob(name: str, pattern: str) -> bool:
    """OpenSSH's wildcards, `*` and `?` only (`[host]:port` brackets are literal)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.IGNORECASE) is not None


def _host_matches(name: str, patterns: list[str]) -> bool:
    """OpenSSH's known_hosts matching: hashed names, wildcards, `!` negations."""
    hit = False
    for pattern in patterns:
        if pattern.startswith("|1|"):
            hit |= secrets.compare_digest(paramiko.HostKeys.hash_host(name, pattern), pattern)
        elif pattern.startswith("!"):
            if _glob(name, pattern[1:]):
                return False
        else:
            hit |= _glob(name, pattern)
    return hit


def _known_keys(path: Path, name: str) -> tuple[list[paramiko.PKey], list[paramiko.PKey]]:
    """The keys known_hosts holds for `name`, and the keys it marks @revoked. Lines paramiko
    cannot parse (and @cert-authority lines) are skipped, as OpenSSH skips what it can't use."""
    known: list[paramiko.PKey] = []
    revoked: list[paramiko.PKey] = []
    for line in path.read_text(errors="replace").splitlines():
        line = line.strip()
        marker = ""
        if line.startswith("@"):
            marker, _, line = line.partition(" ")
        if not line or line.startswith("#") or marker not in ("", "@revoked"):
            continue
        try:
            entry = HostKeyEntry.from_line(line)
        except Exception:  # a malformed line: paramiko raises several kinds
            entry = None
        if entry is not None and _host_matches(name, entry.hostnames):
            (revoked if marker else known).append(entry.key)
    return known, revoked


def _add_known_host(path: Path, name: str, key: paramiko.PKey) -> None:
    """Append a hashed entry (like HashKnownHosts), the file 0600 in a 0700 directory."""
    with _known_hosts_lock:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True)
            path.parent.chmod(0o700)
        old = path.read_bytes() if path.exists() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        line = f"{paramiko.HostKeys.hash_host(name)} {key.get_name()} {key.get_base64()}\n"
        write_atomically(path, old + line.encode(), new_mode=0o600)


def _reason(err: BaseException) -> str:
    if isinstance(err, socket.gaierror):
        unknown = err.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME))
        return "name not known" if unknown else str(err.strerror)
    if isinstance(err, TimeoutError):  # socket.timeout too
        return "timed out"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__


class SshSession:
    """One authenticated SSH connection to one host; several commands and files go over it."""

    def __init__(self, target: SshTarget, *, accept_new_host_key: bool = False,
                 known_hosts: Path | None = None, key_files: tuple[Path, ...] = (),
                 password: Callable[[str], str] | None = None,
                 connect_timeout: float = 10.0) -> None:
        self.target = target
        self.accept_new_host_key = accept_new_host_key
        self._default_known_hosts = known_hosts is None
        self.known_hosts = Path(known_hosts) if known_hosts else Path.home() / ".ssh" / "known_hosts"
        self.key_files = tuple(Path(p) for p in key_files)
        self._password = password
        self.connect_timeout = connect_timeout
        self._transport: paramiko.Transport | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def __enter__(self) -> SshSession:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        if self._transport is not None and self._transport.is_active():
            return
        host, port = self.target.host, self.target.port
        try:
            sock = socket.create_connection((host, port), timeout=self.connect_timeout)
        except OSError as err:
            raise Unreachable(f"{host}: cannot connect to port {port}: {_reason(err)}") from None
        transport = paramiko.Transport(sock)
        transport.banner_timeout = transport.handshake_timeout = self.connect_timeout
        try:
            known, revoked = self._read_known_hosts()
            self._prefer_known_key_types(transport, known)
            try:
                done = threading.Event()  # set on success and on failure
                transport.start_client(event=done)
                if not done.wait(self.connect_timeout):
                    raise TimeoutError  # (start_client's own timeout returns silently)
                if not transport.is_active():
                    raise transport.get_exception() or paramiko.SSHException("negotiation failed")
            except (paramiko.SSHException, EOFError, OSError) as err:
                raise SshError(f"{host}: SSH handshake on port {port} failed: {_reason(err)}") from None
            self._check_host_key(transport.get_remote_server_key(), known, revoked)
            self._authenticate(transport)
        except BaseException:
            transport.close()
            raise
        self._transport = transport

    def _read_known_hosts(self) -> tuple[list[paramiko.PKey], list[paramiko.PKey]]:
        try:
            return _known_keys(self.known_hosts, self.target.known_hosts_name)
        except FileNotFoundError:
            return [], []
        except OSError as err:
            raise SshError(f"{self.target.host}: cannot read {self.known_hosts}: {_reason(err)}") from None

    @staticmethod
    def _prefer_known_key_types(transport: paramiko.Transport, known: list[paramiko.PKey]) -> None:
        """Ask for the key type known_hosts has, so a host with several keys shows that one."""
        options = transport.get_security_options()
        wanted = []
        for key in known:
            names = ["rsa-sha2-512", "rsa-sha2-256"] if key.get_name() == "ssh-rsa" else [key.get_name()]
            wanted += [n for n in names if n in options.key_types and n not in wanted]
        options.key_types = wanted + [n for n in options.key_types if n not in wanted]

    def _check_host_key(self, key: paramiko.PKey, known: list[paramiko.PKey],
                        revoked: list[paramiko.PKey]) -> None:
        host, name = self.target.host, self.target.known_hosts_name
        if any(k.asbytes() == key.asbytes() for k in revoked):
            raise SshError(f"{host}: the host key ({_describe(key)}) is marked @revoked "
                           f"in {self.known_hosts}")
        if any(k.asbytes() == key.asbytes() for k in known):
            return
        if known:
            remove = ["ssh-keygen", "-R", name]
            if not self._default_known_hosts:
                remove += ["-f", str(self.known_hosts)]
            raise HostKeyChanged(host, key, known, shlex.join(remove))
        if not self.accept_new_host_key:
            raise UnknownHostKey(host, key.get_name(), fingerprint(key))
        try:
            _add_known_host(self.known_hosts, name, key)
        except OSError as err:
            raise SshError(f"{host}: cannot add its host key to {self.known_hosts}: {_reason(err)}") from None

    def _file_keys(self) -> Iterator[paramiko.PKey]:
        for path in self.key_files:  # asked for by name: a key we can't use is an error
            try:
                yield paramiko.PKey.from_path(path)
            except (paramiko.PasswordRequiredException, TypeError):
                # (cryptography raises TypeError for an OpenSSH-format key with a passphrase)
                raise SshError(f"{self.target.host}: the key {path} has a passphrase; "
                               "load it into ssh-agent instead") from None
            except (OSError, paramiko.SSHException, ValueError) as err:
                raise SshError(f"{self.target.host}: cannot use the key {path}: {_reason(err)}") from None
        for name in DEFAULT_KEY_NAMES:  # like ssh: quietly skip what is absent or locked
            try:
                yield paramiko.PKey.from_path(Path.home() / ".ssh" / name)
            except (OSError, paramiko.SSHException, ValueError, TypeError):
                continue

    @staticmethod
    def _agent_keys() -> Iterator[paramiko.PKey]:
        try:
            agent = paramiko.Agent()  # no agent running: no keys
        except paramiko.SSHException:
            return
        try:
            yield from agent.get_keys()
        finally:  # only once we are done: the agent signs for its keys while we authenticate
            agent.close()

    def _authenticate(self, transport: paramiko.Transport) -> None:
        """Keys given, default keys, the agent, then (only if all fail) the password."""
        user, host = self.target.user, self.target.host
        try:
            transport.auth_none(user)
            return  # the server wants no authentication
        except paramiko.BadAuthenticationType as err:
            allowed = set(err.allowed_types)
        except paramiko.SSHException:
            allowed = {"publickey", "password"}
        tried: list[str] = []

        def attempt(method: str, auth: Callable[[], object]) -> bool:
            if method not in tried:
                tried.append(method)
            try:
                auth()
            except paramiko.SSHException:
                pass
            return transport.is_authenticated()

        if "publickey" in allowed:
            seen: set[bytes] = set()
            for method, source in (("key", self._file_keys), ("agent", self._agent_keys)):
                with closing(source()) as keys:
                    for key in keys:
                        if key.asbytes() in seen or not transport.is_active():
                            continue
                        seen.add(key.asbytes())
                        if attempt(method, lambda: transport.auth_publickey(user, key)):
                            return
        if self._password and allowed & {"password", "keyboard-interactive"} and transport.is_active():
            secret = self._password(f"Password for {user}@{host}: ")
            if attempt("password", lambda: transport.auth_password(user, secret)):
                return
        what = f"tried: {', '.join(tried)}" if tried else "no key, agent or password to try"
        raise AuthFailed(f"{host}: SSH authentication as {user} failed ({what})")

    def _connected(self) -> paramiko.Transport:
        if self._transport is None or not self._transport.is_active():
            raise SshError(f"{self.target.host}: not connected")
        return self._transport

    def run(self, argv: list[str], *, stdin: bytes | None = None, timeout: float = 60.0) -> CommandResult:
        """Run argv on the host, feeding `stdin` and then end-of-file, and read stdout and stderr
        at the same time (a command that fills one while we wait on the other must not hang us).

        At `timeout` the channel is closed and CommandTimeout raised. That does not kill the
        remote command: sshd sends no signal for a closed channel, and refuses SSH's "signal"
        request in root sessions. A caller that must bound the remote work too runs its argv
        under coreutils' `timeout`.
        """
        command, host = quote_argv(argv), self.target.host
        deadline = time.monotonic() + timeout
        try:
            channel = self._connected().open_session(timeout=timeout)
            channel.exec_command(command)
        except (paramiko.SSHException, EOFError, OSError) as err:
            raise SshError(f"{host}: cannot run a command ({_reason(err)}): {_clip(command)}") from None
        out: list[bytes] = []
        err: list[bytes] = []
        workers = [threading.Thread(target=_drain, args=(channel.recv, out), daemon=True),
                   threading.Thread(target=_drain, args=(channel.recv_stderr, err), daemon=True),
                   threading.Thread(target=_feed, args=(channel, stdin or b""), daemon=True)]
        try:
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(max(0.0, deadline - time.monotonic()))
            if any(w.is_alive() for w in workers) or not channel.status_event.wait(
                    max(0.0, deadline - time.monotonic())):
                raise CommandTimeout(f"{host}: timed out after {timeout:g} s running: {_clip(command)}")
        finally:
            channel.close()
        if channel.exit_status == -1 and not (self._transport and self._transport.is_active()):
            raise SshError(f"{host}: the connection was lost while running: {_clip(command)}")
        return CommandResult(channel.exit_status, b"".join(out), b"".join(err))

    def _sftp_client(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            try:
                self._sftp = self._connected().open_sftp_client()
            except (paramiko.SSHException, EOFError, OSError) as err:
                raise SshError(f"{self.target.host}: cannot start SFTP: {_reason(err)}") from None
        return self._sftp

    def put_file(self, data: bytes, path: str, mode: int) -> None:
        """Replace `path` atomically: a temporary file in the same directory, given `mode`
        before the data goes in (a key is never readable by others, not even for a moment),
        flushed to the disk, then renamed over the old one."""
        sftp = self._sftp_client()
        directory, name = posixpath.split(path)
        tmp = posixpath.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            with sftp.open(tmp, "wb") as f:
                f.chmod(mode)
                f.set_pipelined(True)
                f.write(data)
                f.flush()
                try:  # OpenSSH's fsync extension; paramiko has no public call for it
                    sftp._request(CMD_EXTENDED, "fsync@openssh.com", f.handle)
                except (OSError, paramiko.SSHException):
                    pass
            sftp.posix_rename(tmp, path)
        except (OSError, paramiko.SSHException) as err:
            try:
                sftp.remove(tmp)
            except (OSError, paramiko.SSHException):
                pass
            raise SshError(f"{self.target.host}: cannot write {path}: {_reason(err)}") from None

    def get_file(self, path: str) -> bytes:
        try:
            with self._sftp_client().open(path, "rb") as f:
                f.prefetch()
                return f.read()
        except (OSError, paramiko.SSHException) as err:
            raise SshError(f"{self.target.host}: cannot read {path}: {_reason(err)}") from None

    def close(self) -> None:
        if self._sftp is not None:
            self._sftp.close()
            self._sftp = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def _clip(command: str, width: int = 100) -> str:
    """The command for a one-line message: newlines shown as \\n, long ones shortened."""
    command = command.replace("\n", "\\n")
    return command if len(command) <= width else command[:width - 3] + "..."


def _drain(recv: Callable[[int], bytes], into: list[bytes]) -> None:
    while chunk := recv(65536):
        into.append(chunk)


def _feed(channel: paramiko.Channel, data: bytes) -> None:
    try:
        if data:
            channel.sendall(data)
        channel.shutdown_write()
    except (OSError, EOFError, paramiko.SSHException):
        pass  # the command ended (or was stopped) before reading all of its input

