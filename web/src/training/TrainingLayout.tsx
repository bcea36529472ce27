import { lazy, Suspense, useEffect } from 'react';
import { Badge, Menu, Spin } from 'antd';
import {
  AimOutlined,
  AlertOutlined,
  BookOutlined,
  CloudUploadOutlined,
  ExperimentOutlined,
  FileSearchOutlined,
  FundOutlined,
  QuestionCircleOutlined,
  RobotOutlined,
  RocketOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { navigate } from '../router';
import { useAlerts } from './alerts';

const IntentsPage = lazy(() => import('./IntentsPage'));
const FaqsPage = lazy(() => import('./FaqsPage'));
const DictionariesPage = lazy(() => import('./DictionariesPage'));
const PublishPage = lazy(() => import('./PublishPage'));
const TestConsolePage = lazy(() => import('./TestConsolePage'));
const EvaluatePage = lazy(() => import('./EvaluatePage'));
const ImportExportPage = lazy(() => import('./ImportExportPage'));
const MiningPage = lazy(() => import('./MiningPage'));
const AlertsPage = lazy(() => import('./AlertsPage'));
const BotSettingsPage = lazy(() => import('./BotSettingsPage'));

export const TRAINING_PAGES = ['intents', 'faqs', 'dictionaries', 'publish', 'test', 'evaluate', 'import', 'mining', 'alerts', 'bot'] as const;
export type TrainingPage = (typeof TRAINING_PAGES)[number];

const ICONS: Record<TrainingPage, React.ReactNode> = {
  intents: <AimOutlined />,
  faqs: <QuestionCircleOutlined />,
  dictionaries: <BookOutlined />,
  publish: <RocketOutlined />,
  test: <ExperimentOutlined />,
  evaluate: <FundOutlined />,
  import: <CloudUploadOutlined />,
  mining: <FileSearchOutlined />,
  alerts: <AlertOutlined />,
  bot: <RobotOutlined />,
};

const GROUPS: { key: string; pages: TrainingPage[] }[] = [
  { key: 'knowledge', pages: ['intents', 'faqs', 'dictionaries'] },
  { key: 'train', pages: ['test', 'evaluate', 'publish', 'bot'] },
  { key: 'data', pages: ['import', 'mining', 'alerts'] },
];

function pageOf(path: string): TrainingPage | null {
  const seg = path.split('/')[2] ?? '';
  return (TRAINING_PAGES as readonly string[]).includes(seg) ? (seg as TrainingPage) : null;
}

export default function TrainingLayout({ path, mobile }: { path: string; mobile: boolean }) {
  const { t } = useTranslation();
  const alerts = useAlerts();
  const page = pageOf(path);

  useEffect(() => {
    if (!page) navigate('/training/intents', { replace: true });
  }, [page]);

  const label = (p: TrainingPage) =>
    p === 'alerts' ? (
      <span className="tr-menu-label">
        {t(`training.nav.${p}`)}
        <Badge count={alerts.unacked} size="small" style={{ marginInlineStart: 8 }} data-testid="alerts-badge" />
      </span>
    ) : (
      t(`training.nav.${p}`)
    );

  const items = mobile
    ? TRAINING_PAGES.map((p) => ({ key: p, icon: ICONS[p], label: label(p) }))
    : GROUPS.map((g) => ({
        type: 'group' as const,
        key: g.key,
        label: t(`training.groups.${g.key}`),
        children: g.pages.map((p) => ({ key: p, icon: ICONS[p], label: label(p), 'data-testid': `training-nav-${p}` })),
      }));

  return (
    <div className={`tr-root${mobile ? ' tr-root-mobile' : ''}`}>
      <div className="tr-menu">
        <Menu
          mode={mobile ? 'horizontal' : 'inline'}
          selectedKeys={page ? [page] : []}
          items={items}
          onClick={(e) => navigate(`/training/${e.key}`)}
          style={{ borderInlineEnd: 'none' }}
        />
      </div>
      <div className="tr-main" data-testid={`training-${page ?? 'none'}`}>
        <Suspense
          fallback={
            <div className="center-pad">
              <Spin />
            </div>
          }
        >
          {page === 'intents' ? <IntentsPage /> : null}
          {page === 'faqs' ? <FaqsPage /> : null}
          {page === 'dictionaries' ? <DictionariesPage /> : null}
          {page === 'publish' ? <PublishPage /> : null}
          {page === 'test' ? <TestConsolePage /> : null}
          {page === 'evaluate' ? <EvaluatePage /> : null}
          {page === 'import' ? <ImportExportPage /> : null}
          {page === 'mining' ? <MiningPage /> : null}
          {page === 'alerts' ? <AlertsPage /> : null}
          {page === 'bot' ? <BotSettingsPage /> : null}
        </Suspense>
      </div>
    </div>
  );
}
