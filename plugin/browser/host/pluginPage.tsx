/**
 * Grafana's page chrome for app pages, reduced to what a person sees first: the app's navigation,
 * breadcrumbs, title, subtitle, tabs and the page body in a <main> landmark.
 */
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, NavModelItem } from '@grafana/data';
import { locationService, type PluginPageProps } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';
import { useLocation } from 'react-router';

const APP_NAV: Array<{ text: string; url: string }> = [
  { text: 'Overview', url: '/a/ollamalens-explorer-app/overview' },
  { text: 'Explorer', url: '/a/ollamalens-explorer-app/explorer' },
  { text: 'Models', url: '/a/ollamalens-explorer-app/models' },
  { text: 'Playground', url: '/a/ollamalens-explorer-app/playground' },
  { text: 'Configuration', url: '/plugins/ollamalens-explorer-app?page=configuration' },
];

function follow(e: React.MouseEvent<HTMLAnchorElement>, url: string) {
  if (e.metaKey || e.ctrlKey || e.shiftKey) {
    return;
  }
  e.preventDefault();
  locationService.push(url);
}

function crumbs(nav?: NavModelItem): NavModelItem[] {
  const out: NavModelItem[] = [];
  for (let item = nav?.parentItem; item; item = item.parentItem) {
    out.unshift(item);
  }
  return out;
}

export function AppChrome({ children }: { children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  const path = useLocation().pathname;
  return (
    <div className={styles.shell}>
      <nav className={styles.nav} aria-label="Ollama Lens">
        <span className={styles.brand}>Ollama Lens</span>
        {APP_NAV.map((item) => (
          <a
            key={item.url}
            href={item.url}
            className={styles.navLink}
            aria-current={path.startsWith(item.url.split('?')[0]) ? 'page' : undefined}
            onClick={(e) => follow(e, item.url)}
          >
            {item.text}
          </a>
        ))}
      </nav>
      {children}
    </div>
  );
}

export function HostPluginPage({ pageNav, subTitle, actions, children }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const parents = crumbs(pageNav);
  const tabs = pageNav?.children?.filter((c) => !c.hideFromTabs) ?? [];
  return (
    <main className={styles.page}>
      {parents.length > 0 && (
        <nav aria-label="Breadcrumbs" className={styles.crumbs}>
          {parents.map((p) => (
            <span key={p.url ?? p.text}>
              <a href={p.url} onClick={(e) => p.url && follow(e, p.url)}>
                {p.text}
              </a>
              {' › '}
            </span>
          ))}
        </nav>
      )}
      <header className={styles.header}>
        <div>
          <h1 className={styles.title}>{pageNav?.text}</h1>
          {(subTitle ?? pageNav?.subTitle) && <div className={styles.subTitle}>{subTitle ?? pageNav?.subTitle}</div>}
        </div>
        {actions}
      </header>
      {tabs.length > 0 && (
        <div role="tablist" className={styles.tabs}>
          {tabs.map((t) => (
            <a
              key={t.url}
              role="tab"
              aria-selected={Boolean(t.active)}
              href={t.url}
              onClick={(e) => t.url && follow(e, t.url)}
            >
              {t.text}
            </a>
          ))}
        </div>
      )}
      <div className={styles.body}>{children}</div>
    </main>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  shell: css({ minHeight: '100vh', background: theme.colors.background.canvas, color: theme.colors.text.primary }),
  nav: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 2),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
  }),
  brand: css({ fontWeight: theme.typography.fontWeightMedium, marginRight: theme.spacing(2) }),
  navLink: css({
    color: theme.colors.text.secondary,
    '&[aria-current="page"]': { color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium },
  }),
  page: css({ padding: theme.spacing(2, 3), display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  crumbs: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  header: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: theme.spacing(2) }),
  title: css({ margin: 0, fontSize: theme.typography.h2.fontSize }),
  subTitle: css({ color: theme.colors.text.secondary }),
  tabs: css({ display: 'flex', gap: theme.spacing(2) }),
  body: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
});
