import { Button, Image, Space, Tag, Tooltip, Typography } from 'antd';
import {
  ClockCircleOutlined,
  ExclamationCircleFilled,
  FileOutlined,
  EnvironmentOutlined,
  IdcardOutlined,
  AppstoreOutlined,
  WarningOutlined,
  LinkOutlined,
  RobotOutlined,
  CheckOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { formatSize, mediaUrl } from '../api';
import type { MediaRef, Message, MessageContent } from '../types';
import VoicePlayer from './VoicePlayer';

function MediaError({ media }: { media: MediaRef }) {
  const { t } = useTranslation();
  return (
    <div className="msg-media-error">
      <WarningOutlined /> {t('msg.mediaFailed')}
      {media.error ? <div className="msg-media-error-reason">{media.error}</div> : null}
    </div>
  );
}

export function eventText(t: TFunction, c: Extract<MessageContent, { type: 'event' }>): string {
  const d = c.data ?? {};
  if (typeof d.text === 'string' && d.text) return d.text;
  const key = `event.${c.event}`;
  const base = t(key, { defaultValue: '' });
  const txt = base || t('event.generic', { event: c.event });
  const extra = typeof d.reason === 'string' ? d.reason : typeof d.fail_reason === 'string' ? d.fail_reason : '';
  return extra ? `${txt}：${extra}` : txt;
}

/** The body of one message, for every type of the internal format. */
export function MessageBody({ content }: { content: MessageContent }) {
  const { t } = useTranslation();
  switch (content.type) {
    case 'text':
      return (
        <div className="msg-text">
          {content.text}
          {content.menu_id ? (
            <div className="msg-note">
              <AppstoreOutlined /> {t('msg.menuClick')} · {content.menu_id}
            </div>
          ) : null}
        </div>
      );
    case 'image':
      if (content.media.error || !content.media.media_id) return <MediaError media={content.media} />;
      return (
        <Image
          className="msg-image"
          src={mediaUrl(content.media.media_id)}
          alt={content.media.filename ?? t('msg.image')}
          width={180}
          style={{ maxHeight: 240, objectFit: 'cover' }}
        />
      );
    case 'voice':
      if (content.media.error || !content.media.media_id) return <MediaError media={content.media} />;
      return <VoicePlayer media={{ ...content.media, media_id: content.media.media_id }} />;
    case 'video':
      if (content.media.error || !content.media.media_id) return <MediaError media={content.media} />;
      return <video controls preload="metadata" src={mediaUrl(content.media.media_id)} className="msg-video" />;
    case 'file': {
      if (content.media.error || !content.media.media_id) return <MediaError media={content.media} />;
      const name = content.media.filename ?? t('msg.file');
      return (
        <a className="msg-file" href={mediaUrl(content.media.media_id)} download={name} target="_blank" rel="noreferrer">
          <FileOutlined className="msg-file-icon" />
          <span className="msg-file-meta">
            <span className="msg-file-name">{name}</span>
            <span className="msg-file-size">
              {formatSize(content.media.size)} · {t('msg.download')}
            </span>
          </span>
        </a>
      );
    }
    case 'location': {
      const { latitude, longitude } = content;
      const href = `https://uri.amap.com/marker?position=${longitude},${latitude}&name=${encodeURIComponent(content.name ?? '')}`;
      return (
        <a className="msg-card msg-location" href={href} target="_blank" rel="noreferrer">
          <EnvironmentOutlined className="msg-card-icon" style={{ color: '#f5222d' }} />
          <span>
            <div className="msg-card-title">{content.name || t('msg.location')}</div>
            {content.address ? <div className="msg-card-desc">{content.address}</div> : null}
            <div className="msg-card-foot">
              {latitude.toFixed(6)}, {longitude.toFixed(6)}
            </div>
          </span>
        </a>
      );
    }
    case 'link':
      return (
        <a className="msg-card msg-link" href={content.url} target="_blank" rel="noreferrer">
          <span style={{ flex: 1, minWidth: 0 }}>
            <div className="msg-card-title">{content.title}</div>
            {content.desc ? <div className="msg-card-desc">{content.desc}</div> : null}
            <div className="msg-card-foot">
              <LinkOutlined /> {t('msg.link')}
            </div>
          </span>
          {content.pic_url ? <img className="msg-card-pic" src={content.pic_url} alt="" /> : null}
        </a>
      );
    case 'business_card':
      return (
        <div className="msg-card">
          <IdcardOutlined className="msg-card-icon" style={{ color: '#1677ff' }} />
          <span>
            <div className="msg-card-title">{content.userid}</div>
            <div className="msg-card-foot">{t('msg.card')}</div>
          </span>
        </div>
      );
    case 'miniprogram':
      return (
        <div className="msg-card msg-mini">
          <span style={{ flex: 1, minWidth: 0 }}>
            <div className="msg-card-title">{content.title}</div>
            {content.thumb?.media_id && !content.thumb.error ? (
              <img className="msg-mini-thumb" src={mediaUrl(content.thumb.media_id)} alt="" />
            ) : null}
            <div className="msg-card-desc" title={content.pagepath}>
              {content.pagepath}
            </div>
            <div className="msg-card-foot">
              <AppstoreOutlined /> {t('msg.miniprogram')} · {content.appid}
            </div>
          </span>
        </div>
      );
    case 'menu':
      return (
        <div className="msg-menu">
          {content.head ? <div className="msg-menu-head">{content.head}</div> : null}
          <Space direction="vertical" size={4} style={{ width: '100%' }}>
            {content.items.map((it, i) => {
              if (it.type === 'click')
                return (
                  <Tooltip key={i} title={`id: ${it.id}`}>
                    <Button size="small" block className="msg-menu-item">
                      {it.content}
                    </Button>
                  </Tooltip>
                );
              if (it.type === 'view')
                return (
                  <Button key={i} size="small" block type="link" href={it.url} target="_blank" icon={<LinkOutlined />}>
                    {it.content}
                  </Button>
                );
              return (
                <Tooltip key={i} title={`${it.appid} ${it.pagepath}`}>
                  <Button size="small" block type="dashed" icon={<AppstoreOutlined />}>
                    {it.content}
                  </Button>
                </Tooltip>
              );
            })}
          </Space>
          {content.tail ? <div className="msg-menu-tail">{content.tail}</div> : null}
        </div>
      );
    case 'event':
      return <span>{eventText(t, content)}</span>;
    default:
      return <span className="msg-note">{t('msg.unknown')}</span>;
  }
}

function senderLabel(t: TFunction, m: Message, customerName: string): string {
  switch (m.sender_type) {
    case 'customer':
      return customerName;
    case 'bot':
      return t('chat.bot');
    case 'agent':
    case 'servicer':
      return t('chat.agent');
    default:
      return t('chat.system');
  }
}

type Props = { message: Message; customerName: string; onRetry?: (m: Message) => void };

export default function MessageView({ message: m, customerName, onRetry }: Props) {
  const { t } = useTranslation();
  const common = {
    'data-testid': 'chat-message',
    'data-message-id': m.id,
    'data-status': m.status,
    'data-direction': m.direction,
    'data-type': m.content.type,
  };
  if (m.content.type === 'event' || m.direction === 'system') {
    return (
      <div className="msg-row msg-row-system" {...common}>
        <span className={`msg-system${m.status === 'failed' ? ' msg-system-failed' : ''}`}>
          <MessageBody content={m.content} />
          {m.fail_reason ? <span data-testid="message-fail-reason"> · {m.fail_reason}</span> : null}
        </span>
      </div>
    );
  }
  const out = m.direction === 'out';
  const time = dayjs(m.created_at);
  const bare = ['image', 'video'].includes(m.content.type);
  return (
    <div className={`msg-row ${out ? 'msg-row-out' : 'msg-row-in'}`} {...common}>
      <div className="msg-col">
        <div className="msg-meta">
          {m.sender_type === 'bot' ? <RobotOutlined /> : null} {senderLabel(t, m, customerName)}
          <span className="msg-time" title={time.format('YYYY-MM-DD HH:mm:ss')}>
            {time.format('HH:mm')}
          </span>
        </div>
        <div className="msg-line">
          {out && m.status === 'pending' ? (
            <Tooltip title={t('chat.pending')}>
              <ClockCircleOutlined className="msg-state msg-state-pending" data-testid="message-pending" />
            </Tooltip>
          ) : null}
          {out && m.status === 'failed' ? (
            <Tooltip title={t('chat.failed')}>
              <ExclamationCircleFilled className="msg-state msg-state-failed" data-testid="message-failed" />
            </Tooltip>
          ) : null}
          <div
            className={`msg-bubble ${out ? (m.sender_type === 'bot' ? 'msg-bubble-bot' : 'msg-bubble-out') : 'msg-bubble-in'}${bare ? ' msg-bubble-bare' : ''}${
              m.status === 'failed' ? ' msg-bubble-failed' : ''
            }`}
          >
            <MessageBody content={m.content} />
          </div>
          {out && m.status === 'sent' ? <CheckOutlined className="msg-state msg-state-sent" /> : null}
        </div>
        {m.status === 'failed' ? (
          <div className="msg-fail">
            <Typography.Text type="danger" data-testid="message-fail-reason">
              {(m.fail_code && t(`failCodes.${m.fail_code}`, { defaultValue: '' })) || m.fail_reason || t('chat.failed')}
            </Typography.Text>
            {m.fail_code ? <Tag style={{ marginInlineStart: 6 }}>{m.fail_code}</Tag> : null}
            {onRetry && (m.content.type === 'text' || (m.content.type === 'image' && m.content.media.media_id)) ? (
              <Button type="link" size="small" onClick={() => onRetry(m)} style={{ paddingInline: 4 }}>
                {t('chat.retry')}
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}
