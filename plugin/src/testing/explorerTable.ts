/** What the Explorer's jsdom tests read from the page and from the sidecar, shared by their files. */
import { screen, waitFor } from '@testing-library/react';
import { sidecarMessages } from './sidecarApi';

export const EXPLORER = '/a/ollamalens-explorer-app/explorer';

/** The ids of the table's rows, in display order. */
export const rowIds = () => screen.queryAllByTestId('message-row').map((r) => r.getAttribute('data-message-id'));

/** Waits until the table shows exactly `ids` (in this order when `ordered`). */
export async function expectRows(ids: Array<string | null>, ordered = false) {
  await waitFor(() => {
    const shown = rowIds();
    if (ordered) {
      expect(shown).toEqual(ids);
    } else {
      expect([...shown].sort()).toEqual([...ids].sort());
    }
  });
}

/** The ids the sidecar itself answers for a querystring (what the table must show). */
export async function apiIds(query: string): Promise<string[]> {
  return (await sidecarMessages(`limit=100&${query}`)).messages.map((m) => m.id);
}
