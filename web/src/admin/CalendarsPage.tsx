import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, DatePicker, Empty, Form, Input, InputNumber, List, Popconfirm, Segmented, Select, Space, Tag, Typography } from 'antd';
import { CalendarOutlined, DeleteOutlined, LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import { PageHeader } from '../training/common';
import { FormProblems, useLoad, useSave } from './common';
import HoursInput from './HoursInput';
import YearCalendar, { CalendarLegend } from './YearCalendar';
import { WEEKDAYS, ZONES, type BusinessCalendar, type CalendarDefinition, type CalendarPreview, type PreviewDay } from './types';

type Values = { name: string; sort: number; definition: CalendarDefinition };
type ClickMode = 'company_off' | 'holiday' | 'workday';

const OFFICE = [{ start: '09:00', end: '18:00' }];
const NEW_CALENDAR: Values = {
  name: '',
  sort: 100,
  definition: {
    mode: 'weekly',
    timeZone: 'Asia/Shanghai',
    publicHolidays: 'cn',
    weekly: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE, sat: [], sun: [] },
    customYears: {},
    companyDaysOff: [],
  },
};

const toggle = (list: string[], d: string) => (list.includes(d) ? list.filter((x) => x !== d) : [...list, d].sort());

/** Business calendars: weekly hours, time zone, 法定节假日 and 调休 per year, company days off. */
export default function CalendarsPage({ mobile }: { mobile: boolean }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const list = useLoad<{ items: BusinessCalendar[]; package_years: [number, number] }>('/api/admin/calendars');
  const items = list.data?.items ?? [];
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const current = items.find((c) => c.id === selected) ?? null;
  const { saving, problems, setProblems, save, remove } = useSave('/api/admin/calendars', form, list.reload, (p) => (p[1] === 'weekly' ? p.slice(0, 3) : p));

  useEffect(() => {
    if (selected === null && items[0]) setSelected(items[0].id);
  }, [items, selected]);
  useEffect(() => {
    setProblems([]);
    form.resetFields();
    form.setFieldsValue(current ? { name: current.name, sort: current.sort, definition: current.definition } : NEW_CALENDAR);
  }, [current, selected, form, setProblems]);

  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const body = { ...v, definition: { ...form.getFieldValue('definition'), ...v.definition } };
    const r = await save<BusinessCalendar>(selected === 'new' ? null : selected, body);
    if (r) setSelected(r.id);
  };

  return (
    <div className="tr-page" data-testid="admin-calendars">
      <PageHeader
        title={t('admin.nav.calendars')}
        desc={t('admin.cal.desc', { from: list.data?.package_years[0] ?? '', to: list.data?.package_years[1] ?? '' })}
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setSelected('new')} data-testid="calendar-new">{t('admin.cal.new')}</Button>}
      />
      <div className={mobile ? '' : 'adm-split'}>
        <Card size="small" className="adm-split-list" styles={{ body: { padding: 0 } }}>
          <List
            loading={list.loading}
            dataSource={items}
            renderItem={(c) => (
              <List.Item className={`adm-list-item${c.id === selected ? ' adm-list-item-active' : ''}`} onClick={() => setSelected(c.id)} data-testid="calendar-item" data-id={c.id}>
                <List.Item.Meta
                  avatar={<CalendarOutlined style={{ fontSize: 18, color: '#1677ff' }} />}
                  title={c.name}
                  description={
                    <Space size={4} wrap>
                      <Tag className="tag-compact">{c.definition.mode === '24x7' ? '7×24' : c.definition.timeZone}</Tag>
                      {c.used_by.length ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('admin.cal.usedBy', { names: c.used_by.join('、') })}</Typography.Text> : null}
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
        </Card>
        <Card
          size="small"
          className="adm-split-main"
          title={selected === 'new' ? t('admin.cal.new') : current?.name ?? ''}
          extra={
            <Space>
              {current ? (
                <Popconfirm title={t('admin.confirmDelete', { name: current.name })} onConfirm={async () => (await remove(current.id)) && setSelected(null)}>
                  <Button danger icon={<DeleteOutlined />} disabled={current.used_by.length > 0}>{t('admin.delete')}</Button>
                </Popconfirm>
              ) : null}
              <Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="calendar-save">{t('admin.save')}</Button>
            </Space>
          }
        >
          {selected ? <CalendarForm form={form} problems={problems} mobile={mobile} /> : <Empty />}
        </Card>
      </div>
    </div>
  );
}

function CalendarForm({ form, problems, mobile }: { form: ReturnType<typeof Form.useForm<Values>>[0]; problems: string[]; mobile: boolean }) {
  const { t } = useTranslation();
  const mode = Form.useWatch(['definition', 'mode'], form);
  return (
    <Form form={form} layout={mobile ? 'vertical' : 'horizontal'} labelCol={mobile ? undefined : { flex: '110px' }} initialValues={NEW_CALENDAR} data-testid="calendar-form">
      <FormProblems problems={problems} />
      <Form.Item name="name" label={t('admin.name')} rules={[{ required: true, message: t('admin.required') }]}>
        <Input maxLength={80} data-testid="calendar-name" />
      </Form.Item>
      <Space wrap size={16} align="start">
        <Form.Item name={['definition', 'mode']} label={t('admin.cal.mode')}>
          <Segmented options={[{ value: 'weekly', label: t('admin.cal.weekly') }, { value: '24x7', label: '7×24' }]} />
        </Form.Item>
        <Form.Item name={['definition', 'timeZone']} label={t('admin.cal.zone')} labelCol={{ flex: 'none' }}>
          <Select showSearch style={{ width: 190 }} options={ZONES.map((z) => ({ value: z, label: z }))} />
        </Form.Item>
        <Form.Item name="sort" label={t('admin.sort')} labelCol={{ flex: 'none' }}>
          <InputNumber min={0} max={100000} style={{ width: 90 }} />
        </Form.Item>
      </Space>
      {mode !== '24x7' ? (
        <>
          <Form.Item name={['definition', 'publicHolidays']} label={t('admin.cal.holidays')}>
            <Select style={{ maxWidth: 360 }} options={[{ value: 'cn', label: t('admin.cal.cn') }, { value: 'none', label: t('admin.cal.noHolidays') }]} />
          </Form.Item>
          <Form.Item label={t('admin.cal.hours')} required style={{ marginBottom: 8 }}>
            <div className="adm-week">
              {WEEKDAYS.map((d) => (
                <Form.Item key={d} name={['definition', 'weekly', d]} label={t(`admin.cal.day.${d}`)} colon={false} labelCol={{ flex: '44px' }} className="adm-week-row">
                  <HoursInput testId={`hours-${d}`} />
                </Form.Item>
              ))}
            </div>
          </Form.Item>
        </>
      ) : null}
      {/* edited through the year view below */}
      <Form.Item name={['definition', 'companyDaysOff']} hidden><span /></Form.Item>
      <Form.Item name={['definition', 'customYears']} hidden><span /></Form.Item>
      <YearSection form={form} mobile={mobile} />
    </Form>
  );
}

/** The year view: preview from the server, clicks edit company days off (and hand-entered years). */
function YearSection({ form, mobile }: { form: ReturnType<typeof Form.useForm<Values>>[0]; mobile: boolean }) {
  const { t } = useTranslation();
  const definition = Form.useWatch('definition', { form, preserve: true }) as CalendarDefinition | undefined;
  const [year, setYear] = useState(() => dayjs().year());
  const [clickMode, setClickMode] = useState<ClickMode>('company_off');
  const [from, setFrom] = useState<Dayjs>(() => dayjs());
  const [minutes, setMinutes] = useState<number>(120);
  const [preview, setPreview] = useState<CalendarPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = useMemo(() => JSON.stringify(definition ?? null), [definition]);

  useEffect(() => {
    if (!definition) return;
    const ctrl = new AbortController();
    const h = setTimeout(() => {
      api<CalendarPreview>('/api/admin/calendars/preview', { body: { definition, year, from: from.toISOString(), minutes }, signal: ctrl.signal })
        .then((p) => {
          setPreview(p);
          setError(null);
        })
        .catch((e) => (e as Error).name !== 'AbortError' && setError(errMsg(e)));
    }, 250);
    return () => {
      clearTimeout(h);
      ctrl.abort();
    };
    // the definition is compared by value (key)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, year, from, minutes]);

  const custom = definition?.customYears?.[String(year)];
  const always = definition?.mode === '24x7';
  const onDay = (d: PreviewDay) => {
    const def = form.getFieldValue('definition') as CalendarDefinition;
    if (clickMode === 'company_off') {
      form.setFieldValue(['definition', 'companyDaysOff'], toggle(def.companyDaysOff ?? [], d.date));
    } else if (custom) {
      const other = clickMode === 'holiday' ? 'workdays' : 'holidays';
      const own = clickMode === 'holiday' ? 'holidays' : 'workdays';
      form.setFieldValue(['definition', 'customYears', String(year)], { ...custom, [own]: toggle(custom[own], d.date), [other]: custom[other].filter((x) => x !== d.date) });
    }
  };
  const enterYear = () =>
    form.setFieldValue(['definition', 'customYears'], { ...(definition?.customYears ?? {}), [String(year)]: { holidays: [], workdays: [] } });
  const dropYear = () => {
    const rest = { ...(definition?.customYears ?? {}) };
    delete rest[String(year)];
    form.setFieldValue(['definition', 'customYears'], rest);
  };
  const daysOff = (definition?.companyDaysOff ?? []).filter((d) => d.startsWith(String(year)));

  return (
    <div className="adm-year-section">
      <div className="adm-year-bar">
        <Space size={4}>
          <Button size="small" icon={<LeftOutlined />} onClick={() => setYear((y) => y - 1)} aria-label={t('admin.cal.prevYear')} data-testid="year-prev" />
          <Typography.Text strong style={{ fontSize: 16, minWidth: 56, textAlign: 'center', display: 'inline-block' }} data-testid="year-label">{year}</Typography.Text>
          <Button size="small" icon={<RightOutlined />} onClick={() => setYear((y) => y + 1)} aria-label={t('admin.cal.nextYear')} data-testid="year-next" />
        </Space>
        {!always ? (
          <Segmented
            size="small"
            value={clickMode}
            onChange={(v) => setClickMode(v as ClickMode)}
            options={[
              { value: 'company_off', label: t('admin.cal.click.company_off') },
              { value: 'holiday', label: t('admin.cal.click.holiday'), disabled: !custom },
              { value: 'workday', label: t('admin.cal.click.workday'), disabled: !custom },
            ]}
            data-testid="click-mode"
          />
        ) : null}
        <CalendarLegend />
      </div>
      {preview?.coverage === 'missing' ? (
        <Alert type="warning" showIcon style={{ marginBottom: 8 }} data-testid="year-missing" message={t('admin.cal.missing', { year })} action={<Button size="small" onClick={enterYear} data-testid="enter-year">{t('admin.cal.enterYear', { year })}</Button>} />
      ) : null}
      {custom ? (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t('admin.cal.customYear', { year, h: custom.holidays.length, w: custom.workdays.length })} action={<Button size="small" onClick={dropYear}>{t('admin.cal.dropYear')}</Button>} />
      ) : null}
      {error ? <Alert type="error" showIcon style={{ marginBottom: 8 }} message={error} /> : null}
      {preview && preview.year === year ? <YearCalendar days={preview.days} onDay={always ? undefined : onDay} /> : null}
      {!always ? (
        <div className="adm-daysoff">
          <Typography.Text type="secondary">{t('admin.cal.daysOff', { year })}</Typography.Text>
          {daysOff.length ? daysOff.map((d) => (
            <Tag key={d} color="purple" closable onClose={() => form.setFieldValue(['definition', 'companyDaysOff'], (definition?.companyDaysOff ?? []).filter((x) => x !== d))} data-testid="day-off-tag">{d}</Tag>
          )) : <Typography.Text type="secondary">—</Typography.Text>}
        </div>
      ) : null}
      <div className="adm-due" data-testid="calendar-due-row">
        <Typography.Text type="secondary">{t('admin.cal.dueFrom')}</Typography.Text>
        <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" value={from} onChange={(v) => v && setFrom(v)} allowClear={false} size="small" style={{ width: mobile ? 160 : 170 }} />
        <InputNumber size="small" min={1} max={525600} value={minutes} onChange={(v) => v && setMinutes(v)} addonAfter={t('admin.minutes')} style={{ width: 140 }} />
        <Typography.Text type="secondary">→</Typography.Text>
        <Typography.Text strong data-testid="calendar-due">{preview?.due ? dayjs(preview.due).format('YYYY-MM-DD HH:mm') : '—'}</Typography.Text>
      </div>
    </div>
  );
}
