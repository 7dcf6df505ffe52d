import type { EventName, EventPayload } from '../../shared/contracts';
import type { Core } from '../app/core';
import { toNotification } from '../notifications/notifications-service';
import type { Desktop } from '../desktop/desktop';

export type EmitEvent = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * Turns committed changes into renderer events: which tables changed (views refetch), and each
 * new notification for the signed-in user (badge, OS notification).
 */
export function subscribeRendererEvents(core: Core, emit: EmitEvent, desktop?: Desktop): () => void {
  const offSync = desktop?.sync.onStatus((status) => emit('sync.status', status));
  const offDelta = desktop?.assistant.onDelta((d) => emit('agent.delta', d));
  const offChanges = core.onChanges((changes) => {
    const tables = [...new Set(changes.map((c) => c.table))];
    emit('data.changed', { tables });
    const me = core.session.currentUserId;
    for (const change of changes) {
      if (change.table === 'notifications' && change.op === 'insert' && change.after && change.after.user_id === me) {
        emit('notifications.new', toNotification(change.after));
      }
    }
  });
  return () => {
    offChanges();
    offSync?.();
    offDelta?.();
  };
}
