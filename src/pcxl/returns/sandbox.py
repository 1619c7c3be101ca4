"""Parse untrusted files in child processes with hard limits, so one file cannot stop a batch.

Each job runs in a worker process that has a ceiling on its address space and on the
processor time of each job, and the parent waits for each job at most ``WALL_SECONDS``
and accepts at most ``MAX_OUTPUT_BYTES`` of result. A worker that dies (a parser that
aborts, runs out of its memory or is killed), overruns or answers too much becomes a
:class:`Failure` for that one job, with a plain reason, and is replaced; the other jobs go
on. Workers are reused from job to job while they stay healthy, so the cost of a process
is paid per worker, not per file.

On systems without ``resource`` (Windows) the memory and processor limits are not
available; the time limit and the isolation still hold.
"""

from __future__ import annotations

import faulthandler
import gc
import multiprocessing
import os
import pickle
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar, cast

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

MEMORY_BYTES = 768 * 1024 * 1024
"""Address space a worker may add to what it had when it started."""
CPU_SECONDS = 40
"""Processor time one job may use (a return takes a few milliseconds)."""
WALL_SECONDS = 60
"""How long the parent waits for one job before stopping its worker."""
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
"""Largest pickled result a worker may send back."""

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failure:
    """A job that did not come back; ``reason`` completes "reading it …"."""

    reason: str


def _limit_memory() -> None:
    if resource is None:
        return
    with open(f"/proc/{os.getpid()}/statm", "rb") as fh:  # noqa: PTH123 (Linux only)
        pages = int(fh.read().split()[0])
    ceiling = pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _limit_cpu() -> None:
    if resource is None:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = spent + CPU_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _serve(conn: Connection, job: Callable[[Any], Any]) -> None:
    """The worker: run ``job`` on each item received until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    faulthandler.disable()  # a parser that aborts says so on stderr; the parent says it
    quiet = os.open(os.devnull, os.O_WRONLY)  # better, in one line
    os.dup2(quiet, 2)
    with suppress(OSError, ValueError):  # no /proc: the other limits still apply
        _limit_memory()
    # What the worker inherited (modules, frameworks, the register) lives as long as it
    # does: kept out of the collector's way, it is not traversed again for every return.
    gc.freeze()
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:  # the stop message (other workers may hold this pipe open)
            return
        _limit_cpu()
        try:
            answer: tuple[str, Any] = ("ok", job(item))
        except MemoryError:
            answer = ("failed", f"needed more than {MEMORY_BYTES // 2**20} MiB of memory")
        except Exception as exc:  # a job should not raise; if it does, say so for this item
            answer = ("failed", f"failed inside pcxl ({type(exc).__name__}: {exc})")
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > MAX_OUTPUT_BYTES:
            data = pickle.dumps(("failed", "produced far more results than any return"))
        conn.send_bytes(data)


_SIGNALS: dict[int, str] = {
    signal.SIGABRT: "made the reader abort",
    signal.SIGSEGV: "made the reader crash",
}
if hasattr(signal, "SIGKILL"):  # not on Windows
    _SIGNALS[signal.SIGKILL] = "got the reader killed (most likely for running out of memory)"
_CPU_SIGNAL = getattr(signal, "SIGXCPU", None)


def _death(proc: BaseProcess) -> str:
    proc.join(5)
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == _CPU_SIGNAL:
            return f"took more than {CPU_SECONDS} s of processor time ({name})"
        return f"{_SIGNALS.get(-code, 'stopped the reader')} ({name})"
    return f"stopped the reader (exit status {code})"


class _Worker:
    def __init__(self, ctx: Any, job: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc: BaseProcess = ctx.Process(target=_serve, args=(child, job), daemon=True)
        self.proc.start()
        child.close()
        self.index = -1
        self.started = 0.0

    def stop(self, *, kill: bool = False) -> None:
        if kill and self.proc.is_alive():
            self.proc.kill()
        else:
            with suppress(OSError):
                self.conn.send(None)
        self.conn.close()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


class Sandbox(Generic[T, R]):
    """A pool of limited workers running ``job``; use as a context manager."""

    def __init__(self, job: Callable[[T], R], workers: int = 1) -> None:
        self.job = job
        self.size = max(1, workers)
        self.ctx = multiprocessing.get_context()
        self.idle: list[_Worker] = []

    def __enter__(self) -> Sandbox[T, R]:
        return self

    def __exit__(self, *_: object) -> None:
        for worker in self.idle:
            worker.stop()
        self.idle = []

    def call(self, item: T) -> R | Failure:
        """Run one job (in a worker kept for the next call)."""
        return next(iter(self.map([item])))[1]

    def map(self, items: Iterable[T]) -> Iterator[tuple[int, R | Failure]]:
        """Run the job on every item; yields ``(index, result)`` as each finishes."""
        pending = deque(enumerate(items))
        busy: dict[Connection, _Worker] = {}
        try:
            while pending or busy:
                while pending and len(busy) < self.size:
                    worker = self.idle.pop() if self.idle else _Worker(self.ctx, self.job)
                    worker.index, item = pending.popleft()
                    worker.started = time.monotonic()
                    try:
                        worker.conn.send(item)
                    except (BrokenPipeError, OSError):  # died while idle: replace, retry
                        pending.appendleft((worker.index, item))
                        worker.stop(kill=True)
                        continue
                    busy[worker.conn] = worker
                now = time.monotonic()
                deadline = min(w.started for w in busy.values()) + WALL_SECONDS
                for conn in wait(list(busy), timeout=max(0.0, deadline - now)):
                    yield self._collect(busy.pop(cast(Connection, conn)))
                now = time.monotonic()
                for conn, worker in list(busy.items()):
                    if now - worker.started > WALL_SECONDS:
                        del busy[conn]
                        worker.stop(kill=True)
                        yield worker.index, Failure(f"took longer than {WALL_SECONDS} s")
        finally:
            for worker in busy.values():
                worker.stop(kill=True)

    def _collect(self, worker: _Worker) -> tuple[int, R | Failure]:
        try:
            data = worker.conn.recv_bytes(MAX_OUTPUT_BYTES + 4096)
        except (EOFError, OSError):
            reason = _death(worker.proc)
            worker.stop(kill=True)
            return worker.index, Failure(reason)
        self.idle.append(worker)
        status, value = pickle.loads(data)  # noqa: S301 (from our own worker)
        return worker.index, value if status == "ok" else Failure(value)
