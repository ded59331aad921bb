// Account form rules: shared by the admin pages and `npm run user:create`.
import { z } from 'zod';
import { ROLES } from '../../../db/schema/index.ts';
import { passwordProblem } from '../auth/passwords.ts';

export const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, { error: 'Enter an email address' })
  .max(254, { error: 'Email address must be 254 characters or fewer' })
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.org' }));

export const nameField = z
  .string()
  .trim()
  .min(1, { error: 'Enter a name' })
  .max(100, { error: 'Name must be 100 characters or fewer' });

export const roleField = z.enum(ROLES, { error: 'Choose a role' });

export const passwordField = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const newAccountSchema = z.object({ email: emailField, name: nameField, role: roleField, password: passwordField });
export type NewAccount = z.infer<typeof newAccountSchema>;
