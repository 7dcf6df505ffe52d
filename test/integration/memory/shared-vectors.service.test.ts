/** Transport parity (issue 16): shared vectors, unchanged, with every replica syncing through the sync service (the vectors travel through it too). */
import { useTransport } from '../../support/transport';

useTransport('service');
await import('./shared-vectors.test');
