/** Transport parity (issue 16): the comment-order suite, unchanged, with every replica syncing through the sync service. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./comment-order.test');
