import { useState } from 'react';
import { Button, Empty, Input, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, SnippetsOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { lines } from './common';

type Props = { value?: string[]; onChange?: (v: string[]) => void; placeholder?: string; testId?: string; min?: number };

/** A list of phrasings: add one, remove one, edit in place, or paste many (one per line). Antd form control. */
export default function PhraseList({ value = [], onChange, placeholder, testId, min }: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const [bulkOpen, setBulkOpen] = useState(false);
  const [bulk, setBulk] = useState('');

  const add = (items: string[]) => {
    const seen = new Set(value);
    const next = [...value];
    for (const s of items) if (!seen.has(s)) (seen.add(s), next.push(s));
    onChange?.(next);
  };

  return (
    <div className="phrase-list" data-testid={testId}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          value={draft}
          placeholder={placeholder ?? t('training.phrases.placeholder')}
          onChange={(e) => setDraft(e.target.value)}
          onPressEnter={(e) => {
            e.preventDefault();
            if (draft.trim()) add([draft.trim()]);
            setDraft('');
          }}
          data-testid={testId ? `${testId}-input` : undefined}
        />
        <Button
          icon={<PlusOutlined />}
          onClick={() => {
            if (draft.trim()) add([draft.trim()]);
            setDraft('');
          }}
        >
          {t('training.common.add')}
        </Button>
        <Button icon={<SnippetsOutlined />} onClick={() => setBulkOpen((x) => !x)} type={bulkOpen ? 'primary' : 'default'} ghost={bulkOpen}>
          {t('training.phrases.bulk')}
        </Button>
      </Space.Compact>
      {bulkOpen ? (
        <div className="phrase-bulk">
          <Input.TextArea
            value={bulk}
            onChange={(e) => setBulk(e.target.value)}
            autoSize={{ minRows: 4, maxRows: 10 }}
            placeholder={t('training.phrases.bulkPlaceholder')}
            data-testid={testId ? `${testId}-bulk` : undefined}
          />
          <Space style={{ marginTop: 6 }}>
            <Button
              type="primary"
              size="small"
              disabled={!lines(bulk).length}
              onClick={() => {
                add(lines(bulk));
                setBulk('');
                setBulkOpen(false);
              }}
            >
              {t('training.phrases.bulkAdd', { n: lines(bulk).length })}
            </Button>
            <Button size="small" onClick={() => setBulkOpen(false)}>
              {t('training.common.cancel')}
            </Button>
          </Space>
        </div>
      ) : null}
      <div className="phrase-items">
        {value.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('training.phrases.empty')} style={{ margin: '8px 0' }} />
        ) : (
          value.map((p, i) => (
            <div className="phrase-item" key={`${i}-${p}`}>
              <span className="phrase-no">{i + 1}</span>
              <Typography.Text
                className="phrase-text"
                editable={{
                  triggerType: ['text', 'icon'],
                  onChange: (s) => {
                    const v = s.trim();
                    const next = [...value];
                    if (v) next[i] = v;
                    else next.splice(i, 1);
                    onChange?.(next);
                  },
                }}
              >
                {p}
              </Typography.Text>
              <Button
                type="text"
                size="small"
                danger
                icon={<DeleteOutlined />}
                aria-label={t('training.common.delete')}
                onClick={() => onChange?.(value.filter((_, j) => j !== i))}
              />
            </div>
          ))
        )}
      </div>
      <Typography.Text type={min && value.length < min ? 'warning' : 'secondary'} style={{ fontSize: 12 }}>
        {t('training.phrases.count', { n: value.length })}
        {min && value.length < min ? ` · ${t('training.phrases.min', { n: min })}` : ''}
      </Typography.Text>
    </div>
  );
}
