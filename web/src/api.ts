// The only module that speaks to the server: the public JSON API, same origin, cookie
// session with a CSRF token on every change. Errors come back as problem+json.

import { t } from './messages';

/** A user as `POST /api/session` and `GET /api/session` return it. */
export interface User {
  username: string;
  role: Role;
  organisation?: string | null;
  team?: string | null;
  organisation_id?: string | null;
  /** The team or crew a team leader leads. */
  team_id?: string | null;
}

export type Role = 'coordinator' | 'defence_liaison' | 'operations_manager' | 'team_leader' | 'viewer';

/** One field's problem in a validation error. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** An API error (RFC 9457 problem details), with the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[],
    /** The whole problem document, for members beyond RFC 9457's (such as `changes`). */
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail || title || `HTTP ${status}`);
  }
}

export interface Feature {
  type: 'Feature';
  id?: string | number;
  geometry: { type: string; coordinates: unknown } | null;
  properties: Record<string, unknown>;
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

/** The map layers the API serves. */
export const MAP_LAYERS = ['regions', 'rivers', 'settlements', 'hazard-areas', 'assets', 'teams', 'crews'] as const;
export type MapLayer = (typeof MAP_LAYERS)[number];

let csrfToken: string | null = sessionStorage.getItem('bonifica.csrf');

/** A JSON answer with its ETag, when the server sent one. */
export interface Tagged<T> {
  body: T;
  etag: string | null;
}

/** Sends a request and parses the JSON answer; throws [`ApiError`] on any failure. */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Tagged<T>> {
  const sent: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) sent['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, 'network error', t('api.no_answer', { reason: String(err) }), []);
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    const p = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const errors = Array.isArray(p.errors) ? (p.errors as FieldProblem[]) : [];
    throw new ApiError(
      response.status,
      String(p.title ?? response.statusText),
      String(p.detail ?? (typeof parsed === 'string' ? parsed : '')),
      errors,
      p,
    );
  }
  return { body: parsed as T, etag: response.headers.get('ETag') };
}

export async function get<T>(path: string): Promise<T> {
  return (await request<T>('GET', path)).body;
}

/** Signs in; keeps the CSRF token for later changes. */
export async function login(username: string, password: string): Promise<User> {
  const { body } = await request<{ user: User; csrf_token: string }>('POST', '/api/session', { username, password });
  csrfToken = body.csrf_token;
  sessionStorage.setItem('bonifica.csrf', csrfToken);
  return body.user;
}

/** The signed-in user, or `null` when there is no session. */
export async function currentUser(): Promise<User | null> {
  try {
    const body = await get<{ user?: User; csrf_token?: string } & Partial<User>>('/api/session');
    if (body.csrf_token) {
      csrfToken = body.csrf_token;
      sessionStorage.setItem('bonifica.csrf', csrfToken);
    }
    if (body.user) return body.user;
    if (body.username && body.role) return body as User;
    return null;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return null;
    throw err;
  }
}

export async function logout(): Promise<void> {
  try {
    await request('DELETE', '/api/session');
  } finally {
    csrfToken = null;
    sessionStorage.removeItem('bonifica.csrf');
  }
}

export function mapLayer(layer: MapLayer): Promise<FeatureCollection> {
  return get<FeatureCollection>(`/api/map/${layer}`);
}

/** Counts and totals, as `bonifica summary --json` prints them. */
export interface Summary {
  regions?: number;
  organisations?: number;
  people?: number;
  deminers?: number;
  workers?: number;
  contracts?: number;
  teams?: number;
  crews?: number;
  settlements?: number;
  population?: number;
  hazard_areas?: number;
  assets?: number;
  damaged_assets?: number;
  hazard_km2?: Record<string, Record<string, number>>;
  damaged_road_km?: number;
  damaged_rail_km?: number;
  contracts_ending_30_60_90?: [number, number, number];
  first_contract_start?: string | null;
  last_contract_end?: string | null;
}

export function summary(): Promise<Summary> {
  return get<Summary>('/api/summary');
}

/** A list answer: either a bare array or a page `{items, total, next}`. */
interface ListPage<T> {
  items: T[];
  total: number | null;
  next: string | null;
}

function pageOf<T>(body: unknown): ListPage<T> {
  if (Array.isArray(body)) return { items: body as T[], total: body.length, next: null };
  const o = (body ?? {}) as Record<string, unknown>;
  const items = (['items', 'data', 'records', 'features'].map((k) => o[k]).find(Array.isArray) ?? []) as T[];
  return { items, total: typeof o.total === 'number' ? o.total : null, next: typeof o.next === 'string' ? o.next : null };
}

/** The first page of a list (`page_size` as given) with the total count. */
export async function firstPage<T>(path: string, pageSize = 100): Promise<{ items: T[]; total: number }> {
  const sep = path.includes('?') ? '&' : '?';
  const page = pageOf<T>(await get<unknown>(`${path}${sep}page_size=${pageSize}`));
  return { items: page.items, total: page.total ?? page.items.length };
}

/** Every record of a list, following `next` links (at most `maxPages` pages of 1,000). */
export async function list<T>(path: string, maxPages = 50): Promise<T[]> {
  const sep = path.includes('?') ? '&' : '?';
  let url: string | null = `${path}${sep}page_size=1000`;
  const all: T[] = [];
  for (let n = 0; url && n < maxPages; n++) {
    const page: ListPage<T> = pageOf<T>(await get<unknown>(url));
    all.push(...page.items);
    url = page.next;
  }
  return all;
}

// ---- Plans -------------------------------------------------------------------------------

export interface PlannedItem {
  kind: { type: string; trade?: string };
  subject: { record: string; id: string; code: string };
  unit_id: string;
  unit_code: string;
  start: string;
  end: string;
  start_day: number;
  finish_day: number;
  work: number;
}

export interface Itinerary {
  unit_id: string;
  unit_code: string;
  kind: { type: 'team' | 'crew'; value: string };
  items: number[];
  busy_days: number;
  available_days: number;
}

export interface Month {
  month: string;
  cancelled_km2: number;
  reduced_km2: number;
  cleared_km2: number;
  road_km_reopened: number;
  rail_km_reopened: number;
  power_population_share: number;
  team_utilisation: number;
  crew_utilisation: number;
}

export interface RecordForecast {
  id: string;
  code: string;
  p50: string | null;
  p90: string | null;
}

/** A plan's figures as they stand at the end of a day: the one computation every page reads. */
export interface DayFigures {
  date: string;
  released_km2: number;
  hazards_released: number;
  assets_restored: number;
  road_km_reopened: number;
  rail_km_reopened: number;
  power_population_share: number;
}

/** A plan as the planner writes it (the fields the app reads). */
export interface Plan {
  name: string;
  start_date: string;
  objective: unknown;
  objective_value: number;
  baseline_objective?: number | null;
  penalty_date: string;
  items: PlannedItem[];
  itineraries: Itinerary[];
  hazards: { id: string; code: string; release_date: string | null }[];
  assets: { id: string; code: string; kind: string; restoration_date: string | null; blocking: string[] }[];
  deferred: unknown[];
  indicators: {
    months: Month[];
    released_km2: number;
    road_km_reopened: number;
    rail_km_reopened: number;
    power_population_share: number;
    assets_restored: number;
    hazards_released: number;
    programme_end: string | null;
    /** The figures at the end of each day on which one changes (absent from plans stored before them). */
    days?: DayFigures[];
  };
  forecast?: { hazards: RecordForecast[]; assets: RecordForecast[]; programme_p50?: string | null; programme_p90?: string | null };
}

/** A plan job's state as `GET /api/plans/{id}` returns it. */
export interface PlanJob {
  id?: string;
  state: string;
  progress?: number | null;
  best_objective?: number | null;
  scenario?: string | null;
  result?: (Plan & { plan?: Plan; forecast?: Plan['forecast'] }) | null;
  error?: string | null;
}

/** The plan inside a finished job's result, whether it is wrapped or not. */
export function planOf(job: PlanJob): Plan | null {
  const r = job.result;
  if (!r) return null;
  if (r.plan) return { ...r.plan, forecast: r.plan.forecast ?? r.forecast };
  return r.items ? r : null;
}

export async function startPlan(options: Record<string, unknown>): Promise<string> {
  const { body } = await request<{ id: string }>('POST', '/api/plans', options);
  return body.id;
}

export function planJob(id: string): Promise<PlanJob> {
  return get<PlanJob>(`/api/plans/${encodeURIComponent(id)}`);
}

export async function cancelPlan(id: string): Promise<void> {
  await request('DELETE', `/api/plans/${encodeURIComponent(id)}`);
}

// ---- Field reports (docs/reports.md) --------------------------------------------------------

export type ReportKind =
  | 'daily_progress'
  | 'non_technical_survey'
  | 'technical_survey'
  | 'completion'
  | 'handover'
  | 'incident'
  | 'reconstruction_progress';
export type ReportState = 'draft' | 'submitted' | 'verified' | 'approved' | 'rejected';
export type ReportAction = 'submit' | 'verify' | 'approve' | 'reject' | 'revise';

/** One step of a report's workflow, as kept by the server. */
export interface ReportTransition {
  action: ReportAction;
  from: ReportState | null;
  to: ReportState;
  actor: string;
  role: string;
  at: string;
  comment: string | null;
}

/** A report as `GET /api/reports/{id}` returns it. */
export interface Report {
  id: string;
  code: string;
  client_id: string;
  kind: ReportKind;
  state: ReportState;
  date: string;
  hazard_area_id: string | null;
  hazard_area_code: string | null;
  asset_id: string | null;
  asset_code: string | null;
  unit_id: string | null;
  unit_code: string | null;
  organisation_id: string | null;
  restricted: boolean;
  based_on_version: number | null;
  /** The kind's fields, as sent. */
  body: Record<string, unknown>;
  approvals: unknown[];
  transitions: ReportTransition[];
  /** The steps the signed-in user may take on it now, as the server decides them. */
  actions?: ReportAction[];
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** What an approval changed on the register. */
export interface ApprovalEffect {
  hazard_area?: {
    id: string;
    code: string;
    version: number;
    classification: string;
    status: string;
    closure_reason: string | null;
    remaining_m2: number;
  } | null;
  released_m2?: number | null;
  unblocked_assets?: { id: string; code: string }[];
}

/** A report to file: the common fields and the kind's fields side by side. */
export type ReportIn = {
  client_id: string;
  kind: ReportKind;
  submit?: boolean;
  based_on_version?: number;
} & Record<string, unknown>;

/** One report's answer inside a batch. */
export interface BatchResult {
  client_id: string;
  status: number;
  report?: Report;
  problem?: { title?: string; detail?: string; status?: number; errors?: FieldProblem[] };
}

/** One page of the caller's inbox, newest first, with the total and the next page's path. */
export interface ReportPage {
  items: Report[];
  total: number;
  next: string | null;
}

/** The caller's inbox, newest first: the first page, or the page at `next` when given. */
export async function reportsList(filters: Record<string, string> = {}, pageSize = 200, next?: string): Promise<ReportPage> {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''));
  query.set('page_size', String(pageSize));
  const page = pageOf<Report>(await get<unknown>(next ?? `/api/reports?${query}`));
  return { items: page.items, total: page.total ?? page.items.length, next: page.next };
}

export function reportGet(id: string): Promise<Report> {
  return get<Report>(`/api/reports/${encodeURIComponent(id)}`);
}

/** A report with the ETag to edit it with. */
export function reportTagged(id: string): Promise<Tagged<Report>> {
  return request<Report>('GET', `/api/reports/${encodeURIComponent(id)}`);
}

/** Replaces a draft's fields (same client id and kind), if it is still the version read (`If-Match`). */
export async function reportUpdate(id: string, report: ReportIn, etag: string | null): Promise<Report> {
  return (await request<Report>('PUT', `/api/reports/${encodeURIComponent(id)}`, report, etag ? { 'If-Match': etag } : {})).body;
}

/** Files a report; with `submit: true` it is also submitted. A replay of a known `client_id` answers the first report. */
export async function reportCreate(report: ReportIn): Promise<Report> {
  return (await request<Report>('POST', '/api/reports', report)).body;
}

/** Takes one step of the workflow; `effect` comes with an approval. */
export async function reportTransition(id: string, action: ReportAction, comment?: string): Promise<{ report: Report; effect?: ApprovalEffect | null }> {
  const body: Record<string, unknown> = { action };
  if (comment) body.comment = comment;
  return (await request<{ report: Report; effect?: ApprovalEffect | null }>('POST', `/api/reports/${encodeURIComponent(id)}/transitions`, body)).body;
}

/** Files several reports at once (a phone syncing its outbox); one result per report, in order. */
export async function reportsBatch(reports: ReportIn[]): Promise<BatchResult[]> {
  return (await request<{ results: BatchResult[] }>('POST', '/api/reports/batch', { reports })).body.results;
}

/** A hazard area as `GET /api/hazard-areas/{id}` returns it (the fields the reports read). */
export interface HazardAreaRecord {
  id: string;
  code: string;
  geometry: GeoJSON.Geometry;
  classification: string;
  status: string;
  closure_reason: string | null;
  area_m2: number;
  restricted: boolean;
  as_of: string;
  version: number;
}

export function hazardArea(id: string): Promise<HazardAreaRecord> {
  return get<HazardAreaRecord>(`/api/hazard-areas/${encodeURIComponent(id)}`);
}

// ---- Plan against actual (docs/api.md) -----------------------------------------------------

/** One team's planned and reported work up to a date. */
export interface UnitProgress {
  unit_id: string;
  unit_code: string;
  planned_m2: number;
  actual_m2: number;
  reports: number;
  hours: number;
}

/** One hazard area's planned and reported work, and its planned and actual release. */
export interface AreaProgress {
  hazard_area_id: string;
  code: string;
  planned_m2: number;
  actual_m2: number;
  planned_release: string | null;
  actual_release: string | null;
  /** Positive when released (or still open) later than planned, in days. */
  days_late: number | null;
}

/** A stored plan against approved daily progress, as `GET /api/plan-vs-actual` answers. */
export interface PlanVsActual {
  plan: string;
  as_of: string;
  planned_m2: number;
  actual_m2: number;
  units: UnitProgress[];
  hazard_areas: AreaProgress[];
}

/** Planned against actual as of a day; the base plan (else the newest stored plan) when `plan` is absent. 404 when no such plan is stored. */
export function planVsActual(plan: string | null, asOf: string): Promise<PlanVsActual> {
  const query = new URLSearchParams({ as_of: asOf });
  if (plan) query.set('plan', plan);
  return get<PlanVsActual>(`/api/plan-vs-actual?${query}`);
}

/** A learned multiplier of a configured rate, with the reports behind it. */
export interface Effect {
  reports: number;
  factor: number;
}

/** Productivity learned from approved daily progress, as `GET /api/productivity` answers. */
export interface LearnedRates {
  reports_used: number;
  overall_ratio: number;
  by_method: Record<string, Effect>;
  by_terrain: Record<string, Effect>;
  by_contamination: Record<string, Effect>;
}

export function learnedRates(): Promise<LearnedRates> {
  return get<LearnedRates>('/api/productivity');
}

/** One entry of the audit log. */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before?: unknown;
  after?: unknown;
  hash: string;
}

/** A page of the audit log, oldest first, with the chain's head and the anchor to keep. */
export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  head: string;
  anchor: string;
}

/**
 * Up to `limit` audit entries after sequence number `after`. The server walks the chain
 * first (409 when it does not hold) and, given an `anchor`, checks the log still holds it.
 */
export function auditPage(after: number, limit: number, anchor?: string): Promise<AuditPage> {
  const query = new URLSearchParams({ after: String(after), limit: String(limit) });
  if (anchor) query.set('anchor', anchor);
  return get<AuditPage>(`/api/audit?${query}`);
}

/** The newest `n` audit entries, oldest of them first, in one walk of the chain. */
export function newestAudit(n: number): Promise<AuditPage> {
  return get<AuditPage>(`/api/audit?last=${n}`);
}
