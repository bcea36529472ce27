import { useState } from 'react';
import { App as AntApp, Button, Card, Segmented, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { CheckOutlined, UndoOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import { PageHeader } from '../training/common';
import { useLoad } from '../admin/common';
import type { OwnerTask } from './types';

/** Tasks for WeCom owner employees: journeys that could not reach the customer on WeChat. */
export default function TasksPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const list = useLoad<{ items: OwnerTask[] }>('/api/automation/tasks');
  const [show, setShow] = useState<'open' | 'done' | 'all'>('open');
  const [busy, setBusy] = useState<string | null>(null);
  const items = (list.data?.items ?? []).filter((x) => show === 'all' || x.status === show).reverse();
  const counts = { open: 0, done: 0, all: 0, ...Object.fromEntries(['open', 'done'].map((s) => [s, (list.data?.items ?? []).filter((x) => x.status === s).length])) };

  const set = async (task: OwnerTask, status: 'open' | 'done') => {
    setBusy(task.id);
    try {
      await api(`/api/automation/tasks/${encodeURIComponent(task.id)}`, { method: 'PATCH', body: { status } });
      toast.success(status === 'done' ? t('automation.tasks.doneOk') : t('automation.tasks.undoOk'));
      await list.reload();
    } catch (e) {
      toast.error(errMsg(e));
    } finally {
      setBusy(null);
    }
  };

  const columns: ColumnsType<OwnerTask> = [
    { title: t('automation.tasks.created'), width: 130, render: (_, x) => dayjs(x.created_at).format('MM-DD HH:mm') },
    { title: t('automation.tasks.customer'), width: 120, render: (_, x) => x.customer_name ?? x.customer_id },
    { title: t('automation.tasks.owner'), width: 120, render: (_, x) => <Tag className="tag-compact">{x.owner_userid}</Tag> },
    { title: t('automation.tasks.text'), render: (_, x) => <div><div className="aut-task-text">{x.text}</div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('automation.tasks.reason', { reason: x.reason })}</Typography.Text></div> },
    {
      title: t('automation.tasks.status'),
      width: 140,
      render: (_, x) =>
        x.status === 'open' ? (
          <Button size="small" type="primary" icon={<CheckOutlined />} loading={busy === x.id} onClick={() => void set(x, 'done')} data-testid="task-done">{t('automation.tasks.markDone')}</Button>
        ) : (
          <Button size="small" icon={<UndoOutlined />} loading={busy === x.id} onClick={() => void set(x, 'open')} data-testid="task-undo">{t('automation.tasks.undo')}</Button>
        ),
    },
  ];

  return (
    <div className="tr-page" data-testid="automation-tasks">
      <PageHeader title={t('automation.nav.tasks')} desc={t('automation.tasks.desc')} />
      <div className="tr-filters">
        <Segmented value={show} onChange={(v) => setShow(v as typeof show)} options={(['open', 'done', 'all'] as const).map((s) => ({ value: s, label: `${t(`automation.tasks.show.${s}`)}${s === 'all' ? '' : ` (${counts[s]})`}` }))} data-testid="tasks-filter" />
      </div>
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<OwnerTask> rowKey="id" size="middle" loading={list.loading} dataSource={items} pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
          columns={mobile ? columns.filter((_, i) => [1, 3, 4].includes(i)) : columns} locale={{ emptyText: t('automation.tasks.empty') }}
          onRow={(x) => ({ 'data-testid': 'task-row', 'data-status': x.status } as React.HTMLAttributes<HTMLElement>)} />
      </Card>
    </div>
  );
}
