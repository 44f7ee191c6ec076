import { App } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api/client';

/** Shows an API error as a message a clerk can act on. */
export function useFail(): (error: unknown) => void {
  const { message } = App.useApp();
  return useCallback((error: unknown) => {
    message.error({ content: error instanceof ApiError ? error.text : `操作失败：${(error as Error).message}`, duration: 8 });
  }, [message]);
}

/** Loads on mount and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; loading: boolean; reload: () => void } {
  const fail = useFail();
  const [data, setData] = useState<T>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then((value) => live && setData(value)).catch((error) => live && fail(error)).finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, loading, reload: () => setTick((n) => n + 1) };
}

/** Runs an action with a busy flag; errors are shown, success returns the value. */
export function useAction(): [boolean, <T>(work: () => Promise<T>) => Promise<T | undefined>] {
  const fail = useFail();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(work: () => Promise<T>) => {
    setBusy(true);
    try {
      return await work();
    } catch (error) {
      fail(error);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [fail]);
  return [busy, run];
}
