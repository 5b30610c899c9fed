"""Peak resident memory of this process, in MB."""
from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """VmHWM from /proc (reset when a process execs, unlike ru_maxrss, which a spawned child
    inherits from the parent it was forked from); ru_maxrss where /proc is not there."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
