/**
 * WebRTC in headless Chromium, through the relay's signalling (issue 15.8). The simulator has no
 * WebRTC, so the service is a second page of the same browser: the relay forwards the SDP offer
 * (with the key) to a small HTTP stand-in, which hands it to that page; the page answers with a
 * real RTCPeerConnection (a tone as the reply track), opens the `"txt"` DataChannel as DashScope
 * does (§6.2) and answers events from a short script. Real WebRTC media and SCTP, loopback only.
 *
 * Checked: a `RealtimeSession` on `WebRTCTransport` configures the session (tools included), runs
 * a tool turn and a reply with its transcript and history, and a server barge-in ends the next
 * turn as interrupted; audio as events is refused (it travels on the track); `connectWebRTC`
 * still works alone. No page receives the key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startRelay, type RunningRelay } from '../../src/relay/index.js';
import { harnessScript, launchChromium } from './browserHarness.js';
import { skipWithoutChromium } from './chromiumPath.js';
import { microphoneWav } from './fakeMicrophone.js';

const KEY = 'sk-webrtc-test-key-7c2e51a9';
const HARD_TIMEOUT_MS = 120_000;
const STEP_MS = 20_000;

type Dsrt = typeof import('../../src/browser/index.js');

/**
 * The service page: answers `offer` with a real peer connection and scripts the `"txt"` channel.
 * Runs in the page (no closure over test variables). Each `response.create` plays the next reply.
 */
async function serve(sdp: string): Promise<string> {
  const w = globalThis as unknown as { received: Array<Record<string, unknown>>; gotTrack: boolean; pc: RTCPeerConnection };
  w.received = [];
  w.gotTrack = false;
  const pc = new RTCPeerConnection({ iceServers: [] });
  w.pc = pc;
  pc.ontrack = () => (w.gotTrack = true);
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  await pc.setRemoteDescription({ type: 'offer', sdp });
  for (const track of out.stream.getAudioTracks()) pc.addTrack(track, out.stream);
  const txt = pc.createDataChannel('txt'); // the server opens "txt" (§6.2)
  let n = 0;
  const send = (event: Record<string, unknown>) => txt.send(JSON.stringify({ event_id: `event_s${++n}`, ...event }));
  let session: Record<string, unknown> = { id: 'sess_rtc', object: 'realtime.session', model: 'qwen3.5-omni-plus-realtime', modalities: ['text', 'audio'], voice: 'Tina', turn_detection: { type: 'server_vad' }, tools: [] };
  const part = (id: string, r: string) => ({ response_id: r, item_id: id, output_index: 0, content_index: 0 });
  const created = (r: string) => ({ type: 'response.created', response: { id: r, object: 'realtime.response', status: 'in_progress', output: [] } });
  const done = (r: string, status: string) => ({ type: 'response.done', response: { id: r, object: 'realtime.response', status, output: [], usage: { total_tokens: 10, input_tokens: 6, output_tokens: 4 } } });
  const message = (id: string, r: string, status: string) => ({ response_id: r, output_index: 0, item: { id, object: 'realtime.item', type: 'message', status, role: 'assistant', content: [] } });
  const replies: Array<() => void> = [
    () => {
      send(created('resp_f'));
      const call = { id: 'item_f', type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Hangzhou"}' };
      send({ type: 'response.output_item.added', response_id: 'resp_f', output_index: 0, item: { ...call, status: 'in_progress', arguments: '' } });
      send({ type: 'response.function_call_arguments.done', response_id: 'resp_f', item_id: 'item_f', output_index: 0, call_id: 'call_1', name: 'get_weather', arguments: call.arguments });
      send({ type: 'response.output_item.done', response_id: 'resp_f', output_index: 0, item: { ...call, status: 'completed' } });
      send(done('resp_f', 'completed'));
    },
    () => {
      send(created('resp_1'));
      send({ type: 'response.output_item.added', ...message('item_a1', 'resp_1', 'in_progress') });
      send({ type: 'response.audio_transcript.delta', ...part('item_a1', 'resp_1'), delta: 'Sunny ' });
      send({ type: 'response.audio_transcript.delta', ...part('item_a1', 'resp_1'), delta: 'today.' });
      send({ type: 'response.audio_transcript.done', ...part('item_a1', 'resp_1'), transcript: 'Sunny today.' });
      send({ type: 'response.output_item.done', ...message('item_a1', 'resp_1', 'completed') });
      send(done('resp_1', 'completed'));
    },
    () => {
      // The user talks over this reply: VAD stops it (§5.3); the cut reply ends cancelled.
      send(created('resp_2'));
      send({ type: 'response.output_item.added', ...message('item_a2', 'resp_2', 'in_progress') });
      send({ type: 'response.audio_transcript.delta', ...part('item_a2', 'resp_2'), delta: 'Well, tomorrow ' });
      setTimeout(() => {
        send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1200, item_id: 'item_u9' });
        send({ type: 'response.output_item.done', ...message('item_a2', 'resp_2', 'incomplete') });
        send(done('resp_2', 'cancelled'));
      }, 200);
    },
  ];
  txt.onopen = () => send({ type: 'session.created', session });
  txt.onmessage = (m) => {
    const event = JSON.parse(String(m.data)) as Record<string, unknown> & { type: string; item?: Record<string, unknown>; session?: Record<string, unknown> };
    w.received.push(event);
    if (event.type === 'session.update') {
      session = { ...session, ...event.session };
      send({ type: 'session.updated', session });
    } else if (event.type === 'conversation.item.create') {
      send({ type: 'conversation.item.created', previous_item_id: null, item: { id: `item_c${n}`, ...event.item, status: 'completed' } });
    } else if (event.type === 'response.create') replies.shift()?.();
    else if (event.type === 'session.finish') send({ type: 'session.finished' });
  };
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 3000);
  });
  return pc.localDescription!.sdp;
}

test('WebRTC in headless Chromium through the relay', { timeout: HARD_TIMEOUT_MS, skip: skipWithoutChromium() }, async (t: TestContext) => {
  const dir = mkdtempSync(join(tmpdir(), 'dsrt-webrtc-'));
  const script = await harnessScript();
  let answerer: ((offer: string) => Promise<string>) | undefined;
  const sdpStandIn: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${KEY}` || !answerer) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":"InvalidApiKey","message":"no"}');
        return;
      }
      answerer(body).then(
        (answer) => res.writeHead(200, { 'Content-Type': 'application/sdp' }).end(answer),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((r) => sdpStandIn.listen(0, '127.0.0.1', r));
  const relay: RunningRelay = await startRelay({
    url: 'ws://127.0.0.1:9/api-ws/v1/realtime', // WebSocket upstream unused here
    apiKey: KEY,
    env: {},
    webrtc: { url: `http://127.0.0.1:${(sdpStandIn.address() as AddressInfo).port}/api/v1/webrtc/realtime` },
  });
  let context: BrowserContext | undefined;
  const received: string[] = [];
  const pageErrors: string[] = [];
  const page = async (): Promise<Page> => {
    const p = await context!.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.on('response', (r) => void r.text().then((body) => received.push(body), () => {}));
    await p.route(`${relay.url}/harness.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>harness</title><body></body>' }));
    await p.goto(`${relay.url}/harness.html`);
    await p.addScriptTag({ content: script });
    return p;
  };
  const newService = async (): Promise<Page> => {
    const service = await page();
    answerer = (offer) => service.evaluate(serve, offer);
    return service;
  };
  const serviceReceived = (service: Page) =>
    service.evaluate(() => {
      const w = globalThis as unknown as { received: Array<Record<string, unknown>>; gotTrack: boolean };
      return { received: w.received, gotTrack: w.gotTrack };
    });
  try {
    context = await launchChromium(join(dir, 'profile'), microphoneWav(dir), STEP_MS);

    await t.test('a RealtimeSession on WebRTCTransport: configuration with tools, a tool turn, a reply, history, and a barge-in', async () => {
      const service = await newService();
      const client = await page();
      const result = await client.evaluate(async () => {
        const { RealtimeSession, WebRTCTransport, tool } = (globalThis as unknown as { dsrt: Dsrt }).dsrt;
        let transport: InstanceType<typeof WebRTCTransport> | undefined;
        const session = new RealtimeSession({
          transport: () => (transport = new WebRTCTransport({ signalingUrl: '/api/v1/webrtc/realtime', timeoutMs: 10_000 })),
          session: { voice: 'Tina', instructions: 'Be brief.', turn_detection: { type: 'server_vad' } },
          tools: [tool({ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, execute: (args: { city: string }) => ({ city: args.city, sky: 'sunny' }) })],
        });
        const interrupted: unknown[] = [];
        session.on('interrupted', (e) => interrupted.push(e));
        await session.connect();
        const first = await session.ask('Weather in Hangzhou?').done;
        const second = await session.ask('And tomorrow?').done;
        let audioRefused = '';
        try {
          await session.appendAudio(new Int16Array(1600));
        } catch (error) {
          audioRefused = `${(error as Error).name}: ${(error as Error).message}`;
        }
        const deadline = performance.now() + 10_000;
        while (!transport?.remoteStream && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const hasRemote = Boolean(transport?.remoteStream?.getAudioTracks().length);
        await session.close();
        return {
          first: { status: first.status, transcript: first.transcript, tool: first.toolCalls[0]?.status, output: first.toolCalls[0]?.output, responses: first.responseIds },
          second: { status: second.status, transcript: second.transcript },
          interrupted,
          history: session.history.items.map((i) => `${i.type}:${i.status}`),
          audioRefused,
          hasRemote,
          state: session.state,
          micLive: transport?.localStream?.getTracks().filter((track) => track.readyState === 'live').length,
        };
      });
      assert.deepEqual(result.first, { status: 'completed', transcript: 'Sunny today.', tool: 'ok', output: '{"city":"Hangzhou","sky":"sunny"}', responses: ['resp_f', 'resp_1'] });
      assert.equal(result.second.status, 'interrupted', 'the barge-in ended the second turn');
      assert.equal(result.second.transcript, 'Well, tomorrow ');
      assert.equal(result.interrupted.length, 1, 'one interrupted event for the one cut');
      const cut = result.interrupted[0] as { itemId?: string; heardMs: number; heardText: string };
      assert.equal(cut.itemId, 'item_a2', 'the item playing on the media track, from the transport');
      assert.ok(cut.heardMs > 0, `heard from the track's position (${cut.heardMs} ms)`);
      assert.equal(cut.heardText, 'Well, tomorrow', 'still streaming when cut: all of it was heard');
      assert.deepEqual(result.history, ['user:completed', 'function_call:completed', 'function_call_output:completed', 'assistant:completed', 'user:completed', 'assistant:interrupted']);
      assert.match(result.audioRefused, /^ValidationError: .*microphone track/);
      assert.equal(result.hasRemote, true, 'the reply track arrived');
      assert.equal(result.state, 'closed');
      assert.equal(result.micLive, 0, 'close() released the microphone');
      const seen = await serviceReceived(service);
      assert.equal(seen.gotTrack, true, 'the microphone track reached the service side');
      const types = seen.received.map((e) => e.type);
      assert.deepEqual(types, ['session.update', 'conversation.item.create', 'response.create', 'conversation.item.create', 'response.create', 'conversation.item.create', 'response.create', 'session.finish']);
      const update = seen.received[0] as { session: { voice?: string; tools?: Array<{ function?: { name?: string } }> } };
      assert.equal(update.session.voice, 'Tina');
      assert.equal(update.session.tools?.[0]?.function?.name, 'get_weather', 'the tools were declared over "txt"');
      await client.close();
      await service.close();
    });

    await t.test('connectWebRTC alone: session.update answered, Manual mode refused, close releases the microphone', async () => {
      const service = await newService();
      const client = await page();
      const result = await client.evaluate(async () => {
        const { connectWebRTC } = (globalThis as unknown as { dsrt: Dsrt }).dsrt;
        const rtc = await connectWebRTC({ signalingUrl: '/api/v1/webrtc/realtime', session: { voice: 'Tina', turn_detection: { type: 'server_vad' } }, timeoutMs: 10_000 });
        let manual = '';
        try {
          await rtc.updateSession({ turn_detection: null });
        } catch (error) {
          manual = (error as Error).name;
        }
        const voice = rtc.session?.voice;
        const closed = new Promise<{ code: number; error?: unknown }>((resolve) => rtc.once('close', resolve));
        await rtc.close();
        const info = await closed;
        return { voice, manual, state: rtc.state, closeCode: info.code, closeError: info.error !== undefined, micLive: rtc.localStream?.getTracks().filter((track) => track.readyState === 'live').length };
      });
      assert.deepEqual(result, { voice: 'Tina', manual: 'ValidationError', state: 'closed', closeCode: 1000, closeError: false, micLive: 0 });
      await client.close();
      await service.close();
    });

    await t.test('no page received the key, and no page threw', () => {
      assert.ok(received.length > 0);
      for (const text of received) assert.ok(!text.includes(KEY), 'the API key reached a page');
      assert.deepEqual(pageErrors, []);
    });
  } finally {
    await context?.close().catch(() => {});
    await relay.close();
    sdpStandIn.closeAllConnections();
    await new Promise<void>((r) => sdpStandIn.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
