import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined, CustomerServiceFilled, GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import type { User } from '../types';

type Props = { onLogin: (token: string, user: User) => void; onSwitchLang: () => void };

export default function LoginPage({ onLogin, onSwitchLang }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: { username: string; password: string }) => {
    setLoading(true);
    setError(null);
    try {
      const r = await api<{ token: string; user: User }>('/api/auth/login', {
        body: { username: v.username.trim(), password: v.password },
        auth: false,
      });
      onLogin(r.token, r.user);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setError(t('login.invalid'));
      else setError(t('login.failed', { reason: (e as Error).message }));
      setLoading(false);
    }
  };

  return (
    <div className="login-bg">
      <Button className="login-lang" type="text" icon={<GlobalOutlined />} onClick={onSwitchLang} data-testid="lang-switch">
        {t('header.switchLang')}
      </Button>
      <Card className="login-card" variant="borderless">
        <div className="login-head">
          <CustomerServiceFilled className="login-logo" />
          <div>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {t('brand')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
        </div>
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} size="large" onValuesChange={() => setError(null)}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.required', { field: t('login.username') }) }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.required', { field: t('login.password') }) }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          <Button type="primary" htmlType="submit" block loading={loading} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12, textAlign: 'center' }}>
          {t('login.demo')}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
