/**
 * The query catalogue (plugin/src/queries) as the stack tests see it. It lives in the plugin workspace, outside
 * this workspace's rootDir, so it is loaded at run time by path (a static import would pull it into the sidecar's
 * tsc program) and typed here with the few fields the tests read.
 */
import { repoPath } from './repo';

// The conditions are the contract's (the catalogue's own type, so the two cannot drift).
import type { DataCondition } from '@ollama-lens/contracts';
export type { DataCondition };

export interface CataloguePanel {
  id: number;
  type: string;
  queries: { refId: string; expr: string; expect: DataCondition; exemplar?: boolean; instant?: boolean }[];
}

export interface CatalogueAlert {
  name: string;
  uid: string;
  valueExpr: string;
  comparison: '>' | '<';
  threshold: number;
  panelId: number;
  expect: DataCondition;
}

export interface CatalogueVariable {
  kind: string;
  name: string;
  query?: string;
}

export interface Catalogue {
  PANELS: readonly CataloguePanel[];
  ALERTS: readonly CatalogueAlert[];
  VARIABLES: readonly CatalogueVariable[];
  EVALUATION_DEFAULTS: Readonly<Record<string, string>>;
  EXEMPLAR_LABEL: string;
  EXEMPLAR_LINK_TEMPLATE: string;
  PROMETHEUS_DATASOURCE_UID: string;
  MESSAGES_DATASOURCE_UID: string;
  OVERVIEW_DASHBOARD_UID: string;
  interpolate(expr: string, values?: Record<string, string>): string;
  prometheusTarget(query: CataloguePanel['queries'][number]): Record<string, unknown>;
}

export function loadCatalogue(): Catalogue {
  const path = repoPath('plugin', 'src', 'queries', 'index.ts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as Catalogue;
}
