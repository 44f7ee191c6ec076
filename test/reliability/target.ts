// Adapts the in-process test app (the real routes on a fresh database, over loopback HTTP) to the reliability suite's Target.
import type { Target } from '../../reliability/target.js';
import type { TestApp } from '../support/app.js';

export function targetOf(app: TestApp): Target {
  return { adminToken: app.adminToken, request: app.request, sql: app.sql };
}
