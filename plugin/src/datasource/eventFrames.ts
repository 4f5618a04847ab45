import { createDataFrame, FieldColorModeId, FieldType, type DataFrame } from '@grafana/data';
import { EVENT_TYPE_GROUPS, type EventDetail, type LensEvent, type StatusLine } from '@ollama-lens/contracts';
import { EVENT_GROUP_COLORS } from '../queries/events';

/**
 * Events → an annotation frame (the fields Grafana's annotation processing reads: time, title, text,
 * tags), and the status line → a one-row frame for a stat panel. Pure, like frames.ts.
 */

/** How an event reads on a chart, in a few words. */
export const EVENT_TITLES: Record<LensEvent['type'], string> = {
  model_loaded: 'Model loaded',
  model_unloaded: 'Model unloaded',
  cold_start: 'Cold start',
  model_added: 'Model added',
  model_removed: 'Model removed',
  model_digest_changed: 'Model changed (new digest)',
  model_created: 'Model created',
  model_pulled: 'Model pulled',
  model_pushed: 'Model pushed',
  model_deleted: 'Model deleted',
  model_copied: 'Model copied',
  ollama_down: 'Ollama down',
  ollama_up: 'Ollama up',
  ollama_version_changed: 'Ollama version changed',
  sidecar_started: 'Sidecar started',
  store_dropping: 'Store dropping records',
  thread_restarted: 'Store thread restarted',
};

function detailText(details: Record<string, EventDetail>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${String(v)}`)
    .join(', ');
}

export function eventsFrame(refId: string, events: readonly LensEvent[]): DataFrame {
  return createDataFrame({
    refId,
    name: 'events',
    fields: [
      { name: 'time', type: FieldType.time, values: events.map((e) => e.at) },
      {
        name: 'title',
        type: FieldType.string,
        values: events.map((e) => (e.model ? `${EVENT_TITLES[e.type]}: ${e.model}` : EVENT_TITLES[e.type])),
      },
      { name: 'text', type: FieldType.string, values: events.map((e) => detailText(e.details)) },
      {
        name: 'tags',
        type: FieldType.other,
        values: events.map((e) => [EVENT_TYPE_GROUPS[e.type], e.type, ...(e.model ? [e.model] : [])]),
      },
      {
        name: 'color',
        type: FieldType.string,
        values: events.map((e) => EVENT_GROUP_COLORS[EVENT_TYPE_GROUPS[e.type]]),
      },
      { name: 'type', type: FieldType.string, values: events.map((e) => e.type) },
      { name: 'model', type: FieldType.string, values: events.map((e) => e.model) },
    ],
  });
}

/** The level as a number (ok 0, warning 1, critical 2), for thresholds and sorting. */
export const STATUS_LEVEL_VALUE = { ok: 0, warning: 1, critical: 2 } as const;
/** The line's own colour, so a stat panel showing the text is coloured by the level. */
export const STATUS_LEVEL_COLOR = { ok: 'green', warning: 'orange', critical: 'red' } as const;

export function statusFrame(refId: string, status: StatusLine): DataFrame {
  return createDataFrame({
    refId,
    name: 'status',
    fields: [
      { name: 'time', type: FieldType.time, values: [status.at] },
      {
        name: 'status',
        type: FieldType.string,
        values: [status.line],
        config: { color: { mode: FieldColorModeId.Fixed, fixedColor: STATUS_LEVEL_COLOR[status.level] } },
      },
      { name: 'level', type: FieldType.number, values: [STATUS_LEVEL_VALUE[status.level]] },
      { name: 'source', type: FieldType.string, values: [status.source] },
    ],
  });
}
