/**
 * Business calendars and SLA clocks: pure functions of (calendar, policy, history, now).
 * Tickets, escalation and journeys import from here only.
 */
export {
  createCalendar,
  holidayCoverage,
  calendarDefinitionSchema,
  CalendarError,
  CALENDAR_PRESETS,
  WEEKDAYS,
  type BusinessCalendar,
  type CalendarDefinition,
  type CalendarInput,
  type DayKind,
  type DayPlan,
  type TimeRange,
  type Weekday,
} from './definition.js';
export {
  isWorkingTime,
  nextWorkingTime,
  addBusinessMinutes,
  businessMinutesBetween,
  businessMsBetween,
  intervals as workingIntervals,
} from './business-time.js';
export {
  slaElapsed,
  slaDue,
  slaStatus,
  DEFAULT_PAUSE_STATUSES,
  DEFAULT_STOP_STATUSES,
  type StatusInterval,
  type SlaHistory,
  type SlaPolicy,
  type SlaClock,
  type SlaClockState,
  type SlaDue,
  type SlaBadge,
  type SlaBadgeState,
  type SlaClockOptions,
} from './sla.js';
export { cnYears } from './holidays-cn.js';
export { localDate, type CivilDate } from './civil-date.js';
