import type { SidecarClient } from '../../api/client';
import type { MessageFilters, SortKey as SortField, SortOrder } from '@ollama-lens/contracts';

/** What the Explorer's parts ask their container for: the client and the filter with the time range. */
export interface ExplorerQuery {
  client: SidecarClient;
  filters: MessageFilters;
  sort: SortField;
  order: SortOrder;
}

export interface ExplorerQuerySource {
  currentQuery(): ExplorerQuery;
  sortState(): { sort: SortField; order: SortOrder };
  sortBy(field: SortField): void;
  openMessage(id: string): void;
  /** App URL of a message's detail page, carrying the Explorer's query for the way back. */
  messageHref(id: string): string;
}
