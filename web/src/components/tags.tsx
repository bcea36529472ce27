import { Avatar, Tag } from 'antd';
import { CrownOutlined, FireOutlined, GlobalOutlined, WechatOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { isUrgent, isVip, type Channel, type Conversation, type ConversationStatus } from '../types';

const STATUS_COLOR: Record<ConversationStatus, string> = { bot: 'purple', queued: 'orange', assigned: 'blue', closed: 'default' };

export function ChannelTag({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  return channel === 'wecom_kf' ? (
    <Tag color="green" icon={<WechatOutlined />} className="tag-compact" data-testid="channel-tag">
      {t('channel.wecom_kf')}
    </Tag>
  ) : (
    <Tag color="cyan" icon={<GlobalOutlined />} className="tag-compact" data-testid="channel-tag">
      {t('channel.web')}
    </Tag>
  );
}

export function StatusTag({ status }: { status: ConversationStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status] ?? 'default'} className="tag-compact" data-testid="status-tag">
      {t(`status.${status}`)}
    </Tag>
  );
}

const PALETTE = ['#1677ff', '#13c2c2', '#52c41a', '#fa8c16', '#eb2f96', '#722ed1', '#2f54eb', '#faad14'];

export function CustomerAvatar({ c, size = 40 }: { c: Conversation['customer']; size?: number }) {
  const name = c.display_name || '?';
  let h = 0;
  for (const ch of c.id || name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return c.avatar_url ? (
    <Avatar src={c.avatar_url} size={size} alt={name} />
  ) : (
    <Avatar size={size} style={{ background: PALETTE[h % PALETTE.length], flex: 'none' }}>
      {Array.from(name)[0]}
    </Avatar>
  );
}

const TIER_COLOR: Record<string, string> = { 银卡: 'default', 金卡: 'orange', VIP: 'gold' };

/** the customer's tier, unless ordinary (普通) */
export function TierTag({ tier }: { tier?: string }) {
  const { t } = useTranslation();
  if (!tier || tier === '普通') return null;
  return (
    <Tag color={TIER_COLOR[tier] ?? 'default'} icon={tier === 'VIP' ? <CrownOutlined /> : undefined} className="tag-compact" data-testid="tier-tag">
      {t(`tiers.${tier}`, { defaultValue: tier })}
    </Tag>
  );
}

/** 紧急 (red) for urgent hand-offs, VIP (gold) for VIP priority */
export function PriorityTags({ c }: { c: Conversation }) {
  const { t } = useTranslation();
  return (
    <>
      {isUrgent(c) ? (
        <Tag color="red" icon={<FireOutlined />} className="tag-compact" data-testid="urgent-tag">
          {t('list.urgent')}
        </Tag>
      ) : null}
      {isVip(c) && c.customer.tier !== 'VIP' ? (
        <Tag color="gold" icon={<CrownOutlined />} className="tag-compact" data-testid="vip-tag">
          VIP
        </Tag>
      ) : null}
    </>
  );
}
