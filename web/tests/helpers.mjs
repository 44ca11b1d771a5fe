// Shared helpers of the browser tests: launching Debian's Chromium through playwright-core
// (never a downloaded browser), signing in as a role, and reading the test settings the
// `scripts/test-web` script passes in the environment.

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
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
];

/** A fresh Chromium with its own profile; close it with `browser.close()`. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'bonifica-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  // Any request leaving the server under test is a bug: the app must work offline.
  const outside = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(BASE_URL) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return { context, outside, close: () => context.close() };
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
