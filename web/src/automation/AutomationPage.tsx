import { lazy } from 'react';
import { BranchesOutlined, CarryOutOutlined, HistoryOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import SectionLayout from '../components/SectionLayout';
import '../admin/admin.css';
import './automation.css';

const RulesPage = lazy(() => import('./RulesPage'));
const RunsPage = lazy(() => import('./RunsPage'));
const TasksPage = lazy(() => import('./TasksPage'));

/** 自动化: rules and journeys, their run log, and the owner employees' fallback tasks. */
export default function AutomationPage({ path, mobile }: { path: string; mobile: boolean }) {
  const { t } = useTranslation();
  return (
    <SectionLayout
      base="/automation"
      path={path}
      mobile={mobile}
      testId="automation"
      groups={[
        {
          key: 'automation',
          label: t('automation.title'),
          pages: [
            { key: 'rules', icon: <BranchesOutlined />, label: t('automation.nav.rules'), render: () => <RulesPage mobile={mobile} /> },
            { key: 'runs', icon: <HistoryOutlined />, label: t('automation.nav.runs'), render: (rest) => <RunsPage ruleId={rest} mobile={mobile} /> },
            { key: 'tasks', icon: <CarryOutOutlined />, label: t('automation.nav.tasks'), render: () => <TasksPage mobile={mobile} /> },
          ],
        },
      ]}
    />
  );
}
