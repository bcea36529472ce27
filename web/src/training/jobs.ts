import { useCallback, useEffect, useRef, useState } from 'react';
import { api, upload } from '../api';
import { reason } from './common';
import type { Job } from './types';

export type JobState =
  | { phase: 'idle' }
  | { phase: 'uploading'; filename: string }
  | { phase: 'running'; filename: string; jobId: string; job: Job | null }
  | { phase: 'done' | 'failed'; filename: string; jobId: string | null; job: Job | null; error?: string };

/** Upload a file that the server processes as a job (202 {job_id}), then poll GET /api/knowledge/jobs/:id until it ends. */
export function useUploadJob(onDone?: (job: Job) => void): { state: JobState; start: (path: string, file: File) => Promise<void>; reset: () => void } {
  const [state, setState] = useState<JobState>({ phase: 'idle' });
  const alive = useRef(true);
  const doneRef = useRef(onDone);
  doneRef.current = onDone;
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const start = useCallback(async (path: string, file: File) => {
    setState({ phase: 'uploading', filename: file.name });
    let jobId: string;
    try {
      const r = await upload<{ job_id: string }>(path, file);
      jobId = r.job_id;
    } catch (e) {
      setState({ phase: 'failed', filename: file.name, jobId: null, job: null, error: reason(e) });
      return;
    }
    setState({ phase: 'running', filename: file.name, jobId, job: null });
    let failures = 0;
    while (alive.current) {
      await new Promise((r) => setTimeout(r, 500));
      if (!alive.current) return;
      try {
        const job = await api<Job>(`/api/knowledge/jobs/${encodeURIComponent(jobId)}`);
        failures = 0;
        if (job.status === 'running') {
          setState({ phase: 'running', filename: file.name, jobId, job });
          continue;
        }
        setState({ phase: job.status === 'done' ? 'done' : 'failed', filename: file.name, jobId, job, error: job.message ?? job.error });
        if (job.status === 'done') doneRef.current?.(job);
        return;
      } catch (e) {
        if (++failures >= 5) {
          setState({ phase: 'failed', filename: file.name, jobId, job: null, error: reason(e) });
          return;
        }
      }
    }
  }, []);

  return { state, start, reset: () => setState({ phase: 'idle' }) };
}

export function jobPercent(job: Job | null): number {
  if (!job || !job.total) return 0;
  return Math.min(100, Math.round((job.processed / job.total) * 100));
}
