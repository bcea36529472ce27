import { useEffect, useRef, useState } from 'react';
import { Button, Tooltip } from 'antd';
import { LoadingOutlined, PauseCircleFilled, PlayCircleFilled, SoundOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type BenzAMRRecorder from 'benz-amr-recorder';
import { mediaUrl } from '../api';
import '../workspace/workspace.css';
import type { MediaRef } from '../types';

type State = 'idle' | 'loading' | 'playing' | 'paused' | 'error';

/**
 * WeChat voice is AMR, which no browser plays: it is decoded in the page (benz-amr-recorder,
 * loaded on the first play so the workspace bundle stays small) and played through Web Audio.
 */
function AmrVoice({ url }: { url: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<State>('idle');
  const [duration, setDuration] = useState<number | null>(null);
  const rec = useRef<BenzAMRRecorder | null>(null);

  useEffect(
    () => () => {
      rec.current?.stop();
      rec.current = null;
    },
    [],
  );

  const toggle = async () => {
    const r = rec.current;
    if (state === 'playing') {
      r?.pause();
      return setState('paused');
    }
    if (state === 'paused' && r) {
      r.resume();
      return setState('playing');
    }
    if (state === 'loading') return;
    try {
      let player = r;
      if (!player) {
        setState('loading');
        const { default: Amr } = await import('benz-amr-recorder');
        player = new Amr();
        await player.initWithUrl(url);
        player.onEnded(() => setState('idle'));
        rec.current = player;
        setDuration(player.getDuration());
      }
      player.play();
      setState('playing');
    } catch {
      setState('error');
    }
  };

  if (state === 'error')
    return (
      <a className="msg-voice msg-voice-error" href={url} download data-testid="voice-player" data-state="error">
        <WarningOutlined /> {t('msg.voiceFailed')}
      </a>
    );
  const icon = state === 'loading' ? <LoadingOutlined /> : state === 'playing' ? <PauseCircleFilled /> : <PlayCircleFilled />;
  return (
    <Tooltip title={state === 'playing' ? t('msg.pause') : t('msg.play')}>
      <Button type="text" className="msg-voice" onClick={() => void toggle()} data-testid="voice-player" data-state={state} data-duration={duration ?? ''}>
        {icon}
        <SoundOutlined className={state === 'playing' ? 'msg-voice-wave msg-voice-wave-on' : 'msg-voice-wave'} />
        <span className="msg-voice-len">{duration != null ? `${Math.max(1, Math.round(duration))}″` : t('msg.voice')}</span>
      </Button>
    </Tooltip>
  );
}

/** A voice message: the browser's own player for formats it knows, the AMR decoder for WeChat's. */
export default function VoicePlayer({ media }: { media: MediaRef & { media_id: string } }) {
  const url = mediaUrl(media.media_id);
  const native = !!media.mime && document.createElement('audio').canPlayType(media.mime) !== '';
  return native ? <audio controls preload="none" src={url} className="msg-audio" data-testid="voice-player" data-state="native" /> : <AmrVoice url={url} />;
}
