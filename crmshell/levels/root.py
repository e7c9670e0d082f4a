"""The root level: where the shell starts, holding every other level."""

from __future__ import annotations

from crmshell.levels.cib import CibLevel
from crmshell.levels.configure import ConfigureLevel
from crmshell.levels.corosync import CorosyncLevel
from crmshell.levels.cluster import ClusterLevel
from crmshell.levels.node import NodeLevel
from crmshell.levels.resource import ResourceLevel
from crmshell.levels.options import OptionsLevel
from crmshell.levels.status import StatusLevel
from crmshell.levels.ra import RaLevel
from crmshell.ui.level import Level

ConfigureLevel.sublevels = {"cib": CibLevel, "ra": RaLevel}


class RootLevel(Level):
    name = ""
    summary = "crmshell"
    sublevels = {
        "configure": ConfigureLevel,
        "cib": CibLevel,
        "ra": RaLevel,
        "resource": ResourceLevel,
        "node": NodeLevel,
        "cluster": ClusterLevel,
        "corosync": CorosyncLevel,
        "status": StatusLevel,
        "options": OptionsLevel,
    }
