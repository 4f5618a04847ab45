import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_PG_PREFERENCES,
  EMPTY_PREFERENCES,
  parsePreferences,
  PreferencesFile,
  preferencesPath,
} from './preferences';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ollama-lens-prefs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('model preferences', () => {
  test('a file edited by hand: names that are no model names are dropped, duplicates kept once', () => {
    expect(
      parsePreferences({
        favourites: ['tiny:latest', 'tiny:latest', '../x', 42, 'hf.co/u/r:Q4_K_M', 'a b'],
        default_model: '<script>',
        extra: true,
      })
    ).toEqual({ favourites: ['tiny:latest', 'hf.co/u/r:Q4_K_M'], default_model: null });
    expect(parsePreferences('nonsense')).toEqual(EMPTY_PREFERENCES);
  });

  test('where they live: --preferences-file, beside a SQLite file, never inside a PostgreSQL URL', () => {
    expect(preferencesPath({ dbPath: './data/x.db', preferencesFile: '/etc/lens/prefs.json' })).toBe(
      '/etc/lens/prefs.json'
    );
    expect(preferencesPath({ dbPath: './data/x.db', preferencesFile: '' })).toBe(
      './data/x.db.preferences.json'
    );
    expect(preferencesPath({ dbPath: 'postgres://lens:secret@db:5432/lens', preferencesFile: '' })).toBe(
      DEFAULT_PG_PREFERENCES
    );
  });

  test('written whole (no temporary file left), read back by a new instance', async () => {
    const path = preferencesPath({ dbPath: join(dir, 'sub', 'lens.db'), preferencesFile: '' })!;
    expect(path).toBe(join(dir, 'sub', 'lens.db.preferences.json'));
    const file = new PreferencesFile(path);
    expect(await file.read()).toEqual(EMPTY_PREFERENCES);
    // Concurrent writes land in order: the file ends with the last.
    await Promise.all([
      file.write({ favourites: ['a:latest'], default_model: null }),
      file.write({ favourites: ['b:latest', 'b:latest'], default_model: 'b:latest' }),
    ]);
    const want = { favourites: ['b:latest'], default_model: 'b:latest' };
    expect(await file.read()).toEqual(want);
    expect(await new PreferencesFile(path).read()).toEqual(want);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['lens.db.preferences.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(want);
  });

  test('an unreadable file is reported and read as none; an in-memory store keeps them in memory', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"favourites": [');
    const errors: Error[] = [];
    expect(await new PreferencesFile(path, (e) => errors.push(e)).read()).toEqual(EMPTY_PREFERENCES);
    expect(errors).toHaveLength(1);
    expect(preferencesPath({ dbPath: ':memory:', preferencesFile: '' })).toBeNull();
    const memory = new PreferencesFile(null);
    await memory.write({ favourites: ['x:1'], default_model: null });
    expect(await memory.read()).toEqual({ favourites: ['x:1'], default_model: null });
  });
});
