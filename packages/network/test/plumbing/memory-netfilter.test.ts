import t from 'tap';
import { MemoryNetfilter } from '../../src/plumbing/netfilter.js';
import { netfilterCompliance } from './netfilter-compliance.js';

t.test('MemoryNetfilter passes the Netfilter compliance suite', (t) => netfilterCompliance(t, new MemoryNetfilter(), 'SHOAL-T-'));
