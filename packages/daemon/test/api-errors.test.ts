import t from 'tap';
import { status as Status } from '@grpc/grpc-js';
import { ValidationError } from '@shoal/api';
import { LeaderChangedError, NoLeaderError, NotLeaderError, RaftTimeoutError } from '@shoal/raft';
import { AlreadyExistsError, CompactedError, ConflictError, InvalidError, NotFoundError } from '@shoal/state';
import { ShoalError, NotFoundError as ClientNotFound } from '@shoal/client';
import { BadRequestError, NodeUnavailableError, RefusedError, toStatus } from '../src/api/errors.js';

const key = { kind: 'Pod', namespace: 'default', name: 'p' };
const md = (e: ReturnType<typeof toStatus>, k: string) => e.metadata.get(k)[0];

t.test('each error crosses gRPC with its code, reason and details', async (t) => {
  const cases: [unknown, number, string][] = [
    [new BadRequestError('object_json', 'not valid JSON'), Status.INVALID_ARGUMENT, 'Invalid'],
    [new ValidationError([{ path: 'spec.replicas', type: 'Invalid', reason: 'must be >= 0' }]), Status.INVALID_ARGUMENT, 'Invalid'],
    [new InvalidError(key, [{ path: 'metadata.name', type: 'Required', reason: 'Required value' }]), Status.INVALID_ARGUMENT, 'Invalid'],
    [new NotFoundError(key), Status.NOT_FOUND, 'NotFound'],
    [new AlreadyExistsError(key), Status.ALREADY_EXISTS, 'AlreadyExists'],
    [new ConflictError(key, 'stale'), Status.FAILED_PRECONDITION, 'Conflict'],
    [new CompactedError(3, 10), Status.OUT_OF_RANGE, 'Compacted'],
    [new NotLeaderError('n2'), Status.UNAVAILABLE, 'NotLeader'],
    [new NoLeaderError(), Status.UNAVAILABLE, 'Unavailable'],
    [new NodeUnavailableError('not the leader', '127.0.0.2:7100'), Status.UNAVAILABLE, 'Unavailable'],
    [new RaftTimeoutError('proposal', 5000), Status.UNAVAILABLE, 'Timeout'],
    [new LeaderChangedError('n3'), Status.UNAVAILABLE, 'Timeout'],
    [new RefusedError('NotFound', 'n9 is not a member'), Status.NOT_FOUND, 'NotFound'],
    [new RefusedError('AlreadyExists', 'n2 is already a member'), Status.ALREADY_EXISTS, 'AlreadyExists'],
    [new Error('boom'), Status.INTERNAL, 'Internal'],
  ];
  for (const [err, code, reason] of cases) {
    const st = toStatus(err, () => '127.0.0.1:7100');
    t.equal(st.code, code, `${(err as Error).name}: code ${code}`);
    t.equal(md(st, 'shoal-reason'), reason, `${(err as Error).name}: reason ${reason}`);
  }
});

t.test('field paths and leader addresses travel in metadata', async (t) => {
  const v = toStatus(new ValidationError([{ path: 'spec.template.spec.containers[0].image', type: 'Required', reason: 'Required value' }]));
  t.equal(md(v, 'shoal-field'), 'spec.template.spec.containers[0].image');
  t.match(v.details, /spec\.template\.spec\.containers\[0\]\.image/);
  const b = toStatus(new BadRequestError('kind', 'unsupported kind "Foo"'));
  t.equal(md(b, 'shoal-field'), 'kind');
  const u = toStatus(new NoLeaderError(), () => '127.0.0.3:7100');
  t.equal(md(u, 'shoal-leader'), '127.0.0.3:7100', 'the leader hint comes from the node when the error has none');
  t.match(u.details, /leader: 127\.0\.0\.3:7100/);
});

t.test('an error from a relayed call keeps its status', async (t) => {
  const relayed = new ShoalError('4 DEADLINE_EXCEEDED: exec took too long', Status.DEADLINE_EXCEEDED, '127.0.0.2:7100');
  t.equal(toStatus(relayed).code, Status.DEADLINE_EXCEEDED);
  t.equal(toStatus(new ClientNotFound('pod default/x not found', Status.NOT_FOUND)).code, Status.NOT_FOUND);
});
