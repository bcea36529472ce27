import { Suspense, useEffect } from 'react';
import { Menu, Spin } from 'antd';
import { navigate } from '../router';

export type SectionPage = { key: string; icon: React.ReactNode; label: string; render: (rest: string) => React.ReactNode };

/**
 * A section with a side menu of pages (管理, 自动化): /<base>/<page>[/<rest>]. On a phone the
 * menu becomes a horizontal bar above the page. An unknown page goes to the first one.
 */
export default function SectionLayout({ base, path, mobile, groups, testId }: {
  base: string;
  path: string;
  mobile: boolean;
  groups: { key: string; label: string; pages: SectionPage[] }[];
  testId: string;
}) {
  const segs = path.slice(base.length + 1).split('/');
  const all = groups.flatMap((g) => g.pages);
  const page = all.find((p) => p.key === segs[0]) ?? null;
  const rest = segs.slice(1).map(decodeURIComponent).join('/');

  useEffect(() => {
    if (!page && all[0]) navigate(`${base}/${all[0].key}`, { replace: true });
  }, [page, all, base]);

  const item = (p: SectionPage) => ({ key: p.key, icon: p.icon, label: p.label, 'data-testid': `${testId}-nav-${p.key}` });
  const items = mobile
    ? all.map(item)
    : groups.map((g) => ({ type: 'group' as const, key: g.key, label: g.label, children: g.pages.map(item) }));

  return (
    <div className={`tr-root${mobile ? ' tr-root-mobile' : ''}`}>
      <div className="tr-menu">
        <Menu mode={mobile ? 'horizontal' : 'inline'} selectedKeys={page ? [page.key] : []} items={items} onClick={(e) => navigate(`${base}/${e.key}`)} style={{ borderInlineEnd: 'none' }} />
      </div>
      <div className="tr-main" data-testid={`${testId}-main`} data-page={page?.key ?? ''}>
        <Suspense fallback={<div className="center-pad"><Spin /></div>}>{page ? page.render(rest) : null}</Suspense>
      </div>
    </div>
  );
}
