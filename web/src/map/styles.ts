// How each layer looks: colours by classification and status for hazard areas, by state
// for assets; the legend is built from the same tables so it cannot drift from the map.

import type { ExpressionSpecification } from 'maplibre-gl';
import type { Key } from '../messages';

export const COLOURS = {
  background: '#eef0ea',
  region: '#ffffff',
  regionLine: '#6b6f66',
  river: '#7fb2d9',
  settlement: '#5a5a5a',
  sha: '#f0a202',
  cha: '#d7301f',
  workedOn: '#8e44ad',
  closed: '#41ab5d',
  handedOver: '#2b8cbe',
  damaged: '#e6550d',
  blocked: '#a50f15',
  inRepair: '#fdae6b',
  restored: '#238b45',
  intact: '#9a9a9a',
  team: '#3f007d',
  crew: '#08519c',
};

/** Legend rows of hazard areas: the label's message and the swatch colour. */
export const HAZARD_LEGEND: [Key, string][] = [
  ['legend.sha_open', COLOURS.sha],
  ['legend.cha_open', COLOURS.cha],
  ['legend.worked_on', COLOURS.workedOn],
  ['legend.closed', COLOURS.closed],
  ['legend.handed_over', COLOURS.handedOver],
];

/** Legend rows of assets by state. */
export const ASSET_LEGEND: [Key, string][] = [
  ['legend.damaged', COLOURS.damaged],
  ['legend.blocked', COLOURS.blocked],
  ['legend.in_repair', COLOURS.inRepair],
  ['legend.restored', COLOURS.restored],
  ['legend.undamaged', COLOURS.intact],
];

/** Legend rows of teams and crews: filled where they work, a ring at their base. */
export const UNIT_LEGEND: [Key, string, boolean][] = [
  ['legend.team_task', COLOURS.team, true],
  ['legend.team_base', COLOURS.team, false],
  ['legend.crew_task', COLOURS.crew, true],
  ['legend.crew_base', COLOURS.crew, false],
];

/**
 * How a team or crew is drawn: a filled dot at the site of its current or next task in the
 * base plan (else the newest stored plan) (`placed_at: task`), a ring at its base otherwise.
 */
export function unitPaint(colour: string) {
  const atTask: ExpressionSpecification = ['==', ['get', 'placed_at'], 'task'];
  return {
    'circle-color': ['case', atTask, colour, '#ffffff'] as ExpressionSpecification,
    'circle-radius': 5,
    'circle-stroke-color': ['case', atTask, '#ffffff', colour] as ExpressionSpecification,
    'circle-stroke-width': ['case', atTask, 1.5, 2.5] as ExpressionSpecification,
  };
}

/**
 * The day (offset from the plan's start) the map shows; `released_day` and
 * `restored_day`/`repair_day` are written into the features when a plan is loaded.
 * Without a plan the day is -1 and those properties are absent, so the recorded state shows.
 */
function releasedBy(day: number): ExpressionSpecification {
  return ['all', ['has', 'released_day'], ['<=', ['get', 'released_day'], day]];
}

/** Fill colour of hazard areas on `day`. */
export function hazardColour(day: number): ExpressionSpecification {
  return [
    'case',
    releasedBy(day),
    COLOURS.closed,
    ['==', ['get', 'status'], 'handed_over'],
    COLOURS.handedOver,
    ['==', ['get', 'status'], 'closed'],
    COLOURS.closed,
    ['==', ['get', 'status'], 'worked_on'],
    COLOURS.workedOn,
    ['==', ['get', 'classification'], 'CHA'],
    COLOURS.cha,
    COLOURS.sha,
  ];
}

/** Colour of assets on `day`: restored, in repair, blocked, damaged or undamaged. */
export function assetColour(day: number): ExpressionSpecification {
  return [
    'case',
    ['any', ['==', ['get', 'restored'], true], ['all', ['has', 'restored_day'], ['<=', ['get', 'restored_day'], day]]],
    COLOURS.restored,
    ['all', ['has', 'repair_day'], ['<=', ['get', 'repair_day'], day]],
    COLOURS.inRepair,
    ['all', ['==', ['get', 'blocked'], true], ['!', ['all', ['has', 'unblocked_day'], ['<=', ['get', 'unblocked_day'], day]]]],
    COLOURS.blocked,
    ['any', ['!', ['has', 'damage']], ['==', ['get', 'damage'], 'undamaged']],
    COLOURS.intact,
    COLOURS.damaged,
  ];
}

/** Line width of linear assets by kind: rail and roads heavier than power lines. */
export const ASSET_LINE_WIDTH: ExpressionSpecification = [
  'interpolate',
  ['linear'],
  ['zoom'],
  6,
  ['match', ['get', 'kind'], 'railway_segment', 1.6, 'road_segment', 1.3, 0.8],
  12,
  ['match', ['get', 'kind'], 'railway_segment', 4, 'road_segment', 3.5, 2],
];
