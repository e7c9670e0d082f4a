"""`verify(cib_root, catalog)`: every semantic check over one configuration, in a fixed order.

Order of the report: schema, identity and shape, references, properties and fencing, then
resources against their agents. Within a check, document order.
"""

from __future__ import annotations

import re
from typing import Iterable

from crmshell.agents import AgentCatalog
from crmshell.verify import bundles, properties, references, resources, structure
from crmshell.verify.findings import ERROR, Finding, element_line, element_path
from crmshell.verify.index import build_index


def _configuration(cib_root):
    if cib_root.tag == "configuration":
        return cib_root
    return cib_root.find("configuration")


_ID_STEP = re.compile(r"\[@id='([^']*)'\]")


def schema_findings(cib_root) -> list[Finding]:
    """RelaxNG validation (`daemon.cib.schema`, grammars/cib.rng) as error findings; the
    object is the last element with an id on the problem's path. The problems a word in a
    location's score makes are told as that (see `_word_scores`)."""
    from daemon.cib.schema import validate

    problems = validate(cib_root)
    words = _word_scores(cib_root) if problems else {}
    found = []
    for problem in problems:
        ids = _ID_STEP.findall(problem.path)
        ident = ids[-1] if ids else None
        word = words.get(problem.path)
        if word is not None and "score" in problem.message:
            if word not in found:
                found.append(word)
            continue
        found.append(Finding(ERROR, problem.message, ident, problem.path, problem.line))
    return found


def _word_scores(cib_root) -> dict[str, Finding]:
    """`location l1 r banana: db`: crmsh reads a word for the score as a score-attribute and
    builds `<rsc_location score-attribute="banana" node="db">` (which we keep, as it is
    crmsh's XML), but the schema takes score-attribute only in a rule. Its two schema problems
    (score-attribute not allowed, no score) are one mistake: the word is not a score. By the
    path of each such element, the finding that says so."""
    out = {}
    for elem in cib_root.iter("rsc_location"):
        value = elem.get("score-attribute")
        if value is None:
            continue
        ident = elem.get("id")
        out[element_path(elem)] = Finding(
            ERROR, f"{ident}: '{value}' is not a score: give an integer, inf or -inf (to score "
                   f"by the node attribute {value}, use a rule: rule {value}: defined {value})",
            ident, element_path(elem), element_line(elem), word=f"{value}:")
    return out


def verify(cib_root, catalog: AgentCatalog, *, schema: bool = True) -> list[Finding]:
    """Check a CIB (`<cib>` or its `<configuration>`, an lxml element) and return the findings,
    errors and warnings mixed, in report order. Agents' meta-data comes from `catalog`.
    `schema=False` leaves out the RelaxNG validation (only the semantic checks run); it is
    also left out when given a bare `<configuration>`, which the schema does not describe."""
    conf = _configuration(cib_root)
    if conf is None:
        return [Finding(ERROR, "the CIB has no <configuration> element", None,
                        element_path(cib_root), element_line(cib_root))]
    found: list[Finding] = schema_findings(cib_root) if schema and cib_root.tag == "cib" else []
    index = build_index(conf)
    checks: Iterable[Iterable[Finding]] = (
        structure.check_ids(index),
        structure.check_containers(index),
        bundles.check_bundles(index),
        references.check_templates(index),
        references.check_id_refs(index),
        references.check_constraints(index),
        references.check_tags(index),
        references.check_fencing_levels(index),
        references.check_acls(index),
        properties.check_cluster_properties(index),
        properties.check_defaults(index),
        properties.check_fencing(index),
        resources.check_meta_attributes(index),
        resources.AgentChecks(index, catalog, properties.default_op_timeout(index)).check_all(),
    )
    for check in checks:
        found.extend(check)
    return found
