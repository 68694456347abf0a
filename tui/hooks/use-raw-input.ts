/** Hands every chunk of terminal input to `onInput`, in raw mode, as Ink reads it (escape sequences one at a time). */
import { useStdin } from 'ink';
import { useEffect } from 'react';

export function useRawInput(onInput: (chunk: string) => void): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: events } = useStdin();
  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [events, onInput, isRawModeSupported, setRawMode]);
}
