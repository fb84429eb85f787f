/**
 * Building a Docker target's image through the engine API (classic builder), with automatic choice
 * between the official base images and the air-gapped stand-ins of scripts/build-bases.sh (the
 * stand-ins come from the target manifests, read once by the caller and passed down).
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ConfigError, describeError, TargetError } from '../../errors.ts';
import { readTextFileBounded } from '../../util/bounded-read.ts';
import type { DockerTargetSpec } from '../../scenario/schema.ts';
import { buildContextTar, type ContextEntry } from './build-context.ts';
import { dockerStatus, type DockerClient } from '../engine/client.ts';
import { baseImageArgs } from './dockerfile.ts';


/** Where buildImage puts the user's extra CA inside the context (the Dockerfiles COPY docker/extra-ca/). */
export const EXTRA_CA_CONTEXT_PATH = 'docker/extra-ca/extra-ca.crt';

export interface BuildOptions {
  /** Project root: `spec.context` and `spec.dockerfile` are relative to it. */
  projectRoot: string;
  /** Image tag; default httpbench/<name>:latest. */
  tag?: string;
  /** PEM file trusted by pip/go in the builder stage only (TLS-intercepting proxies). */
  extraCaFile?: string | null;
  /** Extra build args (e.g. GOPROXY, PIP_INDEX_URL); they win over the automatic base choice. */
  buildArgs?: Record<string, string>;
  /** Ignore the layer cache (clean-build timings, or after a base image changed under the same tag). */
  noCache?: boolean;
  /** Official base → local stand-in, from every target manifest (manifest.ts standInBases; the calibration server shares go-chi's Go base). */
  standIns: Readonly<Record<string, string>>;
  /** Build log lines as they arrive. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface BaseImageChoice {
  /** Build arg naming the base, e.g. PYTHON_IMAGE. */
  arg: string;
  /** The Dockerfile's default (official) image. */
  official: string;
  /** Image actually used. */
  used: string;
  source: 'official' | 'stand-in' | 'override' | 'pull';
  /** True when the final stage is built FROM this base, so its size is part of the image's. */
  inFinalImage: boolean;
}

export interface BuildResult {
  tag: string;
  id: string;
  sizeBytes: number;
  baseImages: BaseImageChoice[];
  durationMs: number;
}

export interface ImageInfo {
  id: string;
  sizeBytes: number;
  createdAt: string;
  user: string;
  labels: Record<string, string>;
}

export function defaultTag(name: string): string {
  return `httpbench/${name}:latest`;
}

export async function imageInfo(docker: DockerClient, tag: string): Promise<ImageInfo | null> {
  try {
    const info = await docker.getImage(tag).inspect();
    return {
      id: info.Id,
      sizeBytes: info.Size,
      createdAt: info.Created,
      user: info.Config?.User ?? '',
      labels: info.Config?.Labels ?? {},
    };
  } catch (error) {
    if (dockerStatus(error) === 404) return null;
    throw error;
  }
}

/**
 * Prefer the official base when present, else the local stand-in, else let the build pull the
 * official one. `standIns` maps official → stand-in (the target manifests' `bases`, see standInBases).
 */
export async function chooseBaseImages(
  docker: DockerClient,
  dockerfile: string,
  overrides: Record<string, string> = {},
  standIns: Readonly<Record<string, string>> = {},
): Promise<BaseImageChoice[]> {
  const choices: BaseImageChoice[] = [];
  for (const { arg, official, inFinalImage } of baseImageArgs(dockerfile)) {
    const override = overrides[arg];
    if (override) {
      choices.push({ arg, official, used: override, source: 'override', inFinalImage });
    } else if (await imageInfo(docker, official)) {
      choices.push({ arg, official, used: official, source: 'official', inFinalImage });
    } else {
      const standIn = standIns[official];
      if (standIn && (await imageInfo(docker, standIn))) choices.push({ arg, official, used: standIn, source: 'stand-in', inFinalImage });
      else choices.push({ arg, official, used: official, source: 'pull', inFinalImage });
    }
  }
  return choices;
}

/** A CA bundle is a few hundred KB (Debian's ca-certificates.crt: ~220 KB). */
const MAX_CA_FILE_BYTES = 16 * 1024 * 1024;

async function readExtraCa(file: string): Promise<ContextEntry> {
  let data: Buffer;
  try {
    // Bounded and regular files only: a FIFO given as --ca-cert would otherwise block the run forever.
    data = Buffer.from(await readTextFileBounded(file, MAX_CA_FILE_BYTES, `extra CA file ${file}`));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read the extra CA file ${file}: ${describeError(error)}`, {
      cause: error,
      hint: 'pass a readable PEM file (e.g. /etc/ssl/certs/ca-certificates.crt) or drop the option',
    });
  }
  if (!data.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`extra CA file ${file} holds no PEM certificate`, {
      hint: 'the file must contain "-----BEGIN CERTIFICATE-----" blocks (convert DER with `openssl x509 -inform der`)',
    });
  }
  return { name: EXTRA_CA_CONTEXT_PATH, type: 'file', mode: 0o644, mtimeMs: 0, data };
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Follows the build's JSON stream; resolves with the error message (if any) once the stream ends. */
function followBuild(docker: DockerClient, stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buildError: string | null = null;
    docker.modem.followProgress(
      stream,
      (error) => (error ? reject(error) : resolve(buildError)),
      (event: BuildEvent) => {
        const text = event.stream ?? event.status;
        if (text) for (const line of text.split('\n')) if (line.trim() !== '') onLine(line.trimEnd());
        if (event.error) {
          buildError = event.errorDetail?.message ?? event.error;
          onLine(`ERROR: ${buildError}`);
        }
      },
    );
  });
}

export async function buildImage(docker: DockerClient, spec: DockerTargetSpec, opts: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const tag = opts.tag ?? defaultTag(spec.name);
  const dockerfilePath = path.resolve(opts.projectRoot, spec.dockerfile);
  let dockerfile: string;
  try {
    dockerfile = await readFile(dockerfilePath, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read Dockerfile ${spec.dockerfile} of target ${spec.name}: ${describeError(error)}`, {
      cause: error,
      hint: 'targets[].dockerfile is relative to the project root',
    });
  }
  // The build context is the target's `context` directory (project-relative), as `docker build CONTEXT`.
  const contextDir = path.resolve(opts.projectRoot, spec.context);
  // The scenario loader refuses absolute and ../ contexts; this also catches a symlink out of the
  // project (a context of /etc would pack and send /etc to the daemon).
  const [realRoot, realContext] = await Promise.all([realpath(opts.projectRoot), realpath(contextDir).catch(() => contextDir)]);
  const relContext = path.relative(realRoot, realContext);
  if (relContext.startsWith('..') || path.isAbsolute(relContext)) {
    throw new ConfigError(`build context ${spec.context} of target ${spec.name} is outside the project (${realContext})`, {
      hint: 'targets[].context is relative to the project root and must stay inside it',
    });
  }
  const relDockerfile = path.relative(contextDir, dockerfilePath).split(path.sep).join('/');
  if (relDockerfile.startsWith('..')) {
    throw new ConfigError(`Dockerfile ${spec.dockerfile} of target ${spec.name} is outside its build context ${spec.context}`, {
      hint: 'targets[].context is the build context (relative to the project root); keep the Dockerfile inside it',
    });
  }

  const extra: ContextEntry[] = [
    // The daemon needs the Dockerfile in the context even if .dockerignore leaves it out.
    { name: relDockerfile, type: 'file', mode: 0o644, mtimeMs: 0, data: Buffer.from(dockerfile) },
  ];
  if (opts.extraCaFile) extra.push(await readExtraCa(opts.extraCaFile));
  const { tar } = await buildContextTar(contextDir, extra);

  const baseImages = await chooseBaseImages(docker, dockerfile, opts.buildArgs, opts.standIns);
  const buildargs: Record<string, string> = {};
  for (const choice of baseImages) buildargs[choice.arg] = choice.used;
  Object.assign(buildargs, opts.buildArgs ?? {});
  for (const choice of baseImages) {
    opts.onProgress?.(`base ${choice.arg}=${choice.used} (${choice.source}${choice.source === 'stand-in' ? `, for ${choice.official}` : ''})`);
  }

  const tail: string[] = [];
  const onLine = (raw: string): void => {
    // The classic builder colours RUN stderr; error messages should not carry escape codes.
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
    tail.push(line);
    if (tail.length > 30) tail.shift();
    opts.onProgress?.(line);
  };
  const failure = (message: string, cause?: unknown): TargetError => {
    const usedPull = baseImages.some((b) => b.source === 'pull');
    const tlsFailure = tail.some((l) => /CERTIFICATE_VERIFY_FAILED|x509: certificate signed by unknown authority|tls: failed to verify/.test(l));
    return new TargetError(`building ${spec.name} (${spec.dockerfile}) failed: ${message}\n--- last build lines ---\n${tail.join('\n')}`, {
      cause,
      hint: tlsFailure
        ? 'a package download failed TLS verification: behind a TLS-intercepting proxy, pass its CA bundle with --ca-cert FILE (e.g. /etc/ssl/certs/ca-certificates.crt)'
        : usedPull
        ? `base image ${baseImages.find((b) => b.source === 'pull')?.official} is not local; without registry access run "npx httpbench setup" to build stand-ins`
        : `reproduce with: docker build --network host -f ${spec.dockerfile} ${Object.entries(buildargs).map(([k, v]) => `--build-arg ${k}=${v}`).join(' ')} ${spec.context}`,
    });
  };

  let buildError: string | null;
  try {
    const stream = await docker.buildImage(Readable.from([tar]), {
      t: tag,
      dockerfile: relDockerfile,
      buildargs,
      // Package managers inside the build reach registries only through the host's network stack.
      networkmode: 'host',
      rm: true,
      forcerm: true,
      nocache: opts.noCache ?? false,
      labels: {
        'io.httpbench.target': spec.name,
        'io.httpbench.base-images': baseImages.map((b) => b.used).join(','),
      },
      ...(opts.signal ? { abortSignal: opts.signal } : {}),
    });
    buildError = await followBuild(docker, stream, onLine);
  } catch (error) {
    opts.signal?.throwIfAborted();
    throw failure(describeError(error), error);
  }
  if (buildError !== null) throw failure(buildError);

  const info = await imageInfo(docker, tag);
  if (!info) throw failure(`the build reported success but image ${tag} does not exist`);
  return { tag, id: info.id, sizeBytes: info.sizeBytes, baseImages, durationMs: performance.now() - started };
}
