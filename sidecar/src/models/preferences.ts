/**
 * The favourites and the default model (seed 003's model repository), kept by the sidecar in a small
 * JSON file beside the store (`<--db>.preferences.json`, or --preferences-file).
 *
 * Why a file and not a table in the store: the preferences are settings, not measurements. They must
 * survive what happens to the messages (retention, --max-db-mb, "delete all data"), work with the
 * store off (--store=false) and whichever store backend runs (SQLite or PostgreSQL) without each
 * backend growing a settings table, and a PUT must not wait behind the writer thread's batches. A
 * write goes to a temporary file that is flushed and renamed over the old one, so a crash leaves
 * either the old preferences or the new, never half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FAVOURITES_MAX, MODEL_NAME_MAX_LENGTH, MODEL_NAME_PATTERN } from '@ollama-lens/contracts';
import type { ModelPreferences } from '@ollama-lens/contracts';
import type { Config } from '../config';
import { isPostgresUrl } from '../store/postgres/url';

/** With a PostgreSQL store and no --preferences-file. */
export const DEFAULT_PG_PREFERENCES = './data/model-preferences.json';

export const EMPTY_PREFERENCES: ModelPreferences = { favourites: [], default_model: null };

const NAME = new RegExp(MODEL_NAME_PATTERN);
const validName = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= MODEL_NAME_MAX_LENGTH && NAME.test(v);

/**
 * The preferences in a file as written by this sidecar or by hand: names that are not model names are
 * dropped (never passed on to the page), duplicates kept once.
 */
export function parsePreferences(raw: unknown): ModelPreferences {
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const favourites = Array.isArray(o.favourites) ? [...new Set(o.favourites.filter(validName))] : [];
  return {
    favourites: favourites.slice(0, FAVOURITES_MAX),
    default_model: validName(o.default_model) ? o.default_model : null,
  };
}

/**
 * Where the preferences live: --preferences-file, else beside the SQLite file; null for an in-memory
 * store (kept in memory too). Never derived from a PostgreSQL URL (it may hold the password, and names
 * no local directory): then ./data, where the SQLite store's default lives.
 */
export function preferencesPath(c: Pick<Config, 'preferencesFile' | 'dbPath'>): string | null {
  if (c.preferencesFile) return c.preferencesFile;
  if (c.dbPath === ':memory:') return null;
  if (isPostgresUrl(c.dbPath)) return DEFAULT_PG_PREFERENCES;
  return `${c.dbPath}.preferences.json`;
}

export class PreferencesFile {
  private current: ModelPreferences | undefined;
  /** Writes run one after another, so the file always ends with the last PUT. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string | null,
    private readonly onError: (err: Error) => void = () => {}
  ) {}

  /** The preferences; a missing file means none, an unreadable one is reported and treated as none. */
  async read(): Promise<ModelPreferences> {
    if (this.current) return this.current;
    let prefs = EMPTY_PREFERENCES;
    if (this.path) {
      try {
        prefs = parsePreferences(JSON.parse(await readFile(this.path, 'utf8')));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
      }
    }
    this.current ??= prefs;
    return this.current;
  }

  /** Replaces the preferences (the route has validated them) and persists them before resolving. */
  async write(prefs: ModelPreferences): Promise<ModelPreferences> {
    const next: ModelPreferences = {
      favourites: [...new Set(prefs.favourites)],
      default_model: prefs.default_model,
    };
    const done = this.writing.then(() => this.persist(next));
    this.writing = done.catch(() => {});
    await done;
    this.current = next;
    return next;
  }

  private async persist(prefs: ModelPreferences): Promise<void> {
    if (!this.path) return;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${randomUUID()}.tmp`;
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(prefs, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }
}
