"""`corosync.conf` in corosync's own format: render a cluster's configuration, parse one back.

The format is corosync's: a section is `name {` on a line of its own and ends with `}` on a
line of its own; an item is `key: value`, one a line; `#` starts a comment line. Corosync's
parser is line-based and forgiving in ways that hide mistakes (a line it does not understand
is skipped, `{ a: b }` on one line opens a section that never closes), so `parse` is
stricter: every line must be one of those forms, and an error names file:line:column.

`render` writes only what corosync reads back as meant: knet with encryption always (newer
corosync refuses to run without it, and a cluster that accepts unauthenticated packets is
not one we set up), values checked for the characters that would change the structure.
`ClusterConfig.from_tree` turns a parsed file into the same value, so bootstrap can read a
peer's file, change it and write it again. The authkey is 256 random bytes, written 0400.

Pure except for `write_authkey`; nothing here runs corosync.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from daemon.atomic_write import write_atomically

AUTHKEY_BYTES = 256
AUTHKEY_MODE = 0o400
CIPHERS = ("aes256", "aes192", "aes128")
HASHES = ("sha256", "sha384", "sha512", "sha1")
MAX_LINE = 510  # corosync reads a line into 512 bytes, newline and NUL included

_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")
_FORBIDDEN_IN_VALUE = set("{}\n\r\0")


class ConfError(ValueError):
    """A corosync.conf that cannot be read or a configuration that must not be written.

    `where` is `file:line:column` for a parse error and the field (`totem.token`,
    `nodelist.node[2].nodeid`) for a value; `str()` gives both with the reason."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


# ---- the tree -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    key: str
    value: str
    line: int
    column: int


@dataclass
class Section:
    """A section of the file (the file itself is the unnamed root). Items and subsections
    keep the file's order; `line`/`column` are where the name stands (0 for the root)."""

    name: str
    line: int = 0
    column: int = 0
    items: list[Item] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def get(self, key: str) -> Item | None:
        """The last item named `key` (corosync keeps the last of repeated keys)."""
        found = None
        for item in self.items:
            if item.key == key:
                found = item
        return found

    def section(self, name: str) -> Section | None:
        for sub in self.sections:
            if sub.name == name:
                return sub
        return None

    def all(self, name: str) -> list[Section]:
        return [sub for sub in self.sections if sub.name == name]


@dataclass
class ConfTree:
    source: str
    root: Section

    def where(self, thing: Item | Section) -> str:
        return f"{self.source}:{thing.line}:{thing.column}"


def parse(text: str, source: str = "corosync.conf") -> ConfTree:
    """The tree of `text`. ConfError names file:line:column of the first line that is not
    a section start, an item, a closing brace, a comment or blank, of a brace left open
    (where its section starts) and of a closing brace with nothing to close."""
    root = Section("")
    stack = [root]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip(" \t")
        stripped = line.lstrip(" \t")
        column = len(line) - len(stripped) + 1
        if not stripped or stripped.startswith("#"):
            continue
        if len(raw) > MAX_LINE:
            raise ConfError(f"{source}:{number}:{MAX_LINE + 1}",
                            f"line longer than corosync reads ({MAX_LINE} characters)")
        if stripped == "}":
            if len(stack) == 1:
                raise ConfError(f"{source}:{number}:{column}", "'}' closes no section")
            stack.pop()
            continue
        brace, colon_at = stripped.find("{"), stripped.find(":")
        if brace >= 0 and not 0 <= colon_at < brace:   # `key: a{b` is an item with a bad value
            stack.append(_section_start(stripped, source, number, column, stack[-1]))
            continue
        key, colon, value = stripped.partition(":")
        key = key.rstrip(" \t")
        if not colon:
            raise ConfError(f"{source}:{number}:{column}",
                            f"expected 'key: value', 'name {{' or '}}', found {stripped!r}")
        if not _WORD.match(key):
            raise ConfError(f"{source}:{number}:{column}", f"bad key {key!r}")
        value = value.strip(" \t")
        bad = next((i for i, ch in enumerate(value) if ch in _FORBIDDEN_IN_VALUE), None)
        if bad is not None:
            value_col = column + len(stripped) - len(stripped.partition(":")[2].lstrip(" \t"))
            raise ConfError(f"{source}:{number}:{value_col + bad}",
                            f"'{value[bad]}' inside the value of {key} (one item a line; "
                            "braces stand on lines of their own)")
        stack[-1].items.append(Item(key, value, number, column))
    if len(stack) > 1:
        open_section = stack[-1]
        raise ConfError(f"{source}:{open_section.line}:{open_section.column}",
                        f"section '{open_section.name}' is not closed")
    return ConfTree(source, root)


def _section_start(text: str, source: str, number: int, column: int, parent: Section) -> Section:
    name, _, rest = text.partition("{")
    name = name.rstrip(" \t")
    if rest.strip(" \t"):
        after = column + len(text) - len(rest.lstrip(" \t"))
        raise ConfError(f"{source}:{number}:{after}",
                        f"text after '{{' of section '{name}': corosync needs each item "
                        "and the closing brace on a line of its own")
    if not _WORD.match(name):
        raise ConfError(f"{source}:{number}:{column}", f"bad section name {name!r}")
    section = Section(name, number, column)
    parent.sections.append(section)
    return section


# ---- the configuration ------------------------------------------------------------------------

@dataclass(frozen=True)
class NodeEntry:
    """One `nodelist.node`: its name, id (1..) and ring addresses (ring0_addr first)."""

    name: str
    nodeid: int
    addrs: tuple[str, ...]


@dataclass(frozen=True)
class ClusterConfig:
    """What we write into corosync.conf. `None` leaves corosync's default; `two_node=None`
    turns it on for exactly two nodes (corosync then also waits for all at start)."""

    cluster_name: str
    nodes: tuple[NodeEntry, ...]
    keyfile: str
    crypto_cipher: str = "aes256"
    crypto_hash: str = "sha256"
    token: int | None = None
    token_coefficient: int | None = None
    consensus: int | None = None
    join: int | None = None
    seqno_unchanged_const: int | None = None
    knet_ping_interval: int | None = None
    knet_ping_timeout: int | None = None
    two_node: bool | None = None
    wait_for_all: bool | None = None
    last_man_standing: bool | None = None
    auto_tie_breaker: bool | None = None
    last_man_standing_window: int | None = None     # ms (corosync: 10000)
    logfile: str | None = None
    debug: bool = False
    state_dir: str | None = None
    move_to_root_cgroup: bool | None = None

    @classmethod
    def from_tree(cls, tree: ConfTree) -> ClusterConfig:
        """The configuration in a parsed file. ConfError names the place of a missing or
        wrong value, and refuses a file without knet encryption."""
        return _from_tree(tree)


_TOTEM_TIMES = ("token", "token_coefficient", "consensus", "join")
# Token rotations without traffic before the ring holds the token (corosync: 30). Between
# messages a rotating token costs every node CPU (a knet packet, encrypted, per hop); a
# message sent while it is held cancels the hold, so holding early costs no latency and
# leaves failure detection (the token timeout) as it was.
_TOTEM_COUNTS = ("seqno_unchanged_const",)
# Link 0's knet timers, in `totem.interface`; corosync derives them from the token when unset
# (a ping timeout of token / 2), and a pair set alone lets a short token keep its links on a
# busy machine.
_KNET_TIMES = ("knet_ping_interval", "knet_ping_timeout")
_QUORUM_FLAGS = ("two_node", "wait_for_all", "last_man_standing", "auto_tie_breaker")


def render(config: ClusterConfig) -> str:
    """The text of corosync.conf for `config`; ConfError names the field that cannot be
    written (unencrypted, duplicate node names or ids, a value that breaks the format)."""
    _check(config)
    out: list[str] = []
    with _block(out, "totem", 0):
        _items(out, 1, [("version", "2"), ("cluster_name", config.cluster_name),
                        ("transport", "knet"), ("crypto_cipher", config.crypto_cipher),
                        ("crypto_hash", config.crypto_hash), ("keyfile", config.keyfile)])
        _items(out, 1, [(key, str(getattr(config, key))) for key in (*_TOTEM_TIMES, *_TOTEM_COUNTS)
                        if getattr(config, key) is not None])
        knet = [(key, str(getattr(config, key))) for key in _KNET_TIMES
                if getattr(config, key) is not None]
        if knet:
            with _block(out, "interface", 1):
                _items(out, 2, [("linknumber", "0"), *knet])
    with _block(out, "nodelist", 0):
        for node in config.nodes:
            with _block(out, "node", 1):
                _items(out, 2, [(f"ring{i}_addr", addr) for i, addr in enumerate(node.addrs)])
                _items(out, 2, [("name", node.name), ("nodeid", str(node.nodeid))])
    with _block(out, "quorum", 0):
        _items(out, 1, [("provider", "corosync_votequorum")])
        _items(out, 1, [(key, "1" if value else "0") for key, value in _quorum_flags(config)])
        if config.last_man_standing_window is not None:
            _items(out, 1, [("last_man_standing_window", str(config.last_man_standing_window))])
    with _block(out, "logging", 0):
        log = [("to_logfile", "yes" if config.logfile else "no")]
        if config.logfile:
            log.append(("logfile", config.logfile))
        log += [("to_syslog", "no"), ("to_stderr", "no"), ("timestamp", "on")]
        if config.debug:
            log.append(("debug", "on"))
        _items(out, 1, log)
    system = []
    if config.state_dir is not None:
        system.append(("state_dir", config.state_dir))
    if config.move_to_root_cgroup is not None:
        system.append(("move_to_root_cgroup", "yes" if config.move_to_root_cgroup else "no"))
    if system:
        with _block(out, "system", 0):
            _items(out, 1, system)
    return "\n".join(out) + "\n"


def _quorum_flags(config: ClusterConfig) -> Iterator[tuple[str, bool]]:
    for key in _QUORUM_FLAGS:
        value = getattr(config, key)
        if key == "two_node" and value is None and len(config.nodes) == 2:
            value = True
        if value is not None:
            yield key, value


class _block:
    """`name {` ... `}` around what the body appends, indented by four spaces a level."""

    def __init__(self, out: list[str], name: str, depth: int) -> None:
        self.out, self.name, self.depth = out, name, depth

    def __enter__(self) -> None:
        self.out.append("    " * self.depth + f"{self.name} {{")

    def __exit__(self, *exc: object) -> None:
        self.out.append("    " * self.depth + "}")


def _items(out: list[str], depth: int, pairs: list[tuple[str, str]]) -> None:
    out.extend("    " * depth + f"{key}: {value}" for key, value in pairs)


def _check(config: ClusterConfig) -> None:
    if config.crypto_cipher not in CIPHERS:
        raise ConfError("totem.crypto_cipher", f"{config.crypto_cipher!r} is not one of "
                        f"{', '.join(CIPHERS)} (a cluster is never configured unencrypted)")
    if config.crypto_hash not in HASHES:
        raise ConfError("totem.crypto_hash", f"{config.crypto_hash!r} is not one of "
                        f"{', '.join(HASHES)} (a cluster is never configured unencrypted)")
    if not _NAME.match(config.cluster_name):
        raise ConfError("totem.cluster_name", f"{config.cluster_name!r} is not a cluster name "
                        "(letters, digits, '_', '.', '-'; at most 63)")
    for key in ("keyfile", "logfile", "state_dir"):
        value = getattr(config, key)
        if value is not None and (not value or set(value) & _FORBIDDEN_IN_VALUE):
            raise ConfError(_FIELD[key], f"{value!r} cannot be written as a value")
    for key in (*_TOTEM_TIMES, *_TOTEM_COUNTS, *_KNET_TIMES, "last_man_standing_window"):
        value = getattr(config, key)
        if value is not None and (not isinstance(value, int) or value < 0
                                  or (value == 0 and key != "token_coefficient")):
            where = (f"totem.interface.{key}" if key in _KNET_TIMES else
                     f"quorum.{key}" if key == "last_man_standing_window" else f"totem.{key}")
            unit = "token rotations" if key in _TOTEM_COUNTS else "ms"
            raise ConfError(where, f"{value!r} is not a positive number of {unit}")
    if (config.knet_ping_interval is None) != (config.knet_ping_timeout is None):
        raise ConfError("totem.interface.knet_ping_timeout", "knet_ping_interval and "
                        "knet_ping_timeout are set together (corosync derives the other "
                        "from the token otherwise)")
    if not config.nodes:
        raise ConfError("nodelist", "a cluster needs at least one node")
    names: set[str] = set()
    ids: set[int] = set()
    for index, node in enumerate(config.nodes):
        where = f"nodelist.node[{index + 1}]"
        if not _NAME.match(node.name):
            raise ConfError(f"{where}.name", f"{node.name!r} is not a node name")
        if node.name in names:
            raise ConfError(f"{where}.name", f"node name {node.name} appears twice")
        if not isinstance(node.nodeid, int) or not 0 < node.nodeid < 2**31:
            raise ConfError(f"{where}.nodeid", f"{node.nodeid!r} is not a node id (1..2^31-1)")
        if node.nodeid in ids:
            raise ConfError(f"{where}.nodeid", f"node id {node.nodeid} appears twice")
        if not node.addrs:
            raise ConfError(f"{where}.ring0_addr", f"node {node.name} has no address")
        for ring, addr in enumerate(node.addrs):
            if not _address_ok(addr):
                raise ConfError(f"{where}.ring{ring}_addr", f"{addr!r} is not an address")
        names.add(node.name)
        ids.add(node.nodeid)
    if config.two_node and len(config.nodes) != 2:
        raise ConfError("quorum.two_node", f"two_node is for two nodes, not {len(config.nodes)}")


_FIELD = {"keyfile": "totem.keyfile", "logfile": "logging.logfile",
          "state_dir": "system.state_dir"}


def _address_ok(addr: str) -> bool:
    try:
        ipaddress.ip_address(addr)
        return True
    except ValueError:
        return bool(re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*", addr))


# ---- from a tree ------------------------------------------------------------------------------

def _from_tree(tree: ConfTree) -> ClusterConfig:
    root = tree.root
    totem = _required_section(tree, root, "totem")
    for key, wanted in (("version", "2"), ("transport", "knet")):
        item = totem.get(key)
        if item is not None and item.value != wanted:
            raise ConfError(tree.where(item), f"totem.{key} is {item.value!r}; "
                            f"crmshell runs corosync 3 with {key} {wanted}")
    cipher = _required_item(tree, totem, "crypto_cipher", "totem")
    hash_ = _required_item(tree, totem, "crypto_hash", "totem")
    for item, allowed in ((cipher, CIPHERS), (hash_, HASHES)):
        if item.value not in allowed:
            raise ConfError(tree.where(item), f"totem.{item.key} {item.value!r}: the cluster "
                            f"must be encrypted ({', '.join(allowed)})")
    values: dict = {
        "cluster_name": _required_item(tree, totem, "cluster_name", "totem").value,
        "keyfile": _value(totem, "keyfile") or "/etc/corosync/authkey",
        "crypto_cipher": cipher.value,
        "crypto_hash": hash_.value,
        "nodes": _nodes(tree, _required_section(tree, root, "nodelist")),
    }
    for key in (*_TOTEM_TIMES, *_TOTEM_COUNTS):
        item = totem.get(key)
        if item is not None:
            values[key] = _number(tree, item, "totem")
    for interface in totem.all("interface"):
        link = interface.get("linknumber")
        if link is None or link.value == "0":
            for key in _KNET_TIMES:
                item = interface.get(key)
                if item is not None:
                    values[key] = _number(tree, item, "totem.interface")
    quorum = root.section("quorum")
    if quorum is not None:
        for key in _QUORUM_FLAGS:
            item = quorum.get(key)
            if item is not None:
                values[key] = _flag(tree, item, "quorum")
        window = quorum.get("last_man_standing_window")
        if window is not None:
            values["last_man_standing_window"] = _number(tree, window, "quorum")
    logging = root.section("logging")
    if logging is not None:
        to_file = logging.get("to_logfile")
        if to_file is None or _flag(tree, to_file, "logging"):
            values["logfile"] = _value(logging, "logfile")
        debug = logging.get("debug")
        values["debug"] = debug is not None and debug.value == "on"
    system = root.section("system")
    if system is not None:
        values["state_dir"] = _value(system, "state_dir")
        move = system.get("move_to_root_cgroup")
        if move is not None:
            values["move_to_root_cgroup"] = _flag(tree, move, "system")
    config = ClusterConfig(**values)
    try:
        _check(config)
    except ConfError as err:
        raise ConfError(f"{tree.source}: {err.where}", err.message) from None
    return config


def _nodes(tree: ConfTree, nodelist: Section) -> tuple[NodeEntry, ...]:
    nodes = []
    for node in nodelist.all("node"):
        addrs = []
        ring = 0
        while (item := node.get(f"ring{ring}_addr")) is not None:
            addrs.append(item.value)
            ring += 1
        if not addrs:
            raise ConfError(tree.where(node), "node without ring0_addr")
        name_item = node.get("name")
        nodeid_item = _required_item(tree, node, "nodeid", "nodelist.node")
        nodes.append(NodeEntry(name_item.value if name_item else addrs[0],
                               _number(tree, nodeid_item, "nodelist.node"), tuple(addrs)))
    if not nodes:
        raise ConfError(tree.where(nodelist), "nodelist without nodes")
    return tuple(nodes)


def _required_section(tree: ConfTree, parent: Section, name: str) -> Section:
    section = parent.section(name)
    if section is None:
        raise ConfError(f"{tree.source}:1:1", f"no '{name}' section")
    return section


def _required_item(tree: ConfTree, section: Section, key: str, path: str) -> Item:
    item = section.get(key)
    if item is None:
        raise ConfError(tree.where(section), f"{path}.{key} is missing")
    return item


def _value(section: Section, key: str) -> str | None:
    item = section.get(key)
    return item.value if item is not None else None


def _number(tree: ConfTree, item: Item, path: str) -> int:
    if not item.value.isdigit():
        raise ConfError(tree.where(item), f"{path}.{item.key} {item.value!r} is not a number")
    return int(item.value)


def _flag(tree: ConfTree, item: Item, path: str) -> bool:
    value = item.value.lower()
    if value in ("1", "yes", "on"):
        return True
    if value in ("0", "no", "off"):
        return False
    raise ConfError(tree.where(item), f"{path}.{item.key} {item.value!r} is not 0/1 or yes/no")


# ---- the authkey -------------------------------------------------------------------------------

def new_authkey() -> bytes:
    """A fresh key for `totem.keyfile`: 256 bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(AUTHKEY_BYTES)


def write_authkey(path: str | os.PathLike[str], key: bytes) -> None:
    """Write `key` to `path` atomically, readable by its owner only (0400). OSError names
    the file; the key itself is never part of a message."""
    if len(key) != AUTHKEY_BYTES:
        raise ValueError(f"an authkey is {AUTHKEY_BYTES} bytes, not {len(key)}")
    try:
        write_atomically(path, key, new_mode=AUTHKEY_MODE)
    except OSError as err:
        raise OSError(f"{os.fspath(path)}: cannot write: {err.strerror}") from None
    os.chmod(path, AUTHKEY_MODE)
