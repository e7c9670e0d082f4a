"""crm_attribute, crm_master and crm_node as resource agents call them, on crmshelld.

Agents written for Pacemaker set promotion scores and read node names through Pacemaker's
command-line tools. The executor puts daemon/agents/bin first on their PATH (and in
HA_SBIN_DIR), where small scripts hand the arguments to these functions, which ask the
node's daemon through its local API. Only what agents use is answered: transient node
attributes (lifetime reboot), promotion scores, the local node's name and the node list.
Exit codes follow Pacemaker's (0 done, 64 usage, 105 no such attribute, 102 not connected).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

EXIT_USAGE, EXIT_NOT_CONNECTED, EXIT_NO_SUCH = 64, 102, 105


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 64 (EX_USAGE), as Pacemaker's tools
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _attribute_parser(prog: str) -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="node attributes through crmshelld")
    p.add_argument("-N", "--node", "-U", "--uname")
    p.add_argument("-n", "--name", "--attr-name")
    p.add_argument("-v", "--update", "--attr-value")
    p.add_argument("-G", "--query", "--get-value", action="store_true")
    p.add_argument("-D", "--delete", "--delete-attr", action="store_true")
    p.add_argument("-l", "--lifetime", choices=("reboot", "forever"))
    p.add_argument("-t", "--type", default=None)
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument("-d", "--default")
    p.add_argument("-p", "--promotion", nargs="?", const="", default=None)
    p.add_argument("-i", "--id")
    p.add_argument("-s", "--set-name")
    return p


def attribute_main(prog: str, argv: list[str], env: Mapping[str, str]) -> int:
    args = _attribute_parser(prog).parse_args(argv)
    if prog == "crm_master" or args.promotion is not None:
        rsc = args.promotion or env.get("OCF_RESOURCE_INSTANCE")
        if not rsc:
            print(f"{prog}: no resource: give --promotion=RSC or set OCF_RESOURCE_INSTANCE",
                  file=sys.stderr)
            return EXIT_USAGE
        args.name = f"master-{rsc}"
        args.lifetime = args.lifetime or "reboot"
    if not args.name:
        print(f"{prog}: which attribute? give -n NAME", file=sys.stderr)
        return EXIT_USAGE
    transient = args.lifetime == "reboot" or args.type == "status"
    if not transient:
        print(f"{prog}: only node attributes with lifetime reboot are kept for agents here; "
              "use 'crmshell node attribute' for permanent ones", file=sys.stderr)
        return EXIT_USAGE
    from daemon.api.client import ApiClient
    from daemon.api.errors import ApiError

    node = args.node or env.get("OCF_RESKEY_CRM_meta_on_node")
    try:
        with ApiClient(env.get("CRMSHELL_SOCKET"), timeout=30.0) as client:
            if args.query:
                reply = client.call("node", {"action": "attribute-get", "node": node,
                                             "name": args.name})
                value = reply.result.get("value")
                if value is None and args.default is None:
                    print(f"Error performing operation: No such device or address "
                          f"(attribute {args.name} not set)", file=sys.stderr)
                    return EXIT_NO_SUCH
                value = args.default if value is None else value
                print(value if args.quiet else
                      f"scope=status  name={args.name} value={value}")
                return 0
            if args.delete:
                client.call("node", {"action": "attribute-delete", "node": node,
                                     "name": args.name})
                return 0
            if args.update is None:
                print(f"{prog}: give -v VALUE, -G or -D", file=sys.stderr)
                return EXIT_USAGE
            client.call("node", {"action": "attribute-set", "node": node, "name": args.name,
                                 "value": args.update})
            return 0
    except ApiError as err:
        print(f"{prog}: {err}", file=sys.stderr)
        return EXIT_NOT_CONNECTED if err.code in ("unavailable",) else 1


def node_main(argv: list[str], env: Mapping[str, str]) -> int:
    p = _Parser(prog="crm_node", description="this node's name and the cluster's nodes")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("-n", "--name", action="store_true")
    group.add_argument("-l", "--list", action="store_true")
    group.add_argument("-p", "--partition", action="store_true")
    group.add_argument("-q", "--quorum", action="store_true")
    args = p.parse_args(argv)
    from daemon.api.client import ApiClient
    from daemon.api.errors import ApiError

    try:
        with ApiClient(env.get("CRMSHELL_SOCKET"), timeout=30.0) as client:
            hello = client.call("hello").result
            if args.name:
                print(hello["node"])
            elif args.quorum:
                print(1 if hello.get("quorate") else 0)
            else:
                members = hello.get("members") or [{"id": hello["node_id"],
                                                    "name": hello["node"]}]
                if args.partition:
                    print(" ".join(m["name"] for m in members))
                else:
                    for m in members:
                        print(f"{m['id']} {m['name']} member")
            return 0
    except ApiError as err:
        print(f"crm_node: {err}", file=sys.stderr)
        return EXIT_NOT_CONNECTED
