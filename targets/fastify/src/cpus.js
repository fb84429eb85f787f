// How many CPUs this process may really use, so WORKERS defaults to the container's budget.
//
// os.cpus() lists the host's CPUs; os.availableParallelism() follows the affinity mask (the cpuset of
// `docker run --cpuset-cpus`) but not the CFS quota of `--cpus`. The rule is the other targets'
// (FastAPI's app/cpus.py, Go's automaxprocs): min(affinity, floor(quota / period)), at least 1.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** CPU quota in CPUs, or null when unlimited or not visible. cgroup v2 first, then v1. */
export function quotaCpus(cgroupRoot) {
  const v2 = path.join(cgroupRoot, 'cpu.max');
  if (existsSync(v2)) {
    const [quota, period] = readFileSync(v2, 'utf8').trim().split(/\s+/);
    if (quota === 'max' || !period) return null;
    return Number(quota) / Number(period);
  }
  for (const dir of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
    const quotaFile = path.join(cgroupRoot, dir, 'cpu.cfs_quota_us');
    const periodFile = path.join(cgroupRoot, dir, 'cpu.cfs_period_us');
    if (existsSync(quotaFile) && existsSync(periodFile)) {
      const quotaUs = Number(readFileSync(quotaFile, 'utf8').trim());
      const periodUs = Number(readFileSync(periodFile, 'utf8').trim());
      if (!(quotaUs > 0) || !(periodUs > 0)) return null;
      return quotaUs / periodUs;
    }
  }
  return null;
}

export function availableCpus(cgroupRoot = '/sys/fs/cgroup', affinity = os.availableParallelism()) {
  const quota = quotaCpus(cgroupRoot);
  const cpus = quota === null ? affinity : Math.min(affinity, Math.floor(quota));
  return Math.max(1, cpus);
}
