/**
 * Gathers the facts the enabled rules need for one interface, in parallel and in as few calls as
 * possible. The interface and its group rules are always read fresh (they are the truth we act
 * on); the rest is fetched only when a rule needs it. A transient failure (throttling, 5xx,
 * timeout) is rethrown so the event is retried; any other failure becomes an `unavailable` fact,
 * which makes the rules that need it fail closed.
 */
import { credentialInstance } from '../core/caller';
import type { EventContext, Fact, FactKind, FlowLogCoverage, InstanceFacts, InterfaceFacts, NetworkInterface } from '../core/model';
import { isTransient, type FactReader } from './ports';

/** Gathers `InterfaceFacts` through a `FactReader`. */
export class FactGatherer {
  constructor(private readonly reader: FactReader) {}

  /** Gathers the facts for `ni`: group rules always, the optional `needs` when they apply. */
  async gather(context: EventContext, ni: NetworkInterface, needs: ReadonlySet<FactKind>): Promise<InterfaceFacts> {
    const groupIds = ni.groups.map((g) => g.groupId);
    const groupRules = groupIds.length > 0 ? await this.reader.describeGroupRules(groupIds) : [];
    const prefixListIds = [...new Set(groupRules.filter((r) => !r.isEgress && r.prefixListId).map((r) => r.prefixListId!))];
    const callerInstanceId = callerInstanceOf(context);
    const [prefixLists, subnetNetwork, flowLogs, instance, callerInstance] = await Promise.all([
      needs.has('prefixLists') && prefixListIds.length > 0 ? settle(this.reader.resolvePrefixLists(prefixListIds)) : undefined,
      needs.has('subnetNetwork') && ni.vpcId && ni.subnetId ? settle(this.reader.describeSubnetNetwork(ni.vpcId, ni.subnetId)) : undefined,
      needs.has('flowLogs') && ni.vpcId ? settle(this.flowLogs(context, ni, ni.vpcId)) : undefined,
      needs.has('instance') && ni.attachedInstanceId ? settle(this.instance(ni.attachedInstanceId)) : undefined,
      needs.has('callerInstance') && callerInstanceId
        ? settle(this.credentialInstance(callerInstanceId, context.caller.sessionIssuerArn))
        : undefined,
    ]);
    return {
      context,
      networkInterface: ni,
      groupRules,
      ...(prefixLists ? { prefixLists } : {}),
      ...(subnetNetwork ? { subnetNetwork } : {}),
      ...(flowLogs ? { flowLogs } : {}),
      ...(instance ? { instance } : {}),
      ...(callerInstance ? { callerInstance } : {}),
    };
  }

  /**
   * VPC- and subnet-level flow logs (cached by the reader). Only when neither covers the interface is an
   * interface-level one looked for — never at creation, when none can exist yet — so the common case
   * stays one cached read.
   */
  private async flowLogs(context: EventContext, ni: NetworkInterface, vpcId: string): Promise<FlowLogCoverage> {
    const shared = await this.reader.describeFlowLogs([vpcId, ...(ni.subnetId ? [ni.subnetId] : [])]);
    if (shared.active.length > 0 || context.eventName === 'CreateNetworkInterface') return shared;
    return this.reader.describeFlowLogs([ni.networkInterfaceId]);
  }

  /** The instance behind instance credentials, with what EC2 and IAM say about its profile (the proof isolation needs). */
  private async credentialInstance(instanceId: string, roleArn: string | undefined): Promise<InstanceFacts> {
    const [instance, credentialOrigin] = await Promise.all([
      this.instance(instanceId),
      roleArn ? this.reader.describeCredentialOrigin(instanceId, roleArn) : Promise.resolve(undefined),
    ]);
    return credentialOrigin ? { ...instance, credentialOrigin } : instance;
  }

  private async instance(instanceId: string): Promise<InstanceFacts> {
    const facts = await this.reader.describeInstance(instanceId);
    if (!facts) throw new Error(`instance ${instanceId} no longer exists`);
    return facts;
  }
}

/** The instance whose role credentials made the call, as far as CloudTrail says (proof comes from EC2 and IAM). */
function callerInstanceOf(context: EventContext): string | undefined {
  return credentialInstance(context.caller);
}

/** Resolves to an `ok` fact, or an `unavailable` one for a permanent failure; rethrows transient failures. */
async function settle<T>(promise: Promise<T>): Promise<Fact<T>> {
  try {
    return { status: 'ok', value: await promise };
  } catch (error) {
    if (isTransient(error)) throw error;
    return { status: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
  }
}
