"""Keep the workbooks of a contract version, so its returns still import after it changes.

Run before changing the workbook contract, and give the commit whose code wrote that
version (default: ``HEAD``)::

    python tools/snapshot_contract.py [COMMIT]

The commit's ``src`` and ``templates`` are exported to a temporary folder; its own code
writes every kind of workbook (per framework: service workbook and blank template, with
and without a deadline) with the placeholders of :mod:`pcxl.returns.template`, and today's
code files them in ``templates/contracts/v<N>.json.gz`` for the importer.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from pcxl.framework import load_framework
from pcxl.returns import template

ROOT = Path(__file__).resolve().parents[1]

WRITER = """
import base64, io, json, sys
from datetime import date, datetime
from pcxl import contract
from pcxl.branding import load_branding
from pcxl.framework import available_frameworks
from pcxl.register import Service
from pcxl.workbook import WorkbookRequest, write_workbook

p = json.loads(sys.argv[1])
service = Service(**p["service"])
out = {"version": contract.CONTRACT_VERSION, "workbooks": []}
for fw in available_frameworks():
    for blank in (False, True):
        for deadline in (date.fromisoformat(p["deadline"]), None):
            request = WorkbookRequest(
                framework=fw, branding=load_branding(), round=p["round"],
                service=None if blank else service, deadline=deadline,
                generated_at=datetime.fromisoformat(p["generated"]),
            )
            buffer = io.BytesIO()
            write_workbook(request, buffer)
            out["workbooks"].append({
                "framework": fw.key, "hash": fw.content_hash, "blank": blank,
                "deadline": deadline is not None, "return_id": request.return_id,
                "data": base64.b64encode(buffer.getvalue()).decode(),
            })
print(json.dumps(out))
"""


def _export(commit: str, into: Path) -> None:
    archive = subprocess.run(
        [shutil.which("git") or "git", "archive", "--format=tar", commit, "src", "templates"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def main(commit: str = "HEAD") -> None:
    service = template.placeholder_service()
    params = {
        "service": {
            k: getattr(service, k)
            for k in ("organisation", "service", "lead_name", "lead_email", "place", "sector")
        }
        | {"service_id": service.service_id},
        "round": template.ROUND_PLACEHOLDER,
        "deadline": template.DEADLINE_PLACEHOLDER.isoformat(),
        "generated": template.GENERATED_PLACEHOLDER.isoformat(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        _export(commit, Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        env.pop("PCXL_TEMPLATES", None)
        written = subprocess.run(
            [sys.executable, "-c", WRITER, json.dumps(params)],
            cwd=tmp,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    found = json.loads(written)
    kept = {}
    for wb in found["workbooks"]:
        fw = load_framework(wb["framework"])
        key = template.variant_key(fw, wb["hash"], wb["blank"], True if wb["deadline"] else None)
        kept[key] = template.parse_template(base64.b64decode(wb["data"]), wb["return_id"])
    target = template.earlier_file(found["version"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(template.dump_templates(kept))
    print(f"Kept {len(kept)} workbooks of contract version {found['version']} in {target.name}.")


if __name__ == "__main__":
    main(*sys.argv[1:2])
