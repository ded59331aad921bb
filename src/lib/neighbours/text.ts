// Text from other people's feeds, made safe and plain: control characters removed, XML and
// HTML entities decoded by hand (the XML parser runs with entity expansion off), HTML reduced to
// text, lengths capped. Fields a format defines as plain text (CAP, Atom type="text", JSON
// Feed's title and summary) are read as text, so "<A62>" in them stays "<A62>". What comes out
// is only ever shown as text, never as HTML.

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

/**
 * Characters never wanted in anything we store or show: C0 controls except tab and line feed
 * (carriage returns included: line ends are only whitespace here), DEL, the C1 controls, the
 * non-characters U+FFFE and U+FFFF, and lone surrogate halves.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '');
}

function codePoint(n: number): string {
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '';
  return stripControlCharacters(String.fromCodePoint(n));
}

/** Decodes character references and the common named entities, once (no recursion). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, name: string) => {
    if (name[0] === '#') return codePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/**
 * The HTML elements feeds put in their descriptions. Only these (and Word's `o:p`-style
 * prefixed tags) are treated as markup: "<A62>" or "<refilled>" in a description is text
 * that a careless feed forgot to escape, not a tag to delete.
 */
const HTML_ELEMENTS = new Set(
  (
    'a abbr acronym address area article aside audio b base bdi bdo big blink blockquote body br button canvas caption center cite code col ' +
    'colgroup data dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 ' +
    'head header hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee menu meta meter nav nobr noscript object ol ' +
    'optgroup option output p param picture pre progress q rp rt ruby s samp script section select small source span strike strong style sub ' +
    'summary sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr path g'
  ).split(' '),
);

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9-]*)?)((?:\s[^>]*)?\/?)>/g;
const BLOCK_END = /^(?:br|hr|p|div|li|h[1-6]|tr|td|th|blockquote|ul|ol|table|section|article)$/;

const isMarkup = (name: string) => HTML_ELEMENTS.has(name.toLowerCase()) || name.includes(':');

/**
 * Plain text from something that may be HTML: scripts, styles and comments dropped, block
 * ends and line breaks become spaces, other HTML tags removed, entities decoded, whitespace
 * collapsed. Angle brackets around anything that is not an HTML element stay as text.
 */
export function htmlToText(value: string): string {
  let text = value;
  if (text.includes('<')) {
    text = text
      .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
      .replace(/<(script|style|head|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
      .replace(TAG, (whole, _slash: string, name: string) => (isMarkup(name) ? (BLOCK_END.test(name.toLowerCase()) ? ' ' : '') : whole));
  }
  return collapseWhitespace(stripControlCharacters(decodeEntities(text)));
}

/**
 * A field a format defines as plain text (its XML entities already decoded by the reader):
 * nothing removed but control characters, whitespace collapsed.
 */
export function plainText(value: string): string {
  return collapseWhitespace(stripControlCharacters(value));
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

/** A link we may show or follow: an absolute http(s) address, normalised; anything else is null. */
export function safeWebLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
