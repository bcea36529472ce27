import { useEffect, useState } from 'react';
import { App as AntApp, Button, Card, Checkbox, Form, Select, Space, Switch, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, errMsg } from '../api';
import { PageHeader } from '../training/common';
import { FormProblems, applyIssues, useLoad } from './common';
import { CHANNELS, ZONES, type Channel, type Preferences } from './types';

type Values = { channels: Channel[]; muted: boolean; quiet: boolean; quietRange?: [Dayjs, Dayjs]; timeZone: string };

/** My notifications: which channels may reach me, mute, and quiet hours. */
export default function PreferencesPage() {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const prefs = useLoad<Preferences>('/api/notifications/preferences');
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const quiet = Form.useWatch('quiet', form);

  useEffect(() => {
    const p = prefs.data;
    if (!p) return;
    const q = p.quietHours;
    form.setFieldsValue({
      channels: p.channels ?? [...CHANNELS], muted: !!p.muted, quiet: !!q, timeZone: q?.timeZone ?? 'Asia/Shanghai',
      quietRange: [dayjs(q?.start ?? '22:00', 'HH:mm'), dayjs(q?.end ?? '08:00', 'HH:mm')],
    });
  }, [prefs.data, form]);

  const onSave = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const body: Preferences = {
      channels: v.channels, muted: v.muted,
      quietHours: v.quiet && v.quietRange ? { start: v.quietRange[0].format('HH:mm'), end: v.quietRange[1].format('HH:mm'), timeZone: v.timeZone } : null,
    };
    setSaving(true);
    setProblems([]);
    try {
      await api('/api/notifications/preferences', { method: 'PUT', body });
      toast.success(t('admin.saved'));
    } catch (e) {
      const rest = applyIssues(form, e);
      setProblems(rest);
      toast.error(rest.length ? t('admin.saveFailed', { reason: errMsg(e) }) : t('admin.fixForm'));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="tr-page" data-testid="admin-preferences">
      <PageHeader title={t('admin.nav.preferences')} desc={t('admin.pref.desc')} />
      <Card size="small" style={{ maxWidth: 640 }}>
        <Form form={form} layout="vertical" data-testid="preferences-form">
          <FormProblems problems={problems} />
          <Form.Item name="channels" label={t('admin.pref.channels')} extra={t('admin.pref.channelsHint')}>
            <Checkbox.Group options={CHANNELS.map((c) => ({ value: c, label: t(`admin.channels.${c}`) }))} data-testid="pref-channels" />
          </Form.Item>
          <Form.Item name="muted" label={t('admin.pref.muted')} valuePropName="checked" extra={t('admin.pref.mutedHint')}>
            <Switch data-testid="pref-muted" />
          </Form.Item>
          <Form.Item name="quiet" label={t('admin.pref.quiet')} valuePropName="checked" extra={t('admin.pref.quietHint')}>
            <Switch data-testid="pref-quiet" />
          </Form.Item>
          {quiet ? (
            <Space wrap size={12}>
              <Form.Item name="quietRange" label={t('admin.pref.quietRange')} rules={[{ required: true, message: t('admin.required') }]}>
                <TimePicker.RangePicker format="HH:mm" minuteStep={5} order={false} allowClear={false} />
              </Form.Item>
              <Form.Item name="timeZone" label={t('admin.cal.zone')}>
                <Select showSearch style={{ width: 190 }} options={ZONES.map((z) => ({ value: z, label: z }))} />
              </Form.Item>
            </Space>
          ) : null}
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('admin.pref.contactsHint')}</Typography.Paragraph>
          <Button type="primary" loading={saving} onClick={() => void onSave()} data-testid="pref-save">{t('admin.save')}</Button>
        </Form>
      </Card>
    </div>
  );
}
