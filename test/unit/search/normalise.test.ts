import { describe, expect, it } from 'vitest';
import { foldText, normaliseText, searchTokens } from '../../../src/lib/search/normalise.ts';

describe('normalising text for search', () => {
  it('ignores case, punctuation and accents', () => {
    expect(normaliseText('CAFÉ-Bar, Holmfirth!')).toBe('cafe bar holmfirth');
    expect(foldText('  Brontë   (Haworth)  ')).toBe('bronte haworth');
  });

  it('drops a possessive s and joins other apostrophes', () => {
    expect(normaliseText("King James's School")).toBe('king james school');
    expect(normaliseText('St John’s')).toBe('saint john');
    expect(normaliseText("O'Brien")).toBe('obrien');
  });

  it('reads St as Saint', () => {
    expect(normaliseText('St. Patrick')).toBe(normaliseText('Saint Patrick'));
  });

  it('reads C of E, CofE, C.E. and Church of England as CE', () => {
    for (const spelling of ['C of E', 'CofE', 'C.E.', 'c e', 'Church of England', 'CE']) {
      expect(normaliseText(`Honley ${spelling} School`), spelling).toBe('honley ce school');
    }
  });

  it('reads RC, R.C. and Roman Catholic as Catholic', () => {
    for (const spelling of ['RC', 'R.C.', 'Roman Catholic', 'Catholic']) {
      expect(normaliseText(`St Joseph's ${spelling} Primary`), spelling).toBe('saint joseph catholic primary');
    }
  });

  it('reads & as and, and expands J&I', () => {
    expect(normaliseText('Fixby J&I School')).toBe('fixby junior and infant school');
    expect(normaliseText('Bits & Bobs')).toBe('bits and bobs');
  });

  it('expands the usual short forms of school names', () => {
    expect(searchTokens('Almondbury Jun Sch')).toEqual(['almondbury', 'junior', 'school']);
    expect(searchTokens('Deighton Inf')).toEqual(['deighton', 'infant']);
    expect(searchTokens('Longley Prim')).toEqual(['longley', 'primary']);
  });

  it('gives no words for text with none', () => {
    expect(searchTokens(' ,.- ')).toEqual([]);
  });
});
