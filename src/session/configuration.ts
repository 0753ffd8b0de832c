/**
 * The session's configuration: what `session.update` sends after every connect (§3.1, §5.1) and
 * what `updateSession()` changes. A change is kept only once the service accepted it, and from
 * then on every reconnect and rollover replays it: a reconnect that does not replay the
 * configuration silently loses instructions, voice and tools.
 */
import { ValidationError } from '../errors.js';
import type { ModelInfo } from '../protocol/models.js';
import type { SessionConfig } from '../protocol/session.js';
import type { SessionUpdate } from './sessionOptions.js';
import type { Tool } from './tools.js';

/** A configuration ready to send, and what it becomes once accepted. */
export interface PreparedUpdate {
  config: SessionConfig;
  tools: ReadonlyMap<string, Tool>;
  /** The whole configuration as sent: `tools: []` clears tools the update removed. */
  wire: SessionConfig;
}

/** The configuration of one session. */
export class SessionConfiguration {
  #config: SessionConfig;
  #tools: ReadonlyMap<string, Tool>;

  /** Throws a {@link ValidationError} for tools that are not `tool()`s or that the model cannot take. */
  constructor(
    config: SessionConfig | undefined,
    tools: unknown,
    private readonly model: { name: string; info: ModelInfo | undefined; validate: boolean },
  ) {
    this.#config = { ...(config ?? {}) };
    this.#tools = this.#checked(tools ?? [], this.#config);
  }

  /** The declared tools, by name. */
  get tools(): ReadonlyMap<string, Tool> {
    return this.#tools;
  }

  /** The configuration sent after every connect. */
  get wire(): SessionConfig {
    return withTools(this.#config, this.#tools, false);
  }

  /** What `update` would make of the configuration; throws a {@link ValidationError} for a bad update. */
  prepare(update: SessionUpdate): PreparedUpdate {
    if (typeof update !== 'object' || update === null || Array.isArray(update)) throw new ValidationError('updateSession: pass an object of session fields (and tools).', 'updateSession(update)');
    const { tools, ...fields } = update;
    const config: SessionConfig = { ...this.#config, ...fields };
    const toolMap = tools === undefined ? this.#tools : this.#checked(tools, config);
    if (tools === undefined) this.#checkCombination(toolMap, config);
    return { config, tools: toolMap, wire: withTools(config, toolMap, tools !== undefined) };
  }

  /** The service accepted `prepared`: from now on it is replayed. */
  commit(prepared: PreparedUpdate): void {
    this.#config = prepared.config;
    this.#tools = prepared.tools;
  }

  #checked(tools: unknown, config: SessionConfig): ReadonlyMap<string, Tool> {
    if (!Array.isArray(tools)) throw new ValidationError('tools must be an array of tool({ … }).', 'tools');
    const map = new Map<string, Tool>();
    for (const t of tools as unknown[]) {
      const candidate = t as Partial<Tool> | null;
      if (typeof candidate !== 'object' || candidate === null || typeof candidate.execute !== 'function' || typeof candidate.declaration !== 'object' || typeof candidate.name !== 'string') {
        throw new ValidationError('tools: pass tools made with tool({ name, parameters, execute }).', 'tools');
      }
      map.set(candidate.name, candidate as Tool);
    }
    this.#checkCombination(map, config);
    return map;
  }

  #checkCombination(tools: ReadonlyMap<string, Tool>, config: SessionConfig): void {
    if (tools.size === 0) return;
    if (this.model.info && !this.model.info.tools && this.model.validate) {
      throw new ValidationError(`${this.model.name} does not support function calling; remove the tools or use a qwen3.5 / qwen3.8 model.`, 'tools', undefined, 'unsupported_feature');
    }
    // §5.7: the two are mutually exclusive.
    if (config.enable_search) throw new ValidationError('tools and enable_search cannot be used together: declare tools or enable web search, not both.', 'tools');
  }
}

function withTools(config: SessionConfig, tools: ReadonlyMap<string, Tool>, clear: boolean): SessionConfig {
  const wire: SessionConfig = { ...config };
  if (tools.size > 0 || clear) wire.tools = [...tools.values()].map((t) => t.declaration);
  return wire;
}
