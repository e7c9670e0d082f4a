"""Record what the real crm prints for every case of differential_inputs.py.

Run from the repository root:  .venv/bin/python tests/render/record_differential.py
It rewrites differential_expected.json (review the diff before committing). Cases crm refuses
or crashes on are stored with "crm_error" instead of "show".
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from crm_oracle import CrmFailed, crm_show  # noqa: E402
from differential_inputs import CASES, SELECTIONS  # noqa: E402

TABLE = HERE / "differential_expected.json"


def record_one(name: str) -> tuple[str, dict[str, object]]:
    xml = CASES[name]
    entry: dict[str, object] = {"xml": xml}
    try:
        entry["show"] = crm_show(xml)
        entry["show_xml"] = crm_show(xml, "xml")
    except CrmFailed as err:
        return name, {"xml": xml, "crm_error": str(err).splitlines()[-1] if str(err) else ""}
    selection = SELECTIONS.get(name)
    if selection:
        entry["selection"] = selection
        entry["show_selection"] = crm_show(xml, *selection)
        entry["show_xml_selection"] = crm_show(xml, "xml", *selection)
    return name, entry


def main() -> int:
    names = sys.argv[1:] or sorted(CASES)
    table = json.loads(TABLE.read_text()) if TABLE.exists() else {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, entry in pool.map(record_one, names):
            table[name] = entry
            print("%-40s %s" % (name, "ok" if "show" in entry else entry["crm_error"]))
    table = {k: table[k] for k in sorted(table) if k in CASES}
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
