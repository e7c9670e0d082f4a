"""The `crmshell` command line: options, then a level path and a command, or a batch.

Only the standard library is imported at module level so that `--version` and usage errors
stay fast; each front end imports what it needs when it runs.
"""

from __future__ import annotations

import os
import sys

# The options and their own `--help` text live in crmshell/help/root.txt, with the help of
# every command (one source for `crmshell --help`, `help` and the man page); these tables are
# what the parser accepts, and a test holds the two together.
_VALUED = {"-f": "file", "--file": "file", "--cib-file": "cib_file", "--socket": "socket"}
_FLAGS = {"-F": "force", "--force": "force", "-w": "wait", "--wait": "wait", "-h": "help",
          "--help": "help", "--version": "version"}


def _usage() -> str:
    """The synopsis, for a usage error (the whole help is `crmshell --help`)."""
    from crmshell.help import load_help

    lines = load_help().entry("", ".").usage
    text = "".join(f"{'       ' if i else 'usage: '}{line}\n" for i, line in enumerate(lines))
    return text + "'crmshell --help' lists the options\n"


class _Usage(Exception):
    pass


def _parse(args: list[str]) -> tuple[dict, list[str]]:
    opts: dict = {"file": None, "cib_file": None, "force": False, "socket": None, "wait": False}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "-":
            break
        if arg == "--":
            i += 1
            break
        name, eq, value = arg.partition("=")
        if name in _VALUED:
            if not eq:
                if i + 1 >= len(args):
                    raise _Usage(f"option {name} needs a value")
                i += 1
                value = args[i]
            opts[_VALUED[name]] = value
        elif arg in _FLAGS:
            opts[_FLAGS[arg]] = True
        else:
            raise _Usage(f"unknown option '{arg}'")
        i += 1
    return opts, args[i:]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--complete"]:  # one Tab of the bash/zsh completion (completions/)
        from crmshell.completion.entry import main as complete_main

        return complete_main(args[1:])
    try:
        opts, rest = _parse(args)
    except _Usage as err:
        sys.stderr.write(f"crmshell: {err}\n{_usage()}")
        return 2
    if rest[:1] == ["sandbox"]:  # the sandbox's verbs (crmshell/sandbox/cli.py)
        from crmshell.sandbox.cli import main as sandbox_main

        return sandbox_main(rest[1:])
    if rest[:1] == ["__node-op"]:  # what bootstrap runs on a peer over SSH (bootstrap/peers.py)
        from crmshell.bootstrap.peers import serve_node_op

        return serve_node_op(rest[1:], sys.stdin, sys.stdout)
    if rest[:1] == ["simulate"]:
        from crmshell.simulate_cli import main as simulate_main

        return simulate_main(rest[1:], cib_file=opts["cib_file"])
    if opts.get("version"):
        from crmshell import __version__

        print(f"crmshell {__version__}")
        return 0
    if opts.get("help") and not rest:
        from crmshell.levels.root import RootLevel
        from crmshell.ui.help import program_help

        sys.stdout.write(program_help(RootLevel) + "\n")
        return 0
    if opts["file"] and rest:
        sys.stderr.write("crmshell: give either -f FILE or a command, not both\n")
        return 2
    try:
        return _run(opts, rest)
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as err:  # noqa: BLE001 - the last line of defence: a bug, said plainly
        from crmshell.errors import internal_error

        sys.stderr.write(f"crmshell: {internal_error(err, 'running ' + ' '.join(rest or ['the shell']))}\n")
        return 1


def _run(opts: dict, rest: list[str]) -> int:
    if rest[:1] == ["status"] and not opts["file"] and not opts.get("help"):
        from crmshell.cib.where import Where
        from crmshell.status_quick import try_quick_status

        if try_quick_status(rest[1:], Where(cib_file=opts["cib_file"], socket=opts["socket"]),
                            os.environ, sys.stdout):
            return 0
    from crmshell.session import Session

    session = Session.create(cib_file=opts["cib_file"], force=opts["force"],
                             socket=opts["socket"], wait=opts["wait"],
                             interactive=not rest and not opts["file"] and sys.stdin.isatty())
    if opts["file"]:
        path = opts["file"]
        if path == "-":
            return session.batch(sys.stdin.read(), "<stdin>")
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as err:
            sys.stderr.write(f"crmshell: cannot read {path}: {err.strerror}\n")
            return 2
        except UnicodeDecodeError as err:
            sys.stderr.write(f"crmshell: {path} is not UTF-8 text: {err.reason} at byte {err.start}\n")
            return 2
        return session.batch(text, path)
    if rest and not opts.get("help") and not sys.stdin.isatty() and session.names_a_level(rest):
        return session.batch_in(rest, sys.stdin.read(), "<stdin>")
    if rest:
        if opts.get("help"):
            rest = [*rest, "--help"]
        return session.one_shot(rest)
    if sys.stdin.isatty():
        from crmshell.repl import run_repl

        return run_repl(session)
    return session.batch(sys.stdin.read(), "<stdin>")


def console() -> None:
    """The `crmshell` program: run, flush the output, and leave at once.

    Freeing a parsed 100 MB CIB object by object takes Python seconds at exit, after the
    answer is out; nothing we hold needs that tear-down (files are written and closed before
    commands return), so the process ends without it.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
