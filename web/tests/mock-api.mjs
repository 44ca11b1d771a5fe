// A stand-in for `bonifica serve`, for working on the app before or apart from the real
// server: serves web/dist and the API contract from a folder written by
// `bonifica export REGION.gpkg --out DIR --format all`, with one user per role (password
// "demo") and plan jobs that finish after a few seconds with a made-up but well-formed plan.
// Usage: node tests/mock-api.mjs EXPORT_DIR [PORT]. Not used by the browser tests, which
// run against the real binary.

import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { randomUUID } from 'node:crypto';

const dir = process.argv[2];
const port = Number(process.argv[3] ?? 8080);
const dist = new URL('../dist/', import.meta.url).pathname;
const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const csv = (name) => {
  const [head, ...rows] = readFileSync(join(dir, name), 'utf8').trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
};
const orgs = csv('organisations.csv');
const unitsLayer = (rows, attr) => ({
  type: 'FeatureCollection',
  features: rows.map((r) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [Number(r.base_lon), Number(r.base_lat)] },
    properties: { id: r.id, code: r.code, name: r.name, [attr]: r[attr], organisation: orgs.find((o) => o.code === r.organisation_code)?.name },
  })),
});
const layers = {
  regions: read('regions.geojson'),
  rivers: read('rivers.geojson'),
  settlements: read('settlements.geojson'),
  'hazard-areas': read('hazard_areas.geojson'),
  assets: read('assets.geojson'),
  teams: unitsLayer(csv('teams.csv'), 'method'),
  crews: unitsLayer(csv('crews.csv'), 'trade'),
};
for (const f of layers.assets.features) f.properties.blocked = f.properties.damage !== 'undamaged' && Math.random() < 0.3;
const roles = { coordinator: 'coordinator', defence: 'defence_liaison', operator: 'operations_manager', teamleader: 'team_leader', viewer: 'viewer' };
const sessions = new Map();
const jobs = new Map();

const visible = (role, fc) => ({ type: 'FeatureCollection', features: fc.features.filter((f) => role === 'defence_liaison' || !f.properties.restricted) });

function fakePlan() {
  const start = '2027-03-01';
  const day = (d) => new Date(Date.parse(start) + d * 86400000).toISOString().slice(0, 10);
  const teams = layers.teams.features;
  const crews = layers.crews.features;
  const items = [];
  const itineraries = [...teams, ...crews].map((u, i) => ({ unit_id: u.properties.id, unit_code: u.properties.code, kind: { type: i < teams.length ? 'team' : 'crew', value: u.properties.method ?? u.properties.trade }, items: [], busy_days: 0, available_days: 700 }));
  const next = itineraries.map(() => 0);
  const hazards = layers['hazard-areas'].features.map((f, i) => {
    const u = i % teams.length;
    const length = 3 + (i % 17);
    itineraries[u].items.push(items.length);
    items.push({ kind: { type: ['nts', 'ts', 'clearance'][i % 3] }, subject: { record: 'hazard_area', id: f.properties.id, code: f.properties.code }, unit_id: itineraries[u].unit_id, unit_code: itineraries[u].unit_code, start: day(next[u]), end: day(next[u] + length - 1), start_day: next[u], finish_day: next[u] + length, work: f.properties.area_m2 });
    next[u] += length;
    return { id: f.properties.id, code: f.properties.code, release_date: next[u] < 900 ? day(next[u]) : null };
  });
  const assets = layers.assets.features.filter((f) => f.properties.damage !== 'undamaged').map((f, i) => {
    const u = teams.length + (i % crews.length);
    const length = 5 + (i % 20);
    next[u] = Math.max(next[u], 30 + (i % 200));
    itineraries[u].items.push(items.length);
    items.push({ kind: { type: 'repair', trade: itineraries[u].kind.value }, subject: { record: 'asset', id: f.properties.id, code: f.properties.code }, unit_id: itineraries[u].unit_id, unit_code: itineraries[u].unit_code, start: day(next[u]), end: day(next[u] + length - 1), start_day: next[u], finish_day: next[u] + length, work: 100 });
    next[u] += length;
    return { id: f.properties.id, code: f.properties.code, kind: f.properties.kind, restoration_date: day(next[u]), weight: 1, blocking: [] };
  });
  const months = [];
  for (let m = 0; m < 30; m++) {
    const month = new Date(Date.UTC(2027, 2 + m, 1)).toISOString().slice(0, 7);
    months.push({ month, cancelled_km2: 3, reduced_km2: 1, cleared_km2: 0.5, road_km_reopened: 20 * m, rail_km_reopened: 6 * m, power_population_share: Math.min(1, m / 24), team_utilisation: 0.8, crew_utilisation: 0.6 });
  }
  const last = Math.max(...next);
  return {
    name: 'base', start_date: start, objective: 'weighted_restoration', objective_value: 1234.5, baseline_objective: 1500, penalty_date: day(last + 30), score: {}, items, itineraries, hazards, assets, deferred: [],
    indicators: { months, released_km2: 135, road_km_reopened: 580, rail_km_reopened: 174, power_population_share: 1, assets_restored: assets.length, hazards_released: hazards.filter((h) => h.release_date).length, programme_end: day(last), units_ending_with_work: [] },
  };
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const problem = (res, status, title, errors = []) => send(res, status, { type: 'about:blank', title, status, detail: title, errors }, { 'Content-Type': 'application/problem+json' });

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString() || 'null') : null;
  const token = /bonifica_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const user = sessions.get(token);
  const path = url.pathname;
  if (!path.startsWith('/api/')) {
    const file = join(dist, path === '/' || !extname(path) ? 'index.html' : path);
    if (!existsSync(file)) return send(res, 404, 'not found');
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    return res.end(readFileSync(file));
  }
  if (path === '/api/session' && req.method === 'POST') {
    const role = roles[body?.username];
    if (!role || body.password !== 'demo') return problem(res, 401, 'wrong username or password');
    const t = randomUUID();
    sessions.set(t, { username: body.username, role, csrf: randomUUID() });
    return send(res, 200, { user: { username: body.username, role }, csrf_token: sessions.get(t).csrf }, { 'Set-Cookie': `bonifica_session=${t}; HttpOnly; SameSite=Strict; Path=/` });
  }
  if (!user) return problem(res, 401, 'sign in first');
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== user.csrf) return problem(res, 403, 'csrf token missing or wrong');
  if (path === '/api/session') {
    if (req.method === 'DELETE') { sessions.delete(token); return send(res, 204); }
    return send(res, 200, { user: { username: user.username, role: user.role }, csrf_token: user.csrf });
  }
  const m = /^\/api\/map\/([a-z-]+)$/.exec(path);
  if (m && layers[m[1]]) return send(res, 200, visible(user.role, layers[m[1]]));
  if (path === '/api/summary') {
    const hz = visible(user.role, layers['hazard-areas']).features;
    return send(res, 200, { hazard_areas: hz.length, assets: visible(user.role, layers.assets).features.length, damaged_assets: 3000, deminers: 1000, workers: 5000, damaged_road_km: 800, damaged_rail_km: 200, contracts_ending_30_60_90: [3, 12, 40], hazard_km2: { SHA: { open: 100 }, CHA: { open: 50 } } });
  }
  if (path === '/api/hazard-areas' && req.method === 'POST') {
    const errors = [];
    if (!body.classification) errors.push({ field: 'classification', problem: 'is required' });
    if (!body.geometry) errors.push({ field: 'geometry', problem: 'is required: draw the polygon' });
    if (errors.length) return problem(res, 422, 'the hazard area is not valid', errors);
    const id = randomUUID();
    const code = `HA-${9000 + layers['hazard-areas'].features.length}`;
    layers['hazard-areas'].features.push({ type: 'Feature', geometry: body.geometry, properties: { ...body, geometry: undefined, id, code, status: 'open', area_m2: 1000 } });
    return send(res, 201, { id, code }, { ETag: '"1"' });
  }
  const record = /^\/api\/(hazard-areas|assets)\/([^/]+)(\/history)?$/.exec(path);
  if (record) {
    const f = visible(user.role, layers[record[1]]).features.find((x) => x.properties.id === record[2]);
    if (!f) return problem(res, 404, 'not found');
    if (record[3]) return send(res, 200, [{ version: 1, changed_at: f.properties.as_of, changed_by: 'import', record: f.properties }]);
    if (req.method === 'PUT') {
      const { geometry, ...rest } = body;
      Object.assign(f.properties, rest);
      if (geometry) f.geometry = geometry;
      return send(res, 200, { ...f.properties, geometry: f.geometry }, { ETag: '"2"' });
    }
    return send(res, 200, { ...f.properties, geometry: f.geometry }, { ETag: '"1"' });
  }
  const coll = /^\/api\/(hazard-areas|assets|teams|crews)$/.exec(path);
  if (coll) {
    const kind = url.searchParams.get('kind');
    const all = visible(user.role, layers[coll[1]]).features.map((f) => f.properties).filter((p) => !kind || p.kind === kind);
    return send(res, 200, { items: all.slice(0, Number(url.searchParams.get('page_size') ?? 100)), total: all.length });
  }
  if (path === '/api/contracts' || path === '/api/organisations') return send(res, 200, { items: [] });
  if (path === '/api/plans' && req.method === 'POST') {
    const id = randomUUID();
    jobs.set(id, { started: Date.now() });
    return send(res, 202, { id });
  }
  const plan = /^\/api\/plans\/([^/]+)$/.exec(path);
  if (plan && jobs.has(plan[1])) {
    const job = jobs.get(plan[1]);
    const progress = Math.min(1, (Date.now() - job.started) / 3000);
    if (progress >= 1 && !job.result) job.result = fakePlan();
    return send(res, 200, { state: progress >= 1 ? 'done' : 'running', progress, best_objective: 1234.5, result: job.result ?? null });
  }
  if (path === '/api/productivity') return send(res, 200, { reports_used: 0, overall_ratio: 1, by_method: {}, by_terrain: {}, by_contamination: {} });
  if (path === '/api/plan-vs-actual') {
    // The last finished run stands for the stored plan; no report is ever approved here.
    const stored = [...jobs.values()].map((j) => j.result).filter(Boolean).at(-1);
    if (!stored) return problem(res, 404, 'stored plan not found');
    const asOf = url.searchParams.get('as_of') ?? new Date().toISOString().slice(0, 10);
    const units = new Map();
    for (const item of stored.items.filter((i) => i.subject.record === 'hazard_area')) {
      const days = Math.max(1, item.finish_day - item.start_day);
      const done = Math.min(days, Math.max(0, (Date.parse(asOf) - Date.parse(item.start)) / 86400000));
      const u = units.get(item.unit_id) ?? { unit_id: item.unit_id, unit_code: item.unit_code, planned_m2: 0, actual_m2: 0, reports: 0, hours: 0 };
      u.planned_m2 += (item.work * done) / days;
      units.set(item.unit_id, u);
    }
    const hazard_areas = stored.hazards.map((h) => ({ hazard_area_id: h.id, code: h.code, planned_m2: 0, actual_m2: 0, planned_release: h.release_date, actual_release: null, days_late: h.release_date && h.release_date < asOf ? (Date.parse(asOf) - Date.parse(h.release_date)) / 86400000 : null }));
    const planned = [...units.values()].reduce((sum, u) => sum + u.planned_m2, 0);
    return send(res, 200, { plan: stored.name, as_of: asOf, planned_m2: planned, actual_m2: 0, units: [...units.values()], hazard_areas });
  }
  return problem(res, 404, 'not found');
}).listen(port, '127.0.0.1', () => console.log(`mock api on http://127.0.0.1:${port}`));
