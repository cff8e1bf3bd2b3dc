"""Make a helper process die with the process that started it.

The portal and the readers run their heavy work in child processes (a forkserver, its pool
workers, the isolated reader workers). A clean stop shuts them down; a ``kill -9`` of the
server gives nobody that chance, and the children would then wait forever on pipes that
they themselves keep open (about 200 MB left behind per server). On Linux the kernel can
send a signal to a process when its parent dies (``prctl(PR_SET_PDEATHSIG)``); each helper
asks for SIGKILL at its start, so the whole tree goes with the server, level by level.
Elsewhere this is a no-op (Windows ends a job's processes by other means; macOS has no
such call, and the pipes' EOF still ends the reader workers).
"""

from __future__ import annotations

import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only); returns
    whether it was armed. With ``parent`` (the pid the caller expects as its parent), exit
    at once if that parent is already gone: it may have died before the call."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError, ImportError):
        return False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return True


__all__ = ["die_with_parent"]
