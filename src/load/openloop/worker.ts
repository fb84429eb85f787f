/**
 * Worker-thread entry: runs one share. Protocol (messages): main → {spec} via workerData;
 * worker → {type:'ready'} once its connections are open; main → {type:'start', startUs};
 * worker → {type:'result', result}; main → {type:'abort'} at any time; main → {type:'progress'} →
 * worker → {type:'progress', progress} (counters for the live progress line, twice a second).
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Share, type ShareSpec } from './share.ts';

export type ToWorker = { type: 'start'; startUs: number } | { type: 'abort' } | { type: 'progress' };
export type FromWorker =
  | { type: 'ready'; tid: number | null }
  | { type: 'result'; result: Awaited<ReturnType<Share['run']>> }
  | { type: 'progress'; progress: ReturnType<Share['progress']> };

const port = parentPort!;
const share = new Share(workerData as ShareSpec);
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'start') {
    void share.run(msg.startUs).then((result) => {
      port.postMessage({ type: 'result', result } satisfies FromWorker);
      port.close(); // nothing more to say: lets the thread exit
    });
  } else if (msg.type === 'progress') port.postMessage({ type: 'progress', progress: share.progress() } satisfies FromWorker);
  else share.abort();
});
/** This thread's Linux thread id ("PID/task/TID" behind /proc/thread-self), so main can pin it; null off Linux. */
function threadId(): number | null {
  let link: string;
  try {
    link = readlinkSync('/proc/thread-self');
  } catch {
    return null; // no /proc (not Linux): the thread stays where the scheduler puts it
  }
  const match = /task\/(\d+)$/.exec(link);
  return match ? Number(match[1]) : null;
}

await share.connect();
port.postMessage({ type: 'ready', tid: threadId() } satisfies FromWorker);
