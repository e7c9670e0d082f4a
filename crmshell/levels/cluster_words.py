"""The options of the cluster level's bootstrap commands, read from the command's words.

crmsh and pcs spell them as command-line options (`init -n NAME -y`, `join -c SEED`,
`auth -u hacluster`), so they are read here as options, with one usage error naming the
word at fault; the help text of each command is crmshell/help/cluster.txt.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmshell.errors import UsageError


@dataclass(frozen=True)
class Spec:
    command: str
    usage: str
    flags: dict          # word -> option name (True when given)
    valued: dict         # word -> option name (the next word, or --word=value)
    min_args: int = 0
    max_args: int | None = 0


def parse(spec: Spec, words: tuple[str, ...]) -> tuple[dict, list[str]]:
    options: dict = {name: False for name in spec.flags.values()}
    options.update({name: None for name in spec.valued.values()})
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if word in spec.flags:
            options[spec.flags[word]] = True
        elif name in spec.valued:
            if not eq:
                if i + 1 >= len(words):
                    raise UsageError(f"{spec.command}: {name} needs a value; usage: {spec.usage}")
                i += 1
                value = words[i]
            options[spec.valued[name]] = value
        elif word.startswith("-") and word != "-":
            raise UsageError(f"{spec.command}: unknown option '{word}'; usage: {spec.usage}")
        else:
            rest.append(word)
        i += 1
    if len(rest) < spec.min_args:
        raise UsageError(f"{spec.command}: missing arguments; usage: {spec.usage}")
    if spec.max_args is not None and len(rest) > spec.max_args:
        raise UsageError(f"{spec.command}: unexpected '{rest[spec.max_args]}'; usage: {spec.usage}")
    return options, rest


def nodes_list(values: list[str]) -> list[str]:
    """Node names given as separate words or comma/space separated (crmsh's --nodes "a b")."""
    out: list[str] = []
    for value in values:
        out.extend(v for v in value.replace(",", " ").split() if v)
    return out


def token_ms(value: str | None, command: str) -> int | None:
    from crmshell.bootstrap.plan import DEFAULT_TOKEN_MS

    if value is None:
        return DEFAULT_TOKEN_MS
    if value == "default":
        return None
    if not value.isdigit() or not 100 <= int(value) <= 60000:
        raise UsageError(f"{command}: --token {value}: a number of ms from 100 to 60000, or "
                         "'default' (corosync's own)")
    return int(value)


SSH_FLAGS = {"--accept-new-host-key": "accept_new"}
SSH_VALUED = {"--user": "ssh_user", "--ssh-port": "ssh_port", "-i": "identity"}

INIT = Spec("init", "init [-n|--name NAME] [--nodes NODE[,NODE...]] [--token MS] [-y|--yes] "
            "[--force] [--accept-new-host-key]",
            {"-y": "yes", "--yes": "yes", "--force": "force", **SSH_FLAGS},
            {"-n": "name", "--name": "name", "--nodes": "nodes", "--token": "token",
             **SSH_VALUED})
JOIN = Spec("join", "join -c|--cluster-node SEED [-y|--yes] [--force] [--accept-new-host-key]",
            {"-y": "yes", "--yes": "yes", "--force": "force", **SSH_FLAGS},
            {"-c": "seed", "--cluster-node": "seed", **SSH_VALUED}, 0, 1)
ADD = Spec("add", "add HOST... [-y|--yes] [--accept-new-host-key]",
           {"-y": "yes", "--yes": "yes", **SSH_FLAGS}, dict(SSH_VALUED), 1, None)
REMOVE = Spec("remove", "remove NODE... [-y|--yes] [--force] [--accept-new-host-key]",
              {"-y": "yes", "--yes": "yes", "--force": "force", **SSH_FLAGS},
              {"-c": "node", **SSH_VALUED}, 0, None)
SETUP = Spec("setup", "setup NAME NODE... [--start] [--enable] [--wait] [--token MS] [--force]",
             {"--start": "start", "--enable": "enable", "--wait": "wait", "--force": "force"},
             {"--token": "token", "--name": "name"}, 1, None)
AUTH = Spec("auth", "auth NODE... [-u|--username USER] [-p|--password PASSWORD] [--port PORT]",
            {}, {"-u": "user", "--username": "user", "-p": "password",
                 "--password": "password", "--port": "port"}, 1, None)
DEAUTH = Spec("deauth", "deauth [NODE...]", {}, {}, 0, None)
SERVICE = {verb: Spec(verb, f"{verb} [--all | NODE...]" + (" [--wait]" if verb in (
    "start", "restart") else ""), {"--all": "all", "--wait": "wait", **SSH_FLAGS},
    dict(SSH_VALUED), 0, None) for verb in ("start", "stop", "restart", "enable", "disable")}
DESTROY = Spec("destroy", "destroy [--all | NODE...] [-y|--yes]",
               {"--all": "all", "-y": "yes", "--yes": "yes", **SSH_FLAGS}, dict(SSH_VALUED),
               0, None)
RENAME = Spec("rename", "rename NAME", dict(SSH_FLAGS), dict(SSH_VALUED), 1, 1)
