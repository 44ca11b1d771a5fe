// What the app has loaded, shared by the views: map layers (fetched once per session),
// the summary, and the plan the timeline, Gantt and dashboard show.

import { type DayFigures, type Feature, type FeatureCollection, type MapLayer, type Plan, type Summary, get, mapLayer } from './api';

const layers = new Map<MapLayer, Promise<FeatureCollection>>();

/** A map layer, fetched on first use. */
export function layer(name: MapLayer): Promise<FeatureCollection> {
  let found = layers.get(name);
  if (!found) {
    found = mapLayer(name);
    found.catch(() => layers.delete(name));
    layers.set(name, found);
  }
  return found;
}

/** Layers forgotten since the map last drew them: the map reloads them when shown again. */
export const stale = new Set<MapLayer>();

/** Forgets loaded layers, after an edit or a sign-in as someone else. */
export function forget(name?: MapLayer): void {
  const names = name ? [name] : [...layers.keys()];
  for (const n of names) {
    layers.delete(n);
    stale.add(n);
  }
}

/** `/api/summary` as the server gives it: counts of what the caller may see. */
export interface ServerSummary extends Summary {
  /** The day the contract horizons are counted from. */
  as_of?: string;
  reconstruction_workers?: number | null;
  reopened_road_km?: number;
  reopened_rail_km?: number;
  /** Contracts ending within 30, 60 and 90 days of `as_of`; absent for roles that may not read contracts. */
  contracts_ending?: { in_30_days: number; in_60_days: number; in_90_days: number } | null;
}

/** The summary as of a day (`YYYY-MM-DD`; today by default, as the server reckons it). */
export function summaryAsOf(asOf?: string): Promise<ServerSummary> {
  return get<ServerSummary>(asOf ? `/api/summary?as_of=${encodeURIComponent(asOf)}` : '/api/summary');
}

let summaryCache: Promise<ServerSummary> | null = null;
export function currentSummary(refresh = false): Promise<ServerSummary> {
  if (!summaryCache || refresh) {
    summaryCache = summaryAsOf();
    summaryCache.catch(() => (summaryCache = null));
  }
  return summaryCache;
}

/** The plan on show, the job (or stored plan) it came from, and the plan day the timeline shows. */
export const shown: { plan: Plan | null; jobId: string | null; day: number; listeners: (() => void)[] } = {
  plan: null,
  jobId: null,
  day: 0,
  listeners: [],
};

export function showPlan(plan: Plan | null, jobId: string | null): void {
  shown.plan = plan;
  shown.jobId = jobId;
  shown.day = 0;
  if (jobId) localStorage.setItem('bonifica.plan', jobId);
  for (const listener of shown.listeners) listener();
}

/** Days from `start` to `date` (both `YYYY-MM-DD`). */
export function dayOffset(start: string, date: string): number {
  return Math.round((Date.parse(date) - Date.parse(start)) / 86_400_000);
}

/** The date `day` days after `start`, `YYYY-MM-DD`. */
export function dateAt(start: string, day: number): string {
  return new Date(Date.parse(start) + day * 86_400_000).toISOString().slice(0, 10);
}

/** A feature's id as a string (property `id` first, then the feature id). */
export function featureId(f: Feature): string {
  return String(f.properties?.id ?? f.id ?? '');
}

/** The figures a plan gives for the end of `date` (`YYYY-MM-DD`): zero before its first change; `null` for a plan stored without them. */
export function figuresAt(plan: Plan, date: string): DayFigures | null {
  const days = plan.indicators.days;
  if (!days) return null;
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid].date <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? days[lo - 1] : { date, released_km2: 0, hazards_released: 0, assets_restored: 0, road_km_reopened: 0, rail_km_reopened: 0, power_population_share: 0 };
}
