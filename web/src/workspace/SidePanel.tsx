import { useState } from 'react';
import { Badge, Button, Tabs } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Conversation } from '../types';
import CustomerPanel from './CustomerPanel';
import NotesPanel from './NotesPanel';
import WhyPanel from './WhyPanel';
import type { LiveEvents } from './types';

export type SideTab = 'customer' | 'notes' | 'why';

/**
 * The right-hand panel of a conversation: customer 360, internal notes, and 「为什么分配给我」.
 * On the phone it is the third stacked view, with a back button to the chat.
 */
export default function SidePanel({ conversation: c, socket, onBack }: { conversation: Conversation; socket: LiveEvents; onBack?: () => void }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<SideTab>('customer');
  const [noteCount, setNoteCount] = useState(0);
  return (
    <div className="side" data-testid="side-panel">
      {onBack ? (
        <div className="side-back">
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} data-testid="side-back">
            {c.customer.display_name}
          </Button>
        </div>
      ) : null}
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as SideTab)}
        size="small"
        className="side-tabs"
        items={[
          { key: 'customer', label: <span data-testid="side-tab-customer">{t('ws.side.customer')}</span>, children: <CustomerPanel conversation={c} socket={socket} /> },
          {
            key: 'notes',
            label: (
              <span data-testid="side-tab-notes">
                {t('ws.side.notes')} <Badge count={noteCount} size="small" color="#faad14" />
              </span>
            ),
            // kept mounted so the count and live notes stay current while another tab is open
            forceRender: true,
            children: <NotesPanel conversationId={c.id} socket={socket} onCount={setNoteCount} />,
          },
          { key: 'why', label: <span data-testid="side-tab-why">{t('ws.side.why')}</span>, children: <WhyPanel conversationId={c.id} refreshKey={`${c.status}:${c.assignee_id ?? ''}`} /> },
        ]}
      />
    </div>
  );
}
