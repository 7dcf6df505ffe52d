/** Transport parity (issue 16): the replacement suite, unchanged, with every replica syncing through the sync service. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./replacement.test');
