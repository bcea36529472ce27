import { useState } from 'react';
import { App as AntApp, Button, Card, Col, Popconfirm, Row, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DeleteOutlined, EditOutlined, HistoryOutlined, PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import { linkProps } from '../router';
import { PageHeader } from '../training/common';
import { useLoad, useRemove } from '../admin/common';
import RuleEditor from './RuleEditor';
import { actionText, conditionsText, triggerText } from './summary';
import type { Rule } from './types';

/** Rules and the built-in journeys: on/off, what starts them, what they check and do. */
export default function RulesPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const list = useLoad<{ items: Rule[] }>('/api/automation/rules');
  const remove = useRemove('/api/automation/rules', list.reload);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const rules = list.data?.items ?? [];
  const journeys = rules.filter((r) => r.builtin);
  const custom = rules.filter((r) => !r.builtin);

  const toggle = async (r: Rule, enabled: boolean) => {
    setBusy(r.id);
    try {
      await api(`/api/automation/rules/${encodeURIComponent(r.id)}`, { method: 'PATCH', body: { enabled } });
      toast.success(enabled ? t('automation.list.turnedOn', { name: r.name }) : t('automation.list.turnedOff', { name: r.name }));
      await list.reload();
    } catch (e) {
      toast.error(errMsg(e));
    } finally {
      setBusy(null);
    }
  };
  const onOff = (r: Rule) => <Switch checked={r.enabled} loading={busy === r.id} onChange={(v) => void toggle(r, v)} data-testid="rule-toggle" aria-label={t('automation.editor.enabled')} />;
  const runsLink = (r: Rule) => <a {...linkProps(`/automation/runs/${encodeURIComponent(r.id)}`)} data-testid="rule-runs"><HistoryOutlined /> {t('automation.list.runs')}</a>;

  const columns: ColumnsType<Rule> = [
    { title: t('automation.list.on'), width: 64, render: (_, r) => onOff(r) },
    { title: t('admin.name'), dataIndex: 'name', render: (v: string, r) => <div><span data-testid="rule-name">{v}</span>{r.description ? <div className="tr-note">{r.description}</div> : null}</div> },
    { title: t('automation.list.trigger'), width: 200, render: (_, r) => <Tag color="blue" className="tag-compact">{triggerText(t, r.trigger)}</Tag> },
    { title: t('automation.list.conditions'), render: (_, r) => conditionsText(t, r).map((c) => <Tag key={c} className="tag-compact">{c}</Tag>) },
    { title: t('automation.list.actions'), render: (_, r) => r.actions.map((a, i) => <div key={i} className="aut-action-line">{actionText(t, a)}</div>) },
    {
      title: '',
      width: 220,
      render: (_, r) => (
        <Space size={4}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} data-testid="rule-edit">{t('admin.edit')}</Button>
          {runsLink(r)}
          <Popconfirm title={t('admin.confirmDelete', { name: r.name })} onConfirm={() => void remove(r.id)}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('admin.delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <div className="tr-page aut-rules" data-testid="automation-rules">
      <PageHeader title={t('automation.nav.rules')} desc={t('automation.list.desc')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="rule-new">{t('automation.editor.new')}</Button>} />
      <Typography.Title level={5} style={{ marginTop: 0 }}>{t('automation.list.journeys')}</Typography.Title>
      <Row gutter={[12, 12]} style={{ marginBottom: 20 }}>
        {journeys.map((r) => (
          <Col key={r.id} xs={24} md={12} xl={8}>
            <Card size="small" className={`aut-journey${r.enabled ? '' : ' aut-journey-off'}`} data-testid="journey-card" data-builtin={r.builtin} data-enabled={r.enabled ? '1' : '0'}
              title={<Space><ThunderboltOutlined style={{ color: r.enabled ? '#fa8c16' : '#bfbfbf' }} />{r.name}</Space>} extra={onOff(r)}>
              <div className="aut-journey-desc">{r.description ?? ''}</div>
              <Space size={4} wrap style={{ marginBottom: 6 }}>
                <Tag color="blue" className="tag-compact">{triggerText(t, r.trigger)}</Tag>
                {conditionsText(t, r).map((c) => <Tag key={c} className="tag-compact">{c}</Tag>)}
              </Space>
              {r.actions.map((a, i) => <div key={i} className="aut-action-line">→ {actionText(t, a)}</div>)}
              <Space size={12} style={{ marginTop: 6 }}>
                <Button type="link" size="small" style={{ padding: 0 }} icon={<EditOutlined />} onClick={() => setEditing(r)} data-testid="journey-edit">{t('admin.edit')}</Button>
                {runsLink(r)}
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
      <Typography.Title level={5}>{t('automation.list.custom')}</Typography.Title>
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<Rule> rowKey="id" size="middle" loading={list.loading} dataSource={custom} pagination={false} columns={mobile ? columns.filter((_, i) => [0, 1, 5].includes(i)) : columns}
          locale={{ emptyText: t('automation.list.empty') }}
          onRow={(r) => ({ 'data-testid': 'rule-row', 'data-id': r.id, 'data-enabled': r.enabled ? '1' : '0' } as React.HTMLAttributes<HTMLElement>)} />
      </Card>
      <RuleEditor open={editing !== null} rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={list.reload} mobile={mobile} />
    </div>
  );
}
