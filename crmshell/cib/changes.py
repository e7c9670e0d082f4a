"""Which configuration objects differ between two CIBs: what "changed meanwhile" names."""

from __future__ import annotations


def changed_object_ids(old, new) -> list[str]:
    """Ids of the objects (resources, constraints, nodes, property sets...) whose XML differs
    between the configurations of `old` and `new`, as a patch between them touches them."""
    from daemon.cib.patchset import changed_objects, make_patchset

    from crmshell.staging.objects import ACL_KINDS, CONSTRAINT_KINDS, RESOURCE_KINDS

    tags = {*RESOURCE_KINDS, *CONSTRAINT_KINDS, *ACL_KINDS, "node", "cluster_property_set",
            "meta_attributes", "tag", "alert"}
    patch = make_patchset(_configuration_only(old), _configuration_only(new))
    return sorted({oid for tag, oid in changed_objects(patch) if tag in tags})


def _configuration_only(root):
    """A `<cib>` holding only the configuration, with no version: only objects can differ."""
    import copy

    from lxml import etree

    shell = etree.Element("cib")
    shell.append(copy.deepcopy(root.find("configuration")))
    return shell
