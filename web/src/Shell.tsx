import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Badge, Button, Dropdown, Grid, Layout, Space, Spin, Tag, Tooltip } from 'antd';
import { ApiOutlined, BellOutlined, CustomerServiceFilled, ExperimentOutlined, SettingOutlined, GlobalOutlined, LogoutOutlined, MessageOutlined, SolutionOutlined, UserOutlined } from '@ant-design/icons';
import { io, type Socket } from 'socket.io-client';
import { useTranslation } from 'react-i18next';
import type { Session } from './App';
import { linkProps, navigate, usePath } from './router';
import WorkspacePage from './pages/Workspace';
import TrainingLayout from './training/TrainingLayout';
import { AlertsProvider, useAlerts } from './training/alerts';
import { useRealtime, type Outbox, type RealtimeClient } from './realtime';
import AgentStatus from './workspace/AgentStatus';
import { requestOpen } from './workspace/openConversation';

const TicketsPage = lazy(() => import('./tickets/TicketsPage'));
const AdminPage = lazy(() => import('./admin/AdminPage'));
const AutomationPage = lazy(() => import('./automation/AutomationPage'));

type Props = { session: Session; onLogout: () => void; onSwitchLang: () => void };
type ConnState = 'connecting' | 'connected' | 'reconnecting';

/** roles that may maintain the knowledge base */
export const TRAINING_ROLES = ['admin', 'trainer', 'supervisor'];
/** roles that may change ticket settings, notifications and automation */
export const ADMIN_ROLES = ['admin', 'supervisor'];

/** everyone chooses how they are notified (escalations and SLA warnings reach agents too) */
const MY_NOTIFICATIONS = '/admin/preferences';

/** the admin section a path is in, for a role that may see it (other roles: only their own notification settings) */
function adminSection(path: string, role: string | undefined): 'admin' | 'automation' | null {
  if (!ADMIN_ROLES.includes(role ?? '')) return path === MY_NOTIFICATIONS ? 'admin' : null;
  for (const s of ['admin', 'automation'] as const) if (path === `/${s}` || path.startsWith(`/${s}/`)) return s;
  return null;
}

/** The /agent Socket.IO connection: one per session, shared by every page. */
function useAgentSocket(token: string): { socket: Socket; conn: ConnState } {
  const socket = useMemo(() => io('/agent', { auth: { token }, transports: ['websocket', 'polling'], autoConnect: false }), [token]);
  const [conn, setConn] = useState<ConnState>('connecting');
  useEffect(() => {
    let connectedBefore = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const onConnect = () => {
      setConn('connected');
      connectedBefore = true;
    };
    const onDisconnect = (reason: string) => {
      setConn('reconnecting');
      // a server-side disconnect is not retried by socket.io itself
      if (reason === 'io server disconnect') {
        if (retry) clearTimeout(retry);
        retry = setTimeout(() => socket.connect(), 2000);
      }
    };
    const onError = () => {
      setConn(connectedBefore ? 'reconnecting' : 'connecting');
      // a middleware rejection stops automatic reconnection: retry ourselves
      if (!socket.active) {
        if (retry) clearTimeout(retry);
        retry = setTimeout(() => socket.connect(), 3000);
      }
    };
    const onAttempt = () => setConn('reconnecting');
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onError);
    socket.io.on('reconnect_attempt', onAttempt);
    socket.connect();
    return () => {
      if (retry) clearTimeout(retry);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onError);
      socket.io.off('reconnect_attempt', onAttempt);
      socket.disconnect();
    };
  }, [socket]);
  return { socket, conn };
}

function NavItem({ active, icon, label, title, badge, path, testId, dot }: { active: boolean; icon: React.ReactNode; label: string; title?: string; badge?: number; dot?: boolean; path: string; testId: string }) {
  return (
    <a title={title ?? label} className={`ws-nav-item${active ? ' ws-nav-item-active' : ''}`} {...linkProps(path)} data-testid={testId} aria-current={active ? 'page' : undefined}>
      <Badge count={badge} dot={dot} size="small" offset={[6, -2]}>
        <span className="ws-nav-icon">{icon}</span>
      </Badge>
      <span className="ws-nav-label">{label}</span>
    </a>
  );
}

export default function Shell({ session, onLogout, onSwitchLang }: Props) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const mobile = screens.md === false;
  const path = usePath();
  const { socket, conn } = useAgentSocket(session.token);
  const { realtime, outbox } = useRealtime(socket, session.user?.id ?? '');
  const user = session.user;
  const canTrain = TRAINING_ROLES.includes(user?.role ?? '');
  const inTraining = canTrain && path.startsWith('/training');
  const inTickets = path === '/tickets' || path.startsWith('/tickets/');

  // an unknown path, or training for a role without access: the workspace
  useEffect(() => {
    if (path !== '/' && !inTraining && !inTickets && !adminSection(path, user?.role)) navigate('/', { replace: true });
  }, [path, inTraining, inTickets, user?.role]);

  return (
    <AlertsProvider socket={realtime} enabled={canTrain}>
      <ShellLayout
        mobile={mobile}
        conn={conn}
        session={session}
        canTrain={canTrain}
        inTraining={inTraining}
        inTickets={inTickets}
        path={path}
        onLogout={onLogout}
        onSwitchLang={onSwitchLang}
        realtime={realtime}
        outbox={outbox}
        t={t}
      />
    </AlertsProvider>
  );
}

function ShellLayout(p: {
  mobile: boolean;
  conn: ConnState;
  session: Session;
  canTrain: boolean;
  inTraining: boolean;
  inTickets: boolean;
  path: string;
  onLogout: () => void;
  onSwitchLang: () => void;
  realtime: RealtimeClient;
  outbox: Outbox;
  t: ReturnType<typeof useTranslation>['t'];
}) {
  const { mobile, conn, session, canTrain, inTraining, inTickets, path, onLogout, onSwitchLang, realtime, outbox, t } = p;
  const canAdmin = ADMIN_ROLES.includes(session.user?.role ?? '');
  const section = adminSection(path, session.user?.role);
  const [unread, setUnread] = useState(0);
  const alerts = useAlerts();
  const user = session.user;

  const connBadge = (
    <Tooltip title={conn === 'connected' ? 'Socket.IO /agent' : undefined}>
      <span className={`conn conn-${conn}`} data-testid="connection-status" data-state={conn}>
        <Badge status={conn === 'connected' ? 'success' : conn === 'reconnecting' ? 'warning' : 'processing'} />
        {!mobile || conn !== 'connected' ? t(`conn.${conn}`) : null}
      </span>
    </Tooltip>
  );

  return (
    <Layout className="ws-root">
      <Layout.Header className="ws-header">
        <Space size={10} className="ws-brand">
          <CustomerServiceFilled style={{ fontSize: 22, color: '#4096ff' }} />
          <span className="ws-brand-text">{mobile ? t('brandShort') : t('brand')}</span>
        </Space>
        <div style={{ flex: 1 }} />
        <Space size={mobile ? 4 : 12} className="ws-header-right">
          {mobile ? (
            <Button
              type="text"
              size="small"
              className="ws-header-btn"
              icon={inTickets ? <MessageOutlined /> : <SolutionOutlined />}
              onClick={() => navigate(inTickets ? '/' : '/tickets')}
              aria-label={inTickets ? t('nav.workspace') : t('nav.tickets')}
              title={inTickets ? t('nav.workspace') : t('nav.tickets')}
              data-testid="nav-tickets-switch"
            />
          ) : null}
          {mobile && canTrain ? (
            <Button
              type="text"
              size="small"
              className="ws-header-btn"
              icon={inTraining ? <MessageOutlined /> : <ExperimentOutlined />}
              onClick={() => navigate(inTraining ? '/' : '/training')}
              data-testid="nav-switch"
            >
              {inTraining ? t('nav.workspace') : t('nav.trainingShort')}
            </Button>
          ) : null}
          {mobile ? (
            <Dropdown
              trigger={['click']}
              menu={{
                selectedKeys: section ? [section] : [],
                items: canAdmin
                  ? [
                      { key: 'admin', icon: <SettingOutlined />, label: t('nav.admin'), onClick: () => navigate('/admin') },
                      { key: 'automation', icon: <ApiOutlined />, label: t('nav.automation'), onClick: () => navigate('/automation') },
                    ]
                  : [{ key: 'admin', icon: <BellOutlined />, label: t('nav.notifications'), onClick: () => navigate(MY_NOTIFICATIONS) }],
              }}
            >
              <Button type="text" size="small" className="ws-header-btn" icon={<SettingOutlined />} aria-label={t('nav.admin')} data-testid="nav-admin-menu" />
            </Dropdown>
          ) : null}
          <AgentStatus socket={realtime} userId={user?.id} mobile={mobile} onOpenConversation={(id) => { navigate('/'); requestOpen(id); }} />
          {connBadge}
          {!mobile ? (
            <span className="ws-user" data-testid="agent-name">
              <UserOutlined /> {user?.display_name ?? user?.username ?? ''}
              {user?.role && user.role !== 'agent' ? (
                <Tag className="tag-compact ws-role" bordered={false}>
                  {t(`roles.${user.role}`, { defaultValue: user.role })}
                </Tag>
              ) : null}
            </span>
          ) : null}
          <Button type="text" size="small" className="ws-header-btn" icon={<GlobalOutlined />} onClick={onSwitchLang} data-testid="lang-switch" aria-label={t('header.switchLang')} title={t('header.switchLang')}>
            {mobile ? null : t('header.switchLang')}
          </Button>
          <Tooltip title={t('header.logout')}>
            <Button type="text" size="small" className="ws-header-btn" icon={<LogoutOutlined />} onClick={onLogout} data-testid="logout">
              {mobile ? null : t('header.logout')}
            </Button>
          </Tooltip>
        </Space>
      </Layout.Header>
      <Layout>
        {!mobile ? (
          <Layout.Sider width={76} className="ws-sider" theme="dark">
            <nav className="ws-nav" data-testid="main-nav">
              <NavItem active={!inTraining && !inTickets && !section} icon={<MessageOutlined />} label={t('nav.workspace')} badge={unread} path="/" testId="nav-workspace" />
              <NavItem active={inTickets} icon={<SolutionOutlined />} label={t('nav.tickets')} path="/tickets" testId="nav-tickets" />
              {canTrain ? (
                <NavItem
                  active={inTraining}
                  icon={<ExperimentOutlined />}
                  label={t('nav.trainingShort')}
                  title={t('nav.training')}
                  badge={alerts.unacked}
                  path="/training"
                  testId="nav-training"
                />
              ) : null}
              {canAdmin ? <NavItem active={section === 'automation'} icon={<ApiOutlined />} label={t('nav.automation')} path="/automation" testId="nav-automation" /> : null}
              {canAdmin ? (
                <NavItem active={section === 'admin'} icon={<SettingOutlined />} label={t('nav.admin')} path="/admin" testId="nav-admin" />
              ) : (
                <NavItem active={section === 'admin'} icon={<BellOutlined />} label={t('nav.notifications')} path={MY_NOTIFICATIONS} testId="nav-my-notifications" />
              )}
            </nav>
          </Layout.Sider>
        ) : null}
        <Layout.Content className="ws-content">
          {section ? (
            <Suspense fallback={<div className="center-pad"><Spin /></div>}>
              {section === 'admin' ? <AdminPage path={path} mobile={mobile} canAdmin={canAdmin} /> : <AutomationPage path={path} mobile={mobile} />}
            </Suspense>
          ) : inTraining ? (
            <TrainingLayout path={path} mobile={mobile} />
          ) : inTickets ? (
            <Suspense fallback={<div className="center-pad"><Spin /></div>}>
              <TicketsPage path={path} socket={realtime} mobile={mobile} session={session} />
            </Suspense>
          ) : (
            <WorkspacePage session={session} realtime={realtime} outbox={outbox} mobile={mobile} onUnread={setUnread} />
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
