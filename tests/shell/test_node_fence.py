"""`node fence`: its words, its refusals before anything is asked of the cluster, and how
it reports the end (the live path is tests/cluster/test_sandbox_fencing.py)."""

from __future__ import annotations

import pytest
from lxml import etree

from crmshell.errors import ShellError, UsageError
from crmshell.levels.node_fence import check_enabled, check_known, outcome, parse_words

CIB = etree.fromstring("""<cib><configuration><crm_config><cluster_property_set id="o">
  <nvpair id="o-se" name="{name}" value="{value}"/></cluster_property_set></crm_config>
  <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes></configuration>
  <status><node_state id="3" uname="node3"/></status></cib>""".replace("{name}", "stonith-enabled")
                       .replace("{value}", "true"))


@pytest.mark.parametrize("words, expected", [
    (("node3",), ("node3", None, False)),
    (("node3", "-y"), ("node3", None, True)),
    (("node3", "off", "--yes"), ("node3", "off", True)),
    (("reboot", "reboot"), ("reboot", "reboot", False)),    # a node may be called reboot
])
def test_words(words, expected):
    assert parse_words(words[0], words[1:]) == expected


@pytest.mark.parametrize("words, message", [
    (("node3", "now"), "fence: unexpected 'now'; usage: fence <node>"),
    (("node3", "off", "reboot"), "give one action, not 'off' and 'reboot'"),
    (("-y", "node3"), "'-y' is not a node name"),
])
def test_bad_words_say_what_is_wrong(words, message):
    with pytest.raises(UsageError, match=message):
        parse_words(words[0], words[1:])


def test_unknown_nodes_and_disabled_fencing_are_refused_before_asking():
    check_known(CIB, "node1")
    check_known(CIB, "node3")           # seen in the status only
    with pytest.raises(ShellError, match=r"node node9 is not in the cluster \(known: node1, "
                                         r"node2\)"):
        check_known(CIB, "node9")
    check_enabled(CIB, "node1")
    for name in ("stonith-enabled", "fencing-enabled"):
        off = etree.fromstring(etree.tostring(CIB).replace(b'"stonith-enabled" value="true"',
                                                           f'"{name}" value="false"'.encode()))
        with pytest.raises(ShellError, match=r"fencing is disabled \(stonith-enabled=false\)"):
            check_enabled(off, "node1")


def test_the_end_is_said_in_one_line():
    record = {"target": "node3", "action": "reboot", "delegate": "node1",
              "created_ms": 1_700_000_000_000, "completed_ms": 1_700_000_002_500}
    text = outcome(record, False)
    assert text.startswith("node3 was fenced (reboot) by node1 at 2023-11-14 ")
    assert text.endswith(", 2.5 s after it was asked")
    assert outcome(record, True).endswith("(within the tolerance: not fenced again)")


def test_on_a_cib_file_it_needs_the_daemon(shell):
    proc = shell.run("node", "fence", "node1", "-y")
    assert proc.returncode == 1
    assert "fencing a node needs the crmshell node daemon" in proc.stderr


def test_help_has_synopsis_options_and_examples(shell):
    text = shell.run("help", "node", "fence").stdout
    assert text.startswith("usage: fence <node> [reboot|off] [-y|--yes]\n")
    for words in ("options:\n    -y, --yes         Do not ask", "stonith-action",
                  "stonith-enabled=false", "example:\n    fence node3\n"):
        assert words in text
    assert shell.run("node", "fence", "--help").stdout == text
