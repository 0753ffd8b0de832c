/**
 * The embedded simulator as its own process, for the scale, memory and capacity benchmarks.
 *
 * Its responder answers every turn with one long spoken reply (`--reply-seconds`, default 120 s
 * of the formant synthesizer's speech at 24 kHz, made once at start-up and shared by every
 * session), so that a session that asks once receives audio at real time for the whole
 * measurement. Arguments: `--speed` (default 1), `--reply-seconds`.
 */
import { REPLY_TEXT } from '../lib/replyStream.js';
import { toParent, workerArgs } from '../lib/proc.js';
import { serveStats } from '../lib/serverStats.js';
import { speechDurationMs, startSimulator, synthesizeSpeech } from '../../src/simulator/index.js';

const args = workerArgs();
const speed = Number(args.speed ?? '1');
const replySeconds = Number(args['reply-seconds'] ?? '120');

let text = REPLY_TEXT;
while (speechDurationMs(text) < replySeconds * 1000) text += ` ${REPLY_TEXT}`;
const audio = synthesizeSpeech(text, 24_000);

const sim = await startSimulator({ speed, responder: () => ({ text, audio }) });
serveStats(() => sim.connections.length);
toParent({ type: 'ready', url: sim.url, replyMs: (audio.length * 1000) / 24_000 });
