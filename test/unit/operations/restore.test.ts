import { describe, expect, it } from 'vitest';
import type { SchemaStatus } from '../../../db/migrate.ts';
import { CORE_TABLES, judgeRestoreCandidate } from '../../../src/lib/operations/restore.ts';

const current: SchemaStatus = { applied: 6, known: 6, databaseVersion: 1_795_307_776_119, codeVersion: 1_795_307_776_119, newerThanCode: false };
const ours = [...CORE_TABLES, 'accounts', 'suggestions'];

describe('judging a backup before it replaces anything', () => {
  it('accepts a sound database of ours at the same schema', () => {
    expect(judgeRestoreCandidate('b.db', { integrity: ['ok'], tables: ours, schema: current })).toEqual([]);
  });

  it('accepts an older schema (restore migrates it)', () => {
    const older = { ...current, applied: 3, databaseVersion: 1_795_305_000_000 };
    expect(judgeRestoreCandidate('b.db', { integrity: ['ok'], tables: ours, schema: older })).toEqual([]);
  });

  it('refuses a file that fails the integrity check, saying what SQLite found', () => {
    const [issue] = judgeRestoreCandidate('b.db', { integrity: ['row 3 missing from index places_slug', 'wrong # of entries in index x'], tables: ours, schema: current });
    expect(issue?.code).toBe('corrupt');
    expect(issue?.message).toContain('row 3 missing from index places_slug');
  });

  it('refuses a database without our tables, naming what is missing', () => {
    const [issue] = judgeRestoreCandidate('notes.db', { integrity: ['ok'], tables: ['notes'], schema: null });
    expect(issue?.code).toBe('not-our-database');
    expect(issue?.message).toContain('__drizzle_migrations');
  });

  it('refuses a schema newer than this code', () => {
    const newer = { ...current, applied: 7, databaseVersion: 99_999_999_999_999, newerThanCode: true };
    const [issue] = judgeRestoreCandidate('b.db', { integrity: ['ok'], tables: ours, schema: newer });
    expect(issue?.code).toBe('newer-schema');
    expect(issue?.message).toContain('99999999999999');
  });

  it('refuses a migrations table with nothing recorded in it', () => {
    const empty = { ...current, applied: 0, databaseVersion: null };
    expect(judgeRestoreCandidate('b.db', { integrity: ['ok'], tables: ours, schema: empty })[0]?.code).toBe('not-our-database');
  });
});
