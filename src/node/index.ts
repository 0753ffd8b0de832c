/**
 * `dashscope-realtime/node`: local audio for Node. A {@link Microphone} (PCM16 chunks from a
 * recorder program) and a {@link Speaker} (a session `PlaybackAdapter` over a player program),
 * using sox (`rec`/`play`), ALSA (`arecord`/`aplay`) or ffmpeg, whichever is installed, or
 * commands of your own. Failures are {@link AudioDeviceError}s naming the command, its exit
 * status and its last stderr line, or what to install.
 */
export { Microphone, type MicrophoneOptions } from './microphone.js';
export { Speaker, type SpeakerOptions } from './speaker.js';
export { AudioDeviceError, type AudioDeviceErrorCode } from './audioDeviceError.js';
export { recorderCommand, playerCommand, type AudioCommand } from './audioPrograms.js';
