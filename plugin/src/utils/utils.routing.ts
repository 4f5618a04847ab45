import { PLUGIN_BASE_URL } from '../constants';

/** Prefixes a page route with the app's base URL. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
