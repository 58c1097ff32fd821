"""Background jobs of a report build (the report PDF): a forked process each, waited for by the build.

A :class:`Job` can be started before its work is known: it runs ``prepare`` (say, importing
WeasyPrint and loading its fonts) while the build analyses the data, and gets its function and
arguments later (:meth:`Job.run`). A job's error is raised by :meth:`Job.wait` in the build, so
a failure is reported and nothing is moved into place; :meth:`Job.cancel` stops a job that is
no longer wanted (the build failed elsewhere). Without ``fork``, or ``inline``, the work is
done in this process when it is given.
"""

from __future__ import annotations

import os
import traceback
from typing import Callable


class Job:
    def __init__(self, prepare: Callable[[], object] | None = None, *, inline: bool = False, nice: int = 0):
        self._process = self._connection = None
        self._error: BaseException | None = None
        self._given = False
        if inline or not _can_fork():
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe(duplex=True)
        self._process = context.Process(target=_run, args=(theirs, prepare, nice), daemon=True)
        self._process.start()
        theirs.close()

    @property
    def forked(self) -> bool:
        """True when the work runs in the job's own process."""
        return self._process is not None

    def run(self, function: Callable, *args) -> None:
        """Give the job its work: ``function(*args)`` (in the job's process, or here and now)."""
        self._given = True
        if self._process is None:
            try:
                function(*args)
            except BaseException as err:  # raised at wait(), as from a process
                self._error = err
            return
        try:
            self._connection.send((function, args))
        except OSError:
            pass  # the process stopped while preparing: wait() reports why

    def wait(self) -> None:
        """Wait for the work given; raise its error."""
        if self._process is not None and self._given:
            try:
                outcome = self._connection.recv()
            except (EOFError, OSError):
                outcome = ("error", RuntimeError(f"a background job stopped (exit code {self._process.exitcode})"))
            self._stop()
            if outcome[0] == "error":
                self._error = outcome[1]
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def cancel(self) -> None:
        """Stop the job, given work or not (nothing is left running)."""
        if self._process is not None:
            if not self._given:
                try:
                    self._connection.send(None)
                except OSError:
                    pass
            self._stop(terminate=self._given)

    def _stop(self, terminate: bool = False) -> None:
        self._connection.close()
        if terminate and self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._process = None


def start(function: Callable, *args, inline: bool = False, nice: int = 0) -> Job:
    """Run ``function(*args)`` in a forked process (or here, now, when ``inline``)."""
    job = Job(inline=inline, nice=nice)
    job.run(function, *args)
    return job


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _run(connection, prepare, nice: int) -> None:
    try:
        if nice and hasattr(os, "nice"):
            os.nice(nice)
        if prepare is not None:
            prepare()
        work = connection.recv()
        if work is None:
            return
        function, args = work
        function(*args)
        connection.send(("ok",))
    except EOFError:
        return  # the build stopped before giving work
    except BaseException as err:
        try:
            connection.send(("error", err))
        except Exception:
            connection.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        connection.close()
