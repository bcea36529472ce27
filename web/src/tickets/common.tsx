import { useEffect, useState } from 'react';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import type { Agent, TicketMeta, TicketPriority, TicketStatus } from './types';

const STATUS_COLOR: Record<TicketStatus, string> = {
  new: 'cyan',
  in_progress: 'blue',
  pending_customer: 'gold',
  resolved: 'green',
  closed: 'default',
};
const PRIORITY_COLOR: Record<TicketPriority, string> = { low: 'default', normal: 'blue', high: 'orange', urgent: 'red' };

export function TicketStatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status] ?? 'default'} className="tag-compact" data-testid="ticket-status" data-status={status}>
      {t(`tickets.status.${status}`, { defaultValue: status })}
    </Tag>
  );
}

export function PriorityTag({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  return (
    <Tag color={PRIORITY_COLOR[priority] ?? 'default'} className="tag-compact" data-testid="ticket-priority" data-priority={priority}>
      {t(`tickets.priority.${priority}`, { defaultValue: priority })}
    </Tag>
  );
}

/* Reference data, loaded once per page load and shared by the list and the detail. */
let metaPromise: Promise<TicketMeta> | null = null;
let agentsPromise: Promise<Agent[]> | null = null;

/** After an admin edits categories, departments or SLA policies: the next page reads them again. */
export function invalidateTicketMeta(): void {
  metaPromise = null;
}

export function useTicketMeta(): { meta: TicketMeta | null; agents: Agent[] } {
  const [meta, setMeta] = useState<TicketMeta | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  useEffect(() => {
    let live = true;
    metaPromise ??= api<TicketMeta>('/api/tickets/meta').catch((e) => {
      metaPromise = null;
      throw e;
    });
    agentsPromise ??= api<{ items: Agent[] }>('/api/agents')
      .then((r) => r.items)
      .catch(() => {
        agentsPromise = null;
        return [];
      });
    metaPromise.then((m) => live && setMeta(m)).catch(() => undefined);
    agentsPromise.then((a) => live && setAgents(a)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return { meta, agents };
}
