"""crmshell.bootstrap.ssh against a real OpenSSH sshd on 127.0.0.1 (a free port, temporary host
and client keys, nothing of the machine's own SSH setup used).

Every test runs with HOME in a temporary directory and no SSH agent, so the running user's own
keys, agent and known_hosts take no part unless a test puts them there.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import stat
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from crmshell.bootstrap.ssh import (AuthFailed, CommandTimeout, HostKeyChanged, SshError,
                                    SshSession, SshTarget, UnknownHostKey, Unreachable,
                                    quote_argv)

SSHD = Path("/usr/sbin/sshd")
pytestmark = pytest.mark.skipif(not SSHD.exists() or os.geteuid() != 0,
                                reason="needs openssh-server's sshd and root")


def _keygen(path: Path, kind: str = "ed25519") -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "test", "-f", str(path)],
                   check=True, timeout=30, stdout=subprocess.DEVNULL)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Sshd:
    port: int
    host_key: Path  # its .pub beside it
    client_key: Path
    log: Path

    def target(self, user: str = "root") -> SshTarget:
        return SshTarget("127.0.0.1", user=user, port=self.port)

    def known_line(self, name: str | None = None) -> str:
        kind, blob = (self.host_key.with_suffix(".pub").read_text().split()[:2])
        return f"{name or f'[127.0.0.1]:{self.port}'} {kind} {blob}\n"


@contextmanager
def running_sshd(directory: Path, extra: str = "") -> Iterator[Sshd]:
    """An sshd of our own, killed (with its connection children) however the test ends."""
    directory.mkdir(parents=True, exist_ok=True)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # its privilege-separation directory
    host_key = _keygen(directory / "host_ed25519")
    client_key = _keygen(directory / "client_ed25519")
    authorized = directory / "authorized_keys"
    authorized.write_text(client_key.with_suffix(".pub").read_text())
    port = _free_port()
    config = directory / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nHostKey {host_key}\nAuthorizedKeysFile {authorized}\n"
        f"PidFile {directory / 'sshd.pid'}\nStrictModes no\nSubsystem sftp internal-sftp\n"
        "KbdInteractiveAuthentication no\n"
        + (extra or "PasswordAuthentication no\nUsePAM no\n"))
    log = directory / "sshd.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config), "-p", str(port)],
                                stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sshd exited with {proc.returncode}: {log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"sshd did not listen: {log.read_text()}")
                time.sleep(0.05)
        yield Sshd(port, host_key, client_key, log)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return home


@pytest.fixture
def known_hosts(tmp_path: Path, sshd: Sshd) -> Path:
    path = tmp_path / "known_hosts"
    path.write_text(sshd.known_line())
    return path


@pytest.fixture
def session(sshd: Sshd, known_hosts: Path) -> Iterator[SshSession]:
    with SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,)) as s:
        yield s


def _fingerprint(pub: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    return out.split()[1]


# --- commands ---------------------------------------------------------------------------------

def test_quote_argv_is_shell_split_back_to_the_same_words() -> None:
    words = ["a b", "$HOME", "x;y", "it's", "line1\nline2", "", "*", "`id`", "\\", '"q"']
    assert shlex.split(quote_argv(words)) == words
    with pytest.raises(TypeError):
        quote_argv([])
    with pytest.raises(TypeError):
        quote_argv(["ls", 3])  # type: ignore[list-item]


def test_argv_words_arrive_exactly(session: SshSession) -> None:
    words = ["a b", "$HOME", "x;y", "it's", "line1\nline2", "", "*", "`id`", "\\", '"q"', "&&", "|"]
    result = session.run(["python3", "-c", "import sys,json;print(json.dumps(sys.argv[1:]))", *words])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == words


def test_stdin_is_passed_and_closed(session: SshSession) -> None:
    assert session.run(["cat"], stdin=b"hello\x00world\n").stdout == b"hello\x00world\n"
    assert session.run(["cat"]).stdout == b""  # no stdin: end-of-file at once, no hang


def test_exit_codes_and_stderr(session: SshSession) -> None:
    assert session.run(["true"]).returncode == 0
    result = session.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (result.returncode, result.stdout, result.stderr) == (3, b"out\n", b"err\n")
    assert session.run(["sh", "-c", "kill -9 $$"]).returncode == -1  # killed: no exit status


def test_big_outputs_and_input_do_not_deadlock(session: SshSession) -> None:
    script = ("import sys; o, e = sys.stdout.buffer, sys.stderr.buffer\n"
              "for _ in range(50): o.write(b'x' * 100_000); e.write(b'y' * 20_000)\n")
    result = session.run(["python3", "-c", script], timeout=30)
    assert result.stdout == b"x" * 5_000_000 and result.stderr == b"y" * 1_000_000
    data = os.urandom(8_000_000)  # far more than the SSH windows: cat writes while we still send
    assert session.run(["cat"], stdin=data, timeout=30).stdout == data


def test_timeout_closes_the_channel_and_keeps_the_session(session: SshSession) -> None:
    started = time.monotonic()
    with pytest.raises(CommandTimeout) as info:
        session.run(["sh", "-c", "echo partial; exec sleep 30"], timeout=1)
    assert time.monotonic() - started < 5
    assert str(info.value) == ("127.0.0.1: timed out after 1 s running: "
                               "sh -c 'echo partial; exec sleep 30'")
    assert session.run(["echo", "still here"]).stdout == b"still here\n"


def test_timeout_while_the_command_does_not_read_its_input(session: SshSession) -> None:
    with pytest.raises(CommandTimeout):
        session.run(["sleep", "30"], stdin=b"z" * 10_000_000, timeout=1)
    assert session.run(["true"]).returncode == 0


def test_several_commands_at_once_over_one_session(session: SshSession) -> None:
    results: dict[int, bytes] = {}

    def one(i: int) -> None:
        results[i] = session.run(["sh", "-c", f"sleep 0.2; echo {i}"]).stdout

    threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {i: f"{i}\n".encode() for i in range(5)}


# --- files ------------------------------------------------------------------------------------

def test_put_file_and_get_file(session: SshSession, tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    remote.mkdir()
    path = remote / "authkey"
    session.put_file(b"secret\x00bytes", str(path), 0o400)
    assert path.read_bytes() == b"secret\x00bytes"
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    session.put_file(b"second", str(path), 0o640)  # replaces, with the new mode
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert session.get_file(str(path)) == b"second"
    assert [p.name for p in remote.iterdir()] == ["authkey"]  # no temporary file left
    big = os.urandom(3_000_000)
    session.put_file(big, str(remote / "big"), 0o644)
    assert session.get_file(str(remote / "big")) == big


def test_file_errors_name_host_and_path(session: SshSession, tmp_path: Path) -> None:
    with pytest.raises(SshError, match=r"^127\.0\.0\.1: cannot write .*/nodir/f: .*No such file"):
        session.put_file(b"x", str(tmp_path / "nodir" / "f"), 0o600)
    with pytest.raises(SshError, match=r"^127\.0\.0\.1: cannot read .*/missing: .*No such file"):
        session.get_file(str(tmp_path / "missing"))


# --- host keys --------------------------------------------------------------------------------

def test_unknown_host_key_is_refused_with_its_fingerprint(sshd: Sshd, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    with pytest.raises(UnknownHostKey) as info:
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,)).connect()
    err = info.value
    fp = _fingerprint(sshd.host_key.with_suffix(".pub"))
    assert (err.host, err.key_type, err.fingerprint) == ("127.0.0.1", "ssh-ed25519", fp)
    assert str(err) == (f"127.0.0.1: unknown host key (ssh-ed25519 {fp}); check it and run again "
                        "with --accept-new-host-key to trust it")
    assert not known_hosts.exists()


def test_a_port_22_entry_does_not_vouch_for_another_port(sshd: Sshd, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd.known_line("127.0.0.1"))
    with pytest.raises(UnknownHostKey):
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,)).connect()


def test_accepted_new_key_is_written_hashed_then_trusted(sshd: Sshd, tmp_path: Path) -> None:
    known_hosts = tmp_path / "new" / ".ssh" / "known_hosts"
    with SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,),
                    accept_new_host_key=True) as s:
        assert s.run(["true"]).returncode == 0
    assert stat.S_IMODE(known_hosts.stat().st_mode) == 0o600
    assert stat.S_IMODE(known_hosts.parent.stat().st_mode) == 0o700
    line = known_hosts.read_text()
    assert line.startswith("|1|") and "127.0.0.1" not in line
    found = subprocess.run(["ssh-keygen", "-F", f"[127.0.0.1]:{sshd.port}", "-f", str(known_hosts)],
                           capture_output=True, text=True, timeout=30)
    assert found.returncode == 0, "OpenSSH does not find the entry we wrote"
    with SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,)) as s:
        assert s.run(["true"]).returncode == 0
    assert known_hosts.read_text() == line  # nothing added the second time


def test_default_known_hosts_is_in_home(sshd: Sshd, isolated_home: Path) -> None:
    with SshSession(sshd.target(), key_files=(sshd.client_key,), accept_new_host_key=True):
        pass
    path = isolated_home / ".ssh" / "known_hosts"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_hashed_entries_from_ssh_keyscan_are_honoured(sshd: Sshd, tmp_path: Path) -> None:
    scanned = subprocess.run(["ssh-keyscan", "-H", "-t", "ed25519", "-p", str(sshd.port), "127.0.0.1"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    assert scanned.startswith("|1|")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("# comment\n\nnot a valid line\notherhost,10.0.0.9 ssh-ed25519 AAAA\n" + scanned)
    with SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,)) as s:
        assert s.run(["true"]).returncode == 0


def test_changed_host_key_is_refused_even_with_the_flag(sshd: Sshd, tmp_path: Path) -> None:
    other = _keygen(tmp_path / "other")
    kind, blob = other.with_suffix(".pub").read_text().split()[:2]
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{sshd.port} {kind} {blob}\n")
    before = known_hosts.read_text()
    with pytest.raises(HostKeyChanged) as info:
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,),
                   accept_new_host_key=True).connect()
    message = str(info.value)
    assert message.startswith("WARNING: the host key of 127.0.0.1 changed (")
    assert _fingerprint(sshd.host_key.with_suffix(".pub")) in message
    assert _fingerprint(other.with_suffix(".pub")) in message
    assert f"with \"ssh-keygen -R '[127.0.0.1]:{sshd.port}' -f {known_hosts}\" if" in message
    assert info.value.fingerprint == _fingerprint(sshd.host_key.with_suffix(".pub"))
    assert known_hosts.read_text() == before


def test_host_patterns_as_openssh_matches_them() -> None:
    from paramiko import HostKeys

    from crmshell.bootstrap.ssh import _host_matches
    assert _host_matches("[node1]:2222", ["[node1]:2222"])
    assert not _host_matches("[node1]:2222", ["node1"])
    assert _host_matches("db.example.com", ["other", "*.EXAMPLE.com"])
    assert not _host_matches("bad.example.com", ["*.example.com", "!bad.*"])
    assert _host_matches("node?", ["node?"]) and _host_matches("node7", ["node?"])
    assert _host_matches("node1", [HostKeys.hash_host("node1")])
    assert not _host_matches("node2", [HostKeys.hash_host("node1")])


def test_revoked_host_key_is_refused(sshd: Sshd, known_hosts: Path) -> None:
    known_hosts.write_text(known_hosts.read_text() + "@revoked " + sshd.known_line("*"))
    with pytest.raises(SshError, match="@revoked"):
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(sshd.client_key,)).connect()


# --- connecting and authenticating ------------------------------------------------------------

def test_unreachable_port_and_unknown_name(tmp_path: Path) -> None:
    port = _free_port()
    with pytest.raises(Unreachable) as info:
        SshSession(SshTarget("127.0.0.1", port=port), known_hosts=tmp_path / "kh").connect()
    assert str(info.value) == f"127.0.0.1: cannot connect to port {port}: Connection refused"
    with pytest.raises(Unreachable) as info:
        SshSession(SshTarget("no-such-host.invalid"), known_hosts=tmp_path / "kh").connect()
    assert str(info.value) == "no-such-host.invalid: cannot connect to port 22: name not known"


def test_a_silent_server_times_out_quietly(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(SshError, match=rf"^127\.0\.0\.1: SSH handshake on port {port} failed"):
            SshSession(SshTarget("127.0.0.1", port=port), known_hosts=tmp_path / "kh",
                       connect_timeout=1).connect()
        assert time.monotonic() - started < 5
    time.sleep(0.2)  # paramiko's thread would log its traceback about now
    assert capfd.readouterr().err == ""


def test_wrong_key_fails_authentication(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    wrong = _keygen(tmp_path / "wrong")
    with pytest.raises(AuthFailed) as info:
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(wrong,)).connect()
    assert str(info.value) == "127.0.0.1: SSH authentication as root failed (tried: key)"
    with pytest.raises(AuthFailed, match=r"\(no key, agent or password to try\)"):
        SshSession(sshd.target(), known_hosts=known_hosts).connect()


def test_unusable_key_file_is_named(sshd: Sshd, known_hosts: Path, tmp_path: Path) -> None:
    with pytest.raises(SshError, match=r"^127\.0\.0\.1: cannot use the key .*/absent: No such file"):
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(tmp_path / "absent",)).connect()
    locked = tmp_path / "locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "passphrase", "-f", str(locked)],
                   check=True, timeout=30)
    with pytest.raises(SshError, match=r"the key .*/locked has a passphrase; load it into ssh-agent"):
        SshSession(sshd.target(), known_hosts=known_hosts, key_files=(locked,)).connect()


def test_default_key_in_home_is_used(sshd: Sshd, known_hosts: Path, isolated_home: Path) -> None:
    ssh_dir = isolated_home / ".ssh"
    ssh_dir.mkdir(mode=0o700)
    _keygen(ssh_dir / "id_ed25519")  # not authorized: tried and refused first
    subprocess.run(["ssh-keygen", "-q", "-t", "ecdsa", "-N", "passphrase", "-f", str(ssh_dir / "id_ecdsa")],
                   check=True, timeout=30)  # locked: skipped, as ssh without a terminal does
    (ssh_dir / "id_rsa").write_bytes(sshd.client_key.read_bytes())  # the type comes from the file
    with SshSession(sshd.target(), known_hosts=known_hosts) as s:
        assert s.run(["true"]).returncode == 0


def test_agent_key_is_used(sshd: Sshd, known_hosts: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        env = {**os.environ, "SSH_AUTH_SOCK": str(sock)}
        subprocess.run(["ssh-add", "-q", str(sshd.client_key)], env=env, check=True, timeout=30,
                       capture_output=True)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        with SshSession(sshd.target(), known_hosts=known_hosts) as s:
            assert s.run(["true"]).returncode == 0
    finally:
        agent.terminate()
        agent.wait(5)


def test_password_is_asked_only_after_keys_fail(tmp_path: Path) -> None:
    """sshd allows passwords for root here; root's password is not known (nor needed): the
    point is when the callable is asked, and that a refused password appears nowhere."""
    with running_sshd(tmp_path / "pw", "PasswordAuthentication yes\nUsePAM no\n"
                      "PermitRootLogin yes\n") as server:
        known_hosts = tmp_path / "known_hosts"
        known_hosts.write_text(server.known_line())
        asked: list[str] = []

        def password(prompt: str) -> str:
            asked.append(prompt)
            return "not-the-password-8b1e"

        with SshSession(server.target(), known_hosts=known_hosts, key_files=(server.client_key,),
                        password=password) as s:
            assert s.run(["true"]).returncode == 0
        assert asked == []
        wrong = _keygen(tmp_path / "wrong")
        with pytest.raises(AuthFailed) as info:
            SshSession(server.target(), known_hosts=known_hosts, key_files=(wrong,),
                       password=password).connect()
        assert asked == ["Password for root@127.0.0.1: "]
        assert str(info.value) == "127.0.0.1: SSH authentication as root failed (tried: key, password)"
        assert "not-the-password-8b1e" not in repr(info.value)
        assert "not-the-password-8b1e" not in server.log.read_text()


@pytest.fixture
def password_user() -> Iterator[tuple[str, str]]:
    """A temporary account with a random password, removed however the test ends."""
    name = f"crmssh{os.getpid() % 100000}"
    password = os.urandom(12).hex()
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True, timeout=30)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, timeout=30)
        yield name, password
    finally:
        subprocess.run(["userdel", "-r", "-f", name], timeout=30, capture_output=True)


def test_password_authentication_with_pam(tmp_path: Path, password_user: tuple[str, str]) -> None:
    user, secret = password_user
    with running_sshd(tmp_path / "pam", "PasswordAuthentication yes\nUsePAM yes\n") as server:
        known_hosts = tmp_path / "known_hosts"
        known_hosts.write_text(server.known_line())
        asked: list[str] = []

        def password(prompt: str) -> str:
            asked.append(prompt)
            return secret

        with SshSession(server.target(user), known_hosts=known_hosts, password=password) as s:
            assert s.run(["id", "-un"]).stdout == f"{user}\n".encode()
        assert asked == [f"Password for {user}@127.0.0.1: "]
        with pytest.raises(AuthFailed, match=rf"as {user} failed \(tried: password\)"):
            SshSession(server.target(user), known_hosts=known_hosts,
                       password=lambda prompt: "wrong").connect()
        assert secret not in server.log.read_text()
