/** Transport parity (issue 16): the property suite, unchanged, with every replica syncing through the sync service. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./property.test');
