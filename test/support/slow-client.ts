// Raw-socket HTTP clients that misbehave on purpose (slowloris): bytes dripped on a timer, and what the server did about it.
import { connect, type Socket } from 'node:net';

export interface SlowClientOutcome {
  /** What the server sent before it closed the connection ('' when nothing). */
  received: string;
  /** Milliseconds from connecting to the server closing the connection. */
  closedAfterMs: number;
  /** Bytes of the dripped part the client had sent by then. */
  sent: number;
}

export interface DripPlan {
  /** Sent at once on connecting. */
  head?: string;
  /** Then sent one byte every `intervalMs`. */
  drip: string;
  intervalMs: number;
  /** Reject when the server has not closed the connection after this long (a server without timeouts keeps it forever). */
  giveUpMs: number;
}

/** Connect to `host:port`, send the plan's head, drip the rest; resolves when the server closes the connection. */
export function dripRequest(host: string, port: number, plan: DripPlan): Promise<SlowClientOutcome> {
  const { drip: payload, intervalMs, giveUpMs } = plan;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket: Socket = connect(port, host, () => socket.write(plan.head ?? ''));
    const chunks: Buffer[] = [];
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < payload.length && socket.writable) socket.write(payload[sent++] ?? '');
    }, intervalMs);
    const giveUp = setTimeout(() => {
      finish();
      reject(new Error(`the server kept a client that sent ${sent} bytes in ${giveUpMs} ms`));
    }, giveUpMs);
    const finish = () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server's answer is still the server closing: what it sent is what counts.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      finish();
      resolve({ received: Buffer.concat(chunks).toString('latin1'), closedAfterMs: performance.now() - started, sent });
    });
  });
}

/** The status line of a raw HTTP answer ('' when none). */
export function statusLine(received: string): string {
  return received.split('\r\n', 1)[0] ?? '';
}
