/** Transport parity (issue 16): the push-transient suite, unchanged, with every replica syncing through the sync service. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./push-transient.test');
