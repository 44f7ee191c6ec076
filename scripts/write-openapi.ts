/**
 * Writes /openapi.json to a file without starting the service or a database: the document comes
 * from the route declarations alone. Usage: node --import tsx scripts/write-openapi.ts [out.json]
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/http/routes/index.js';

const out = process.argv[2] ?? 'openapi.json';
writeFileSync(out, JSON.stringify(openApiDocument(), null, 2) + '\n');
process.stdout.write(`wrote ${out}\n`);
