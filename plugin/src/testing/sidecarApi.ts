/**
 * Direct calls to the real sidecar's analytics API (with its token), bypassing the plugin: tests use them
 * as the independent source of truth to compare what the pages show against.
 */
import http from 'node:http';
import type { MessageDetailResponse, MessagesPage, Aggregations } from '@ollama-lens/contracts';
import { testSidecar } from './sidecarEnv';

/** Which sidecar a call goes to: by default the jest globalSetup's (with the seeded messages). */
export interface SidecarTarget {
  url: string;
  token: string;
}

export function sidecarGet<T>(path: string, target: SidecarTarget = testSidecar()): Promise<T> {
  const { url, token } = target;
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 400) {
          reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
          return;
        }
        resolve(JSON.parse(text) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * POSTs JSON and reads the whole answer (a stream included) with its headers. A target without a token
 * sends none (the proxy's Ollama API needs none).
 */
export function sidecarPost(
  path: string,
  body: unknown,
  target: { url: string; token?: string } = testSidecar()
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const { url, token } = target;
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') })
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export const sidecarMessages = (query: string, target?: SidecarTarget) =>
  sidecarGet<MessagesPage>(`/analytics/messages?${query}`, target);
export const sidecarMessage = (id: string) =>
  sidecarGet<MessageDetailResponse>(`/analytics/messages/${encodeURIComponent(id)}`);
export const sidecarAggregations = (query = '') => sidecarGet<Aggregations>(`/analytics/aggregations?${query}`);
