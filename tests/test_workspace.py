"""The workspace: two rounds end to end, idempotent re-runs, --workspace from elsewhere,
round names and state, the forgiving register, and bad inputs that get sentences."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime
from email import message_from_bytes
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import SAMPLE_REGISTER
from pcxl.cli import main
from pcxl.csvlog import read_rows
from pcxl.demo import run_demo
from pcxl.errors import PcxlError, RegisterError
from pcxl.register import read_register
from pcxl.rounds import period_from_name
from pcxl.store import open_store

SERVICES = [
    ("Coventry Trust", "Falls Clinic", "Amara Okafor", "amara.okafor@example.org"),
    ("Coventry Trust", "Memory Service", "Ben Hale", "ben.hale@example.org"),
    ("Rugby PCN", "Social Prescribing", "Chloé Dúnn", "chloe.dunn@example.org"),
]


def run(args: list[str], cwd: Path | None = None, input: str | None = None) -> Result:
    """Run pcxl as a coordinator would, in ``cwd``."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, args, input=input)
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, args, input=input)
    finally:
        os.chdir(here)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def write_register(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Organisation", "Service", "Lead name", "Lead email"])
        w.writerows(SERVICES)
    return path


def fill_returns(workbooks: Path, inbox: Path, count: int, register: Path, name: str) -> None:
    """Complete the first ``count`` services' workbooks and e-mail them back (.eml)."""
    from email.message import EmailMessage

    from pcxl.branding import load_branding
    from pcxl.framework import load_framework
    from pcxl.workbook import WorkbookRequest, write_workbook
    from test_store import sample_fill

    fw, brand = load_framework("cw-maturity"), load_branding("coventry-warwickshire")
    inbox.mkdir(parents=True, exist_ok=True)
    rows = read_rows(workbooks / "manifest.csv")
    services = {s.service_id: s for s in read_register(register)}
    for row in rows[:count]:
        data = io.BytesIO()
        request = WorkbookRequest(
            framework=fw,
            branding=brand,
            round=name,
            service=services[row["service_id"]],
            deadline=None,
            generated_at=datetime(2025, 4, 7, 9, 0),
            fill=sample_fill(fw),
        )
        write_workbook(request, data)
        assert request.return_id == row["return_id"]
        msg = EmailMessage()
        msg["From"] = row["lead_email"]
        msg["To"] = "returns@example.org"
        msg["Subject"] = "Re: checklist"
        msg["Date"] = "Tue, 20 May 2025 10:15:00 +0000"
        msg.set_content("Attached.")
        msg.add_attachment(
            data.getvalue(),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=row["file"],
        )
        (inbox / f"{row['service_id']}.eml").write_bytes(bytes(msg))


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".sqlite"
    }


def test_two_rounds_in_a_workspace_and_every_step_again_changes_nothing(tmp_path: Path) -> None:
    register = write_register(tmp_path / "my register.csv")
    ws = tmp_path / "programme"
    ok(run(["init", str(ws), "--name", "Test ICS", "--services", str(register)]))
    assert (ws / "pcxl.toml").is_file() and (ws / "rounds").is_dir()
    assert "already is the workspace" in ok(run(["init", str(ws), "--name", "Other"]))

    rounds = [("2025/26 Q1", "2025-05-30", 3), ("2025/26 Q2", "2025-08-29", 2)]
    for i, (name, deadline, returned) in enumerate(rounds):
        if i:
            ok(run(["round", "close", rounds[i - 1][0]], cwd=ws))
        ok(run(["round", "open", name, "--deadline", deadline], cwd=ws))
        folder = ws / "rounds" / name.replace("/", "-").replace(" ", "-")
        steps = [
            ["generate"],
            ["mail"],
            ["collect", str(tmp_path / f"inbox{i}")],
            ["status"],
            ["consolidate", "--as-of", deadline],
        ]
        ok(run(steps[0], cwd=ws))
        assert len(list((folder / "workbooks").glob("*.xlsx"))) == len(SERVICES) + 1
        drafted = ok(run(steps[1], cwd=ws))
        assert f"Wrote {len(SERVICES)} of {len(SERVICES)} drafts" in drafted
        fill_returns(folder / "workbooks", tmp_path / f"inbox{i}", returned, register, name)
        ok(run(steps[2], cwd=ws))
        status = ok(run(steps[3], cwd=ws))
        assert f"{returned} returned (0 late)" in status
        assert "received 20/05/2025 (e-mail)" in status
        ok(run(steps[4], cwd=ws))
        data = (folder / "summary" / "returns.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        received = [r["received"] for r in read_rows(folder / "summary" / "returns.csv")]
        assert (
            received.count("2025-05-20 10:15:00") == returned
        )  # the e-mail's time, as Excel reads it
        before = snapshot(ws)
        again = [ok(run(step, cwd=ws)) for step in steps]
        assert "Wrote 0 workbooks, kept 3 already made" in again[0]
        assert f"{len(SERVICES)} already drafted" in again[1]
        assert "Saved 0 workbooks" in again[2]
        changed = {
            k for k in snapshot(ws).keys() | before.keys() if snapshot(ws).get(k) != before.get(k)
        }
        # only the outputs rewritten from the same data (new file times inside) may differ
        assert all("summary" in k or k.endswith("collection_log.csv") for k in changed), changed
        log = read_rows(folder / "outbox" / "dispatch_log.csv")
        assert sorted(r["result"] for r in log) == ["drafted"] * len(SERVICES)

    trend = ok(run(["trend"], cwd=ws))
    assert "Trend over 2 rounds (2025/26 Q1 to 2025/26 Q2)" in trend and "nan" not in trend
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = ok(run(["round", "list", "--workspace", str(ws)], cwd=elsewhere))
    assert "2025/26 Q1     closed 01/04/2025 to 30/06/2025  due 30/05/2025  3 returns" in listed
    assert "2025/26 Q2     open   01/07/2025 to 30/09/2025  due 29/08/2025  2 returns" in listed
    with open_store(ws / "pcxl.sqlite") as st:
        assert [(r.name, r.returns) for r in st.rounds()] == [("2025/26 Q1", 3), ("2025/26 Q2", 2)]


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("2025/26 Q1", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025/26 Q2", date(2025, 7, 1), date(2025, 9, 30)),
        ("Q1 2025/26", date(2025, 4, 1), date(2025, 6, 30)),
        ("FY2025/26 Q3", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025-26 Q4", date(2026, 1, 1), date(2026, 3, 31)),
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
    ],
)
def test_financial_and_calendar_quarters(name: str, start: date, end: date) -> None:
    found = period_from_name(name)
    assert found is not None and (found.starts_on, found.ends_on) == (start, end)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ok(run(["init", str(ws), "--services", str(write_register(tmp_path / "s.csv"))]))
    ok(run(["round", "open", "2025/26 Q1", "--deadline", "2025-05-30", "-w", str(ws)]))
    return ws


def test_a_misspelt_round_is_an_error_not_a_new_round(workspace: Path) -> None:
    result = run(["import", "--round", "2025/62 Q1", "-w", str(workspace)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no round named '2025/62 Q1'" in result.output and "Did you mean '2025/26 Q1'" in (
        result.output
    )
    with open_store(workspace / "pcxl.sqlite") as st:
        assert [r.name for r in st.rounds()] == ["2025/26 Q1"]


def test_rename_and_delete_ask_are_audited_and_never_delete_returns(workspace: Path) -> None:
    w = ["-w", str(workspace)]
    refused = run(["round", "rename", "2025/26 Q1", "2025/26 Q2", *w], input="n\n")
    assert refused.exit_code == 1 and "Nothing changed" in refused.output
    ok(run(["round", "rename", "2025/26 Q1", "2025/26 Q2", "--yes", *w]))
    assert (workspace / "rounds" / "2025-26-Q2").is_dir()
    returns = workspace / "rounds" / "2025-26-Q2" / "returns"
    returns.mkdir()
    (returns / "a.xlsx").write_bytes(b"from a lead")
    kept = run(["round", "delete", "2025/26 Q2", "--yes", *w])
    assert kept.exit_code == 1 and "never deletes what service leads sent" in kept.output
    assert (returns / "a.xlsx").read_bytes() == b"from a lead"
    (returns / "a.xlsx").unlink()
    ok(run(["round", "delete", "2025/26 Q2", "--yes", *w]))
    with open_store(workspace / "pcxl.sqlite") as st:
        assert st.rounds() == []
        actions = list(st.audit()["action"])
    assert actions == ["round-opened", "round-renamed", "round-deleted"]


def test_resend_says_how_many_and_asks(workspace: Path) -> None:
    w = ["-w", str(workspace)]
    ok(run(["generate", *w]))
    ok(run(["mail", *w]))
    ok(run(["generate", "--regenerate", *w]))
    assert "3 already drafted" in ok(run(["mail", *w]))
    asked = run(["mail", "--resend", *w], input="n\n")
    assert "3 lead(s) already had their workbook" in asked.output and asked.exit_code == 1
    assert "Wrote 3 of 3 drafts" in ok(run(["mail", "--resend", "--yes", *w]))
    dry = ok(run(["mail", "--dry-run", "--resend", *w]))
    assert "Dry run: would draft 3 of 3 messages" in dry
    outbox = workspace / "rounds" / "2025-26-Q1" / "outbox"
    tested = ok(run(["mail", "--test-to", "me@example.org", *w]))
    assert "test" in tested
    test_drafts = sorted(outbox.glob("TEST_*.eml"))
    assert len(test_drafts) == 3
    assert {message_from_bytes(p.read_bytes())["To"] for p in test_drafts} == {"me@example.org"}


def test_csv_logs_open_in_excel(workspace: Path) -> None:
    ok(run(["generate", "-w", str(workspace)]))
    ok(run(["mail", "-w", str(workspace)]))
    folder = workspace / "rounds" / "2025-26-Q1"
    for path in (folder / "workbooks" / "manifest.csv", folder / "outbox" / "dispatch_log.csv"):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert "Chloé Dúnn" in (folder / "workbooks" / "manifest.csv").read_text("utf-8-sig")
    stamp = read_rows(folder / "outbox" / "dispatch_log.csv")[0]["drafted_at"]
    assert len(stamp) == 19 and stamp[10] == " "  # 2025-05-20 10:15:00


# ------------------------------------------------------------------- the register


def register_from(path: Path, text: str, encoding: str = "utf-8") -> list[tuple[str, ...]]:
    path.write_bytes(text.encode(encoding))
    return [(s.organisation, s.service, s.lead_name, s.lead_email) for s in read_register(path)]


EXPECTED = [("Trust A", "Falls", "Zoë Ng", "zoe@example.org")]


ROW = "Trust A,Falls,Zoë Ng,zoe@example.org"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (f"Organisation Name,Service,Service lead,Email Address\n{ROW}\n", "utf-8"),
        (
            "\ufeffOrganisation;Service;Lead name;Service lead email\r\n"
            + ROW.replace(",", ";")
            + "\r\n",
            "utf-8",
        ),
        (
            "Organisation\tService\tService lead\tLead's e-mail\n\n"
            + ROW.replace(",", "\t")
            + "\n\n",
            "utf-8",
        ),
        (f"Organisation,Service,Lead name,Email\r{ROW}\r", "cp1252"),
        (
            f"Services register 2025/26,,,\n\nOrganisation,Service,Lead name,E-mail\n{ROW}\n",
            "cp1252",
        ),
    ],
    ids=[
        "synonyms",
        "semicolon-bom-crlf",
        "tab-pcxl-captions-blank-lines",
        "mac-cp1252",
        "title-row",
    ],
)
def test_a_register_as_coordinators_write_it(tmp_path: Path, text: str, encoding: str) -> None:
    assert register_from(tmp_path / "r.csv", text, encoding) == EXPECTED


def test_a_column_that_only_mentions_a_field_does_not_take_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "Organisation type,Organisation,Service,Lead name,Backup lead email,Lead email\n"
        "NHS trust,Trust A,Falls,Zoë Ng,cover@example.org,zoe@example.org\n",
        encoding="utf-8",
    )
    (service,) = read_register(path)
    assert (service.organisation, service.lead_email) == ("Trust A", "zoe@example.org")
    assert service.extra == {
        "organisation_type": "NHS trust",
        "backup_lead_email": "cover@example.org",
    }


def test_the_first_sheet_that_looks_like_a_register(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Notes").write(0, 0, "Read me first")
    sheet = book.add_worksheet("Services")
    sheet.write_row(0, 0, ["Organisation", "Service", "Lead name", "Lead email"])
    sheet.write_row(1, 0, list(EXPECTED[0]))
    book.close()
    assert [
        (s.organisation, s.service, s.lead_name, s.lead_email, s.row) for s in read_register(path)
    ] == [(*EXPECTED[0], 2)]


def test_register_messages_quote_the_users_columns_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Title\nOrganisation,Service,Lead,Email Address\nT,S,L,not-an-address\n,X,L,\n")
    with pytest.raises(RegisterError) as err:
        read_register(path)
    assert err.value.problems == [
        "row 3: 'Email Address' 'not-an-address' is not a valid e-mail address",
        "row 4: 'Organisation' is blank",
        "row 4: 'Email Address' is blank",
    ]
    assert "lead_email" not in str(err.value)


# ------------------------------------------------------------------- bad inputs


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "register.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    (folder / "empty-line.csv").write_text("\n\n", encoding="utf-8")
    (folder / "no-header.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (folder / "returns").mkdir()
    (folder / "returns" / "broken.xlsx").write_bytes(b"PK\x03\x04 cut short")
    return folder


COMMANDS = [
    ["generate", "--round", "2025-Q1", "--out", "{out}", "--services", "{register}"],
    [
        "mail",
        "--round",
        "2025-Q1",
        "--workbooks",
        "{bad}",
        "--out",
        "{out}",
        "--services",
        "{register}",
    ],
    ["status", "--returns", "{bad}/returns", "--services", "{register}"],
    ["validate", "{bad}/returns", "--services", "{register}"],
    [
        "consolidate",
        "{bad}/returns",
        "--round",
        "2025-Q1",
        "--out",
        "{out}",
        "--services",
        "{register}",
    ],
    [
        "import",
        "{bad}/returns",
        "--round",
        "2025-Q1",
        "--db",
        "{out}/h.sqlite",
        "--services",
        "{register}",
    ],
    ["trend", "--db", "{out}/h.sqlite", "--out", "{out}", "--services", "{register}"],
    ["round", "list", "--db", "{out}/none.sqlite"],
    ["generate"],
    ["init", "{bad}/register.pdf"],
]


@pytest.mark.parametrize("register", ["register.pdf", "empty-line.csv", "no-header.csv"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_bad_inputs_get_a_sentence(
    bad: Path, tmp_path: Path, command: list[str], register: str
) -> None:
    fill = {"bad": str(bad), "out": str(tmp_path / "out"), "register": str(bad / register)}
    args = [a.format(**fill) for a in command]
    result = run(args, cwd=tmp_path)
    assert result.exit_code in {1, 2}, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert not list(tmp_path.rglob("*.part"))


def test_a_locked_output_gets_a_sentence_and_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "wb"
    args = ["generate", "--services", str(SAMPLE_REGISTER), "--round", "2025-Q1", "--out", str(out)]
    ok(run(args))
    locked = sorted(out.glob("*.xlsx"))[3]
    replace = Path.replace

    def like_windows(self: Path, target: str | Path) -> Path:
        """Windows refuses to replace a file Excel holds open."""
        if Path(target) == locked:
            raise PermissionError(13, "The process cannot access the file", str(target))
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", like_windows)
    result = run([*args, "--regenerate", "--workers", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Cannot write {locked}: it is open in another program" in result.output
    assert not list(out.glob("*.part"))


# ------------------------------------------------------------------- the demo


def test_the_demo_never_touches_a_real_workspace(workspace: Path, tmp_path: Path) -> None:
    before = snapshot(workspace)
    with pytest.raises(PcxlError, match="never writes into a real workspace"):
        run_demo(workspace, rounds=("2025-Q1",))
    with pytest.raises(PcxlError, match="never writes into a real workspace"):
        run_demo(workspace / "demo", rounds=("2025-Q1",))
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    with pytest.raises(PcxlError, match="did not make"):
        run_demo(other, rounds=("2025-Q1",))
    assert snapshot(workspace) == before and (other / "mine.txt").read_text() == "keep"
    result = run(["demo", "--round", "2025-Q1"], cwd=tmp_path)
    ok(result)
    assert (tmp_path / "demo" / "rounds" / "2025-Q1" / "summary").is_dir()
    assert "demo = true" in (tmp_path / "demo" / "pcxl.toml").read_text()


# ------------------------------------------------------------------- status


def test_status_filters_exports_and_reminds(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    register = write_register(tmp_path / "s.csv")
    ws = tmp_path / "ws"
    ok(run(["init", str(ws), "--services", str(register)]))
    w = ["-w", str(ws)]
    ok(run(["round", "open", "2025/26 Q1", "--deadline", "2025-05-16", *w]))
    ok(run(["generate", *w]))
    folder = ws / "rounds" / "2025-26-Q1"
    fill_returns(folder / "workbooks", tmp_path / "inbox", 2, register, "2025/26 Q1")
    ok(run(["collect", str(tmp_path / "inbox"), *w]))
    listed = ok(run(["status", "--outstanding", "--xlsx", str(tmp_path / "s.xlsx"), *w]))
    # sent 20/05/2025 by e-mail, four days after the deadline of 16/05/2025
    assert "2 returned (2 late), 1 outstanding, 0 invalid of 3 services; listed 1" in listed
    assert "Social Prescribing" in listed and "Falls Clinic" not in listed
    every = ok(run(["status", *w]))
    assert every.count("received 20/05/2025 (e-mail), 4 days late") == 2
    sheet = load_workbook(tmp_path / "s.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Organisation", "Service", "Lead", "Lead's e-mail", "Status")
    assert [r[1] for r in rows[1:]] == ["Social Prescribing"]
    assert sheet.auto_filter.ref == "A1:M2" and sheet.freeze_panes == "A2"
    for _ in range(2):  # a week later, the reminder is drafted again
        reminded = ok(run(["status", "--chase", *w]))
        assert "wrote 1 reminder drafts to" in reminded
        assert len(list((folder / "reminders").glob("*.eml"))) == 1


def test_trend_with_a_round_nothing_came_back_for_prints_no_nan(tmp_path: Path) -> None:
    register = write_register(tmp_path / "s.csv")
    ws = tmp_path / "ws"
    ok(run(["init", str(ws), "--services", str(register)]))
    w = ["-w", str(ws)]
    ok(run(["round", "open", "2025/26 Q1", "--deadline", "2025-05-16", *w]))
    ok(run(["generate", *w]))
    folder = ws / "rounds" / "2025-26-Q1"
    fill_returns(folder / "workbooks", tmp_path / "inbox", 2, register, "2025/26 Q1")
    ok(run(["collect", str(tmp_path / "inbox"), *w]))
    ok(run(["consolidate", *w]))
    ok(run(["round", "close", "2025/26 Q1", *w]))
    ok(run(["round", "open", "2025/26 Q2", "--deadline", "2025-08-15", *w]))
    trend = ok(run(["trend", *w]))
    assert "Trend over 1 round (2025/26 Q1)" in trend and "nan" not in trend
    assert "(2025/26 Q2: no returns yet)" in trend
    asked = run(["trend", "--rounds", "2025/26 Q1,2025/26 Q2", *w])
    assert asked.exit_code == 1 and "No returns are stored for round(s) 2025/26 Q2" in asked.output
    inside = run(["trend"], cwd=ws)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = run(["trend", "--workspace", str(ws)], cwd=elsewhere)
    assert inside.exit_code == outside.exit_code == 0
    last = [r.output.strip().splitlines()[-1].rsplit(" in ", 1)[0] for r in (inside, outside)]
    assert last[0] == last[1]


# ------------------------------------------------------------------- limits


def test_round_names_up_to_forty_characters(workspace: Path) -> None:
    w = ["-w", str(workspace)]
    ok(run(["round", "open", "2025-Q1 " + "x" * 32, "--deadline", "2025-03-31", *w]))
    over = run(["round", "open", "2025-Q1 " + "x" * 33, "--deadline", "2025-03-31", *w])
    assert over.exit_code == 1 and "1 to 40 printable characters" in over.output


def test_a_round_opens_on_or_before_its_deadline(workspace: Path) -> None:
    w = ["-w", str(workspace)]
    ok(run(["round", "open", "Baseline", "--opens", "2025-03-31", "--deadline", "2025-03-31", *w]))
    late = run(["round", "open", "Pilot", "--opens", "2025-04-01", "--deadline", "2025-03-31", *w])
    assert late.exit_code == 1 and "after its deadline" in late.output


@pytest.mark.parametrize(("titles", "found"), [(9, True), (10, False)])
def test_the_header_is_looked_for_in_the_top_ten_rows(
    tmp_path: Path, titles: int, found: bool
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("".join(f"Title line {i}\n" for i in range(titles)) + f"{HEADER}\n{ROW}\n")
    if found:
        assert [s.row for s in read_register(path)] == [titles + 2]
    else:
        with pytest.raises(RegisterError, match="missing column"):
            read_register(path)


HEADER = "Organisation,Service,Lead name,Lead email"


def test_a_broken_workspace_file_is_a_sentence_naming_the_key(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ok(run(["init", str(ws)]))
    config = ws / "pcxl.toml"
    config.write_text(config.read_text() + "\n[programme.extra]\ncolour = 1\n")
    config.write_text(config.read_text().replace('store = "pcxl.sqlite"', 'stor = "x"'))
    result = run(["round", "list"], cwd=ws)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(config) in result.output and "programme.stor" in result.output


@pytest.mark.parametrize(("length", "accepted"), [(200, True), (201, False)])
def test_a_programme_name_up_to_200_characters(tmp_path: Path, length: int, accepted: bool) -> None:
    from pcxl.workspace import init_workspace, load_workspace

    if accepted:
        made = init_workspace(tmp_path / "ws", name="n" * length)
        assert made.created and load_workspace(tmp_path / "ws").name == "n" * length
    else:
        with pytest.raises(PcxlError, match=r"programme\.name"):
            init_workspace(tmp_path / "ws", name="n" * length)
        assert not (tmp_path / "ws" / "pcxl.toml").exists()


def test_the_workspace_smtp_table_is_what_mail_reads(tmp_path: Path) -> None:
    from pcxl.mail.smtp import load_smtp_config

    ws = tmp_path / "ws"
    ok(run(["init", str(ws)]))
    config = ws / "pcxl.toml"
    config.write_text(
        config.read_text().replace('# host = "smtp.example.org"', 'host = "mail.example.org"')
    )
    assert load_smtp_config(config, env={}).host == "mail.example.org"
    config.write_text(config.read_text() + 'password = "no"\n')
    refused = run(["round", "list"], cwd=ws)
    assert refused.exit_code == 1 and "smtp.password" in refused.output


def test_two_rounds_never_share_a_folder(workspace: Path) -> None:
    w = ["-w", str(workspace)]
    clash = run(["round", "open", "2025-26 Q1", "--deadline", "2025-05-30", *w])
    assert clash.exit_code == 1 and "would share the folder" in clash.output
    ok(run(["round", "open", "2025/26 q1", "--deadline", "2025-06-06", *w]))  # the same round
    (workspace / "rounds" / "2025-26-Q2").mkdir()
    taken = run(["round", "rename", "2025/26 Q1", "2025/26 Q2", "--yes", *w])
    assert taken.exit_code == 1 and "belongs to no round" in taken.output
    with open_store(workspace / "pcxl.sqlite") as st:
        assert [(r.name, r.deadline) for r in st.rounds()] == [("2025/26 Q1", date(2025, 6, 6))]


def test_before_anything_comes_back_every_step_reads_an_empty_round(workspace: Path) -> None:
    w = ["-w", str(workspace)]
    assert "Read 0 files" in ok(run(["validate", *w]))
    assert "0 new, 0 unchanged" in ok(run(["import", *w]))
    assert "0 returned (0 late), 3 outstanding" in ok(run(["status", *w]))
    assert "3 services: 0 returned, 3 outstanding" in ok(run(["consolidate", *w]))
