"""Semantic verification of a CIB configuration: `verify(cib_root, catalog) -> [Finding]`.

Checks what the schema cannot: references that land nowhere, duplicate ids, fencing without
devices, resources against their agents' meta-data, and property, meta attribute and operation
values against Pacemaker's option table (`daemon.cib.options`).
"""

from crmshell.verify.findings import ERROR, WARNING, Finding
from crmshell.verify.run import verify

__all__ = ["verify", "Finding", "ERROR", "WARNING"]
