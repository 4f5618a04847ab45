import { ConfigError, loadConfig } from '../config';
import { exportInit, parseHeaders, tracesUrl } from './otel-export';

describe('OpenTelemetry options', () => {
  it('are off by default', () => {
    const c = loadConfig([], {});
    expect({ endpoint: c.otlpEndpoint, capture: c.otlpCaptureContent, queue: c.otlpQueueSize }).toEqual({
      endpoint: '',
      capture: false,
      queue: 2048,
    });
  });

  it('take an http(s) endpoint and name=value headers, from flags or the environment', () => {
    const c = loadConfig(['--otlp-endpoint', 'https://collector.example:4318/'], {
      OLLAMA_LENS_OTLP_HEADERS: 'api-key=abc=def, X-Team=ml',
      OLLAMA_LENS_OTLP_SERVICE_NAME: 'lens-eu',
      OLLAMA_LENS_UPSTREAM: 'http://[::1]:11434',
    });
    const init = exportInit(c);
    expect(init.tracesUrl).toBe('https://collector.example:4318/v1/traces');
    expect(init.headers).toEqual({ 'api-key': 'abc=def', 'x-team': 'ml' });
    expect(init.resource['service.name']).toBe('lens-eu');
    expect(init.server).toEqual({ address: '::1', port: 11434 });
  });

  it.each([
    [['--otlp-endpoint', 'collector:4318'], /--otlp-endpoint: not an http\(s\) URL/],
    [['--otlp-endpoint', 'grpc://collector:4317'], /--otlp-endpoint: not an http\(s\) URL/],
    [
      ['--otlp-endpoint', 'http://c:4318', '--otlp-headers', 'novalue'],
      /--otlp-headers: expected name=value/,
    ],
    [['--otlp-queue-size', '0'], /at least 1/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError);
    expect(() => loadConfig(argv, {})).toThrow(message);
  });

  it('the traces URL and headers helpers', () => {
    expect(tracesUrl('http://c:4318')).toBe('http://c:4318/v1/traces');
    expect(tracesUrl('http://c:4318/otlp//')).toBe('http://c:4318/otlp/v1/traces');
    expect(parseHeaders([])).toEqual({});
  });

  it('the default upstream port follows the scheme', () => {
    const c = loadConfig(['--otlp-endpoint', 'http://c:4318', '--upstream', 'https://ollama.internal'], {});
    expect(exportInit(c).server).toEqual({ address: 'ollama.internal', port: 443 });
  });
});
