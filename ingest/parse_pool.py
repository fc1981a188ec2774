"""Parsing on worker processes, so a folder parses on every core while the main process embeds.

unstructured and the HWP readers are pure Python, so threads would share one core. Workers are
spawned, not forked: the parent holds torch and Kiwi thread pools, and a forked OpenMP runtime
can hang. Each worker loads the parsers once and returns picklable Elements; chunking stays in
the main process, which holds the embedding tokenizer that measures chunks. Runs of fewer than
POOL_MIN_FILES files parse in the main process: starting the workers (importing unstructured,
spaCy and torch) costs about as much as parsing that many files.

A worker that dies (a parser crash, the kernel's OOM killer) breaks the whole executor: the job
being collected is reported as crashed, a new executor starts, and the other outstanding jobs
are resubmitted. The job blamed is the oldest unfinished one, which may be an innocent neighbour
of the culprit; it is retried on the next sync like any failed file. With `timeout_s`, a file
still parsing that long after its result is asked for is stopped: the workers are killed and
the other outstanding files resubmitted; a file parsed in the main process (short runs) is
stopped by SIGALRM, which interrupts the Python parsers (HWP, unstructured) between bytecodes
and C code (PDFium, a Tesseract call bounded by its own timeout) when it returns; off the main
thread (the scheduled sync) no alarm can be set, and only the pool's limit applies. Workers that keep dying
(MAX_CRASHES, e.g. a script without an `if __name__ == "__main__":` guard, which spawned
workers re-run) turn the pool off: the rest of the run parses in the main process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from types import TracebackType

from ingest.elements import Element, ParseError
from ingest.parsers import DEFAULT_OCR, OcrOptions, parse_file

log = logging.getLogger(__name__)

POOL_MIN_FILES = 16
MAX_CRASHES = 3


class ParserCrashed(ParseError):
    reason = "parser_crashed"


class ParserTimedOut(ParseError):
    reason = "parser_timeout"


def _limit_memory(memory_mb: int) -> None:
    """Worker initializer: cap the address space, so a decompression bomb that slips past the
    parsers' own limits fails with MemoryError in the worker instead of swapping the host."""
    if memory_mb > 0:
        limit = memory_mb * 1_048_576
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def available_cores() -> int:
    """Cores this process may run on (a container's share, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parse_workers(configured: int) -> int:
    """The configured count, or by default one worker per core but the main process's own:
    on 2 cores, two workers beside the chunking main process parsed slower (96.8 files/s) than
    the main process alone (126.7 files/s, eval/reports/ingest-parse.json)."""
    return configured or max(1, available_cores() - 1)


class _Alarm(BaseException):
    """Raised by SIGALRM in the parser; a BaseException so no parser's `except Exception`
    swallows it."""


def _alarm(signum: int, frame: object) -> None:
    raise _Alarm


class ParseJob:
    def __init__(self, path: Path, future: Future[list[Element]]) -> None:
        self.path = path
        self.future = future


class ParsePool:
    """Submit files in reading order, collect their elements in the same order."""

    def __init__(
        self,
        workers: int,
        max_unpacked_mb: float,
        isolated: bool = False,
        timeout_s: float | None = None,
        memory_mb: int = 0,
        ocr: OcrOptions = DEFAULT_OCR,
    ) -> None:
        """`isolated` parses even a single file on a worker process (never in this one), with
        `timeout_s` per file and an address-space limit of `memory_mb`: the API parses
        uploads this way, so a hostile file costs one worker, not the service."""
        self.workers = max(1, workers)
        self.isolated = isolated
        self.timeout_s = timeout_s or None
        self.memory_mb = memory_mb
        self._parse = partial(parse_file, max_unpacked_mb=max_unpacked_mb, ocr=ocr)
        self._executor: ProcessPoolExecutor | None = None
        self._outstanding: dict[int, ParseJob] = {}
        self._crashes = 0

    @property
    def lookahead(self) -> int:
        """How many files may be submitted ahead of the one being indexed."""
        return 0 if self.workers == 1 else 4 * self.workers

    @property
    def _in_process(self) -> bool:
        return self.workers == 1 and not self.isolated

    def submit(self, path: Path) -> ParseJob:
        if self._in_process:
            return ParseJob(path, self._parse_here(path))
        try:
            future = self._start().submit(self._parse, path)
        except BrokenProcessPool:  # a worker died while the pool was idle
            self._restart()
            return self.submit(path)
        job = ParseJob(path, future)
        self._outstanding[id(job)] = job
        return job

    def result(self, job: ParseJob) -> list[Element]:
        """The job's elements; raises what parsing raised (ParseError, OSError, ...)."""
        self._outstanding.pop(id(job), None)
        try:
            return job.future.result(timeout=self.timeout_s)
        except FutureTimeout as error:
            self._kill_workers()
            self._resubmit_lost()
            raise self._timed_out(job.path) from error
        except MemoryError as error:
            raise ParserCrashed(
                f"'{job.path.name}' 파일을 읽는 데 메모리 한도({self.memory_mb} MB)를 넘었습니다."
            ) from error
        except BrokenProcessPool as error:
            self._restart()
            raise ParserCrashed(
                f"'{job.path.name}' 파일을 읽던 파서 프로세스가 비정상 종료되었습니다. "
                "다음 동기화에서 다시 시도합니다."
            ) from error

    def _timed_out(self, path: Path) -> ParserTimedOut:
        return ParserTimedOut(
            f"'{path.name}' 파일을 읽는 데 {self.timeout_s:g}초가 넘게 걸려 중단했습니다."
        )

    def _parse_here(self, path: Path) -> Future[list[Element]]:
        future: Future[list[Element]] = Future()
        alarm = self.timeout_s is not None and threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGALRM, _alarm) if alarm else None
        try:
            if alarm and self.timeout_s is not None:
                signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
            future.set_result(self._parse(path))
        except _Alarm:
            future.set_exception(self._timed_out(path))
        except Exception as error:
            future.set_exception(error)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        return future

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_limit_memory,
                initargs=(self.memory_mb,),
            )
        return self._executor

    def _kill_workers(self) -> None:
        """Stop a worker stuck on a file: the executor cannot cancel a running call."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    def _restart(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._crashes += 1
        if self._crashes >= MAX_CRASHES and not self.isolated:
            log.warning("parser workers died %d times; parsing in this process", self._crashes)
            self.workers = 1
        self._resubmit_lost()

    def _resubmit_lost(self) -> None:
        """Parse again the outstanding files whose workers were shut down or died."""
        for job in self._outstanding.values():
            lost = job.future  # unfinished, cancelled by the shutdown, or failed by the break
            if (
                not lost.done()
                or lost.cancelled()
                or isinstance(lost.exception(), BrokenProcessPool)
            ):
                job.future = (
                    self._parse_here(job.path)
                    if self._in_process
                    else self._start().submit(self._parse, job.path)
                )

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._outstanding.clear()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
