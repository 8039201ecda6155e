import { namedPortsIn, severityOfPortRange } from '../../../lambda/core/named-ports';

describe('well-known ports', () => {
  it.each<[string, [number, number], string]>([
    ['a range ending exactly at SSH', [1, 22], 'critical'],
    ['a range starting exactly at SSH', [22, 22], 'critical'],
    ['a range starting just past Telnet', [24, 79], 'medium'],
    ['a range ending exactly at HTTP', [79, 80], 'high'],
    ['a range starting exactly at the last plaintext HTTP port', [8888, 8888], 'high'],
    ['a range just past it', [8889, 9000], 'medium'],
    ['a range holding both an admin and a plaintext port', [79, 3389], 'critical'],
  ])('grades %s', (_name, [from, to], severity) => {
    expect(severityOfPortRange(from, to)).toBe(severity);
  });

  it('names the well-known ports of a range, the critical ones first, at most five by default', () => {
    expect(namedPortsIn(20, 23)).toEqual(['20/FTP data', '21/FTP', '22/SSH', '23/Telnet']);
    expect(namedPortsIn(0, 65535)).toEqual(['20/FTP data', '21/FTP', '22/SSH', '23/Telnet', '135/MS RPC']);
    expect(namedPortsIn(0, 65535, 2)).toEqual(['20/FTP data', '21/FTP']);
    expect(namedPortsIn(79, 81)).toEqual(['80/HTTP']);
    expect(namedPortsIn(22, 80, 10)).toEqual(['22/SSH', '23/Telnet', '80/HTTP']);
    expect(namedPortsIn(24, 79)).toEqual([]);
  });
});
