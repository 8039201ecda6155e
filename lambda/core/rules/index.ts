/** The rule registry: every rule eni-guard knows, in evaluation order. */
import type { Rule } from '../rule';
import { backupCoverage } from './backup-coverage';
import { caller } from './caller';
import { ebsEncryption } from './ebs-encryption';
import { instanceAmiAge } from './instance-ami-age';
import { networkPlacement } from './network-placement';
import { plaintextProtocols } from './plaintext-protocols';
import { publicIp } from './public-ip';
import { requiredTags } from './required-tags';
import { sourceDestCheck } from './source-dest-check';
import { vpcFlowLogs } from './vpc-flow-logs';
import { worldOpenIngress } from './world-open-ingress';

/** Every rule, in the order their findings are reported. */
export const RULES: readonly Rule<unknown>[] = [
  worldOpenIngress,
  publicIp,
  networkPlacement,
  vpcFlowLogs,
  sourceDestCheck,
  caller,
  requiredTags,
  instanceAmiAge,
  ebsEncryption,
  backupCoverage,
  plaintextProtocols,
];
