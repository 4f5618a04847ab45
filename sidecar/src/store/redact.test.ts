import { luhnValid, Redactor } from './redact';

const r = new Redactor();

describe('Redactor', () => {
  test.each([
    [
      'OpenAI key',
      'my key is sk-proj-4fGh7Jk2Lm9Nq3Rs5Tv8Wx1Yz0AbCdEf, use it',
      'sk-proj-4fGh7Jk2Lm9Nq3Rs5Tv8Wx1Yz0AbCdEf',
      '[REDACTED:api_key]',
    ],
    [
      'Anthropic key',
      'ANTHROPIC_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345',
      'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345',
      '[REDACTED:api_key]',
    ],
    [
      'GitHub token',
      'export GITHUB_TOKEN=ghp_1234567890abcdefghijklmnopqrstuvwxyzAB',
      'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB',
      '[REDACTED:api_key]',
    ],
    [
      'Slack token',
      'SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKl',
      'xoxb-123456789012-1234567890123-AbCdEfGhIjKl',
      '[REDACTED:api_key]',
    ],
    [
      'Google API key',
      'key=AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      '[REDACTED:api_key]',
    ],
    [
      'bearer token',
      'curl -H "Authorization: Bearer eyXk29dk3l_2kd.ddk2" https://api',
      'eyXk29dk3l_2kd.ddk2',
      'Bearer [REDACTED:token]',
    ],
    [
      'JWT',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U here',
      'eyJhbGciOiJIUzI1NiJ9',
      '[REDACTED:jwt]',
    ],
    [
      'AWS access key id',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
      'AKIAIOSFODNN7EXAMPLE',
      '[REDACTED:aws_key]',
    ],
    [
      'AWS secret',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key = [REDACTED:aws_secret]',
    ],
    [
      'password assignment',
      'DB_URL ok; password: "hunter2hunter2"',
      'hunter2hunter2',
      'password: "[REDACTED:secret]"',
    ],
    [
      'email',
      'Contact jane.doe+news@mail.example.co.uk for details',
      'jane.doe+news@mail.example.co.uk',
      'Contact [REDACTED:email] for details',
    ],
    [
      'card with spaces',
      'card 4111 1111 1111 1111 exp 12/29',
      '4111 1111 1111 1111',
      'card [REDACTED:card] exp',
    ],
    ['card with dashes', 'pay with 5500-0000-0000-0004 now', '5500-0000-0000-0004', '[REDACTED:card]'],
    ['card plain', 'amex 378282246310005.', '378282246310005', '[REDACTED:card]'],
    [
      'private key',
      'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nend',
      'MIIEowIBAAKCAQEA',
      '[REDACTED:private_key]',
    ],
  ])('%s', (_name, input, secret, expected) => {
    const { text, count } = r.redact(input);
    expect(text).not.toContain(secret);
    expect(text).toContain(expected);
    expect(count).toBeGreaterThan(0);
  });

  test('leaves ordinary text alone, including numbers that fail the Luhn check', () => {
    const texts = [
      'Call me at +1 415 555 0132 or order #1234567890123 (not a card).',
      'The function returns sk- prefixed ids like sk-123 which are too short to be keys.',
      'In 2024 revenue grew 12% to $4,500,000.',
      'def token(x): return x  # bearer of bad news',
    ];
    for (const t of texts) expect(r.redact(t)).toEqual({ text: t, count: 0 });
  });

  test('Luhn check', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('1234567890123')).toBe(false);
    expect(luhnValid('123')).toBe(false);
  });

  test('configurable extra patterns, with an optional `secret` group', () => {
    const custom = new Redactor(['EMP-\\d{6}', 'session=(?<secret>[a-f0-9]{8})']);
    const { text, count } = custom.redact('employee EMP-123456 logged in with session=deadbeef today');
    expect(text).toBe('employee [REDACTED:custom] logged in with session=[REDACTED:custom] today');
    expect(count).toBe(2);
  });

  test('an extra pattern that matches the empty string does not hang', () => {
    expect(new Redactor(['x*']).redact('abc xx d').text).toBe('abc [REDACTED:custom] d');
  });

  test('overlapping matches are removed as one span', () => {
    // The email rule and a custom rule overlap; no fragment of either survives.
    const rr = new Redactor(['doe@mail']);
    const { text } = rr.redact('mail john.doe@mail.example.com now');
    expect(text).toBe('mail [REDACTED:email] now');
  });

  test('a secret split across streamed pieces is removed from every piece', () => {
    const pieces = ['Your key: sk-', 'abcdefghij', 'klmnopqrstuv', ' and mail a@', 'b.io', ' bye'];
    const out = r.redactPieces(pieces);
    expect(out.count).toBe(2);
    expect(out.pieces).toHaveLength(pieces.length);
    const joined = out.pieces.join('');
    expect(joined).toBe('Your key: [REDACTED:api_key] and mail [REDACTED:email] bye');
    for (const p of out.pieces) {
      expect(p).not.toMatch(/abcdefghij|klmnop|a@|b\.io/);
    }
    // The placeholder arrives with the piece where the secret started; the rest of it becomes empty.
    expect(out.pieces.slice(0, 3)).toEqual(['Your key: [REDACTED:api_key]', '', '']);
    expect(out.pieces[5]).toBe(' bye');
  });

  test('pieces without secrets come back unchanged', () => {
    expect(r.redactPieces(['Hello', ' world'])).toEqual({ pieces: ['Hello', ' world'], count: 0 });
  });
});
