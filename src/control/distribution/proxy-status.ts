/**
 * What the control plane knows about each proxy's configuration, and the
 * istioctl-style status word derived from it.
 */

/** `SYNCED`: ACKed what was last sent. `STALE`: sent, no answer yet. `NACK`: refused it (keeps serving the old one). */
export type SyncStatus = 'SYNCED' | 'STALE' | 'NOT SENT' | 'NACK';

export interface ProxyRecord {
  namespace: string;
  name: string;
  connected: boolean;
  /** Epoch ms of the current (or last) connection. */
  connectedAt: number;
  lastSentVersion: string | null;
  lastSentAt: number | null;
  lastAckedVersion: string | null;
  lastAckAt: number | null;
  lastNack: { version: string; error: string; at: number } | null;
}

export interface ProxyStatus extends ProxyRecord {
  status: SyncStatus;
}

/** @example syncStatus({ lastSentVersion: 'a', lastAckedVersion: 'a', lastNack: null }) // 'SYNCED' */
export function syncStatus(r: Pick<ProxyRecord, 'lastSentVersion' | 'lastAckedVersion' | 'lastNack'>): SyncStatus {
  if (r.lastSentVersion === null) return 'NOT SENT';
  if (r.lastNack?.version === r.lastSentVersion) return 'NACK';
  return r.lastAckedVersion === r.lastSentVersion ? 'SYNCED' : 'STALE';
}
