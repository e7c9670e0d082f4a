"""Completion as a pure function, table-driven: one or more cases for every kind of candidate.

Each case is (level path, line typed, candidates that must be offered, candidates that must
not be). The cursor is at the end of the line. The environment is a real ShellContext on a CIB
file made by a batch (see conftest.py), with the installed agents.
"""

from __future__ import annotations

import pytest

from crmshell.completion import complete, describe

CFG = ["configure"]

CASES = [
    # levels, commands, navigation, prefixes
    ([], "", {"configure", "cib", "ra", "options", "status", "cd", "help", "quit"}, set()),
    ([], "conf", {"configure"}, {"cib"}),
    ([], "configure sh", {"show"}, set()),
    (CFG, "ve", {"verify"}, set()),
    (CFG, "rm ", {"ip", "d1"}, set()),
    ([], "cd ", {"configure", "cib", "..", "/"}, set()),
    ([], "cd configure/", {"configure/cib", "configure/ra"}, set()),
    ([], "help ", {"configure", "rules", "scores", "shadow", "batch", "resource-sets"}, set()),
    (CFG, "help pri", {"primitive"}, set()),
    # help reads `<level> <command>` from any level, and so does its completion
    (CFG, "help configure pri", {"primitive"}, set()),
    (CFG, "help res", {"resource", "resource-sets"}, set()),
    (["node"], "help configure ", {"primitive", "show", "cib"}, {"standby"}),
    ([], "help resource mo", {"move"}, set()),
    ([], "help resource move ", set(), {"move", "start"}),
    # grammar keywords (lark's table says what may come next)
    (CFG, "primitive ip2 IPaddr2 ", {"params", "meta", "op", "utilization"}, set()),
    (CFG, "primitive ip2 IPaddr2 pa", {"params"}, {"meta"}),
    (CFG, "location l2 ip ", {"rule", "inf:", "-inf:"}, set()),
    (CFG, "order o2 ", {"Mandatory:", "Optional:", "Serialize:"}, {"_rsc_set_"}),
    (CFG, "colocation c2 inf: ip ", {"g1", "d1"}, {"l1", "node1"}),
    # node-attribute= is legal after the resources, but rarely wanted: offered once started,
    # as description= and $id= are (it was a case disabled with `if False`, never offered)
    (CFG, "colocation c2 inf: ip g1 n", {"node-attribute="}, set()),
    (CFG, "colocation c2 inf: ip g1 ", {"d1", "c1"}, {"node-attribute="}),
    # ids filtered by kind
    # (members go into one container only: d1 is in g1, d2 in c1)
    (CFG, "group g2 ", {"ip", "fence1"}, {"d1", "d2", "g1", "c1", "l1", "tmpl", "node1"}),
    (CFG, "clone c2 ", {"ip", "g1"}, {"d1", "c1", "l1", "tmpl"}),
    (CFG, "ms m2 ", {"ip", "g1"}, {"d2", "c1", "o1"}),
    (CFG, "primitive p2 @", {"@tmpl"}, {"@d1"}),
    (CFG, "fencing_topology node1: ", {"fence1"}, {"ip", "d1"}),
    (CFG, "tag t2: ", {"ip", "g1", "l1", "o1"}, {"node1", "tmpl2"}),
    (CFG, "delete ", {"ip", "g1", "l1", "o1", "node1", "web"}, set()),
    (CFG, "rename g", {"g1"}, {"ip"}),
    (CFG, "modgroup ", {"g1"}, {"ip", "c1"}),
    (CFG, "modgroup g1 ", {"add", "remove"}, set()),
    (CFG, "modgroup g1 add ", {"ip", "fence1"}, {"d1", "d2", "g1", "l1"}),
    (CFG, "modgroup g1 remove ", {"d1"}, {"g1"}),
    (CFG, "modgroup g1 add ip ", {"after", "before"}, set()),
    (CFG, "monitor ", {"ip", "d1"}, {"g1"}),
    # agent specs, step by step
    (CFG, "primitive x ", {"ocf:", "stonith:", "lsb:", "@tmpl"}, set()),
    (CFG, "primitive x oc", {"ocf:"}, {"stonith:"}),
    (CFG, "primitive x ocf:", {"ocf:heartbeat:", "ocf:pacemaker:"}, set()),
    (CFG, "primitive ip ocf:heartbeat:IP", {"ocf:heartbeat:IPaddr2", "ocf:heartbeat:IPaddr"},
     {"ocf:heartbeat:Dummy"}),
    (CFG, "primitive x stonith:fence_ap", {"stonith:fence_apc"}, set()),
    (CFG, "primitive x IPadd", {"IPaddr2"}, set()),
    (CFG, 'primitive x "ocf:heartbeat:IPadd', {"ocf:heartbeat:IPaddr2"}, set()),
    # agent parameters from the real agent's meta-data
    (CFG, "primitive ip2 ocf:heartbeat:IPaddr2 params ", {"ip=", "cidr_netmask=", "nic="},
     {"inf:", "100:"}),
    (CFG, "primitive ip2 IPaddr2 ", {"ip=", "nic="}, set()),  # implicit params
    (CFG, "primitive ip2 IPaddr2 params ip=10.0.0.2 ", {"cidr_netmask="}, {"ip="}),
    (CFG, "primitive ip2 IPaddr2 params lvs_support=", {"lvs_support=true", "lvs_support=false"},
     set()),
    (CFG, "primitive p2 @tmpl params ", {"state=", "fake="}, set()),
    (CFG, "primitive f2 stonith:fence_apc params ", {"ip=", "pcmk_host_list="}, set()),
    # meta attributes of resources
    (CFG, "primitive d3 Dummy meta ", {"target-role=", "resource-stickiness="}, {"clone-max="}),
    (CFG, "primitive d3 Dummy meta target-role=", {"target-role=Stopped", "target-role=Started"},
     set()),
    (CFG, "clone c3 d1 meta ", {"clone-max=", "interleave="}, set()),
    # operations with the agent's advice
    (CFG, "primitive ip2 IPaddr2 op ", {"monitor", "start", "stop"}, set()),
    (CFG, "primitive ip2 IPaddr2 op monitor ", {"interval=10s", "timeout=20s", "on-fail="},
     set()),
    (CFG, "primitive ip2 IPaddr2 op start t", {"timeout=20s", "timeout="}, {"interval=0s"}),
    # cluster properties, defaults
    (CFG, "property ", {"stonith-enabled=", "no-quorum-policy=", "cluster-recheck-interval="},
     {"dc-version="}),
    (CFG, "property no-quorum-policy=", {"no-quorum-policy=stop", "no-quorum-policy=ignore"},
     set()),
    (CFG, "property stonith-enabled=", {"stonith-enabled=true", "stonith-enabled=false"}, set()),
    (CFG, "rsc_defaults ", {"resource-stickiness=", "migration-threshold="}, set()),
    (CFG, "op_defaults ", {"timeout=", "record-pending="}, {"name="}),
    # node names
    (CFG, "location l3 ip 100: ", {"node1", "node2"}, {"ip"}),
    (CFG, "fencing_topology ", {"node1:", "node2:"}, set()),
    (["node"], "standby ", {"node1", "node2"}, set()),
    (["resource"], "move ip ", {"node1", "node2"}, set()),
    (["resource"], "start ", {"ip", "g1", "c1"}, {"l1"}),
    # shadow names
    (["cib"], "use ", {"trial", "live"}, set()),
    (["cib"], "delete ", {"trial"}, {"live"}),
    ([], "cib diff t", {"trial"}, set()),
    # show selectors
    (CFG, "show ", {"xml", "type:", "tag:", "related:", "changed", "ip", "l1"}, set()),
    (CFG, "show type:pr", {"type:primitive", "type:property"}, {"type:group"}),
    (CFG, "show tag:", {"tag:web"}, set()),
    (CFG, "show related:i", {"related:ip"}, set()),
    (CFG, "set ip.", {"ip.ip", "ip.cidr_netmask", "ip.target-role"}, set()),
    # ra level
    (["ra"], "info ocf:pacemaker:", {"ocf:pacemaker:Dummy"}, set()),
    (["ra"], "list ", {"ocf", "stonith"}, set()),
    (["ra"], "list ocf ", {"heartbeat", "pacemaker"}, set()),
    # options level
    (["options"], "output ", {"auto", "color", "plain"}, set()),
    (["options"], "color mon", {"monokai"}, set()),
    # nothing to offer where a new name goes, and nothing after --help
    (CFG, "primitive ", set(), {"ip", "d1"}),
    (CFG, "show --help ", set(), {"ip"}),
]


def _texts(env, level, line):
    return {c.text for c in complete(level, line, len(line), env)}


@pytest.mark.needs_agents
@pytest.mark.parametrize("level,line,present,absent", CASES,
                         ids=[f"{'/'.join(c[0]) or 'top'}:{c[1]}" for c in CASES])
def test_completion_case(completion_env, level, line, present, absent):
    got = _texts(completion_env, level, line)
    assert present <= got, f"missing {sorted(present - got)}; got {sorted(got)[:30]}"
    assert not (absent & got), f"unexpected {sorted(absent & got)}"


@pytest.mark.needs_agents
def test_files_for_load_and_save(completion_env, cib_path, monkeypatch):
    monkeypatch.chdir(cib_path.parent)
    got = _texts(completion_env, CFG, "load update ")
    assert "cib.xml" in got and "-" in got
    got = _texts(completion_env, CFG, f"save {cib_path.parent}/ci")
    assert f"{cib_path.parent}/cib.xml" in got
    assert _texts(completion_env, CFG, "load ") >= {"xml", "replace", "update", "push"}


@pytest.mark.needs_agents
def test_candidates_carry_descriptions_and_replace_the_word(completion_env):
    line = "primitive ip2 IPaddr2 params cidr"
    cands = complete(CFG, line, len(line), completion_env)
    [cand] = [c for c in cands if c.text == "cidr_netmask="]
    assert cand.start == line.rindex("cidr") and "netmask" in cand.meta.lower()
    line = "property no-quorum"
    [cand] = complete(CFG, line, len(line), completion_env)
    assert "default stop" in cand.meta and "[select" in cand.meta


@pytest.mark.needs_agents
def test_cursor_in_the_middle_completes_the_word_before_it(completion_env):
    line = "show ip"
    assert {c.text for c in complete(CFG, line + " xml", len(line), completion_env)} >= {"ip"}


@pytest.mark.needs_agents
def test_toolbar_describes_the_parameter_being_typed(completion_env):
    line = "primitive ip2 IPaddr2 params cidr_netmask=2"
    text = describe(CFG, line, len(line), completion_env)
    assert text.startswith("cidr_netmask:") and "netmask" in text.lower()
    line = "primitive ip2 IPaddr2 op monitor"
    assert "timeout=20s" in describe(CFG, line, len(line), completion_env)
    assert describe(CFG, "show ", 5, completion_env).startswith("usage: show")
    assert describe(CFG, "primitive x", 11, completion_env).startswith("usage: primitive <id>")


def test_unknown_words_and_bad_levels_give_nothing():
    from crmshell.completion.static_env import StaticEnv

    env = StaticEnv()
    assert complete([], "nosuchcommand ", 14, env) == []
    assert complete(["nosuchlevel"], "", 0, env) == []
    line = "location l9 ip 100: node1 node2 "
    assert complete(["configure"], line, len(line), env) == []


def test_candidates_with_blanks_are_quoted_as_the_shell_reads_them(tmp_path):
    from crmshell.completion.static_env import StaticEnv
    from crmshell.ui.words import split_words

    (tmp_path / "my file.crm").write_text("")
    env = StaticEnv(files={"": [("my file.crm", False)]})
    line = "load update my"
    [cand] = [c for c in complete(CFG, line, len(line), env) if c.display == "my file.crm"]
    assert cand.text == '"my file.crm"'
    assert split_words(line[:cand.start] + cand.text)[-1].text == "my file.crm"
    line = 'load update "my f'  # an open quote still completes
    [cand] = complete(CFG, line, len(line), env)
    assert cand.text == '"my file.crm"' and cand.start == line.index('"')


def test_an_unreadable_cib_offers_no_ids_and_raises_nothing(tmp_path):
    import threading

    from crmshell.completion import ContextEnv
    from crmshell.ui.context import Options, ShellContext

    bad = tmp_path / "bad.xml"
    bad.write_text("<cib><configuration>")
    ctx = ShellContext(options=Options(cib_file=str(bad)), env={"HOME": str(tmp_path)})
    env = ContextEnv(ctx)
    failures = []
    hook, threading.excepthook = threading.excepthook, failures.append
    try:
        env.refresh_in_background(load=True)
        for thread in threading.enumerate():
            if thread.name == "crmshell-completion-refresh":
                thread.join(30)
    finally:
        threading.excepthook = hook
    assert failures == [] and env.objects() == [] and env.nodes() == []
    assert complete(CFG, "show ", 5, env)  # the fixed selectors are still there
