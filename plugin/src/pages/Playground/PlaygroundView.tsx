import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import {
  SceneObjectBase,
  VariableDependencyConfig,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';
import {
  Alert,
  Button,
  Combobox,
  Field,
  InlineSwitch,
  Input,
  Stack,
  Text,
  TextArea,
  useStyles2,
  type ComboboxOption,
} from '@grafana/ui';
import {
  isEmbeddingOnly,
  PLAYGROUND_LIMITS,
  type InstalledModel,
  type PlaygroundChatBody,
  type PlaygroundMessage,
  type PlaygroundOptions,
} from '@ollama-lens/contracts';
import { ModelsClient } from '../../api/models';
import { isAbort } from '../../api/stream';
import { ACTIONS_PROXY_ROUTE } from '../../constants';
import { PROXY_ROUTE } from '../../datasource/types';
import { DS_VARIABLE, messagesConnectionFor } from '../../utils/datasource';
import { AnswerPanel } from './AnswerPanel';
import { applyChatLine, startRun, type ChatRun } from './chatRun';

/** The option fields as typed (text, so a half-typed number is not lost); parsed when a prompt is sent. */
export type OptionKey = keyof PlaygroundOptions;
export type OptionInputs = Record<OptionKey, string>;

export interface PlaygroundState extends SceneObjectState {
  models?: InstalledModel[];
  modelsError?: string;
  model?: string;
  compare: boolean;
  compareModel?: string;
  system: string;
  prompt: string;
  options: OptionInputs;
  /** One answer, or two side by side in compare mode. */
  runs: ChatRun[];
  /**
   * The finished turns of each slot's conversation (user and assistant messages), sent before the next
   * prompt so a follow-up question has its context. A conversation belongs to its models: picking another
   * model starts a new one.
   */
  conversations: PlaygroundMessage[][];
  /** The turns each answer on screen followed (shown above it). */
  earlier: PlaygroundMessage[][];
  running: boolean;
  formError?: string;
}

const OPTION_RULES: Record<OptionKey, { integer: boolean; min: number; max: number }> = {
  temperature: { integer: false, min: 0, max: 100 },
  num_predict: { integer: true, min: -2, max: 1_000_000 },
  num_ctx: { integer: true, min: 1, max: 10_000_000 },
  seed: { integer: true, min: -2_147_483_648, max: 2_147_483_647 },
};

/** The typed options as the contract's PlaygroundOptions; an empty field is Ollama's default. */
export function parseOptions(inputs: OptionInputs): { options: PlaygroundOptions; error?: string } {
  const options: PlaygroundOptions = {};
  for (const key of Object.keys(OPTION_RULES) as OptionKey[]) {
    const text = inputs[key].trim();
    if (text === '') {
      continue;
    }
    const rule = OPTION_RULES[key];
    const value = Number(text);
    if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || value < rule.min || value > rule.max) {
      return {
        options,
        error: `${key} must be ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}, got "${text}"`,
      };
    }
    options[key] = value;
  }
  return { options };
}

/**
 * The Playground: one prompt to one model, or to two side by side, streamed through the sidecar (so each
 * exchange is measured and stored, tagged as the playground's), with TTFT and tokens/s live.
 */
export class PlaygroundView extends SceneObjectBase<PlaygroundState> {
  static Component = PlaygroundRenderer;
  private aborts: AbortController[] = [];

  protected _variableDependency = new VariableDependencyConfig(this, {
    variableNames: [DS_VARIABLE],
    onReferencedVariableValueChanged: () => void this.loadModels(),
  });

  constructor(state: Partial<PlaygroundState> = {}) {
    super({
      compare: false,
      system: '',
      prompt: '',
      options: { temperature: '', num_predict: '', num_ctx: '', seed: '' },
      runs: [],
      conversations: [],
      earlier: [],
      running: false,
      ...state,
    });
    this.addActivationHandler(() => {
      void this.loadModels();
      // Leaving the page stops the generations rather than letting Ollama work for nobody.
      return () => this.stop();
    });
  }

  private client(): ModelsClient {
    const { settings } = messagesConnectionFor(this);
    return new ModelsClient(`${settings.url}/${PROXY_ROUTE}`, `${settings.url}/${ACTIONS_PROXY_ROUTE}`);
  }

  async loadModels() {
    try {
      const { installed: all, preferences } = await this.client().installed();
      // Ollama refuses a chat with an embedding model: only the models that can answer are offered.
      const installed = all.filter((m) => !isEmbeddingOnly(m.capabilities));
      const names = installed.map((m) => m.name);
      const preferred =
        preferences.default_model && names.includes(preferences.default_model) ? preferences.default_model : names[0];
      this.setState({
        models: installed,
        modelsError: undefined,
        model: this.state.model && names.includes(this.state.model) ? this.state.model : preferred,
        compareModel:
          this.state.compareModel && names.includes(this.state.compareModel)
            ? this.state.compareModel
            : (names.find((n) => n !== preferred) ?? preferred),
      });
    } catch (err) {
      this.setState({ modelsError: err instanceof Error ? err.message : String(err) });
    }
  }

  async send() {
    const { model, compare, compareModel, system, prompt, options: inputs } = this.state;
    const parsed = parseOptions(inputs);
    if (parsed.error) {
      this.setState({ formError: parsed.error });
      return;
    }
    if (!model || prompt.trim() === '') {
      this.setState({ formError: !model ? 'Pick a model first.' : 'Write a prompt first.' });
      return;
    }
    this.stop();
    const models = compare && compareModel ? [model, compareModel] : [model];
    const started = performance.now();
    this.aborts = models.map(() => new AbortController());
    // Leave room for the new prompt within the sidecar's bound; the oldest turns go first.
    const history = (slot: number) => (this.state.conversations[slot] ?? []).slice(-(PLAYGROUND_LIMITS.messages - 1));
    const body = (m: string, slot: number): PlaygroundChatBody => ({
      model: m,
      messages: [...history(slot), { role: 'user', content: prompt }],
      ...(system.trim() ? { system } : {}),
      ...(Object.keys(parsed.options).length ? { options: parsed.options } : {}),
    });
    const bodies = models.map(body);
    this.setState({
      runs: models.map((m) => startRun(m, started, prompt)),
      earlier: models.map((_m, slot) => history(slot)),
      running: true,
      formError: undefined,
      prompt: '',
    });
    const aborts = this.aborts;
    await Promise.all(models.map((_m, slot) => this.stream(slot, bodies[slot], aborts[slot])));
    if (this.aborts === aborts) {
      this.setState({ running: false });
    }
  }

  /** Streams one answer into its slot; a stale run (a newer send replaced it) writes nothing. */
  private async stream(slot: number, body: PlaygroundChatBody, abort: AbortController) {
    const update = (next: (run: ChatRun) => ChatRun) => {
      if (this.aborts[slot] !== abort) {
        return;
      }
      this.setState({ runs: this.state.runs.map((run, i) => (i === slot ? next(run) : run)) });
    };
    try {
      const stream = await this.client().chat(body, abort.signal);
      update((run) => ({ ...run, messageId: stream.messageId ?? undefined }));
      for await (const line of stream.lines) {
        const now = performance.now();
        update((run) => applyChatLine(run, line, now));
      }
      const run = this.state.runs[slot];
      if (this.aborts[slot] === abort && run?.done && !run.error) {
        const turns = [...body.messages, { role: 'assistant' as const, content: run.text }];
        const conversations = [...this.state.conversations];
        conversations[slot] = turns;
        this.setState({ conversations });
      }
    } catch (err) {
      update((run) =>
        isAbort(err) ? { ...run, stopped: true } : { ...run, error: err instanceof Error ? err.message : String(err) }
      );
    }
  }

  /** Aborts the requests: the sidecar sees the close and cancels the generation in Ollama. */
  stop() {
    for (const abort of this.aborts) {
      abort.abort();
    }
    if (this.state.running) {
      const now = performance.now();
      this.setState({
        running: false,
        runs: this.state.runs.map((run) =>
          run.done || run.error ? run : { ...run, stopped: true, lastTokenAt: run.lastTokenAt ?? now }
        ),
      });
    }
  }

  /** Forgets the conversations (and the answers on screen): the next prompt starts afresh. */
  newConversation() {
    this.stop();
    this.setState({ conversations: [], earlier: [], runs: [] });
  }

  /** Another model (or compare on/off) starts a new conversation: the old one was with other models. */
  pickModels(patch: Partial<Pick<PlaygroundState, 'model' | 'compareModel' | 'compare'>>) {
    this.setState({ ...patch, conversations: [] });
  }

  setOption(key: OptionKey, value: string) {
    this.setState({ options: { ...this.state.options, [key]: value } });
  }
}

const OPTION_FIELDS: Array<{ key: OptionKey; label: string; description: string; placeholder: string }> = [
  { key: 'temperature', label: 'Temperature', description: 'Higher is more random', placeholder: 'model default' },
  {
    key: 'num_predict',
    label: 'Max tokens (num_predict)',
    description: '-1: until the model stops',
    placeholder: 'model default',
  },
  { key: 'num_ctx', label: 'Context length (num_ctx)', description: 'Tokens of context', placeholder: 'model default' },
  { key: 'seed', label: 'Seed', description: 'Same seed, same answer', placeholder: 'random' },
];

function PlaygroundRenderer({ model }: SceneComponentProps<PlaygroundView>) {
  const state = model.useState();
  const styles = useStyles2(getStyles);
  const options: Array<ComboboxOption<string>> = (state.models ?? []).map((m) => ({
    value: m.name,
    label: m.name,
    description: [m.parameter_size, m.quantization_level].filter(Boolean).join(' · ') || undefined,
  }));
  const pick = (key: 'model' | 'compareModel') => (option: SelectableValue<string> | ComboboxOption<string>) =>
    model.pickModels({ [key]: option.value });

  return (
    <div className={styles.page}>
      {state.modelsError && (
        <Alert severity="error" title="Could not read the models">
          {state.modelsError}
        </Alert>
      )}
      <form
        className={styles.form}
        onSubmit={(e) => {
          e.preventDefault();
          void model.send();
        }}
      >
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
          <Field label="Model" htmlFor="ollamalens-playground-model">
            <Combobox
              id="ollamalens-playground-model"
              options={options}
              value={state.model ?? null}
              onChange={pick('model')}
              width={40}
              placeholder="Pick a model"
            />
          </Field>
          <Field label="Compare with a second model" htmlFor="ollamalens-playground-compare">
            <InlineSwitch
              id="ollamalens-playground-compare"
              value={state.compare}
              onChange={(e) => model.pickModels({ compare: e.currentTarget.checked })}
            />
          </Field>
          {state.compare && (
            <Field label="Second model" htmlFor="ollamalens-playground-model-2">
              <Combobox
                id="ollamalens-playground-model-2"
                options={options}
                value={state.compareModel ?? null}
                onChange={pick('compareModel')}
                width={40}
                placeholder="Pick a model"
              />
            </Field>
          )}
        </Stack>
        <Field label="System prompt" htmlFor="ollamalens-playground-system">
          <TextArea
            id="ollamalens-playground-system"
            rows={2}
            value={state.system}
            placeholder="Optional: how the model should behave"
            onChange={(e) => model.setState({ system: e.currentTarget.value })}
          />
        </Field>
        <Stack direction="row" gap={2} wrap="wrap">
          {OPTION_FIELDS.map((f) => (
            <Field key={f.key} label={f.label} description={f.description} htmlFor={`ollamalens-playground-${f.key}`}>
              <Input
                id={`ollamalens-playground-${f.key}`}
                inputMode="decimal"
                width={20}
                value={state.options[f.key]}
                placeholder={f.placeholder}
                onChange={(e) => model.setOption(f.key, e.currentTarget.value)}
              />
            </Field>
          ))}
        </Stack>
        <Field label="Prompt" htmlFor="ollamalens-playground-prompt">
          <TextArea
            id="ollamalens-playground-prompt"
            rows={4}
            value={state.prompt}
            onChange={(e) => model.setState({ prompt: e.currentTarget.value })}
            onKeyDown={(e) => {
              // Ctrl/Cmd+Enter sends, as in most chat tools; Enter alone is a new line.
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void model.send();
              }
            }}
          />
        </Field>
        {state.formError && <Text color="error">{state.formError}</Text>}
        <Stack direction="row" gap={1}>
          <Button type="submit" icon="message" disabled={state.running}>
            Send
          </Button>
          <Button
            type="button"
            variant="destructive"
            icon="square-shape"
            disabled={!state.running}
            onClick={() => model.stop()}
          >
            Stop
          </Button>
          <Button
            type="button"
            variant="secondary"
            icon="plus"
            disabled={state.runs.length === 0}
            onClick={() => model.newConversation()}
          >
            New conversation
          </Button>
        </Stack>
      </form>
      {state.runs.length > 0 && (
        <div className={styles.answers}>
          {state.runs.map((run, slot) => (
            <AnswerPanel key={slot} run={run} slot={slot} earlier={state.earlier[slot] ?? []} />
          ))}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), maxWidth: 1200 }),
  answers: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))',
    gap: theme.spacing(2),
  }),
});
