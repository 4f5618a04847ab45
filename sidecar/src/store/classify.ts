import type { PromptInfo } from '../tap/record';
import type { Category } from '@ollama-lens/contracts';

/**
 * A fast heuristic prompt classifier for the Explorer's category filter and donut chart. It reads
 * only the text the user wrote (the prompt, or the last user message of a chat), scores a handful of
 * precompiled patterns and picks the best category; it runs on the store's write path, so it looks at
 * a bounded sample of the text and never at the whole conversation.
 */

const NATURAL_LANGUAGES =
  'english|french|spanish|german|italian|portuguese|japanese|chinese|mandarin|cantonese|korean|russian|arabic|hindi|bengali|urdu|dutch|swedish|norwegian|danish|finnish|polish|czech|slovak|hungarian|romanian|bulgarian|greek|turkish|hebrew|persian|farsi|vietnamese|thai|indonesian|malay|tagalog|filipino|ukrainian|croatian|serbian|catalan|swahili|latin|esperanto';
const PROGRAMMING_LANGUAGES =
  'python|javascript|typescript|java|kotlin|scala|swift|rust|golang|go|ruby|php|perl|haskell|elixir|erlang|clojure|c\\+\\+|c#|c|objective-c|dart|lua|r|julia|matlab|fortran|cobol|bash|shell|powershell|sql|html|css|solidity|zig|assembly';

/** Pattern, weight, and whether it only counts inside the instruction (the start and end of the text). */
type Rule = readonly [RegExp, number, 'instruction' | 'body'];

const RULES: Record<Exclude<Category, 'other'>, readonly Rule[]> = {
  translation: [
    [
      new RegExp(`\\btranslat\\w*\\b[^.?!\\n]{0,80}?\\b(?:to|into|in)\\s+(?:${NATURAL_LANGUAGES})\\b`),
      6,
      'instruction',
    ],
    [
      new RegExp(`\\b(?:from|in)\\s+(?:${NATURAL_LANGUAGES})\\s+(?:to|into)\\s+(?:${NATURAL_LANGUAGES})\\b`),
      5,
      'instruction',
    ],
    [
      new RegExp(
        `\\bhow (?:do|would|can) (?:you|i|we) say\\b[^?\\n]{0,120}\\bin\\s+(?:${NATURAL_LANGUAGES})\\b`
      ),
      6,
      'instruction',
    ],
    [/\btranslat(?:e|es|ed|ing|ion|or)\b/, 3, 'instruction'],
    [
      /(?:\btradu(?:ire|is|isez|ce|cir|za|zir|zca|rre|ci)\b|übersetz|\bvertaal|\bprzetłumacz|\bперевед|翻訳|翻译|翻譯|번역)/,
      5,
      'instruction',
    ],
  ],
  summarization: [
    [
      /\b(?:summar(?:y|ies|ize|ise|ized|ised|izing|ising|ization)|tl;?dr|recap|synopsis|condense|in a nutshell)\b/,
      5,
      'instruction',
    ],
    [
      /\b(?:key (?:points|takeaways|ideas)|main (?:points|ideas|takeaways)|the gist|brief overview|short version)\b/,
      3,
      'instruction',
    ],
    [
      /\b(?:in|into|with(?:in)?|using) (?:\d+|one|two|three|four|five|a few|a couple of) (?:short )?(?:sentences?|bullet points?|bullets|paragraphs?|words|lines)\b/,
      3,
      'instruction',
    ],
    [/\b(?:shorten|boil (?:it|this) down|abstract for)\b/, 2, 'instruction'],
  ],
  code: [
    [/```/, 4, 'body'],
    [
      new RegExp(
        `\\b(?:translate|convert|port|rewrite)\\b[^.?!\\n]{0,80}?\\b(?:to|into|in)\\s+(?:${PROGRAMMING_LANGUAGES})\\b`
      ),
      7,
      'instruction',
    ],
    [
      /\b(?:write|implement|create|generate|fix|debug|refactor|optimi[sz]e|review|explain|complete|document)\b[^.?!\n]{0,50}?\b(?:function|method|class|script|program|code|snippet|regex|regular expression|(?:sql )?query|unit tests?|test cases?|algorithm|endpoint|component|module|dockerfile|makefile|bug|stack ?trace|compiler error)s?\b/,
      5,
      'instruction',
    ],
    [
      /\b(?:traceback \(most recent call last\)|segmentation fault|null ?pointer exception|undefined is not a function|syntaxerror|typeerror|referenceerror|valueerror|keyerror|nullreferenceexception|stack ?trace|compil(?:e|er|ation) error|exit code \d+)/,
      4,
      'body',
    ],
    [
      /(?:^|\n)\s*(?:def |class \w+[:(]|function\s+\w+\s*\(|const \w+ = |let \w+ = |import \w|from \w+ import|#include\s*<|public (?:static )?(?:void|class)|fn \w+\(|func \w+\(|SELECT\s.+\sFROM\s)/i,
      3,
      'body',
    ],
    [/(?:=>|!==|===|\+\+|::|->|\{\s*\n|;\s*\n)/, 1, 'body'],
    [
      new RegExp(
        `\\b(?:${PROGRAMMING_LANGUAGES.replace('|go|', '|').replace('|c|', '|').replace('|r|', '|')}|react|node\\.?js|django|flask|numpy|pandas|kubernetes|docker|git|api|json|yaml|regex)\\b`
      ),
      1.5,
      'body',
    ],
  ],
  analysis: [
    [
      /\b(?:analy[sz](?:e|es|ed|ing|is)|evaluate|assess(?:ment)?|compare|comparison|contrast|pros and cons|advantages and disadvantages|trade-?offs?|sentiment|classify|categori[sz]e|root cause|swot|critique|interpret(?:ation)?|correlation|implications?|insights?)\b/,
      4,
      'instruction',
    ],
    [
      /\b(?:extract|identify|list) (?:all |the )?(?:entities|names|dates|key metrics|themes|risks|trends|patterns|anomalies|outliers)\b/,
      4,
      'instruction',
    ],
    [
      /\b(?:what (?:are|were) the (?:main )?(?:trends|drivers|causes|risks|differences)|why did .{0,60}(?:increase|decrease|drop|rise|fall|grow)|which (?:one|option) is better)\b/,
      3,
      'instruction',
    ],
    [
      /\b(?:data ?set|statistic(?:s|al)|regression|mean|median|variance|percent(?:age)?|quarter(?:ly)?|revenue|growth|kpi|metrics?)\b/,
      1,
      'body',
    ],
    [/(?:\n[^\n]*,[^\n]*,[^\n]*){3}|(?:\n\s*\|[^\n]*\|){3}/, 2, 'body'],
  ],
  chat: [
    [
      /^\s*(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|thanks|thank you|how are you|what's up|bonjour|hola|hallo|ciao)\b/,
      4,
      'instruction',
    ],
    [
      /\b(?:tell me (?:a joke|about yourself|a story)|who are you|what do you think|can you help|could you help|what should i|any (?:tips|advice|ideas|recommendations)|recommend|suggest|how (?:do|can|should) i)\b/,
      2,
      'instruction',
    ],
    [
      /\b(?:write|compose) (?:me )?(?:a |an )?(?:poem|haiku|song|story|limerick|email|letter|toast|speech)\b/,
      2,
      'instruction',
    ],
  ],
};

/** Higher first when two categories score the same: the more specific intent wins. */
const PRIORITY: readonly Exclude<Category, 'other'>[] = [
  'translation',
  'summarization',
  'code',
  'analysis',
  'chat',
];

const SAMPLE_CHARS = 2000;
const INSTRUCTION_CHARS = 400;
const MIN_SCORE = 3;

/** The text the user wrote: the prompt, or the last user message (plus the system prompt, weakly). */
export function instructionText(prompt: PromptInfo | undefined): string {
  if (!prompt) return '';
  if (prompt.messages && prompt.messages.length > 0) {
    for (let i = prompt.messages.length - 1; i >= 0; i--) {
      const m = prompt.messages[i];
      if (m.role === 'user' && m.content) return m.content;
    }
    return prompt.messages[prompt.messages.length - 1].content ?? '';
  }
  return prompt.prompt ?? '';
}

export function classify(prompt: PromptInfo | undefined): Category {
  const text = instructionText(prompt);
  return classifyText(text, prompt?.system);
}

export function classifyText(text: string, system?: string): Category {
  const trimmed = text.trim();
  if (trimmed.length === 0) return system ? classifyText(system) : 'other';
  // Long inputs put the instruction at the start ("Summarize the following: …") or at the end
  // ("… Translate the above into French."); the middle is material, scanned only for body features.
  const sample = (
    trimmed.length > SAMPLE_CHARS
      ? trimmed.slice(0, SAMPLE_CHARS / 2) + '\n' + trimmed.slice(-SAMPLE_CHARS / 2)
      : trimmed
  ).toLowerCase();
  const instruction =
    sample.length > INSTRUCTION_CHARS * 2
      ? sample.slice(0, INSTRUCTION_CHARS) + '\n' + sample.slice(-INSTRUCTION_CHARS)
      : sample;
  const systemLower = system ? system.toLowerCase().slice(0, INSTRUCTION_CHARS) : '';

  let best: Exclude<Category, 'other'> | undefined;
  let bestScore = 0;
  for (const category of PRIORITY) {
    let score = 0;
    for (const [re, weight, where] of RULES[category]) {
      if (re.test(where === 'instruction' ? instruction : sample)) score += weight;
      // A system prompt ("You are a translator…") hints at the task but weighs less than the user's words.
      else if (where === 'instruction' && systemLower && re.test(systemLower)) score += weight / 2;
    }
    if (score > bestScore) {
      best = category;
      bestScore = score;
    }
  }
  if (best && bestScore >= MIN_SCORE) return best;
  // No clear task: a conversational turn if it reads like words addressed to the assistant.
  if (/\p{L}{2,}/u.test(trimmed) && (trimmed.length < 600 || /[?]\s*$/.test(trimmed))) return 'chat';
  return 'other';
}
