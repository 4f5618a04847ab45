import React, { useState, type ChangeEvent } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Input, MultiCombobox, type ComboboxOption } from '@grafana/ui';
import {
  BREAKDOWN_DIMENSIONS,
  EVENT_GROUPS,
  RANGE_FILTERS,
  SORTS,
  type EventGroup,
  type BreakdownDimension,
  type RangeFilterKey,
  type SortKey,
} from '@ollama-lens/contracts';
import { FilterError, parseBound, splitList } from '../../api/filters';
import type { MessagesDataSource } from '../datasource';
import {
  QUERY_FILTER_FIELDS,
  QUERY_TYPE_LABELS,
  QUERY_TYPES,
  SERIES,
  type MessagesDataSourceOptions,
  type MessagesQuery,
  type QueryFilterKey,
  type QueryType,
  type SeriesName,
} from '../types';

type Props = QueryEditorProps<MessagesDataSource, MessagesQuery, MessagesDataSourceOptions>;

/** The text filters' query fields (everything but the range bounds). */
type TextField = (typeof QUERY_FILTER_FIELDS)[Exclude<QueryFilterKey, RangeFilterKey>];

const TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = QUERY_TYPES.map((t) => ({
  value: t,
  label: QUERY_TYPE_LABELS[t],
}));
const SORT_OPTIONS: Array<ComboboxOption<SortKey>> = SORTS.map((s) => ({ value: s, label: s }));
const DIMENSION_OPTIONS: Array<ComboboxOption<BreakdownDimension>> = BREAKDOWN_DIMENSIONS.map((d) => ({
  value: d,
  label: d,
}));
const SERIES_OPTIONS: Array<ComboboxOption<SeriesName>> = SERIES.map((s) => ({ value: s, label: s }));
const GROUP_OPTIONS: Array<ComboboxOption<EventGroup>> = EVENT_GROUPS.map((g) => ({ value: g, label: g }));
/** Events and the status line take no message filter. */
const UNFILTERED: readonly QueryType[] = ['events', 'status'];
const ORDER_OPTIONS: Array<ComboboxOption<'asc' | 'desc'>> = [
  { value: 'desc', label: 'descending' },
  { value: 'asc', label: 'ascending' },
];

/**
 * Query editor: the query type, then the same filters as the Explorer. Text filters accept template
 * variables ($model); lists are comma-separated.
 */
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const type = query.queryType ?? 'messages';
  const [numberError, setNumberError] = useState<string | undefined>();

  const update = (patch: Partial<MessagesQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const textInput = (key: TextField, label: string, placeholder: string, width = 24) => (
    <InlineField label={label} labelWidth={14}>
      <Input
        aria-label={label}
        width={width}
        defaultValue={query[key] ?? ''}
        placeholder={placeholder}
        onBlur={(e: ChangeEvent<HTMLInputElement>) => {
          if ((query[key] ?? '') !== e.target.value) {
            update({ [key]: e.target.value || undefined });
          }
        }}
      />
    </InlineField>
  );
  /** A number field: `parse` turns the typed text into a value or throws a FilterError saying why not. */
  const numberInput = (
    key: (typeof QUERY_FILTER_FIELDS)[RangeFilterKey] | 'limit',
    label: string,
    parse: (raw: string) => number | undefined,
    step: 1 | 'any' = 1
  ) => (
    <InlineField label={label} labelWidth={14} invalid={numberError?.startsWith(label)} error={numberError}>
      <Input
        aria-label={label}
        width={10}
        type="number"
        min={0}
        step={step}
        defaultValue={query[key] ?? ''}
        onBlur={(e: ChangeEvent<HTMLInputElement>) => {
          let value: number | undefined;
          try {
            value = parse(e.target.value);
          } catch (err) {
            setNumberError(`${label}: ${err instanceof FilterError ? err.message : String(err)}`);
            return;
          }
          setNumberError(undefined);
          if (value !== query[key]) {
            update({ [key]: value });
          }
        }}
      />
    </InlineField>
  );
  /** A range bound, checked by the contract's rule for it (whole token counts, fractional latency). */
  const boundInput = (key: RangeFilterKey, label: string) =>
    numberInput(
      QUERY_FILTER_FIELDS[key],
      label,
      (raw) => parseBound(key, raw, QUERY_FILTER_FIELDS[key]),
      RANGE_FILTERS[key].whole ? 1 : 'any'
    );
  const parseLimit = (raw: string): number | undefined => {
    const text = raw.trim();
    if (text === '') {
      return undefined;
    }
    if (!/^\d+$/.test(text)) {
      throw new FilterError('enter a whole number ≥ 0');
    }
    // The data source keeps the page size within PAGE_LIMIT.
    return Number(text);
  };

  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={14}>
          <Combobox<QueryType>
            options={TYPE_OPTIONS}
            value={type}
            width={32}
            onChange={(o) => update({ queryType: o.value })}
          />
        </InlineField>
        {type === 'breakdown' && (
          <InlineField label="By" labelWidth={6}>
            <Combobox<BreakdownDimension>
              options={DIMENSION_OPTIONS}
              value={query.dimension ?? 'model'}
              width={16}
              onChange={(o) => update({ dimension: o.value })}
            />
          </InlineField>
        )}
        {type === 'aggregations' && (
          <InlineField label="Series" labelWidth={8} tooltip="Empty: all series">
            <MultiCombobox<SeriesName>
              options={SERIES_OPTIONS}
              value={query.series ?? []}
              width="auto"
              minWidth={24}
              onChange={(opts) => update({ series: opts.map((o) => o.value) })}
            />
          </InlineField>
        )}
        {type === 'events' && (
          <InlineField
            label="Groups"
            labelWidth={8}
            tooltip="The annotation layers: models, ollama, sidecar. Empty: all"
          >
            <MultiCombobox<EventGroup>
              options={GROUP_OPTIONS}
              value={splitList(query.eventGroups) as EventGroup[]}
              width="auto"
              minWidth={24}
              onChange={(opts) => update({ eventGroups: opts.map((o) => o.value).join(',') || undefined })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {!UNFILTERED.includes(type) && (
        <>
          <InlineFieldRow>
            {textInput('search', 'Search', 'full text in prompt and response', 36)}
            {textInput('models', 'Models', 'llama3.2, $model')}
            {textInput('statuses', 'Statuses', 'success, error')}
          </InlineFieldRow>
          <InlineFieldRow>
            {textInput('categories', 'Categories', 'code, chat')}
            {textInput('user', 'User', '$user')}
            {textInput('session', 'Session', 'session id')}
            {textInput('endpoint', 'Endpoint', '/api/chat')}
          </InlineFieldRow>
          <InlineFieldRow>
            {textInput('hosts', 'Servers', 'sidecar instance names, $host')}
            {textInput('origins', 'Origin', 'playground')}
          </InlineFieldRow>
          <InlineFieldRow>
            {boundInput('min_input_tokens', 'Min in tokens')}
            {boundInput('max_input_tokens', 'Max in tokens')}
            {boundInput('min_output_tokens', 'Min out tokens')}
            {boundInput('max_output_tokens', 'Max out tokens')}
            {boundInput('min_latency_ms', 'Min latency ms')}
            {boundInput('max_latency_ms', 'Max latency ms')}
          </InlineFieldRow>
        </>
      )}
      {type === 'messages' && (
        <InlineFieldRow>
          <InlineField label="Sort by" labelWidth={14}>
            <Combobox<SortKey>
              options={SORT_OPTIONS}
              value={query.sort ?? 'time'}
              width={20}
              onChange={(o) => update({ sort: o.value })}
            />
          </InlineField>
          <InlineField label="Order" labelWidth={8}>
            <Combobox<'asc' | 'desc'>
              options={ORDER_OPTIONS}
              value={query.order ?? 'desc'}
              width={16}
              onChange={(o) => update({ order: o.value })}
            />
          </InlineField>
          {numberInput('limit', 'Limit', parseLimit)}
        </InlineFieldRow>
      )}
    </div>
  );
}
