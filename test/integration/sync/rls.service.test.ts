/** Transport parity (issue 16): the rls suite, unchanged, with every replica syncing through the sync service. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./rls.test');
