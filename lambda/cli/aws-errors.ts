/**
 * What an AWS failure means for the person at the keyboard: the SDK's words name neither the table
 * that is missing nor how to get credentials for a local endpoint. Each explanation says what to do.
 */
import { errorCode } from '../app/ports';
import { messageOf } from './command';

/** What the command was talking to, for the explanation. */
export interface AwsTarget {
  readonly endpoint?: string;
  readonly region?: string;
  readonly ledgerTable?: string;
}

const LEDGER_OPERATIONS = /^(GetItem|PutItem|Query|UpdateItem)\b/;

/** True for an endpoint on this machine (moto, LocalStack). */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  return endpoint !== undefined && /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/.test(endpoint);
}

/** The error's message, with what to do when it is one of the failures people meet first. */
export function explainAwsError(error: unknown, target: AwsTarget): string {
  const message = messageOf(error);
  const codes = causes(error).map(errorCode);
  const where = `${target.region ? ` in ${target.region}` : ''}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
  if (codes.includes('CredentialsProviderError') || /Could not load credentials/.test(message)) {
    return isLocalEndpoint(target.endpoint)
      ? `${message}. A local endpoint (${target.endpoint}) accepts any credentials, but the SDK still needs some: export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing`
      : `${message}. Give AWS credentials as usual: --profile NAME (or AWS_PROFILE), aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  }
  if (/Region is missing/i.test(message)) return `${message}: give --region REGION (or set AWS_REGION)`;
  if (target.ledgerTable && codes.includes('ResourceNotFoundException') && (LEDGER_OPERATIONS.test(message) || /table/i.test(message))) {
    return (
      `the ledger table ${target.ledgerTable} does not exist${where} (${message}). ` +
      `Deployed: use the stack output LedgerTableName in the Region the stack is in. ` +
      `Local endpoint: create it with eni-guard create-ledger --ledger-table ${target.ledgerTable}${target.endpoint ? ` --endpoint-url ${target.endpoint}` : ''}${target.region ? ` --region ${target.region}` : ''}`
    );
  }
  return message;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let current = error;
    current !== undefined && current !== null && chain.length < 5;
    current = (current as { cause?: unknown }).cause
  ) {
    chain.push(current);
  }
  return chain;
}
