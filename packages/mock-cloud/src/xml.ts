/**
 * A tiny XML writer for AWS answers. Objects become elements in key order; `undefined` and `null` members
 * are left out (AWS omits absent members); plain arrays are EC2 lists (`<xSet><item>…</item></xSet>`);
 * `XmlList` names another item element, as Route 53 does (`<ResourceRecords><ResourceRecord>`).
 */

export type XmlValue = string | number | boolean | null | undefined | XmlList | XmlObject | readonly XmlValue[];

export interface XmlObject {
  readonly [tag: string]: XmlValue;
}

export class XmlList {
  constructor(
    readonly itemTag: string,
    readonly items: readonly XmlValue[],
  ) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function renderElement(tag: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlList) {
    return `<${tag}>${value.items.map((item) => renderElement(value.itemTag, item)).join('')}</${tag}>`;
  }
  if (isXmlArray(value)) {
    return `<${tag}>${value.map((item) => renderElement('item', item)).join('')}</${tag}>`;
  }
  if (typeof value === 'object') return `<${tag}>${renderMembers(value)}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

function isXmlArray(value: XmlValue): value is readonly XmlValue[] {
  return Array.isArray(value);
}

function renderMembers(object: XmlObject): string {
  return Object.entries(object)
    .map(([tag, value]) => renderElement(tag, value))
    .join('');
}

/** A whole document: `<?xml…?><root xmlns="…">members</root>`. */
export function xmlDocument(root: string, xmlns: string, members: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${xmlns}">${renderMembers(members)}</${root}>`;
}
