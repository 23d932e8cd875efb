// Which broker a command talks to, first match wins (DESIGN.md §6):
//   1. --broker/-b host:port | unix:/path
//   2. the LOGCTL_BROKER environment variable
//   3. the profile named by --profile, else the profile "default", in $XDG_CONFIG_HOME/logctl/config.yaml
//      (~/.config/logctl/config.yaml):
//        profiles:
//          default: { broker: 127.0.0.1:9092 }
//          prod:    { broker: kafka-1.example.com:9092 }
//      A --profile that does not exist is a usage error; a missing "default" is simply skipped.
//   4. the local broker's Unix socket $XDG_DATA_HOME/logctl/logctl.sock (~/.local/share/logctl) if it exists
//   5. 127.0.0.1:9092
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError, errorMessage } from '../common/index.js';

export type BrokerAddressSource = 'flag' | 'env' | 'profile' | 'socket' | 'default';

export interface BrokerAddressInput {
  flag?: string | undefined;
  profile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Injected for tests; defaults to fs.existsSync. */
  exists?: (path: string) => boolean;
}

export const DEFAULT_BROKER = '127.0.0.1:9092';

export function configHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
}

export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configHome(env), 'logctl', 'config.yaml');
}

/** The socket a locally started `logctl broker start` listens on by default. */
export function localSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'logctl', 'logctl.sock');
}

export function resolveBrokerAddress(input: BrokerAddressInput = {}): { address: string; source: BrokerAddressSource } {
  const env = input.env ?? process.env;
  const exists = input.exists ?? existsSync;
  if (input.flag) return { address: input.flag, source: 'flag' };
  if (env.LOGCTL_BROKER) return { address: env.LOGCTL_BROKER, source: 'env' };
  const fromProfile = profileBroker(configFilePath(env), input.profile, exists);
  if (fromProfile) return { address: fromProfile, source: 'profile' };
  const socket = localSocketPath(env);
  if (exists(socket)) return { address: `unix:${socket}`, source: 'socket' };
  return { address: DEFAULT_BROKER, source: 'default' };
}

function profileBroker(file: string, requested: string | undefined, exists: (path: string) => boolean): string | undefined {
  if (!exists(file)) {
    if (requested) throw new UsageError(`profile '${requested}' not found: ${file} does not exist`);
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err: unknown) {
    throw new UsageError(`cannot read ${file}: ${errorMessage(err)}`);
  }
  const name = requested ?? 'default';
  const profiles = isObject(doc) ? doc.profiles : undefined;
  const profile = isObject(profiles) ? profiles[name] : undefined;
  if (profile === undefined) {
    if (requested) throw new UsageError(`profile '${requested}' not found in ${file}`);
    return undefined;
  }
  const broker = isObject(profile) ? profile.broker : undefined;
  if (typeof broker !== 'string' || broker === '') {
    throw new UsageError(`profile '${name}' in ${file} has no "broker" (host:port or unix:/path)`);
  }
  return broker;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
