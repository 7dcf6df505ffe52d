/**
 * A hand-off from the command palette to the screen it navigates to ("jump to Maria" → People,
 * Maria's row highlighted). The screen mounts after the palette closes, so the id waits here.
 */
let pendingPerson: string | null = null;

export function focusPersonLater(id: string): void {
  pendingPerson = id;
}

export function takePendingPerson(): string | null {
  const id = pendingPerson;
  pendingPerson = null;
  return id;
}
