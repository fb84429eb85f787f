"""WORKERS default: the CPU budget from a fake cgroup tree, for cgroup v1 and v2."""

from pathlib import Path

from app.cpus import available_cpus


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_v2_quota_of_two_cpus_on_a_sixteen_cpu_affinity(tmp_path):
    write(tmp_path / "cpu.max", "200000 100000\n")
    assert available_cpus(tmp_path, affinity=16) == 2


def test_v2_unlimited_uses_affinity(tmp_path):
    write(tmp_path / "cpu.max", "max 100000\n")
    assert available_cpus(tmp_path, affinity=3) == 3


def test_v1_quota_rounds_down_like_automaxprocs(tmp_path):
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_quota_us", "150000\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_period_us", "100000\n")
    assert available_cpus(tmp_path, affinity=8) == 1


def test_v1_unlimited_quota_is_minus_one(tmp_path):
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "-1\n")
    write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert available_cpus(tmp_path, affinity=4) == 4


def test_cpuset_smaller_than_quota_wins(tmp_path):
    write(tmp_path / "cpu.max", "400000 100000\n")
    assert available_cpus(tmp_path, affinity=1) == 1


def test_sub_cpu_quota_still_gets_one_worker(tmp_path):
    write(tmp_path / "cpu.max", "50000 100000\n")
    assert available_cpus(tmp_path, affinity=4) == 1


def test_no_cgroup_files_uses_affinity(tmp_path):
    assert available_cpus(tmp_path, affinity=5) == 5
