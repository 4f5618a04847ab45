import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import {
  SceneObjectBase,
  VariableDependencyConfig,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import {
  Alert,
  Badge,
  Button,
  ClipboardButton,
  ControlledCollapse,
  LinkButton,
  LoadingPlaceholder,
  Stack,
  useStyles2,
} from '@grafana/ui';
import { AppLink, navigateOnClick } from '../../components/AppLink';
import { SidecarError } from '../../api/errors';
import type {
  GenerationOptions,
  Message,
  MessageDetailResponse,
  MessageSummary,
  PromptInfo,
  ToolCall,
} from '@ollama-lens/contracts';
import { messageUrl, PLUGIN_BASE_URL, ROUTES } from '../../constants';
import { SafeMarkdown } from '../../components/SafeMarkdown/SafeMarkdown';
import { DS_VARIABLE, messagesConnectionFor } from '../../utils/datasource';
import { DASH, formatCost, formatDuration, formatNumber, formatTime, nsToMs } from '../../utils/format';
import { StatusBadge } from '../Explorer/MessageTable';
import { explorerSearch } from '../Explorer/filterState';
import { StreamReplay } from './StreamReplay';
import { TimingBar } from './TimingBar';
import { TIMING_LABELS, timingBreakdown } from './timing';
import { escapeBidi, plainText } from '../../utils/text';

export interface MessageDetailState extends SceneObjectState {
  id: string;
  loading: boolean;
  error?: string;
  notFound?: boolean;
  detail?: MessageDetailResponse;
}

/** One message in full. Everything from the message is shown as text; only the answer is rendered as (safe) markdown. */
export class MessageDetail extends SceneObjectBase<MessageDetailState> {
  static Component = MessageDetailRenderer;

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE],
    onReferencedVariableValueChanged: () => void this.load(),
  });

  constructor(state: Pick<MessageDetailState, 'id'>) {
    super({ ...state, loading: true });
    this.addActivationHandler(() => {
      void this.load();
    });
  }

  async load() {
    this.setState({ loading: true, error: undefined, notFound: false });
    try {
      const { client } = messagesConnectionFor(this);
      const detail = await client.message(this.state.id);
      this.setState({ detail, loading: false });
    } catch (err) {
      const notFound = err instanceof SidecarError && err.kind === 'not_found';
      this.setState({
        loading: false,
        notFound,
        error: err instanceof Error ? err.message : String(err),
        detail: undefined,
      });
    }
  }
}

function MessageDetailRenderer({ model }: SceneComponentProps<MessageDetail>) {
  const { id, loading, error, notFound, detail } = model.useState();
  const styles = useStyles2(getStyles);
  const backHref = `${PLUGIN_BASE_URL}/${ROUTES.Explorer}${locationService.getLocation().search}`;

  if (loading && !detail) {
    return <LoadingPlaceholder text="Loading message…" />;
  }
  if (notFound) {
    return (
      <Alert severity="warning" title="Message not found">
        No message with id <code>{id}</code> is stored. It may have been deleted by retention or never captured.{' '}
        <AppLink href={backHref}>Back to the Explorer</AppLink>
      </Alert>
    );
  }
  if (error || !detail) {
    return (
      <Alert severity="error" title="Could not load the message">
        {error}
      </Alert>
    );
  }
  const m = detail.message;
  return (
    <div className={styles.page}>
      <Stack direction="row" gap={1} wrap="wrap">
        <LinkButton
          variant="secondary"
          icon="arrow-left"
          href={backHref}
          fill="outline"
          onClick={navigateOnClick(backHref)}
        >
          Back to the Explorer
        </LinkButton>
        <DownloadJson message={m} />
      </Stack>
      <Header message={m} />
      {m.status !== 'success' && (
        <Alert
          severity={m.status === 'cancelled' ? 'info' : 'error'}
          title={`Request ${m.status}${m.error_type ? ` (${m.error_type})` : ''}`}
        >
          {plainText(m.error_message) ?? `HTTP ${m.http_status}`}
        </Alert>
      )}
      {!m.capture_content && (
        <Alert severity="info" title="Content not captured">
          The client asked not to store this request&apos;s text (or content capture is off), so only its measurements
          are shown.
        </Alert>
      )}
      <Section title="Timing">
        <TimingBar breakdown={timingBreakdown(m)} />
        <Metrics message={m} />
      </Section>
      <Section
        title={`Prompt${m.input_tokens !== null ? ` (${formatNumber(m.input_tokens)} tokens)` : ''}`}
        actions={promptText(m.prompt) && <CopyButton what="prompt" text={promptText(m.prompt)} />}
      >
        <PromptView prompt={m.prompt} />
      </Section>
      <Section
        title={`Response${m.output_tokens !== null ? ` (${formatNumber(m.output_tokens)} tokens)` : ''}`}
        actions={m.response?.content && <CopyButton what="response" text={m.response.content} />}
      >
        {m.response?.thinking && <CollapsibleText title="Thinking" text={m.response.thinking} />}
        {m.response?.content ? (
          <SafeMarkdown markdown={m.response.content} aria-label="Response" />
        ) : (
          <span className={styles.muted}>
            {m.response?.embeddings !== undefined ? `${m.response.embeddings} embedding vector(s)` : 'No response text'}
          </span>
        )}
        {m.response?.tool_calls && m.response.tool_calls.length > 0 && <ToolCalls calls={m.response.tool_calls} />}
        {m.chunks && m.chunks.length > 0 && (
          <ControlledCollapse label={`Stream replay (${m.chunks.length} chunks)`} isOpen={false}>
            <StreamReplay chunks={m.chunks} />
          </ControlledCollapse>
        )}
      </Section>
      <Section title="Options">
        <OptionsTable options={m.options} />
      </Section>
      <Section title="Session">
        <SessionMessages message={m} others={detail.session_messages} />
      </Section>
      <RawJson message={m} />
    </div>
  );
}

function Header({ message: m }: { message: Message }) {
  const styles = useStyles2(getStyles);
  const items: Array<[string, React.ReactNode]> = [
    ['Time', formatTime(m.started_at)],
    [
      'ID',
      <span key="id">
        <code>{m.id}</code>{' '}
        <ClipboardButton
          size="sm"
          variant="secondary"
          fill="text"
          icon="copy"
          getText={() => m.id}
          aria-label="Copy message id"
        />
      </span>,
    ],
    ['Model', modelText(m)],
    ['User', plainText(m.user) ?? DASH],
    ['Session', plainText(m.session) ?? DASH],
    ['Status', <StatusBadge key="status" status={m.status} httpStatus={m.http_status} />],
    ['Endpoint', `${m.method} ${m.path}`],
    ['Category', m.category ?? DASH],
    ['Streamed', m.stream ? 'yes' : 'no'],
    ['Client', plainText([m.client_address, m.user_agent].filter(Boolean).join(' · ')) || DASH],
    // Which sidecar measured it: several can share one store.
    ...(m.host ? ([['Server', plainText(m.host) ?? DASH]] satisfies Array<[string, React.ReactNode]>) : []),
  ];
  return (
    <dl className={styles.header} aria-label="Message header">
      {items.map(([label, value]) => (
        <div key={label} className={styles.headerItem}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
      {m.origin === 'playground' && (
        <Badge color="purple" text="playground" icon="comment-alt" tooltip="Sent from the Playground page" />
      )}
      {m.redacted && (
        <Badge color="orange" text="redacted" icon="eye-slash" tooltip="Secrets were redacted before storage" />
      )}
    </dl>
  );
}

/** The canonical model name, and the name as the client sent it when that differs (`tiny` for `tiny:latest`). */
function modelText(m: Pick<Message, 'model' | 'requested_model'>): string {
  const model = plainText(m.model);
  if (!model) {
    return DASH;
  }
  const requested = plainText(m.requested_model);
  return requested && requested !== model ? `${model} (requested as ${requested})` : model;
}

function Metrics({ message: m }: { message: Message }) {
  const styles = useStyles2(getStyles);
  const t = m.timings;
  const rows: Array<[string, string]> = [
    ['Total duration', formatDuration(m.duration_ms)],
    ['Time to first token', formatDuration(m.ttft_ms)],
    ['Time to first byte', formatDuration(m.ttfb_ms)],
    [TIMING_LABELS.queue, formatDuration(m.queue_ms)],
    [TIMING_LABELS.load, formatDuration(nsToMs(t?.load_duration_ns))],
    [TIMING_LABELS.prompt_eval, formatDuration(nsToMs(t?.prompt_eval_duration_ns))],
    [TIMING_LABELS.generation, formatDuration(nsToMs(t?.eval_duration_ns))],
    ['Tokens in / out', `${formatNumber(m.input_tokens)} / ${formatNumber(m.output_tokens)}`],
    ['Tokens/s', m.tokens_per_second === null ? DASH : formatNumber(m.tokens_per_second, 1)],
    ['Cost', formatCost(m.cost)],
    // Older messages keep only their total.
    ...(m.input_cost !== null || m.output_cost !== null
      ? ([['Cost in / out', `${formatCost(m.input_cost)} / ${formatCost(m.output_cost)}`]] as Array<[string, string]>)
      : []),
    ['Done reason', m.done_reason ?? DASH],
    ['Token counts from', m.token_source],
  ];
  return (
    <dl className={styles.metrics} aria-label="Metrics">
      {rows.map(([label, value]) => (
        <div key={label} className={styles.headerItem}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function PromptView({ prompt }: { prompt: PromptInfo | null }) {
  const styles = useStyles2(getStyles);
  if (!prompt) {
    return <span className={styles.muted}>No prompt text</span>;
  }
  return (
    <div className={styles.stack}>
      {prompt.system && <TextBlock label="system" text={prompt.system} />}
      {prompt.prompt !== undefined && <TextBlock label="prompt" text={prompt.prompt} />}
      {prompt.suffix && <TextBlock label="suffix" text={prompt.suffix} />}
      {prompt.messages?.map((msg, i) => (
        <div key={i} className={styles.stack}>
          <TextBlock label={msg.tool_name ? `${msg.role} (${msg.tool_name})` : msg.role} text={msg.content} />
          {msg.thinking && <CollapsibleText title={`${msg.role} thinking`} text={msg.thinking} />}
          {msg.tool_calls && msg.tool_calls.length > 0 && <ToolCalls calls={msg.tool_calls} />}
          {msg.images ? <span className={styles.muted}>{msg.images} image(s) attached (not stored)</span> : null}
        </div>
      ))}
      {prompt.images ? <span className={styles.muted}>{prompt.images} image(s) attached (not stored)</span> : null}
      {prompt.inputs !== undefined && <span className={styles.muted}>{prompt.inputs} embedding input(s)</span>}
      {prompt.tools && prompt.tools.length > 0 && (
        <span className={styles.muted}>Tools offered: {prompt.tools.join(', ')}</span>
      )}
      {prompt.format && <span className={styles.muted}>Format: {prompt.format}</span>}
    </div>
  );
}

function TextBlock({ label, text }: { label: string; text: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.textBlock}>
      <div className={styles.role}>{label}</div>
      {/* Scrollable, so it must be reachable with the keyboard. */}
      <pre className={styles.pre} tabIndex={0}>
        {plainText(text)}
      </pre>
    </div>
  );
}

function CollapsibleText({ title, text }: { title: string; text: string }) {
  const styles = useStyles2(getStyles);
  return (
    <details className={styles.details}>
      <summary>{title}</summary>
      <pre className={styles.pre} tabIndex={0}>
        {plainText(text)}
      </pre>
    </details>
  );
}

/** Tool calls with their arguments pretty-printed when they are JSON. */
function ToolCalls({ calls }: { calls: ToolCall[] }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.stack} aria-label="Tool calls">
      {calls.map((call, i) => (
        <div key={call.id ?? i} className={styles.textBlock}>
          <div className={styles.role}>tool call: {plainText(call.name)}</div>
          <pre className={styles.pre} tabIndex={0}>
            {plainText(prettyJson(call.arguments))}
          </pre>
        </div>
      ))}
    </div>
  );
}

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function OptionsTable({ options }: { options: GenerationOptions | null }) {
  const styles = useStyles2(getStyles);
  const entries = Object.entries(options ?? {}).flatMap(([key, value]): Array<[string, unknown]> =>
    key === 'extra' && value && typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>)
      : [[key, value]]
  );
  if (entries.length === 0) {
    return <span className={styles.muted}>Model defaults (no options sent)</span>;
  }
  return (
    <dl className={styles.metrics} aria-label="Generation options">
      {entries.map(([key, value]) => (
        <div key={key} className={styles.headerItem}>
          <dt>{key}</dt>
          <dd>{plainText(typeof value === 'string' ? value : JSON.stringify(value))}</dd>
        </div>
      ))}
    </dl>
  );
}

function SessionMessages({ message, others }: { message: Message; others: MessageSummary[] }) {
  const styles = useStyles2(getStyles);
  if (!message.session) {
    return <span className={styles.muted}>This request named no session.</span>;
  }
  const sessionSearch = explorerSearch({ session: message.session });
  return (
    <div className={styles.stack}>
      <AppLink href={`${PLUGIN_BASE_URL}/${ROUTES.Explorer}${sessionSearch}`}>
        All messages of session {message.session} in the Explorer
      </AppLink>
      {others.length === 0 ? (
        <span className={styles.muted}>No other messages in this session.</span>
      ) : (
        <ol className={styles.sessionList} aria-label="Other messages in this session">
          {others.map((o) => (
            <li key={o.id}>
              <AppLink href={`${messageUrl(o.id)}${locationService.getLocation().search}`}>
                {formatTime(o.started_at)} · {plainText(o.model) ?? DASH} · {plainText(o.prompt_preview) || o.id}
              </AppLink>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function RawJson({ message }: { message: Message }) {
  const styles = useStyles2(getStyles);
  // Bidi controls show as \u escapes: the JSON stays exact and cannot be visually reordered.
  const json = escapeBidi(JSON.stringify(message, null, 2));
  return (
    <ControlledCollapse label="Raw JSON" isOpen={false}>
      <Stack direction="row" justifyContent="flex-end">
        <ClipboardButton icon="copy" variant="secondary" size="sm" getText={() => json}>
          Copy JSON
        </ClipboardButton>
      </Stack>
      <pre className={styles.pre} aria-label="Raw JSON of the message" tabIndex={0}>
        {json}
      </pre>
    </ControlledCollapse>
  );
}

function Section({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: React.ReactNode;
  children: React.ReactNode;
}) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section} aria-label={title}>
      <div className={styles.sectionHeader}>
        <h3 className={styles.sectionTitle}>{title}</h3>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** The prompt as one text (system, prompt, then each chat message with its role), for copying. */
export function promptText(prompt: PromptInfo | null): string {
  if (!prompt) {
    return '';
  }
  const parts: string[] = [];
  if (prompt.system) {
    parts.push(`system: ${prompt.system}`);
  }
  if (prompt.prompt !== undefined) {
    parts.push(prompt.prompt);
  }
  for (const msg of prompt.messages ?? []) {
    parts.push(`${msg.role}: ${msg.content}`);
  }
  return parts.join('\n\n');
}

/** Copies the exact stored text (bidi controls included: it is data, not display). */
function CopyButton({ what, text }: { what: string; text: string }) {
  return (
    <ClipboardButton
      size="sm"
      variant="secondary"
      fill="outline"
      icon="copy"
      getText={() => text}
      aria-label={`Copy ${what}`}
    >
      Copy {what}
    </ClipboardButton>
  );
}

/** Saves the message (as the API returned it) as a JSON file. */
function DownloadJson({ message }: { message: Message }) {
  const onClick = () => {
    const blob = new Blob([JSON.stringify(message, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `message-${message.id}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  };
  return (
    <Button variant="secondary" fill="outline" icon="download-alt" onClick={onClick}>
      Download JSON
    </Button>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // The scene body is a flex row: grow to its full width (and let wide content shrink, not overflow).
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2), flex: 1, minWidth: 0 }),
  section: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5, 2),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  sectionTitle: css({ fontSize: theme.typography.h5.fontSize, margin: 0 }),
  sectionHeader: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: theme.spacing(1) }),
  header: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    gap: theme.spacing(1, 2),
    margin: 0,
  }),
  metrics: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))',
    gap: theme.spacing(1, 2),
    margin: 0,
  }),
  headerItem: css({
    minWidth: 0,
    dt: { color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize },
    dd: { margin: 0, overflowWrap: 'anywhere' },
    // Grafana's global style keeps <code> on one line; a 36-character id must wrap inside its column.
    code: { whiteSpace: 'normal', wordBreak: 'break-all' },
  }),
  stack: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  textBlock: css({ borderLeft: `3px solid ${theme.colors.border.medium}`, paddingLeft: theme.spacing(1) }),
  role: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    textTransform: 'uppercase',
  }),
  pre: css({
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    margin: 0,
    maxHeight: 480,
    overflow: 'auto',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  details: css({ summary: { cursor: 'pointer', color: theme.colors.text.secondary } }),
  muted: css({ color: theme.colors.text.secondary }),
  sessionList: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});
