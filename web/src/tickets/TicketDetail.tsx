import { useCallback, useEffect, useRef, useState } from 'react';
import {
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Image,
  Input,
  InputNumber,
  Modal,
  Result,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import {
  ArrowRightOutlined,
  CloseOutlined,
  EditOutlined,
  FlagFilled,
  LockOutlined,
  SendOutlined,
  SwapOutlined,
  UserOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import type { RealtimeClient } from '../realtime';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errMsg, mediaUrl } from '../api';
import type { Session } from '../App';
import { PriorityTag, TicketStatusTag, useTicketMeta } from './common';
import { clockText, formatDue, liveSla, SLA_COLOR, SlaBadge, SlaIcon, stamp, useNow } from './sla';
import {
  PRIORITIES,
  TRANSITIONS,
  type Agent,
  type SlaClock,
  type Ticket,
  type TicketComment,
  type TicketDetail as Detail,
  type TicketEvent,
  type TicketMeta,
  type TicketStatus,
} from './types';

type Props = { id: string; socket: RealtimeClient; mobile: boolean; session: Session; onClose: () => void };
type T = ReturnType<typeof useTranslation>['t'];

const money = (n: number) => `¥${n.toLocaleString('zh-CN', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
const time = (iso: string | null | undefined) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '');

export default function TicketDetail({ id, socket, mobile, session, onClose }: Props) {
  const { t } = useTranslation();
  const { meta, agents } = useTicketMeta();
  const [ticket, setTicket] = useState<Detail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api<Detail>(`/api/tickets/${encodeURIComponent(id)}`);
      setTicket(stamp(r));
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setError(e);
    }
  }, [id]);

  useEffect(() => {
    setTicket(null);
    void load();
  }, [load]);

  // someone else (or an SLA timer) changed it: re-read the trail and comments
  useEffect(() => {
    const on = ({ ticket: x }: { ticket: Ticket }) => {
      if (x.id !== id) return;
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => void load(), 150);
    };
    socket.on('ticket.updated', on);
    const h = setInterval(() => void load(), 60_000);
    return () => {
      socket.off('ticket.updated', on);
      clearInterval(h);
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    };
  }, [socket, id, load]);

  if (error) {
    return (
      <div className="tk-detail">
        <Result status={error.status === 404 ? '404' : 'error'} title={error.status === 404 ? t('tickets.detail.notFound') : error.message} extra={<Button onClick={onClose}>{t('tickets.detail.close')}</Button>} />
      </div>
    );
  }
  if (!ticket || !meta) {
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  }

  const userName = (uid: string | null | undefined): string => {
    if (!uid) return t('tickets.unassigned');
    if (ticket.assignee?.id === uid) return ticket.assignee.display_name;
    return agents.find((a) => a.user_id === uid)?.display_name ?? (session.user?.id === uid ? session.user.display_name : uid);
  };

  const after = (x: Ticket) => {
    // the action's answer is the fresh ticket; the trail comes with the next read
    setTicket((prev) => (prev ? stamp({ ...prev, ...x }) : prev));
    void load();
  };

  const main = (
    <>
      <FieldsCard ticket={ticket} meta={meta} agents={agents} session={session} onChanged={after} />
      <ContextCard ticket={ticket} />
      {ticket.description ? (
        <Card size="small" title={t('tickets.detail.description')} className="tk-card">
          <pre className="tk-description" data-testid="ticket-description">
            {ticket.description}
          </pre>
        </Card>
      ) : null}
      <CommentsCard ticket={ticket} userName={userName} onAdded={() => void load()} />
    </>
  );
  const side = (
    <>
      <SlaCard ticket={ticket} meta={meta} />
      <Card size="small" title={t('tickets.timeline.title')} className="tk-card" data-testid="ticket-timeline">
        <AuditTimeline ticket={ticket} userName={userName} />
      </Card>
    </>
  );

  return (
    <div className="tk-detail" data-testid="ticket-detail" data-ticket-id={ticket.id} data-number={ticket.number} data-status={ticket.status}>
      <div className="tk-detail-head">
        <div className="tk-detail-title">
          <Space size={6} wrap>
            <Typography.Text className="tk-number" copyable={{ text: ticket.number }} data-testid="detail-number">
              {ticket.number}
            </Typography.Text>
            <TicketStatusTag status={ticket.status} />
            <PriorityTag priority={ticket.priority} />
            <SlaBadge ticket={ticket} policies={meta.sla_policies} />
            {ticket.flagged_red ? (
              <Tag color="red" icon={<FlagFilled />} className="tag-compact">
                {t('tickets.sla.flagged')}
              </Tag>
            ) : null}
          </Space>
          <Typography.Title level={5} style={{ margin: '4px 0 0' }} data-testid="detail-title">
            {ticket.title}
          </Typography.Title>
        </div>
        <Button type="text" icon={<CloseOutlined />} onClick={onClose} aria-label={t('tickets.detail.close')} data-testid="ticket-close" />
      </div>
      <ActionsBar ticket={ticket} meta={meta} agents={agents} onChanged={after} />
      <div className="tk-detail-body">
        {mobile ? (
          <>
            {side}
            {main}
          </>
        ) : (
          <Row gutter={12}>
            <Col span={16}>{main}</Col>
            <Col span={8}>{side}</Col>
          </Row>
        )}
      </div>
    </div>
  );
}

/* ---- status actions and hand-over ------------------------------------------------------------ */

function ActionsBar({ ticket, meta, agents, onChanged }: { ticket: Detail; meta: TicketMeta; agents: Agent[]; onChanged: (t: Ticket) => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [to, setTo] = useState<TicketStatus | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [handover, setHandover] = useState(false);
  const [form] = Form.useForm<{ department_id: string; note: string; assignee_id?: string }>();

  const transition = async () => {
    if (!to) return;
    setBusy(true);
    try {
      const r = await api<Ticket>(`/api/tickets/${encodeURIComponent(ticket.id)}/transition`, { body: { to, ...(note.trim() ? { note: note.trim() } : {}) } });
      toast.success(t('tickets.detail.transitionOk', { status: t(`tickets.status.${to}`) }));
      setTo(null);
      setNote('');
      onChanged(r);
    } catch (e) {
      toast.error(t('tickets.detail.transitionFailed', { reason: errMsg(e) }));
    } finally {
      setBusy(false);
    }
  };

  const doHandover = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const r = await api<Ticket>(`/api/tickets/${encodeURIComponent(ticket.id)}/handover`, {
        body: { department_id: v.department_id, note: v.note.trim(), ...(v.assignee_id ? { assignee_id: v.assignee_id } : {}) },
      });
      toast.success(t('tickets.detail.handoverOk', { dept: meta.departments.find((d) => d.id === v.department_id)?.name ?? v.department_id }));
      setHandover(false);
      form.resetFields();
      onChanged(r);
    } catch (e) {
      toast.error(t('tickets.detail.handoverFailed', { reason: errMsg(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tk-actions" data-testid="ticket-actions">
      <Space wrap size={8}>
        {TRANSITIONS[ticket.status].map((s) => (
          <Button
            key={s}
            type={s === 'in_progress' || s === 'resolved' ? 'primary' : 'default'}
            icon={<ArrowRightOutlined />}
            onClick={() => {
              setNote('');
              setTo(s);
            }}
            data-testid={`transition-${s}`}
          >
            {t(`tickets.status.${s}`)}
          </Button>
        ))}
        <Button icon={<SwapOutlined />} onClick={() => setHandover(true)} data-testid="handover-open">
          {t('tickets.detail.handover')}
        </Button>
      </Space>
      <Modal
        open={!!to}
        title={to ? t('tickets.detail.moveTo', { status: t(`tickets.status.${to}`) }) : ''}
        onCancel={() => setTo(null)}
        onOk={() => void transition()}
        okText={t('tickets.detail.confirm')}
        cancelText={t('tickets.detail.cancel')}
        confirmLoading={busy}
        okButtonProps={{ 'data-testid': 'transition-confirm' }}
        destroyOnHidden
      >
        <Input.TextArea
          autoFocus
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('tickets.detail.note')}
          autoSize={{ minRows: 3, maxRows: 8 }}
          maxLength={2000}
          data-testid="transition-note"
        />
      </Modal>
      <Modal
        open={handover}
        title={t('tickets.detail.handover')}
        onCancel={() => setHandover(false)}
        onOk={() => void doHandover()}
        okText={t('tickets.detail.confirm')}
        cancelText={t('tickets.detail.cancel')}
        confirmLoading={busy}
        okButtonProps={{ 'data-testid': 'handover-confirm' }}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item name="department_id" label={t('tickets.detail.handoverTo')} rules={[{ required: true }]}>
            <Select
              options={meta.departments.filter((d) => d.id !== ticket.department?.id).map((d) => ({ value: d.id, label: d.name }))}
              data-testid="handover-department"
            />
          </Form.Item>
          <Form.Item name="assignee_id" label={t('tickets.detail.handoverAssignee')}>
            <Select allowClear showSearch optionFilterProp="label" options={agents.map((a) => ({ value: a.user_id, label: a.display_name }))} />
          </Form.Item>
          <Form.Item name="note" label={t('tickets.detail.handoverNote')} rules={[{ required: true, whitespace: true, message: t('tickets.detail.handoverNoteRequired') }]}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} data-testid="handover-note" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

/* ---- fields and custom fields ---------------------------------------------------------------- */

function FieldsCard({ ticket, meta, agents, session, onChanged }: { ticket: Detail; meta: TicketMeta; agents: Agent[]; session: Session; onChanged: (t: Ticket) => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [editing, setEditing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<Record<string, string | number | null>>();
  const category = meta.categories.find((c) => c.id === ticket.category?.id);
  const defs = category?.fields ?? [];

  const patch = async (body: Record<string, unknown>, ok = t('tickets.detail.saved')) => {
    setSaving(true);
    try {
      const r = await api<Ticket>(`/api/tickets/${encodeURIComponent(ticket.id)}`, { method: 'PATCH', body });
      toast.success(ok);
      onChanged(r);
      return true;
    } catch (e) {
      toast.error(t('tickets.detail.saveFailed', { reason: errMsg(e) }));
      return false;
    } finally {
      setSaving(false);
    }
  };

  const saveFields = async () => {
    const v = await form.validateFields();
    const out: Record<string, string | number> = {};
    for (const d of defs) {
      const x = v[d.key];
      if (x !== undefined && x !== null && x !== '') out[d.key] = x;
    }
    if (await patch({ custom_fields: out })) setEditing(false);
  };

  const me = session.user?.id;
  const assigneeOptions = agents.map((a) => ({ value: a.user_id, label: a.display_name }));
  if (ticket.assignee && !agents.some((a) => a.user_id === ticket.assignee!.id)) assigneeOptions.push({ value: ticket.assignee.id, label: ticket.assignee.display_name });

  return (
    <Card size="small" title={t('tickets.detail.fields')} className="tk-card" data-testid="ticket-fields">
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} colon={false} className="tk-desc">
        <Descriptions.Item label={t('tickets.col.customer')}>
          {ticket.customer ? (
            <span>
              {ticket.customer.display_name}
              {ticket.customer.tier && ticket.customer.tier !== '普通' ? (
                <Tag className="tag-compact" color="gold" style={{ marginInlineStart: 6 }}>
                  {t(`tiers.${ticket.customer.tier}`, { defaultValue: ticket.customer.tier })}
                </Tag>
              ) : null}
            </span>
          ) : (
            t('tickets.none')
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('tickets.col.category')}>{ticket.category?.name ?? t('tickets.none')}</Descriptions.Item>
        <Descriptions.Item label={t('tickets.col.priority')}>
          <Select
            size="small"
            variant="borderless"
            value={ticket.priority}
            disabled={saving}
            onChange={(v) => void patch({ priority: v }, t('tickets.detail.priorityChanged'))}
            options={PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
            style={{ width: 96, marginInlineStart: -8 }}
            data-testid="detail-priority"
          />
        </Descriptions.Item>
        <Descriptions.Item label={t('tickets.col.department')}>{ticket.department?.name ?? t('tickets.none')}</Descriptions.Item>
        <Descriptions.Item label={t('tickets.col.assignee')}>
          <Space size={4}>
            <Select
              size="small"
              variant="borderless"
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t('tickets.unassigned')}
              value={ticket.assignee?.id}
              disabled={saving}
              onChange={(v) => void patch({ assignee_id: v ?? null })}
              options={assigneeOptions}
              style={{ width: 120, marginInlineStart: -8 }}
              data-testid="detail-assignee"
            />
            {me && ticket.assignee?.id !== me ? (
              <Button size="small" type="link" icon={<UserOutlined />} onClick={() => void patch({ assignee_id: me })} data-testid="assign-me">
                {t('tickets.detail.assignToMe')}
              </Button>
            ) : null}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('tickets.sla.policy')}>{ticket.sla.policy?.name ?? t('tickets.sla.none')}</Descriptions.Item>
        <Descriptions.Item label={t('tickets.col.created')}>{time(ticket.created_at)}</Descriptions.Item>
        <Descriptions.Item label={t('tickets.col.updated')}>{time(ticket.updated_at)}</Descriptions.Item>
      </Descriptions>
      {defs.length ? (
        <div className="tk-custom" data-testid="custom-fields">
          <div className="tk-subhead">
            <span>{t('tickets.detail.customFields')}</span>
            {editing ? (
              <Space size={4}>
                <Button size="small" onClick={() => setEditing(false)}>
                  {t('tickets.detail.cancel')}
                </Button>
                <Button size="small" type="primary" loading={saving} onClick={() => void saveFields()} data-testid="custom-fields-save">
                  {t('tickets.detail.save')}
                </Button>
              </Space>
            ) : (
              <Button
                size="small"
                type="link"
                icon={<EditOutlined />}
                onClick={() => {
                  form.setFieldsValue(Object.fromEntries(defs.map((d) => [d.key, (ticket.custom_fields[d.key] as string | number | undefined) ?? null])));
                  setEditing(true);
                }}
                data-testid="custom-fields-edit"
              >
                {t('tickets.detail.editFields')}
              </Button>
            )}
          </div>
          {editing ? (
            <Form form={form} layout="vertical" size="small" className="tk-custom-form">
              <Row gutter={12}>
                {defs.map((d) => (
                  <Col span={12} key={d.key}>
                    <Form.Item
                      name={d.key}
                      label={d.label}
                      rules={[
                        { required: !!d.required },
                        ...(d.type === 'date' ? [{ pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }] : []),
                      ]}
                    >
                      {d.type === 'select' ? (
                        <Select allowClear options={(d.options ?? []).map((o) => ({ value: o, label: o }))} />
                      ) : d.type === 'number' ? (
                        <InputNumber style={{ width: '100%' }} />
                      ) : (
                        <Input placeholder={d.type === 'date' ? 'YYYY-MM-DD' : undefined} maxLength={500} />
                      )}
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </Form>
          ) : (
            <Descriptions size="small" column={{ xs: 1, sm: 2 }} colon={false} className="tk-desc">
              {defs.map((d) => {
                const v = ticket.custom_fields[d.key];
                return (
                  <Descriptions.Item key={d.key} label={d.label}>
                    {v === undefined || v === null || v === '' ? <Typography.Text type="secondary">{t('tickets.none')}</Typography.Text> : String(v)}
                  </Descriptions.Item>
                );
              })}
            </Descriptions>
          )}
        </div>
      ) : null}
    </Card>
  );
}

/* ---- CRM context ------------------------------------------------------------------------------ */

function ContextCard({ ticket }: { ticket: Detail }) {
  const { t } = useTranslation();
  const c = ticket.context ?? {};
  const blocks: React.ReactNode[] = [];
  if (c.orders?.length) {
    blocks.push(
      <div key="orders" data-testid="context-orders">
        <div className="tk-subhead">{t('tickets.detail.orders')}</div>
        <Table
          size="small"
          rowKey="order_no"
          pagination={false}
          dataSource={c.orders}
          scroll={{ x: 660 }}
          columns={[
            { title: t('tickets.detail.orderNo'), dataIndex: 'order_no', width: 150, render: (v: string) => <Typography.Text copyable className="tk-number">{v}</Typography.Text> },
            { title: t('tickets.detail.date'), dataIndex: 'date', width: 96 },
            {
              title: t('tickets.detail.products'),
              render: (_, o) => (
                <div>
                  {o.items.map((i) => (
                    <div key={i.sku}>
                      {i.product} × {i.qty}
                    </div>
                  ))}
                </div>
              ),
            },
            { title: t('tickets.detail.amount'), dataIndex: 'amount', width: 72, render: (v: number) => money(v) },
            { title: t('tickets.detail.orderStatus'), dataIndex: 'status', width: 72 },
            {
              title: t('tickets.detail.logistics'),
              width: 150,
              render: (_, o) => (
                <span>
                  {o.logistics.carrier}
                  <br />
                  <Typography.Text type="secondary" copyable style={{ fontSize: 12 }}>
                    {o.logistics.tracking_no}
                  </Typography.Text>
                </span>
              ),
            },
          ]}
        />
      </div>,
    );
  }
  if (c.contracts?.length) {
    blocks.push(
      <div key="contracts" data-testid="context-contracts">
        <div className="tk-subhead">{t('tickets.detail.contracts')}</div>
        {c.contracts.map((k) => (
          <Descriptions key={k.contract_no} size="small" bordered column={{ xs: 1, sm: 2 }} className="tk-desc-bordered">
            <Descriptions.Item label={t('tickets.detail.contractNo')}>{k.contract_no}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.company')}>{k.company}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.amount')}>{money(k.amount)}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.signedAt')}>{k.signed_at}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.taxNo')} span={{ xs: 1, sm: 2 }}>
              {k.tax_no || t('tickets.none')}
            </Descriptions.Item>
          </Descriptions>
        ))}
      </div>,
    );
  }
  if (c.devices?.length) {
    blocks.push(
      <div key="devices" data-testid="context-devices">
        <div className="tk-subhead">{t('tickets.detail.devices')}</div>
        {c.devices.map((d) => (
          <Descriptions key={d.sn} size="small" bordered column={{ xs: 1, sm: 2 }} className="tk-desc-bordered">
            <Descriptions.Item label={t('tickets.detail.model')}>
              {d.name}（{d.model}）
            </Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.sn')}>{d.sn}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.firmware')}>{d.firmware}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.detail.purchasedAt')}>{d.purchased_at}</Descriptions.Item>
            {Object.entries(d.params).map(([k, v]) => (
              <Descriptions.Item key={k} label={k}>
                {v}
              </Descriptions.Item>
            ))}
          </Descriptions>
        ))}
      </div>,
    );
  }
  if (c.screenshots?.length) {
    blocks.push(
      <div key="shots">
        <div className="tk-subhead">{t('tickets.detail.screenshots')}</div>
        <Image.PreviewGroup>
          <Space wrap>
            {c.screenshots.map((m) => (
              <Image key={m} src={mediaUrl(m)} width={88} height={88} style={{ objectFit: 'cover', borderRadius: 4 }} />
            ))}
          </Space>
        </Image.PreviewGroup>
      </div>,
    );
  }
  if (!blocks.length) return null;
  return (
    <Card
      size="small"
      title={t('tickets.detail.context')}
      extra={c.source ? <Typography.Text type="secondary">{t('tickets.detail.contextSource')}</Typography.Text> : null}
      className="tk-card"
      data-testid="ticket-context"
      data-kind={c.kind ?? ''}
    >
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        {blocks}
      </Space>
    </Card>
  );
}

/* ---- SLA clocks ------------------------------------------------------------------------------- */

function SlaCard({ ticket, meta }: { ticket: Detail; meta: TicketMeta }) {
  const { t } = useTranslation();
  const at = useNow();
  if (!ticket.sla.policy) return null;
  const live = liveSla(ticket, at, meta.sla_policies);
  const clock = (key: 'first_response' | 'resolution', c: SlaClock | null) => {
    if (!c) return null;
    const running = c.state === 'ok' || c.state === 'warning' || c.state === 'breached';
    return (
      <div className={`tk-clock tk-clock-${c.state}`} data-testid={`sla-${key}`} data-state={c.state}>
        <div className="tk-clock-head">
          <span>{t(key === 'first_response' ? 'tickets.sla.firstResponse' : 'tickets.sla.resolution')}</span>
          <Tag color={SLA_COLOR[c.state]} icon={<SlaIcon state={c.state} />} className="tag-compact">
            {t(`tickets.sla.${c.state}`)}
          </Tag>
        </div>
        <div className="tk-clock-main">{clockText(t, c)}</div>
        <div className="tk-clock-sub">
          {key === 'first_response' && ticket.first_response_at
            ? t('tickets.sla.respondedAt', { time: formatDue(ticket.first_response_at) })
            : c.due_at && (running || c.state === 'met' || c.state === 'missed')
              ? t('tickets.sla.due', { time: formatDue(c.due_at) })
              : c.state === 'paused'
                ? t('tickets.sla.noDue')
                : ''}
        </div>
      </div>
    );
  };
  return (
    <Card size="small" title={t('tickets.sla.clocks')} extra={<Typography.Text type="secondary">{ticket.sla.policy.name}</Typography.Text>} className="tk-card" data-testid="ticket-sla">
      <div className="tk-clocks">
        {clock('first_response', live.firstResponse)}
        {clock('resolution', live.resolution)}
      </div>
    </Card>
  );
}

/* ---- comments --------------------------------------------------------------------------------- */

function CommentsCard({ ticket, userName, onAdded }: { ticket: Detail; userName: (id: string | null) => string; onAdded: () => void }) {
  const { t } = useTranslation();
  const { message: toast } = AntApp.useApp();
  const [visibility, setVisibility] = useState<'internal' | 'public'>('internal');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const internal = visibility === 'internal';

  const submit = async () => {
    const text = body.trim();
    if (!text) return;
    setBusy(true);
    try {
      const c = await api<TicketComment>(`/api/tickets/${encodeURIComponent(ticket.id)}/comments`, { body: { visibility, body: text, attachments: [] } });
      if (c.visibility === 'public' && c.delivery_status === 'failed') toast.warning(t('tickets.comments.deliveryFailed', { reason: c.delivery_error ?? '' }));
      else toast.success(c.visibility === 'public' ? t('tickets.comments.sent') : t('tickets.comments.ok'));
      setBody('');
      onAdded();
    } catch (e) {
      toast.error(t('tickets.comments.failed', { reason: errMsg(e) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={`${t('tickets.comments.title')} (${ticket.comments.length})`} className="tk-card" data-testid="ticket-comments">
      {ticket.comments.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.comments.empty')} style={{ margin: '8px 0' }} />
      ) : (
        <div className="tk-comments">
          {ticket.comments.map((c) => (
            <div key={c.id} className={`tk-comment tk-comment-${c.visibility}`} data-testid="ticket-comment" data-visibility={c.visibility}>
              <div className="tk-comment-head">
                <b>{c.author_type === 'customer' ? ticket.customer?.display_name ?? t('tickets.timeline.customer') : c.author_type === 'system' ? t('tickets.timeline.system') : userName(c.author_id)}</b>
                {c.visibility === 'internal' ? (
                  <Tag icon={<LockOutlined />} color="gold" className="tag-compact">
                    {t('tickets.comments.internalTag')}
                  </Tag>
                ) : c.delivery_status === 'failed' ? (
                  <Tooltip title={c.delivery_error}>
                    <Tag color="red" icon={<SendOutlined />} className="tag-compact" data-testid="comment-delivery" data-status="failed">
                      {t('tickets.comments.publicFailed')}
                    </Tag>
                  </Tooltip>
                ) : (
                  <Tag color="blue" icon={<SendOutlined />} className="tag-compact" data-testid="comment-delivery" data-status={c.delivery_status ?? ''}>
                    {t('tickets.comments.publicTag')}
                  </Tag>
                )}
                <span className="tk-muted tk-comment-time">{time(c.created_at)}</span>
              </div>
              <div className="tk-comment-body">{c.body}</div>
            </div>
          ))}
        </div>
      )}
      <div className={`tk-composer tk-composer-${visibility}`} data-testid="comment-composer" data-visibility={visibility}>
        <Segmented
          size="small"
          value={visibility}
          onChange={(v) => setVisibility(v as 'internal' | 'public')}
          options={[
            { value: 'internal', label: <span data-testid="comment-mode-internal"><LockOutlined /> {t('tickets.comments.internal')}</span> },
            { value: 'public', label: <span data-testid="comment-mode-public"><SendOutlined /> {t('tickets.comments.public')}</span> },
          ]}
        />
        <Input.TextArea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          placeholder={internal ? t('tickets.comments.internalPlaceholder') : t('tickets.comments.publicPlaceholder')}
          autoSize={{ minRows: 2, maxRows: 6 }}
          maxLength={2000}
          variant="borderless"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
          }}
          data-testid="comment-input"
        />
        <div className="tk-composer-bar">
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Ctrl+Enter
          </Typography.Text>
          <Button
            type="primary"
            danger={false}
            className={internal ? 'tk-btn-internal' : undefined}
            icon={internal ? <LockOutlined /> : <SendOutlined />}
            loading={busy}
            disabled={!body.trim()}
            onClick={() => void submit()}
            data-testid="comment-submit"
          >
            {internal ? t('tickets.comments.addInternal') : t('tickets.comments.sendPublic')}
          </Button>
        </div>
      </div>
    </Card>
  );
}

/* ---- audit trail ------------------------------------------------------------------------------ */

const ACTION_COLOR: Record<string, string> = {
  created: 'green',
  status: 'blue',
  reopen: 'blue',
  assign: 'gray',
  department: 'purple',
  handover: 'purple',
  priority: 'gray',
  field: 'gray',
  flag_red: 'red',
  escalation: 'red',
  escalate: 'red',
  sla_warning: 'orange',
  first_response: 'green',
  notify: 'gray',
};

function eventText(t: T, e: TicketEvent, userName: (id: string | null) => string): string {
  const status = (s: string | null) => (s ? t(`tickets.status.${s}`, { defaultValue: s }) : t('tickets.none'));
  const prio = (s: string | null) => (s ? t(`tickets.priority.${s}`, { defaultValue: s }) : t('tickets.none'));
  switch (e.action) {
    case 'created':
      return t('tickets.timeline.created', { to: e.to_value ?? '' });
    case 'status':
    case 'reopen':
      return t(`tickets.timeline.${e.action}`, { from: status(e.from_value), to: status(e.to_value) });
    case 'assign':
      return t('tickets.timeline.assign', { from: userName(e.from_value), to: userName(e.to_value) });
    case 'escalate':
      return t('tickets.timeline.escalate', { to: userName(e.to_value) });
    case 'priority':
      return t('tickets.timeline.priority', { from: prio(e.from_value), to: prio(e.to_value) });
    case 'comment':
      return t(e.to_value === 'public' ? 'tickets.timeline.comment_public' : 'tickets.timeline.comment_internal');
    case 'handover':
    case 'department':
      return t(`tickets.timeline.${e.action}`, { from: e.from_value ?? t('tickets.none'), to: e.to_value ?? t('tickets.none') });
    case 'sla_warning':
      return t('tickets.timeline.sla_warning', { to: e.to_value === 'resolution' ? t('tickets.sla.resolution') : t('tickets.sla.firstResponse') });
    case 'escalation':
    case 'notify':
    case 'flag_red':
    case 'first_response':
    case 'field':
      return t(`tickets.timeline.${e.action}`, { to: e.to_value ?? '' });
    default:
      return t('tickets.timeline.generic', { action: e.action });
  }
}

function AuditTimeline({ ticket, userName }: { ticket: Detail; userName: (id: string | null) => string }) {
  const { t } = useTranslation();
  const actor = (e: TicketEvent) =>
    e.actor_type === 'system' ? t('tickets.timeline.system') : e.actor_type === 'customer' ? ticket.customer?.display_name ?? t('tickets.timeline.customer') : userName(e.actor_id);
  // the note of a field edit is the field's name; of a comment, its text
  const noteOf = (e: TicketEvent) => (e.action === 'field' || e.action === 'first_response' ? null : e.note);
  const items = [...ticket.events].reverse().map((e) => {
    const internal = e.action === 'comment' && e.to_value === 'internal';
    const note = noteOf(e);
    return {
      key: e.id,
      color: internal ? 'gold' : e.action === 'comment' ? 'blue' : ACTION_COLOR[e.action] ?? 'gray',
      dot: internal ? <LockOutlined style={{ color: '#d48806' }} /> : e.action === 'flag_red' ? <FlagFilled style={{ color: '#cf1322' }} /> : undefined,
      children: (
        <div className="tk-event" data-testid="timeline-item" data-action={e.action} data-to={e.to_value ?? ''}>
          <div>
            <b>{actor(e)}</b> <span>{eventText(t, e, userName)}</span>
          </div>
          {note ? <div className={`tk-event-note${internal ? ' tk-event-note-internal' : ''}`}>{note}</div> : null}
          <div className="tk-muted tk-event-time">{time(e.created_at)}</div>
        </div>
      ),
    };
  });
  return <Timeline items={items} className="tk-timeline" />;
}
