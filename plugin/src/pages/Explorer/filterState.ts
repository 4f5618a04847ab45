import type { SceneObjectUrlValue, SceneObjectUrlValues } from '@grafana/scenes';
import {
  LIST_FILTER_KEYS,
  RANGE_FILTER_KEYS,
  SORTS as SORT_FIELDS,
  TEXT_FILTER_KEYS,
  type ListFilterKey,
  type MessageFilters,
  type RangeFilterKey,
  type SortKey as SortField,
  type SortOrder,
  type TextFilterKey,
} from '@ollama-lens/contracts';
import { FilterError, parseBound, splitList } from '../../api/filters';

/**
 * The Explorer's filter as URL state: the API's own parameter names, lists as repeated keys. Pure
 * functions so the URL round-trip is unit-testable apart from Scenes.
 */
export interface ExplorerFilterValues {
  filters: Omit<MessageFilters, 'from' | 'to'>;
  sort: SortField;
  order: SortOrder;
}

export const DEFAULT_SORT: SortField = 'time';
export const DEFAULT_ORDER: SortOrder = 'desc';

export const URL_KEYS: string[] = [...TEXT_FILTER_KEYS, ...LIST_FILTER_KEYS, ...RANGE_FILTER_KEYS, 'sort', 'order'];

export function emptyFilterValues(): ExplorerFilterValues {
  return { filters: {}, sort: DEFAULT_SORT, order: DEFAULT_ORDER };
}

export function toUrlValues(values: ExplorerFilterValues): SceneObjectUrlValues {
  const out: SceneObjectUrlValues = {};
  const f = values.filters;
  for (const key of TEXT_FILTER_KEYS) {
    out[key] = f[key]?.trim() ? f[key]!.trim() : null;
  }
  for (const key of LIST_FILTER_KEYS) {
    const list = splitList(f[key]);
    out[key] = list.length > 0 ? list : null;
  }
  for (const key of RANGE_FILTER_KEYS) {
    const value = f[key];
    out[key] = value === undefined ? null : String(value);
  }
  out.sort = values.sort === DEFAULT_SORT ? null : values.sort;
  out.order = values.order === DEFAULT_ORDER ? null : values.order;
  return out;
}

function first(value: SceneObjectUrlValue): string | undefined {
  if (Array.isArray(value)) {
    return value[0];
  }
  return value ?? undefined;
}

/**
 * Reads URL values. Keys absent from `values` keep their current value (Scenes passes only changed
 * keys); bad numbers are dropped and reported, never thrown, so a hand-edited URL still opens.
 */
export function fromUrlValues(
  values: SceneObjectUrlValues,
  current: ExplorerFilterValues
): { values: ExplorerFilterValues; problems: string[] } {
  const filters: ExplorerFilterValues['filters'] = { ...current.filters };
  const problems: string[] = [];
  for (const key of TEXT_FILTER_KEYS) {
    if (key in values) {
      const text = first(values[key])?.trim();
      setText(filters, key, text ? text : undefined);
    }
  }
  for (const key of LIST_FILTER_KEYS) {
    if (key in values) {
      const raw = values[key];
      const list = splitList(Array.isArray(raw) ? raw : (raw ?? undefined));
      setList(filters, key, list.length > 0 ? list : undefined);
    }
  }
  for (const key of RANGE_FILTER_KEYS) {
    if (key in values) {
      try {
        setRange(filters, key, parseBound(key, first(values[key])));
      } catch (err) {
        setRange(filters, key, undefined);
        problems.push(err instanceof FilterError ? err.message : String(err));
      }
    }
  }
  let sort = current.sort;
  if ('sort' in values) {
    const raw = first(values.sort);
    if (raw === undefined) {
      sort = DEFAULT_SORT;
    } else if ((SORT_FIELDS as readonly string[]).includes(raw)) {
      sort = raw as SortField;
    } else {
      problems.push(`sort must be one of ${SORT_FIELDS.join(', ')}, got "${raw}"`);
      sort = DEFAULT_SORT;
    }
  }
  let order = current.order;
  if ('order' in values) {
    const raw = first(values.order);
    order = raw === 'asc' ? 'asc' : DEFAULT_ORDER;
    if (raw !== undefined && raw !== 'asc' && raw !== 'desc') {
      problems.push(`order must be asc or desc, got "${raw}"`);
    }
  }
  return { values: { filters, sort, order }, problems };
}

export function setText(filters: ExplorerFilterValues['filters'], key: TextFilterKey, value: string | undefined) {
  if (value === undefined) {
    delete filters[key];
  } else {
    filters[key] = value;
  }
}

export function setList(filters: ExplorerFilterValues['filters'], key: ListFilterKey, value: string[] | undefined) {
  if (value === undefined || value.length === 0) {
    delete filters[key];
  } else {
    filters[key] = value;
  }
}

export function setRange(filters: ExplorerFilterValues['filters'], key: RangeFilterKey, value: number | undefined) {
  if (value === undefined) {
    delete filters[key];
  } else {
    filters[key] = value;
  }
}

/** URL query string of the Explorer for a filter (used by links such as "other messages of this session"). */
export function explorerSearch(
  values: Partial<ExplorerFilterValues['filters']>,
  extra: Record<string, string> = {}
): string {
  const params = new URLSearchParams();
  const url = toUrlValues({ filters: values, sort: DEFAULT_SORT, order: DEFAULT_ORDER });
  for (const [key, value] of Object.entries(url)) {
    if (Array.isArray(value)) {
      value.forEach((v) => params.append(key, v));
    } else if (typeof value === 'string') {
      params.set(key, value);
    }
  }
  for (const [key, value] of Object.entries(extra)) {
    params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
