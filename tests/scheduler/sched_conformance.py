"""Running the Pacemaker scheduler regression cases through our scheduler, in process.

Shared by the conformance test and usable by hand to see what differs:

    .venv/bin/python tests/scheduler/sched_conformance.py [tier1|tier2|tier3|CASE ...]

prints the missing (-) and extra (+) Transition Summary lines of every failing case and the
per-tier figures. Lines are compared as the conformance README says: trimmed, whitespace runs
folded, no spaces just inside parentheses, as multisets.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.shared_paths import SCHEDULER_CASES as CONFORMANCE  # noqa: E402
from tests.shared_paths import SCHEDULER_TIER3_CASES as TIER3  # noqa: E402
KNOWN_FAILURES = Path(__file__).with_name("known_failures.tsv")
# "now" for cases without an execution-date: a fixed, realistic time (2026-01-01 UTC) so runs
# repeat; Pacemaker takes the clock there, and the README says no case depends on the date.
# (It must be a real time: a node_state's in_ccm="true" means "member since now".)
CASE_NOW = 1_767_225_600


def normalise(line: str) -> str:
    text = re.sub(r"\s+", " ", line.strip())
    return text.replace("( ", "(").replace(" )", ")")


def summary_block(lines: list[str]) -> list[str]:
    """The graded lines: those after 'Transition Summary:' up to the first blank line."""
    try:
        start = [line.rstrip() for line in lines].index("Transition Summary:")
    except ValueError:
        raise ValueError("no 'Transition Summary:' header") from None
    block = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        if line.strip().startswith("*"):
            block.append(normalise(line))
    return block


def compare(expected: list[str], actual: list[str]) -> tuple[int, list[str], list[str]]:
    """(matched count, missing lines, extra lines) of two line multisets."""
    want, got = Counter(expected), Counter(actual)
    matched = sum((want & got).values())
    return matched, sorted((want - got).elements()), sorted((got - want).elements())


@dataclass
class CaseResult:
    name: str
    tier: str
    matched: int
    missing: list[str]
    extra: list[str]
    error: str = ""

    @property
    def exact(self) -> bool:
        return not self.missing and not self.extra and not self.error


@dataclass
class TierFigures:
    cases: int = 0
    exact: int = 0
    matched: int = 0
    missing: int = 0
    extra: int = 0
    failing: list[str] = field(default_factory=list)

    def line(self, tier: str) -> str:
        rate = 100.0 * self.exact / self.cases if self.cases else 0.0
        return (f"{tier}: {self.exact}/{self.cases} cases exact ({rate:.1f}%); lines matched "
                f"{self.matched}, missing {self.missing}, extra {self.extra}")


def case_dir(tier: str) -> Path:
    """Tiers 1 and 2 share ../shared/conformance/scheduler; tier 3 has its own directory."""
    return TIER3 if tier == "tier3" else CONFORMANCE


def cases(directories: tuple[Path, ...] = (CONFORMANCE,)) -> list[tuple[str, str]]:
    """(case, tier) in cases.tsv order: tiers 1 and 2 (all_cases adds tier 3)."""
    out = []
    for directory in directories:
        for row in (directory / "cases.tsv").read_text().splitlines():
            if row and not row.startswith("#"):
                name, tier = row.split("\t")[:2]
                out.append((name, tier))
    return out


def all_cases() -> list[tuple[str, str]]:
    return cases((CONFORMANCE, TIER3))


def expected_lines(name: str, tier: str = "tier1") -> list[str]:
    path = case_dir(tier) / "summary" / f"{name}.summary"
    return summary_block(path.read_text().splitlines())


def run_case(name: str, tier: str) -> CaseResult:
    from daemon.scheduler import load_cib, schedule
    expected = expected_lines(name, tier)
    try:
        # crm_simulate treats the saved CIBs as sanitized (private parameters masked)
        transition = schedule(load_cib(str(case_dir(tier) / "xml" / f"{name}.xml")), CASE_NOW,
                              sanitized=True)
    except Exception as exc:  # a crash is a failing case, reported with its cause
        return CaseResult(name, tier, 0, expected, [], error=repr(exc))
    matched, missing, extra = compare(expected, [normalise(x) for x in transition.summary_lines])
    return CaseResult(name, tier, matched, missing, extra)


def run_all(selected: list[tuple[str, str]] | None = None) -> list[CaseResult]:
    return [run_case(name, tier) for name, tier in (selected or all_cases())]


def figures(results: list[CaseResult]) -> dict[str, TierFigures]:
    out: dict[str, TierFigures] = {}
    for res in results:
        fig = out.setdefault(res.tier, TierFigures())
        fig.cases += 1
        fig.exact += res.exact
        fig.matched += res.matched
        fig.missing += len(res.missing)
        fig.extra += len(res.extra)
        if not res.exact:
            fig.failing.append(res.name)
    return out


def known_failures() -> dict[str, str]:
    """case -> reason, from known_failures.tsv (case<TAB>reason, '#' comments)."""
    out = {}
    for row in KNOWN_FAILURES.read_text().splitlines():
        if row.strip() and not row.startswith("#"):
            name, _, reason = row.partition("\t")
            out[name.strip()] = reason.strip()
    return out


def main(argv: list[str]) -> int:
    tiers = {a for a in argv if a in ("tier1", "tier2", "tier3")}
    names = {a for a in argv if a not in tiers}
    selected = [(n, t) for n, t in all_cases()
                if (not tiers or t in tiers) and (not names or n in names)]
    results = run_all(selected)
    for res in results:
        if res.exact:
            continue
        print(res.name, res.tier, res.error)
        for line in res.missing:
            print("   -", line)
        for line in res.extra:
            print("   +", line)
    for tier, fig in sorted(figures(results).items()):
        print(fig.line(tier))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main(sys.argv[1:]))
