import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isEmbeddingOnly, MESSAGE_ID_HEADER, MODELS_API, type ModelAction } from '@ollama-lens/contracts';
import {
  ACTION_ERROR_RESPONSES,
  CopyActionBody,
  ModelActionBody,
  ModelActionResult,
  ModelPreferences,
  PullActionBody,
  PullStream,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { canonicalModelName } from '../metrics/labels';
import type { ModelsContext } from './context';
import { proxiedError, type SelfRequest } from './self-proxy';
import { relayStream } from './stream-relay';
import { validationMessage } from './validation';

const canonical = (name: string): string => canonicalModelName(name) ?? name;

/**
 * The write routes: favourites and the model actions. The caller registers them in a scope whose
 * onRequest hook checks the actions token (actions-auth.ts). Each action is one request to Ollama
 * through the sidecar's own proxy, so it is measured and stored like an application's, and the event
 * detector turns it into an event (model_deleted, model_copied, model_pulled; loads and unloads show
 * as model_loaded / model_unloaded from the /api/ps poll).
 */
export function registerModelActionRoutes(app: FastifyInstance, ctx: ModelsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.put(
    MODELS_API.preferences,
    {
      schema: { body: ModelPreferences, response: { 200: ModelPreferences, ...ACTION_ERROR_RESPONSES } },
      schemaErrorFormatter: validationMessage,
    },
    // Canonical names (`tiny` → `tiny:latest`), as /api/tags lists them and the store keeps them.
    async (req) =>
      ctx.preferences.write({
        favourites: req.body.favourites.map(canonical),
        default_model: req.body.default_model === null ? null : canonical(req.body.default_model),
      })
  );

  /** Sends one non-streamed management request through the proxy and answers with its message id. */
  const act = async (
    reply: FastifyReply,
    action: ModelAction,
    model: string,
    source: string | null,
    request: SelfRequest
  ) => {
    const res = await ctx.selfProxy.send(request);
    if (res.status < 200 || res.status >= 300) throw await proxiedError(res);
    // Read to the end: the exchange (and so its record) is complete only once the body is.
    await res.body.dump();
    if (res.messageId) reply.header(MESSAGE_ID_HEADER, res.messageId);
    return { action, model, source, message_id: res.messageId };
  };

  const routeOptions = <B extends typeof ModelActionBody | typeof CopyActionBody>(body: B) => ({
    schema: { body, response: { 200: ModelActionResult, ...ACTION_ERROR_RESPONSES } },
    schemaErrorFormatter: validationMessage,
  });

  typed.post(MODELS_API.actions.load, routeOptions(ModelActionBody), async (req, reply) => {
    const { model } = req.body;
    // Ollama loads a model on an empty request and answers at once: a generate (done_reason "load") for
    // a model that completes, an embed without input for an embedding-only one, which generate refuses.
    const embeddingOnly = isEmbeddingOnly((await ctx.ollama.show(model)).capabilities);
    return act(reply, 'load', model, null, {
      method: 'POST',
      path: embeddingOnly ? '/api/embed' : '/api/generate',
      body: embeddingOnly ? { model } : { model, prompt: '', stream: false },
    });
  });

  typed.post(MODELS_API.actions.unload, routeOptions(ModelActionBody), async (req, reply) =>
    // keep_alive 0 without a prompt: Ollama unloads the model (done_reason "unload").
    act(reply, 'unload', req.body.model, null, {
      method: 'POST',
      path: '/api/generate',
      body: { model: req.body.model, keep_alive: 0, stream: false },
    })
  );

  typed.post(MODELS_API.actions.copy, routeOptions(CopyActionBody), async (req, reply) =>
    act(reply, 'copy', req.body.destination, req.body.source, {
      method: 'POST',
      path: '/api/copy',
      body: { source: req.body.source, destination: req.body.destination },
    })
  );

  typed.post(MODELS_API.actions.delete, routeOptions(ModelActionBody), async (req, reply) =>
    act(reply, 'delete', req.body.model, null, {
      method: 'DELETE',
      path: '/api/delete',
      body: { model: req.body.model },
    })
  );

  typed.post(
    MODELS_API.actions.pull,
    {
      schema: { body: PullActionBody, response: { 200: PullStream, ...ACTION_ERROR_RESPONSES } },
      schemaErrorFormatter: validationMessage,
    },
    async (req, reply) =>
      relayStream(reply, (signal) =>
        ctx.selfProxy.send({
          method: 'POST',
          path: '/api/pull',
          body: {
            model: req.body.model,
            stream: true,
            ...(req.body.insecure !== undefined ? { insecure: req.body.insecure } : {}),
          },
          signal,
        })
      )
  );
}
