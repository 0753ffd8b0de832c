/**
 * Where the CLI connects: DashScope when a key is set, otherwise (or with `--simulator`) the
 * embedded simulator, started in-process and announced on stderr.
 */
import type { RealtimeClientOptions } from '../client/options.js';
import type { Region } from '../protocol/endpoints.js';
import { startSimulator } from '../simulator/index.js';

/** Flags that choose the target. */
export interface TargetFlags {
  model: string;
  region?: string;
  workspace?: string;
  url?: string;
  simulator: boolean;
  /** Simulator speed: 1 real time, 0 as fast as possible. */
  simulatorSpeed: number;
}

/** An opened target: client options plus what to close afterwards. */
export interface Target {
  options: RealtimeClientOptions;
  simulated: boolean;
  close(): Promise<void>;
}

/** Chooses and, for the simulator, starts the target. */
export async function openTarget(flags: TargetFlags, env: Record<string, string | undefined>, log: (line: string) => void): Promise<Target> {
  const useSimulator = flags.simulator || (!env.DASHSCOPE_API_KEY && !flags.url && !env.DASHSCOPE_REALTIME_URL);
  if (useSimulator) {
    const sim = await startSimulator({ speed: flags.simulatorSpeed });
    log(`${flags.simulator ? 'Using' : 'No DASHSCOPE_API_KEY set: using'} the embedded simulator at ${sim.url} (replies are synthetic; set DASHSCOPE_API_KEY to talk to DashScope).`);
    return {
      options: { model: flags.model, url: sim.url, apiKey: 'simulator', env: {} },
      simulated: true,
      close: () => sim.close(),
    };
  }
  const options: RealtimeClientOptions = { model: flags.model, env };
  if (flags.region !== undefined) options.region = flags.region as Region;
  if (flags.workspace !== undefined) options.workspaceId = flags.workspace;
  if (flags.url !== undefined) options.url = flags.url;
  return { options, simulated: false, close: async () => {} };
}
