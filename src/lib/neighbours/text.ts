// Text from other people's feeds, made safe and plain: XML and HTML entities decoded by hand
// (the XML parser runs with entity expansion off), HTML reduced to text, lengths capped. What
// comes out is only ever shown as text, never as HTML.

/** The few named entities worth knowing; feeds use little else, and unknown ones stay as written. */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', pound: '£', euro: '€', copy: '©',
  reg: '®', trade: '™', hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“',
  rdquo: '”', sbquo: '‚', bdquo: '„', bull: '•', middot: '·', deg: '°', frac12: '½', frac14: '¼',
  frac34: '¾', times: '×', divide: '÷', laquo: '«', raquo: '»', sect: '§', para: '¶', shy: '',
  aacute: 'á', agrave: 'à', acirc: 'â', auml: 'ä', atilde: 'ã', aring: 'å', aelig: 'æ', ccedil: 'ç',
  eacute: 'é', egrave: 'è', ecirc: 'ê', euml: 'ë', iacute: 'í', igrave: 'ì', icirc: 'î', iuml: 'ï',
  ntilde: 'ñ', oacute: 'ó', ograve: 'ò', ocirc: 'ô', ouml: 'ö', otilde: 'õ', oslash: 'ø', szlig: 'ß',
  uacute: 'ú', ugrave: 'ù', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', Eacute: 'É', Aacute: 'Á',
  Ouml: 'Ö', Uuml: 'Ü', Auml: 'Ä', wcirc: 'ŵ', ycirc: 'ŷ', Wcirc: 'Ŵ',
};

function codePoint(n: number): string {
  // Control characters and lone surrogates are never wanted in a title.
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) || (n < 32 && n !== 9 && n !== 10 && n !== 13)) return '';
  return String.fromCodePoint(n);
}

/** Decodes character references and the common named entities, once (no recursion). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (name[0] === '#') return codePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    return NAMED_ENTITIES[name] ?? whole;
  });
}

const TAG = /<\/?[A-Za-z][^>]*>/;

/**
 * Plain text from something that may be HTML: scripts, styles and comments dropped, block
 * ends and line breaks become spaces, other tags removed, entities decoded, whitespace
 * collapsed. Text without tags only has its entities decoded.
 */
export function htmlToText(value: string): string {
  let text = value;
  if (TAG.test(text) || text.includes('<!--')) {
    text = text
      .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
      .replace(/<(script|style|head|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
      .replace(/<(?:br|hr|\/p|\/div|\/li|\/h[1-6]|\/tr|\/td|\/th|\/blockquote|p|div|li|h[1-6]|tr)\b[^>]*>/gi, ' ')
      .replace(/<\/?[A-Za-z][^>]*>/g, '');
  }
  return collapseWhitespace(decodeEntities(text));
}

export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** At most `max` characters, cut at a word boundary where one is near, with an ellipsis. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
