"""Plain data views of returns for reports and ``--json`` output."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from pcxl.returns.record import ReturnRecord
from pcxl.scoring import ALL


def record_dict(record: ReturnRecord) -> dict[str, Any]:
    """One return as JSON-ready data: identity, status, completion and issues."""
    meta = record.meta
    total = next((s for s in record.scores() if s.component_id == ALL), None)
    return {
        "file": record.file,
        "path": str(record.path),
        "sha256": record.sha256,
        "format": record.format,
        "status": record.status,
        "usable": record.usable,
        "superseded_by": record.superseded_by,
        "return_id": meta.return_id,
        "round": meta.round,
        "organisation": meta.organisation,
        "service": meta.service,
        "service_id": meta.service_id,
        "framework": f"{meta.framework_id}@{meta.framework_version}" if meta.framework_id else None,
        "answered": total.answered if total and record.usable else None,
        "statements": total.statements if total and record.usable else None,
        "completion": round(total.completion, 4) if total and record.usable else None,
        "actions": len(record.actions),
        "issues": [asdict(i) for i in record.issues],
    }


def batch_counts(records: Sequence[ReturnRecord]) -> dict[str, int]:
    """Files read, and how many are valid, with warnings, with errors, invalid."""
    by_status = Counter(r.status for r in records)
    return {
        "files": len(records),
        "valid": by_status["valid"],
        "warnings": by_status["warnings"],
        "errors": by_status["errors"] + by_status["invalid"],
        "invalid": by_status["invalid"],
        "superseded": sum(r.superseded_by is not None for r in records),
    }
