/**
 * The browser example: press Talk, speak, and the reply plays while its transcript streams in.
 * Served with its relay by `dashscope-realtime relay --simulator --example` (or with
 * DASHSCOPE_API_KEY set instead of --simulator, to talk to DashScope). The page holds no key: it
 * connects to the relay on its own origin, which adds the key upstream.
 *
 * Page options in the address: `?token=…` (a relay started with --token), `?model=…`.
 */
import {
  MicrophoneCapture,
  RealtimeClient,
  StreamingPlayer,
  pcm16FromBase64,
  relayWebSocketUrl,
  type CloseInfo,
} from 'dashscope-realtime/browser';

/** What the page shows, also readable by tests (`window.dsrtExample`): never audio, never a key. */
export interface ExampleState {
  status: string;
  listening: boolean;
  user: string[];
  assistant: string[];
  responsesDone: number;
  interruptions: number;
  receivedMs: number;
  playedMs: number;
  micSampleRate: number;
  errors: string[];
}

const state: ExampleState = { status: 'idle', listening: false, user: [], assistant: [], responsesDone: 0, interruptions: 0, receivedMs: 0, playedMs: 0, micSampleRate: 0, errors: [] };
(globalThis as { dsrtExample?: ExampleState }).dsrtExample = state;

const params = new URLSearchParams(location.search);
const token = params.get('token');
const model = params.get('model') ?? 'qwen3.5-omni-plus-realtime';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}
const talk = byId<HTMLButtonElement>('talk');
const statusLine = byId<HTMLParagraphElement>('status');
const transcript = byId<HTMLElement>('transcript');
const micMeter = byId<HTMLMeterElement>('mic-level');
const outMeter = byId<HTMLMeterElement>('out-level');
const volume = byId<HTMLInputElement>('volume');
const stats = byId<HTMLSpanElement>('stats');

function setStatus(text: string, error = false): void {
  state.status = text;
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
}

/** A transcript bubble per conversation item; `index` is its place in state.user / state.assistant. */
const bubbles = new Map<string, { el: HTMLElement; role: 'user' | 'assistant'; index: number }>();
function bubble(itemId: string, role: 'user' | 'assistant'): { el: HTMLElement; role: 'user' | 'assistant'; index: number } {
  let b = bubbles.get(itemId);
  if (!b) {
    const el = document.createElement('div');
    el.className = `turn ${role}`;
    el.innerHTML = `<span class="who">${role === 'user' ? 'You' : 'Assistant'}</span><span class="text"></span>`;
    transcript.append(el);
    const list = role === 'user' ? state.user : state.assistant;
    list.push('');
    b = { el, role, index: list.length - 1 };
    bubbles.set(itemId, b);
  }
  return b;
}
function setText(itemId: string, role: 'user' | 'assistant', text: string): void {
  const b = bubble(itemId, role);
  (role === 'user' ? state.user : state.assistant)[b.index] = text;
  b.el.querySelector('.text')!.textContent = text;
  b.el.scrollIntoView({ block: 'end' });
}

let client: RealtimeClient | undefined;
let mic: MicrophoneCapture | undefined;
let player: StreamingPlayer | undefined;
let playingItem: string | undefined;
let heardBefore = 0; // ms heard in earlier replies (the player counts since its last stop)
let outputRate = 24_000; // the reply's rate (§2.3), from the session once connected
let meterFrame = 0;
let userSpeaking = false;
let turnTimer: ReturnType<typeof setTimeout> | undefined;

function stopPlayback(): void {
  if (!player) return;
  const heard = player.stop();
  heardBefore += (heard / outputRate) * 1000;
  if (playingItem) {
    bubbles.get(playingItem)?.el.classList.add('interrupted');
    state.interruptions++;
  }
  playingItem = undefined;
}

/**
 * After `response.done`: the reply has arrived, but the player may hold seconds of it still to be
 * heard (the service sends audio faster than real time). Say "your turn" once it has all played.
 */
function yourTurnWhenPlayed(): void {
  clearTimeout(turnTimer);
  turnTimer = undefined;
  if (!state.listening || userSpeaking) return; // stopped, or the user is already talking
  if (player?.playing) {
    if (state.status !== 'Assistant speaking…') setStatus('Assistant speaking…');
    turnTimer = setTimeout(yourTurnWhenPlayed, 50);
    return;
  }
  if (player) state.playedMs = heardBefore + (player.playedSamples / outputRate) * 1000;
  setStatus('Your turn: speak again, or press Stop.');
}

function wire(c: RealtimeClient): void {
  c.on('input_audio_buffer.speech_started', (e) => {
    // Barge-in (protocol.md §5.3): the client stops its own playback.
    userSpeaking = true;
    clearTimeout(turnTimer);
    if (player?.playing) stopPlayback();
    bubble(e.item_id, 'user');
    setStatus('Listening…');
  });
  c.on('input_audio_buffer.speech_stopped', () => {
    userSpeaking = false;
    setStatus('Thinking…');
  });
  c.on('conversation.item.input_audio_transcription.completed', (e) => setText(e.item_id, 'user', e.transcript));
  c.on('response.audio_transcript.delta', (e) => {
    const b = bubble(e.item_id, 'assistant');
    setText(e.item_id, 'assistant', (state.assistant[b.index] ?? '') + e.delta);
  });
  c.on('response.text.delta', (e) => {
    const b = bubble(e.item_id, 'assistant');
    setText(e.item_id, 'assistant', (state.assistant[b.index] ?? '') + e.delta);
  });
  c.on('response.audio.delta', (e) => {
    const pcm = pcm16FromBase64(e.delta);
    state.receivedMs += (pcm.length / c.outputSampleRate) * 1000;
    playingItem = e.item_id;
    player?.write(pcm, c.outputSampleRate);
  });
  c.on('response.audio.done', () => player?.end());
  c.on('response.done', () => {
    state.responsesDone++;
    yourTurnWhenPlayed();
  });
  c.on('error', (e) => {
    state.errors.push(`${e.error.code || e.error.type}: ${e.error.message}`);
    setStatus(`Error: ${e.error.message}`, true);
  });
  c.on('close', (info: CloseInfo) => {
    if (info.error) {
      state.errors.push(info.error.message);
      setStatus(`Disconnected: ${info.reason || info.error.message}`, true);
    }
    void stop();
  });
}

function meters(): void {
  micMeter.value = Math.min(1, (mic?.level ?? 0) * 4);
  outMeter.value = Math.min(1, (player?.level ?? 0) * 4);
  state.playedMs = heardBefore + (player ? (player.playedSamples / outputRate) * 1000 : 0);
  stats.textContent = state.micSampleRate
    ? `Microphone ${state.micSampleRate} Hz → 16 kHz · reply received ${(state.receivedMs / 1000).toFixed(1)} s, played ${(state.playedMs / 1000).toFixed(1)} s`
    : '';
  meterFrame = requestAnimationFrame(meters);
}

async function start(): Promise<void> {
  talk.disabled = true;
  setStatus('Connecting…');
  try {
    // Both audio objects are made inside the click, so the browser lets them play.
    player = await StreamingPlayer.create({ volume: Number(volume.value) });
    const c = new RealtimeClient({ url: relayWebSocketUrl({ query: token ? { token } : {} }), model });
    client = c;
    wire(c);
    await c.connect();
    await c.updateSession({ modalities: ['text', 'audio'], turn_detection: { type: 'server_vad', silence_duration_ms: 600 } });
    outputRate = c.outputSampleRate;
    mic = await MicrophoneCapture.start({
      sampleRate: c.inputSampleRate,
      chunkMs: 100,
      onChunk: (pcm) => {
        if (c.isConnected) c.appendAudio(pcm).catch(() => {});
      },
    });
    state.micSampleRate = mic.deviceSampleRate;
    state.listening = true;
    talk.textContent = 'Stop';
    talk.setAttribute('aria-pressed', 'true');
    setStatus('Listening… speak now.');
    meterFrame = requestAnimationFrame(meters);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    state.errors.push(message);
    setStatus(`Could not start: ${message}`, true);
    await stop();
  } finally {
    talk.disabled = false;
  }
}

async function stop(): Promise<void> {
  const [m, c, p] = [mic, client, player];
  mic = undefined;
  client = undefined;
  state.listening = false;
  userSpeaking = false;
  clearTimeout(turnTimer);
  talk.textContent = 'Talk';
  talk.setAttribute('aria-pressed', 'false');
  await m?.stop();
  if (c && c.state !== 'closed') await c.close();
  if (p) {
    state.playedMs = heardBefore + (p.playedSamples / outputRate) * 1000;
    await p.close();
    player = undefined;
  }
  cancelAnimationFrame(meterFrame);
  micMeter.value = 0;
  outMeter.value = 0;
}

talk.addEventListener('click', () => {
  if (state.listening) void stop().then(() => setStatus('Stopped. Press Talk to start again.'));
  else void start();
});
volume.addEventListener('input', () => {
  if (player) player.volume = Number(volume.value);
});
