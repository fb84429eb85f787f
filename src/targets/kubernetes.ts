/**
 * Kubernetes as a cluster engine for generator nodes — ON PAPER ONLY (docs/kubernetes.md): the
 * objects the harness would create through the Kubernetes API for a run with N generator shares.
 * Nothing here talks to a cluster, and no cluster has run them; tests check them offline against the
 * Kubernetes API's schema (kubernetes-models) and for the properties the design needs.
 *
 * The design mirrors the Swarm path (swarm.ts): one agent per share, pinned apart, never restarted,
 * reached by the orchestrator over the agent protocol (src/load/cluster/protocol.ts):
 * - an Indexed Job (completionMode: Indexed, completions = parallelism = N): pod i gets
 *   JOB_COMPLETION_INDEX = i and runs share i; backoffLimit 0, so a lost pod fails the step instead
 *   of coming back with an empty share; required pod anti-affinity on the hostname puts each share on
 *   its own node; integer CPU requests = limits give the pod Guaranteed QoS (exclusive cores under
 *   the static CPU manager policy).
 * - a Secret with the run's token (the agent reads HTTPBENCH_AGENT_TOKEN from it).
 * - the RBAC the orchestrator's ServiceAccount needs in that namespace, and nothing cluster-wide.
 */

export const K8S_APP_LABEL = 'app.kubernetes.io/name';
export const K8S_RUN_LABEL = 'httpbench.io/run';
/** The agent's port inside each pod (pod network: no host port, no clash between runs). */
export const K8S_AGENT_PORT = 9400;

export interface KubernetesPlan {
  namespace: string;
  /** Run id (labels, names). */
  runId: string;
  image: string;
  /** Generator shares: one pod each, each on its own node. */
  shares: number;
  /** Whole CPUs per agent (requests = limits, Guaranteed QoS). */
  cpusPerShare: number;
  memoryMiB: number;
  /** The run's token, stored in the Secret only. */
  token: string;
  /** Hard bound on the Job's life, s: the run's planned length plus slack. */
  activeDeadlineS: number;
}

type Obj = Record<string, unknown>;

/** DNS-1123 label from a run id: lowercase alphanumerics and '-', at most 63 characters. */
export function k8sName(prefix: string, runId: string): string {
  return `${prefix}-${runId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

export function generatorSecret(plan: KubernetesPlan): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: k8sName('httpbench-token', plan.runId), namespace: plan.namespace, labels: labels(plan) },
    type: 'Opaque',
    stringData: { token: plan.token },
  };
}

export function generatorJob(plan: KubernetesPlan): Obj {
  const name = k8sName('httpbench-gen', plan.runId);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: plan.namespace, labels: labels(plan) },
    spec: {
      completionMode: 'Indexed',
      completions: plan.shares,
      parallelism: plan.shares,
      // A lost share fails the step; a restarted pod would hold an empty share.
      backoffLimit: 0,
      activeDeadlineSeconds: plan.activeDeadlineS,
      ttlSecondsAfterFinished: 300,
      template: {
        metadata: { labels: { ...labels(plan), 'httpbench.io/job': name } },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: 'default',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 5,
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'httpbench.io/job': name } }, topologyKey: 'kubernetes.io/hostname' }],
            },
          },
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'agent',
              image: plan.image,
              imagePullPolicy: 'IfNotPresent',
              args: ['--port', String(K8S_AGENT_PORT), '--host', '0.0.0.0'],
              env: [{ name: 'HTTPBENCH_AGENT_TOKEN', valueFrom: { secretKeyRef: { name: k8sName('httpbench-token', plan.runId), key: 'token' } } }],
              ports: [{ name: 'agent', containerPort: K8S_AGENT_PORT, protocol: 'TCP' }],
              readinessProbe: { tcpSocket: { port: K8S_AGENT_PORT }, periodSeconds: 1 },
              resources: {
                requests: { cpu: String(plan.cpusPerShare), memory: `${plan.memoryMiB}Mi` },
                limits: { cpu: String(plan.cpusPerShare), memory: `${plan.memoryMiB}Mi` },
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              // tsx caches its transpiled sources under /tmp: the only place the agent writes.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/** What the orchestrator's ServiceAccount may do, in the run's namespace only. */
export function orchestratorRbac(namespace: string, serviceAccount = 'httpbench'): Obj[] {
  const meta = (name: string) => ({ name, namespace, labels: { [K8S_APP_LABEL]: 'httpbench' } });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(serviceAccount) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta('httpbench-orchestrator'),
      rules: [
        // The Job: created per run, watched, deleted on every exit (foreground: its pods go with it).
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
        // The pods: their IPs and completion indices, their state (a lost pod), their logs for messages.
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        // The run's token.
        { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('httpbench-orchestrator'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'httpbench-orchestrator' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  ];
}

/** Every object of a run, in the order the harness would apply them (RBAC is set up once, by an admin). */
export function kubernetesManifests(plan: KubernetesPlan): { rbac: Obj[]; run: Obj[] } {
  return { rbac: orchestratorRbac(plan.namespace), run: [generatorSecret(plan), generatorJob(plan)] };
}

function labels(plan: KubernetesPlan): Record<string, string> {
  return { [K8S_APP_LABEL]: 'httpbench-generator', [K8S_RUN_LABEL]: plan.runId.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').slice(0, 63) };
}
