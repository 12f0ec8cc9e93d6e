/**
 * Idle keep-alive connections, per target: last in, first out (the warmest
 * socket, and the cold ones age out), at most `maxIdlePerKey` kept, each for at
 * most `idleTimeoutMs`. A socket the peer closed, or that says anything while
 * idle (nothing is asked of it, so any byte is a protocol error), leaves the
 * pool at once.
 *
 * No timer per idle socket: every request releases and takes one, and arming
 * and clearing a timer each time showed in the profile. A socket is never
 * handed out past its idle time (checked at `take`), and one sweep per pool,
 * every half idle time while anything is idle, closes the ones left over.
 */
import type { Socket } from 'node:net';
import { setSocketOwner, type SocketOwner } from './socket-owner.js';

export interface SocketPoolOptions {
  /** Idle sockets kept per key; more are closed when released. */
  maxIdlePerKey: number;
  /** An idle socket is closed after this long (below the peer's own keep-alive timeout, so we close first). */
  idleTimeoutMs: number;
}

export interface SocketPool {
  /** The most recently released live socket for `key`, or undefined. */
  take(key: string): Socket | undefined;
  /** Offer a socket whose last exchange ended cleanly; it is kept or closed. */
  release(key: string, socket: Socket): void;
  /** Idle sockets now, all keys. */
  idleCount(): number;
  /** Close every idle socket; sockets in use are the callers'. */
  close(): void;
}

/** An idle socket; it is its own socket's owner (see `setSocketOwner`) while in the pool. */
class Idle implements SocketOwner {
  constructor(
    readonly socket: Socket,
    readonly key: string,
    /** `performance.now()` when it was released. */
    readonly since: number,
    private readonly drop: (entry: Idle) => void,
  ) {}

  data(): void {
    this.drop(this);
  }

  end(): void {
    this.drop(this);
  }

  close(): void {
    this.drop(this);
  }
}

/**
 * @example
 * const pool = createSocketPool({ maxIdlePerKey: 64, idleTimeoutMs: 4_000 });
 * const s = pool.take('127.0.0.1:8080') ?? net.connect(8080, '127.0.0.1');
 */
export function createSocketPool(opts: SocketPoolOptions): SocketPool {
  const idle = new Map<string, Idle[]>();
  let count = 0;
  let sweeper: NodeJS.Timeout | undefined;

  const remove = (entry: Idle) => {
    const list = idle.get(entry.key);
    const i = list ? list.lastIndexOf(entry) : -1;
    if (!list || i < 0) return false;
    // Taken from the end nearly always (the most recently released goes first): pop, which allocates nothing.
    if (i === list.length - 1) list.pop();
    else list.splice(i, 1);
    if (list.length === 0) idle.delete(entry.key);
    count--;
    setSocketOwner(entry.socket, undefined);
    return true;
  };
  /** The peer closed it or spoke while idle: out, and closed. */
  const drop = (entry: Idle) => {
    if (remove(entry)) entry.socket.destroy();
  };
  const sweep = () => {
    const oldest = performance.now() - opts.idleTimeoutMs;
    // Lists are in release order: the stale ones are at the front.
    for (const list of [...idle.values()]) while (list[0] && list[0].since <= oldest) drop(list[0]);
    if (count === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  return {
    take(key) {
      const list = idle.get(key);
      const oldest = performance.now() - opts.idleTimeoutMs;
      while (list && list.length > 0) {
        const entry = list[list.length - 1] as Idle;
        remove(entry);
        const s = entry.socket;
        if (entry.since > oldest && !s.destroyed && s.writable && !s.readableEnded) return s;
        s.destroy();
      }
      return undefined;
    },
    release(key, socket) {
      if (socket.destroyed || !socket.writable || socket.readableEnded) return void socket.destroy();
      let list = idle.get(key);
      if (!list) idle.set(key, (list = []));
      if (list.length >= opts.maxIdlePerKey) return void socket.destroy();
      const entry = new Idle(socket, key, performance.now(), drop);
      setSocketOwner(socket, entry);
      socket.resume();
      list.push(entry);
      count++;
      sweeper ??= setInterval(sweep, Math.max(1, opts.idleTimeoutMs / 2)).unref();
    },
    idleCount: () => count,
    close() {
      for (const list of [...idle.values()]) for (const entry of [...list]) drop(entry);
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
    },
  };
}
