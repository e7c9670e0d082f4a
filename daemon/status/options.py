"""What a status report shows: crm_mon's display options, and `crm status`'s words for them.

This module imports nothing of the scheduler, nor dataclasses or typing (together a
fifth of a `crmshell status` client's 0.1 s): the client turns its words into options
here and lets the daemon render.
"""

from __future__ import annotations

OUTPUTS = ("text", "xml", "html", "simple")

# Each option, its default and the crm_mon flag it stands for.
_DEFAULTS = {
    "group_by_node": False,     # -n: resources under the node they run on
    "inactive": False,          # -r: inactive resources too ("Full List of Resources")
    "failcounts": False,        # -f: "Migration Summary" (fail counts per node)
    "operations": False,        # -o: "Operations" (each resource's history per node)
    "timing": False,            # -t: operations with last-rc-change, exec and queue time
    "node_attributes": False,   # -A: "Node Attributes"
    "detail": False,            # -R: node ids, every clone instance, technical failures
    "tickets": False,           # -c: "Tickets"
    "hide_headers": False,      # -D: no "Cluster Summary"
    "brief": False,             # -b: primitives counted per agent and node
    "quiet": False,             # -Q: no times in the summary
    "neg_locations": None,      # -L[PREFIX]: negative location constraints ("" = all)
    "fence_history": 1,         # -m LEVEL (0-3)
    "output": "text",           # --output-as (text, xml, html) or -s (simple)
}


class StatusError(ValueError):
    """The input cannot be shown as a cluster status; the message names the place."""


class StatusOptions:
    """crm_mon's display options, by the flag each stands for (see _DEFAULTS), immutable.

    The defaults are `crm_mon -1`'s (fence history level 1: failures and pending fencing);
    `crm status` with no words adds `inactive` (crmsh runs `crm_mon -1 -r`). Values are
    checked here, so a bad option from a client is refused with the field's name.
    """

    __slots__ = tuple(_DEFAULTS)
    FIELDS = tuple(_DEFAULTS)
    # The field names where a dataclass keeps them, for callers that list them that way
    # (daemon/node_api.py); StatusOptions(**given) checks names and types itself.
    __dataclass_fields__ = dict.fromkeys(_DEFAULTS)

    def __init__(self, **given) -> None:
        for name, value in given.items():
            _check(name, value)
        for name, default in _DEFAULTS.items():
            object.__setattr__(self, name, given.get(name, default))

    def __setattr__(self, name, value):
        raise AttributeError(f"StatusOptions are immutable (use replace(); {name})")

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in _DEFAULTS)

    def __eq__(self, other) -> bool:
        return isinstance(other, StatusOptions) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        changed = ", ".join(f"{k}={v!r}" for k, v in self.changed().items())
        return f"StatusOptions({changed})"

    def replace(self, **changes) -> StatusOptions:
        return StatusOptions(**{**self.changed(), **changes})

    @property
    def show_operations(self) -> bool:
        """-t implies -o, as crm_mon treats it."""
        return self.operations or self.timing

    def changed(self) -> dict:
        """The options that differ from the defaults, by field name: what a client sends
        the daemon (which rebuilds them with StatusOptions(**changed))."""
        return {name: getattr(self, name) for name, default in _DEFAULTS.items()
                if getattr(self, name) != default}


def _check(name: str, value) -> None:
    if name not in _DEFAULTS:
        raise StatusError(f"options.{name}: not a status option (known: "
                          f"{', '.join(sorted(_DEFAULTS))})")
    if name == "neg_locations":
        if value is not None and not isinstance(value, str):
            raise StatusError(f"options.{name}: expected a prefix (str) or None, got "
                              f"{type(value).__name__}")
        return
    expected = type(_DEFAULTS[name])
    if type(value) is not expected:
        raise StatusError(f"options.{name}: expected {expected.__name__}, got "
                          f"{type(value).__name__}")
    if name == "output" and value not in OUTPUTS:
        raise StatusError(f"options.output: '{value}' is not one of {', '.join(OUTPUTS)}")
    if name == "fence_history" and not 0 <= value <= 3:
        raise StatusError(f"options.fence_history: {value} is not a level 0-3")


# `crm status` words and what each adds (crmsh's cmd_status table; "full" is -ncrft).
# "verbose" (-V) only raises crm_mon's log level, so it changes nothing shown.
_CRM_STATUS_WORDS: dict[str, dict] = {
    "bynode": {"group_by_node": True},
    "inactive": {"inactive": True},
    "ops": {"operations": True},
    "timing": {"timing": True},
    "failcounts": {"failcounts": True},
    "verbose": {},
    "quiet": {"quiet": True},
    "html": {"output": "html"},
    "xml": {"output": "xml"},
    "simple": {"output": "simple"},
    "tickets": {"tickets": True},
    "noheaders": {"hide_headers": True},
    "detail": {"detail": True},
    "brief": {"brief": True},
    "full": {"group_by_node": True, "tickets": True, "inactive": True, "failcounts": True,
             "timing": True},
}
CRM_STATUS_WORDS = tuple(_CRM_STATUS_WORDS)


def crm_status_options(words) -> StatusOptions:
    """The options `crm status WORD...` (an iterable of words) passes to crm_mon; no
    words means `-r`. crm_mon's own `-m[LEVEL]`/`--fence-history[=LEVEL]` is taken too.

    Raises StatusError naming the first word (by position) crm status does not know.
    """
    words = list(words)
    # No words (or only crm_mon's -m): crmsh's bare `status`.
    bare = all(w.startswith(FENCE_HISTORY_WORDS) for w in words)
    options = StatusOptions(inactive=True) if bare else StatusOptions()
    for position, word in enumerate(words, 1):
        changes = _CRM_STATUS_WORDS.get(word)
        if changes is None:
            changes = fence_history_word(word, position)
        if changes is None:
            raise StatusError(f"status word {position}: unknown option '{word}' (expected "
                              f"one of {', '.join(CRM_STATUS_WORDS)})")
        options = options.replace(**changes)
    return options


FENCE_HISTORY_WORDS = ("--fence-history", "-m")


def fence_history_word(word: str, position: int) -> dict | None:
    """crm_mon's `-m[LEVEL]` / `--fence-history[=LEVEL]` (no level: 2), or None for any
    other word; StatusError for a level that is not 0-3."""
    if word.startswith("--fence-history"):
        flag, value = "--fence-history", word[len("--fence-history"):]
        if value and not value.startswith("="):
            return None
        value = value[1:] if value else None
    elif word.startswith("-m"):
        flag, value = "-m", word[2:] or None
    else:
        return None
    if value is None:
        return {"fence_history": 2}
    if value not in ("0", "1", "2", "3"):
        raise StatusError(f"status word {position}: {flag} takes a level 0-3 (0 off, 1 "
                          f"failures and pending, 2 and successes, 3 all), not '{value}'")
    return {"fence_history": int(value)}


def crm_mon_argv(options: StatusOptions) -> list[str]:
    """The crm_mon command line that shows the same thing (the XML's `request` attribute)."""
    argv = ["crm_mon", "-1"]
    for flag, on in (("-n", options.group_by_node), ("-r", options.inactive),
                     ("-f", options.failcounts), ("-o", options.operations),
                     ("-t", options.timing), ("-A", options.node_attributes),
                     ("-R", options.detail), ("-c", options.tickets),
                     ("-D", options.hide_headers), ("-b", options.brief),
                     ("-Q", options.quiet), ("-s", options.output == "simple")):
        if on:
            argv.append(flag)
    if options.neg_locations is not None:
        argv.append(f"-L{options.neg_locations}" if options.neg_locations else "-L")
    if options.fence_history != 1:
        argv.append(f"--fence-history={options.fence_history}")
    if options.output in ("xml", "html"):
        argv.append(f"--output-as={options.output}")
    return argv
