// Roles and what each may do. Pure: used by guards, pages and tests alike.
import type { Role } from '../../../db/schema/index.ts';

export { ROLES, type Role } from '../../../db/schema/index.ts';

const RANK: Record<Role, number> = { reporter: 1, editor: 2, admin: 3 };

export const ROLE_LABEL: Record<Role, string> = { reporter: 'Trusted reporter', editor: 'Editor', admin: 'Administrator' };

/** True when `role` includes everything `needed` may do (admin ⊃ editor ⊃ reporter). */
export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
