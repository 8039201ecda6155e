/**
 * A per-container cache for facts that change rarely (subnet routes and ACLs, flow logs, prefix
 * lists). The interface and its security-group rules are never cached: they are what we act on.
 */
import type { FactReader } from '../app/ports';
import type { CredentialOrigin, FlowLogCoverage, InstanceFacts, SecurityGroupRule, SubnetNetwork } from '../core/model';

/** How long each kind of fact is reused, in milliseconds. */
export interface CacheTtls {
  readonly subnetNetwork: number;
  readonly flowLogs: number;
  readonly prefixLists: number;
}

/** Defaults: routes/ACLs 60 s (they decide exposure), flow logs and prefix lists 5 min. */
export const DEFAULT_TTLS: CacheTtls = { subnetNetwork: 60_000, flowLogs: 300_000, prefixLists: 300_000 };

/** A small TTL map; failed loads are not cached. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { expires: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 1000,
  ) {}

  /** Returns the cached value for `key`, or loads, caches and returns it. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    this.entries.set(key, { expires: this.now() + this.ttlMs, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  /** Forgets one key (after the responder changed what it describes). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** Wraps a `FactReader`, caching the stable facts. */
export class CachingFactReader implements FactReader {
  private readonly networks: TtlCache<SubnetNetwork>;
  private readonly flowLogs: TtlCache<FlowLogCoverage>;
  private readonly prefixLists: TtlCache<string[]>;

  constructor(
    private readonly inner: FactReader,
    ttls: CacheTtls = DEFAULT_TTLS,
    now: () => number = Date.now,
  ) {
    this.networks = new TtlCache(ttls.subnetNetwork, now);
    this.flowLogs = new TtlCache(ttls.flowLogs, now);
    this.prefixLists = new TtlCache(ttls.prefixLists, now);
  }

  describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]> {
    return this.inner.describeGroupRules(groupIds);
  }

  describeInstance(instanceId: string): Promise<InstanceFacts | undefined> {
    return this.inner.describeInstance(instanceId);
  }

  /** Never cached: the proof isolation rests on must be current. */
  describeCredentialOrigin(instanceId: string, roleArn: string): Promise<CredentialOrigin> {
    return this.inner.describeCredentialOrigin(instanceId, roleArn);
  }

  describeSubnetNetwork(vpcId: string, subnetId: string): Promise<SubnetNetwork> {
    return this.networks.get(`${vpcId}/${subnetId}`, () => this.inner.describeSubnetNetwork(vpcId, subnetId));
  }

  async describeFlowLogs(resourceIds: readonly string[]): Promise<FlowLogCoverage> {
    return this.flowLogs.get([...resourceIds].sort().join(','), () => this.inner.describeFlowLogs(resourceIds));
  }

  async resolvePrefixLists(prefixListIds: readonly string[]): Promise<Map<string, string[]>> {
    const entries = await Promise.all(
      prefixListIds.map(
        async (id) => [id, await this.prefixLists.get(id, async () => (await this.inner.resolvePrefixLists([id])).get(id) ?? [])] as const,
      ),
    );
    return new Map(entries);
  }
}
