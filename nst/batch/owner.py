"""Which process runs a batch or a queue: its process id and machine, kept in the job
store, so that a second process does not run the same jobs at the same time (and does
not take a job it is running for one a killed process left), and a window watching a
batch can tell a batch still running from one whose process was killed."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Owner:
    pid: int
    host: str
    since: str  # when it took the jobs (the store's time format)

    @classmethod
    def me(cls, since: str) -> Owner:
        return cls(os.getpid(), socket.gethostname(), since)

    def is_me(self) -> bool:
        return self.pid == os.getpid() and self.host == socket.gethostname()

    def alive(self) -> bool | None:
        """Whether the process still runs: True or False for one on this machine, None
        for another machine's (a store in a shared folder), which cannot be asked."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process: it exists
            return True
        return True
