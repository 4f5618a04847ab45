import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { SceneObjectBase, type SceneComponentProps, type SceneObjectState } from '@grafana/scenes';
import {
  Alert,
  Badge,
  Button,
  Icon,
  LoadingBar,
  RadioButtonGroup,
  Stack,
  useStyles2,
  type BadgeColor,
} from '@grafana/ui';
import type { MessageSummary, RequestStatus, SortField } from '../../api/types';
import { formatCost, formatDuration, formatTime, formatTokens } from '../../utils/format';
import type { ExplorerQuerySource } from './explorerQuery';
import { plainText } from '../../utils/text';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;

export interface MessageTableState extends SceneObjectState {
  rows: MessageSummary[];
  loading: boolean;
  error?: string;
  /** Cursors of the pages seen so far; [0] is null (the first page). */
  cursors: Array<string | null>;
  page: number;
  nextCursor: string | null;
  pageSize: number;
}

/**
 * The paged, sortable message list. Paging uses the API's keyset cursors (stable while new messages
 * arrive); sorting belongs to the filter (URL), so a shared link keeps it.
 */
export class MessageTable extends SceneObjectBase<MessageTableState> {
  static Component = MessageTableRenderer;
  private requestSeq = 0;

  constructor(state: Partial<MessageTableState> = {}) {
    super({
      rows: [],
      loading: false,
      cursors: [null],
      page: 0,
      nextCursor: null,
      pageSize: DEFAULT_PAGE_SIZE,
      ...state,
    });
  }

  private get source(): ExplorerQuerySource {
    const parent = this.parent as unknown as Partial<ExplorerQuerySource> | null;
    if (!parent || typeof parent.currentQuery !== 'function') {
      throw new Error('MessageTable must be placed in an ExplorerBody');
    }
    return parent as ExplorerQuerySource;
  }

  /** Back to page one (after a filter, sort or time change). */
  reload() {
    this.setState({ cursors: [null], page: 0 });
    void this.load(0, null);
  }

  nextPage() {
    const { nextCursor, page, cursors } = this.state;
    if (!nextCursor) {
      return;
    }
    const next = page + 1;
    const updated = cursors.slice(0, next);
    updated[next] = nextCursor;
    this.setState({ cursors: updated });
    void this.load(next, nextCursor);
  }

  previousPage() {
    const { page, cursors } = this.state;
    if (page === 0) {
      return;
    }
    void this.load(page - 1, cursors[page - 1] ?? null);
  }

  setPageSize(pageSize: number) {
    this.setState({ pageSize });
    this.reload();
  }

  sortBy(field: SortField) {
    this.source.sortBy(field);
  }

  open(id: string) {
    this.source.openMessage(id);
  }

  private async load(page: number, cursor: string | null) {
    const seq = ++this.requestSeq;
    this.setState({ loading: true, error: undefined });
    try {
      const query = this.source.currentQuery();
      const result = await query.client.messages(query.filters, {
        sort: query.sort,
        order: query.order,
        limit: this.state.pageSize,
        cursor,
      });
      if (seq !== this.requestSeq) {
        return;
      }
      this.setState({ rows: result.messages, nextCursor: result.next_cursor, page, loading: false });
    } catch (err) {
      if (seq !== this.requestSeq) {
        return;
      }
      this.setState({
        rows: [],
        nextCursor: null,
        loading: false,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

const STATUS_COLORS: Record<RequestStatus, BadgeColor> = {
  success: 'green',
  error: 'red',
  timeout: 'orange',
  cancelled: 'darkgrey',
};

export function StatusBadge({ status, httpStatus }: { status: RequestStatus; httpStatus?: number }) {
  return (
    <Badge
      color={STATUS_COLORS[status] ?? 'blue'}
      text={httpStatus && status !== 'success' ? `${status} ${httpStatus}` : status}
      icon={status === 'success' ? 'check' : 'exclamation-triangle'}
    />
  );
}

const PAGE_SIZE_OPTIONS = PAGE_SIZES.map((n) => ({ label: String(n), value: n }));

const COLUMNS: Array<{ label: string; sort?: SortField; align?: 'right' }> = [
  { label: 'Time', sort: 'time' },
  { label: 'Model', sort: 'model' },
  { label: 'User', sort: 'user' },
  { label: 'Prompt' },
  { label: 'Tokens in / out', sort: 'tokens', align: 'right' },
  { label: 'Latency', sort: 'latency', align: 'right' },
  { label: 'Cost', align: 'right' },
  { label: 'Status' },
];

function MessageTableRenderer({ model }: SceneComponentProps<MessageTable>) {
  const { rows, loading, error, page, nextCursor, pageSize } = model.useState();
  const styles = useStyles2(getStyles);
  const parent = model.parent as unknown as ExplorerQuerySource | null;
  const sortState = parent?.sortState?.() ?? { sort: 'time' as SortField, order: 'desc' as const };

  return (
    <section className={styles.wrapper} aria-label="Messages">
      <div className={styles.loading}>{loading && <LoadingBar width={400} />}</div>
      {error && (
        <Alert severity="error" title="Could not load messages">
          {error}
        </Alert>
      )}
      <table className={styles.table}>
        <thead>
          <tr>
            {COLUMNS.map((col) => {
              const active = col.sort !== undefined && sortState.sort === col.sort;
              return (
                <th
                  key={col.label}
                  className={cx(col.align === 'right' && styles.right)}
                  aria-sort={active ? (sortState.order === 'asc' ? 'ascending' : 'descending') : undefined}
                  scope="col"
                >
                  {col.sort ? (
                    <button type="button" className={styles.sortButton} onClick={() => model.sortBy(col.sort!)}>
                      {col.label}
                      {active && <Icon name={sortState.order === 'asc' ? 'arrow-up' : 'arrow-down'} size="sm" />}
                    </button>
                  ) : (
                    col.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr
              key={m.id}
              className={styles.row}
              onClick={() => model.open(m.id)}
              data-testid="message-row"
              data-message-id={m.id}
            >
              <td className={styles.nowrap}>{formatTime(m.started_at)}</td>
              <td>{plainText(m.model) ?? '—'}</td>
              <td>{plainText(m.user) ?? '—'}</td>
              <td className={styles.preview}>
                <a
                  href={parent?.messageHref(m.id)}
                  onClick={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    model.open(m.id);
                  }}
                  title="Open the message"
                >
                  {plainText(m.prompt_preview) || <em>(no prompt text)</em>}
                </a>
              </td>
              <td className={styles.right}>{formatTokens(m.input_tokens, m.output_tokens)}</td>
              <td className={styles.right}>{formatDuration(m.duration_ms)}</td>
              <td className={styles.right}>{formatCost(m.cost)}</td>
              <td>
                <StatusBadge status={m.status} httpStatus={m.http_status} />
              </td>
            </tr>
          ))}
          {rows.length === 0 && !loading && !error && (
            <tr>
              <td colSpan={COLUMNS.length} className={styles.empty}>
                No messages match these filters in this time range.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Stack direction="row" gap={1} justifyContent="flex-end" alignItems="center">
        <span className={styles.pageLabel}>Rows per page</span>
        <RadioButtonGroup
          size="sm"
          options={PAGE_SIZE_OPTIONS}
          value={pageSize}
          onChange={(size) => model.setPageSize(size)}
        />
        <span className={styles.pageLabel}>Page {page + 1}</span>
        <Button
          size="sm"
          variant="secondary"
          icon="angle-left"
          disabled={page === 0 || loading}
          onClick={() => model.previousPage()}
        >
          Previous
        </Button>
        <Button size="sm" variant="secondary" disabled={!nextCursor || loading} onClick={() => model.nextPage()}>
          Next
          <Icon name="angle-right" />
        </Button>
      </Stack>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
  }),
  loading: css({ height: 2 }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  row: css({ cursor: 'pointer', '&:hover': { background: theme.colors.action.hover } }),
  right: css({ textAlign: 'right !important' as 'right' }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  preview: css({ maxWidth: 480, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  sortButton: css({
    background: 'none',
    border: 'none',
    padding: 0,
    color: 'inherit',
    font: 'inherit',
    cursor: 'pointer',
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  empty: css({ textAlign: 'center', color: theme.colors.text.secondary, padding: theme.spacing(3) }),
  pageLabel: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
