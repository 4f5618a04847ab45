import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, helpText, loadConfig, markdownTable, OPTIONS } from './config';

describe('config', () => {
  it('has sensible defaults: loopback, Ollama on 11434, SQLite store on', () => {
    const c = loadConfig([], {});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(11435);
    expect(c.upstream.href).toBe('http://127.0.0.1:11434/');
    expect(c.storeEnabled).toBe(true);
    expect(c.adminToken).toBeUndefined();
  });

  it('reads env vars, and flags win over them', () => {
    const env = {
      OLLAMA_LENS_PORT: '9000',
      OLLAMA_LENS_UPSTREAM: 'http://ollama:11434',
      OLLAMA_LENS_REDACT: 'yes',
    };
    expect(loadConfig([], env)).toMatchObject({ port: 9000, redact: true });
    expect(loadConfig(['--port', '9001'], env).port).toBe(9001);
    expect(loadConfig(['--port=9002'], env).port).toBe(9002);
    expect(loadConfig(['--redact', 'false'], env).redact).toBe(false);
    expect(loadConfig(['--log-records'], {}).logRecords).toBe(true);
  });

  it.each([
    [['--port', 'abc'], /--port .*whole number.*"abc"/],
    [['--port', '70000'], /not a port/],
    [['--upstream', 'localhost:11434'], /only http and https|not a URL/],
    [['--upstream', 'ftp://x'], /only http and https/],
    [['--log-level', 'loud'], /expected one of/],
    [['--store', 'maybe'], /expected true or false/],
    [['--prices', '{"m": {"input": "cheap"}}'], /price of "m"/],
    [['--prices', '{not json'], /not valid JSON/],
    [['--redact-patterns', '(unclosed'], /not a regular expression/],
    [['--nope'], /unknown option --nope/],
    [['--port'], /needs a value/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError);
    expect(() => loadConfig(argv, {})).toThrow(message);
  });

  it('refuses admin endpoints beyond loopback without a token', () => {
    expect(() => loadConfig(['--host', '0.0.0.0'], {})).toThrow(/without a token/);
    expect(loadConfig(['--host', '0.0.0.0', '--admin-token', 's3cret'], {}).adminToken).toBe('s3cret');
    // The proxy may listen widely when the admin endpoints stay on loopback.
    expect(() =>
      loadConfig(['--host', '0.0.0.0', '--admin-port', '9100', '--admin-host', '127.0.0.1'], {})
    ).not.toThrow();
    expect(() => loadConfig(['--admin-port', '9100', '--admin-host', '0.0.0.0'], {})).toThrow(
      /without a token/
    );
  });

  it('reads a price table inline or from a file', () => {
    expect(loadConfig(['--prices', '{"*": {"input": 0.5, "output": 1.5}}'], {}).prices).toEqual({
      '*': { input: 0.5, output: 1.5 },
    });
    expect(() => loadConfig(['--prices', '@/nonexistent/prices.json'], {})).toThrow(/cannot read/);
  });

  it('--help lists every option with its variable', () => {
    const help = helpText();
    for (const o of OPTIONS) {
      expect(help).toContain(o.flag);
      expect(help).toContain(o.env);
    }
  });

  it('the README config table is the one generated from the options', () => {
    // Compared without the column padding a formatter may add.
    const norm = (s: string) => s.replace(/ *\| */g, '|').replace(/\|-{3,}(?=\|)/g, '|---');
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(norm(readme)).toContain(norm(markdownTable()));
  });
  it('refuses a store thread heap too small for the largest captured message', () => {
    expect(() => loadConfig(['--worker-memory-mb', '64'])).toThrow(/at least 128 \(8 × the capture limit\)/);
    expect(
      loadConfig(['--worker-memory-mb', '64', '--capture-limit', String(8 * 1024 * 1024)]).workerMemoryMb
    ).toBe(64);
  });
});
