/**
 * SIGINT/SIGTERM → one callback (the run aborts, cleans up, writes what it has). A second signal
 * means the user will not wait: exit at once with the conventional code, pointing at `httpbench clean`.
 */
export function onInterrupt(callback: (signal: NodeJS.Signals) => void): () => void {
  let received = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`${signal} again: exiting now; remove leftover containers with 'httpbench clean'\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = true;
    callback(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
