/**
 * The proxy's end of the configuration stream: connect, say which workload it
 * serves, hand each snapshot to `onSnapshot` (which compiles it), and ACK or
 * NACK it. A refused snapshot is dropped and the last good one stays current;
 * when the control plane is away the last good one keeps serving, and the
 * client reconnects with backoff and resyncs (the control plane sends a full
 * snapshot on every connect).
 */
import type { Socket } from 'node:net';
import { retryDelay, type BackoffSettings } from '../identity/retry-backoff.js';
import type { ProxySnapshot } from '../model.js';
import { encodeLine, readLines, type ControlMessage, type HelloMessage, type ProxyMessage } from './protocol.js';
import type { StreamDialer } from './transport.js';

/** A control plane restart usually takes a second or two: start retrying quickly. */
export const DEFAULT_RECONNECT: BackoffSettings = { initialMs: 200, maxMs: 5000 };

/** What `onSnapshot` says: took it, or refused it and why (sent back in the NACK). */
export type SnapshotVerdict = { ok: true } | { ok: false; error: string };

export interface ConfigClientOptions {
  dialer: StreamDialer;
  workload: Omit<HelloMessage, 'type'>;
  /** Compile and install the snapshot; throw or return `{ok: false}` to refuse it. */
  onSnapshot(snapshot: ProxySnapshot): SnapshotVerdict | Promise<SnapshotVerdict>;
  reconnect?: BackoffSettings;
  /** Told about disconnects, refusals and control-plane errors (never about snapshot contents). */
  onEvent?: (event: { type: 'connected' | 'disconnected' | 'nack' | 'error'; detail?: string }) => void;
  random?: () => number;
}

export interface ConfigClientStatus {
  connected: boolean;
  /** The last snapshot `onSnapshot` accepted: what the proxy serves with. */
  version: string | null;
  lastNack: { version: string; error: string } | null;
  /** How many times the stream has connected. */
  connects: number;
}

export class ConfigClient {
  private socket: Socket | undefined;
  private good: ProxySnapshot | null = null;
  private lastNack: ConfigClientStatus['lastNack'] = null;
  private connects = 0;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Snapshots are applied one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  /**
   * @example
   *   const client = new ConfigClient({ dialer: mtlsDialer(addr, { tls, serverId }), workload: { namespace: 'shop', name: 'web' },
   *     onSnapshot: (s) => proxy.install(s) });
   *   client.start();
   */
  constructor(private readonly opts: ConfigClientOptions) {}

  start(): void {
    if (this.stopped || this.socket || this.retryTimer) return;
    void this.connect();
  }

  /** The snapshot in force (the last accepted), or null before the first. */
  current(): ProxySnapshot | null {
    return this.good;
  }

  status(): ConfigClientStatus {
    return { connected: this.socket !== undefined, version: this.good?.version ?? null, lastNack: this.lastNack, connects: this.connects };
  }

  /** Stops reconnecting and closes the stream; the last snapshot stays readable. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    await this.queue;
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    let socket: Socket;
    try {
      socket = await this.opts.dialer.dial();
    } catch (err) {
      this.scheduleRetry((err as Error).message);
      return;
    }
    if (this.stopped) { socket.destroy(); return; }
    this.socket = socket;
    this.connects++;
    this.attempt = 0;
    socket.setNoDelay(true);
    this.opts.onEvent?.({ type: 'connected', detail: this.opts.dialer.target });
    this.send({ type: 'hello', ...this.opts.workload });
    socket.on('data', readLines((line) => this.onLine(line), () => socket.destroy()));
    socket.on('error', () => undefined); // 'close' follows and reconnects
    socket.once('close', () => {
      this.socket = undefined;
      this.scheduleRetry('stream closed');
    });
  }

  private scheduleRetry(reason: string): void {
    this.opts.onEvent?.({ type: 'disconnected', detail: reason });
    if (this.stopped) return;
    const delay = retryDelay(this.attempt++, this.opts.reconnect ?? DEFAULT_RECONNECT, this.opts.random ?? Math.random);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref?.();
  }

  private onLine(line: string): void {
    let m: ControlMessage;
    try {
      m = JSON.parse(line) as ControlMessage;
    } catch {
      this.socket?.destroy();
      return;
    }
    if (m.type === 'error') {
      this.opts.onEvent?.({ type: 'error', detail: `${m.code}: ${m.message}` });
      return;
    }
    if (m.type === 'snapshot' && typeof m.snapshot?.version === 'string') {
      const sent = this.socket;
      this.queue = this.queue.then(() => this.install(m.snapshot, sent));
    }
  }

  private async install(snapshot: ProxySnapshot, from: Socket | undefined): Promise<void> {
    let verdict: SnapshotVerdict;
    try {
      verdict = await this.opts.onSnapshot(snapshot);
    } catch (err) {
      verdict = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    if (verdict.ok) {
      this.good = snapshot;
    } else {
      // Fail safe: the snapshot that does not compile is dropped; the last good one keeps serving.
      this.lastNack = { version: snapshot.version, error: verdict.error };
      this.opts.onEvent?.({ type: 'nack', detail: `${snapshot.version}: ${verdict.error}` });
    }
    // Answer on the connection the snapshot came on; a new connection gets (and answers) a fresh one.
    if (from && from === this.socket) {
      this.send(verdict.ok ? { type: 'ack', version: snapshot.version } : { type: 'nack', version: snapshot.version, error: verdict.error.slice(0, 4096) });
    }
  }

  private send(m: ProxyMessage): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encodeLine(m));
  }
}
