import { useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, Alert, Badge, Button, Input, Popconfirm, Select, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, ReloadOutlined, SaveOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { PageHeader, reason } from './common';
import type { Dictionaries } from './types';

type Row = { _k: number; a: string; b: string; tags: string[] };
type Kind = 'synonyms' | 'dialect' | 'domainTerms' | 'sensitive' | 'whitelist';
type State = Record<Kind, Row[]>;
const KINDS: Kind[] = ['synonyms', 'dialect', 'domainTerms', 'sensitive', 'whitelist'];

let seq = 0;
const row = (a = '', b = '', tags: string[] = []): Row => ({ _k: ++seq, a, b, tags });

function toState(d: Partial<Dictionaries>): State {
  return {
    synonyms: (d.synonyms ?? []).map((s) => row(s.term, '', s.synonyms ?? [])),
    dialect: (d.dialect ?? []).map((s) => row(s.from, s.to)),
    domainTerms: (d.domainTerms ?? []).map((s) => row(s)),
    sensitive: (d.sensitive ?? []).map((s) => row(s.word, s.action)),
    whitelist: (d.whitelist ?? []).map((s) => row(s)),
  };
}

function fromState(s: State): Dictionaries {
  const ok = (r: Row) => r.a.trim() !== '';
  return {
    synonyms: s.synonyms.filter((r) => ok(r) && r.tags.length).map((r) => ({ term: r.a.trim(), synonyms: r.tags.map((x) => x.trim()).filter(Boolean) })),
    dialect: s.dialect.filter((r) => ok(r) && r.b.trim()).map((r) => ({ from: r.a.trim(), to: r.b.trim() })),
    domainTerms: s.domainTerms.filter(ok).map((r) => r.a.trim()),
    sensitive: s.sensitive.filter(ok).map((r) => ({ word: r.a.trim(), action: r.b === 'block' ? 'block' : 'flag' })),
    whitelist: s.whitelist.filter(ok).map((r) => r.a.trim()),
  };
}

export default function DictionariesPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [state, setState] = useState<State | null>(null);
  const [saved, setSaved] = useState<string>('');
  const [tab, setTab] = useState<Kind>('synonyms');
  const [q, setQ] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const d = await api<Dictionaries>('/api/knowledge/dictionaries');
      const s = toState(d);
      setState(s);
      setSaved(JSON.stringify(fromState(s)));
    } catch (e) {
      setError(reason(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const dirty = state ? JSON.stringify(fromState(state)) !== saved : false;

  const update = (kind: Kind, k: number, patch: Partial<Row>) =>
    setState((s) => (s ? { ...s, [kind]: s[kind].map((r) => (r._k === k ? { ...r, ...patch } : r)) } : s));
  const removeRow = (kind: Kind, k: number) => setState((s) => (s ? { ...s, [kind]: s[kind].filter((r) => r._k !== k) } : s));
  const addRow = (kind: Kind) => {
    setQ('');
    setState((s) => (s ? { ...s, [kind]: [row('', kind === 'sensitive' ? 'flag' : ''), ...s[kind]] } : s));
  };

  const save = async () => {
    if (!state) return;
    const body = fromState(state);
    setSaving(true);
    try {
      await api('/api/knowledge/dictionaries', { method: 'PUT', body });
      const s = toState(body);
      setState(s);
      setSaved(JSON.stringify(body));
      toast.success(t('training.dict.saved'));
    } catch (e) {
      toast.error(t('training.common.saveFailed', { reason: reason(e) }));
    } finally {
      setSaving(false);
    }
  };

  const filtered = useMemo(() => {
    if (!state) return [];
    const s = q.trim().toLowerCase();
    const rows = state[tab];
    if (!s) return rows;
    return rows.filter((r) => r.a.toLowerCase().includes(s) || r.b.toLowerCase().includes(s) || r.tags.some((x) => x.toLowerCase().includes(s)));
  }, [state, tab, q]);

  const del = (kind: Kind) => ({
    title: '',
    key: 'del',
    width: 56,
    render: (_: unknown, r: Row) => (
      <Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={() => removeRow(kind, r._k)} aria-label={t('training.common.delete')} />
    ),
  });
  const text = (kind: Kind, field: 'a' | 'b', placeholder: string) => (_: unknown, r: Row) => (
    <Input
      variant="borderless"
      className="dict-cell"
      value={r[field]}
      placeholder={placeholder}
      status={field === 'a' && !r.a.trim() ? 'warning' : undefined}
      onChange={(e) => update(kind, r._k, { [field]: e.target.value })}
    />
  );

  const columns: Record<Kind, object[]> = {
    synonyms: [
      { title: t('training.dict.term'), key: 'a', width: 200, render: text('synonyms', 'a', t('training.dict.termPh')) },
      {
        title: t('training.dict.synonyms'),
        key: 'tags',
        render: (_: unknown, r: Row) => (
          <Select
            mode="tags"
            variant="borderless"
            style={{ width: '100%' }}
            value={r.tags}
            tokenSeparators={[',', '，', '、', ' ']}
            placeholder={t('training.dict.synonymsPh')}
            onChange={(v: string[]) => update('synonyms', r._k, { tags: v })}
            open={false}
            suffixIcon={null}
          />
        ),
      },
      del('synonyms'),
    ],
    dialect: [
      { title: t('training.dict.from'), key: 'a', render: text('dialect', 'a', '整不明白') },
      { title: '→', key: 'arrow', width: 40, render: () => <Typography.Text type="secondary">→</Typography.Text> },
      { title: t('training.dict.to'), key: 'b', render: text('dialect', 'b', '不明白') },
      del('dialect'),
    ],
    domainTerms: [{ title: t('training.dict.domainTerm'), key: 'a', render: text('domainTerms', 'a', 'CVT变速箱') }, del('domainTerms')],
    sensitive: [
      { title: t('training.dict.word'), key: 'a', render: text('sensitive', 'a', '') },
      {
        title: t('training.dict.action'),
        key: 'b',
        width: 180,
        render: (_: unknown, r: Row) => (
          <Select
            value={r.b === 'block' ? 'block' : 'flag'}
            style={{ width: 150 }}
            onChange={(v) => update('sensitive', r._k, { b: v })}
            options={[
              { value: 'block', label: <Tag color="red">{t('training.dict.block')}</Tag> },
              { value: 'flag', label: <Tag color="orange">{t('training.dict.flag')}</Tag> },
            ]}
          />
        ),
      },
      del('sensitive'),
    ],
    whitelist: [{ title: t('training.dict.phrase'), key: 'a', render: text('whitelist', 'a', '抗癌药物咨询') }, del('whitelist')],
  };

  return (
    <div className="tr-page" data-testid="dictionaries-page">
      <PageHeader
        title={t('training.nav.dictionaries')}
        desc={t('training.dict.desc')}
        extra={
          <Space>
            {dirty ? <Badge status="warning" text={t('training.dict.unsaved')} /> : null}
            <Popconfirm title={t('training.dict.discard')} disabled={!dirty} onConfirm={() => void load()}>
              <Button icon={<ReloadOutlined />} onClick={() => !dirty && void load()}>
                {t('training.common.reload')}
              </Button>
            </Popconfirm>
            <Button type="primary" icon={<SaveOutlined />} disabled={!dirty} loading={saving} onClick={() => void save()} data-testid="dict-save">
              {t('training.common.save')}
            </Button>
          </Space>
        }
      />
      {error ? <Alert type="error" showIcon message={t('training.common.loadFailed', { reason: error })} style={{ marginBottom: 12 }} /> : null}
      {!state ? (
        !error ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : null
      ) : (
        <div className="tr-card tr-card-pad">
          <Tabs
            activeKey={tab}
            onChange={(k) => {
              setTab(k as Kind);
              setQ('');
            }}
            items={KINDS.map((k) => ({
              key: k,
              label: (
                <span data-testid={`dict-tab-${k}`}>
                  {t(`training.dict.tabs.${k}`)} <span className="tr-count">{state[k].length}</span>
                </span>
              ),
            }))}
            tabBarExtraContent={
              <Space>
                <Input
                  size="small"
                  allowClear
                  prefix={<SearchOutlined style={{ color: '#bbb' }} />}
                  placeholder={t('training.common.search')}
                  value={q}
                  onChange={(e) => setQ(e.target.value)}
                  style={{ width: 180 }}
                />
                <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => addRow(tab)} data-testid="dict-add">
                  {t('training.common.addRow')}
                </Button>
              </Space>
            }
          />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -6 }}>
            {t(`training.dict.hints.${tab}`)}
          </Typography.Paragraph>
          <Table<Row>
            rowKey="_k"
            size="small"
            dataSource={filtered}
            columns={columns[tab] as never}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          />
        </div>
      )}
    </div>
  );
}
