import { z } from 'zod';
import type { Services } from '../../services.js';
import { created, ok, route } from '../route.js';
import { Backup, Backups } from '../replies/system.replies.js';

/**
 * Backups on request. The backup runs on a connection and snapshot of its own: with an Idempotency-Key
 * the request transaction only records the reply, the long COPY never runs inside it.
 */
export function backupRoutes({ backups }: Services) {
  return [
    route({
      method: 'post', path: '/backups', tag: 'system', roles: ['admin'],
      summary: 'Back up the whole database now, consistently and without stopping the service, into BACKUP_DIR (409 BACKUP_NOT_CONFIGURED without it)',
      body: z.object({}).strict(), reply: Backup, responses: { 201: '{file, bytes, manifest: {snapshotAt, migrations, tables: [{name, rows, sha256}], sequences, ledger: {chainHeads, chains, chainHeadsSha256, signedDigest}, sha256, bytes}}' },
      handle: async () => created(await backups.backupNow()),
    }),
    route({
      method: 'get', path: '/backups', tag: 'system', roles: ['admin'], summary: 'The complete backups in BACKUP_DIR, newest first',
      reply: Backups, responses: { 200: '{items: [{file, bytes, snapshotAt, sha256, migrations, rows}]}' },
      handle: async () => ok(await backups.list()),
    }),
  ];
}
