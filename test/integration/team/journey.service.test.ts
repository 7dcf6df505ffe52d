/** Transport parity (issue 16): the team journey, every laptop syncing through the sync service with its person's login and password. */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./journey.test');
