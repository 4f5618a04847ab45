import { classify, classifyText } from './classify';
import type { Category } from '@ollama-lens/contracts';

// Realistic prompts, as people type them into chat UIs, IDE plugins and scripts.
const CASES: [Category, string][] = [
  [
    'summarization',
    'Summarize the following article in three bullet points:\n\nThe city council voted on Tuesday to expand the bike lane network by 40 km over the next five years, citing a 30% rise in cycling since 2020...',
  ],
  ['summarization', 'tl;dr this thread please'],
  [
    'summarization',
    'Can you give me the key takeaways from this meeting transcript? Alice: we need to ship by Friday. Bob: QA is behind...',
  ],
  [
    'summarization',
    `${'The quarterly report shows steady progress across all regions. '.repeat(30)}\n\nPlease condense the above into one paragraph.`,
  ],
  ['summarization', 'Write a short synopsis of the first Harry Potter book.'],
  ['translation', 'Translate "Where is the train station?" into German.'],
  [
    'translation',
    'Please translate this paragraph to Spanish: Our office will be closed on Monday for the public holiday.',
  ],
  ['translation', 'How do you say "thank you very much" in Japanese?'],
  ['translation', 'Traduis ce texte en anglais : Je voudrais réserver une table pour deux personnes.'],
  ['translation', 'Übersetze bitte ins Englische: Das Wetter ist heute schön.'],
  ['translation', 'From English to French: "The meeting has been moved to 3 pm."'],
  ['code', 'Write a Python function that checks whether a string is a palindrome.'],
  ['code', 'Why does this throw?\n```js\nconst x = undefined;\nx.foo();\n```'],
  [
    'code',
    'Traceback (most recent call last):\n  File "app.py", line 12, in <module>\n    main()\nKeyError: \'user_id\'\nhow do I fix this',
  ],
  ['code', 'Convert this bash script to PowerShell: for f in *.log; do gzip "$f"; done'],
  ['code', 'Translate this Python snippet into Rust:\ndef add(a, b):\n    return a + b'],
  ['code', 'Write a SQL query that returns the top 5 customers by total order value.'],
  ['code', 'Refactor this React component to use hooks instead of a class.'],
  [
    'code',
    'def fib(n):\n    if n < 2:\n        return n\n    return fib(n-1) + fib(n-2)\n\nexplain the complexity of this code',
  ],
  [
    'analysis',
    'Analyze the sentiment of these customer reviews: "Great product!", "Terrible support", "Okay for the price".',
  ],
  [
    'analysis',
    'Compare PostgreSQL and MongoDB for a multi-tenant SaaS application. What are the trade-offs?',
  ],
  [
    'analysis',
    'Here are our monthly sales:\nmonth,revenue,units\njan,1200,30\nfeb,1500,41\nmar,900,22\napr,1800,50\nWhat trends do you see and why did March drop?',
  ],
  ['analysis', 'What are the pros and cons of remote work for junior engineers?'],
  ['analysis', 'Extract all dates and names from the following contract and identify any risks.'],
  ['chat', 'hi there!'],
  ['chat', 'How are you today?'],
  ['chat', 'Tell me a joke about penguins.'],
  ['chat', 'What is the capital of Australia?'],
  ['chat', 'Write a haiku about autumn rain.'],
  ['chat', 'I have a job interview tomorrow, any tips?'],
  ['other', ''],
  ['other', '   '],
  ['other', '0.12 0.55 0.91 0.33 0.05 '.repeat(200)],
];

describe('classify', () => {
  const named = CASES.map(
    ([category, text]) => [category, text.slice(0, 60).replace(/\s+/g, ' '), text] as const
  );
  test.each(named)('%s ← "%s"', (expected, _label, text) => {
    expect(classifyText(text)).toBe(expected);
  });

  test('reads the last user message of a chat, not the assistant turns', () => {
    const category = classify({
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Write a Go function that reverses a slice.' },
        { role: 'assistant', content: 'func reverse(s []int) { ... }' },
        { role: 'user', content: 'Now summarize what we discussed in two sentences.' },
      ],
    });
    expect(category).toBe('summarization');
  });

  test('a system prompt hints at the task when the user message is bare material', () => {
    expect(
      classify({
        system: 'You are a professional translator. Translate everything into French.',
        messages: [{ role: 'user', content: 'Good evening, dear guests.' }],
      })
    ).toBe('translation');
  });

  test('no prompt (embeddings, model management) is other', () => {
    expect(classify(undefined)).toBe('other');
    expect(classify({ inputs: 3 })).toBe('other');
  });

  test('is fast enough for the write path on long prompts', () => {
    // Not a timing assertion: checks the bounded sample keeps a 1 MB prompt classifiable at all.
    const huge = 'lorem ipsum dolor sit amet '.repeat(40000) + '\nSummarize the text above.';
    expect(classifyText(huge)).toBe('summarization');
  });
});
