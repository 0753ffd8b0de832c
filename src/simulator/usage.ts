/**
 * `response.done.usage` (§4.21) from the token rules of §2.6: input = instructions and retained
 * history text + audio seconds × the model's input rate + image tokens; output = reply text +
 * audio seconds × the output rate, the transcript of an audio reply billed only where the model
 * bills it (§0.2.22: qwen3.8 yes, qwen3.5 no). A function-call response reports only `text_tokens` in its
 * output details (§4.21).
 */
import { audioTokens, billedOutputTokens, textTokens, type ModelInfo, type Usage } from '../protocol/index.js';
import type { InputTokens } from './conversation.js';

/** What a response produced. */
export interface OutputAmount {
  /** Reply text, or the function calls' names and arguments. */
  text: string;
  /** ms of audio sent (0 for text-only and function-call responses). */
  audioMs: number;
  /** The response was a function call (§4.23 (c)). */
  functionCall: boolean;
  /** Web search is on (`enable_search`): `plugins.search` is reported (§4.21, §5.7). */
  search?: boolean;
}

/** The `usage` object of `response.done`. */
export function buildUsage(model: ModelInfo, input: InputTokens, output: OutputAmount): Usage {
  const outText = textTokens(output.text);
  const outAudio = output.functionCall ? 0 : audioTokens(output.audioMs / 1000, model.tokens.audioOutputPerSecond);
  const inputTotal = input.text + input.audio + input.image;
  const inputDetails: NonNullable<Usage['input_tokens_details']> = { text_tokens: input.text, audio_tokens: input.audio };
  // Image tokens are reported separately (3P, §4.21); the name is the likely one ([UNK]).
  if (input.image > 0) inputDetails.image_tokens = input.image;
  const outBilled = billedOutputTokens(model.tokens, outText, outAudio);
  const usage: Usage = {
    total_tokens: inputTotal + outBilled,
    input_tokens: inputTotal,
    output_tokens: outBilled,
    input_tokens_details: inputDetails,
    output_tokens_details: output.functionCall ? { text_tokens: outText } : { text_tokens: outText, audio_tokens: outAudio },
  };
  // The simulated model never searches, so the count is 0; the object is there as with the service.
  if (output.search) usage.plugins = { search: { count: 0, strategy: 'agent' } };
  return usage;
}
