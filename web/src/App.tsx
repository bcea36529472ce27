import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, ConfigProvider, theme } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { TOKEN_KEY, setUnauthorizedHandler } from './api';
import { LANG_KEY, applyDayjsLocale, type Lang } from './i18n';
import type { User } from './types';
import LoginPage from './pages/Login';
import Shell from './Shell';

const USER_KEY = 'kefu_user';

function loadUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}

export type Session = { token: string; user: User | null };

export default function App() {
  const { i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh';
  const [session, setSession] = useState<Session | null>(() => {
    const token = localStorage.getItem(TOKEN_KEY);
    return token ? { token, user: loadUser() } : null;
  });

  const logout = useCallback(() => {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
    setSession(null);
    if (window.location.pathname !== '/') window.history.replaceState(null, '', '/');
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(logout);
    return () => setUnauthorizedHandler(null);
  }, [logout]);

  const onLogin = useCallback((token: string, user: User) => {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    setSession({ token, user });
  }, []);

  const switchLang = useCallback(() => {
    const next: Lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, next);
    applyDayjsLocale(next);
    void i18n.changeLanguage(next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  }, [lang, i18n]);

  return (
    <ConfigProvider
      locale={lang === 'en' ? enUS : zhCN}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: { colorPrimary: '#1677ff', borderRadius: 6, fontSize: 14 },
        components: { Layout: { headerBg: '#001529', siderBg: '#001529', headerHeight: 52, headerPadding: '0 16px' } },
      }}
    >
      <AntApp>
        {session ? (
          <Shell session={session} onLogout={logout} onSwitchLang={switchLang} />
        ) : (
          <LoginPage onLogin={onLogin} onSwitchLang={switchLang} />
        )}
      </AntApp>
    </ConfigProvider>
  );
}
