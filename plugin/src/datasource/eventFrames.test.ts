import type { LensEvent } from '@ollama-lens/contracts';
import { eventsFrame, statusFrame } from './eventFrames';

const T = 1_790_000_000_000;

describe('event and status frames', () => {
  it('an annotation frame: time, title with the model, details as text, group and type as tags', () => {
    const events: LensEvent[] = [
      {
        at: T,
        type: 'model_loaded',
        model: 'tiny:latest',
        details: { placement: 'cpu', size_bytes: 13492736, digest: null },
      },
      { at: T + 5000, type: 'ollama_up', model: null, details: { version: '0.10.1', down_ms: 4000 } },
    ];
    const frame = eventsFrame('A', events);
    const field = (name: string) => frame.fields.find((f) => f.name === name)?.values;
    expect(frame.refId).toBe('A');
    expect(field('time')).toEqual([T, T + 5000]);
    expect(field('title')).toEqual(['Model loaded: tiny:latest', 'Ollama up']);
    expect(field('text')).toEqual(['placement: cpu, size bytes: 13492736', 'version: 0.10.1, down ms: 4000']);
    expect(field('tags')).toEqual([
      ['models', 'model_loaded', 'tiny:latest'],
      ['ollama', 'ollama_up'],
    ]);
  });

  it('the status line as one row, its level a number for thresholds', () => {
    const frame = statusFrame('S', { line: 'Ollama is down', level: 'critical', facts: [], source: 'rules', at: T });
    expect(frame.fields.map((f) => [f.name, f.values[0]])).toEqual([
      ['time', T],
      ['status', 'Ollama is down'],
      ['level', 2],
      ['source', 'rules'],
    ]);
    expect(frame.fields[1].config.color).toEqual({ mode: 'fixed', fixedColor: 'red' });
  });
});
