// A stand-in for the service process in lifecycle tests: starts embedded PostgreSQL, says "ready", then waits to be killed.
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';

const [dataDir, port] = process.argv.slice(2);
const pg = await startEmbeddedPostgres({ dataDir: dataDir!, port: Number(port), fast: true });
process.stdout.write(`ready ${pg.url}\n`);
setInterval(() => undefined, 60_000);
