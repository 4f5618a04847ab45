import type { AnalyticsContext } from '../analytics/plugin';
import type { OllamaModels } from './ollama-models';
import type { PreferencesFile } from './preferences';
import type { SelfProxy } from './self-proxy';

/** What the Models page's and the Playground's route modules share (built once in plugin.ts). */
export interface ModelsContext extends AnalyticsContext {
  /** Reads of Ollama's model state (direct, not measured). */
  ollama: OllamaModels;
  preferences: PreferencesFile;
  /** Requests through the sidecar's own proxy (measured, stored, turned into events). */
  selfProxy: SelfProxy;
}
