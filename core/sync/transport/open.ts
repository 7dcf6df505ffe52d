import type { CentralConfig } from '../central/connect';
import { httpTransport } from './http';
import { pgTransport } from './pg';
import type { CentralTransport } from './types';

/** `http(s)://` is the sync service, anything else a PostgreSQL URL (refused there if it is not one). */
export const isServiceUrl = (url: string): boolean => /^https?:\/\//i.test(url.trim());

/** The transport a central URL names (docs/sync-service.md). */
export function openTransport(config: CentralConfig): CentralTransport {
  return isServiceUrl(config.url) ? httpTransport(config) : pgTransport(config);
}
