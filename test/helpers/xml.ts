// Reading XML responses in tests: well-formedness, parsing (entity processing off, attributes
// kept) and XML Schema validation with libxml2's xmllint compiled to WebAssembly
// (`xmllint-wasm`, from npm: no system package, no network — it has no way to fetch anything).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';

/** A parsed XML element: child elements by name, attributes as "@_name", text as "#text". */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type XmlNode = Record<string, any>;

export interface CheckResult {
  ok: boolean;
  output: string;
}

const DOCUMENT = 'document.xml';

/** Validates a document against an XML Schema, as `xmllint --noout --schema` would. */
export async function validateWithXmllint(xml: string, xsdPath: string): Promise<CheckResult> {
  const schema = { fileName: basename(xsdPath), contents: await readFile(xsdPath, 'utf8') };
  const result = await validateXML({ xml: { fileName: DOCUMENT, contents: xml }, schema });
  return { ok: result.valid, output: result.errors.map((e) => e.rawMessage).join('\n') || result.rawOutput.trim() };
}

/**
 * Whether a document is well-formed XML: fast-xml-parser's validator first (it names the line
 * and column), then libxml2's parser, which also knows every rule of the XML 1.0 grammar.
 */
export async function checkWellFormed(xml: string): Promise<CheckResult> {
  const result = XMLValidator.validate(xml);
  if (result !== true) {
    const { code, msg, line, col } = result.err;
    return { ok: false, output: `${code} at ${line}:${col}: ${msg}` };
  }
  const parsed = await validateXML({ xml: { fileName: DOCUMENT, contents: xml }, normalization: 'format' });
  return { ok: parsed.valid, output: parsed.errors.map((e) => e.rawMessage).join('\n') };
}

/**
 * Parses XML into plain objects. Entities are NOT processed (no DOCTYPE expansion; text keeps
 * "&lt;" and the like — see `unescapeXml`), attributes are kept as "@_name", values stay strings,
 * and the elements named in `arrays` are always arrays, however many there are.
 */
export function parseXml(xml: string, options: { arrays?: readonly string[] } = {}): XmlNode {
  const arrays = new Set(options.arrays ?? []);
  const parser = new XMLParser({
    processEntities: false,
    htmlEntities: false,
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && arrays.has(name),
  });
  return parser.parse(xml) as XmlNode;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Replaces XML's predefined and numeric character references, once (so "&amp;lt;" becomes
 * "&lt;", as an XML parser would read it).
 */
export function unescapeXml(text: string): string {
  return text.replace(/&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g, (entity, hex?: string, dec?: string, name?: string) => {
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    if (dec) return String.fromCodePoint(parseInt(dec, 10));
    return XML_ENTITIES[name!] ?? entity;
  });
}

/**
 * The text of a parsed element (a plain value, or its "#text" when it has attributes) as an XML
 * reader sees it: with its character references replaced.
 */
export function xmlText(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'object') return xmlText((node as XmlNode)['#text']);
  return unescapeXml(String(node));
}
