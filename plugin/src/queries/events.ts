/**
 * What explains a change on a chart: the sidecar's events as annotation layers (one per group, each
 * toggleable), and the status line as the dashboard's first panel. Both read the messages data source
 * (the sidecar), not Prometheus; the Overview page and the Explorer timeline use the same layers.
 */
import { MESSAGES_DATASOURCE_TYPE, MESSAGES_DATASOURCE_UID, type EventGroup } from '@ollama-lens/contracts';

export interface EventLayerDef {
  name: string;
  group: EventGroup;
  /** Grafana colour name of the layer's markers. */
  iconColor: string;
  description: string;
}

export const EVENT_LAYERS: readonly EventLayerDef[] = [
  {
    name: 'Models',
    group: 'models',
    iconColor: 'purple',
    description:
      'Models loaded and unloaded (expired or evicted), cold starts, digests that changed, models created, pulled or deleted.',
  },
  {
    name: 'Ollama',
    group: 'ollama',
    iconColor: 'red',
    description: 'Ollama down and up again (a restart), and version changes.',
  },
  {
    name: 'Sidecar',
    group: 'sidecar',
    iconColor: 'orange',
    description:
      'Sidecar starts (with what changed in its settings), the store dropping records, store threads restarted.',
  },
];

/** Each group's marker colour, wherever the events are drawn (dashboard layers, Overview, Explorer). */
export const EVENT_GROUP_COLORS = Object.fromEntries(EVENT_LAYERS.map((l) => [l.group, l.iconColor])) as Record<
  EventGroup,
  string
>;

/** The data source reference of the events and the status line: the provisioned messages data source. */
export const MESSAGES_DATASOURCE_REF = { type: MESSAGES_DATASOURCE_TYPE, uid: MESSAGES_DATASOURCE_UID } as const;

/** The messages data source query of an annotation layer (plugin/src/datasource, query type `events`). */
export function eventLayerTarget(layer: EventLayerDef): {
  refId: string;
  queryType: 'events';
  eventGroups: EventGroup;
} {
  return { refId: 'Anno', queryType: 'events', eventGroups: layer.group };
}

/** The status line panel, above everything else on the dashboard. */
export const STATUS_PANEL = {
  id: 90,
  title: 'Status',
  description:
    'One line about the state of Ollama, rebuilt every 30 s by the sidecar from every signal (errors, latency and speed against the last hour, queue, offload, GPU and host heat, the store, recent events); phrased by a model when --status-model is set. Green ok, orange warning, red critical.',
  /** Grid rows it takes at the top; every other panel moves down by as much. */
  height: 3,
  target: { refId: 'S', queryType: 'status' as const },
} as const;
