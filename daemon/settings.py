"""The daemon's settings: from its command line, checked, with the system defaults.

Every path is a setting, so several nodes run on one machine (the sandbox, the tests).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_STATE_DIR = "/var/lib/crmshell"
DEFAULT_SOCKET = "/run/crmshell/crmshelld.sock"
DEFAULT_LOG_FILE = "/var/log/crmshell/crmshelld.log"
DEFAULT_GROUP = "crmshell"        # the corosync process group of the cluster's daemons
DEFAULT_ACCESS_GROUP = "haclient"
DEFAULT_REMOTE_DIR = "/var/lib/crmshell/remote"
DEFAULT_REMOTE_PORT = 2224
DEFAULT_REMOTE_ADDRESS = "::"


@dataclass(frozen=True)
class Settings:
    state_dir: Path = Path(DEFAULT_STATE_DIR)
    socket: Path = Path(DEFAULT_SOCKET)
    log_file: Path | None = Path(DEFAULT_LOG_FILE)
    foreground: bool = False
    debug: bool = False
    cpg_group: str = DEFAULT_GROUP
    access_group: str = DEFAULT_ACCESS_GROUP
    ocf_root: Path = Path("/usr/lib/ocf")
    # Extra places agents are looked for (the agents shipped with crmshell among them).
    extra_ocf_roots: tuple[Path, ...] = field(default_factory=tuple)
    corosync_wait_s: float | None = None    # None: wait for corosync for ever
    pid_file: Path | None = None
    # --remote: only the remote API (pcsd's role), no cluster; it runs before one exists.
    remote: bool = False
    remote_dir: Path = Path(DEFAULT_REMOTE_DIR)
    remote_port: int = DEFAULT_REMOTE_PORT
    remote_address: str = DEFAULT_REMOTE_ADDRESS


DESCRIPTION = """\
The crmshell node daemon: keeps this node's copy of the cluster's CIB in step with the
others through Corosync, runs the scheduler and the transition when this node is the DC,
and executes resource agents for the cluster. It needs a running corosync (it waits for
one) and answers the crmshell shell on a local Unix socket."""

EPILOG = """\
signals: SIGTERM stops the node cleanly (its resources are stopped first; a second SIGTERM
leaves at once), SIGHUP re-opens the log file and re-reads agent directories.
files: STATE_DIR/cib.xml (the CIB, with a digest and numbered backups beside it).
--remote serves only the remote API (TLS, port 2224): `cluster auth` checks passwords with
PAM (service crmshell, members of the access group) and hands out tokens; REMOTE_DIR holds
tls.crt, tls.key and tokens.json."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crmshelld", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-f", "--foreground", action="store_true",
                   help="stay in the foreground and log to standard error as well")
    p.add_argument("--state-dir", default=DEFAULT_STATE_DIR, metavar="DIR",
                   help=f"where the CIB is kept (default {DEFAULT_STATE_DIR})")
    p.add_argument("--socket", default=DEFAULT_SOCKET, metavar="PATH",
                   help=f"the local API socket (default {DEFAULT_SOCKET})")
    p.add_argument("--log-file", default=DEFAULT_LOG_FILE, metavar="FILE",
                   help=f"log file (default {DEFAULT_LOG_FILE}; 'none' for no file)")
    p.add_argument("--group", default=DEFAULT_GROUP, metavar="NAME",
                   help=f"corosync process group of the cluster's daemons (default {DEFAULT_GROUP})")
    p.add_argument("--access-group", default=DEFAULT_ACCESS_GROUP, metavar="GROUP",
                   help="members of this group may use the local API (default haclient)")
    p.add_argument("--ocf-root", default=os.environ.get("OCF_ROOT", "/usr/lib/ocf"),
                   metavar="DIR", help="OCF_ROOT given to agents (default /usr/lib/ocf)")
    p.add_argument("--corosync-wait", type=float, default=None, metavar="SECONDS",
                   help="give up if corosync is not there within this time (default: wait)")
    p.add_argument("--pid-file", metavar="PATH", default=None,
                   help="write the daemon's process id there (removed on a clean exit)")
    p.add_argument("--debug", action="store_true", help="log debugging detail")
    remote = p.add_argument_group("remote API (pcsd's role)")
    remote.add_argument("--remote", action="store_true",
                        help="serve only the remote API, no cluster (runs before one exists)")
    remote.add_argument("--remote-port", type=_port, default=DEFAULT_REMOTE_PORT, metavar="PORT",
                        help=f"TCP port (default {DEFAULT_REMOTE_PORT})")
    remote.add_argument("--remote-address", default=DEFAULT_REMOTE_ADDRESS, metavar="ADDRESS",
                        help="address to listen on (default '::', IPv6 and IPv4)")
    remote.add_argument("--remote-dir", default=DEFAULT_REMOTE_DIR, metavar="DIR",
                        help=f"TLS identity and tokens (default {DEFAULT_REMOTE_DIR})")
    return p


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def from_argv(argv: list[str]) -> Settings:
    args = parser().parse_args(argv)
    log = None if args.log_file in ("", "none", "-") else Path(args.log_file)
    return Settings(state_dir=Path(args.state_dir), socket=Path(args.socket), log_file=log,
                    foreground=args.foreground, debug=args.debug, cpg_group=args.group,
                    access_group=args.access_group, ocf_root=Path(args.ocf_root),
                    extra_ocf_roots=(shipped_agents_root(),),
                    corosync_wait_s=args.corosync_wait,
                    pid_file=Path(args.pid_file) if args.pid_file else None,
                    remote=args.remote, remote_dir=Path(args.remote_dir),
                    remote_port=args.remote_port, remote_address=args.remote_address)


def shipped_agents_root() -> Path:
    """The OCF root of the agents shipped with crmshell (ocf:crmshell:Dummy, Stateful)."""
    return Path(__file__).resolve().parent / "agents"
