import { snippet, tokenize, toFtsQuery } from './search-query';

describe('toFtsQuery', () => {
  test.each([
    ['hello world', '"hello" "world"'],
    ['  spaced   out ', '"spaced" "out"'],
    ['"exact phrase" word', '"exact phrase" "word"'],
    ['pre*', '"pre"*'],
    ['"multi word"*', '"multi word"*'],
    ['a"b', '"a""b"'],
    ['NEAR(a b) OR c', '"NEAR(a" "b)" "OR" "c"'],
    ['col:value', '"col:value"'],
    ['-neg +pos ^start', '"-neg" "+pos" "^start"'],
    ['"unterminated phrase', '"unterminated phrase"'],
    ['**', null],
    ['()', null],
    ['🙂', null],
    ['"  "', null],
  ])('%j → %j', (input, expected) => {
    const q = toFtsQuery(input);
    if (expected === null) expect(q).toEqual({ kind: 'empty' });
    else expect(q.kind === 'match' && q.expression).toBe(expected);
  });

  test('blank input is no search at all', () => {
    expect(toFtsQuery(undefined)).toEqual({ kind: 'none' });
    expect(toFtsQuery(' \t')).toEqual({ kind: 'none' });
  });

  test('at most 32 terms', () => {
    const q = toFtsQuery(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '));
    expect(q.kind === 'match' && q.terms.length).toBe(32);
  });

  test('terms carry the normalised tokens used for highlighting', () => {
    const q = toFtsQuery('Café "New York" x*');
    expect(q.kind === 'match' && q.terms).toEqual([
      { tokens: ['cafe'], prefix: false },
      { tokens: ['new', 'york'], prefix: false },
      { tokens: ['x'], prefix: true },
    ]);
  });
});

describe('snippet', () => {
  const terms = (q: string) => {
    const parsed = toFtsQuery(q);
    if (parsed.kind !== 'match') throw new Error('no terms');
    return parsed.terms;
  };

  test('tokenizes words with accents and non-Latin scripts', () => {
    expect(tokenize('Ça va? 東京 x-y').map((t) => t.norm)).toEqual(['ca', 'va', '東京', 'x', 'y']);
  });

  test('marks every occurrence, phrases and prefixes, keeping the original text', () => {
    expect(snippet('New York is not new jersey; NEWARK too', terms('"new york" newa*'))).toEqual([
      { text: 'New York', match: true },
      { text: ' is not new jersey; ', match: false },
      { text: 'NEWARK', match: true },
      { text: ' too', match: false },
    ]);
  });

  test('a text without a match gives its start', () => {
    expect(snippet('nothing to see here', terms('absent'))).toEqual([
      { text: 'nothing to see here', match: false },
    ]);
    expect(snippet(null, terms('x'))).toEqual([]);
    expect(snippet('🙂🙂', terms('x'))).toEqual([{ text: '🙂🙂', match: false }]);
  });

  test('collapses whitespace and cuts long texts around the densest matches', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
    words[150] = 'target';
    words[152] = 'target';
    const segs = snippet(words.join('\n  '), terms('target'), 10);
    const text = segs.map((s) => s.text).join('');
    expect(text).toBe('…w147 w148 w149 target w151 target w153 w154 w155 w156…');
    expect(segs.filter((s) => s.match)).toHaveLength(2);
  });

  test('markup in the text stays text', () => {
    expect(snippet('<b>bold</b> <script>x</script>', terms('bold'))).toEqual([
      { text: '<b>', match: false },
      { text: 'bold', match: true },
      { text: '</b> <script>x</script>', match: false },
    ]);
  });
});
