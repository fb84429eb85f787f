// Entry point: WORKERS processes on $HOST:$PORT. One worker runs in this process; more are forked
// with node:cluster, each with its own event loop, sharing the listening socket.
import cluster from 'node:cluster';
import { buildApp } from './app.js';
import { loadSettings, SettingsError } from './settings.js';

// Stays under `docker stop -t 2`, so in-flight requests finish before SIGKILL.
const SHUTDOWN_TIMEOUT_MS = 1500;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function serve(settings) {
  const app = buildApp(settings);
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    fail(`cannot listen on ${settings.host}:${settings.port}: ${error.message}`);
  }
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), SHUTDOWN_TIMEOUT_MS).unref();
    // close() stops accepting, lets in-flight requests finish and drops idle keep-alive connections.
    app.close().then(() => process.exit(0), () => process.exit(1));
  });
  // SIGINT only reaches a worker from a terminal; the primary decides shutdowns.
  if (cluster.isWorker) process.on('SIGINT', () => {});
}

function runPrimary(settings) {
  let stopping = false;
  for (let i = 0; i < settings.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      // A dead worker is a crash the harness must see, not something to hide by re-forking.
      stopping = true;
      process.stderr.write(`worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); stopping\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = 1;
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), SHUTDOWN_TIMEOUT_MS).unref();
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

let settings;
try {
  settings = loadSettings();
} catch (error) {
  if (error instanceof SettingsError) fail(error.message);
  throw error;
}
if (cluster.isPrimary && settings.workers > 1) runPrimary(settings);
else await serve(settings);
