/**
 * Safe parsing of WeCom XML envelopes (fast-xml-parser, no DTD, no entities).
 *
 * WeCom XML is flat: `<xml><A><![CDATA[..]]></A><B>1</B></xml>`. We return the children of the
 * root `<xml>` as strings. Any `<!DOCTYPE` / `<!ENTITY` is rejected before parsing.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlErrorCode = 'xml_doctype_forbidden' | 'xml_malformed';

export class XmlError extends Error {
  readonly code: XmlErrorCode;
  constructor(code: XmlErrorCode, message: string) {
    super(message);
    this.name = 'XmlError';
    this.code = code;
  }
}

const FORBIDDEN_RE = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;
const MAX_XML_LENGTH = 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Keep CDATA apart so that only plain text gets the predefined entities decoded.
  cdataPropName: '__cdata',
});

const builder = new XMLBuilder({
  ignoreAttributes: true,
  cdataPropName: '__cdata',
  format: false,
  suppressEmptyNode: false,
  processEntities: false,
});

/** Parse `<xml>…</xml>` into a flat record of its children's text. */
export function parseXml(text: string): Record<string, string> {
  if (typeof text !== 'string' || text.trim() === '') throw new XmlError('xml_malformed', 'empty XML');
  if (text.length > MAX_XML_LENGTH) throw new XmlError('xml_malformed', 'XML too large');
  if (FORBIDDEN_RE.test(text)) throw new XmlError('xml_doctype_forbidden', 'DOCTYPE/ENTITY declarations are not allowed');
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) throw new XmlError('xml_malformed', `malformed XML: ${valid.err.msg}`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new XmlError('xml_malformed', `malformed XML: ${(e as Error).message}`);
  }
  const keys = Object.keys(doc);
  if (keys.length !== 1 || keys[0] !== 'xml') throw new XmlError('xml_malformed', 'root element must be <xml>');
  const root = doc.xml;
  if (root === '' || root === undefined || root === null) return {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    throw new XmlError('xml_malformed', 'root <xml> must contain elements');
  }
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    out[k] = toText(k, v);
  }
  return { ...out };
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode only the five predefined XML entities and numeric character references (no DTD). */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (_m, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return PREDEFINED[name];
  });
}

function toText(key: string, v: unknown): string {
  if (typeof v === 'string') return decodeEntities(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    // Duplicate element: keep the first one (WeCom never repeats elements).
    return toText(key, v[0]);
  }
  // Nested element: not part of the flat WeCom envelope; keep its text if any.
  const o = v as Record<string, unknown>;
  let out = '';
  if (typeof o['#text'] === 'string' || typeof o['#text'] === 'number') out += decodeEntities(String(o['#text']));
  const cdata = o.__cdata;
  if (typeof cdata === 'string') out += cdata;
  else if (Array.isArray(cdata)) out += cdata.map(String).join('');
  return out;
}

/** Build `<xml>…</xml>`; strings become CDATA, numbers stay bare. */
export function buildXml(obj: Record<string, string | number | boolean | null | undefined>): string {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k)) throw new XmlError('xml_malformed', `invalid element name: ${k}`);
    if (v === null || v === undefined) body[k] = { __cdata: '' };
    else if (typeof v === 'number' || typeof v === 'boolean') body[k] = String(v);
    else body[k] = { __cdata: v }; // the builder splits any ']]>' itself
  }
  return builder.build({ xml: body }) as string;
}
