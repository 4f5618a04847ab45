import React, { type MouseEvent, type ReactNode } from 'react';
import { locationUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';

/**
 * A link inside Grafana's single-page app: a real href (open in new tab, copy link) whose plain click
 * navigates through locationService instead of reloading the page.
 */
export function navigateOnClick(href: string) {
  return (event: MouseEvent<HTMLElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    locationService.push(href);
  };
}

export function AppLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  return (
    // The href carries Grafana's sub-path (if it is served under one); navigation uses the app path.
    <a href={locationUtil.assureBaseUrl(href)} className={className} onClick={navigateOnClick(href)}>
      {children}
    </a>
  );
}
