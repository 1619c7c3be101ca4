"""How fast the history store takes a round of returns and gives it back: SQLite against
PostgreSQL.

For each size N it stores N returns (built in memory: every statement answered, about a
fifth with an action) as one round, then reads the round's responses and actions back as
frames, on a SQLite file and on a PostgreSQL server, the two interleaved ``--repeat``
times; medians of wall and CPU time are printed (CPU time is this process's: the database
server's own time is not in it, so wall time is what compares the two).

PostgreSQL: ``--postgres URL`` (a role that may create databases), else a throwaway
cluster started the way the tests start one (``initdb`` and ``pg_ctl`` must be found).

    python benchmarks/store.py                       # 300 and 1,000 returns, 3 runs
    python benchmarks/store.py --sizes 10000 --repeat 1

Target (issue 18): storing into PostgreSQL no slower than into SQLite.
"""

from __future__ import annotations

import argparse
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


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run()``."""
    wall, used = time.perf_counter(), cpu()
    run()
    return time.perf_counter() - wall, cpu() - used


def new_postgres(admin: str) -> str:
    """A fresh database on the server of ``admin``; returns its URL."""
    name = f"pcxl_bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(database_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return database_url(admin).set(database=name).render_as_string(hide_password=False)


def store_and_read(url: str, records: list[ReturnRecord]) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds to store ``records`` as a round, then to read it back."""
    with open_store(url) as store:
        times = {"store": timed(lambda: store.import_records(records, ROUND))}
        times["read"] = timed(lambda: (store.responses([ROUND]), store.actions([ROUND])))
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
    print(f"pcxl {__version__}, Python {sys.version.split()[0]}; {len(fw.entries)} statements")
    print(f"{'returns':>8} {'step':>6} {'SQLite s':>9} {'cpu':>6} {'PostgreSQL s':>13} {'cpu':>6}")
    verdicts = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in sizes:
                records = synthetic_records(synthetic_services(n), ROUND, n, fw)
                runs: dict[str, list[dict[str, tuple[float, float]]]] = {"sqlite": [], "pg": []}
                for r in range(args.repeat):
                    db = Path(tmp) / f"store-{n}-{r}.sqlite"
                    runs["sqlite"].append(store_and_read(str(db), records))
                    runs["pg"].append(store_and_read(new_postgres(admin), records))
                for step in ("store", "read"):
                    med = {
                        k: [statistics.median(run[step][i] for run in v) for i in (0, 1)]
                        for k, v in runs.items()
                    }
                    print(
                        f"{n:>8} {step:>6} {med['sqlite'][0]:>9.2f} {med['sqlite'][1]:>6.2f} "
                        f"{med['pg'][0]:>13.2f} {med['pg'][1]:>6.2f}"
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
