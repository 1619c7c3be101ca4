"""How fast the history store takes a round of returns and gives it back: SQLite against
PostgreSQL.

For each size N it stores N returns (built in memory: every statement answered, about a
fifth with an action) as one round, then reads the round's responses and actions back as
frames, on a SQLite file and on a PostgreSQL server, the two interleaved ``--repeat``
times; medians of wall and CPU time are printed. CPU time is this process's; on
PostgreSQL the server's own CPU time (every process of the cluster) is printed beside it
when the benchmark started the cluster, so client plus server compares with SQLite, which
does all its work in this process. Wall time is what the target compares.

PostgreSQL: ``--postgres URL`` (a role that may create databases), else a throwaway
cluster started the way the tests start one (``initdb`` and ``pg_ctl`` must be found).

    python benchmarks/store.py                       # 300 and 1,000 returns, 3 runs
    python benchmarks/store.py --sizes 10000 --repeat 1

Target (issue 18): storing into PostgreSQL no slower than into SQLite.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine

from common import ROUND, synthetic_records, synthetic_services
from pcxl import __version__
from pcxl.framework import load_framework
from pcxl.returns.record import ReturnRecord
from pcxl.store import open_store
from pcxl.store.engine import database_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def cpu() -> float:
    """CPU seconds of this process and its children so far."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def server_cpu(data: Path | None) -> float:
    """CPU seconds used so far by the PostgreSQL cluster whose data folder is ``data``: its
    postmaster, every live child and the children that have exited (0 when not known)."""
    if data is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((data / "postmaster.pid").read_text().split()[0])

    def stat(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    own = stat(postmaster)
    total = sum(int(own[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = stat(int(proc.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == postmaster:
                total += int(fields[11]) + int(fields[12])
    return total / tick


def timed(run: Callable[[], object], data: Path | None = None) -> tuple[float, float, float]:
    """Wall, CPU and cluster CPU seconds of ``run()``."""
    wall, used, server = time.perf_counter(), cpu(), server_cpu(data)
    run()
    return time.perf_counter() - wall, cpu() - used, server_cpu(data) - server


def new_postgres(admin: str) -> str:
    """A fresh database on the server of ``admin``; returns its URL."""
    name = f"pcxl_bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(database_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return database_url(admin).set(database=name).render_as_string(hide_password=False)


def durable(admin: str) -> None:
    """Put the server's durability back to PostgreSQL's defaults (the test cluster turns
    them off for speed): every commit is flushed to disk, as SQLite's are."""
    engine = create_engine(database_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.exec_driver_sql(f"ALTER SYSTEM SET {setting} = on")
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    engine.dispose()
    for _ in range(50):  # the server reloads its settings when it gets to it
        engine = create_engine(database_url(admin))
        with engine.connect() as conn:
            shown = {
                s: conn.exec_driver_sql(f"SHOW {s}").scalar()
                for s in ("fsync", "synchronous_commit", "full_page_writes")
            }
        engine.dispose()
        if set(shown.values()) == {"on"}:
            return
        time.sleep(0.1)
    raise SystemExit(f"the server kept {shown}")


def store_and_read(
    url: str, records: list[ReturnRecord], data: Path | None = None
) -> dict[str, tuple[float, float, float]]:
    """Wall, CPU and cluster CPU seconds to store ``records`` as a round, then to read it
    back (``data``: the cluster's data folder, if it runs here)."""
    with open_store(url) as store:
        times = {"store": timed(lambda: store.import_records(records, ROUND), data)}
        times["read"] = timed(lambda: (store.responses([ROUND]), store.actions([ROUND])), data)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="URL of a server to use")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    fw = load_framework()
    cluster = None
    admin = args.postgres
    if admin is None:
        from test_store import Cluster

        cluster = Cluster.start()
        admin = cluster.url
        durable(admin)
    data = cluster.data if cluster is not None else None
    print(f"pcxl {__version__}, Python {sys.version.split()[0]}; {len(fw.entries)} statements")
    print(
        f"{'returns':>8} {'step':>6} {'SQLite s':>9} {'cpu':>6} {'PostgreSQL s':>13} "
        f"{'cpu':>6} {'server cpu':>11}"
    )
    verdicts = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in sizes:
                records = synthetic_records(synthetic_services(n), ROUND, n, fw)
                runs: dict[str, list[dict[str, tuple[float, float, float]]]] = {
                    "sqlite": [],
                    "pg": [],
                }
                for r in range(args.repeat):
                    db = Path(tmp) / f"store-{n}-{r}.sqlite"
                    runs["sqlite"].append(store_and_read(str(db), records))
                    runs["pg"].append(store_and_read(new_postgres(admin), records, data))
                for step in ("store", "read"):
                    med = {
                        k: [statistics.median(run[step][i] for run in v) for i in (0, 1, 2)]
                        for k, v in runs.items()
                    }
                    server = f"{med['pg'][2]:>11.2f}" if data is not None else f"{'n/a':>11}"
                    print(
                        f"{n:>8} {step:>6} {med['sqlite'][0]:>9.2f} {med['sqlite'][1]:>6.2f} "
                        f"{med['pg'][0]:>13.2f} {med['pg'][1]:>6.2f} {server}"
                    )
                    if step == "store":
                        ratio = med["pg"][0] / med["sqlite"][0]
                        verdicts.append((n, ratio))
    finally:
        if cluster is not None:
            cluster.stop()
    for n, ratio in verdicts:
        verdict = "met" if ratio <= 1 else "NOT met"
        print(
            f"target at {n}: storing into PostgreSQL takes {ratio:.2f}x the time of SQLite "
            f"(<= 1.00): {verdict}"
        )


if __name__ == "__main__":
    main()
