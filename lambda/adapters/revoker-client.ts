/**
 * The responder's side of credential revocation: it invokes the revoker function (synchronously) with
 * the request, and nothing else. The revoker's refusals and failures come back as `AwsCallError`s.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AwsCallError, type RevocationSender } from '../app/ports';
import type { RevocationRequest } from '../core/revocation';
import { wrap } from './errors';

/** Invokes the revoker function by name. */
export class LambdaRevocationSender implements RevocationSender {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
    /** Organization mode: the member account this responder acts in; every request names it. */
    private readonly account?: string,
  ) {}

  async send(request: RevocationRequest): Promise<unknown> {
    const payload = this.account ? { ...request, account: this.account } : request;
    let out;
    try {
      out = await this.client.send(
        new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: JSON.stringify(payload) }),
      );
    } catch (error) {
      throw wrap(request.operation, error);
    }
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (out.FunctionError) {
      const failure = (typeof body === 'object' && body !== null ? body : {}) as { errorType?: string; errorMessage?: string };
      // A refusal is final; anything else (a timeout, a throttled IAM call) may succeed on the next delivery.
      const code = failure.errorType ?? out.FunctionError;
      throw new AwsCallError(request.operation, code, failure.errorMessage ?? String(text), code !== 'RevocationRefusedError');
    }
    return body;
  }
}
