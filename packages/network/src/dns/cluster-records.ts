/**
 * The cluster's DNS zone, computed from the object store on each question:
 *   <svc>.<ns>.svc.<domain>                 A: the virtual IP, or for a headless
 *                                           service the ready endpoints' IPs
 *   _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV: one per named port (headless:
 *                                           one per endpoint)
 *   <hostname>.<svc>.<ns>.svc.<domain>      A: a headless service's endpoint
 *                                           (StatefulSet pods: hostname + subdomain)
 *   <a-b-c-d>.<ns>.pod.<domain>             A: a.b.c.d
 *   d.c.b.a.in-addr.arpa                    PTR: virtual IPs and named endpoints
 * Pure: an ObjectReader in, records out.
 */
import type { EndpointAddress, Endpoints, ObjectReader, Pod, Service } from '@shoal/api';
import { RCode, RRClass, RRType, type Question, type ResourceRecord } from './message.js';
import { contains, parseCidr, type Cidr } from '../plumbing/cidr.js';

export interface ClusterAnswer {
  rcode: number;
  answers: ResourceRecord[];
  /** The zone's SOA on negative answers (lets resolvers cache them briefly). */
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export interface ClusterRecordsConfig {
  /** Default cluster.local. */
  clusterDomain?: string;
  /** TTL of every answer, seconds. Short: endpoints change. Default 5. */
  ttl?: number;
  /**
   * Address ranges whose reverse names are ours (service CIDR, pod subnet):
   * an unknown address there is NXDOMAIN rather than forwarded.
   */
  reverseCIDRs?: string[];
}

/** Either an answer from the cluster zone, or undefined: not ours, forward it. */
export type Lookup = (q: Question) => ClusterAnswer | undefined;

interface Named { addr: EndpointAddress; hostname: string }

function dashed(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

export class ClusterRecords {
  readonly domain: string;
  private readonly ttl: number;
  private readonly reverseCIDRs: Cidr[];

  constructor(private readonly view: () => ObjectReader, cfg: ClusterRecordsConfig = {}) {
    this.domain = (cfg.clusterDomain ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
    this.ttl = cfg.ttl ?? 5;
    this.reverseCIDRs = (cfg.reverseCIDRs ?? []).map(parseCidr);
  }

  /** True for names this server is authoritative for. */
  owns(name: string): boolean {
    return name === this.domain || name.endsWith(`.${this.domain}`);
  }

  lookup: Lookup = (q) => {
    if (q.class !== RRClass.IN && q.class !== RRClass.ANY) return undefined;
    if (q.type === RRType.PTR && q.name.endsWith('.in-addr.arpa')) return this.reverse(q);
    if (!this.owns(q.name)) return undefined;
    const rel = q.name === this.domain ? [] : q.name.slice(0, -this.domain.length - 1).split('.');
    const view = this.view();
    // rel is read right to left: [..., <svc>, <ns>, 'svc'] or [<ip>, <ns>, 'pod'].
    const kind = rel[rel.length - 1];
    if (rel.length <= 1) return rel.length === 0 || kind === 'svc' || kind === 'pod' ? this.nodata() : this.nxdomain();
    if (kind === 'pod') return rel.length === 3 ? this.podRecord(q, rel[0]!) : this.nodataIf(rel.length === 2);
    if (kind !== 'svc') return this.nxdomain();
    const ns = rel[rel.length - 2]!;
    if (rel.length === 2) return this.nodataIf(view.list('Service', { namespace: ns }).length > 0);
    const svcName = rel[rel.length - 3]!;
    const svc = view.get<Service>({ kind: 'Service', namespace: ns, name: svcName });
    if (svc === undefined) return this.nxdomain();
    const fqdn = `${svcName}.${ns}.svc.${this.domain}`;
    if (rel.length === 3) return this.serviceRecord(q, svc, fqdn);
    if (rel.length === 4) return this.hostRecord(q, svc, fqdn, rel[0]!);
    if (rel.length === 5 && rel[0]!.startsWith('_') && rel[1]!.startsWith('_')) {
      return this.srvRecord(q, svc, fqdn, rel[0]!.slice(1), rel[1]!.slice(1));
    }
    return this.nxdomain();
  };

  private record(name: string, data: ResourceRecord['data']): ResourceRecord {
    const type = data.kind === 'A' ? RRType.A : data.kind === 'SRV' ? RRType.SRV : data.kind === 'PTR' ? RRType.PTR : RRType.SOA;
    return { name, type, class: RRClass.IN, ttl: this.ttl, data };
  }

  private soa(): ResourceRecord {
    return this.record(this.domain, {
      kind: 'SOA', mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`,
      serial: this.view().revision >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl,
    });
  }

  private answer(answers: ResourceRecord[], additionals: ResourceRecord[] = []): ClusterAnswer {
    // A name that exists but has no record of the asked type is NOERROR with no
    // answer (NODATA), never NXDOMAIN: stub resolvers ask A and AAAA together,
    // and an NXDOMAIN on AAAA would make them give up on the A answer too.
    return { rcode: RCode.NOERROR, answers, authorities: answers.length === 0 ? [this.soa()] : [], additionals };
  }
  private nodata(): ClusterAnswer { return this.answer([]); }
  private nxdomain(): ClusterAnswer { return { rcode: RCode.NXDOMAIN, answers: [], authorities: [this.soa()], additionals: [] }; }
  private nodataIf(exists: boolean): ClusterAnswer { return exists ? this.nodata() : this.nxdomain(); }

  private wants(q: Question, type: number): boolean {
    return q.type === type || q.type === RRType.ANY;
  }

  private endpoints(svc: Service): { ready: EndpointAddress[]; ports: { name?: string; port: number; protocol?: string }[] } {
    const ep = this.view().get<Endpoints>({ kind: 'Endpoints', namespace: svc.metadata.namespace ?? 'default', name: svc.metadata.name });
    const ready: EndpointAddress[] = [];
    const ports: { name?: string; port: number; protocol?: string }[] = [];
    for (const s of ep?.subsets ?? []) {
      ready.push(...(s.addresses ?? []));
      if (svc.spec?.publishNotReadyAddresses === true) ready.push(...(s.notReadyAddresses ?? []));
      for (const p of s.ports ?? []) if (!ports.some((x) => x.name === p.name && x.port === p.port)) ports.push(p);
    }
    const seen = new Set<string>();
    return { ready: ready.filter((a) => !seen.has(a.ip) && (seen.add(a.ip), true)), ports };
  }

  /** Hostname of an endpoint: its own, else the pod's hostname when its subdomain is this service. */
  private named(svc: Service, addrs: EndpointAddress[]): Named[] {
    return addrs.map((addr) => {
      if (addr.hostname) return { addr, hostname: addr.hostname.toLowerCase() };
      const ref = addr.targetRef;
      if (ref?.kind === 'Pod') {
        const pod = this.view().get<Pod>({ kind: 'Pod', namespace: ref.namespace ?? svc.metadata.namespace ?? 'default', name: ref.name });
        if (pod?.spec?.subdomain === svc.metadata.name && pod.spec.hostname) return { addr, hostname: pod.spec.hostname.toLowerCase() };
      }
      return { addr, hostname: dashed(addr.ip) };
    });
  }

  private isHeadless(svc: Service): boolean {
    return svc.spec?.clusterIP === 'None';
  }

  private serviceRecord(q: Question, svc: Service, fqdn: string): ClusterAnswer {
    if (!this.wants(q, RRType.A)) return this.nodata();
    if (!this.isHeadless(svc)) {
      const ip = svc.spec?.clusterIP;
      return this.answer(ip ? [this.record(fqdn, { kind: 'A', address: ip })] : []);
    }
    return this.answer(this.endpoints(svc).ready.map((a) => this.record(fqdn, { kind: 'A', address: a.ip })));
  }

  private hostRecord(q: Question, svc: Service, fqdn: string, host: string): ClusterAnswer {
    if (!this.isHeadless(svc)) return this.nxdomain();
    const match = this.named(svc, this.endpoints(svc).ready).filter((n) => n.hostname === host);
    if (match.length === 0) return this.nxdomain();
    if (!this.wants(q, RRType.A)) return this.nodata();
    return this.answer(match.map((n) => this.record(`${host}.${fqdn}`, { kind: 'A', address: n.addr.ip })));
  }

  private srvRecord(q: Question, svc: Service, fqdn: string, portName: string, proto: string): ClusterAnswer {
    const port = (svc.spec?.ports ?? []).find((p) => p.name?.toLowerCase() === portName && (p.protocol ?? 'TCP').toLowerCase() === proto);
    if (port === undefined) return this.nxdomain();
    if (!this.wants(q, RRType.SRV)) return this.nodata();
    const name = `_${portName}._${proto}.${fqdn}`;
    if (!this.isHeadless(svc)) {
      const extra = svc.spec?.clusterIP ? [this.record(fqdn, { kind: 'A', address: svc.spec.clusterIP })] : [];
      return this.answer([this.record(name, { kind: 'SRV', priority: 0, weight: 100, port: port.port, target: fqdn })], extra);
    }
    const eps = this.endpoints(svc);
    const epPort = eps.ports.find((p) => p.name?.toLowerCase() === portName)?.port ?? port.port;
    const named = this.named(svc, eps.ready);
    return this.answer(
      named.map((n) => this.record(name, { kind: 'SRV', priority: 0, weight: 100, port: epPort, target: `${n.hostname}.${fqdn}` })),
      named.map((n) => this.record(`${n.hostname}.${fqdn}`, { kind: 'A', address: n.addr.ip })),
    );
  }

  private podRecord(q: Question, label: string): ClusterAnswer {
    const parts = label.split('-');
    const ok = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
    if (!ok) return this.nxdomain();
    if (!this.wants(q, RRType.A)) return this.nodata();
    return this.answer([this.record(q.name, { kind: 'A', address: parts.join('.') })]);
  }

  private reverse(q: Question): ClusterAnswer | undefined {
    const parts = q.name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    const ip = parts.reverse().join('.');
    const view = this.view();
    for (const svc of view.list<Service>('Service')) {
      const fqdn = `${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.${this.domain}`;
      if (svc.spec?.clusterIP === ip) return this.answer([this.record(q.name, { kind: 'PTR', target: fqdn })]);
      if (this.isHeadless(svc)) {
        const hit = this.named(svc, this.endpoints(svc).ready).find((n) => n.addr.ip === ip);
        if (hit) return this.answer([this.record(q.name, { kind: 'PTR', target: `${hit.hostname}.${fqdn}` })]);
      }
    }
    return this.reverseCIDRs.some((c) => contains(c, ip)) ? this.nxdomain() : undefined;
  }
}
