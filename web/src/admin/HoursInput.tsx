import { Button, Space, Switch, TimePicker } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { TimeRange } from './types';

const FMT = 'HH:mm';
// the picker has no 24:00: the last minute stands for the end of the day
const toDayjs = (s: string) => dayjs(s === '24:00' ? '23:59' : s, FMT);
const fromDayjs = (d: Dayjs) => (d.format(FMT) === '23:59' ? '24:00' : d.format(FMT));

/** Working hours of one weekday: on/off, then one or more ranges (e.g. 09:00–12:00, 13:00–18:00). */
export default function HoursInput({ value = [], onChange, testId }: { value?: TimeRange[]; onChange?: (v: TimeRange[]) => void; testId: string }) {
  const { t } = useTranslation();
  const set = (v: TimeRange[]) => onChange?.(v);
  return (
    <Space wrap size={6} data-testid={testId}>
      <Switch
        size="small"
        checked={value.length > 0}
        onChange={(on) => set(on ? [{ start: '09:00', end: '18:00' }] : [])}
        checkedChildren={t('admin.cal.open')}
        unCheckedChildren={t('admin.cal.closed')}
        data-testid={`${testId}-switch`}
      />
      {value.map((r, i) => (
        <Space key={i} size={2}>
          <TimePicker.RangePicker
            size="small"
            format={FMT}
            minuteStep={5}
            allowClear={false}
            value={[toDayjs(r.start), toDayjs(r.end)]}
            onChange={(v) => v?.[0] && v[1] && set(value.map((x, j) => (j === i ? { start: fromDayjs(v[0]!), end: fromDayjs(v[1]!) } : x)))}
            style={{ width: 150 }}
          />
          {value.length > 1 ? <Button type="text" size="small" icon={<MinusCircleOutlined />} onClick={() => set(value.filter((_, j) => j !== i))} aria-label={t('admin.remove')} /> : null}
        </Space>
      ))}
      {value.length > 0 && value.length < 4 ? (
        <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => set([...value, { start: value.at(-1)!.end < '18:00' ? value.at(-1)!.end : '19:00', end: '21:00' }])}>
          {t('admin.cal.addRange')}
        </Button>
      ) : null}
    </Space>
  );
}
