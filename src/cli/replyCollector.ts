/**
 * The model's side of `chat`: streams the reply's text to the terminal, gathers its audio, runs
 * tools through `--tool-exec` and asks for the continuation (protocol.md §4.23c, §8.7), and
 * measures each turn.
 */
import { decodeBase64 } from '../audio/base64.js';
import { pcm16FromBytes } from '../audio/pcm.js';
import type { RealtimeClient } from '../client/realtimeClient.js';
import { ServerError, TimeoutError } from '../errors.js';
import type { ResponseFunctionCallArgumentsDoneEvent } from '../protocol/serverEvents.js';
import type { Terminal, TurnSummary } from './terminal.js';
import { runToolCommand } from './toolExec.js';

interface OpenTurn {
  summary: TurnSummary;
  inputEnd: number;
  text: string;
  calls: ResponseFunctionCallArgumentsDoneEvent[];
  resolve(summary: TurnSummary): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Collects replies turn by turn. */
export class ReplyCollector {
  readonly #audio: Int16Array[] = [];
  readonly #transcripts: string[] = [];
  #turn: OpenTurn | undefined;

  constructor(
    private readonly client: RealtimeClient,
    private readonly term: Terminal,
    private readonly toolExec: string | undefined,
  ) {
    client.on('response.audio_transcript.delta', (e) => this.#text(e.delta));
    client.on('response.text.delta', (e) => this.#text(e.delta));
    client.on('response.audio.delta', (e) => {
      const bytes = decodeBase64(e.delta);
      this.#audio.push(pcm16FromBytes(bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1)));
      const turn = this.#turn;
      if (turn && turn.summary.firstAudioMs === undefined) turn.summary.firstAudioMs = performance.now() - turn.inputEnd;
      if (turn) turn.summary.replySeconds += bytes.length / 2 / client.outputSampleRate;
    });
    client.on('response.function_call_arguments.done', (e) => this.#turn?.calls.push(e));
    client.on('response.done', (e) => {
      const turn = this.#turn;
      if (!turn) return;
      if (e.response.usage) turn.summary.usage.push(e.response.usage);
      if (turn.calls.length > 0) void this.#runTools(turn);
      else if (e.response.status !== 'in_progress') this.#finish(turn);
    });
    client.on('error', (e) => {
      const turn = this.#turn;
      if (turn && e.error.type === 'server_error') this.#fail(turn, new ServerError(e.error, e.event_id));
      else this.term.info(`server error: ${e.error.message}${e.error.param ? ` (${e.error.param})` : ''}`);
    });
    client.on('close', (info) => {
      if (this.#turn && info.error) this.#fail(this.#turn, info.error);
    });
  }

  /** Opens the next turn; resolves with its summary once its reply is complete. */
  nextTurn(timeoutMs: number, signal: AbortSignal): Promise<TurnSummary> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#turn && this.#fail(this.#turn, new TimeoutError('waiting for the reply', timeoutMs)), timeoutMs);
      this.#turn = { summary: { replySeconds: 0, usage: [] }, inputEnd: performance.now(), text: '', calls: [], resolve, reject, timer };
      signal.addEventListener('abort', () => this.#turn && this.#fail(this.#turn, new Error('interrupted')), { once: true });
    });
  }

  /** Marks the end of the user's input: latencies are measured from here. */
  markInputEnd(): void {
    if (this.#turn) this.#turn.inputEnd = performance.now();
  }

  /** All reply audio so far, as one PCM16 buffer at the output rate. */
  audio(): Int16Array {
    const out = new Int16Array(this.#audio.reduce((n, a) => n + a.length, 0));
    let offset = 0;
    for (const chunk of this.#audio) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  /** The text of each completed turn's reply. */
  transcripts(): string[] {
    return [...this.#transcripts];
  }

  #text(delta: string): void {
    const turn = this.#turn;
    if (!turn) return;
    if (turn.summary.firstTextMs === undefined) turn.summary.firstTextMs = performance.now() - turn.inputEnd;
    turn.text += delta;
    this.term.text(delta);
  }

  async #runTools(turn: OpenTurn): Promise<void> {
    const calls = turn.calls.splice(0);
    try {
      for (const call of calls) {
        let args: unknown = call.arguments;
        try {
          args = JSON.parse(call.arguments.trim());
        } catch {
          // Hand the raw string to the tool when it is not JSON.
        }
        this.term.info(`tool call: ${call.name}(${call.arguments.trim()})`);
        const output = this.toolExec
          ? await runToolCommand(this.toolExec, { name: call.name, arguments: args, call_id: call.call_id })
          : JSON.stringify({ error: `no --tool-exec given to run ${call.name}` });
        this.client.sendFunctionCallOutput(call.call_id, output || '""');
      }
      this.client.createResponse();
    } catch (error) {
      this.#fail(turn, error instanceof Error ? error : new Error(String(error)));
    }
  }

  #finish(turn: OpenTurn): void {
    clearTimeout(turn.timer);
    this.#transcripts.push(turn.text);
    this.#turn = undefined;
    turn.resolve(turn.summary);
  }

  #fail(turn: OpenTurn, error: Error): void {
    clearTimeout(turn.timer);
    if (this.#turn === turn) this.#turn = undefined;
    turn.reject(error);
  }
}
