import { Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PreviewDay } from './types';

/** ISO weekday of a civil date, 1 = Monday (computed on UTC: no zone involved) */
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;

/**
 * A whole year, month by month, as the SLA maths see it: 法定节假日 red, 调休上班 orange with
 * 班, company days off purple, weekends grey. Clicking a day hands it to `onDay`.
 */
export default function YearCalendar({ days, onDay }: { days: PreviewDay[]; onDay?: (d: PreviewDay) => void }) {
  const { t } = useTranslation();
  const months = Array.from({ length: 12 }, (_, m) => days.filter((d) => Number(d.date.slice(5, 7)) === m + 1));
  const weekHead = t('admin.cal.weekHead').split(',');
  return (
    <div className="adm-year" data-testid="year-calendar">
      {months.map((ds, m) =>
        ds.length ? (
          <div key={m} className="adm-month">
            <div className="adm-month-title">{t('admin.cal.month', { n: m + 1 })}</div>
            <div className="adm-month-grid">
              {weekHead.map((w, i) => (
                <span key={i} className="adm-wd">{w}</span>
              ))}
              {Array.from({ length: weekday(ds[0].date) - 1 }, (_, i) => (
                <span key={`pad${i}`} />
              ))}
              {ds.map((d) => (
                <Tooltip key={d.date} title={`${d.date} · ${d.name ?? t(`admin.cal.kind.${d.kind}`)}${d.hours ? ` · ${d.hours}` : ''}`} mouseEnterDelay={0.3}>
                  <button
                    type="button"
                    className={`adm-day adm-day-${d.kind}`}
                    data-testid="cal-day"
                    data-date={d.date}
                    data-kind={d.kind}
                    onClick={() => onDay?.(d)}
                    disabled={!onDay}
                  >
                    {Number(d.date.slice(8))}
                    {d.kind === 'makeup' ? <i className="adm-day-mark">{t('admin.cal.makeupMark')}</i> : null}
                  </button>
                </Tooltip>
              ))}
            </div>
          </div>
        ) : null,
      )}
    </div>
  );
}

export function CalendarLegend() {
  const { t } = useTranslation();
  return (
    <div className="adm-legend">
      {(['workday', 'rest', 'holiday', 'makeup', 'company_off'] as const).map((k) => (
        <span key={k}>
          <i className={`adm-day adm-day-${k} adm-legend-swatch`} />
          {t(`admin.cal.kind.${k}`)}
        </span>
      ))}
    </div>
  );
}
