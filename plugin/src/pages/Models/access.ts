import { config } from '@grafana/runtime';
import { OrgRole } from '@grafana/data';

/**
 * Whether the signed-in user may use the model actions: an Admin of the current org, the same test as the
 * `reqRole: Admin` of the data source's actions route (a Grafana server admin who is only a Viewer in this
 * org is refused there, so they get no buttons either). The route is the enforcement; this only hides
 * buttons that would fail.
 */
export function isOrgAdmin(): boolean {
  return config.bootData?.user?.orgRole === OrgRole.Admin;
}
