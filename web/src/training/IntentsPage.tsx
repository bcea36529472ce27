import { useEffect, useMemo, useState } from 'react';
import { AutoComplete, Button, Form, Input, Radio, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined, SearchOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { EditorDrawer, fmtTime, PageHeader, RowActions, useCrud, useIntents } from './common';
import PhraseList from './PhraseList';
import type { Intent, IntentAction } from './types';

type FormValues = { name: string; category?: string; action: IntentAction; skill?: string; examples: string[] };

export default function IntentsPage() {
  const { t } = useTranslation();
  const { intents, loading, reload } = useIntents();
  const crud = useCrud('intents', reload);
  const saving = crud.saving;
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Intent | 'new' | null>(null);
  const [form] = Form.useForm<FormValues>();

  const categories = useMemo(() => [...new Set(intents.map((i) => i.category).filter((c): c is string => !!c))], [intents]);
  const skills = useMemo(() => [...new Set(intents.map((i) => i.skill).filter((s): s is string => !!s))], [intents]);
  // the agents' skills are the names routing can match: offered with those already in use
  const [agentSkills, setAgentSkills] = useState<string[]>([]);
  useEffect(() => {
    api<{ items: { skills: Record<string, number> }[] }>('/api/agents').then((r) => setAgentSkills(r.items.flatMap((a) => Object.keys(a.skills))), () => undefined);
  }, []);
  const skillOptions = useMemo(() => [...new Set([...agentSkills, ...skills])].map((value) => ({ value })), [agentSkills, skills]);
  const shown = useMemo(() => {
    const s = q.trim().toLowerCase();
    if (!s) return intents;
    return intents.filter(
      (i) =>
        i.name.toLowerCase().includes(s) ||
        (i.category ?? '').toLowerCase().includes(s) ||
        (i.skill ?? '').toLowerCase().includes(s) ||
        i.examples.some((e) => e.toLowerCase().includes(s)),
    );
  }, [intents, q]);

  const open = (it: Intent | 'new') => {
    setEditing(it);
    form.setFieldsValue(
      it === 'new'
        ? { name: '', category: undefined, action: 'answer', skill: undefined, examples: [] }
        : { name: it.name, category: it.category ?? undefined, action: it.action ?? 'answer', skill: it.skill ?? undefined, examples: it.examples },
    );
  };

  const save = async () => {
    const v = await form.validateFields();
    const body = { name: v.name.trim(), category: v.category?.trim() || null, action: v.action, skill: v.skill?.trim() || null, examples: v.examples };
    if (editing && (await crud.save(editing === 'new' ? null : editing.id, body))) setEditing(null);
  };

  const remove = (it: Intent) => crud.remove(it.id);

  return (
    <div className="tr-page" data-testid="intents-page">
      <PageHeader
        title={t('training.nav.intents')}
        desc={t('training.intents.desc')}
        extra={
          <Space wrap>
            <Input
              allowClear
              prefix={<SearchOutlined style={{ color: '#bbb' }} />}
              placeholder={t('training.intents.search')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              style={{ width: 240 }}
              data-testid="intent-search"
            />
            <Button icon={<ReloadOutlined />} onClick={() => void reload()} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="intent-create">
              {t('training.intents.create')}
            </Button>
          </Space>
        }
      />
      <Table<Intent>
        className="tr-card"
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={shown}
        pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
        onRow={(r) => ({ onDoubleClick: () => open(r) })}
        columns={[
          {
            title: t('training.intents.name'),
            dataIndex: 'name',
            sorter: (a, b) => a.name.localeCompare(b.name, 'zh'),
            render: (v: string, r) => (
              <Space size={6}>
                <a onClick={() => open(r)}>{v}</a>
                {r.action === 'handoff' ? (
                  <Tag color="volcano" icon={<UserSwitchOutlined />} className="tag-compact">
                    {t('training.intents.handoff')}
                  </Tag>
                ) : null}
              </Space>
            ),
          },
          {
            title: t('training.common.category'),
            dataIndex: 'category',
            width: 140,
            filters: categories.map((c) => ({ text: c, value: c })),
            onFilter: (v, r) => r.category === v,
            render: (v?: string | null) => (v ? <Tag>{v}</Tag> : <Typography.Text type="secondary">—</Typography.Text>),
          },
          {
            title: t('training.intents.skill'),
            dataIndex: 'skill',
            width: 120,
            filters: skills.map((s) => ({ text: s, value: s })),
            onFilter: (v, r) => r.skill === v,
            render: (v?: string | null) => (v ? <Tag color="blue">{v}</Tag> : <Typography.Text type="secondary">—</Typography.Text>),
          },
          {
            title: t('training.intents.examples'),
            key: 'examples',
            ellipsis: true,
            render: (_, r) => (
              <Typography.Text type="secondary" ellipsis>
                {r.examples.slice(0, 3).join(' / ')}
              </Typography.Text>
            ),
          },
          {
            title: t('training.intents.exampleCount'),
            key: 'n',
            width: 110,
            align: 'right',
            sorter: (a, b) => a.examples.length - b.examples.length,
            render: (_, r) => <span className={r.examples.length < 5 ? 'tr-warn' : undefined}>{r.examples.length}</span>,
          },
          {
            title: t('training.common.updated'),
            dataIndex: 'updated_at',
            width: 160,
            sorter: (a, b) => (a.updated_at ?? '').localeCompare(b.updated_at ?? ''),
            render: (v: string) => fmtTime(v),
          },
          {
            title: t('training.common.actions'),
            key: 'ops',
            width: 110,
            render: (_, r) => <RowActions onEdit={() => open(r)} onDelete={() => remove(r)} confirm={t('training.intents.deleteConfirm', { name: r.name })} />,
          },
        ]}
      />
      <EditorDrawer
        title={editing === 'new' ? t('training.intents.create') : t('training.intents.edit')}
        open={!!editing}
        width={560}
        saving={saving}
        saveTestId="intent-save"
        onClose={() => setEditing(null)}
        onSave={() => void save()}
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item name="name" label={t('training.intents.name')} rules={[{ required: true, whitespace: true, message: t('training.intents.nameRequired') }]}>
            <Input placeholder={t('training.intents.namePlaceholder')} maxLength={60} data-testid="intent-name" />
          </Form.Item>
          <Form.Item name="category" label={t('training.common.category')}>
            <AutoComplete options={categories.map((c) => ({ value: c }))} placeholder={t('training.intents.categoryPlaceholder')} allowClear />
          </Form.Item>
          <Form.Item name="action" label={t('training.intents.action')} extra={t('training.intents.actionHint')}>
            <Radio.Group optionType="button" buttonStyle="solid">
              <Radio.Button value="answer">{t('training.intents.answer')}</Radio.Button>
              <Radio.Button value="handoff">{t('training.intents.handoff')}</Radio.Button>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="skill" label={t('training.intents.skill')} extra={t('training.intents.skillHint')} rules={[{ max: 32, message: t('training.intents.skillTooLong') }]}>
            <AutoComplete options={skillOptions} placeholder={t('training.intents.skillPlaceholder')} allowClear data-testid="intent-skill" />
          </Form.Item>
          <Form.Item
            name="examples"
            label={t('training.intents.examples')}
            rules={[{ validator: async (_, v: string[]) => (v?.length ? undefined : Promise.reject(new Error(t('training.intents.examplesRequired')))) }]}
          >
            <PhraseList testId="intent-examples" min={5} placeholder={t('training.intents.examplePlaceholder')} />
          </Form.Item>
        </Form>
      </EditorDrawer>
    </div>
  );
}
