/**
 * The calibration server as a Docker target: bench/server (the smallest Go HTTP server), built by
 * docker/calibration.Dockerfile and started like the targets, on their CPUs, so the instrument can
 * measure its own latency floor (run/run.ts `calibrate`). One definition for `run` and `build`.
 */
import type { DockerTargetSpec } from '../scenario/schema.ts';

export const CALIBRATION_SPEC: DockerTargetSpec = {
  name: 'calibration',
  context: '.',
  dockerfile: 'docker/calibration.Dockerfile',
  configurations: [{ id: 'floor', description: "the smallest Go HTTP server on the targets' CPUs", env: { GOMAXPROCS: '${cpus}' } }],
};
