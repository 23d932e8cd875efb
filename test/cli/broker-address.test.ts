import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/index.js';
import { localSocketPath, resolveBrokerAddress } from '../../src/cli/broker-address.js';

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logctl-addr-'));
  env = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data') };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeConfig(text: string): void {
  mkdirSync(join(root, 'config', 'logctl'), { recursive: true });
  writeFileSync(join(root, 'config', 'logctl', 'config.yaml'), text);
}

function makeSocketFile(): string {
  const path = localSocketPath(env);
  mkdirSync(join(root, 'data', 'logctl'), { recursive: true });
  writeFileSync(path, '');
  return path;
}

describe('resolveBrokerAddress', () => {
  it('falls back to 127.0.0.1:9092 when nothing is configured', () => {
    expect(resolveBrokerAddress({ env })).toEqual({ address: '127.0.0.1:9092', source: 'default' });
  });

  it('prefers the local socket to the default when it exists', () => {
    const path = makeSocketFile();
    expect(path).toBe(join(root, 'data', 'logctl', 'logctl.sock'));
    expect(resolveBrokerAddress({ env })).toEqual({ address: `unix:${path}`, source: 'socket' });
  });

  it('uses ~/.config and ~/.local/share under HOME when XDG variables are unset', () => {
    const home = { HOME: join(root, 'home') };
    mkdirSync(join(root, 'home', '.config', 'logctl'), { recursive: true });
    writeFileSync(join(root, 'home', '.config', 'logctl', 'config.yaml'), 'profiles:\n  default:\n    broker: home:1\n');
    expect(resolveBrokerAddress({ env: home })).toEqual({ address: 'home:1', source: 'profile' });
    expect(localSocketPath(home)).toBe(join(root, 'home', '.local', 'share', 'logctl', 'logctl.sock'));
  });

  it('takes the default profile before the socket, a named profile with --profile', () => {
    makeSocketFile();
    writeConfig('profiles:\n  default:\n    broker: dflt:9092\n  prod: { broker: "unix:/run/prod.sock" }\n');
    expect(resolveBrokerAddress({ env })).toEqual({ address: 'dflt:9092', source: 'profile' });
    expect(resolveBrokerAddress({ env, profile: 'prod' })).toEqual({ address: 'unix:/run/prod.sock', source: 'profile' });
  });

  it('takes LOGCTL_BROKER before profiles, and the flag before everything', () => {
    writeConfig('profiles:\n  default:\n    broker: dflt:9092\n');
    env.LOGCTL_BROKER = 'env:1234';
    expect(resolveBrokerAddress({ env, profile: 'default' })).toEqual({ address: 'env:1234', source: 'env' });
    expect(resolveBrokerAddress({ env, flag: 'flag:1' })).toEqual({ address: 'flag:1', source: 'flag' });
  });

  it('skips a config without a default profile, but a missing --profile is a usage error', () => {
    writeConfig('profiles:\n  prod:\n    broker: p:1\n');
    expect(resolveBrokerAddress({ env }).source).toBe('default');
    expect(() => resolveBrokerAddress({ env, profile: 'staging' })).toThrow(UsageError);
    expect(() => resolveBrokerAddress({ env, profile: 'staging' })).toThrow("profile 'staging' not found");
  });

  it('reports a missing config file for --profile, bad YAML and a profile without broker', () => {
    expect(() => resolveBrokerAddress({ env, profile: 'prod' })).toThrow('does not exist');
    writeConfig('profiles: [unclosed');
    expect(() => resolveBrokerAddress({ env })).toThrow(UsageError);
    writeConfig('profiles:\n  default:\n    host: x\n');
    expect(() => resolveBrokerAddress({ env })).toThrow('has no "broker"');
  });
});
