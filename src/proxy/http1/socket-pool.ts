/**
 * Idle keep-alive connections, per target: last in, first out (the warmest
 * socket, and the cold ones age out), at most `maxIdlePerKey` kept, each for at
 * most `idleTimeoutMs`. A socket the peer closed, or that says anything while
 * idle (nothing is asked of it, so any byte is a protocol error), leaves the
 * pool at once.
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
interface Idle extends SocketOwner {
  socket: Socket;
  timer: NodeJS.Timeout;
}

/**
 * @example
 * const pool = createSocketPool({ maxIdlePerKey: 64, idleTimeoutMs: 4_000 });
 * const s = pool.take('127.0.0.1:8080') ?? net.connect(8080, '127.0.0.1');
 */
export function createSocketPool(opts: SocketPoolOptions): SocketPool {
  const idle = new Map<string, Idle[]>();
  let count = 0;

  const remove = (key: string, entry: Idle) => {
    const list = idle.get(key);
    const i = list ? list.indexOf(entry) : -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) idle.delete(key);
    count--;
    clearTimeout(entry.timer);
    setSocketOwner(entry.socket, undefined);
    return true;
  };

  return {
    take(key) {
      const list = idle.get(key);
      while (list && list.length > 0) {
        const entry = list[list.length - 1] as Idle;
        remove(key, entry);
        const s = entry.socket;
        if (!s.destroyed && s.writable && !s.readableEnded) return s;
        s.destroy();
      }
      return undefined;
    },
    release(key, socket) {
      if (socket.destroyed || !socket.writable || socket.readableEnded) return void socket.destroy();
      let list = idle.get(key);
      if (!list) idle.set(key, (list = []));
      if (list.length >= opts.maxIdlePerKey) return void socket.destroy();
      // Closed, a FIN, any byte, an error or the idle timeout: the socket leaves the pool.
      const drop = () => {
        if (remove(key, entry)) socket.destroy();
      };
      const entry: Idle = { socket, timer: setTimeout(drop, opts.idleTimeoutMs).unref(), data: drop, end: drop, close: drop };
      setSocketOwner(socket, entry);
      // Flowing, so a FIN or a stray byte is seen now rather than when the socket is next used.
      socket.resume();
      list.push(entry);
      count++;
    },
    idleCount: () => count,
    close() {
      for (const [key, list] of [...idle]) for (const entry of [...list]) if (remove(key, entry)) entry.socket.destroy();
    },
  };
}
