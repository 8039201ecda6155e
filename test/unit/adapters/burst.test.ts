/* eslint-disable @typescript-eslint/require-await -- the in-memory store and publisher have nothing to wait for */
import type { BurstStore, HoldResult } from '../../../lambda/adapters/burst';
import { BurstAlerts, BurstFlusher } from '../../../lambda/adapters/burst';
import type { Alert } from '../../../lambda/core/alert';
import type { OutboundMessage } from '../../../lambda/core/alert-message';
import type { BurstWindow, HeldAlert } from '../../../lambda/core/burst';
import { causeOf, isUrgent } from '../../../lambda/core/burst';
import { alertFor } from '../../support/alerts';

/** The store's contract, in memory. */
class MemoryStore implements BurstStore {
  windows = new Map<string, { window: BurstWindow; state: string; items: Map<string, HeldAlert> }>();
  failing = false;
  async hold(key: string, item: HeldAlert): Promise<HoldResult> {
    if (this.failing) throw new Error('DynamoDB unavailable');
    const w = this.windows.get(key);
    if (!w) return 'no-window';
    if (w.items.has(item.itemId)) return 'duplicate';
    if (w.state !== 'open') return 'closed';
    w.items.set(item.itemId, item);
    return 'held';
  }
  async open(window: BurstWindow): Promise<boolean> {
    if (this.windows.has(window.windowKey)) return false;
    this.windows.set(window.windowKey, { window, state: 'open', items: new Map() });
    return true;
  }
  async dueWindows(cutoff: Date) {
    return [...this.windows.values()]
      .filter((w) => w.state !== 'flushed' && w.window.end <= cutoff.toISOString())
      .map((w) => w.window.windowKey);
  }
  async claim(key: string) {
    const w = this.windows.get(key);
    if (!w || w.state === 'flushed') return undefined;
    w.state = 'flushing';
    return w.window;
  }
  async items(key: string) {
    return [...(this.windows.get(key)?.items.values() ?? [])];
  }
  async finish(key: string) {
    this.windows.get(key)!.state = 'flushed';
  }
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function setup(start = Date.parse('2026-11-28T03:00:10Z')) {
  let now = start;
  const store = new MemoryStore();
  const published: Alert[] = [];
  const digests: OutboundMessage[] = [];
  const sns = {
    publish: async (alert: Alert) => void published.push(alert),
    publishMessage: async (message: OutboundMessage) => void digests.push(message),
  };
  const clock = () => new Date(now);
  const alerts = new BurstAlerts(store, sns, quiet, { windowSeconds: 300, now: clock });
  const flusher = new BurstFlusher(store, sns, quiet, { now: clock, burstTable: 'Windows' });
  return { store, published, digests, alerts, flusher, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('BurstAlerts', () => {
  it('publishes the first alert of a cause at once and holds the rest for one digest that counts and lists them', async () => {
    const { published, digests, alerts, flusher, advance } = setup();
    for (let n = 0; n < 50; n++) await alerts.publish(alertFor('eksNodes', n));

    expect(published.map((a) => a.document.networkInterface.id)).toEqual([alertFor('eksNodes', 0).document.networkInterface.id]);
    expect(await flusher.flushDue()).toMatchObject({ windows: 0 }); // the window has not ended
    advance(330); // the window ended at 03:05:00, flushed 30 s later
    expect(await flusher.flushDue()).toEqual({ windows: 1, digests: 1, alerts: 49, failed: [] });
    expect(digests).toHaveLength(1);
    const [digest] = digests;
    expect(digest!.attributes).toEqual({
      severity: 'medium',
      outcome: 'noncompliant',
      response: 'notified',
      rule: 'vpc-flow-logs',
      account: '123456789012',
      region: 'eu-west-1',
      kind: 'digest',
    });
    expect(digest!.subject).toBe('[eni-guard] MEDIUM vpc-flow-logs ×49 on sg-nodes: notified (digest)');
    expect(digest!.document).toMatchObject({
      kind: 'digest',
      count: 49,
      caller: 'arn:aws:iam::123456789012:role/eks-node',
      leading: { eventId: 'evt-eksNodes-0' },
    });
    expect(digest!.text.split('\n')[0]).toBe(
      'MEDIUM: vpc-flow-logs on 49 more interfaces between 2026-11-28T03:00:00.000Z and 2026-11-28T03:05:00.000Z — response: notified',
    );
    expect(digest!.chat).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    // Flushed once only.
    expect(await flusher.flushDue()).toMatchObject({ windows: 0 });
  });

  it('never holds a critical remediation', async () => {
    const { published, alerts } = setup();
    for (let n = 0; n < 5; n++) await alerts.publish(alertFor('worldOpenSsh', n));
    expect(isUrgent(alertFor('worldOpenSsh', 0))).toBe(true);
    expect(published).toHaveLength(5);
  });

  it('keeps causes apart: caller, rule and group', () => {
    const eks = causeOf(alertFor('eksNodes', 1))!;
    expect(causeOf(alertFor('eksNodes', 2))).toEqual(eks);
    expect(causeOf(alertFor('autoScaling', 1))).toMatchObject({
      rule: 'public-ip',
      group: 'sg-web',
      caller: expect.stringContaining('AWSServiceRoleForAutoScaling'),
    });
  });

  it('publishes at once, never drops, when the window was already flushed or the store is down', async () => {
    const { store, published, alerts, flusher, advance } = setup(Date.parse('2026-11-28T03:04:50Z'));
    await alerts.publish(alertFor('autoScaling', 0));
    const [key] = store.windows.keys();
    advance(5);
    await flusher.flush(key!); // an early flush (the window has not ended): a late hold must not vanish
    await alerts.publish(alertFor('autoScaling', 1));
    expect(published).toHaveLength(2);
    store.failing = true;
    await alerts.publish(alertFor('autoScaling', 2));
    expect(published).toHaveLength(3);
  });

  it('counts an alert held twice (a redelivery) once', async () => {
    const { digests, alerts, flusher, advance } = setup();
    await alerts.publish(alertFor('autoScaling', 0));
    await alerts.publish(alertFor('autoScaling', 1));
    await alerts.publish(alertFor('autoScaling', 1));
    advance(600);
    await flusher.flushDue();
    expect(digests[0]!.document).toMatchObject({ count: 1 });
  });
});
