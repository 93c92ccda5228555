// Loaded by tap into every test process (see .taprc): property tests run from
// one fixed seed, so a tier passes or fails the same way on every run of the
// same commit. FC_SEED=<n> replays another seed; FC_SEED=random explores new
// inputs and prints the seed of any failure (run it after touching a property).
import fc from 'fast-check';

const raw = process.env.FC_SEED ?? '1517';
if (raw !== 'random') {
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED: expected an integer or "random", got ${JSON.stringify(raw)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
