// IptablesNetfilter against the real iptables: the same compliance suite the
// in-memory twin passes, on chains named for this test process only.
import t from 'tap';
import { IptablesNetfilter } from '@shoal/network';
import { netfilterCompliance } from '../../packages/network/test/plumbing/netfilter-compliance.js';

t.test('IptablesNetfilter passes the Netfilter compliance suite', (t) => netfilterCompliance(t, new IptablesNetfilter(), `SHOAL-T${process.pid}-`));
