import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { SceneObjectBase, type SceneComponentProps, type SceneObjectState } from '@grafana/scenes';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Icon,
  IconButton,
  LoadingBar,
  RadioButtonGroup,
  Stack,
  useStyles2,
  type BadgeColor,
} from '@grafana/ui';
import type { MessageSummary, RequestStatus, SortKey as SortField } from '@ollama-lens/contracts';
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
  /** The row whose preview is open, and what the preview shows. */
  expanded?: string;
  preview?: RowPreview;
  /** Columns the person chose to hide (kept in this browser). */
  hidden: ColumnKey[];
}

export interface RowPreview {
  id: string;
  loading: boolean;
  error?: string;
  prompt?: string;
  response?: string;
}

export type ColumnKey = 'time' | 'model' | 'user' | 'prompt' | 'tokens' | 'latency' | 'cost' | 'status';

/** Where the column choice is kept between visits. */
const HIDDEN_COLUMNS_KEY = 'ollamalens.explorer.hiddenColumns';
/** How much of the prompt and the answer a row preview shows. */
const PREVIEW_CHARS = 600;

function storedHiddenColumns(): ColumnKey[] {
  try {
    const raw = window.localStorage.getItem(HIDDEN_COLUMNS_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed)
      ? parsed.filter((k): k is ColumnKey => COLUMNS.some((c) => c.key === k && !c.fixed))
      : [];
  } catch {
    return [];
  }
}

function clip(text: string | undefined): string | undefined {
  if (!text) {
    return undefined;
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
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
      hidden: storedHiddenColumns(),
      ...state,
    });
  }

  /** Opens (or closes) the preview under a row: the start of the prompt and of the answer. */
  togglePreview(id: string) {
    if (this.state.expanded === id) {
      this.setState({ expanded: undefined, preview: undefined });
      return;
    }
    this.setState({ expanded: id, preview: { id, loading: true } });
    void this.loadPreview(id);
  }

  private async loadPreview(id: string) {
    try {
      const { message } = await this.source.currentQuery().client.message(id);
      const prompt =
        message.prompt?.prompt ??
        message.prompt?.messages
          ?.filter((m) => m.role === 'user')
          .map((m) => m.content)
          .pop();
      if (this.state.expanded === id) {
        this.setState({
          preview: { id, loading: false, prompt: clip(prompt), response: clip(message.response?.content) },
        });
      }
    } catch (err) {
      if (this.state.expanded === id) {
        this.setState({ preview: { id, loading: false, error: err instanceof Error ? err.message : String(err) } });
      }
    }
  }

  setColumnShown(key: ColumnKey, shown: boolean) {
    const hidden = shown ? this.state.hidden.filter((k) => k !== key) : [...new Set([...this.state.hidden, key])];
    this.setState({ hidden });
    try {
      window.localStorage.setItem(HIDDEN_COLUMNS_KEY, JSON.stringify(hidden));
    } catch {
      // storage unavailable: the choice lasts for this page only
    }
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
      this.setState({
        rows: result.messages,
        nextCursor: result.next_cursor,
        page,
        loading: false,
        expanded: undefined,
        preview: undefined,
      });
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

interface Column {
  key: ColumnKey;
  label: string;
  sort?: SortField;
  align?: 'right';
  /** Always shown: the time holds the preview toggle, the prompt the link to the message. */
  fixed?: boolean;
}

const COLUMNS: Column[] = [
  { key: 'time', label: 'Time', sort: 'time', fixed: true },
  { key: 'model', label: 'Model', sort: 'model' },
  { key: 'user', label: 'User', sort: 'user' },
  { key: 'prompt', label: 'Prompt', fixed: true },
  { key: 'tokens', label: 'Tokens in / out', sort: 'tokens', align: 'right' },
  { key: 'latency', label: 'Latency', sort: 'latency', align: 'right' },
  { key: 'cost', label: 'Cost', align: 'right' },
  { key: 'status', label: 'Status' },
];

/** The column choice: a button that shows a checkbox per optional column. */
function ColumnPicker({ model, hidden }: { model: MessageTable; hidden: ColumnKey[] }) {
  const styles = useStyles2(getStyles);
  const [open, setOpen] = React.useState(false);
  return (
    <div className={styles.columnPicker}>
      <Button
        size="sm"
        variant="secondary"
        fill="outline"
        icon="columns"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        Columns
      </Button>
      {open && (
        <fieldset className={styles.columnMenu} aria-label="Table columns">
          {COLUMNS.filter((c) => !c.fixed).map((c) => (
            <Checkbox
              key={c.key}
              label={c.label}
              value={!hidden.includes(c.key)}
              onChange={(e) => model.setColumnShown(c.key, e.currentTarget.checked)}
            />
          ))}
        </fieldset>
      )}
    </div>
  );
}

function RowPreviewView({ preview }: { preview?: RowPreview }) {
  const styles = useStyles2(getStyles);
  if (!preview || preview.loading) {
    return <span className={styles.muted}>Loading the preview…</span>;
  }
  if (preview.error) {
    return <span className={styles.muted}>Could not load the preview: {preview.error}</span>;
  }
  return (
    <dl className={styles.preview}>
      <dt>Prompt</dt>
      <dd>{plainText(preview.prompt) || <em>(no prompt text)</em>}</dd>
      <dt>Answer</dt>
      <dd>{plainText(preview.response) || <em>(no answer text)</em>}</dd>
    </dl>
  );
}

function MessageTableRenderer({ model }: SceneComponentProps<MessageTable>) {
  const { rows, loading, error, page, nextCursor, pageSize, hidden, expanded, preview } = model.useState();
  const columns = COLUMNS.filter((c) => !hidden.includes(c.key));
  const shown = (key: ColumnKey) => !hidden.includes(key);
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
            {columns.map((col) => {
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
            <React.Fragment key={m.id}>
              <tr
                className={styles.row}
                onClick={() => model.open(m.id)}
                data-testid="message-row"
                data-message-id={m.id}
              >
                <td className={styles.nowrap}>
                  <IconButton
                    name={expanded === m.id ? 'angle-down' : 'angle-right'}
                    aria-label="Preview"
                    aria-expanded={expanded === m.id}
                    size="sm"
                    onClick={(e) => {
                      e.stopPropagation();
                      model.togglePreview(m.id);
                    }}
                  />
                  {formatTime(m.started_at)}
                </td>
                {shown('model') && <td>{plainText(m.model) ?? '—'}</td>}
                {shown('user') && <td>{plainText(m.user) ?? '—'}</td>}
                <td className={styles.previewCell}>
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
                  {m.origin === 'playground' && (
                    <Badge className={styles.originBadge} color="purple" text="playground" icon="comment-alt" />
                  )}
                </td>
                {shown('tokens') && <td className={styles.right}>{formatTokens(m.input_tokens, m.output_tokens)}</td>}
                {shown('latency') && <td className={styles.right}>{formatDuration(m.duration_ms)}</td>}
                {shown('cost') && <td className={styles.right}>{formatCost(m.cost)}</td>}
                {shown('status') && (
                  <td>
                    <StatusBadge status={m.status} httpStatus={m.http_status} />
                  </td>
                )}
              </tr>
              {expanded === m.id && (
                <tr data-testid="message-preview">
                  <td colSpan={columns.length}>
                    <RowPreviewView preview={preview} />
                  </td>
                </tr>
              )}
            </React.Fragment>
          ))}
          {rows.length === 0 && !loading && !error && (
            <tr>
              <td colSpan={columns.length} className={styles.empty}>
                No messages match these filters in this time range.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Stack direction="row" gap={1} justifyContent="flex-end" alignItems="center">
        <ColumnPicker model={model} hidden={hidden} />
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
  previewCell: css({ maxWidth: 480, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  originBadge: css({ marginLeft: theme.spacing(1) }),
  preview: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  }),
  muted: css({ color: theme.colors.text.secondary }),
  columnPicker: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), marginRight: 'auto' }),
  columnMenu: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    margin: 0,
    padding: theme.spacing(0.5, 1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
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
