"""daemon.cib.options: the option table and its typed value checks (no I/O, no agents)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from daemon.cib import options as o


@pytest.mark.parametrize("old,new", [
    ("stonith-enabled", "fencing-enabled"), ("stonith-action", "fencing-action"),
    ("stonith-timeout", "fencing-timeout"), ("stonith-watchdog-timeout",
                                             "fencing-watchdog-timeout"),
    ("stonith-max-attempts", "fencing-max-attempts"), ("fence-reaction", "fencing-reaction"),
    ("stop-orphan-resources", "stop-removed-resources"),
    ("stop-orphan-actions", "cancel-removed-actions"),
])
def test_both_names_find_one_option(old, new):
    spec = o.cluster_option(old)
    assert spec is not None and spec is o.cluster_option(new)
    assert spec.name == old and spec.new_name == new


def test_cluster_option_facts():
    enabled = o.cluster_option("stonith-enabled")
    assert (enabled.vtype, enabled.default, enabled.daemon) == (o.BOOLEAN, "true", "schedulerd")
    policy = o.cluster_option("no-quorum-policy")
    assert policy.default == "stop" and {"freeze", "ignore", "demote", "suicide"} <= set(
        policy.allowed)
    assert o.cluster_option("placement-strategy").allowed == (
        "default", "utilization", "minimal", "balanced")
    assert o.cluster_option("dc-version").generated
    assert o.cluster_option("cluster-recheck-interval").default == "15min"
    assert o.cluster_option("node-health-red").default == "-INFINITY"
    assert o.cluster_option("no-such-option") is None


def test_names_are_unique():
    names = [n for spec in o.CLUSTER_OPTIONS for n in spec.names]
    assert len(names) == len(set(names))
    assert all(spec.vtype in o.VALUE_TYPES for spec in o.CLUSTER_OPTIONS + o.FENCING_PARAMETERS)


def test_defaults_are_valid_values():
    for spec in o.CLUSTER_OPTIONS + o.FENCING_PARAMETERS + o.OP_ATTRIBUTES + tuple(
            m.option for m in o.RESOURCE_META):
        if spec.default not in (None, ""):
            assert o.value_problem(spec, spec.default) is None, spec.name


def test_meta_attributes_by_kind():
    assert o.resource_meta("resource-stickiness", o.PRIMITIVE).vtype == o.SCORE
    assert o.resource_meta("clone-max", o.PRIMITIVE) is None
    assert o.resource_meta("clone-max", o.CLONE) is not None
    assert o.resource_meta("promoted-max", o.PROMOTABLE).default == "1"
    assert o.resource_meta("ordered", o.GROUP).deprecated
    assert not o.resource_meta("ordered", o.CLONE).deprecated
    assert "target-role" in o.meta_names(o.GROUP) and "notify" not in o.meta_names(o.GROUP)
    assert o.fencing_parameter("pcmk_reboot_timeout").default == "60s"
    assert o.op_attribute("on-fail").allowed[-1] == "restart-container"


@pytest.mark.parametrize("text,ms", [
    ("0", 0), ("30", 30_000), ("30s", 30_000), ("30 sec", 30_000), ("500ms", 500),
    ("500msec", 500), ("2000us", 2), ("5min", 300_000), ("5m", 300_000), ("2h", 7_200_000),
    ("1hr", 3_600_000), ("PT5M", 300_000), ("P1DT1H", 90_000_000), ("1.5s", 1500), ("15S", 15_000),
])
def test_durations(text, ms):
    assert o.parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["", "soon", "-5s", "5 parsecs", "P", "PT", "P1Y2", "s"])
def test_bad_durations(text):
    with pytest.raises(o.OptionValueError):
        o.parse_duration_ms(text)


def test_scores_and_booleans():
    assert o.parse_score("INFINITY") == o.INFINITY == o.parse_score("+inf")
    assert o.parse_score("-INFINITY") == -o.INFINITY == o.parse_score("-inf")
    assert o.parse_score("99999999") == o.INFINITY and o.parse_score("-42") == -42
    with pytest.raises(o.OptionValueError):
        o.parse_score("lots")
    assert all(o.parse_boolean(w) for w in ("true", "On", "YES", "y", "1"))
    assert not any(o.parse_boolean(w) for w in ("false", "off", "No", "n", "0"))
    with pytest.raises(o.OptionValueError, match="'maybe' is not a boolean"):
        o.parse_boolean("maybe")
    assert o.parse_percentage("80%") == 80 and o.parse_percentage("75") == 75


def test_typed_checks():
    assert o.value_problem(o.cluster_option("stonith-action"), "Off") is None
    assert "not one of" in o.value_problem(o.cluster_option("stonith-action"), "nuke")
    assert o.value_problem(o.cluster_option("stonith-watchdog-timeout"), "-1") is None
    assert o.value_problem(o.cluster_option("cluster-ipc-limit"), "-1") is not None
    assert o.value_problem(o.resource_meta("remote-port"), "3121") is None
    assert o.value_problem(o.resource_meta("remote-port"), "0") is not None
    assert o.value_problem(o.cluster_option("cluster-name"), "anything at all") is None


def test_table_has_no_io_and_no_heavy_imports():
    code = ("import sys; import daemon.cib.options; "
            "print(sorted(m for m in ('lxml', 'lark', 'subprocess', 'socket') if m in sys.modules))")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([__import__("sys").executable, "-c", code], cwd=root, check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == "[]"


PACEMAKER_DAEMONS = Path("/usr/lib/pacemaker")


@pytest.mark.needs_pacemaker
@pytest.mark.parametrize("daemon", ["schedulerd", "controld", "based", "fenced"])
def test_table_covers_what_pacemaker_2_1_daemons_list(daemon):
    binary = PACEMAKER_DAEMONS / f"pacemaker-{daemon}"
    if not binary.exists():
        pytest.skip(f"{binary} is not installed")
    from lxml import etree
    out = subprocess.run([str(binary), "metadata"], capture_output=True, timeout=30, check=True)
    root = etree.fromstring(out.stdout)
    lookup = o.fencing_parameter if daemon == "fenced" else o.cluster_option
    for param in root.iter("parameter"):
        spec = lookup(param.get("name"))
        assert spec is not None, param.get("name")
        content = param.find("content")
        default = content.get("default")
        if default not in (None, "", "none") and not spec.generated:
            assert spec.default == default, spec.name
        allowed = {opt.get("value") for opt in content.iter("option")}
        assert allowed <= set(spec.allowed), spec.name
