import type { PriceTable } from '../config';

/**
 * Shadow cost of a request in USD: what the tokens would cost at the configured per-million-token
 * prices, so local use can be compared with paid APIs. Pure, shared by the metrics recorder
 * (ollama_cost_total) and the store (each message's cost), so both always agree.
 *
 * The price is the model's own entry (`llama3.2` and `llama3.2:latest` name the same model), else the
 * `*` entry; without either the cost is unknown (undefined), as it is when neither token count is
 * known. A missing count alone costs 0.
 */
export function costOf(
  prices: PriceTable,
  model: string | undefined,
  inputTokens: number | undefined,
  outputTokens: number | undefined
): number | undefined {
  return costSplitOf(prices, model, inputTokens, outputTokens)?.total;
}

/**
 * The cost and its two parts, the prompt's (input) and the answer's (output); unknown as costOf. The
 * total is one expression, as before the split (the parts' sum may differ from it in the last bit).
 */
export function costSplitOf(
  prices: PriceTable,
  model: string | undefined,
  inputTokens: number | undefined,
  outputTokens: number | undefined
): { total: number; input: number; output: number } | undefined {
  const price = priceOf(prices, model);
  if (!price) return undefined;
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const input = (inputTokens ?? 0) * price.input;
  const output = (outputTokens ?? 0) * price.output;
  return { total: (input + output) / 1e6, input: input / 1e6, output: output / 1e6 };
}

function priceOf(prices: PriceTable, model: string | undefined): PriceTable[string] | undefined {
  if (model) {
    const alias = model.endsWith(':latest') ? model.slice(0, -':latest'.length) : `${model}:latest`;
    const own = entry(prices, model) ?? entry(prices, alias);
    if (own) return own;
  }
  return entry(prices, '*');
}

/** Own entries only: a model called `constructor` must not find Object.prototype's. */
function entry(prices: PriceTable, key: string): PriceTable[string] | undefined {
  return Object.prototype.hasOwnProperty.call(prices, key) ? prices[key] : undefined;
}
