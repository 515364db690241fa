/**
 * The draft and its validation for the pages. Every change is validated at once with the shared
 * `validateClusterConfig`, and each error finds its field by path (`where`), so the message a field shows is
 * exactly the agent's. A field shows its errors once it was touched, or once its page tried to move on
 * (`revealAll`), so that a fresh page is not a wall of "required".
 */
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { pathText, validateClusterConfig } from '@kumo/shared';
import type { ConfigError, ValidationResult } from '@kumo/shared';
import { ConfigErrorList } from '../../components/config-error-list';
import { useI18n } from '../../lib/i18n/i18n-context';
import { S } from '../../lib/i18n/strings';
import { setIn } from './draft';
import type { Draft, Path } from './draft';

interface DraftContextValue {
  readonly draft: Draft;
  readonly update: (edit: (d: Draft) => void) => void;
  readonly setAt: (path: Path, value: unknown) => void;
  readonly validation: ValidationResult;
  readonly errors: readonly ConfigError[];
  readonly byWhere: ReadonlyMap<string, readonly ConfigError[]>;
}

const DraftContext = createContext<DraftContextValue | null>(null);

export function DraftProvider({ draft, setDraft, children }: { draft: Draft; setDraft: Dispatch<SetStateAction<Draft>>; children: ReactNode }) {
  const update = useCallback(
    (edit: (d: Draft) => void) =>
      setDraft((prev) => {
        const next = structuredClone(prev);
        edit(next);
        return next;
      }),
    [setDraft],
  );
  const setAt = useCallback((path: Path, value: unknown) => update((d) => setIn(d, path, value)), [update]);
  const validation = useMemo(() => validateClusterConfig(draft), [draft]);
  const value = useMemo<DraftContextValue>(() => {
    const errors = validation.ok ? [] : validation.errors;
    const byWhere = new Map<string, ConfigError[]>();
    for (const e of errors) {
      const list = byWhere.get(e.where);
      if (list) list.push(e);
      else byWhere.set(e.where, [e]);
    }
    return { draft, update, setAt, validation, errors, byWhere };
  }, [draft, update, setAt, validation]);
  return <DraftContext.Provider value={value}>{children}</DraftContext.Provider>;
}

export function useDraft(): DraftContextValue {
  const v = useContext(DraftContext);
  if (!v) throw new Error('useDraft outside DraftProvider');
  return v;
}

/** Whether `path` lies under `prefix`. */
export function startsWith(path: readonly (string | number)[], prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

// Which errors are shown

interface VisibilityValue {
  readonly showAll: boolean;
  readonly touched: ReadonlySet<string>;
  readonly touch: (where: string) => void;
  readonly revealAll: () => void;
}

const VisibilityContext = createContext<VisibilityValue | null>(null);

/** A page or dialog: errors appear as fields are touched, or all at once after `revealAll`. */
export function ErrorVisibility({ showAll: initial = false, children }: { showAll?: boolean; children: ReactNode }) {
  const [showAll, setShowAll] = useState(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const touch = useCallback((where: string) => setTouched((t) => (t.has(where) ? t : new Set(t).add(where))), []);
  const revealAll = useCallback(() => setShowAll(true), []);
  const value = useMemo(() => ({ showAll, touched, touch, revealAll }), [showAll, touched, touch, revealAll]);
  return <VisibilityContext.Provider value={value}>{children}</VisibilityContext.Provider>;
}

const ALWAYS: VisibilityValue = { showAll: true, touched: new Set(), touch: () => undefined, revealAll: () => undefined };

export function useVisibility(): VisibilityValue {
  return useContext(VisibilityContext) ?? ALWAYS;
}

/** The errors of one field, in the chosen language, and the function that marks it touched. */
export function useFieldErrors(path: Path): { messages: string[]; touch: () => void } {
  const { byWhere } = useDraft();
  const { t } = useI18n();
  const vis = useVisibility();
  const where = pathText(path);
  const shown = vis.showAll || vis.touched.has(where);
  const messages = shown ? (byWhere.get(where) ?? []).map((e) => t(e.message)) : [];
  const { touch } = vis;
  return { messages, touch: useCallback(() => touch(where), [touch, where]) };
}

/** Errors of the page that no field shows (cross-field rules), listed at its foot. */
export function PageErrors({ scope, placed }: { scope: (path: readonly (string | number)[]) => boolean; placed: (path: readonly (string | number)[]) => boolean }) {
  const { errors } = useDraft();
  const { t } = useI18n();
  const vis = useVisibility();
  const list = errors.filter((e) => scope(e.path) && !placed(e.path) && (vis.showAll || vis.touched.has(e.where)));
  if (list.length === 0) return null;
  return <ConfigErrorList errors={list} label={t(S.otherErrors)} className="page-errors" />;
}
