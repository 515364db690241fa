/**
 * EC2 Describe* filters: every filter must match (AND); within a filter any value may match (OR); values
 * may use `*` and `?` wildcards. Tag filters (`tag:Key`, `tag-key`, `tag-value`) work on every resource.
 * An unsupported filter name is an error, as on EC2.
 */
import { AwsError } from '../aws-error.js';
import type { Tags } from '../topology.js';
import type { Filter } from './query.js';

export type FilterFields<T> = Record<string, (item: T) => readonly (string | number | boolean | undefined)[]>;

function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern.charAt(++i));
    else if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function applyFilters<T>(items: readonly T[], filters: readonly Filter[], fields: FilterFields<T>, tags: (item: T) => Tags): T[] {
  const tests = filters.map((filter) => {
    const patterns = filter.values.map(wildcard);
    const read = fieldReader(filter.name, fields, tags);
    return (item: T) => read(item).some((value) => value !== undefined && patterns.some((p) => p.test(String(value))));
  });
  return items.filter((item) => tests.every((test) => test(item)));
}

function fieldReader<T>(name: string, fields: FilterFields<T>, tags: (item: T) => Tags) {
  const field = fields[name];
  if (field) return field;
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (item: T) => [tags(item)[key]];
  }
  if (name === 'tag-key') return (item: T) => Object.keys(tags(item));
  if (name === 'tag-value') return (item: T) => Object.values(tags(item));
  throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
}
