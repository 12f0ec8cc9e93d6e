/**
 * One set of listeners per upstream socket, attached the first time the
 * socket is used and never removed: each event goes to whoever holds the
 * socket now (the exchange running on it, or the idle pool). Adding and
 * removing four listeners in both places for every request cost more than
 * parsing the request.
 */
import type { Socket } from 'node:net';

/** What the holder of a socket hears from it. */
export interface SocketOwner {
  data(chunk: Buffer): void;
  /** The peer sent FIN. */
  end(): void;
  /** The socket closed, or failed (`err`). */
  close(err?: unknown): void;
}

interface Slot {
  owner: SocketOwner | undefined;
}

/** The slot lives on its socket (a property read, where a WeakMap lookup hashed the socket twice a request). */
const SLOT = Symbol('meshguard.socketOwner');
type SlottedSocket = Socket & { [SLOT]?: Slot };

function attach(socket: SlottedSocket): Slot {
  const slot: Slot = { owner: undefined };
  // Nobody holds the socket: a byte or a FIN is unexpected, and the socket is dropped.
  socket.on('data', (chunk: Buffer) => (slot.owner ? slot.owner.data(chunk) : socket.destroy()));
  socket.on('end', () => (slot.owner ? slot.owner.end() : socket.destroy()));
  socket.on('close', () => slot.owner?.close());
  socket.on('error', (err: unknown) => (slot.owner ? slot.owner.close(err) : socket.destroy()));
  socket[SLOT] = slot;
  return slot;
}

/**
 * Route `socket`'s data, end, close and error events to `owner` from now on
 * (undefined: to nobody).
 *
 * @example
 * setSocketOwner(socket, { data: onData, end: onEnd, close: onClose });
 * // … the exchange is over:
 * setSocketOwner(socket, undefined);
 */
export function setSocketOwner(socket: Socket, owner: SocketOwner | undefined): void {
  const s = socket as SlottedSocket;
  (s[SLOT] ?? attach(s)).owner = owner;
}
