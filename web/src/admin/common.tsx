import { useCallback, useEffect, useRef, useState } from 'react';
import { App as AntApp, Alert } from 'antd';
import type { FormInstance } from 'antd';
import type { NamePath } from 'antd/es/form/interface';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg } from '../api';
import { invalidateTicketMeta } from '../tickets/common';

/** A server validation problem: `{ path: '/trigger/cron', message }` (AppError details). */
export type Issue = { path: string; message: string };

export function issuesOf(e: unknown): Issue[] {
  if (!(e instanceof ApiError)) return [];
  const details = (e.body as { error?: { details?: unknown } } | null)?.error?.details;
  return Array.isArray(details) ? details.filter((d): d is Issue => typeof d?.path === 'string' && typeof d?.message === 'string') : [];
}

const namePath = (path: string): (string | number)[] => path.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
const same = (a: NamePath, b: (string | number)[]) => JSON.stringify([a].flat()) === JSON.stringify(b);

/**
 * Puts the server's field errors next to the fields of a form whose names mirror the API body;
 * returns the problems no field shows (for an alert above the form).
 */
export function applyIssues(form: FormInstance, e: unknown, map: (path: (string | number)[]) => (string | number)[] = (p) => p): string[] {
  const issues = issuesOf(e);
  if (!issues.length) return [errMsg(e)];
  const known = form.getFieldsError().map((f) => f.name);
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const rest: string[] = [];
  for (const i of issues) {
    const name = map(namePath(i.path));
    if (!known.some((k) => same(k, name))) {
      rest.push(`${i.path === '/' ? '' : `${i.path}: `}${i.message}`);
      continue;
    }
    const key = JSON.stringify(name);
    const f = byField.get(key) ?? { name, errors: [] };
    f.errors.push(i.message);
    byField.set(key, f);
  }
  form.setFields([...byField.values()]);
  if (byField.size) form.scrollToField(byField.values().next().value!.name);
  return rest;
}

/** Problems the form could not place, above it. */
export function FormProblems({ problems }: { problems: string[] }) {
  if (!problems.length) return null;
  return <Alert type="error" showIcon style={{ marginBottom: 12 }} data-testid="form-problems" message={problems.length === 1 ? problems[0] : <ul style={{ margin: 0, paddingInlineStart: 18 }}>{problems.map((p) => <li key={p}>{p}</li>)}</ul>} />;
}

/** GET a list answer ({items} or the object itself) with reload. */
export function useLoad<T>(url: string | null): { data: T | null; loading: boolean; reload: () => Promise<void> } {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const reload = useCallback(async () => {
    if (!url) return;
    const my = ++seq.current;
    setLoading(true);
    try {
      const r = await api<T>(url);
      if (my === seq.current) setData(r);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('admin.loadFailed', { reason: errMsg(e) }));
    } finally {
      if (my === seq.current) setLoading(false);
    }
  }, [url, toast, t]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, loading, reload };
}

/** Categories, departments or SLA policies: a reload also drops the ticket pages' cached copy of them. */
export function useTicketSettings<T>(url: string) {
  const list = useLoad<{ items: T[] }>(url);
  const { reload: load } = list;
  const reload = useCallback(async () => {
    invalidateTicketMeta();
    await load();
  }, [load]);
  return { ...list, reload };
}

/**
 * Save (POST new / PUT existing) and delete with toasts; field errors go onto the form and the
 * rest into `problems`.
 */
export function useSave(base: string, form: FormInstance, onDone: () => Promise<void> | void, map?: Parameters<typeof applyIssues>[2]) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const save = async <R,>(id: string | null, body: unknown): Promise<R | null> => {
    setSaving(true);
    setProblems([]);
    try {
      const r = await api<R>(id === null ? base : `${base}/${encodeURIComponent(id)}`, { method: id === null ? 'POST' : 'PUT', body });
      toast.success(t('admin.saved'));
      await onDone();
      return r;
    } catch (e) {
      const rest = applyIssues(form, e, map);
      setProblems(rest);
      // when every problem sits next to its field, the toast only points there
      toast.error(rest.length ? t('admin.saveFailed', { reason: errMsg(e) }) : t('admin.fixForm'));
      return null;
    } finally {
      setSaving(false);
    }
  };
  const remove = useRemove(base, onDone);
  return { saving, problems, setProblems, save, remove };
}

/** DELETE base/:id with toasts (a 409 in_use says what still uses it). */
export function useRemove(base: string, onDone: () => Promise<void> | void) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  return async (id: string): Promise<boolean> => {
    try {
      await api(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' });
      toast.success(t('admin.deleted'));
      await onDone();
      return true;
    } catch (e) {
      toast.error(t('admin.deleteFailed', { reason: errMsg(e) }));
      return false;
    }
  };
}

/** minutes as 2小时 / 1h 30m (the same words as the ticket badges) */
export function minutesLabel(t: ReturnType<typeof useTranslation>['t'], m: number | null | undefined): string {
  if (m == null) return '—';
  const h = Math.floor(m / 60);
  const r = m % 60;
  return [h ? t('tickets.dur.h', { n: h }) : '', r ? t('tickets.dur.m', { n: r }) : ''].filter(Boolean).join(t('tickets.dur.sep')) || t('tickets.dur.zero');
}

/** A list for pickers, loaded once per page load (every action card of a rule asks); a failed load is retried next time. */
const lists = new Map<string, Promise<unknown[]>>();
function useListOnce<T>(url: string): T[] {
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    let live = true;
    if (!lists.has(url)) {
      lists.set(url, api<{ items: T[] }>(url).then((r) => r.items).catch(() => {
        lists.delete(url);
        return [];
      }));
    }
    void lists.get(url)!.then((x) => live && setItems(x as T[]));
    return () => {
      live = false;
    };
  }, [url]);
  return items;
}

/** People for pickers (admins and supervisors). */
export type AdminUser = { id: string; username: string; display_name: string; role: string };
export const useUsers = (): AdminUser[] => useListOnce<AdminUser>('/api/admin/users');
/** Routing teams for pickers. */
export const useTeams = (): { id: string; name: string }[] => useListOnce('/api/teams');
