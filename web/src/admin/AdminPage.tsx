import { lazy } from 'react';
import { ApartmentOutlined, BellOutlined, BranchesOutlined, CalendarOutlined, FieldTimeOutlined, FileTextOutlined, HistoryOutlined, TagsOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import SectionLayout from '../components/SectionLayout';
import './admin.css';

const CalendarsPage = lazy(() => import('./CalendarsPage'));
const SlaPoliciesPage = lazy(() => import('./SlaPoliciesPage'));
const CategoriesPage = lazy(() => import('./CategoriesPage'));
const DepartmentsPage = lazy(() => import('./DepartmentsPage'));
const TemplatesPage = lazy(() => import('./TemplatesPage'));
const NotificationLogPage = lazy(() => import('./NotificationLogPage'));
const PreferencesPage = lazy(() => import('./PreferencesPage'));
const RoutingPage = lazy(() => import('./RoutingPage'));

/** 管理: routing and the queue, ticket settings (calendars, SLA, categories, departments) and notifications; other roles see only their own notification settings. */
export default function AdminPage({ path, mobile, canAdmin }: { path: string; mobile: boolean; canAdmin: boolean }) {
  const { t } = useTranslation();
  const page = (key: string, icon: React.ReactNode, render: () => React.ReactNode) => ({ key, icon, label: t(`admin.nav.${key}`), render });
  return (
    <SectionLayout
      base="/admin"
      path={path}
      mobile={mobile}
      testId="admin"
      groups={canAdmin ? [
        {
          key: 'tickets',
          label: t('admin.groups.tickets'),
          pages: [
            page('calendars', <CalendarOutlined />, () => <CalendarsPage mobile={mobile} />),
            page('sla', <FieldTimeOutlined />, () => <SlaPoliciesPage mobile={mobile} />),
            page('categories', <TagsOutlined />, () => <CategoriesPage mobile={mobile} />),
            page('departments', <ApartmentOutlined />, () => <DepartmentsPage mobile={mobile} />),
          ],
        },
        {
          key: 'notify',
          label: t('admin.groups.notify'),
          pages: [
            page('templates', <FileTextOutlined />, () => <TemplatesPage mobile={mobile} />),
            page('log', <HistoryOutlined />, () => <NotificationLogPage mobile={mobile} />),
            page('preferences', <BellOutlined />, () => <PreferencesPage />),
          ],
        },
        { key: 'service', label: t('admin.groups.service'), pages: [page('routing', <BranchesOutlined />, () => <RoutingPage />)] },
      ] : [{ key: 'notify', label: t('admin.groups.notify'), pages: [page('preferences', <BellOutlined />, () => <PreferencesPage />)] }]}
    />
  );
}
