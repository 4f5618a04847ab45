import { cleanPhrase, statusPrompt } from './phrase';
import { MAX_LINE_CHARS } from './rules';

describe('the model-phrased line', () => {
  it('the prompt carries every fact with its level', () => {
    const prompt = statusPrompt(
      [
        { id: 'errors', level: 'critical', text: '38 % of requests failing' },
        { id: 'activity', level: 'ok', text: '50 requests in 5 min' },
      ],
      'critical'
    );
    expect(prompt).toContain('Overall level: critical');
    expect(prompt).toContain('- [critical] 38 % of requests failing');
    expect(prompt).toContain(`at most ${MAX_LINE_CHARS} characters`);
  });

  it('keeps the first non-empty line, unquoted and with its spaces collapsed', () => {
    expect(cleanPhrase('\n  "Errors are up:  38 % failing."  \nSecond line')).toBe(
      'Errors are up: 38 % failing.'
    );
    expect(cleanPhrase('**All quiet on tiny.**')).toBe('All quiet on tiny.');
  });

  it('refuses what cannot be a banner: empty, too long, control or bidi characters', () => {
    expect(cleanPhrase('   \n \n')).toBeUndefined();
    expect(cleanPhrase('ok')).toBeUndefined();
    expect(cleanPhrase('x'.repeat(MAX_LINE_CHARS + 1))).toBeUndefined();
    expect(cleanPhrase('fine\u0007')).toBeUndefined();
    expect(cleanPhrase('abc \u202e evil')).toBeUndefined();
  });
});
