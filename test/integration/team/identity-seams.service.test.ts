/** Transport parity (issue 16): the identity seams, every laptop syncing through the sync service with its person's login and password. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./identity-seams.test');
