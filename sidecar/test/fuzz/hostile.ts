/**
 * Hostile inputs for the analytics API, as fast-check arbitraries: request cases generated from a
 * route's own schemas (valid values from each property's type and bounds, hostile values for every
 * property), and the payload pools an attacker or an unlucky link would send.
 */
import fc from 'fast-check';
import type { PropSchema, RouteSpec } from './routes';

/** One request: everything needed to put it on the wire. */
export interface FuzzCase {
  method: string;
  /** Index into the route list the case was generated for. */
  route: number;
  /** Wire text for the route's `:id` or `*` segment. */
  segment: string;
  /** Wire text of each key and value (already percent-encoded, or deliberately broken). */
  query: [string, string][];
  /** The whole query repeated this many times (thousands of repeated parameters). */
  repeat: number;
  body?: string;
}

/** Percent-encodes every byte but the unreserved ones; a lone surrogate becomes U+FFFD, as in UTF-8. */
export function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export const HOSTILE_NUMBERS = [
  'Infinity',
  '-Infinity',
  'NaN',
  '1e400',
  '-1e400',
  '99999999999999999999999',
  '-99999999999999999999999',
  '-0',
  '0x10',
  '0b11',
  '0o7',
  '1e-400',
  '9007199254740993',
  '4102444800001',
  '1.5',
  '-1',
  '+1',
  '%201',
  '1_000',
  '%EF%BC%91',
  '1%00',
  '0.0000001',
  '1e308',
  '1.7976931348623157e309',
  '00001',
  '1e3',
  '',
];

/** Decoded strings, percent-encoded on the wire. */
export const HOSTILE_STRINGS = [
  // NUL and control characters
  '\0',
  'a\0b',
  '\x01\x1b[31m',
  '\r\nX-Injected: 1',
  // FTS5 query syntax
  '"',
  '""',
  '"unbalanced',
  'NEAR(a b',
  'a NEAR/3 b',
  '*',
  'a*',
  '^a',
  'prompt_text:x',
  '{prompt_text response_text}:x',
  '-a',
  'a AND',
  'OR',
  'NOT a',
  '(a',
  'a)',
  'NEAR()',
  'rank:1',
  'a:b:c',
  '"a" + "b"',
  'AND OR NOT',
  // SQL
  "' OR 1=1 --",
  '"; DROP TABLE messages; --',
  '1; SELECT * FROM sqlite_master',
  "%' --",
  '\\',
  "')",
  ' UNION SELECT 1,2,3--',
  'randomblob(1000000000)',
  "x' || zeroblob(1000000000) || '",
  '%',
  '_',
  // prototype keys
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '{"__proto__":{"polluted":1}}',
  // traversal
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd\0.png',
  '....//....//etc/passwd',
  'file:///etc/passwd',
  // unicode oddities (a lone surrogate is sent as U+FFFD)
  '\uD800',
  '\uFFFF',
  '\u202Eevil',
  'ＡＢＣ',
  '🙂'.repeat(50),
  'e\u0301',
  // enum look-alikes
  'success,error,bogus',
  'time',
  'DESC',
  'csv\0',
  'summarization,,,,',
  ',,,',
];

/** Wire text sent as is: bad percent-encoding, invalid UTF-8, raw high bytes, encoded traversal. */
export const RAW_WIRE = [
  '%',
  '%G1',
  '%E2%82',
  '%C3%28',
  '%FF%FE',
  '%ED%A0%80',
  '%C0%AF',
  '\x80\xff',
  '\xc3\x28',
  '%00',
  'a%00b',
  '%u0041',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2F..%2Fetc%2Fpasswd',
  '%252e%252e%252f',
  '..%5c..%5c',
  '+',
  '&&&',
  '==',
  ';',
  '%25%32%65',
  '%F0%9F',
  '%F4%90%80%80',
];

/** Path segments for `:id` and the catch-all. */
export const HOSTILE_SEGMENTS = [
  '..',
  '...',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f',
  '..%5c..%5cwindows',
  '%00',
  'a%00b',
  '%',
  '%G1',
  '%C3%28',
  '\x80\xff',
  '__proto__',
  'constructor',
  '%20',
  "'%20OR%201=1--",
  '%22',
  '*',
  'x'.repeat(199),
  'x'.repeat(201),
  'x'.repeat(1001),
  'messages/../../api/tags',
  '..;/',
  '.%2e/.%2e/api/tags',
  '%2Fapi%2Ftags',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'constructor.prototype.polluted',
  'hasOwnProperty',
  'toString',
  'q[]',
  'a[b]',
  '%00',
  '',
  'from%00',
  'FROM',
];

export const ODD_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'PURGE',
  'FOO',
  'get',
  'M-SEARCH',
];

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** Cursors an attacker would craft: the right shape with hostile parts, and the wrong shape. */
export const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('time', 'model', 'user', 'tokens', 'latency', 'input_tokens', 'x', '__proto__'),
      fc.constantFrom('asc', 'desc', 'ASC', ''),
      fc.oneof(
        fc.constantFrom<unknown>(
          1e308,
          -1e308,
          0,
          -1,
          9007199254740993,
          'a'.repeat(1000),
          "' OR 1=1 --",
          null,
          {},
          [],
          true
        ),
        fc.string({ maxLength: 30 }),
        fc.double({ noNaN: true, noDefaultInfinity: true })
      ),
      fc.constantFrom<unknown>(1, 0, -1, 2 ** 53, 2 ** 53 + 2, 1.5, '1', null, 1e308)
    )
    .map((c) => b64url(JSON.stringify(c))),
  fc
    .constantFrom(
      '["time","desc",1e400,1]',
      '["time","desc",-1e400,1]',
      '{"__proto__":{"polluted":1}}',
      '["time","desc",1,1,5]',
      '[',
      '',
      'null',
      '"x"'
    )
    .map(b64url),
  fc.constantFrom('not-base64!', '====', 'A'.repeat(1999), 'A'.repeat(2001), '%00', '_-_-')
);

/** A value the property's schema accepts, on the wire. */
export function validValue(p: PropSchema): fc.Arbitrary<string> {
  const type = [p.type ?? 'string'].flat()[0];
  if (p.enum) return fc.constantFrom(...p.enum.map(String)).map(pct);
  if (type === 'integer')
    return fc
      .integer({ min: p.minimum ?? -1e9, max: Math.min(p.maximum ?? 2 ** 40, Number.MAX_SAFE_INTEGER) })
      .map(String);
  if (type === 'number')
    return fc
      .double({ min: p.minimum ?? -1e9, max: p.maximum ?? 1e12, noNaN: true, noDefaultInfinity: true })
      .map(String);
  if (type === 'boolean') return fc.constantFrom('true', 'false');
  if (type === 'array' && p.items?.enum)
    return fc.subarray(p.items.enum.map(String), { minLength: 1 }).map((a) => pct(a.join(',')));
  return fc.string({ maxLength: Math.min(p.maxLength ?? p.items?.maxLength ?? 40, 40) }).map(pct);
}

/** A value for the property that an attacker, or a broken template, would send. */
export function hostileValue(name: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_NUMBERS), weight: 3 },
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map(pct), weight: 3 },
    { arbitrary: fc.constantFrom(...RAW_WIRE), weight: 2 },
    {
      arbitrary: name === 'cursor' ? forgedCursor : fc.constantFrom(...HOSTILE_NUMBERS),
      weight: name === 'cursor' ? 4 : 1,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(pct), weight: 2 },
    { arbitrary: fc.constantFrom(2_000, 10_000, 100_000).map((n) => 'x'.repeat(n)), weight: 1 }
  );
}

/** Cases for the routes at `indexes` of `routes`. */
export function fuzzCase(
  routes: readonly RouteSpec[],
  indexes: readonly number[],
  oddMethods: readonly string[]
): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...indexes).chain((route) => {
    const spec = routes[route];
    const props = Object.entries(spec.querystring.properties ?? {});
    const param =
      props.length > 0 ? fc.constantFrom(...props) : fc.constant<[string, PropSchema] | undefined>(undefined);
    const pair: fc.Arbitrary<[string, string]> = fc.oneof(
      {
        weight: 6,
        arbitrary: param.chain((p) =>
          p
            ? fc.tuple(
                fc.constant(p[0]),
                fc.oneof(
                  { arbitrary: validValue(p[1]), weight: 1 },
                  { arbitrary: hostileValue(p[0]), weight: 2 }
                )
              )
            : fc.tuple(fc.constantFrom(...PROTO_KEYS), hostileValue(''))
        ),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(
          fc.constantFrom(...PROTO_KEYS, ...RAW_WIRE),
          fc.constantFrom('1', 'x', ...RAW_WIRE)
        ),
      }
    );
    const needsSegment = spec.url.includes(':') || spec.url.endsWith('*');
    return fc.record({
      method: fc.oneof(
        { arbitrary: fc.constant(spec.method), weight: 4 },
        { arbitrary: fc.constantFrom(...oddMethods), weight: 1 }
      ),
      route: fc.constant(route),
      segment: needsSegment
        ? fc.oneof(fc.constantFrom(...HOSTILE_SEGMENTS), fc.string({ maxLength: 40 }).map(pct), fc.uuid())
        : fc.constant(''),
      query: fc.array(pair, { maxLength: 6 }),
      repeat: fc.oneof(
        { arbitrary: fc.constant(1), weight: 12 },
        { arbitrary: fc.integer({ min: 2, max: 5000 }), weight: 1 }
      ),
      // Mostly none (the routes read no body); sometimes one a careless or hostile client would send.
      body: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 10 },
        {
          arbitrary: fc.constantFrom(
            '{"__proto__":{"polluted":1}}',
            '{"constructor":{"prototype":{"polluted":1}}}',
            'x'.repeat(100_000),
            '\0\xff'
          ),
          weight: 1,
        }
      ),
    });
  });
}

/** The request target of a case: the route's path with its segment, then the (repeated) query. */
export function targetOf(c: FuzzCase, routes: readonly RouteSpec[]): string {
  const url = routes[c.route].url.replace(/:id$/, c.segment).replace(/\*$/, c.segment);
  const one = c.query.map(([k, v]) => `${k}=${v}`).join('&');
  if (!one) return url;
  // Thousands of repeats stay under Node's 16 KiB header limit only for short pairs: long ones are
  // cut to what fits, so the parameter parser (not only the header limit) sees the repetition.
  const times = Math.max(1, Math.min(c.repeat, Math.floor(15_000 / (one.length + 1))));
  return `${url}?${Array.from({ length: times }, () => one).join('&')}`;
}
