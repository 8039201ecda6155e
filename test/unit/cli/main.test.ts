/** Argument parsing, help, usage errors and exit codes common to every command, and the command table. */
import { EXIT, stringOption, type Command } from '../../../lambda/cli/command';
import { COMMANDS } from '../../../lambda/cli/commands';
import { main } from '../../../lambda/cli/main';
import { cli, tempDir } from './io';

describe('eni-guard (no command, help, version)', () => {
  it('prints the usage on stderr and exits 2 without a command', async () => {
    const run = await cli([]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('usage: eni-guard COMMAND');
  });

  it('lists every command of the table with --help, and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name}`);
    expect(run.stdout).toContain('exit codes:');
  });

  it.each([
    ['help', 'evaluate'],
    ['evaluate', '--help'],
    ['evaluate', '-h'],
  ])('prints the options of a command: %s %s', async (...argv) => {
    const run = await cli(argv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: eni-guard evaluate --event PATH');
    expect(run.stdout).toContain('--endpoint-url URL');
  });

  it('prints the package version', async () => {
    const run = await cli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^eni-guard \d+\.\d+\.\d+\n$/) });
  });
});

describe('usage errors exit 2 and name the problem, with the synopsis', () => {
  it.each([
    [['deploy'], 'unknown command "deploy"'],
    [['validate', '--bogus'], "Unknown option '--bogus'"],
    [['validate', 'extra.json'], 'unexpected argument "extra.json"'],
    [['validate', '--output', 'yaml'], '--output must be "text" or "json", not "yaml"'],
    [['validate', '--policy'], "Option '-p, --policy <value>' argument missing"],
    [['evaluate'], '--event PATH is required'],
    [['evaluate', '--event', 'e.json', '--region', 'Ireland'], '--region must be a Region name'],
    [['evaluate', '--event', 'e.json', '--endpoint-url', 'localhost:5000'], '--endpoint-url must be an http(s) URL'],
    [['respond', '--event', 'e.json'], 'give --topic-arn ARN (or set ALERT_TOPIC_ARN)'],
    [['respond', '--event', 'e.json', '--topic-arn', 'alerts'], '--topic-arn must be an SNS topic ARN'],
  ])('%j', async (argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('shows the command synopsis and where to find the options', async () => {
    const run = await cli(['evaluate']);
    expect(run.stderr).toContain('usage: eni-guard evaluate --event PATH');
    expect(run.stderr).toContain("Run 'eni-guard evaluate --help'");
  });

  it('checks arguments before it reads any file', async () => {
    const run = await cli(['evaluate', '--event', 'missing.json', '--output', 'xml']);
    expect(run.code).toBe(EXIT.usage);
  });
});

describe('the command table', () => {
  // How a subcommand plugs in: one more Command in the table.
  const undo: Command = {
    name: 'replay-undo',
    summary: 'restore a recorded pre-state',
    synopsis: 'eni-guard replay-undo LEDGER_ID',
    help: '',
    options: { 'endpoint-url': { type: 'string' } },
    positionals: ['LEDGER_ID'],
    run: (invocation, io) => {
      io.stdout(`undo ${invocation.positionals[0]} at ${stringOption(invocation, 'endpoint-url') ?? 'AWS'}\n`);
      return Promise.resolve(0);
    },
  };
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(
      argv,
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        env: {},
        cwd: tempDir(),
        stdin: () => Promise.resolve(''),
      },
      [...COMMANDS, undo],
    );
    return { code, stdout, stderr };
  };

  it('runs a command added to the table, with its positional arguments and options', async () => {
    expect(await run(['replay-undo', 'L-42', '--endpoint-url', 'http://127.0.0.1:5000'])).toMatchObject({
      code: 0,
      stdout: 'undo L-42 at http://127.0.0.1:5000\n',
    });
    expect((await run(['--help'])).stdout).toContain('replay-undo');
  });

  it('rejects a missing positional argument with exit 2', async () => {
    expect(await run(['replay-undo'])).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('missing LEDGER_ID') });
    expect(await cli(['undo'])).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('missing LEDGER_ID') });
    expect(await cli(['undo', 'evt/eni-0abc'])).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('--ledger-table') });
  });

  it('maps an unexpected exception to exit 3 with the command name', async () => {
    const broken: Command = { ...undo, name: 'broken', run: () => Promise.reject(new Error('boom')) };
    let stderr = '';
    const code = await main(
      ['broken', 'x'],
      { stdout: () => undefined, stderr: (t) => (stderr += t), env: {}, cwd: '/', stdin: () => Promise.resolve('') },
      [broken],
    );
    expect(code).toBe(EXIT.error);
    expect(stderr).toContain('eni-guard broken: unexpected error: Error: boom');
  });
});
