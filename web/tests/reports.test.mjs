// Browser tests of the daily loop against a running `bonifica serve` (see scripts/test-web):
// a team leader files a daily progress report on a phone-sized screen, drawing the land
// worked on the map; the operations manager verifies it; the coordinator approves it, and
// the hazard area shrinks on the register and on the map. Then the phone loses its network:
// the report waits in the outbox and goes out, once, when the network is back; the server's
// field problems show beside the fields; a rejection needs a comment, and the team leader
// corrects the rejected report and submits it again.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, apiAs, fitsInside, inside, items, launch, openAreas, outer, screenshot, signIn, smallTriangle } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  assert.deepEqual(browser?.outside ?? [], [], 'the app must not fetch anything from outside the server');
});

// ---- A polygon inside a hazard area ------------------------------------------------------------

/**
 * About half of a hazard area: its centre and the corners of the outline north of it (in
 * ring order), pulled a little towards the centre so that clicks a pixel off stay inside.
 * `null` when that polygon would not lie inside the outline.
 */
function northHalf(geometry, pull = 0.94) {
  const ring = outer(geometry);
  const corners = ring.slice(0, -1);
  const c = [corners.reduce((s, p) => s + p[0], 0) / corners.length, corners.reduce((s, p) => s + p[1], 0) / corners.length];
  const north = corners.map((p, i) => [p, i]).filter(([p]) => p[1] > c[1]);
  if (north.length < 3) return null;
  // The corners north of the centre, starting after the first corner south of it, so that they run in one piece.
  const firstSouth = corners.findIndex((p) => p[1] <= c[1]);
  const ordered = [...corners.slice(firstSouth), ...corners.slice(0, firstSouth)].filter((p) => p[1] > c[1]);
  const towards = (p) => [c[0] + (p[0] - c[0]) * pull, c[1] + (p[1] - c[1]) * pull];
  const worked = [c, ...ordered.map(towards), c];
  if (!fitsInside(worked, ring)) return null;
  // A point well inside the worked land, and one in the half that stays hazardous.
  const mid = Math.floor(ordered.length / 2);
  const [p1, p2] = [towards(ordered[mid - 1]), towards(ordered[mid])];
  const inWorked = [(c[0] + p1[0] + p2[0]) / 3, (c[1] + p1[1] + p2[1]) / 3];
  const south = corners.filter((p) => p[1] < c[1]);
  const s = south[Math.floor(south.length / 2)];
  const inRest = [c[0] + (s[0] - c[0]) * 0.5, c[1] + (s[1] - c[1]) * 0.5];
  if (!inside(inWorked, worked) || !inside(inRest, ring) || inside(inRest, worked)) return null;
  return { worked, inWorked, inRest };
}

// ---- Steps ------------------------------------------------------------------------------------

/** Opens the report form on the phone and chooses the hazard area by its code. */
async function openForm(page, area) {
  await page.setViewportSize(PHONE);
  await page.evaluate(() => (location.hash = '#/reports/new'));
  await page.waitForSelector('#report-form');
  await page.waitForSelector('#report-map[data-ready="true"]', { timeout: 60_000 });
  assert.equal(await page.inputValue('#r-kind'), 'daily_progress');
  assert.match(await page.inputValue('#r-date'), /^\d{4}-\d{2}-\d{2}$/, 'the date defaults to today');
  await page.fill('#r-hazard', area.code);
  await page.locator('#r-hazard').dispatchEvent('change');
  await page.waitForSelector(`#r-hazard-info[data-version="${area.version}"]`);
}

/** Draws `ring` (closed) on the form's map by clicking its corners, then Finish. */
async function drawOnMap(page, ring) {
  await page.click('#r-draw');
  // The map at the top of the screen, clear of the sticky buttons at the bottom.
  await page.evaluate(() => document.querySelector('#report-map').scrollIntoView({ block: 'start' }));
  await page.waitForFunction(() => !window.bonificaReportMap.isMoving());
  const box = await page.locator('#report-map canvas').boundingBox();
  const points = await page.evaluate((corners) => corners.map((c) => window.bonificaReportMap.project(c)).map((p) => [p.x, p.y]), ring.slice(0, -1));
  for (const [x, y] of points) {
    assert.ok(x > 0 && y > 0 && x < box.width && y < box.height, `corner (${x}, ${y}) is on the map (${box.width}×${box.height})`);
    await page.mouse.click(box.x + x, box.y + y);
  }
  await page.click('#r-finish');
  await page.waitForSelector('#report-form[data-polygon="true"]');
}

/** Signs in as `role`, opens a report from the inbox's first tab and waits for its detail. */
async function openFromInbox(role, reportId, { shot, phone } = {}) {
  const { page, errors } = await signIn(browser, role, { waitForMap: false });
  if (phone) await page.setViewportSize(PHONE);
  await page.evaluate(() => sessionStorage.removeItem('bonifica.inbox.tab'));
  await page.evaluate(() => (location.hash = '#/reports'));
  await page.waitForSelector('#inbox[data-loading="false"]');
  // The first tab is what this role has to do, and the report is there.
  assert.equal(await page.getAttribute('#inbox-tabs button.active', 'data-tab'), 'todo');
  await page.waitForSelector(`#inbox tr[data-id="${reportId}"]`);
  if (shot) await screenshot(page, shot);
  await page.click(`#inbox tr[data-id="${reportId}"] a`);
  await page.waitForSelector(`#report-detail[data-id="${reportId}"]`);
  return { page, errors };
}

// ---- Tests ------------------------------------------------------------------------------------

describe('the daily loop in the browser', () => {
  let area;
  let reportId;
  let shape;

  test('a team leader files a daily progress report on a phone, drawing the land worked', async () => {
    const { page, errors } = await signIn(browser, 'team_leader', { waitForMap: false });
    const candidates = await openAreas(page);
    for (const a of candidates) {
      shape = northHalf(a.geometry);
      if (shape) {
        area = a;
        break;
      }
    }
    assert.ok(area, `an open hazard area has a northern half that fits inside it (${candidates.length} open areas)`);

    await openForm(page, area);
    await drawOnMap(page, shape.worked);

    // The outcome areas are prefilled from the drawn polygon: all cleared, to be split by the team leader.
    const drawn = Number(await page.getAttribute('#r-polygon-area', 'data-m2'));
    assert.ok(drawn > area.area_m2 * 0.25 && drawn < area.area_m2 * 0.6, `drawn ${drawn} m² of ${area.area_m2} m²`);
    assert.ok(Math.abs(Number(await page.inputValue('#r-cleared_m2')) - drawn) < 1);
    assert.equal(await page.inputValue('#r-cancelled_m2'), '0');
    // A fifth of it turned out free of evidence: reduced.
    const reduced = Math.round(drawn * 0.2);
    await page.fill('#r-reduced_m2', String(reduced));
    await page.fill('#r-cleared_m2', String(Math.round(drawn - reduced)));
    await page.fill('#r-hours', '6.5');
    await page.click('#r-add-ordnance');
    await page.selectOption('#r-ordnance-0-category', 'ap_mine');
    await page.fill('#r-ordnance-0-count', '2');
    await page.selectOption('#r-ordnance-0-disposal', 'destroyed_in_situ');
    await page.evaluate(() => document.querySelector('#report-form').scrollIntoView({ block: 'start' }));
    await screenshot(page, 'report-form-phone');

    const posted = page.waitForResponse((r) => r.url().endsWith('/api/reports') && r.request().method() === 'POST');
    await page.click('#r-submit');
    const response = await posted;
    assert.ok([200, 201].includes(response.status()), `filed: HTTP ${response.status()} ${await response.text()}`);
    const sent = response.request().postDataJSON();
    assert.equal(sent.kind, 'daily_progress');
    assert.equal(sent.submit, true);
    assert.equal(sent.based_on_version, area.version);
    assert.match(sent.client_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(sent.ordnance, [{ category: 'ap_mine', count: 2, disposal: 'destroyed_in_situ' }]);
    const report = await response.json();
    assert.equal(report.state, 'submitted');
    reportId = report.id;
    await page.waitForSelector('#r-done #r-open-filed');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the operations manager verifies it from their inbox', async () => {
    assert.ok(reportId, 'the report above was filed');
    const { page, errors } = await openFromInbox('operations_manager', reportId);
    assert.equal(await page.getAttribute('#report-state .state', 'data-state'), 'submitted');
    // The worked polygon is on the report's map.
    await page.waitForSelector('#report-detail-map[data-ready="true"]');
    await page.click('#act-verify');
    await page.waitForSelector('#report-detail[data-state="verified"]');
    assert.equal(await page.locator('#report-transitions li').count(), 2);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the coordinator approves it; the hazard area shrinks on the register and on the map', async () => {
    assert.ok(reportId, 'the report above was filed');
    const { page, errors } = await openFromInbox('coordinator', reportId, { shot: 'reports-inbox' });
    await page.fill('#r-comment', 'Checked against the marking on the ground.');
    await page.click('#act-approve');
    await page.waitForSelector('#approval-effect #effect-hazard');
    assert.equal(await page.getAttribute('#report-detail', 'data-state'), 'approved');
    const released = Number(await page.getAttribute('#effect-released', 'data-m2'));
    const transitions = await page.locator('#report-transitions li').allTextContents();
    assert.equal(transitions.length, 3);
    assert.match(transitions[2], /Checked against the marking/);
    await screenshot(page, 'report-approved');

    // The register: smaller by the released land, one version on.
    const after = (await api(page, 'GET', `/api/hazard-areas/${area.id}`)).body;
    assert.ok(after.area_m2 < area.area_m2, `area ${after.area_m2} m² < ${area.area_m2} m²`);
    assert.ok(after.version > area.version, `version ${after.version} > ${area.version}`);
    assert.ok(Math.abs(area.area_m2 - after.area_m2 - released) < Math.max(1, released * 0.01), `shrank by the ${released} m² released`);
    assert.equal(after.status, 'worked_on');

    // The map's layer has the smaller polygon, and draws it: the worked land is no longer part of the area.
    const layer = (await api(page, 'GET', '/api/map/hazard-areas')).body;
    const feature = layer.features.find((f) => f.properties.id === area.id);
    assert.ok(Math.abs(feature.properties.area_m2 - after.area_m2) <= 1, `map layer ${feature.properties.area_m2} m²`);
    await page.evaluate(() => (location.hash = '#/map'));
    await page.waitForSelector('body[data-map-loaded="true"]', { timeout: 120_000 });
    await page.waitForFunction(
      ({ id, m2 }) => window.bonifica.data['hazard-areas']?.features.some((f) => f.properties.id === id && Math.abs(f.properties.area_m2 - m2) <= 1),
      { id: area.id, m2: after.area_m2 },
    );
    for (const toggle of ['roads', 'rail', 'power', 'assets', 'teams', 'crews', 'settlements']) await page.uncheck(`input[data-toggle=${toggle}]`);
    const hits = await page.evaluate(
      async ({ id, geometry, points }) => {
        const { map } = window.bonifica;
        const ring = geometry.type === 'MultiPolygon' ? geometry.coordinates[0][0] : geometry.coordinates[0];
        const xs = ring.map((p) => p[0]);
        const ys = ring.map((p) => p[1]);
        map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 40, animate: false });
        await new Promise((resolve) => map.once('idle', resolve));
        return points.map((p) => map.queryRenderedFeatures(map.project(p), { layers: ['hazard-areas-fill'] }).some((f) => f.properties.id === id));
      },
      { id: area.id, geometry: area.geometry, points: [shape.inWorked, shape.inRest] },
    );
    assert.deepEqual(hits, [false, true], 'the released land is no longer drawn as hazardous; the rest still is');

    // The area's history lists the earlier version and the released land.
    const box = await page.locator('#map canvas').boundingBox();
    const at = await page.evaluate((p) => window.bonifica.map.project(p), shape.inRest);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.waitForSelector('#hazard-history ol.versions li');
    const versions = await page.locator('#hazard-history ol.versions li').count();
    assert.ok(versions >= 2, `the history has ${versions} versions`);
    await screenshot(page, 'hazard-history');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('offline filing, validation and rejection', () => {
  test('a report filed without network waits in the outbox and goes out once when the network is back', async () => {
    const { page, errors } = await signIn(browser, 'team_leader', { waitForMap: false });
    const candidates = await openAreas(page);
    let area;
    let triangle;
    for (const a of candidates.slice().reverse()) {
      triangle = smallTriangle(a.geometry);
      if (triangle) {
        area = a;
        break;
      }
    }
    assert.ok(area, 'an open hazard area has room for a small triangle');
    await openForm(page, area);
    // The form also takes a polygon pasted as GeoJSON (a GPS track, say).
    await page.click('#r-paste summary');
    await page.fill('#r-geojson', JSON.stringify({ type: 'Polygon', coordinates: [triangle] }));
    await page.click('#r-use-geojson');
    await page.waitForSelector('#report-form[data-polygon="true"]');
    await page.fill('#r-hours', '2');

    // Outcome areas far from the polygon's: the server's problem shows beside the polygon.
    await page.fill('#r-cleared_m2', '1');
    assert.equal(await page.getAttribute('#r-split', 'class'), 'error', 'the form warns before sending');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/reports') && r.request().method() === 'POST');
    await page.click('#r-submit');
    const answer = await refused;
    assert.ok(answer.status() >= 400 && answer.status() < 500, `refused: HTTP ${answer.status()}`);
    await page.waitForSelector('#r-polygon [data-error-for="polygon"]:not(:empty)');
    assert.match(await page.textContent('#r-polygon [data-error-for="polygon"]'), /m²/);

    // Corrected, and sent with no network: it waits on the phone.
    const drawn = Number(await page.getAttribute('#r-polygon-area', 'data-m2'));
    await page.fill('#r-cleared_m2', String(Math.round(drawn)));
    await browser.context.setOffline(true);
    try {
      await page.click('#r-submit');
      await page.waitForSelector('#r-queued');
      await page.waitForSelector('#outbox[data-count="1"]');
    } finally {
      await browser.context.setOffline(false);
    }
    const waiting = await page.evaluate(() => JSON.parse(localStorage.getItem('bonifica.outbox')));
    assert.equal(waiting.length, 1);
    const clientId = waiting[0].client_id;

    // Back online, it goes out by itself, and the outbox empties.
    await page.waitForSelector('#outbox[data-count="0"]', { state: 'attached', timeout: 30_000 });
    const mine = items((await api(page, 'GET', `/api/reports?hazard_area=${area.id}&page_size=100`)).body).filter((r) => r.client_id === clientId);
    assert.equal(mine.length, 1, 'one report for the client id');
    assert.equal(mine[0].state, 'submitted');

    // Sent again with the same client id (a phone that never heard the answer), it is still one report.
    const again = await api(page, 'POST', '/api/reports', waiting[0].report);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.id, mine[0].id);
    assert.deepEqual(errors, []);
    await page.close();

    // The operations manager rejects it: not without a comment.
    const om = await openFromInbox('operations_manager', mine[0].id);
    await om.page.click('#act-reject');
    await om.page.waitForSelector('#action-error:not(:empty)');
    assert.equal(await om.page.getAttribute('#report-detail', 'data-state'), 'submitted');
    await om.page.fill('#r-comment', 'The polygon is not where the team worked; redraw it.');
    await om.page.click('#act-reject');
    await om.page.waitForSelector('#report-detail[data-state="rejected"]');
    assert.deepEqual(om.errors, []);
    await om.page.close();

    // Back in the team leader's inbox, to do, with the comment; revised, corrected and submitted again.
    const tl = await openFromInbox('team_leader', mine[0].id, { shot: 'reports-inbox-phone', phone: true });
    assert.match(await tl.page.textContent('#report-transitions'), /redraw it/);
    await tl.page.click('#act-revise');
    await tl.page.waitForSelector('#report-detail[data-state="draft"]');
    await tl.page.click('#edit-draft');
    await tl.page.waitForSelector('#report-edit #report-form[data-polygon="true"]');
    await tl.page.waitForSelector(`#r-hazard-info[data-version="${area.version}"]`);
    assert.equal(await tl.page.inputValue('#r-hours'), '2');
    assert.ok(await tl.page.isDisabled('#r-kind'), 'a draft keeps its kind');
    await tl.page.fill('#r-hours', '3');
    const put = tl.page.waitForResponse((r) => r.request().method() === 'PUT');
    await tl.page.click('#r-submit');
    assert.equal((await put).status(), 200);
    await tl.page.waitForSelector(`#report-detail[data-id="${mine[0].id}"][data-state="submitted"]`);
    const corrected = (await api(tl.page, 'GET', `/api/reports/${mine[0].id}`)).body;
    assert.equal(corrected.body.hours, 3);
    assert.equal(corrected.client_id, clientId);
    assert.deepEqual(corrected.transitions.map((s) => s.action), ['submit', 'reject', 'revise', 'submit']);
    assert.deepEqual(tl.errors, []);
    await tl.page.close();
  });
});

describe('a hazard area changed while the team leader was reporting', () => {
  test('the report is refused with what changed, and filed against the current version', async () => {
    const { page, errors } = await signIn(browser, 'team_leader', { waitForMap: false });
    let area;
    let triangle;
    for (const a of await openAreas(page)) {
      triangle = smallTriangle(a.geometry);
      if (triangle) {
        area = a;
        break;
      }
    }
    assert.ok(area, 'an open hazard area has room for a small triangle');
    await openForm(page, area);
    await page.click('#r-paste summary');
    await page.fill('#r-geojson', JSON.stringify({ type: 'Polygon', coordinates: [triangle] }));
    await page.click('#r-use-geojson');
    await page.fill('#r-hours', '1');

    // Meanwhile the coordinator records new evidence on the area.
    const coordinator = await apiAs('coordinator');
    const record = (await coordinator('GET', `/api/hazard-areas/${area.id}`)).body;
    const edit = {
      code: record.code,
      region_id: record.region_id,
      organisation: record.organisation_id ?? undefined,
      geometry: record.geometry,
      contamination: record.contamination,
      density_per_ha: record.density_per_ha,
      terrain: record.terrain,
      vegetation: record.vegetation,
      clearance_depth_cm: record.clearance_depth_cm,
      evidence: `${record.evidence} (two more items seen ${Date.now()})`,
      restricted: record.restricted,
      as_of: record.as_of,
    };
    const changed = await coordinator('PUT', `/api/hazard-areas/${area.id}`, edit, { 'If-Match': `"${record.version}"` });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));

    // Filed against the version seen: refused, saying what changed, and the form shows the current version.
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/reports') && r.request().method() === 'POST');
    await page.click('#r-submit');
    assert.equal((await refused).status(), 409);
    await page.waitForSelector(`#r-hazard-info[data-version="${record.version + 1}"]`);
    await page.waitForSelector('[data-error-for="hazard_area_id"]:not(:empty)');
    assert.match(await page.textContent('[data-error-for="hazard_area_id"]'), /Evidence/);

    // Looked at again and sent: filed against the current version.
    const filed = page.waitForResponse((r) => r.url().endsWith('/api/reports') && r.request().method() === 'POST');
    await page.click('#r-submit');
    const response = await filed;
    assert.equal(response.status(), 201, await response.text());
    assert.equal(response.request().postDataJSON().based_on_version, record.version + 1);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('inbox pages', () => {
  test('the inbox reads more pages by key on "Show more"', async () => {
    const { page, errors } = await signIn(browser, 'coordinator', { waitForMap: false });
    const total = (await api(page, 'GET', '/api/reports?page_size=1')).body.total;
    assert.ok(total >= 3, `the tests above filed reports the coordinator sees (${total})`);
    // Pages of one report instead of 200, so that a handful of reports makes several pages.
    await page.route('**/api/reports?*', (route) => {
      const url = route.request().url();
      return route.continue({ url: url.replace(/page_size=200\b/, 'page_size=1') });
    });
    await page.click('header.top nav a[data-page=reports]');
    await page.click('#inbox-tabs button[data-tab=all]');
    await page.waitForSelector('#inbox table.inbox tbody tr');
    assert.equal(await page.locator('#inbox table.inbox tbody tr').count(), 1);
    const seen = [];
    for (let shown = 1; shown < total; shown++) {
      await page.click('#inbox-more');
      await page.waitForFunction((n) => document.querySelectorAll('#inbox table.inbox tbody tr').length === n, shown + 1);
    }
    for (const row of await page.locator('#inbox table.inbox tbody tr').all()) seen.push(await row.getAttribute('data-id'));
    assert.equal(new Set(seen).size, total, 'every report once');
    assert.equal(await page.$('#inbox-more'), null, 'no more pages');
    const created = (await api(page, 'GET', `/api/reports?page_size=${total}`)).body.items.map((r) => r.id);
    assert.deepEqual(seen, created, 'newest first, as the server orders them');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('audit log', () => {
  test('the coordinator reads the chain, keeps its anchor and checks it; a viewer has no audit page', async () => {
    const { page, errors } = await signIn(browser, 'coordinator', { waitForMap: false });
    const audit = (await api(page, 'GET', '/api/audit?limit=1')).body;
    assert.ok(audit.total > 0, 'the reports filed above are audited');
    await page.click('header.top nav a[data-page=audit]');
    await page.waitForSelector('#audit-status[data-state=intact]');
    assert.ok(Number(await page.getAttribute('#audit-status', 'data-total')) >= audit.total);
    const newest = Number(await page.getAttribute('table.audit tbody tr:first-child', 'data-seq'));
    const total = Number(await page.getAttribute('#audit-status', 'data-total'));
    assert.equal(newest, total, 'newest first');
    const anchor = await page.inputValue('#audit-anchor');
    assert.match(anchor, new RegExp(`^${total}:[0-9a-f]{64}$`));
    await page.click('table.audit tbody tr:first-child summary');
    await page.waitForSelector('table.audit tbody tr:first-child pre.json');
    await screenshot(page, 'audit');

    // The anchor just read holds; one with another hash does not, and the page says why.
    await page.fill('#audit-check-input', anchor);
    await page.click('#audit-check button[type=submit]');
    await page.waitForSelector('#audit-check-result[data-state=held]');
    await page.fill('#audit-check-input', `${total}:${'0'.repeat(64)}`);
    await page.click('#audit-check button[type=submit]');
    await page.waitForSelector('#audit-check-result[data-state=not-held]');
    assert.match(await page.textContent('#audit-check-result'), /rewritten/);
    if (total > 50) {
      await page.click('#audit-older');
      await page.waitForFunction((t) => Number(document.querySelector('table.audit tbody tr:first-child')?.dataset.seq) === t - 50, total);
    }
    assert.deepEqual(errors, []);
    await page.close();

    const viewer = await signIn(browser, 'viewer', { waitForMap: false });
    assert.equal(await viewer.page.$('header.top nav a[data-page=audit]'), null, 'no audit page for a viewer');
    await viewer.page.close();
  });
});
