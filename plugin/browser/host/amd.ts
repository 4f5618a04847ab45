/**
 * Loads the plugin's AMD modules the way Grafana does: a global `define`, a <script> per module, its
 * dependencies resolved to the host's copies of Grafana's externals, and the factory's result awaited
 * (the app module has a top-level await, so it returns a promise).
 */
type Factory = (...deps: unknown[]) => unknown;

interface Pending {
  deps: string[];
  factory: Factory;
}

declare global {
  interface Window {
    define?: ((deps: string[], factory: Factory) => void) & { amd?: object };
  }
}

let pending: Pending | undefined;

export function installDefine(): void {
  const define = (deps: string[], factory: Factory) => {
    pending = { deps, factory };
  };
  window.define = Object.assign(define, { amd: {} });
}

export async function loadAmdModule(url: string, externals: Record<string, unknown>): Promise<Record<string, unknown>> {
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
  const loaded = pending;
  pending = undefined;
  if (!loaded) {
    throw new Error(`${url} did not call define()`);
  }
  const args = loaded.deps.map((name) => {
    if (name === 'module') {
      return { uri: url };
    }
    if (!(name in externals)) {
      throw new Error(`${url} needs "${name}", which Grafana does not provide`);
    }
    return externals[name];
  });
  return (await loaded.factory(...args)) as Record<string, unknown>;
}
