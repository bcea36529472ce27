import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { App as AntApp } from 'antd';
import type { RealtimeClient } from '../realtime';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { navigate } from '../router';
import { normalizeAlert, type KAlert } from './types';

type AlertsState = {
  items: KAlert[];
  loading: boolean;
  /** not yet acknowledged (the nav badge) */
  unacked: number;
  reload: () => Promise<void>;
  ack: (id: string) => Promise<void>;
};

const Ctx = createContext<AlertsState>({ items: [], loading: false, unacked: 0, reload: async () => undefined, ack: async () => undefined });

export function useAlerts(): AlertsState {
  return useContext(Ctx);
}

/** Knowledge alerts (hot-word surges): loaded once, then live from `knowledge.alert` on the /agent socket. */
export function AlertsProvider({ socket, enabled, children }: { socket: RealtimeClient; enabled: boolean; children: React.ReactNode }) {
  const { t } = useTranslation();
  const { notification } = AntApp.useApp();
  const [items, setItems] = useState<KAlert[]>([]);
  const [loading, setLoading] = useState(false);
  const tRef = useRef(t);
  tRef.current = t;

  const reload = useCallback(async () => {
    if (!enabled) return;
    setLoading(true);
    try {
      const r = await api<{ items: KAlert[] }>('/api/knowledge/alerts');
      setItems((r.items ?? []).map(normalizeAlert));
    } catch (e) {
      // the knowledge API may not be deployed; the badge stays empty
      if (!(e instanceof ApiError)) throw e;
    } finally {
      setLoading(false);
    }
  }, [enabled]);

  const ack = useCallback(async (id: string) => {
    await api(`/api/knowledge/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', body: {} });
    setItems((prev) => prev.map((a) => (a.id === id ? { ...a, acknowledged: true, acked_at: new Date().toISOString() } : a)));
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    if (!enabled) return;
    const on = (p: { alert: KAlert }) => {
      const a = p?.alert;
      if (!a?.id) return;
      setItems((prev) => [{ ...a, acknowledged: false }, ...prev.filter((x) => x.id !== a.id)]);
      notification.warning({
        key: `kalert-${a.id}`,
        message: tRef.current('training.alerts.liveTitle'),
        description: tRef.current('training.alerts.liveDesc', { topic: a.topic, ratio: a.ratio.toFixed(1) }),
        onClick: () => navigate('/training/alerts'),
        placement: 'bottomRight',
      });
    };
    socket.on('knowledge.alert', on);
    return () => {
      socket.off('knowledge.alert', on);
    };
  }, [socket, enabled, notification]);

  const unacked = items.filter((a) => !a.acknowledged).length;
  return <Ctx.Provider value={{ items, loading, unacked, reload, ack }}>{children}</Ctx.Provider>;
}
