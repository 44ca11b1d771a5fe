// Browser tests of the interface languages and of plan against actual on the dashboard,
// against a running `bonifica serve` (see scripts/test-web): the header's switch turns the
// navigation, the map legend and the numbers French, the choice survives a reload, and
// English comes back; the dashboard compares the stored plan with approved daily progress
// (a report filed, verified and approved here, through the API) and shows the learned
// rates; without a stored plan it says so.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, apiAs, launch, openAreas, ringAreaM2, screenshot, signIn, smallTriangle } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  assert.deepEqual(browser?.outside ?? [], [], 'the app must not fetch anything from outside the server');
});

const text = (page, selector) => page.textContent(selector).then((s) => s.trim());
/** Waits until the element's text is `expected` (pages redraw a moment after the switch). */
async function waitText(page, selector, expected) {
  await page
    .waitForFunction(({ selector, expected }) => document.querySelector(selector)?.textContent.trim() === expected, { selector, expected }, { timeout: 30_000 })
    .catch(async () => assert.fail(`${selector} says “${await page.textContent(selector).catch(() => null)}”, not “${expected}”`));
}
/** Text left with a `{placeholder}` unfilled: a message given the wrong parameters. */
const UNFILLED = /\{[a-z_]+\}/;

async function switchTo(page, lang) {
  await page.click(`#lang-switch button[data-lang=${lang}]`);
  await page.waitForFunction((lang) => document.documentElement.lang === lang, lang);
  await page.waitForSelector(`#lang-switch button[data-lang=${lang}][aria-pressed=true]`);
}

describe('languages', () => {
  test('French turns the navigation, the legend and the numbers French, survives a reload, and English comes back', async () => {
    const { page, errors } = await signIn(browser, 'coordinator');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await text(page, 'nav a[data-page=dashboard]'), 'Dashboard');
    assert.equal(await text(page, '#legend li[data-legend="legend.sha_open"]'), 'SHA (suspected hazardous area), open');
    // Thousands in English are grouped with commas (6,000 hazard areas in the demo region).
    // After signing in the base plan stored by the tests before is on show: the timeline's
    // counter says how many of the region's hazard areas it releases by the date.
    await page.waitForSelector('.timeline:not([hidden])');
    await page.waitForFunction(() => / of /.test(document.querySelector('[data-counter=released] .counter-value')?.textContent ?? ''));
    assert.match(await text(page, '[data-counter=released] .counter-value'), /^[\d,]+ of \d{1,3}(,\d{3})+$/);

    // A layer hidden before the switch stays hidden, and its toggle says so.
    await page.uncheck('input[data-toggle=rivers]');
    await switchTo(page, 'fr');
    assert.deepEqual(await page.locator('nav a').allTextContents(), ['Carte', 'Gantt', 'Tableau de bord', 'Registre', 'Plans', 'Rapports', 'Audit']);
    assert.equal(await text(page, '#logout'), 'Se déconnecter');
    assert.equal(await text(page, '#role'), 'coordinateur');
    assert.equal(await text(page, '#legend li[data-legend="legend.sha_open"]'), 'ZDS (zone dangereuse suspectée), ouverte');
    assert.equal(await text(page, '#legend li[data-legend="legend.cha_open"]'), 'ZDC (zone dangereuse confirmée), ouverte');
    const legend = await text(page, '#legend');
    for (const words of ['Couches', 'Zones dangereuses', 'Infrastructures', 'fermée (annulée, réduite, dépolluée)', 'Équipes de déminage', 'Équipes de reconstruction']) {
      assert.ok(legend.includes(words), `the legend says “${words}”: ${legend}`);
    }
    assert.equal(await page.getAttribute('#map .maplibregl-ctrl-zoom-in', 'title'), 'Zoom avant');
    assert.equal(await page.isChecked('input[data-toggle=rivers]'), false);
    assert.equal(await page.evaluate(() => window.bonifica.map.getLayoutProperty('rivers-line', 'visibility')), 'none');
    // The counters are French too: thousands grouped with a narrow no-break space.
    await waitText(page, '[data-counter=released] .counter-label', 'Zones dangereuses remises à disposition');
    assert.match(await text(page, '[data-counter=released] .counter-value'), /^[\d\u202f]+ sur \d{1,3}(\u202f\d{3})+$/);
    assert.doesNotMatch(await text(page, '.map-side'), UNFILLED);
    assert.equal(await page.evaluate(() => localStorage.getItem('bonifica.lang')), 'fr');
    await page.check('input[data-toggle=rivers]');
    await screenshot(page, 'map-fr');

    // A hazard area's details speak French as well.
    const point = await page.evaluate(() => {
      const { map } = window.bonifica;
      const f = map.queryRenderedFeatures({ layers: ['hazard-areas-dot'] })[0];
      return f ? map.project(f.geometry.coordinates) : null;
    });
    assert.ok(point, 'a hazard area is on screen');
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + point.x, box.y + point.y);
    await page.waitForSelector('#details .record-props tr[data-field=contamination]');
    assert.equal(await text(page, '#details .record-props tr[data-field=contamination] th'), 'Contamination');
    assert.equal(await text(page, '#details tr[data-field=status] th'), 'Statut');
    await page.waitForSelector('#hazard-history h4');
    assert.match(await text(page, '#hazard-history h4'), /^Historique/);

    // The choice is this browser's: a reload keeps it.
    await page.reload();
    await page.waitForSelector('body[data-map-loaded="true"]', { timeout: 120_000 });
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.equal(await text(page, 'nav a[data-page=map]'), 'Carte');
    assert.equal(await text(page, '#legend li[data-legend="legend.blocked"]'), 'bloquée par des zones dangereuses');

    // Other pages follow: the plans page and the reports inbox.
    await page.click('nav a[data-page=plans]');
    await waitText(page, '#plans h2', 'Calculs de plan');
    assert.equal(await page.title(), 'Plans · Bonifica');
    await page.click('nav a[data-page=reports]');
    await waitText(page, '#inbox-tabs button[data-tab=todo]', 'À traiter');
    await page.waitForSelector('#inbox[data-loading="false"]');
    assert.doesNotMatch(await text(page, '#reports'), UNFILLED);

    // Back to English, on the page on show.
    await switchTo(page, 'en');
    await waitText(page, '#inbox-tabs button[data-tab=todo]', 'To do');
    assert.equal(await text(page, 'nav a[data-page=dashboard]'), 'Dashboard');
    await page.click('nav a[data-page=map]');
    await waitText(page, '#legend li[data-legend="legend.sha_open"]', 'SHA (suspected hazardous area), open');
    assert.equal(await page.getAttribute('#map .maplibregl-ctrl-zoom-in', 'title'), 'Zoom in');
    assert.equal(await page.evaluate(() => localStorage.getItem('bonifica.lang')), 'en');

    // The login page has the switch too.
    await switchTo(page, 'fr');
    await page.click('#logout');
    await waitText(page, '#login button[type=submit]', 'Se connecter');
    await switchTo(page, 'en');
    await waitText(page, '#login button[type=submit]', 'Sign in');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

/** A stored plan's name: the one a plan run already saved, else one run here to the end. */
async function storedPlan(page) {
  const stored = (await api(page, 'GET', '/api/plans')).body?.stored ?? [];
  if (stored.length) return stored[0].name;
  const started = await api(page, 'POST', '/api/plans', {});
  assert.ok([200, 201, 202].includes(started.status), JSON.stringify(started.body));
  for (let i = 0; i < 600; i++) {
    const job = (await api(page, 'GET', `/api/plans/${started.body.id}`)).body;
    if (job.state === 'done') return 'base';
    assert.ok(job.state === 'running', `the plan run ended as ${job.state}: ${job.error ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.fail('the plan run did not finish in ten minutes');
}

/**
 * A daily progress report of the team leader's team on an open hazard area, filed, verified
 * and approved through the API; answers what it released and the team's code.
 */
async function approvedDailyProgress(page) {
  const leader = await apiAs('team_leader');
  const candidates = await openAreas(page);
  // From the middle of the list: the reports tests take the largest and smallest areas.
  const ordered = [...candidates.slice(Math.floor(candidates.length / 2)), ...candidates.slice(0, Math.floor(candidates.length / 2))];
  let area;
  let triangle;
  for (const a of ordered) {
    triangle = smallTriangle(a.geometry);
    if (triangle) {
      area = a;
      break;
    }
  }
  assert.ok(area, 'an open hazard area has room for a small triangle');
  const m2 = Math.round(ringAreaM2(triangle) * 10) / 10;
  const filed = await leader('POST', '/api/reports', {
    client_id: crypto.randomUUID(),
    kind: 'daily_progress',
    submit: true,
    date: new Date().toISOString().slice(0, 10),
    hazard_area_id: area.id,
    based_on_version: area.version,
    team_id: leader.user.team_id,
    worked: { type: 'Polygon', coordinates: [triangle] },
    cancelled_m2: 0,
    reduced_m2: 0,
    cleared_m2: m2,
    hours: 5,
    ordnance: [],
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const id = filed.body.id;
  const verified = await (await apiAs('operations_manager'))('POST', `/api/reports/${id}/transitions`, { action: 'verify' });
  assert.equal(verified.status, 200, JSON.stringify(verified.body));
  const approved = await (await apiAs('coordinator'))('POST', `/api/reports/${id}/transitions`, { action: 'approve' });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.report.state, 'approved');
  const team = await leader('GET', `/api/teams/${leader.user.team_id}`);
  assert.equal(team.status, 200, JSON.stringify(team.body));
  return { m2, teamCode: team.body.code };
}

describe('plan against actual on the dashboard', () => {
  test('the stored plan against approved daily progress, per team and per late hazard area, and the learned rates', async () => {
    const { page, errors } = await signIn(browser, 'coordinator', { waitForMap: false });
    const plan = await storedPlan(page);
    const { m2, teamCode } = await approvedDailyProgress(page);

    await page.evaluate(() => (location.hash = '#/dashboard'));
    await page.waitForSelector('#plan-vs-actual[data-state=ready]');
    const asOf = await page.inputValue('#dashboard-as-of');
    const section = await page.$eval('#plan-vs-actual', (el) => ({ ...el.dataset }));
    // Without a plan on show: the latest stored plan, as of today.
    const fromApi = (await api(page, 'GET', `/api/plan-vs-actual?as_of=${asOf}`)).body;
    assert.equal(section.asOf, asOf);
    assert.equal(section.plan, fromApi.plan);
    assert.ok(plan, 'a plan is stored');
    assert.equal(Number(section.plannedM2), fromApi.planned_m2);
    assert.equal(Number(section.actualM2), fromApi.actual_m2);
    assert.ok(fromApi.actual_m2 >= m2 * 0.99, `actual ${fromApi.actual_m2} m² counts the ${m2} m² approved`);

    // Teams, largest shortfall first; the reporting team among them with its approved work.
    const shortfalls = (await page.$$eval('#pva-units tr[data-unit]', (rows) => rows.map((r) => Number(r.dataset.shortfall))));
    assert.ok(shortfalls.length > 0, 'teams are listed');
    assert.deepEqual(shortfalls, [...shortfalls].sort((a, b) => b - a));
    const unit = fromApi.units.find((u) => u.unit_code === teamCode);
    assert.ok(unit && unit.actual_m2 >= m2 * 0.99 && unit.reports >= 1, JSON.stringify(unit));
    // Late hazard areas: those the API says are late, latest first, or a sentence saying there are none.
    const late = fromApi.hazard_areas.filter((a) => a.days_late > 0);
    if (late.length) {
      const days = await page.$$eval('#pva-late tr[data-code]', (rows) => rows.map((r) => Number(r.dataset.daysLate)));
      assert.equal(days.length, Math.min(15, late.length));
      assert.deepEqual(days, [...days].sort((a, b) => b - a));
    } else {
      await page.waitForSelector('#pva-none-late');
    }

    // The learned rates: a factor per method, with the reports behind it, as the API gives them.
    await page.waitForSelector('#learned-rates[data-state=ready]');
    const rates = (await api(page, 'GET', '/api/productivity')).body;
    assert.ok(rates.reports_used >= 1, JSON.stringify(rates));
    assert.equal(await page.getAttribute('#learned-rates', 'data-reports'), String(rates.reports_used));
    for (const [method, effect] of Object.entries(rates.by_method)) {
      const row = `#learned-rates tr[data-method="${method}"]`;
      assert.equal(await page.getAttribute(row, 'data-reports'), String(effect.reports));
      assert.equal(Number(await page.getAttribute(row, 'data-factor')), effect.factor);
    }
    assert.ok(Object.keys(rates.by_method).length >= 1, 'the approved report teaches its team’s method');
    await screenshot(page, 'dashboard-plan-vs-actual');

    // In French, with the same figures.
    await switchTo(page, 'fr');
    await waitText(page, '#plan-vs-actual h3', 'Prévu et réalisé');
    await page.waitForSelector('#plan-vs-actual[data-state=ready]');
    await page.waitForSelector('#learned-rates[data-state=ready]');
    assert.equal(Number(await page.getAttribute('#plan-vs-actual', 'data-actual-m2')), fromApi.actual_m2);
    assert.match(await text(page, '#learned-rates h3'), /Productivité/);
    assert.doesNotMatch(await text(page, '#dashboard'), UNFILLED);
    await switchTo(page, 'en');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('without a stored plan the dashboard says so', async () => {
    const { page, errors } = await signIn(browser, 'coordinator', { waitForMap: false });
    // The server answers 404 when no plan is stored; this region has one by now, so the answer is given here.
    await page.route('**/api/plan-vs-actual*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'stored plan not found' }),
      }),
    );
    await page.evaluate(() => (location.hash = '#/dashboard'));
    await page.waitForSelector('#plan-vs-actual[data-state=no-plan]');
    assert.match(await text(page, '#pva-no-plan'), /No plan is stored yet/);
    // The rest of the dashboard stands.
    await page.waitForSelector('#chart-contracts svg');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
