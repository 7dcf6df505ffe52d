/**
 * Transport parity (issue 16): the convergence suite, unchanged, with every replica syncing
 * through the sync service (HTTP, tokens, the person's identity applied server-side) instead of
 * its own PostgreSQL connection.
 */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./convergence.test');
