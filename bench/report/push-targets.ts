/** The Web Push target of #16, from the push measurement of a run (its rounds: one push message each). */
import type { RawResults } from './raw';
import { fmt, type TargetRow } from './targets';

const MIN_PUSHES_PER_SEC = 1_000;
const MAX_ACK_P99_RATIO = 1.5;

export function pushTargets(raw: RawResults): TargetRow[] {
  if (!raw.plan?.scenarios.includes('push') || !raw.plan.kinds.includes('ours')) return [];
  const push = raw.push;
  const members = push ? push.members.toLocaleString('en-US') : '10,000';
  if (!push)
    return [
      {
        target: `Pushes for one message to ${members} offline members ≥ ${fmt(MIN_PUSHES_PER_SEC)}/s`,
        value: 'failed (see the errors)',
        runs: '',
        pass: false,
      },
    ];
  const complete = push.pushes === push.members && push.faults === 0 && !push.error;
  const rate = push.pushesPerSec;
  const before = push.ackWithout.p99;
  const during = push.ackWith.p99;
  const ratio = before !== null && during !== null && before > 0 ? during / before : null;
  const rounds = push.rounds?.length ?? 1;
  const roundsText = rounds === 1 ? '1 run' : `1 run, ${rounds} rounds`;
  const rates = push.rounds && rounds > 1 ? `; rounds ${push.rounds.map((round) => `${fmt(round.pushesPerSec)}/s`).join(', ')}` : '';
  const runs = `${roundsText}, ${push.ackWithout.samples} + ${push.ackWith.samples} acks`;
  return [
    {
      target: `Pushes for one message to ${members} offline members ≥ ${fmt(MIN_PUSHES_PER_SEC)}/s (all delivered, none refused)`,
      value:
        `${fmt(rate)}/s (${rounds > 1 ? 'the median round: ' : ''}${fmt(push.pushes)} in ${fmt((push.lastPushMs ?? 0) / 1000, 1)} s` +
        `${push.serverCpuMsPerPush === null || push.serverCpuMsPerPush === undefined ? '' : `, server CPU ${fmt(push.serverCpuMsPerPush, 2)} ms per push`}${push.faults ? `, ${push.faults} refused` : ''}${push.duplicates ? `, ${push.duplicates} repeats` : ''}${rates}${push.error ? `; ${push.error}` : ''})`,
      runs: roundsText,
      pass: complete && rate !== null && rate >= MIN_PUSHES_PER_SEC,
    },
    {
      target: `Other senders' ack p99 during that fan-out ≤ ${MAX_ACK_P99_RATIO}× without it`,
      value: `${ratio === null ? '—' : `${ratio.toFixed(2)}×`} (${fmt(during, 1)} vs ${fmt(before, 1)} ms at ${fmt(push.sendRate)} msg/s${push.ackErrors ? `, ${push.ackErrors} ack errors` : ''})`,
      runs,
      pass: ratio !== null && ratio <= MAX_ACK_P99_RATIO && push.ackErrors === 0,
    },
  ];
}
