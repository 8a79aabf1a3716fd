/**
 * Every message the cluster's primary and workers send each other over the
 * node:cluster IPC channel, as one union, with the one guard that recognises
 * them. (The cluster adapter's own messages travel on the same channel and
 * are told apart by this guard.)
 */
import type { RateDecision } from '../chat/rate-limit';
import type { Budget } from '../config';
import type { Write, WriteRefused, WriteResult } from '../store/store';

/** How one write fared in the primary's commit; a refusal keeps its protocol code. */
export type AppendOutcome =
  { ok: true; result: WriteResult } | { ok: false; message: string; unavailable: boolean; refused?: WriteRefused['code'] };

export type IpcMessage =
  /** Worker → primary: my HTTP and Socket.IO server is ready for connections. */
  | { type: 'worker:ready' }
  /** Primary → worker, with the connection's handle: the bytes already read from it (base64). */
  | { type: 'sticky:connection'; data: string; address: string }
  /** Worker → primary: a connection handed over from `address` has closed (the primary counts connections per address). */
  | { type: 'sticky:closed'; address: string }
  /** Worker → primary: commit these sends and changes (one request per turn of the worker's event loop). */
  | { type: 'append:request'; id: number; inputs: Write[] }
  /** Primary → worker: outcome i belongs to input i of request `id`. */
  | { type: 'append:reply'; id: number; outcomes: AppendOutcome[] }
  /** Worker → primary: take one token from each of these budgets (the primary keeps the cluster's buckets). */
  | { type: 'budget:request'; id: number; takes: Array<[Budget, string]> }
  /** Primary → worker: decision i belongs to take i of request `id`. */
  | { type: 'budget:reply'; id: number; decisions: RateDecision[] };

export type IpcType = IpcMessage['type'];

const TYPES: ReadonlySet<string> = new Set<IpcType>([
  'worker:ready',
  'sticky:connection',
  'sticky:closed',
  'append:request',
  'append:reply',
  'budget:request',
  'budget:reply',
]);

/** The message if it is ours and of type `type`, else undefined. */
export function ipcMessage<T extends IpcType>(message: unknown, type: T): Extract<IpcMessage, { type: T }> | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const kind = (message as { type?: unknown }).type;
  if (typeof kind !== 'string' || !TYPES.has(kind) || kind !== type) return undefined;
  return message as Extract<IpcMessage, { type: T }>;
}
