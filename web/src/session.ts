// The signed-in user and what their role may do in the interface. The server decides
// what is allowed; this only hides buttons a role cannot use.

import type { User } from './api';

export const session: { user: User | null } = { user: null };

/** Whether the current role may create or edit records of `collection`. */
export function canEdit(collection: string): boolean {
  const role = session.user?.role;
  switch (role) {
    case 'coordinator':
    case 'defence_liaison':
      return true;
    case 'operations_manager':
      return ['teams', 'crews', 'contracts', 'people'].includes(collection);
    default:
      return false;
  }
}

/** Whether the current role may start plan runs. */
export function canPlan(): boolean {
  return session.user?.role === 'coordinator' || session.user?.role === 'defence_liaison';
}

