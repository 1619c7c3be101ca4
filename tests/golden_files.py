"""Golden files: reference workbooks kept in ``tests/golden`` and how they are built.

``test_golden.py`` builds the blank template, one completed return and a small summary
from fixed inputs and compares them part by part with the reference files, in the manner
of XlsxWriter's own tests. When a change to a workbook is intended, rebuild the references
and review the diff before committing them::

    python tests/golden_files.py --update
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from pcxl import __version__
from pcxl.branding import load_branding
from pcxl.consolidate import consolidate
from pcxl.framework import load_framework
from pcxl.register import Service
from pcxl.workbook import Fill, WorkbookRequest, write_workbook

GOLDEN = Path(__file__).resolve().parent / "golden"
ROUND = "2025-Q1"
DEADLINE = date(2025, 3, 31)
MADE = datetime(2025, 1, 15, 9, 30)
SAVED = datetime(2025, 3, 20, 16, 45)
AS_OF = date(2025, 4, 10)

SERVICES = [
    Service(
        organisation="Golden Trust",
        service=name,
        lead_name=lead,
        lead_email=f"{lead.split()[0].lower()}@example.org",
        place=place,
        sector="Acute",
        service_id=f"golden-{i}",
    )
    for i, (name, lead, place) in enumerate(
        [
            ("Diabetes Clinic", "Ada Lovelace", "Coventry"),
            ("Frailty Team", "Mary Seacole", "Warwick"),
            ("Stroke Unit", "Edith Cavell", "Rugby"),
        ]
    )
]
"""Three services: two return, one is outstanding."""

IGNORED_PARTS = frozenset({"docProps/app.xml"})
"""Parts that may differ without the workbook differing (application name and version)."""
VOLATILE = (
    re.escape(__version__),
    r"(?<=pcxl )\d+\.\d+\.\d+(?=[.<\s])",
    r"(?<=<t>pcxl_version</t></si><si><t>)\d+\.\d+\.\d+(?=</t>)",
    r"(?<=name=\"pcxl_pcxl_version\"><vt:lpwstr>)\d+\.\d+\.\d+(?=</vt:lpwstr>)",
)
"""Text replaced by a placeholder before comparing: pcxl's own version number, this one or
the release that wrote a reference (so a new release does not change every reference)."""


def fill_for(index: int) -> Fill:
    """Answers for every statement, some evidence and two actions, varied by ``index``."""
    fw = load_framework()
    scored = fw.scale.scored
    entries = fw.entries
    levels = {e.id: scored[(i + index) % len(scored)].label for i, e in enumerate(entries)}
    evidence = {entries[0].id: "=SUM(A1) stays text", entries[3].id: "Audit, March 2025"}
    actions = {
        entries[1].id: {
            "action": "Train the team in shared decision making",
            "lead": "Team leader",
            "deadline": date(2025, 3, 1),
            "review_date": date(2025, 6, 1),
            "status": "In progress",
        },
        entries[2].id: {
            "action": "Add personalised care plans to the record",
            "lead": "Clinical lead",
            "deadline": date(2025, 9, 30),
            "review_date": date(2025, 10, 31),
            "status": "Not started",
        },
    }
    return Fill(levels=levels, evidence=evidence, actions=actions, start={"completed_by": "A Lead"})


def request(service: Service | None, fill: Fill | None) -> WorkbookRequest:
    return WorkbookRequest(
        framework=load_framework(),
        branding=load_branding(),
        round=ROUND,
        service=service,
        deadline=DEADLINE,
        generated_at=MADE,
        fill=fill,
        saved_at=SAVED if fill else None,
    )


def build(out: Path) -> dict[str, Path]:
    """Write the golden documents into ``out``; returns them by reference file name."""
    out.mkdir(parents=True, exist_ok=True)
    template = out / "blank_template.xlsx"
    write_workbook(request(None, None), template)
    returns = out / "returns"
    returns.mkdir(exist_ok=True)
    filled = []
    for i, service in enumerate(SERVICES[:2]):
        path = returns / f"return_{i}.xlsx"
        write_workbook(request(service, fill_for(i)), path)
        filled.append(path)
    result = consolidate(
        [returns], SERVICES, ROUND, out / "summary", as_of=AS_OF, generated_at=MADE, workers=1
    )
    return {
        "blank_template.xlsx": template,
        "filled_workbook.xlsx": filled[0],
        "summary.xlsx": result.summary,
    }


def parts(path: Path) -> dict[str, bytes]:
    """The parts of an xlsx file by name, without :data:`IGNORED_PARTS`."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n not in IGNORED_PARTS}


def normalise(name: str, data: bytes) -> list[str]:
    """An XML part as one tag (or text run) per line, volatile text replaced; other parts
    as a single line holding their size and bytes' hash."""
    if not name.endswith((".xml", ".rels")):
        return [f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}"]
    text = data.decode("utf-8")
    for pattern in VOLATILE:
        text = re.sub(pattern, "{volatile}", text)
    return re.sub(r">\s*<", ">\n<", text).splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the reference files")
    args = parser.parse_args(argv)
    if not args.update:
        parser.print_help()
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in build(Path(tmp)).items():
            (GOLDEN / name).write_bytes(path.read_bytes())
            print(f"updated tests/golden/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
