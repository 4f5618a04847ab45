declare module '@grafana/runtime/dist/esm/components/PluginPage.mjs' {
  import type { PluginPageType } from '@grafana/runtime';
  export function setPluginPage(component: PluginPageType): void;
}
