import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Drawer, Popconfirm, Space, Tooltip, Typography } from 'antd';
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { api, ApiError } from '../api';
import type { Intent } from './types';

export function PageHeader({ title, desc, extra }: { title: string; desc?: string; extra?: React.ReactNode }) {
  return (
    <div className="tr-page-head">
      <div style={{ flex: 1, minWidth: 0 }}>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="training-page-title">
          {title}
        </Typography.Title>
        {desc ? (
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {desc}
          </Typography.Text>
        ) : null}
      </div>
      {extra ? <div className="tr-page-extra">{extra}</div> : null}
    </div>
  );
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = dayjs(iso);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : '—';
}

export function pct(x: number | null | undefined, digits = 1): string {
  if (x == null || Number.isNaN(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

/** green ≥ good, orange ≥ ok, red below */
export function scoreColor(x: number, good = 0.8, ok = 0.6): string {
  return x >= good ? '#52c41a' : x >= ok ? '#faad14' : '#ff4d4f';
}

/** Errors the knowledge API answers, for toasts */
export function reason(e: unknown): string {
  if (e instanceof ApiError) return e.status === 404 && e.code === 'http_404' ? `${e.message} (404)` : e.message || e.code;
  return (e as Error)?.message ?? String(e);
}

/** The intents, for selects and name look-ups. */
export function useIntents(): { intents: Intent[]; loading: boolean; reload: () => Promise<void> } {
  const [intents, setIntents] = useState<Intent[]>([]);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api<{ items: Intent[] } | Intent[]>('/api/knowledge/intents');
      setIntents(Array.isArray(r) ? r : r.items ?? []);
    } catch {
      setIntents([]);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { intents, loading, reload };
}

/** items of a list answer: `{items: [...]}` (the contract) or a bare array */
export function itemsOf<T>(r: { items?: T[] } | T[] | null | undefined): T[] {
  if (!r) return [];
  return Array.isArray(r) ? r : r.items ?? [];
}

/** lines of a textarea: trimmed, non-empty, unique */
export function lines(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean))];
}

/**
 * Save and delete for a knowledge collection (intents, FAQs): one place for the request, the
 * toasts and the reload, so every editor behaves the same.
 */
export function useCrud(collection: 'intents' | 'faqs', reload: () => Promise<void>) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [saving, setSaving] = useState(false);
  const base = `/api/knowledge/${collection}`;
  const save = async (id: string | null, body: unknown): Promise<boolean> => {
    setSaving(true);
    try {
      if (id === null) await api(base, { method: 'POST', body });
      else await api(`${base}/${encodeURIComponent(id)}`, { method: 'PUT', body });
      toast.success(t('training.common.saved'));
      await reload();
      return true;
    } catch (e) {
      toast.error(t('training.common.saveFailed', { reason: reason(e) }));
      return false;
    } finally {
      setSaving(false);
    }
  };
  const remove = async (id: string): Promise<void> => {
    try {
      await api(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' });
      toast.success(t('training.common.deleted'));
      await reload();
    } catch (e) {
      toast.error(t('training.common.deleteFailed', { reason: reason(e) }));
    }
  };
  return { saving, save, remove };
}

/** The edit/delete buttons of a knowledge table row; delete asks first. */
export function RowActions({ onEdit, onDelete, confirm, testId }: { onEdit: () => void; onDelete: () => void; confirm: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Space size={0}>
      <Tooltip title={t('training.common.edit')}>
        <Button type="text" icon={<EditOutlined />} onClick={onEdit} aria-label={t('training.common.edit')} data-testid={testId ? `${testId}-edit` : undefined} />
      </Tooltip>
      <Popconfirm
        title={confirm}
        description={t('training.common.deleteHint')}
        okButtonProps={{ danger: true }}
        okText={t('training.common.delete')}
        onConfirm={onDelete}
      >
        <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('training.common.delete')} />
      </Popconfirm>
    </Space>
  );
}

/** The side drawer in which an intent or FAQ is created or edited, with cancel and save. */
export function EditorDrawer(props: { title: string; open: boolean; width: number; saving: boolean; saveTestId: string; onClose: () => void; onSave: () => void; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <Drawer
      title={props.title}
      open={props.open}
      width={props.width}
      onClose={props.onClose}
      forceRender
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('training.common.cancel')}</Button>
          <Button type="primary" loading={props.saving} onClick={props.onSave} data-testid={props.saveTestId}>
            {t('training.common.save')}
          </Button>
        </Space>
      }
    >
      {props.children}
    </Drawer>
  );
}
