// What the app has loaded, shared by the views: map layers (fetched once per session),
// the summary, and the plan the timeline, Gantt and dashboard show.

import { ApiError, type Feature, type FeatureCollection, type MapLayer, type Plan, type Summary, list, mapLayer, summary } from './api';

const layers = new Map<MapLayer, Promise<FeatureCollection>>();

/** A map layer, fetched on first use. */
export function layer(name: MapLayer): Promise<FeatureCollection> {
  let found = layers.get(name);
  if (!found) {
    found = mapLayer(name).catch((err) => fromList(name, err));
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

interface Listed {
  id: string;
  code: string;
  name?: string;
  kind?: string;
  organisation_id?: string;
  members?: string[];
  base?: GeoJSON.Geometry;
  boundary?: GeoJSON.Geometry;
}

/**
 * A layer the server has no map endpoint for, built from its record list: region outlines
 * from `/api/regions`, team and crew bases from `/api/teams` and `/api/crews`.
 */
async function fromList(name: MapLayer, err: unknown): Promise<FeatureCollection> {
  if (!(err instanceof ApiError) || err.status !== 404) throw err;
  const source: Partial<Record<MapLayer, [string, keyof Listed]>> = {
    regions: ['/api/regions', 'boundary'],
    teams: ['/api/teams', 'base'],
    crews: ['/api/crews', 'base'],
  };
  const found = source[name];
  if (!found) return { type: 'FeatureCollection', features: [] };
  const [path, geometry] = found;
  const records = await list<Listed>(path);
  const orgs = name === 'regions' ? [] : await list<{ id: string; name: string }>('/api/organisations').catch(() => []);
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  return {
    type: 'FeatureCollection',
    features: records
      .filter((r) => r[geometry])
      .map((r) => {
        const { [geometry]: g, kind, ...rest } = r;
        const kindKey = name === 'teams' ? 'method' : name === 'crews' ? 'trade' : 'kind';
        return {
          type: 'Feature' as const,
          geometry: g as Feature['geometry'],
          properties: { ...rest, [kindKey]: kind, organisation: orgName.get(String(r.organisation_id)) ?? r.organisation_id },
        };
      }),
  };
}

let summaryCache: Promise<Summary> | null = null;
export function currentSummary(refresh = false): Promise<Summary> {
  if (!summaryCache || refresh) {
    summaryCache = summary();
    summaryCache.catch(() => (summaryCache = null));
  }
  return summaryCache;
}

/** The plan on show, and the job it came from. */
export const shown: { plan: Plan | null; jobId: string | null; listeners: (() => void)[] } = {
  plan: null,
  jobId: null,
  listeners: [],
};

export function showPlan(plan: Plan | null, jobId: string | null): void {
  shown.plan = plan;
  shown.jobId = jobId;
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
