/**
 * One readiness rule for the api and the worker. PostgreSQL holds the truth:
 * without it nothing can be done, so the process is out of rotation (503).
 * Without Redis the process stays in rotation but `degraded`: a restart would
 * not bring Redis back, the api still commits events and the sweeper schedules
 * again what was committed meanwhile.
 */
export type Dependency = 'postgres' | 'redis';

export interface Readiness {
  httpStatus: 200 | 503;
  status: 'ok' | 'degraded' | 'unavailable';
  /** The dependencies that did not answer, absent when all did. */
  down?: Dependency[];
}

export function readiness(up: Record<Dependency, boolean>): Readiness {
  const down = (['postgres', 'redis'] as const).filter((d) => !up[d]);
  const status = !up.postgres ? 'unavailable' : up.redis ? 'ok' : 'degraded';
  return { httpStatus: up.postgres ? 200 : 503, status, ...(down.length ? { down } : {}) };
}

/** True when `probe` answers (anything but `false`) within `timeoutMs`; a hung dependency counts as down. */
export async function answersWithin(probe: () => Promise<unknown>, timeoutMs = 1500): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([probe().then((ok) => ok !== false, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
