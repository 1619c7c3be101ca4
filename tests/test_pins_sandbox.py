"""Quick pins for ``returns/sandbox.py``, its pieces called in this process.

The worker loop (``_serve``) and the limits it sets normally run in a child process, where
a mutation run cannot see them; here they are called directly, with the process-wide
calls they make (signal handlers, stderr, the collector, resource limits) replaced by
recorders, and a connection made of lists. The parent side (``Sandbox.map``, a worker's
death read from its exit status) runs with real worker processes doing instant jobs.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import signal
import time
from types import SimpleNamespace
from typing import Any

import pytest

from pcxl.returns import sandbox
from pcxl.returns.sandbox import Failure, Sandbox

INF = -1
KILLED = "got the reader killed (most likely for running out of memory) (SIGKILL)"


class FakeResource:
    """Stands in for the ``resource`` module: records the limits set."""

    RLIMIT_AS = "as"
    RLIMIT_CPU = "cpu"
    RUSAGE_SELF = "self"
    RLIM_INFINITY = INF

    def __init__(self, *, utime: float = 0.0, stime: float = 0.0, hard: int = INF) -> None:
        self.set: list[tuple[str, tuple[int, int]]] = []
        self.usage = SimpleNamespace(ru_utime=utime, ru_stime=stime)
        self.hard = hard

    def setrlimit(self, which: str, limits: tuple[int, int]) -> None:
        self.set.append((which, limits))

    def getrusage(self, who: str) -> SimpleNamespace:
        assert who == "self"
        return self.usage

    def getrlimit(self, which: str) -> tuple[int, int]:
        assert which == "cpu"
        return (123, self.hard)


def test_memory_ceiling_is_the_start_size_plus_the_allowance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The address-space limit is what the worker holds at start (pages of statm times the
    page size) plus ``MEMORY_BYTES``, set as both soft and hard limit."""
    fake = FakeResource()
    opened: list[tuple[str, str]] = []

    def fake_open(path: str, mode: str) -> io.BytesIO:
        opened.append((path, mode))
        return io.BytesIO(b"1000 200 30 4 0 5 0\n")

    monkeypatch.setattr(sandbox, "resource", fake)
    monkeypatch.setattr(sandbox, "open", fake_open, raising=False)
    monkeypatch.setattr(
        sandbox,
        "os",
        SimpleNamespace(getpid=lambda: 4242, sysconf=lambda n: 4096 if n == "SC_PAGE_SIZE" else 0),
    )
    sandbox._limit_memory()
    ceiling = 1000 * 4096 + 768 * 1024 * 1024
    assert opened == [("/proc/4242/statm", "rb")]
    assert fake.set == [("as", (ceiling, ceiling))]


def test_no_resource_module_sets_no_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``resource`` (Windows) neither limit is set and nothing is read."""
    monkeypatch.setattr(sandbox, "resource", None)

    def refuse(*_: object) -> None:
        raise AssertionError("read /proc")

    monkeypatch.setattr(sandbox, "open", refuse, raising=False)
    assert sandbox._limit_memory() is None
    assert sandbox._limit_cpu() is None


def test_processor_limit_is_whole_seconds_spent_plus_one_plus_the_allowance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1.6 s user and 0.5 s system time: 2 whole seconds, plus 1, plus 40; the hard limit is
    kept, and caps the soft one when it is lower."""
    fake = FakeResource(utime=1.6, stime=0.5)
    monkeypatch.setattr(sandbox, "resource", fake)
    sandbox._limit_cpu()
    assert fake.set == [("cpu", (43, INF))]
    fake = FakeResource(utime=1.6, stime=0.5, hard=10)
    monkeypatch.setattr(sandbox, "resource", fake)
    sandbox._limit_cpu()
    assert fake.set == [("cpu", (10, 10))]
    fake = FakeResource(utime=0.0, stime=0.0, hard=41)
    monkeypatch.setattr(sandbox, "resource", fake)
    sandbox._limit_cpu()
    assert fake.set == [("cpu", (41, 41))]
    fake = FakeResource(utime=0.0, stime=0.0, hard=100)
    monkeypatch.setattr(sandbox, "resource", fake)
    sandbox._limit_cpu()
    assert fake.set == [("cpu", (41, 100))]


class Conn:
    """A worker's end of the pipe: items to receive, the bytes it sent."""

    def __init__(self, *items: object) -> None:
        self.items = list(items)
        self.sent: list[bytes] = []

    def recv(self) -> object:
        item = self.items.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The process-wide calls ``_serve`` makes, recorded instead of made."""
    seen: list[tuple[Any, ...]] = []
    fake_signal = SimpleNamespace(
        signal=lambda *a: seen.append(("signal", *a)),
        SIGINT=signal.SIGINT,
        SIG_IGN=signal.SIG_IGN,
    )
    fake_os = SimpleNamespace(
        open=lambda *a: seen.append(("open", *a)) or 99,
        dup2=lambda *a: seen.append(("dup2", *a)),
        devnull=os.devnull,
        O_WRONLY=os.O_WRONLY,
    )
    monkeypatch.setattr(sandbox, "signal", fake_signal)
    monkeypatch.setattr(sandbox, "os", fake_os)
    monkeypatch.setattr(
        sandbox, "faulthandler", SimpleNamespace(disable=lambda: seen.append(("faulthandler",)))
    )
    monkeypatch.setattr(sandbox, "gc", SimpleNamespace(freeze=lambda: seen.append(("freeze",))))
    monkeypatch.setattr(sandbox, "_limit_memory", lambda: seen.append(("memory",)))
    monkeypatch.setattr(sandbox, "_limit_cpu", lambda: seen.append(("cpu",)))
    return seen


def _answers(conn: Conn) -> list[tuple[str, Any]]:
    return [pickle.loads(d) for d in conn.sent]  # noqa: S301 (made by the test)


def test_worker_answers_each_item_until_the_stop_message(calls: list[tuple[Any, ...]]) -> None:
    """Before the first item: Ctrl+C ignored, fault handler off, stderr sent to the null
    device, memory limited, inherited objects frozen; per item the processor limit is set
    again and the job's result sent back; ``None`` stops the loop (later items unread)."""
    conn = Conn(2, 5, None, 7)
    sandbox._serve(conn, lambda n: n * 10)  # type: ignore[arg-type]
    assert _answers(conn) == [("ok", 20), ("ok", 50)]
    assert conn.items == [7]
    assert calls == [
        ("signal", signal.SIGINT, signal.SIG_IGN),
        ("faulthandler",),
        ("open", os.devnull, os.O_WRONLY),
        ("dup2", 99, 2),
        ("memory",),
        ("freeze",),
        ("cpu",),
        ("cpu",),
    ]


def test_worker_answers_are_pickled_with_the_highest_protocol(
    calls: list[tuple[Any, ...]],
) -> None:
    conn = Conn(1, None)
    sandbox._serve(conn, lambda n: n)  # type: ignore[arg-type]
    assert conn.sent == [pickle.dumps(("ok", 1), protocol=pickle.HIGHEST_PROTOCOL)]


def test_worker_stops_when_the_pipe_closes_or_fails(calls: list[tuple[Any, ...]]) -> None:
    for end in (EOFError(), OSError()):
        conn = Conn(1, end, 2)
        sandbox._serve(conn, lambda n: n)  # type: ignore[arg-type]
        assert _answers(conn) == [("ok", 1)]
        assert conn.items == [2]


def test_worker_turns_a_raising_job_into_a_failure_for_that_item(
    calls: list[tuple[Any, ...]],
) -> None:
    """A job out of memory says how much it had; any other exception is named with its
    message; the next item is still served."""

    def job(n: int) -> int:
        if n == 1:
            raise MemoryError
        if n == 2:
            raise ValueError("bad cell")
        return n

    conn = Conn(1, 2, 3, None)
    sandbox._serve(conn, job)  # type: ignore[arg-type]
    assert _answers(conn) == [
        ("failed", "needed more than 768 MiB of memory"),
        ("failed", "failed inside pcxl (ValueError: bad cell)"),
        ("ok", 3),
    ]


def test_worker_memory_message_follows_the_allowance(
    calls: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "MEMORY_BYTES", 3 * 2**20 + 5)

    def job(_: int) -> int:
        raise MemoryError

    conn = Conn(1, None)
    sandbox._serve(conn, job)  # type: ignore[arg-type]
    assert _answers(conn) == [("failed", "needed more than 3 MiB of memory")]


def test_worker_refuses_an_answer_over_the_output_limit(
    calls: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer pickled to exactly the limit is sent; one byte more is replaced."""
    exact = len(pickle.dumps(("ok", b"x" * 100), protocol=pickle.HIGHEST_PROTOCOL))
    monkeypatch.setattr(sandbox, "MAX_OUTPUT_BYTES", exact)
    conn = Conn(100, 101, None)
    sandbox._serve(conn, lambda n: b"x" * n)  # type: ignore[arg-type]
    assert _answers(conn) == [
        ("ok", b"x" * 100),
        ("failed", "produced far more results than any return"),
    ]


def test_worker_goes_on_without_proc_limits(
    calls: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No /proc (OSError) or a bad statm (ValueError): the worker still serves."""
    for exc in (OSError, ValueError):

        def fail(exc: type[Exception] = exc) -> None:
            raise exc

        monkeypatch.setattr(sandbox, "_limit_memory", fail)
        conn = Conn(4, None)
        sandbox._serve(conn, lambda n: n + 1)  # type: ignore[arg-type]
        assert _answers(conn) == [("ok", 5)]


class Proc:
    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        self.joined: list[float] = []

    def join(self, timeout: float) -> None:
        self.joined.append(timeout)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (-signal.SIGABRT, "made the reader abort (SIGABRT)"),
        (-signal.SIGSEGV, "made the reader crash (SIGSEGV)"),
        (
            -signal.SIGKILL,
            KILLED,
        ),
        (-signal.SIGXCPU, "took more than 40 s of processor time (SIGXCPU)"),
        (-signal.SIGTERM, "stopped the reader (SIGTERM)"),
        (-200, "stopped the reader (signal 200)"),
        (3, "stopped the reader (exit status 3)"),
        (0, "stopped the reader (exit status 0)"),
        (None, "stopped the reader (exit status None)"),
    ],
)
def test_a_dead_workers_reason_from_its_exit_status(code: int | None, reason: str) -> None:
    """Waited for up to 5 s, then named by the signal that ended it, or its status."""
    proc = Proc(code)
    assert sandbox._death(proc) == reason  # type: ignore[arg-type]
    assert proc.joined == [5]


# ----------------------------------------------------------------------------- parent side


def test_pool_size_is_at_least_one() -> None:
    assert Sandbox(abs, 0).size == 1
    assert Sandbox(abs, -2).size == 1
    assert Sandbox(abs, 3).size == 3
    assert Sandbox(abs).size == 1


def test_map_gives_every_index_its_result_and_keeps_workers_for_reuse() -> None:
    """Two workers, five items: each index once with its result; both workers are kept
    idle afterwards (daemon processes), and leaving the block stops them cleanly."""
    with Sandbox(lambda n: n * n, 2) as box:
        got = sorted(box.map([3, 1, 4, 1, 5]))
        assert got == [(0, 9), (1, 1), (2, 16), (3, 1), (4, 25)]
        assert len(box.idle) == 2
        procs = [w.proc for w in box.idle]
        assert all(p.daemon for p in procs)
        assert all(w.index in range(5) for w in box.idle)
    assert box.idle == []
    assert [p.exitcode for p in procs] == [0, 0]  # stopped by the message, not killed


def test_call_reuses_one_worker_and_returns_the_failure_of_a_raising_job() -> None:
    def job(n: int) -> int:
        if n < 0:
            raise ValueError("negative")
        return os.getpid()

    with Sandbox(job) as box:
        first = box.call(1)
        assert first != os.getpid()
        assert box.call(-1) == Failure("failed inside pcxl (ValueError: negative)")
        assert box.call(2) == first
        assert len(box.idle) == 1


def test_a_worker_that_dies_while_idle_is_replaced_and_the_item_retried() -> None:
    with Sandbox(lambda _: os.getpid()) as box:
        first = box.call(0)
        dead = box.idle[0].proc
        dead.kill()
        dead.join()
        time.sleep(0.05)
        second = box.call(0)
        assert second not in (first, os.getpid())
        assert len(box.idle) == 1


def test_a_worker_that_exits_mid_job_is_a_failure_for_that_item_only() -> None:
    def job(n: int) -> int:
        if n == 1:
            os._exit(3)
        if n == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    with Sandbox(job, 2) as box:
        got = dict(box.map([0, 1, 2, 3]))
        assert got == {
            0: 0,
            1: Failure("stopped the reader (exit status 3)"),
            2: Failure(KILLED),
            3: 3,
        }


def test_an_overrunning_job_fails_after_the_wall_time_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With 0.2 s allowed, a 30 s job after a quick one is stopped after about 0.2 s (the
    wait is not stretched to a second, and the worker is killed at once rather than asked
    to stop and waited for), and the next item is served by a fresh worker."""
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.2)

    def job(n: float) -> float:
        time.sleep(n)
        return n

    with Sandbox(job) as box:
        started = time.monotonic()
        run = box.map([0.0, 30.0, 0.0])
        assert next(run) == (0, 0.0)
        assert next(run) == (1, Failure("took longer than 0.2 s"))
        took = time.monotonic() - started
        assert next(run) == (2, 0.0)
        assert 0.2 <= took < 0.9
        assert len(box.idle) == 1


def test_an_answer_just_under_the_limit_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent reads a little more than the limit the worker checks, so an answer the
    worker allowed is never cut off."""
    monkeypatch.setattr(sandbox, "MAX_OUTPUT_BYTES", 10_000)
    with Sandbox(lambda n: b"x" * n) as box:
        assert box.call(9_950) == b"x" * 9_950


def test_stopping_early_kills_the_busy_workers() -> None:
    """Leaving a map before it ends stops the workers still busy; idle ones are kept."""

    def job(n: float) -> float:
        time.sleep(n)
        return n

    with Sandbox(job, 2) as box:
        run = box.map([0.0, 30.0])
        assert next(run) == (0, 0.0)
        started = time.monotonic()
        run.close()
        assert time.monotonic() - started < 3  # killed, not asked to stop and waited for
        alive = [p for p in multiprocessing.active_children() if p.is_alive()]
        assert [p.pid for p in alive] == [w.proc.pid for w in box.idle]


def test_stop_kills_a_worker_that_ignores_the_stop_message() -> None:
    """A worker still alive 5 s after the message is killed; ``kill=True`` kills at once."""
    worker = sandbox._Worker(multiprocessing.get_context(), abs)
    worker.proc.join = lambda *_: None  # type: ignore[method-assign]
    worker.proc.is_alive = lambda: True  # type: ignore[method-assign]
    killed: list[bool] = []
    real_kill = worker.proc.kill
    worker.proc.kill = lambda: killed.append(True) or real_kill()  # type: ignore[method-assign]
    worker.stop()
    del worker.proc.join, worker.proc.is_alive  # the process's own again: reap it
    worker.proc.join()
    assert killed == [True]
    assert worker.conn.closed
    assert (worker.index, worker.started) == (-1, 0.0)


class FakeProcess:
    def __init__(self, target: object, args: tuple[object, ...], daemon: bool) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.alive = True

    def start(self) -> None:
        self.calls.append(("start",))

    def is_alive(self) -> bool:
        return self.alive

    def kill(self) -> None:
        self.calls.append(("kill",))

    def join(self, timeout: float | None = None) -> None:
        self.calls.append(("join", timeout))
        self.alive = False


class FakeEnd:
    def __init__(self) -> None:
        self.sent: list[object] = []
        self.closed = False

    def send(self, item: object) -> None:
        self.sent.append(item)

    def close(self) -> None:
        self.closed = True


def test_stop_asks_a_worker_to_stop_and_waits_5_s_for_it() -> None:
    """Asked to stop (the ``None`` message), a worker is waited for up to 5 s; gone by
    then, it is not killed. Stopped with ``kill=True``, it is killed and then reaped."""
    ends = (FakeEnd(), FakeEnd())
    ctx = SimpleNamespace(Pipe=lambda: ends, Process=FakeProcess)
    worker = sandbox._Worker(ctx, abs)
    assert worker.proc.calls == [("start",)]
    assert ends[1].closed
    worker.stop()
    assert ends[0].sent == [None]
    assert ends[0].closed
    assert worker.proc.calls == [("start",), ("join", 5)]
    ends = (FakeEnd(), FakeEnd())
    worker = sandbox._Worker(ctx, abs)
    worker.stop(kill=True)
    assert ends[0].sent == []
    assert worker.proc.calls == [("start",), ("kill",), ("join", 5)]
