// UK postcodes as residents type them: "HD9 3TP", "hd93tp", " HD9  3TP ", or just the district
// (outward code) "HD9". Only the shape is checked here; whether we know where a district is
// comes from outcodes.ts.

export interface ParsedPostcode {
  /** The postcode district, upper case: "HD9". */
  outcode: string;
  /** The inward code ("3TP"), or null when only the district was given. */
  incode: string | null;
  /** As it should be shown: "HD9 3TP" or "HD9". */
  display: string;
  /** Upper case without spaces, for comparing with stored postcodes: "HD93TP". */
  compact: string;
}

const OUTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;
const FULL = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;

/** A full postcode or a postcode district, or null when the text is neither. */
export function parsePostcode(text: string): ParsedPostcode | null {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 2 || compact.length > 7) return null;
  // A space, if there is one, must sit between the two parts ("HD 93TP" is not a postcode).
  const spaced = text.trim().toUpperCase().split(/\s+/);
  const full = FULL.exec(compact);
  if (full && (spaced.length === 1 || (spaced.length === 2 && spaced[0] === full[1]))) {
    return { outcode: full[1]!, incode: full[2]!, display: `${full[1]} ${full[2]}`, compact };
  }
  if (spaced.length === 1 && OUTCODE.test(compact)) return { outcode: compact, incode: null, display: compact, compact };
  return null;
}

/** A stored postcode compacted for comparison ("HD9 3TP" → "HD93TP"). */
export function compactPostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}
