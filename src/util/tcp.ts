/** One TCP probe, shared by the load-address guard and the target host's free-port search. */
import net from 'node:net';

/**
 * Whether something at host:port accepts a TCP connection within `timeoutMs`; the socket is closed
 * either way. Refused, unreachable and silent all read as false: callers only need "taken or not".
 */
export function acceptsTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
