/**
 * Every reply a route handler returns in the tests is checked against the reply schema its RouteSpec
 * declares (the one /openapi.json publishes): a reply that drifts from its schema becomes a 500
 * REPLY_SCHEMA_MISMATCH naming the route and the differences, so the test that made it fails.
 */
import type { Reply, RouteSpec } from '../../src/http/route.js';
import { errorBody } from '../../src/http/errors.js';

export interface ReplyProblem {
  route: string;
  status: number;
  issues: string[];
}

/** The problems of one reply against its declaration; empty when it fits (or is a file). */
export function replyProblems(spec: RouteSpec, reply: Reply): string[] {
  if (reply.status >= 400 && !spec.otherReplies?.[reply.status]) return [];
  if (!(reply.status in spec.responses)) return [`status ${reply.status} is not declared in responses (${Object.keys(spec.responses).join(', ')})`];
  if (spec.produces) return [];
  const schema = spec.otherReplies?.[reply.status] ?? spec.reply;
  // A route without a reply schema is named by test/http/reply-schemas.test.ts; its own tests go on.
  if (!schema) return [];
  // What the client receives: Dates, Decimals and the like as JSON turns them.
  const json: unknown = reply.body === undefined ? undefined : JSON.parse(JSON.stringify(reply.body));
  const result = schema.safeParse(json);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

export function checkReply(spec: RouteSpec, reply: Reply): Reply {
  const issues = replyProblems(spec, reply);
  if (issues.length === 0) return reply;
  const route = `${spec.method.toUpperCase()} ${spec.path}`;
  process.stderr.write(`REPLY_SCHEMA_MISMATCH ${route} ${reply.status}: ${issues.slice(0, 10).join('; ')}\n`);
  return { status: 500, body: errorBody('REPLY_SCHEMA_MISMATCH', `the reply of ${route} (${reply.status}) does not match its declared schema`, issues.slice(0, 20).map((reason) => ({ reason }))) };
}
