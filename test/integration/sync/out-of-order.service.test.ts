/** Transport parity (issue 16): the out-of-order suite, unchanged, with every replica syncing through the sync service. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./out-of-order.test');
