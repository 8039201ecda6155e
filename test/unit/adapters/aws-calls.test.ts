import { EC2_COMMANDS, IAM_COMMANDS, REVOKER_OPERATIONS } from '../../../lambda/adapters/aws-calls';
import { ACTION_OPERATIONS, OPERATION_PERMISSIONS, UNDO_OPERATIONS, type Operation } from '../../../lambda/core/actions';

describe('the call sender table', () => {
  it('has an SDK command for every operation an action may call, in the service its IAM action names', () => {
    const operations = (Object.keys(OPERATION_PERMISSIONS) as Operation[]).filter((operation) => !REVOKER_OPERATIONS.includes(operation));
    for (const operation of operations) {
      const service = OPERATION_PERMISSIONS[operation].split(':')[0];
      const table = service === 'ec2' ? EC2_COMMANDS : IAM_COMMANDS;
      expect([operation, table[operation]?.name]).toEqual([operation, `${operation}Command`]);
    }
  });

  it('lists only known operations per action kind', () => {
    for (const operations of [...Object.values(ACTION_OPERATIONS), ...Object.values(UNDO_OPERATIONS)]) {
      for (const operation of operations) expect(OPERATION_PERMISSIONS).toHaveProperty(operation);
    }
  });

  it('sends credential revocations only to the revoker, and the revoker invoked through Lambda', () => {
    expect(REVOKER_OPERATIONS.map((operation) => OPERATION_PERMISSIONS[operation])).toEqual([
      'lambda:InvokeFunction',
      'lambda:InvokeFunction',
    ]);
    expect(Object.keys(IAM_COMMANDS)).not.toContain('PutRolePolicy');
  });
});
