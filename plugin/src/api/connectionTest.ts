import type { SidecarClient } from './client';
import { SidecarError } from './errors';

export interface ConnectionResult {
  ok: boolean;
  message: string;
}

/**
 * Tests a sidecar in two steps so the message says which part is wrong: first reaching it (/healthz,
 * never needs a token), then the token and the store (/analytics/data/summary).
 */
export async function testSidecarConnection(
  client: SidecarClient,
  sidecarUrl: string | undefined
): Promise<ConnectionResult> {
  if (!sidecarUrl) {
    return {
      ok: false,
      message:
        'No sidecar URL is set. Enter the URL the Grafana server uses to reach the sidecar, e.g. http://ollama-lens:11435.',
    };
  }
  const where = ` at ${sidecarUrl}`;
  try {
    await client.health();
  } catch (err) {
    return { ok: false, message: explainHealthFailure(err, where) };
  }
  try {
    const summary = await client.dataSummary();
    return {
      ok: true,
      message: `Connected to the sidecar${where}: ${summary.messages} message${summary.messages === 1 ? '' : 's'} stored.`,
    };
  } catch (err) {
    return { ok: false, message: explainAnalyticsFailure(err, where) };
  }
}

export function explainHealthFailure(err: unknown, where: string): string {
  if (err instanceof SidecarError) {
    switch (err.kind) {
      case 'unreachable':
        return `Cannot reach the sidecar${where}. Check the URL and port (the sidecar listens on 11435 by default) and that the Grafana server — not your browser — can connect to it.`;
      case 'not_found':
      case 'unexpected_response':
        return `Something answered${where}, but it is not an Ollama Lens sidecar (no /healthz). Check the URL: is it Ollama itself (port 11434) or another service?`;
      case 'unauthorized':
        return `The sidecar${where} rejected the token. Enter the value of its OLLAMA_LENS_ADMIN_TOKEN.`;
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export function explainAnalyticsFailure(err: unknown, where: string): string {
  if (err instanceof SidecarError) {
    switch (err.kind) {
      case 'unauthorized':
        return `The sidecar${where} is reachable but rejected the token (401). Enter the value of its OLLAMA_LENS_ADMIN_TOKEN.`;
      case 'not_found':
        return `The sidecar${where} is reachable but has no analytics API (404). Is the message store turned off (OLLAMA_LENS_STORE=false), or does the URL point below the sidecar's root?`;
      case 'unavailable':
        return `The sidecar${where} is reachable but its message store is unavailable (503). ${err.message}`;
      case 'unreachable':
        return `The sidecar${where} answered its health check but not the analytics request. ${err.message}`;
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
