/**
 * Facts gathered from moto's real API responses by the real adapter, and the read calls they cost
 * (counted with SDK middleware): several groups, a prefix list, an Elastic IP, a subnet with and
 * without an internet-gateway route, an attached instance.
 */
import { AttachNetworkInterfaceCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { CachingFactReader } from '../../lambda/adapters/cache';
import { Ec2Adapter } from '../../lambda/adapters/ec2';
import { AwsFactReader } from '../../lambda/adapters/fact-reader';
import { IamAdapter } from '../../lambda/adapters/iam';
import { requiredFacts } from '../../lambda/core/evaluate';
import { evaluate } from '../../lambda/core/evaluate';
import { DEFAULT_POLICY } from '../../lambda/core/policy';
import { FactGatherer } from '../../lambda/app/facts';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import {
  attachElasticIp,
  createGroup,
  createInterface,
  createNetwork,
  createPrefixList,
  createSubnet,
  EMULATOR_ENV,
  routeToInternet,
  worldOpen,
} from '../../scripts/lib/sandbox';
import { CONTEXT } from '../support/fixtures';

let moto: Moto;
let client: EC2Client;
let iamClient: IAMClient;
const calls: string[] = [];

beforeAll(async () => {
  assertMotoInstalled();
  moto = await startMoto();
  client = new EC2Client({
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  iamClient = new IAMClient({
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

/** Reads the interface and gathers every fact the default policy needs, counting the calls. */
async function gather(gatherer: FactGatherer, adapter: Ec2Adapter, networkInterfaceId: string) {
  calls.length = 0;
  const ni = await adapter.describeInterface(networkInterfaceId);
  if (!ni) throw new Error(`${networkInterfaceId} not found`);
  const facts = await gatherer.gather(CONTEXT, ni, requiredFacts(DEFAULT_POLICY));
  return { facts, calls: [...calls].sort() };
}

describe('facts from moto', () => {
  it('sees an interface in a public subnet, with an Elastic IP, in two groups, one open through a prefix list', async () => {
    const adapter = new Ec2Adapter(client);
    const gatherer = new FactGatherer(new CachingFactReader(new AwsFactReader(adapter, new IamAdapter(iamClient))));
    const { vpcId, subnetId } = await createNetwork(client, '10.30.0.0/16');
    await routeToInternet(client, vpcId, subnetId);
    const prefixList = await createPrefixList(client, 'everyone', ['0.0.0.0/0', '10.0.0.0/8']);
    const web = await createGroup(client, vpcId, 'web', [worldOpen(443)]);
    const admin = await createGroup(client, vpcId, 'admin', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListIds: [{ PrefixListId: prefixList }] },
    ]);
    const ni = await createInterface(client, subnetId, [web, admin]);
    const eip = await attachElasticIp(client, ni.NetworkInterfaceId!);

    const { facts, calls: cold } = await gather(gatherer, adapter, ni.NetworkInterfaceId!);

    expect(facts.networkInterface).toMatchObject({
      publicIp: eip.publicIp,
      elasticIp: { allocationId: eip.allocationId },
      groups: [{ groupId: web }, { groupId: admin }],
    });
    expect(facts.groupRules.filter((r) => !r.isEgress).map((r) => [r.groupId, r.fromPort, r.cidrIpv4 ?? r.prefixListId])).toEqual(
      expect.arrayContaining([
        [web, 443, '0.0.0.0/0'],
        [admin, 22, prefixList],
      ]),
    );
    expect(facts.prefixLists).toEqual({ status: 'ok', value: new Map([[prefixList, ['0.0.0.0/0', '10.0.0.0/8']]]) });
    expect(facts.subnetNetwork).toMatchObject({ status: 'ok', value: { igwRouteIpv4: true, igwRouteIpv6: false } });
    expect(facts.flowLogs).toEqual({ status: 'ok', value: { active: [] } });
    expect(facts.instance).toBeUndefined();
    expect(cold).toEqual([
      'DescribeFlowLogs',
      'DescribeNetworkAcls',
      'DescribeNetworkInterfaces',
      'DescribeRouteTables',
      'DescribeSecurityGroupRules',
      'GetManagedPrefixListEntries',
    ]);

    const evaluation = evaluate(facts, DEFAULT_POLICY, new Date());
    expect(evaluation.findings.find((f) => f.ruleId === 'world-open-ingress')).toMatchObject({
      severity: 'critical',
      groupId: admin,
      evidence: { exposure: 'internet', rules: [{ source: `${prefixList} (contains 0.0.0.0/0)`, ports: '22' }] },
    });
    expect(evaluation.findings.find((f) => f.ruleId === 'public-ip')).toMatchObject({
      evidence: { allocationId: eip.allocationId, internetGatewayRoute: true },
    });

    // Warm: routes, ACLs, flow logs and prefix lists come from the cache.
    const { calls: warm } = await gather(gatherer, adapter, ni.NetworkInterfaceId!);
    expect(warm).toEqual(['DescribeNetworkInterfaces', 'DescribeSecurityGroupRules']);
  });

  it('sees a private subnet (no internet-gateway route): the same open rule is latent, one step less severe', async () => {
    const adapter = new Ec2Adapter(client);
    const gatherer = new FactGatherer(new CachingFactReader(new AwsFactReader(adapter, new IamAdapter(iamClient))));
    const { vpcId } = await createNetwork(client, '10.31.0.0/16');
    const privateSubnet = await createSubnet(client, vpcId, '10.31.9.0/24');
    const group = await createGroup(client, vpcId, 'ssh', [worldOpen(22)]);
    const ni = await createInterface(client, privateSubnet, [group]);

    const { facts } = await gather(gatherer, adapter, ni.NetworkInterfaceId!);

    expect(facts.subnetNetwork).toMatchObject({ status: 'ok', value: { igwRouteIpv4: false } });
    expect(evaluate(facts, DEFAULT_POLICY, new Date()).findings.find((f) => f.ruleId === 'world-open-ingress')).toMatchObject({
      severity: 'high',
      evidence: {
        exposure: 'latent',
        rules: [{ exposure: expect.arrayContaining(['no public IPv4 address', 'subnet routes no 0.0.0.0/0 to an internet gateway']) }],
      },
    });
  });

  it('sees the attached instance: AMI, volumes and their encryption, instance type capabilities', async () => {
    const adapter = new Ec2Adapter(client);
    const gatherer = new FactGatherer(new CachingFactReader(new AwsFactReader(adapter, new IamAdapter(iamClient))));
    const { vpcId, subnetId } = await createNetwork(client, '10.32.0.0/16');
    const group = await createGroup(client, vpcId, 'app', []);
    const run = await client.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.micro',
        SubnetId: subnetId,
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: false } }],
      }),
    );
    const instanceId = run.Instances![0]!.InstanceId!;
    const ni = await createInterface(client, subnetId, [group]);
    await client.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: ni.NetworkInterfaceId!, InstanceId: instanceId, DeviceIndex: 1 }),
    );

    const { facts, calls: cold } = await gather(gatherer, adapter, ni.NetworkInterfaceId!);

    expect(facts.instance).toMatchObject({
      status: 'ok',
      value: { instanceId, instanceType: 't3.micro', imageId: 'ami-12c6146b', volumes: [{ encrypted: false }] },
    });
    expect(cold).toEqual(expect.arrayContaining(['DescribeInstances', 'DescribeImages', 'DescribeVolumes', 'DescribeInstanceTypes']));
    const rules = evaluate(facts, DEFAULT_POLICY, new Date()).findings.map((f) => f.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['ebs-encryption', 'backup-coverage']));
  });
});
