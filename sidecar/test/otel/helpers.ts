/** Requests through a test sidecar, and what it stored and counted about them. */
import { request } from 'undici';
import type { TestSidecar } from '@ollama-lens/testkit/sidecar';

export interface Sent {
  status: number;
  /** The sidecar's record id (x-ollama-lens-id), which spans carry as ollama_lens.request_id. */
  id: string;
  body: string;
}

export async function send(
  sidecar: TestSidecar,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {}
): Promise<Sent> {
  const res = await request(sidecar.url + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  });
  return { status: res.statusCode, id: String(res.headers['x-ollama-lens-id']), body: await res.body.text() };
}

export interface StoredMessage {
  id: string;
  model: string;
  requested_model: string | null;
  started_at: number;
  ended_at: number;
  duration_ms: number;
  ttft_ms: number | null;
  status: string;
  input_tokens: number | null;
  output_tokens: number | null;
  done_reason: string | null;
  error_type: string | null;
  prompt: { system?: string; prompt?: string; messages?: { role: string; content: string }[] } | null;
  response: { content: string } | null;
}

/** The stored message, as the analytics API serves it (polled: the writer thread batches). */
export async function storedMessage(
  sidecar: TestSidecar,
  id: string,
  timeoutMs = 10_000
): Promise<StoredMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(`${sidecar.adminUrl}/analytics/messages/${id}`);
    const text = await res.body.text();
    if (res.statusCode === 200) return (JSON.parse(text) as { message: StoredMessage }).message;
    if (Date.now() > deadline)
      throw new Error(`message ${id} not stored within ${timeoutMs} ms: ${res.statusCode} ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Value of one series in the sidecar's /metrics (0 when absent). */
export async function metric(sidecar: TestSidecar, series: string): Promise<number> {
  const text = await (await request(`${sidecar.adminUrl}/metrics`)).body.text();
  for (const line of text.split('\n'))
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  return 0;
}

/** Polls until `check` passes (it throws until then), for counters fed by another thread. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
