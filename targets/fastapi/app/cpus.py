"""How many CPUs this process may really use, so WORKERS defaults to the container's budget.

os.cpu_count() reports the host's CPUs and ignores both the CFS quota (`docker run --cpus`) and the
cpuset, which would start one uvicorn worker per host core on a 1-CPU container.
The rule matches go.uber.org/automaxprocs on the Go side: min(affinity, floor(quota / period)), at least 1.
"""

import math
import os
from pathlib import Path


def _quota_cpus(cgroup_root: Path) -> float | None:
    """CPU quota in CPUs, or None when unlimited / not visible. Checks cgroup v2, then v1."""
    v2 = cgroup_root / "cpu.max"
    if v2.is_file():
        quota, _, period = v2.read_text().strip().partition(" ")
        if quota == "max" or not period:
            return None
        return int(quota) / int(period)
    for v1_dir in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota_file = cgroup_root / v1_dir / "cpu.cfs_quota_us"
        period_file = cgroup_root / v1_dir / "cpu.cfs_period_us"
        if quota_file.is_file() and period_file.is_file():
            quota_us = int(quota_file.read_text().strip())
            period_us = int(period_file.read_text().strip())
            if quota_us <= 0 or period_us <= 0:
                return None
            return quota_us / period_us
    return None


def available_cpus(cgroup_root: Path = Path("/sys/fs/cgroup"), affinity: int | None = None) -> int:
    # sched_getaffinity already reflects the cpuset (`docker run --cpuset-cpus`).
    cpus = affinity if affinity is not None else len(os.sched_getaffinity(0))
    quota = _quota_cpus(cgroup_root)
    if quota is not None:
        cpus = min(cpus, math.floor(quota))
    return max(1, cpus)
