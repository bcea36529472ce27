import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  App as AntApp,
  AutoComplete,
  Button,
  Card,
  Empty,
  Form,
  Input,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { DeleteOutlined, LinkOutlined, MenuOutlined, PlusOutlined, ReloadOutlined, SearchOutlined, FileTextOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { previewOf, type Channel, type MenuItem, type MessageContent } from '../types';
import { EditorDrawer, fmtTime, itemsOf, PageHeader, reason, RowActions, useCrud, useIntents } from './common';
import PhraseList from './PhraseList';
import { CHANNELS, TIERS, type Faq, type FaqAnswer } from './types';

const ANY = '*';
type AnswerType = 'text' | 'link' | 'menu';
type MenuRow = { kind: 'click' | 'view'; content: string; ref?: string };
type AnswerForm = {
  tier: string;
  channel: string;
  type: AnswerType;
  text?: string;
  title?: string;
  desc?: string;
  url?: string;
  head?: string;
  items?: MenuRow[];
  tail?: string;
};
type FormValues = { question: string; category?: string; intent_id?: string; similar: string[]; answers: AnswerForm[] };

function toForm(a: FaqAnswer): AnswerForm {
  const base = { tier: a.tier ?? ANY, channel: a.channel ?? ANY };
  const c = a.content;
  if (c.type === 'link') return { ...base, type: 'link', title: c.title, desc: c.desc, url: c.url };
  if (c.type === 'menu')
    return {
      ...base,
      type: 'menu',
      head: c.head,
      tail: c.tail,
      items: c.items.map((it) => (it.type === 'view' ? { kind: 'view', content: it.content, ref: it.url } : { kind: 'click', content: it.content, ref: it.type === 'click' ? it.id : '' })),
    };
  return { ...base, type: 'text', text: c.type === 'text' ? c.text : previewOf(c) };
}

function fromForm(a: AnswerForm): FaqAnswer {
  let content: MessageContent;
  if (a.type === 'link') content = { type: 'link', title: a.title!.trim(), desc: a.desc?.trim() || undefined, url: a.url!.trim() };
  else if (a.type === 'menu')
    content = {
      type: 'menu',
      head: a.head?.trim() || undefined,
      tail: a.tail?.trim() || undefined,
      items: (a.items ?? []).map((it, i): MenuItem =>
        it.kind === 'view' ? { type: 'view', url: (it.ref ?? '').trim(), content: it.content.trim() } : { type: 'click', id: (it.ref ?? '').trim() || `m${i + 1}`, content: it.content.trim() },
      ),
    };
  else content = { type: 'text', text: (a.text ?? '').trim() };
  return { tier: a.tier === ANY ? null : a.tier, channel: a.channel === ANY ? null : (a.channel as Channel), content };
}

const TYPE_ICON: Record<AnswerType, React.ReactNode> = { text: <FileTextOutlined />, link: <LinkOutlined />, menu: <MenuOutlined /> };

function AnswerEditor({ name, remove, canRemove }: { name: number; remove: () => void; canRemove: boolean }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<FormValues>();
  const type: AnswerType = Form.useWatch(['answers', name, 'type'], form) ?? 'text';
  return (
    <Card
      size="small"
      className="faq-answer"
      title={
        <Space wrap size={6}>
          <Form.Item name={[name, 'tier']} noStyle>
            <Select
              size="small"
              style={{ width: 120 }}
              options={[{ value: ANY, label: t('training.faqs.anyTier') }, ...TIERS.map((x) => ({ value: x, label: t(`tiers.${x}`) }))]}
            />
          </Form.Item>
          <Form.Item name={[name, 'channel']} noStyle>
            <Select
              size="small"
              style={{ width: 130 }}
              options={[{ value: ANY, label: t('training.faqs.anyChannel') }, ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))]}
            />
          </Form.Item>
          <Form.Item name={[name, 'type']} noStyle>
            <Segmented
              size="small"
              options={(['text', 'link', 'menu'] as AnswerType[]).map((x) => ({ value: x, label: t(`training.faqs.type.${x}`), icon: TYPE_ICON[x] }))}
            />
          </Form.Item>
        </Space>
      }
      extra={
        canRemove ? (
          <Tooltip title={t('training.faqs.removeAnswer')}>
            <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={remove} />
          </Tooltip>
        ) : null
      }
    >
      {type === 'text' ? (
        <Form.Item name={[name, 'text']} rules={[{ required: true, whitespace: true, message: t('training.faqs.textRequired') }]} style={{ marginBottom: 0 }}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} placeholder={t('training.faqs.textPlaceholder')} maxLength={2000} showCount data-testid="faq-answer-text" />
        </Form.Item>
      ) : null}
      {type === 'link' ? (
        <>
          <Form.Item name={[name, 'title']} label={t('training.faqs.linkTitle')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name={[name, 'desc']} label={t('training.faqs.linkDesc')}>
            <Input />
          </Form.Item>
          <Form.Item name={[name, 'url']} label="URL" rules={[{ required: true, type: 'url', message: t('training.faqs.urlInvalid') }]} style={{ marginBottom: 0 }}>
            <Input placeholder="https://" />
          </Form.Item>
        </>
      ) : null}
      {type === 'menu' ? (
        <>
          <Form.Item name={[name, 'head']} label={t('training.faqs.menuHead')}>
            <Input />
          </Form.Item>
          <Form.List name={[name, 'items']}>
            {(fields, { add, remove: rm }) => (
              <div className="faq-menu-items">
                {fields.map((f) => (
                  <Space.Compact key={f.key} style={{ width: '100%', marginBottom: 6 }}>
                    <Form.Item name={[f.name, 'kind']} noStyle>
                      <Select
                        style={{ width: 96 }}
                        options={[
                          { value: 'click', label: t('training.faqs.menuClick') },
                          { value: 'view', label: t('training.faqs.menuView') },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'content']} noStyle rules={[{ required: true, whitespace: true }]}>
                      <Input placeholder={t('training.faqs.menuItemText')} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'ref']} noStyle>
                      <Input placeholder={t('training.faqs.menuItemRef')} style={{ width: '40%' }} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => rm(f.name)} />
                  </Space.Compact>
                ))}
                <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ kind: 'click', content: '' })}>
                  {t('training.faqs.menuAdd')}
                </Button>
              </div>
            )}
          </Form.List>
          <Form.Item name={[name, 'tail']} label={t('training.faqs.menuTail')} style={{ marginTop: 12, marginBottom: 0 }}>
            <Input />
          </Form.Item>
        </>
      ) : null}
    </Card>
  );
}

export default function FaqsPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const { intents } = useIntents();
  const [faqs, setFaqs] = useState<Faq[]>([]);
  const [loading, setLoading] = useState(true);
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<string | undefined>();
  const [intentFilter, setIntentFilter] = useState<string | undefined>();
  const [editing, setEditing] = useState<Faq | 'new' | null>(null);
  const [allCategories, setAllCategories] = useState<string[]>([]);
  const [form] = Form.useForm<FormValues>();

  const intentName = useMemo(() => new Map(intents.map((i) => [i.id, i.name])), [intents]);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const qs = new URLSearchParams();
      if (q.trim()) qs.set('q', q.trim());
      if (category) qs.set('category', category);
      const r = await api<{ items: Faq[] }>(`/api/knowledge/faqs${qs.size ? `?${qs}` : ''}`);
      const items = itemsOf(r);
      setFaqs(items);
      if (!q.trim() && !category) setAllCategories([...new Set(items.map((f) => f.category).filter((c): c is string => !!c))]);
    } catch (e) {
      toast.error(t('training.common.loadFailed', { reason: reason(e) }));
    } finally {
      setLoading(false);
    }
  }, [q, category, toast, t]);
  const crud = useCrud('faqs', load);
  const saving = crud.saving;

  useEffect(() => {
    const h = setTimeout(() => void load(), 250);
    return () => clearTimeout(h);
  }, [load]);

  const shown = useMemo(() => (intentFilter ? faqs.filter((f) => f.intent_id === intentFilter) : faqs), [faqs, intentFilter]);

  const open = (f: Faq | 'new') => {
    setEditing(f);
    form.resetFields();
    form.setFieldsValue(
      f === 'new'
        ? { question: '', similar: [], answers: [{ tier: ANY, channel: ANY, type: 'text', text: '' }] }
        : {
            question: f.question,
            category: f.category ?? undefined,
            intent_id: f.intent_id ?? undefined,
            similar: f.similar,
            answers: f.answers.length ? f.answers.map(toForm) : [{ tier: ANY, channel: ANY, type: 'text', text: '' }],
          },
    );
  };

  const save = async () => {
    let v: FormValues;
    try {
      v = await form.validateFields();
    } catch {
      toast.warning(t('training.common.fixForm'));
      return;
    }
    const body = {
      question: v.question.trim(),
      category: v.category?.trim() || null,
      intent_id: v.intent_id || null,
      similar: v.similar ?? [],
      answers: (v.answers ?? []).map(fromForm),
    };
    if (editing && (await crud.save(editing === 'new' ? null : editing.id, body))) setEditing(null);
  };

  const remove = (f: Faq) => crud.remove(f.id);

  return (
    <div className="tr-page" data-testid="faqs-page">
      <PageHeader
        title={t('training.nav.faqs')}
        desc={t('training.faqs.desc')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="faq-create">
            {t('training.faqs.create')}
          </Button>
        }
      />
      <div className="tr-filters">
        <Input
          allowClear
          prefix={<SearchOutlined style={{ color: '#bbb' }} />}
          placeholder={t('training.faqs.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          style={{ width: 260 }}
          data-testid="faq-search"
        />
        <Select
          allowClear
          placeholder={t('training.common.category')}
          value={category}
          onChange={setCategory}
          options={allCategories.map((c) => ({ value: c, label: c }))}
          style={{ width: 160 }}
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('training.faqs.intent')}
          value={intentFilter}
          onChange={setIntentFilter}
          options={intents.map((i) => ({ value: i.id, label: i.name }))}
          style={{ width: 180 }}
        />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} />
        <Typography.Text type="secondary">{t('training.common.total', { n: shown.length })}</Typography.Text>
      </div>
      <Table<Faq>
        className="tr-card"
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={shown}
        pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
        onRow={(r) => ({ onDoubleClick: () => open(r) })}
        columns={[
          {
            title: t('training.faqs.question'),
            dataIndex: 'question',
            width: '26%',
            render: (v: string, r) => (
              <a onClick={() => open(r)} data-testid="faq-question">
                {v}
              </a>
            ),
          },
          { title: t('training.common.category'), dataIndex: 'category', width: 110, render: (v?: string | null) => (v ? <Tag>{v}</Tag> : '—') },
          {
            title: t('training.faqs.intent'),
            dataIndex: 'intent_id',
            width: 140,
            render: (v?: string | null) => (v ? <Tag color="blue">{intentName.get(v) ?? v}</Tag> : <Typography.Text type="secondary">—</Typography.Text>),
          },
          {
            title: t('training.faqs.similarCount'),
            key: 'similar',
            width: 96,
            align: 'right',
            sorter: (a, b) => a.similar.length - b.similar.length,
            render: (_, r) => r.similar.length,
          },
          {
            title: t('training.faqs.answerPreview'),
            key: 'answer',
            ellipsis: true,
            render: (_, r) => {
              const a = r.answers[0];
              return a ? (
                <Space size={4} style={{ maxWidth: '100%' }}>
                  {r.answers.length > 1 ? (
                    <Tooltip title={t('training.faqs.variants', { n: r.answers.length })}>
                      <Tag color="purple" className="tag-compact">
                        ×{r.answers.length}
                      </Tag>
                    </Tooltip>
                  ) : null}
                  <Typography.Text type="secondary" ellipsis>
                    {previewOf(a.content)}
                  </Typography.Text>
                </Space>
              ) : (
                <Typography.Text type="warning">{t('training.faqs.noAnswer')}</Typography.Text>
              );
            },
          },
          { title: t('training.common.updated'), dataIndex: 'updated_at', width: 150, render: (v: string) => fmtTime(v) },
          {
            title: t('training.common.actions'),
            key: 'ops',
            width: 96,
            render: (_, r) => <RowActions onEdit={() => open(r)} onDelete={() => remove(r)} confirm={t('training.faqs.deleteConfirm')} testId="faq" />,
          },
        ]}
      />
      <EditorDrawer
        title={editing === 'new' ? t('training.faqs.create') : t('training.faqs.edit')}
        open={!!editing}
        width={720}
        saving={saving}
        saveTestId="faq-save"
        onClose={() => setEditing(null)}
        onSave={() => void save()}
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item name="question" label={t('training.faqs.question')} rules={[{ required: true, whitespace: true, message: t('training.faqs.questionRequired') }]}>
            <Input maxLength={200} data-testid="faq-question-input" />
          </Form.Item>
          <Space.Compact block>
            <Form.Item name="category" label={t('training.common.category')} style={{ flex: 1, marginInlineEnd: 12 }}>
              <AutoComplete options={allCategories.map((c) => ({ value: c }))} allowClear />
            </Form.Item>
            <Form.Item name="intent_id" label={t('training.faqs.intent')} style={{ flex: 1 }}>
              <Select allowClear showSearch optionFilterProp="label" options={intents.map((i) => ({ value: i.id, label: i.name }))} />
            </Form.Item>
          </Space.Compact>
          <Form.Item name="similar" label={t('training.faqs.similar')}>
            <PhraseList testId="faq-similar" placeholder={t('training.faqs.similarPlaceholder')} />
          </Form.Item>
          <Typography.Title level={5} style={{ marginTop: 8 }}>
            {t('training.faqs.answers')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('training.faqs.answersHint')}
          </Typography.Paragraph>
          <Form.List name="answers">
            {(fields, { add, remove }) => (
              <Space direction="vertical" style={{ width: '100%' }} size={12}>
                {fields.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : null}
                {fields.map((f) => (
                  <AnswerEditor key={f.key} name={f.name} remove={() => remove(f.name)} canRemove={fields.length > 1} />
                ))}
                <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ tier: ANY, channel: ANY, type: 'text', text: '' })}>
                  {t('training.faqs.addAnswer')}
                </Button>
              </Space>
            )}
          </Form.List>
        </Form>
      </EditorDrawer>
    </div>
  );
}
