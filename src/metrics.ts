/**
 * GET /metrics in the Prometheus text format: requests and their latency by route template and status
 * (observed by the HTTP layer), the database pool, the group commit of postings, and — read from the database at each scrape — the
 * stock documents and movements posted and the claims by status. One registry per service instance.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the HTTP layer reports about each request. */
export interface RequestObserver {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

export class Metrics implements RequestObserver {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  /** `postings`: the group commit's counts of batches sent and documents in them. */
  constructor(
    private readonly orm: MikroORM,
    postings: { readonly batches: number; readonly documents: number; readonly resent: number } = { batches: 0, documents: 0, resent: 0 },
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'relief_' });
    this.requests = new Counter({ name: 'relief_http_requests_total', help: 'HTTP requests by method, route template and status', labelNames: ['method', 'route', 'status'], registers });
    this.latency = new Histogram({
      name: 'relief_http_request_duration_seconds',
      help: 'Time from the request to the reply (a streamed file: to its first byte), by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const pool = () => this.pool();
    new Gauge({
      name: 'relief_db_pool_connections',
      help: 'Database pool connections: in_use (lent to a request) or idle',
      labelNames: ['state'],
      registers,
      collect() {
        const p = pool();
        this.set({ state: 'in_use' }, p?.numUsed() ?? 0);
        this.set({ state: 'idle' }, p?.numFree() ?? 0);
      },
    });
    new Gauge({
      name: 'relief_db_pool_waiting',
      help: 'Requests waiting for a database connection',
      registers,
      collect() {
        const p = pool();
        this.set(p?.numPendingAcquires() ?? 0);
      },
    });
    new Gauge({
      name: 'relief_ledger_posting_commits',
      help: 'Optimistic postings sent to the database (group commit): transactions, the documents they carried, and documents sent again alone after their batch statement failed',
      labelNames: ['what'],
      registers,
      collect() {
        this.set({ what: 'transactions' }, postings.batches);
        this.set({ what: 'documents' }, postings.documents);
        this.set({ what: 'resent_alone' }, postings.resent);
      },
    });
    const sql = <T>(query: string) => this.orm.em.fork().getConnection().execute<T[]>(query);
    new Gauge({
      name: 'relief_stock_documents_posted',
      help: 'Stock documents posted to the ledger, by type (from the database)',
      labelNames: ['type'],
      registers,
      async collect() {
        this.reset();
        for (const row of await sql<{ type: string; n: string }>('SELECT type, count(*) AS n FROM stock_documents GROUP BY type')) this.set({ type: row.type }, Number(row.n));
      },
    });
    new Gauge({
      name: 'relief_stock_movements_posted',
      help: 'Stock movements posted to the ledger (the sum of every category chain\'s last sequence)',
      registers,
      async collect() {
        const [row] = await sql<{ n: string }>('SELECT coalesce(sum(last_sequence), 0) AS n FROM stock_chains');
        this.set(Number(row?.n ?? 0));
      },
    });
    new Gauge({
      name: 'relief_claims',
      help: 'Claims by status (from the database)',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        for (const row of await sql<{ status: string; n: string }>('SELECT status, count(*) AS n FROM claims GROUP BY status')) this.set({ status: row.status }, Number(row.n));
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  /** The text exposition format (version 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** knex's tarn pool behind MikroORM; absent until the first connection. */
  private pool(): PoolLike | undefined {
    const connection = this.orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: PoolLike } } };
    return connection.getKnex().client.pool;
  }
}
