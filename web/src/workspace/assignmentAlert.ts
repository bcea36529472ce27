import type { Conversation } from '../types';

/**
 * Sound and desktop notification when a conversation is assigned to me. Browsers allow both only
 * after a user gesture: `unlock()` is called from one (the status switch, any first click) to
 * create the audio context and ask for the notification permission once.
 */
let audio: AudioContext | null = null;

export function unlockAlerts(askPermission: boolean): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    /* no Web Audio: silent */
  }
  if (askPermission && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}

/** Two short rising tones (≈0.3 s). */
function chime(): void {
  if (!audio || audio.state !== 'running') return;
  const t0 = audio.currentTime;
  [880, 1320].forEach((f, i) => {
    const osc = audio!.createOscillator();
    const gain = audio!.createGain();
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.0001, t0 + i * 0.15);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + i * 0.15 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.15 + 0.14);
    osc.connect(gain).connect(audio!.destination);
    osc.start(t0 + i * 0.15);
    osc.stop(t0 + i * 0.15 + 0.15);
  });
}

/** Plays the chime; a desktop notification too when the page is not in front. Returns whether one was shown. */
export function alertAssigned(c: Conversation, text: { title: string; body: string }, onClick: () => void): boolean {
  chime();
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.visibilityState === 'visible') return false;
  const n = new Notification(text.title, { body: text.body, tag: `kefu-assigned-${c.id}` });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
  return true;
}
