/**
 * Kubernetes on paper (docs/kubernetes.md): the objects the harness would create, checked offline
 * against the Kubernetes API's schema (kubernetes-models' validators, generated from the API's OpenAPI
 * definitions) and for what the design relies on. No cluster is involved.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { generatorJob, K8S_AGENT_PORT, kubernetesManifests, type KubernetesPlan } from '../../../src/targets/kubernetes.ts';
import { PROJECT_ROOT } from '../../../src/util/project.ts';

const plan: KubernetesPlan = {
  namespace: 'httpbench',
  runId: '2026-12-03T090000Z-abc123',
  image: 'httpbench/generator:latest',
  shares: 2,
  cpusPerShare: 2,
  memoryMiB: 512,
  token: 'TOKEN',
  activeDeadlineS: 3600,
};

/** The validator for each kind the harness creates. */
function validate(obj: Record<string, unknown>): void {
  const models: Record<string, (o: never) => { validate(): void }> = {
    Job: (o) => new Job(o),
    Secret: (o) => new Secret(o),
    ServiceAccount: (o) => new ServiceAccount(o),
    Role: (o) => new Role(o),
    RoleBinding: (o) => new RoleBinding(o),
  };
  const make = models[obj.kind as string];
  if (!make) throw new Error(`no model for ${String(obj.kind)}`);
  make(obj as never).validate();
}

describe('Kubernetes manifests (on paper: validated offline, never applied to a cluster)', () => {
  const { rbac, run } = kubernetesManifests(plan);

  it('every object passes the Kubernetes API schema', () => {
    for (const obj of [...rbac, ...run]) expect(() => validate(obj), String(obj.kind)).not.toThrow();
  });

  it('the schema check is real: a wrongly typed field fails it', () => {
    const job = generatorJob(plan) as { spec: Record<string, unknown> };
    expect(() => validate({ ...job, spec: { ...job.spec, completions: 'two' } })).toThrow();
    expect(() => validate({ ...job, spec: { ...job.spec, template: 'pod' } })).toThrow();
  });

  it('an Indexed Job: one pod per share, each on its own node, never retried, Guaranteed CPUs', () => {
    const job = generatorJob({ ...plan, shares: 5 }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBe(5);
    expect(job.spec.parallelism).toBe(5);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const anti = job.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(anti.topologyKey).toBe('kubernetes.io/hostname');
    expect(anti.labelSelector.matchLabels).toEqual({ 'httpbench.io/job': job.metadata.name });
    expect(job.spec.template.metadata.labels['httpbench.io/job']).toBe(job.metadata.name);
    const c = job.spec.template.spec.containers[0];
    expect(c.resources.requests).toEqual(c.resources.limits);
    expect(c.resources.requests.cpu).toBe('2');
    expect(c.args).toEqual(['--port', String(K8S_AGENT_PORT), '--host', '0.0.0.0']);
    // The token only through the Secret, never in args.
    expect(JSON.stringify(c.args)).not.toContain('TOKEN');
    expect(c.env[0].valueFrom.secretKeyRef.key).toBe('token');
    expect(job.metadata.name.length).toBeLessThanOrEqual(63);
  });

  it('RBAC: a namespaced Role with no wildcard, bound to the orchestrator\'s ServiceAccount', () => {
    const role = rbac.find((o) => o.kind === 'Role') as { metadata: { namespace: string }; rules: Array<{ verbs: string[]; resources: string[] }> };
    expect(role.metadata.namespace).toBe('httpbench');
    expect(role.rules.flatMap((r) => [...r.verbs, ...r.resources])).not.toContain('*');
    expect(role.rules.map((r) => r.resources.join(','))).toEqual(['jobs', 'pods', 'pods/log', 'secrets']);
    expect(rbac.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('docs/kubernetes.md describes these objects and says plainly that no cluster ran them', async () => {
    const doc = await readFile(path.join(PROJECT_ROOT, 'docs', 'kubernetes.md'), 'utf8');
    expect(doc).toContain('**Status: untested on a cluster.**');
    for (const phrase of ['completionMode: Indexed', 'backoffLimit: 0', 'kubernetes.io/hostname', '`batch/jobs`', '`pods/log`', '`secrets`', 'kubernetesManifests(plan)']) expect(doc).toContain(phrase);
  });
});
