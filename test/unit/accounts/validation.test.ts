// The account form rules: what the admin and security pages accept and what they say.
import { describe, expect, it } from 'vitest';
import { ownPasswordSchema, placeIdField, totpCodeField } from '../../../src/lib/accounts/validation.ts';

const messages = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((i) => [String(i.path[0] ?? ''), i.message]) ?? [];

describe('the two-factor code', () => {
  it('accepts six digits, ignoring spaces people type between them', () => {
    expect(totpCodeField.parse(' 123 456 ')).toBe('123456');
  });

  it('refuses anything else with one plain message', () => {
    for (const code of ['', '12345', '1234567', 'abcdef']) {
      expect(messages(totpCodeField.safeParse(code))).toEqual([['', 'Enter the 6-digit code from your authenticator app']]);
    }
  });
});

describe('changing your own password', () => {
  const valid = { currentPassword: 'the old password', newPassword: 'a brand new password', confirmPassword: 'a brand new password' };

  it('accepts a new password typed the same twice', () => {
    expect(ownPasswordSchema.safeParse(valid).success).toBe(true);
  });

  it('asks for the current password', () => {
    expect(messages(ownPasswordSchema.safeParse({ ...valid, currentPassword: '' }))).toEqual([['currentPassword', 'Enter your current password']]);
  });

  it('says when the two new passwords differ', () => {
    expect(messages(ownPasswordSchema.safeParse({ ...valid, confirmPassword: 'a brand new passwort' }))).toEqual([
      ['confirmPassword', 'The passwords do not match. Type your new password again'],
    ]);
  });

  it('refuses the same password again and a short one', () => {
    expect(messages(ownPasswordSchema.safeParse({ ...valid, newPassword: valid.currentPassword, confirmPassword: valid.currentPassword }))).toEqual([
      ['newPassword', 'Your new password must be different from your current password'],
    ]);
    expect(messages(ownPasswordSchema.safeParse({ ...valid, newPassword: 'short', confirmPassword: 'short' }))[0]).toEqual([
      'newPassword',
      'Password must be 12 characters or more',
    ]);
  });
});

describe('the place to grant', () => {
  it('is a positive whole number', () => {
    expect(placeIdField.parse('42')).toBe(42);
    for (const value of ['', '0', '-1', '1.5', 'abc']) expect(placeIdField.safeParse(value).success).toBe(false);
  });
});
