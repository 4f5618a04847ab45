import { config, getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import {
  MESSAGE_ID_HEADER,
  MODELS_API,
  type ChatStreamLine,
  type InstalledModels,
  type ModelActionResult,
  type ModelDetail,
  type ModelPreferences,
  type ModelUsageResponse,
  type PlaygroundChatBody,
  type PullProgressLine,
} from '@ollama-lens/contracts';
import { SidecarError, toSidecarError } from './errors';
import { postNdjson, type NdjsonStream } from './stream';

/** The actions that take one model and answer once Ollama has done it (copy takes two names; pull streams). */
export type SimpleModelAction = 'load' | 'unload' | 'delete';

/** A stream with the stored message's id the sidecar names in a response header. */
export interface StreamWithMessage<T> {
  messageId: string | null;
  lines: NdjsonStream<T>['lines'];
}

/**
 * The Models page's and the Playground's calls to the sidecar, through the messages data source's proxy:
 * reads on its `sidecar` route (read token), actions and preferences on its `sidecar-actions` route, which
 * Grafana opens only to org Admins and which adds the actions token. A Viewer's call to it is refused by
 * Grafana (403) before it reaches the sidecar.
 */
export class ModelsClient {
  constructor(
    /** `<data source proxy URL>/sidecar` */
    readonly readBase: string,
    /** `<data source proxy URL>/sidecar-actions` */
    readonly actionsBase: string
  ) {}

  installed(): Promise<InstalledModels> {
    return this.json<InstalledModels>(
      'GET',
      `${this.readBase}${MODELS_API.installed}`,
      undefined,
      'Installed models',
      (d) => isObject(d) && Array.isArray(d.installed) && Array.isArray(d.loaded) && isObject(d.preferences)
    );
  }

  usage(range: { from: number; to: number }): Promise<ModelUsageResponse> {
    const query = new URLSearchParams({ from: String(Math.floor(range.from)), to: String(Math.ceil(range.to)) });
    return this.json<ModelUsageResponse>(
      'GET',
      `${this.readBase}${MODELS_API.usage}?${query.toString()}`,
      undefined,
      'Model usage',
      (d) => isObject(d) && Array.isArray(d.models)
    );
  }

  detail(name: string): Promise<ModelDetail> {
    const query = new URLSearchParams({ name });
    return this.json<ModelDetail>(
      'GET',
      `${this.readBase}${MODELS_API.detail}?${query.toString()}`,
      undefined,
      `Model ${name}`,
      (d) => isObject(d) && typeof d.name === 'string'
    );
  }

  setPreferences(preferences: ModelPreferences): Promise<unknown> {
    return this.json<unknown>(
      'PUT',
      `${this.actionsBase}${MODELS_API.preferences}`,
      preferences,
      'Favourites',
      () => true
    );
  }

  act(action: SimpleModelAction, model: string): Promise<ModelActionResult> {
    return this.json<ModelActionResult>(
      'POST',
      `${this.actionsBase}${MODELS_API.actions[action]}`,
      { model },
      `${capitalise(action)} ${model}`,
      (d) => isObject(d) && typeof d.model === 'string'
    );
  }

  copy(source: string, destination: string): Promise<ModelActionResult> {
    return this.json<ModelActionResult>(
      'POST',
      `${this.actionsBase}${MODELS_API.actions.copy}`,
      { source, destination },
      `Copy ${source} to ${destination}`,
      (d) => isObject(d) && typeof d.model === 'string'
    );
  }

  /** Ollama's pull progress lines as they come; aborting `signal` cancels the pull. */
  async pull(model: string, signal: AbortSignal): Promise<StreamWithMessage<PullProgressLine>> {
    const stream = await postNdjson<PullProgressLine>(
      withSubUrl(`${this.actionsBase}${MODELS_API.actions.pull}`),
      { model },
      `Pull ${model}`,
      signal
    );
    return { messageId: stream.header(MESSAGE_ID_HEADER), lines: stream.lines };
  }

  /** The playground's answer as Ollama streams it; aborting `signal` stops the generation in Ollama. */
  async chat(body: PlaygroundChatBody, signal: AbortSignal): Promise<StreamWithMessage<ChatStreamLine>> {
    const stream = await postNdjson<ChatStreamLine>(
      withSubUrl(`${this.readBase}${MODELS_API.playgroundChat}`),
      body,
      `Chat with ${body.model}`,
      signal
    );
    return { messageId: stream.header(MESSAGE_ID_HEADER), lines: stream.lines };
  }

  private async json<T>(
    method: 'GET' | 'PUT' | 'POST',
    url: string,
    data: unknown,
    what: string,
    valid: (data: unknown) => boolean
  ): Promise<T> {
    let body: unknown;
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<unknown>({ url, method, data, showErrorAlert: false })
      );
      body = response.data;
    } catch (err) {
      throw toSidecarError(err, what);
    }
    if (!valid(body)) {
      throw new SidecarError(
        'unexpected_response',
        `${what}: the answer is not what an Ollama Lens sidecar sends; check that the sidecar is up to date`
      );
    }
    return body as T;
  }
}

/**
 * BackendSrv prefixes Grafana's sub-path (`root_url` …/grafana/) to root-relative URLs; the browser's fetch
 * does not, so the streams add it themselves.
 */
function withSubUrl(url: string): string {
  const sub = config.appSubUrl ?? '';
  return sub && url.startsWith('/') && !url.startsWith(`${sub}/`) ? `${sub}${url}` : url;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
