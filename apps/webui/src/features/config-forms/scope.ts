/** Which errors belong to a page: predicates over an error's path, used to refuse Next and to list leftovers. */
import type { Path } from './draft';

export type Scope = (path: readonly (string | number)[]) => boolean;

export const under =
  (...prefixes: Path[]): Scope =>
  (path) =>
    prefixes.some((prefix) => prefix.length <= path.length && prefix.every((p, i) => path[i] === p));

export const anyOf =
  (...scopes: Scope[]): Scope =>
  (path) =>
    scopes.some((s) => s(path));

export const nothing: Scope = () => false;
