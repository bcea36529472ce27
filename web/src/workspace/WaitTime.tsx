import { useEffect, useState } from 'react';
import { Tag, Tooltip } from 'antd';
import { HourglassOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

/** 「等待 3分12秒」: how long the customer has waited, ticking live; orange after 1 min, red after 3. */
export default function WaitTime({ since }: { since: string }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, []);
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const text = s < 60 ? t('ws.wait.s', { s }) : s < 3600 ? t('ws.wait.m', { m: Math.floor(s / 60), s: s % 60 }) : t('ws.wait.h', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return (
    <Tooltip title={t('ws.wait.since', { time: dayjs(since).format('HH:mm:ss') })}>
      <Tag color={s >= 180 ? 'red' : s >= 60 ? 'orange' : 'default'} icon={<HourglassOutlined />} className="tag-compact" data-testid="wait-time" data-seconds={s}>
        {text}
      </Tag>
    </Tooltip>
  );
}
