// The phone's outbox: reports that could not reach the server (no network, server down)
// wait in localStorage, each with the client id it was first sent with, and are sent again
// on the next page load, when the browser says it is back online, and every minute while
// any wait. The server answers a known client id with the first report, so a report that
// did arrive before the connection dropped is never filed twice.

import { ApiError, type BatchResult, type Report, type ReportIn, reportCreate, reportsBatch } from './api';

const KEY = 'bonifica.outbox';
const RETRY_MS = 60_000;
/** Statuses that say nothing about the report itself: no answer, or a server down or busy. */
const RETRY_STATUS = [0, 408, 429, 502, 503, 504];

/** A report waiting on this device. */
export interface Pending {
  client_id: string;
  /** Who filed it: only they send it. */
  user: string;
  report: ReportIn;
  saved_at: string;
  /** Why the server refused it, once it answered: the user edits or discards it. */
  refused?: string | null;
  /** Field problems of that refusal. */
  errors?: { field: string; problem: string }[];
}

const listeners = new Set<() => void>();
let timer: number | null = null;
let sending: Promise<Report[]> | null = null;
let signedIn: string | null = null;

/** Whether a failed request is worth sending again later: no answer, or a server that is down or busy. */
export function retryable(err: unknown): boolean {
  return err instanceof ApiError && RETRY_STATUS.includes(err.status);
}

/** Every waiting report of `user`, oldest first. */
export function pending(user: string): Pending[] {
  return all().filter((p) => p.user === user);
}

/** Keeps a report that could not be sent. */
export function keep(user: string, report: ReportIn): void {
  const rest = all().filter((p) => p.client_id !== report.client_id);
  save([...rest, { client_id: report.client_id, user, report, saved_at: new Date().toISOString(), refused: null }]);
  schedule(user);
}

/** Forgets a waiting report (sent, or discarded by the user). */
export function drop(clientId: string): void {
  save(all().filter((p) => p.client_id !== clientId));
}

/** Calls `listener` whenever the outbox changes; returns the unsubscribe function. */
export function watch(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Sends what waits now, and again when back online and every minute while anything waits. */
export function startOutbox(user: string): void {
  if (signedIn === null) window.addEventListener('online', () => void (signedIn && flush(signedIn)));
  signedIn = user;
  void flush(user);
}

/**
 * Sends every waiting report of `user` that the server has not refused; answers the
 * reports filed. Those refused stay, marked with the server's reason, for the user to edit
 * or discard; those that still cannot get through wait for the next try.
 */
export function flush(user: string): Promise<Report[]> {
  // Only the signed-in user's reports go out, under their own session.
  if (signedIn !== null && user !== signedIn) return Promise.resolve([]);
  if (!sending) {
    sending = send(user)
      .catch((): Report[] => [])
      .finally(() => {
        sending = null;
        schedule(user);
      });
  }
  return sending;
}

async function send(user: string): Promise<Report[]> {
  const waiting = pending(user).filter((p) => !p.refused);
  if (!waiting.length) return [];
  let results: BatchResult[];
  try {
    results = await reportsBatch(waiting.map((p) => p.report));
  } catch (err) {
    // A server without the batch endpoint, or one that refuses the batch as a whole (one
    // report it cannot read at all): one report at a time, each with its own answer.
    // Anything else (no network, signed out) leaves the outbox for the next try.
    if (!(err instanceof ApiError) || ![400, 404, 405, 413, 422].includes(err.status)) return [];
    results = [];
    for (const p of waiting) {
      try {
        results.push({ client_id: p.client_id, status: 201, report: await reportCreate(p.report) });
      } catch (one) {
        if (!(one instanceof ApiError) || retryable(one) || one.status === 401 || one.status === 403) return settle(waiting, results);
        results.push({ client_id: p.client_id, status: one.status, problem: { detail: one.detail || one.title, errors: one.errors } });
      }
    }
  }
  return settle(waiting, results);
}

/** Applies the server's answers: filed reports leave the outbox, refused ones say why. */
function settle(waiting: Pending[], results: BatchResult[]): Report[] {
  const filed: Report[] = [];
  const byId = new Map(results.map((r) => [r.client_id, r]));
  const kept = all().flatMap((p) => {
    const answer = byId.get(p.client_id);
    if (!answer || !waiting.some((w) => w.client_id === p.client_id)) return [p];
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.report) filed.push(answer.report);
      return [];
    }
    if (RETRY_STATUS.includes(answer.status)) return [p];
    const detail = answer.problem?.detail || answer.problem?.title || `HTTP ${answer.status}`;
    return [{ ...p, refused: detail, errors: answer.problem?.errors ?? [] }];
  });
  save(kept);
  return filed;
}

function schedule(user: string): void {
  if (timer !== null) window.clearTimeout(timer);
  timer = null;
  if (pending(user).some((p) => !p.refused)) timer = window.setTimeout(() => void flush(user), RETRY_MS);
}

function all(): Pending[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Pending[]) : [];
  } catch {
    return [];
  }
}

function save(items: Pending[]): void {
  localStorage.setItem(KEY, JSON.stringify(items));
  for (const listener of listeners) listener();
}

/**
 * A random (version 4) UUID. `crypto.randomUUID` exists only in secure contexts, and a
 * phone reaching the server at http://192.168.1.10 is not one; `getRandomValues` is.
 */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
