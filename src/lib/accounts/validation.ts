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

// The admin's account page and the security page. Keys are the form fields' names.

export const accountDetailsSchema = z.object({ name: nameField, email: emailField });

export const roleChangeSchema = z.object({ role: roleField });

export const setPasswordSchema = z.object({ password: passwordField });

export const placeIdField = z.coerce
  .number({ error: 'Choose a place' })
  .int({ error: 'Choose a place' })
  .positive({ error: 'Choose a place' });

/** What an authenticator app shows: 6 digits (spaces people type between them are ignored). */
export const totpCodeField = z
  .string()
  .transform((value) => value.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, { error: 'Enter the 6-digit code from your authenticator app' }));

export const ownPasswordSchema = z
  .object({
    currentPassword: z.string().min(1, { error: 'Enter your current password' }).max(256, { error: 'Password must be 256 characters or fewer' }),
    newPassword: passwordField,
    confirmPassword: z.string(),
  })
  .superRefine((value, ctx) => {
    if (value.newPassword !== value.confirmPassword) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'The passwords do not match. Type your new password again' });
    } else if (value.newPassword === value.currentPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPassword'], message: 'Your new password must be different from your current password' });
    }
  });
