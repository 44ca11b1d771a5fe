// Shared helpers of the browser tests: launching Debian's Chromium through playwright-core
// (never a downloaded browser), signing in as a role, calling the API as a role, finding
// hazard areas to report on, and reading the test settings the `scripts/test-web` script
// passes in the environment.

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

/** The server under test, e.g. http://127.0.0.1:41234. */
export const BASE_URL = process.env.BONIFICA_URL ?? 'http://127.0.0.1:8080';

/** Where screenshots go. */
export const ARTIFACTS = process.env.BONIFICA_ARTIFACTS ?? join(process.cwd(), '..', 'target', 'artifacts');

/**
 * Credentials per role: BONIFICA_USERS is JSON `{"coordinator": {"username": ..., "password": ...}, ...}`
 * with keys coordinator, defence_liaison, operations_manager, team_leader, viewer.
 */
export function credentials(role) {
  const users = JSON.parse(process.env.BONIFICA_USERS ?? '{}');
  const found = users[role];
  assert.ok(found, `no credentials for role ${role} in BONIFICA_USERS`);
  return found;
}

export const ROLES = ['coordinator', 'defence_liaison', 'operations_manager', 'team_leader', 'viewer'];

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL without a GPU: MapLibre needs it, SwiftShader provides it.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  // No host but the server's resolves: nothing can leave the machine even if the app tried.
  `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${new URL(BASE_URL).hostname}`,
];

/** A fresh Chromium with its own profile; close it with `browser.close()`. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'bonifica-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    // The browser's own language decides the app's until someone chooses: English here.
    locale: 'en-GB',
  });
  // Any request leaving the server under test is a bug: the app must work offline. The
  // requests are watched, not intercepted: interception would slow every request and turn
  // the browser's cache off, and the host resolver rules above already stop them.
  const outside = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(BASE_URL) || url.startsWith('data:') || url.startsWith('blob:')) return;
    outside.push(url);
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, outside, close };
}

/** Opens the app in a new page, signs in as `role` and waits for the map to load. */
export async function signIn(browser, role, { waitForMap = true } = {}) {
  // One browser profile for the whole run: forget the previous user's session cookie.
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(BASE_URL + '/');
  const { username, password } = credentials(role);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#role');
  if (waitForMap) await page.waitForSelector('body[data-map-loaded="true"]', { timeout: 120_000 });
  return { page, errors };
}

/** Calls the API from inside the signed-in page (same cookie, CSRF token from the session). */
export async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const csrf = sessionStorage.getItem('bonifica.csrf');
      if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
      const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: r.status, body: json };
    },
    { method, path, body },
  );
}

/** Saves a screenshot under the artifacts folder. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** The items of a list answer, whether a bare array or `{items: [...]}`. */
export function items(body) {
  if (Array.isArray(body)) return body;
  return body?.items ?? body?.data ?? body?.features ?? [];
}

/** Signs in as `role` outside the browser (its cookie stays the browser's user's); answers a request function. */
export async function apiAs(role) {
  const { username, password } = credentials(role);
  const login = await fetch(`${BASE_URL}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf_token, user } = await login.json();
  const call = async (method, path, body, headers = {}) => {
    const r = await fetch(`${BASE_URL}${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  call.user = user;
  return call;
}

// ---- Plane geometry on longitude/latitude, enough to pick polygons inside a hazard area --------

export const outer = (g) => (g.type === 'MultiPolygon' ? g.coordinates[0][0] : g.coordinates[0]);

export function inside([x, y], ring) {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

function cross(o, a, b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function segmentsCross(a, b, c, d) {
  return cross(a, b, c) * cross(a, b, d) < 0 && cross(c, d, a) * cross(c, d, b) < 0;
}

/** Whether the closed ring `inner` lies inside the closed ring `ring` and does not cross itself. */
export function fitsInside(inner, ring) {
  if (!inner.slice(0, -1).every((p) => inside(p, ring))) return false;
  for (let i = 0; i + 1 < inner.length; i++) {
    for (let j = 0; j + 1 < ring.length; j++) if (segmentsCross(inner[i], inner[i + 1], ring[j], ring[j + 1])) return false;
    for (let k = i + 2; k + 1 < inner.length; k++) {
      if (i === 0 && k + 2 === inner.length) continue;
      if (segmentsCross(inner[i], inner[i + 1], inner[k], inner[k + 1])) return false;
    }
  }
  return true;
}

/** A small triangle around the centre of a hazard area, or `null` when it does not fit inside. */
export function smallTriangle(geometry) {
  const ring = outer(geometry);
  const corners = ring.slice(0, -1);
  const c = [corners.reduce((s, p) => s + p[0], 0) / corners.length, corners.reduce((s, p) => s + p[1], 0) / corners.length];
  const span = Math.min(...corners.map((p) => Math.hypot(p[0] - c[0], p[1] - c[1]))) * 0.3;
  const triangle = [[c[0] - span, c[1] - span / 2], [c[0] + span, c[1] - span / 2], [c[0], c[1] + span], [c[0] - span, c[1] - span / 2]];
  return fitsInside(triangle, ring) ? triangle : null;
}

/**
 * Area of a closed WGS 84 ring in m² on the sphere of the equatorial radius, as the app's
 * report form measures it: within a few tenths of a percent of the server's geodesic area.
 */
export function ringAreaM2(ring) {
  const rad = Math.PI / 180;
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    sum += (x2 - x1) * rad * (2 + Math.sin(y1 * rad) + Math.sin(y2 * rad));
  }
  return Math.abs((sum * 6_378_137 * 6_378_137) / 2);
}

/** Open, unrestricted hazard areas of a workable size that the page's user can see, largest first. */
export async function openAreas(page) {
  const answer = await api(page, 'GET', '/api/hazard-areas?status=open&page_size=1000');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return items(answer.body)
    .filter((a) => a.status === 'open' && !a.restricted && a.area_m2 > 5_000 && a.area_m2 < 2_000_000)
    .sort((a, b) => b.area_m2 - a.area_m2);
}
