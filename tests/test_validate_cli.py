"""``pcxl validate``: a per-file report, a summary line, JSON, and the exit status.

The returns folder for each test is made from a few kinds of file (the table below), so a
test says at a glance what the coordinator pointed the command at.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import faults
from conftest import make_service
from faults import statement_ids, table
from pcxl.cli import main
from pcxl.workbook import Fill

IDS = statement_ids()

KINDS = table("""
| kind     | status   | mark | what is in it                                        |
| valid    | valid    | ok   | every statement answered, nothing odd                |
| warnings | warnings | warn | half the statements answered (return-incomplete)     |
| errors   | errors   | ERR  | every statement answered, one deadline 'Q3'          |
| invalid  | invalid  | BAD  | a PDF named .xlsx                                    |
""")
ALL_ANSWERED = dict.fromkeys(IDS, "3 – Established")


def make(kind: str, folder: Path, name: str | None = None) -> Path:
    """One file of a kind from the table, in ``folder``."""
    name = name or f"{kind}.xlsx"
    if kind == "invalid":
        return faults.not_a_workbook(folder, "pdf", name)
    fill = {
        "valid": Fill(levels=ALL_ANSWERED),
        "warnings": Fill(levels=dict.fromkeys(IDS[::2], "2")),
        "errors": Fill(
            levels=ALL_ANSWERED, actions={IDS[0]: {"action": "Train", "deadline": "Q3"}}
        ),
    }[kind]
    service = make_service(service=f"Service {kind} {name}")
    return faults.filled(folder, fill, name=name, service=service)


@pytest.fixture
def inbox(tmp_path: Path) -> Callable[..., Path]:
    """``inbox("valid", "errors", …)``: a folder holding one file of each kind given."""

    def build(*kinds: str) -> Path:
        folder = tmp_path / "inbox"
        folder.mkdir(exist_ok=True)
        for i, kind in enumerate(kinds):
            make(kind, folder, f"{i:02d}-{kind}.xlsx")
        return folder

    return build


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


def reported(result: Result, stream: str = "stdout") -> list[tuple[str, Path]]:
    """(mark, path) of each file line of the report."""
    return [
        (ln[:4], Path(ln[5:].split("  (")[0]))
        for ln in getattr(result, stream).splitlines()
        if ln[:4] in {"ok  ", "warn", "ERR ", "BAD "}
    ]


def summary_line(result: Result, stream: str = "stdout") -> str:
    text = getattr(result, stream)
    (line,) = [ln for ln in text.splitlines() if ln.startswith("Read ")]
    return line


# ----------------------------------------------------------------------------- exit status


@pytest.mark.parametrize("row", KINDS, ids=[r["kind"] for r in KINDS])
def test_one_file_of_each_kind(tmp_path: Path, row: dict[str, str]) -> None:
    path = make(row["kind"], tmp_path)
    result = run(str(path))
    assert result.exit_code == (0 if row["kind"] in {"valid", "warnings"} else 1)
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{row['mark']:<4} {path}")
    counts = {"valid": 0, "warnings": 0, "errors": 0, "invalid": 0}
    counts[row["status"]] = 1
    errors = counts["errors"] + counts["invalid"]
    assert summary_line(result).startswith(
        f"Read 1 files: {counts['valid']} valid, {counts['warnings']} with warnings, "
        f"{errors} with errors ({counts['invalid']} unusable) in "
    )


def test_only_valid_and_warning_files_exit_zero(inbox: Callable[..., Path]) -> None:
    result = run(str(inbox("valid", "warnings", "valid")))
    assert result.exit_code == 0
    assert summary_line(result).startswith(
        "Read 3 files: 2 valid, 1 with warnings, 0 with errors (0 unusable)"
    )


def test_any_file_with_errors_exits_one(inbox: Callable[..., Path]) -> None:
    result = run(str(inbox("valid", "errors")))
    assert result.exit_code == 1
    assert summary_line(result).startswith(
        "Read 2 files: 1 valid, 0 with warnings, 1 with errors (0 unusable)"
    )


USAGE = table("""
| arguments                    | says                       |
|                              | give PATHS, or run inside  |
| --json                       | requires an argument       |
| --frobnicate x.xlsx          | No such option             |
""")


@pytest.mark.parametrize("row", USAGE, ids=[r["arguments"] or "no paths" for r in USAGE])
def test_usage_errors_exit_two(row: dict[str, str]) -> None:
    result = run(*row["arguments"].split())
    assert result.exit_code == 2
    assert row["says"].replace("…", "...") in result.stderr


def test_help_explains_with_an_example() -> None:
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Example:" in text and "pcxl validate" in text
    assert "Exit status: 0 when no file has errors, 1 otherwise, 2 for usage errors" in text


# ----------------------------------------------------------------------------- the report


def test_per_file_report_names_every_issue(tmp_path: Path) -> None:
    path = make("errors", tmp_path)
    cell = faults.statement_cell(path, "Improvement Action Plan", IDS[0], "deadline")
    result = run(str(path))
    lines = result.stdout.splitlines()
    assert lines[0] == f"ERR  {path}  (Example Trust – Service errors errors.xlsx)"
    (issue,) = [ln for ln in lines if "date-unreadable" in ln]
    assert issue.split()[:3] == ["error", "date-unreadable", "Improvement"]
    assert f"Improvement Action Plan!{cell}" in issue
    assert "'Q3' is not a date" in issue


def test_folders_are_searched_recursively(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    (root / "Trust A" / "late").mkdir(parents=True)
    make("valid", root, "top.xlsx")
    make("warnings", root / "Trust A", "a.xlsx")
    make("valid", root / "Trust A" / "late", "b.xlsx")
    (root / "Trust A" / "~$a.xlsx").write_bytes(b"Office lock file")
    (root / "manifest.csv").write_text("pcxl's own log\n")
    result = run(str(root))
    assert result.exit_code == 0
    assert sorted(reported(result)) == sorted(
        [
            ("ok  ", root / "top.xlsx"),
            ("warn", root / "Trust A" / "a.xlsx"),
            ("ok  ", root / "Trust A" / "late" / "b.xlsx"),
        ]
    )
    assert summary_line(result).startswith("Read 3 files: 2 valid, 1 with warnings")


def test_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    good = make("valid", folder, "a-good.xlsx")
    faults.truncated(good, dst=folder / "b-truncated.xlsx")
    faults.zip_bomb(good, 50 * 1024 * 1024, dst=folder / "c-bomb.xlsx")
    faults.not_a_workbook(folder, "random", "d-random.xlsx")
    make("warnings", folder, "e-partial.xlsx")
    result = run(str(folder))
    assert result.exit_code == 1
    assert [(mark, path.name) for mark, path in reported(result)] == [
        ("ok  ", "a-good.xlsx"),
        ("BAD ", "b-truncated.xlsx"),
        ("BAD ", "c-bomb.xlsx"),
        ("BAD ", "d-random.xlsx"),
        ("warn", "e-partial.xlsx"),
    ]
    assert summary_line(result).startswith(
        "Read 5 files: 1 valid, 1 with warnings, 3 with errors (3 unusable)"
    )


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing.xlsx"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_quiet_lists_only_files_with_issues(inbox: Callable[..., Path]) -> None:
    result = run("--quiet", str(inbox("valid", "warnings")))
    assert result.exit_code == 0
    assert "01-warnings.xlsx" in result.stdout
    assert "00-valid.xlsx" not in result.stdout
    assert summary_line(result).startswith("Read 2 files: 1 valid")


def test_register_and_round_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    make("valid", folder, "ours.xlsx")
    faults.filled(
        folder,
        Fill(levels=ALL_ANSWERED),
        name="stranger.xlsx",
        service=make_service("Unknown Trust", "Unknown"),
    )
    faults.filled(
        folder,
        Fill(levels=ALL_ANSWERED),
        name="old-round.xlsx",
        service=make_service(service="Service valid ours.xlsx"),
        round_name="2024-Q4",
    )
    register = tmp_path / "services.csv"
    register.write_text(
        "organisation,service,lead_name,lead_email\n"
        "Example Trust,Service valid ours.xlsx,Alex,alex@example.org\n",
        encoding="utf-8",
    )
    result = run(str(folder), "--services", str(register), "--round", "2025-Q1", "--json", "-")
    assert result.exit_code == 1
    files = {f["file"]: f for f in json.loads(result.stdout)["files"]}
    assert {name: [i["code"] for i in f["issues"]] for name, f in files.items()} == {
        "ours.xlsx": [],
        "stranger.xlsx": ["service-unknown"],
        "old-round.xlsx": ["round-mismatch"],
    }


# ----------------------------------------------------------------------------- JSON


def test_json_to_stdout_keeps_the_report_on_stderr(inbox: Callable[..., Path]) -> None:
    folder = inbox("valid", "errors", "invalid")
    result = run(str(folder), "--json", "-")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)  # nothing but JSON on standard output
    assert payload["summary"] == {
        "files": 3,
        "valid": 1,
        "warnings": 0,
        "errors": 2,
        "invalid": 1,
        "superseded": 0,
    }
    assert [(f["file"], f["status"], f["usable"]) for f in payload["files"]] == [
        ("00-valid.xlsx", "valid", True),
        ("01-errors.xlsx", "errors", True),
        ("02-invalid.xlsx", "invalid", False),
    ]
    assert "Read 3 files: 1 valid, 0 with warnings, 2 with errors (1 unusable)." in result.stderr
    assert "ERR " in result.stderr


def test_json_file_holds_the_same_report(inbox: Callable[..., Path], tmp_path: Path) -> None:
    folder = inbox("valid", "errors", "invalid")
    out = tmp_path / "report.json"
    result = run(str(folder), "--json", str(out))
    assert result.exit_code == 1
    assert "ERR " in result.stdout and summary_line(result).startswith("Read 3 files")
    payload = json.loads(out.read_text(encoding="utf-8"))
    valid, errors, invalid = payload["files"]
    assert (valid["answered"], valid["statements"], valid["completion"]) == (
        len(IDS),
        len(IDS),
        1.0,
    )
    assert valid["return_id"].startswith("PCXL-") and valid["framework"] == "cw-maturity@1.0"
    assert valid["issues"] == []
    (issue,) = errors["issues"]
    cell = faults.statement_cell(
        folder / "01-errors.xlsx", "Improvement Action Plan", IDS[0], "deadline"
    )
    assert {k: issue[k] for k in ("severity", "code", "sheet", "cell", "blocking", "file")} == {
        "severity": "error",
        "code": "date-unreadable",
        "sheet": "Improvement Action Plan",
        "cell": cell,
        "blocking": False,
        "file": "01-errors.xlsx",
    }
    assert (invalid["format"], invalid["answered"], invalid["return_id"]) == ("pdf", None, None)
    assert [i["code"] for i in invalid["issues"]] == ["file-not-workbook"]
