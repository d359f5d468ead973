"""What creating a file costs where a benchmark writes (its archive copies, shards, warehouse): printed beside
the figures, because on this machine it is not a constant.

The root file system here is ext4 without a journal. In that mode ext4 does not reuse an inode deleted in the
last 60 s (360 s while its inode-table block is not yet written back: fs/ext4/ialloc.c, recently_deleted), and
it finds a free inode by stepping over every such inode of the block group, one buffer lookup each. After a
large delete (a previous benchmark's harvest and archive removed) creating a file in the same block groups
cost up to 0.8 ms of kernel CPU, for minutes, against ~16 µs otherwise (measured 2026-12-05 with `perf
record`: find_inode_bit → recently_deleted → find_get_block_common). The audit creates one archive file per
new report, so in that state the map step paid ~0.3–0.9 ms a file more. Run benchmarks back to back with
this in mind, or wait a few minutes after deleting a large tree.

    python bench/fsprobe.py [DIR]   # prints the cost of creating a file in DIR (default: the temp directory)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

SLOW_US = 100.0  # above this a create is in the slow state described above (a healthy create: 10–30 µs)


def create_cost_us(where: Path | str | None = None, files: int = 200) -> float:
    """Median wall µs of creating (O_CREAT | O_EXCL, 4 KB written, closed) one of `files` files in a fresh
    directory under `where`; the directory is removed again (its few inodes are the only deletion)."""
    with tempfile.TemporaryDirectory(dir=where, prefix="fsprobe-") as tmp:
        times = []
        data = b"x" * 4096
        for i in range(files):
            start = time.perf_counter()
            fd = os.open(os.path.join(tmp, f"f{i}"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, data)
            os.close(fd)
            times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1e6


def describe(where: Path | str | None = None) -> str:
    """One line for a benchmark's header: the create cost under `where` and whether it is the slow state."""
    cost = create_cost_us(where)
    place = str(where) if where is not None else tempfile.gettempdir()
    state = (f"SLOW (> {SLOW_US:.0f} µs: a recent large delete nearby, bench/fsprobe.py; figures are pessimistic)"
             if cost > SLOW_US else "normal")
    return f"file system: creating a file under {place} takes {cost:.0f} µs ({state})"


if __name__ == "__main__":
    print(describe(sys.argv[1] if len(sys.argv) > 1 else None))
