import { useTranslation } from 'react-i18next';

/** 「小红 正在输入…」 with three pulsing dots, under the last message. */
export default function TypingIndicator({ name }: { name: string }) {
  const { t } = useTranslation();
  return (
    <div className="typing" data-testid="typing-indicator" aria-live="polite">
      <span className="typing-dots">
        <i />
        <i />
        <i />
      </span>
      {t('ws.typing', { name })}
    </div>
  );
}
