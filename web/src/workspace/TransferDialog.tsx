import { useEffect, useMemo, useState } from 'react';
import { App as AntApp, Badge, Button, Empty, Input, Modal, Popconfirm, Progress, Radio, Segmented, Select, Spin, Tag, Tooltip } from 'antd';
import { SwapOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg } from '../api';
import type { Conversation } from '../types';
import type { Agent, AgentStatus } from './types';
import { loadColor, STATUS_BADGE } from './status';

const STATUS_ORDER: Record<AgentStatus, number> = { online: 0, busy: 1, away: 2, offline: 3 };

type Target = { kind: 'agent'; id: string | null } | { kind: 'team'; team: string | null };

/**
 * 「转接」: to an agent (status and load/capacity shown; only online agents with room can take
 * it) or to a team (its agents pick it from the queue), with a note for the next agent.
 */
function TransferModal({ conversation, me, open, onClose }: { conversation: Conversation; me: string | undefined; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [teams, setTeams] = useState<{ id: string; name: string }[]>([]);
  const [target, setTarget] = useState<Target>({ kind: 'agent', id: null });
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setTarget({ kind: 'agent', id: null });
    setNote('');
    setAgents(null);
    // fresh status and load every time the dialog opens
    api<{ items: Agent[] }>('/api/agents').then((r) => setAgents(r.items), (e) => toast.error(errMsg(e)));
    api<{ items: { id: string; name: string }[] }>('/api/teams').then((r) => setTeams(r.items), () => undefined);
  }, [open, toast]);

  const list = useMemo(
    () => (agents ?? []).filter((a) => a.user_id !== conversation.assignee_id).sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.load / Math.max(1, a.capacity) - b.load / Math.max(1, b.capacity)),
    [agents, conversation.assignee_id],
  );
  const canTake = (a: Agent) => a.status === 'online' && a.load < a.capacity;

  const submit = async () => {
    const body = target.kind === 'agent' ? { to_agent_id: target.id, note: note.trim() || undefined } : { to_team: target.team, note: note.trim() || undefined };
    setBusy(true);
    try {
      await api(`/api/conversations/${encodeURIComponent(conversation.id)}/transfer`, { body });
      toast.success(t('ws.transfer.ok'));
      onClose();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('ws.transfer.failed', { reason: errMsg(e) }));
    } finally {
      setBusy(false);
    }
  };
  const ready = target.kind === 'agent' ? !!target.id : !!target.team;

  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('ws.transfer.title', { name: conversation.customer.display_name })}
      okText={t('ws.transfer.submit')}
      onOk={() => void submit()}
      okButtonProps={{ disabled: !ready, loading: busy, 'data-testid': 'transfer-submit' }}
      destroyOnHidden
      width={520}
    >
      <Segmented
        block
        value={target.kind}
        onChange={(k) => setTarget(k === 'agent' ? { kind: 'agent', id: null } : { kind: 'team', team: null })}
        options={[
          { value: 'agent', label: t('ws.transfer.toAgent') },
          { value: 'team', label: t('ws.transfer.toTeam') },
        ]}
        style={{ marginBottom: 12 }}
      />
      {target.kind === 'agent' ? (
        !agents ? (
          <div className="center-pad"><Spin /></div>
        ) : list.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Radio.Group value={target.id} onChange={(e) => setTarget({ kind: 'agent', id: e.target.value as string })} className="transfer-agents">
            {list.map((a) => {
              const pct = Math.round((a.load / Math.max(1, a.capacity)) * 100);
              return (
                <div key={a.user_id} data-testid={`transfer-agent-${a.username}`}>
                  <Radio value={a.user_id} disabled={!canTake(a)} className="transfer-agent">
                    <span className="transfer-agent-main">
                      <Badge status={STATUS_BADGE[a.status]} />
                      <b>{a.display_name}</b>
                      {a.user_id === me ? <Tag className="tag-compact">{t('ws.transfer.me')}</Tag> : null}
                      {a.team ? <Tag className="tag-compact">{a.team}</Tag> : null}
                      <span className="side-muted">{t(`ws.status.${a.status}`)}</span>
                    </span>
                    <Tooltip title={t('ws.capacity', { load: a.load, capacity: a.capacity })}>
                      <span className="transfer-agent-load">
                        <Progress percent={pct} size="small" showInfo={false} strokeColor={loadColor(pct)} style={{ width: 64, margin: 0 }} />
                        {a.load}/{a.capacity}
                      </span>
                    </Tooltip>
                  </Radio>
                </div>
              );
            })}
          </Radio.Group>
        )
      ) : (
        <div data-testid="transfer-team">
          <Select
            style={{ width: '100%' }}
            placeholder={t('ws.transfer.pickTeam')}
            value={target.team ?? undefined}
            onChange={(v: string) => setTarget({ kind: 'team', team: v })}
            options={teams.map((x) => ({ value: x.name, label: x.name }))}
          />
        </div>
      )}
      <Input.TextArea
        value={note}
        onChange={(e) => setNote(e.target.value)}
        placeholder={t('ws.transfer.notePlaceholder')}
        autoSize={{ minRows: 2, maxRows: 4 }}
        maxLength={500}
        style={{ marginTop: 12 }}
        data-testid="transfer-note"
      />
    </Modal>
  );
}

/** The chat header's 「转接」 button and its dialog. */
export default function TransferButton({ conversation, me, compact }: { conversation: Conversation; me: string | undefined; compact?: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const disabled = conversation.status === 'closed' || conversation.status === 'bot';
  return (
    <>
      <Tooltip title={compact ? t('ws.transfer.button') : undefined}>
        <Button icon={<SwapOutlined />} onClick={() => setOpen(true)} disabled={disabled} data-testid="transfer-button">
          {compact ? null : t('ws.transfer.button')}
        </Button>
      </Tooltip>
      <TransferModal conversation={conversation} me={me} open={open} onClose={() => setOpen(false)} />
    </>
  );
}

/**
 * 「接管」for supervisors and admins: the conversation becomes theirs at once (recorded as a
 * routing decision with who and why); the agent who had it sees it leave their list.
 */
export function TakeOverButton({ conversation, me, compact }: { conversation: Conversation; me: string | undefined; compact?: boolean }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  if (conversation.assignee_id === me || conversation.status === 'closed' || conversation.status === 'bot') return null;
  const takeOver = async () => {
    setBusy(true);
    try {
      await api(`/api/conversations/${encodeURIComponent(conversation.id)}/take-over`, { body: {} });
      toast.success(t('ws.takeOver.ok'));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast.error(t('ws.takeOver.failed', { reason: errMsg(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popconfirm title={t('ws.takeOver.confirm', { name: conversation.customer.display_name })} onConfirm={() => void takeOver()} okButtonProps={{ 'data-testid': 'take-over-confirm' } as React.ComponentProps<typeof Button>}>
      <Tooltip title={compact ? t('ws.takeOver.button') : undefined}>
        <Button icon={<UserSwitchOutlined />} loading={busy} data-testid="take-over-button">
          {compact ? null : t('ws.takeOver.button')}
        </Button>
      </Tooltip>
    </Popconfirm>
  );
}
