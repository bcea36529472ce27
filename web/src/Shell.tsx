import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Badge, Button, Grid, Layout, Space, Spin, Tag, Tooltip } from 'antd';
import { CustomerServiceFilled, ExperimentOutlined, GlobalOutlined, LogoutOutlined, MessageOutlined, SolutionOutlined, UserOutlined } from '@ant-design/icons';
import { io, type Socket } from 'socket.io-client';
import { useTranslation } from 'react-i18next';
import type { Session } from './App';
import { linkProps, navigate, usePath } from './router';
import WorkspacePage from './pages/Workspace';
import TrainingLayout from './training/TrainingLayout';
import { AlertsProvider, useAlerts } from './training/alerts';

const TicketsPage = lazy(() => import('./tickets/TicketsPage'));

type Props = { session: Session; onLogout: () => void; onSwitchLang: () => void };
type ConnState = 'connecting' | 'connected' | 'reconnecting';

/** roles that may maintain the knowledge base */
export const TRAINING_ROLES = ['admin', 'trainer', 'supervisor'];

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
  const user = session.user;
  const canTrain = TRAINING_ROLES.includes(user?.role ?? '');
  const inTraining = canTrain && path.startsWith('/training');
  const inTickets = path === '/tickets' || path.startsWith('/tickets/');

  // an unknown path, or training for a role without access: the workspace
  useEffect(() => {
    if (path !== '/' && !inTraining && !inTickets) navigate('/', { replace: true });
  }, [path, inTraining, inTickets]);

  return (
    <AlertsProvider socket={socket} enabled={canTrain}>
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
        socket={socket}
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
  socket: Socket;
  t: ReturnType<typeof useTranslation>['t'];
}) {
  const { mobile, conn, session, canTrain, inTraining, inTickets, path, onLogout, onSwitchLang, socket, t } = p;
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
          <Button type="text" size="small" className="ws-header-btn" icon={<GlobalOutlined />} onClick={onSwitchLang} data-testid="lang-switch">
            {t('header.switchLang')}
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
              <NavItem active={!inTraining && !inTickets} icon={<MessageOutlined />} label={t('nav.workspace')} badge={unread} path="/" testId="nav-workspace" />
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
            </nav>
          </Layout.Sider>
        ) : null}
        <Layout.Content className="ws-content">
          {inTraining ? (
            <TrainingLayout path={path} mobile={mobile} />
          ) : inTickets ? (
            <Suspense fallback={<div className="center-pad"><Spin /></div>}>
              <TicketsPage path={path} socket={socket} mobile={mobile} session={session} />
            </Suspense>
          ) : (
            <WorkspacePage session={session} socket={socket} mobile={mobile} onUnread={setUnread} />
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
