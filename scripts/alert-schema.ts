/**
 * Writes alert/schema.json (the published JSON Schema of the SNS alert document) and
 * alert/decision-event.schema.json (the EventBridge decision event, JSON Schema draft 4 as the
 * schema registry takes it) from the one schema in lambda/core/alert-schema.ts. `npm run
 * alert:schema`; a unit test fails when either is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertJsonSchema, decisionEventJsonSchema } from '../lambda/core/alert-schema';

for (const [name, schema] of [
  ['schema.json', alertJsonSchema()],
  ['decision-event.schema.json', decisionEventJsonSchema()],
] as const) {
  const file = join(__dirname, '..', 'alert', name);
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
