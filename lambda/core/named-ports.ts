/** Well-known ports and how exposing them to the world is graded. */
import type { Severity } from './model';

/** Remote administration, databases, caches, queues and control planes: never world-open. */
export const CRITICAL_PORTS: ReadonlyMap<number, string> = new Map([
  [20, 'FTP data'],
  [21, 'FTP'],
  [22, 'SSH'],
  [23, 'Telnet'],
  [135, 'MS RPC'],
  [139, 'NetBIOS'],
  [445, 'SMB'],
  [1433, 'SQL Server'],
  [1521, 'Oracle'],
  [2049, 'NFS'],
  [2375, 'Docker API'],
  [2376, 'Docker API (TLS)'],
  [2379, 'etcd'],
  [3306, 'MySQL'],
  [3389, 'RDP'],
  [5432, 'PostgreSQL'],
  [5601, 'Kibana'],
  [5900, 'VNC'],
  [5984, 'CouchDB'],
  [6379, 'Redis'],
  [6443, 'Kubernetes API'],
  [9042, 'Cassandra'],
  [9092, 'Kafka'],
  [9200, 'Elasticsearch'],
  [10250, 'kubelet'],
  [11211, 'Memcached'],
  [27017, 'MongoDB'],
]);

/** Plaintext web ports: high, because credentials and sessions cross them unencrypted. */
export const PLAINTEXT_HTTP_PORTS: ReadonlyMap<number, string> = new Map([
  [80, 'HTTP'],
  [8000, 'HTTP (alt)'],
  [8080, 'HTTP (alt)'],
  [8888, 'HTTP (alt)'],
]);

/** Names the well-known ports inside a range, at most `limit` of them. */
export function namedPortsIn(from: number, to: number, limit = 5): string[] {
  const names: string[] = [];
  for (const table of [CRITICAL_PORTS, PLAINTEXT_HTTP_PORTS]) {
    for (const [portNumber, name] of table) {
      if (portNumber >= from && portNumber <= to && names.length < limit) names.push(`${portNumber}/${name}`);
    }
  }
  return names;
}

/** Grades a world-open TCP/UDP port range: critical for admin/database ports, high for plaintext HTTP. */
export function severityOfPortRange(from: number, to: number): Severity {
  for (const portNumber of CRITICAL_PORTS.keys()) if (portNumber >= from && portNumber <= to) return 'critical';
  for (const portNumber of PLAINTEXT_HTTP_PORTS.keys()) if (portNumber >= from && portNumber <= to) return 'high';
  return 'medium';
}
