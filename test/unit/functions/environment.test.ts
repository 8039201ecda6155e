import { DEFAULT_LEASE_SECONDS, EnvironmentError, readLeaseSeconds } from '../../../lambda/functions/environment';

describe('LEDGER_LEASE_SECONDS', () => {
  it.each([
    [undefined, DEFAULT_LEASE_SECONDS],
    ['', DEFAULT_LEASE_SECONDS],
    ['1', 1],
    ['0.5', 0.5],
    ['900', 900],
  ])('%j → %d s', (raw, seconds) => {
    expect(readLeaseSeconds(raw === undefined ? {} : { LEDGER_LEASE_SECONDS: raw })).toBe(seconds);
  });

  it.each(['0', '-1', '901', 'two minutes', '1e3', ' 5', 'NaN'])('refuses %j at init, naming the variable', (raw) => {
    expect(() => readLeaseSeconds({ LEDGER_LEASE_SECONDS: raw })).toThrow(EnvironmentError);
    expect(() => readLeaseSeconds({ LEDGER_LEASE_SECONDS: raw })).toThrow(
      /LEDGER_LEASE_SECONDS must be a number of seconds above 0 and at most 900/,
    );
  });
});
