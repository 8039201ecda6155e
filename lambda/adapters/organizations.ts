/**
 * AWS Organizations, read by the hub: an account's place (its OU path from the root), and the
 * accounts below the target OUs. Results are cached for the container's life (a few minutes): a
 * new account is found on the next lookup after the cache expires, a moved one likewise.
 */
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListParentsCommand,
  paginateListAccountsForParent,
  paginateListChildren,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { errorCode, type OrganizationPort } from '../app/ports';
import type { AccountPlace } from '../core/organization';
import { TtlCache } from './cache';
import { wrap } from './errors';

/** How long an account's place is reused. */
const PLACE_TTL_MS = 10 * 60_000;

/** `OrganizationPort` over the Organizations API. */
export class OrganizationsAdapter implements OrganizationPort {
  private readonly places = new TtlCache<AccountPlace | undefined>(PLACE_TTL_MS);
  private organizationId?: Promise<string>;

  constructor(private readonly client: OrganizationsClient) {}

  placeOf(account: string): Promise<AccountPlace | undefined> {
    return this.places.get(account, () => this.lookUp(account));
  }

  async accountsBelow(ous: readonly string[]): Promise<AccountPlace[]> {
    const organizationId = await this.organization();
    const found = new Map<string, AccountPlace>();
    // Walk each target OU breadth-first, carrying the path; an OU listed twice (or nested in another) is walked once.
    const seen = new Set<string>();
    const queue: { id: string; path: string[] }[] = [];
    for (const ou of ous) queue.push({ id: ou, path: [...(await this.pathTo(ou)), ou] });
    while (queue.length > 0) {
      const { id, path } = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      try {
        for await (const page of paginateListAccountsForParent({ client: this.client }, { ParentId: id })) {
          for (const a of page.Accounts ?? []) {
            if (a.Id && (a.State === undefined || a.State === 'ACTIVE') && !found.has(a.Id)) {
              const place: AccountPlace = { account: a.Id, organizationId, path, ...(a.Name ? { name: a.Name } : {}) };
              found.set(a.Id, place);
              // What the walk learnt answers the next placeOf (alerts name each account's OU) without another lookup.
              void this.places.get(a.Id, () => Promise.resolve(place));
            }
          }
        }
        for await (const page of paginateListChildren({ client: this.client }, { ParentId: id, ChildType: 'ORGANIZATIONAL_UNIT' })) {
          for (const child of page.Children ?? []) if (child.Id) queue.push({ id: child.Id, path: [...path, child.Id] });
        }
      } catch (error) {
        throw wrap('ListAccountsForParent', error);
      }
    }
    return [...found.values()];
  }

  private organization(): Promise<string> {
    this.organizationId ??= this.client.send(new DescribeOrganizationCommand({})).then(
      (out) => {
        if (!out.Organization?.Id) throw new Error('DescribeOrganization returned no organization id');
        return out.Organization.Id;
      },
      (error: unknown) => {
        this.organizationId = undefined;
        throw wrap('DescribeOrganization', error);
      },
    );
    return this.organizationId;
  }

  private async lookUp(account: string): Promise<AccountPlace | undefined> {
    let name: string | undefined;
    try {
      name = (await this.client.send(new DescribeAccountCommand({ AccountId: account }))).Account?.Name;
    } catch (error) {
      if (errorCode(error) === 'AccountNotFoundException') return undefined;
      throw wrap('DescribeAccount', error);
    }
    const [organizationId, path] = await Promise.all([this.organization(), this.pathTo(account)]);
    return { account, organizationId, path, ...(name ? { name } : {}) };
  }

  /** The OUs from the root down to the parent of `child` (an account or an OU), `child` itself excluded. */
  private async pathTo(child: string): Promise<string[]> {
    const path: string[] = [];
    let current = child;
    // An organization is at most five OUs deep below the root.
    for (let depth = 0; depth < 8; depth += 1) {
      let parent: string | undefined;
      try {
        parent = (await this.client.send(new ListParentsCommand({ ChildId: current }))).Parents?.[0]?.Id;
      } catch (error) {
        if (errorCode(error) === 'ChildNotFoundException' && current === child) return path;
        throw wrap('ListParents', error);
      }
      if (!parent) break;
      path.unshift(parent);
      if (parent.startsWith('r-')) break;
      current = parent;
    }
    return path;
  }
}
