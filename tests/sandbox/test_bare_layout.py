"""The pure parts of bare sandbox hosts: mounts, files, accounts, argv, status, the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmshell.sandbox import bare, commands
from crmshell.sandbox import layout as lay
from crmshell.sandbox.cli import ask_password, format_status

LAYOUT = lay.Layout(Path("/s"), 3)
PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "hacluster:x:102:105::/var/lib/pacemaker:/usr/sbin/nologin\n")
GROUP = "root:x:0:\nhaclient:x:105:\n"


def test_each_host_mounts_its_own_directories_on_the_system_paths() -> None:
    node = LAYOUT.node(2)
    assert bare.binds(node, LAYOUT) == [
        (Path("/s/node2/etc"), "/etc"),
        (Path("/s/node2/var-lib-crmshell"), "/var/lib/crmshell"),
        (Path("/s/node2/var-lib-corosync"), "/var/lib/corosync"),
        (Path("/s/node2/var-log"), "/var/log"),
        (Path("/s/node2/root-ssh"), "/root/.ssh"),
        (Path("/s/bin"), "/usr/local/sbin")]
    assert bare.ssh_key(LAYOUT) == Path("/s/ssh/id_ed25519")
    assert set(bare.MOUNTPOINTS) <= {target for _, target in bare.binds(node, LAYOUT)}


def test_hosts_file_names_every_node_and_nothing_on_loopback_but_localhost() -> None:
    lines = bare.hosts_text(LAYOUT).splitlines()
    assert lines[2:] == ["10.213.0.1\tnode1", "10.213.0.2\tnode2", "10.213.0.3\tnode3"]
    assert not any(line.startswith("127.0.1.1") for line in lines)


def test_a_node_keeps_its_mac_address_across_restarts() -> None:
    assert LAYOUT.node(3).mac == "02:5a:0a:d5:00:03"
    assert len({n.mac for n in lay.Layout(Path("/s"), 16).nodes()}) == 16


@pytest.mark.parametrize("passwd, group, expected", [
    (PASSWD, GROUP, []),
    (PASSWD, "root:x:0:\nhaclient:x:200:hacluster\n", []),            # a member, not primary
    (PASSWD, "root:x:0:\nhaclient:x:200:\n",
     [["usermod", "--append", "--groups", "haclient", "hacluster"]]),
    (PASSWD, "root:x:0:\n", [["groupadd", "--system", "haclient"],
                             ["usermod", "--append", "--groups", "haclient", "hacluster"]]),
])
def test_account_steps(passwd: str, group: str, expected: list) -> None:
    assert bare.account_steps(passwd, group) == expected


def test_a_missing_hacluster_is_made_as_the_packages_make_it() -> None:
    steps = bare.account_steps("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n")
    assert steps[0] == ["groupadd", "--system", "haclient"]
    assert steps[1][0] == "useradd" and steps[1][-1] == "hacluster"
    assert steps[1][steps[1].index("--gid") + 1] == "haclient"
    assert steps[1][steps[1].index("--shell") + 1] == "/usr/sbin/nologin"


def test_the_password_goes_to_chpasswd_on_stdin_only() -> None:
    assert bare.chpasswd_input("a:b c") == b"hacluster:a:b c\n"
    assert bare.password_error("ok") is None
    assert "empty" in bare.password_error("")
    assert "line break" in bare.password_error("a\nhacluster:evil")


def test_the_hosts_commands_run_this_checkout(tmp_path: Path) -> None:
    scripts = bare.wrappers("/usr/bin/python3", Path("/r e'po"))
    assert set(scripts) == {"crmshell", "crmshelld"}
    for text in scripts.values():
        assert text.startswith("#!/usr/bin/python3\n")
        compile(text, "wrapper", "exec")
        assert "sys.path.insert(0, \"/r e'po\")" in text
    assert "from daemon.main import console" in scripts["crmshelld"]


def test_argv_of_a_bare_host() -> None:
    assert bare.sshd_argv() == ["/usr/sbin/sshd", "-D", "-e"]
    assert bare.remote_argv() == ["/usr/local/sbin/crmshelld", "--remote", "--foreground",
                                  "--remote-port", "2224", "--log-file",
                                  "/var/log/crmshell/remote.log"]
    assert lay.enter_argv(42, False, uts=True) == ["nsenter", "-t", "42", "-n", "-m", "-p",
                                                   "-u", "--"]
    assert "HostKey /etc/ssh/ssh_host_ed25519_key" in bare.sshd_drop_in()


def test_status_of_bare_hosts() -> None:
    state = {"dir": "/s", "count": 2, "bare": True, "remote": False, "supervisor_pid": 7,
             "nodes": [{"name": "node1", "address": "10.213.0.1", "state": "up",
                        "sshd": True},
                       {"name": "node2", "address": "10.213.0.2", "state": "down"}]}
    lines = format_status(state)
    assert "2 bare host(s)" in lines[0]
    assert lines[1].split()[:5] == ["node1", "10.213.0.1", "up", "sshd", "running,"]
    assert "remote API not in this crmshelld" in lines[1]
    assert "sshd stopped" in lines[2]
    assert "remote API running" in format_status(
        {**state, "remote": True, "nodes": [{**state["nodes"][0], "remote": True}]})[1]


def test_the_password_is_asked_twice_on_a_terminal_only() -> None:
    with pytest.raises(commands.SandboxError, match="give --password or run on a terminal"):
        ask_password(interactive=False)
    answers = iter(["one", "two"])
    with pytest.raises(commands.SandboxError, match="differ"):
        ask_password(lambda _prompt: next(answers), interactive=True)
    assert ask_password(lambda _prompt: "same", interactive=True) == "same"


def test_bare_needs_root(monkeypatch) -> None:
    monkeypatch.setattr(commands.os, "geteuid", lambda: 1000)
    with pytest.raises(commands.SandboxError, match=r"--bare needs root \(it makes accounts"):
        commands._check_bare("pw")


@pytest.mark.parametrize("directory, bad", [
    ("/etc/sbx", "/etc"), ("/var/log", "/var/log"), ("/root/.ssh/x", "/root/.ssh"),
    ("/tmp/crmshell-sandbox-0", None), ("/run/user/0/crmshell-sandbox", None),
    ("/etcetera", None), ("/root/sbx", None)])
def test_a_bare_sandbox_lives_where_no_host_mounts_its_own(directory: str, bad) -> None:
    said = bare.dir_error(Path(directory), lay.Layout(Path(directory), 1))
    assert (said is None) if bad is None else f"cannot live under {bad} " in said
