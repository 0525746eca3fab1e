"""The main loop of one extraction worker process (the child side of :mod:`prodex.analysis.supervisor`).

Started as ``python -m prodex.analysis.worker_main FD PARENT_PID [module:function]`` with one end
of a socket pair as FD. Protocol on it (pickled tuples):

    worker -> parent   ("ready", pid)                 once, after the warm-up
    parent -> worker   (function, args, cpu_budget)   one task at a time
    worker -> parent   ("ok", result) | ("error", exception)

The worker dies with its parent (``PR_SET_PDEATHSIG`` on Linux, and end-of-file on the pipe),
ignores SIGINT and SIGTERM (a Ctrl-C in a terminal reaches the whole process group, systemd
signals the whole control group: the server decides, drains, and then stops its workers), and
runs each task under a CPU budget: ``setitimer(ITIMER_PROF)`` makes the kernel end the process
with SIGPROF when the task's CPU time (all threads) passes the budget, even inside C code.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

PR_SET_PDEATHSIG = 1
WARM_UP_FAILED = 3
BUDGET_SIGNAL = signal.SIGPROF


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when its parent ends (Linux); exit now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: end-of-file on the pipe still ends the loop
            pass
    if os.getppid() != parent_pid:
        os._exit(0)


def _run(function: Callable[..., Any], args: tuple[Any, ...], budget: float) -> tuple[str, Any]:
    if budget > 0:
        signal.setitimer(signal.ITIMER_PROF, budget)
    try:
        return ("ok", function(*args))
    except Exception as exc:
        return ("error", exc)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def serve(conn: Connection, parent_pid: int, warm_up: str = "") -> None:
    """Serve tasks from ``conn`` until the parent closes it; ``warm_up`` is ``"module:function"``
    to call once before reporting ready."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(BUDGET_SIGNAL, signal.SIG_DFL)
    try:
        if warm_up:
            module, _, name = warm_up.partition(":")
            getattr(importlib.import_module(module), name)()
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        os._exit(WARM_UP_FAILED)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            function, args, budget = conn.recv()
        except (EOFError, OSError):
            break
        status, value = _run(function, args, budget)
        try:
            conn.send((status, value))
        except (EOFError, OSError):
            break
        except Exception as exc:  # the result or the exception does not pickle
            conn.send(("error", RuntimeError(f"{type(value).__name__} could not be sent back: {exc}")))
    conn.close()


def main(argv: list[str]) -> None:
    """``python -m prodex.analysis.worker_main FD PARENT_PID [module:function]``."""
    serve(Connection(int(argv[0])), int(argv[1]), argv[2] if len(argv) > 2 else "")


if __name__ == "__main__":
    main(sys.argv[1:])
