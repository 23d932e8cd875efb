import { Flags } from '@oclif/core';
import { BaseCommand, describeCommand, parseKeyValues } from '../../src/cli/index.js';
import { createLogger } from '../../src/common/index.js';

export default class BrokerStart extends BaseCommand {
  static override summary = 'run a broker in the foreground';
  static override description = describeCommand(
    [
      'Starts a Kafka-compatible broker in the foreground. It serves the Kafka protocol on a TCP listener ' +
        '(default 127.0.0.1:9092; port 0 picks a free port) and on a Unix socket (default <data-dir>/logctl.sock). ' +
        'Data lives in --data-dir (default $XDG_DATA_HOME/logctl, i.e. ~/.local/share/logctl).',
      'Settings use Kafka\'s broker config names, in a YAML file (--config) or one by one (--set log.retention.ms=3600000); --set wins over the file.',
      'Once ready it prints "listening on ..." on stderr, or with --ready-json one line on stdout: ' +
        '{"event":"ready","tcp":"127.0.0.1:9092","socket":"/path/logctl.sock","dataDir":"...","nodeId":0,"pid":1234,"metrics":null} (metrics: the --metrics address once bound). ' +
        'SIGINT or SIGTERM stops it gracefully (in-flight requests finish, logs are flushed) and it exits 0.',
    ].join('\n\n'),
    { environment: false },
  );
  static override examples = [
    '<%= config.bin %> broker start',
    '<%= config.bin %> broker start --data-dir /var/lib/logctl --listen 0.0.0.0:9092 --set num.partitions=6',
    '<%= config.bin %> broker start --data-dir /tmp/logctl-test --listen 127.0.0.1:0 --no-socket --ready-json',
    '<%= config.bin %> broker start --metrics 0.0.0.0:9308 --log-level warn',
    '<%= config.bin %> broker start --node-id 1 --cluster etcd://127.0.0.1:2379 --listen 127.0.0.1:9093 --data-dir /tmp/logctl-1',
  ];
  static override flags = {
    'data-dir': Flags.string({ description: 'directory for logs and metadata (default: $XDG_DATA_HOME/logctl)', helpValue: 'DIR' }),
    listen: Flags.string({ description: 'TCP listener, port 0 for a free port (default: 127.0.0.1:9092)', helpValue: 'HOST:PORT' }),
    socket: Flags.string({ description: 'Unix socket path (default: <data-dir>/logctl.sock)', helpValue: 'PATH', exclusive: ['no-socket'] }),
    'no-socket': Flags.boolean({ description: 'do not listen on a Unix socket' }),
    config: Flags.string({ description: 'YAML file of broker settings with Kafka names (log.retention.ms: 86400000)', helpValue: 'FILE' }),
    set: Flags.string({ description: 'broker setting key=value, Kafka name (repeatable)', multiple: true, helpValue: 'KEY=VALUE' }),
    'ready-json': Flags.boolean({ description: 'print one JSON line on stdout once ready, for scripts' }),
    cluster: Flags.string({
      description: 'join a cluster coordinated by etcd (broker config cluster.etcd); without it the broker runs alone with local metadata',
      helpValue: 'etcd://HOST:PORT[,HOST:PORT][/NAME]',
    }),
    'node-id': Flags.string({ description: 'this broker\'s id, unique in the cluster (broker config node.id, default 0)', helpValue: 'N' }),
    advertise: Flags.string({ description: 'address other brokers and clients connect to (broker config advertised.listeners)', helpValue: 'HOST:PORT' }),
    metrics: Flags.string({
      description: 'serve Prometheus metrics on http://HOST:PORT/metrics and health probes on /health (ready: 200, starting or stopping: 503) and /health/live (broker config metrics.listen)',
      helpValue: 'HOST:PORT',
    }),
    'log-level': Flags.string({
      description: 'least severe log level written to stderr (broker config log.level; default info, debug with --verbose). Logs are JSON lines when stderr is not a terminal',
      options: ['debug', 'info', 'warn', 'error', 'silent'],
      helpValue: 'LEVEL',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BrokerStart);
    // Imported here, not at the top: oclif loads every command class to list or find commands, and the
    // broker (storage, coordinator, etcd client) would otherwise slow down every other command's start.
    const { loadBrokerConfig, startBroker } = await import('../../src/broker/index.js');
    const input: Parameters<typeof loadBrokerConfig>[0] = { overrides: parseKeyValues(flags.set ?? [], '--set') };
    if (flags.config !== undefined) input.file = flags.config;
    if (flags.metrics !== undefined) input.metrics = flags.metrics;
    if (flags['log-level'] !== undefined) input.overrides['log.level'] = flags['log-level'];
    if (flags['data-dir'] !== undefined) input.dataDir = flags['data-dir'];
    if (flags.cluster !== undefined) input.cluster = flags.cluster;
    if (flags['node-id'] !== undefined) input.nodeId = flags['node-id'];
    if (flags.advertise !== undefined) input.advertise = flags.advertise;
    if (flags.listen !== undefined) input.listen = flags.listen;
    if (flags['no-socket']) input.socket = false;
    else if (flags.socket !== undefined) input.socket = flags.socket;
    const config = loadBrokerConfig(input);
    const logger = createLogger({ level: flags['log-level'] === undefined && flags.verbose ? 'debug' : config.logLevel });
    const signal = this.interruptSignal();
    const broker = await startBroker(config, logger);
    const tcp = `${broker.tcp.host.includes(':') ? `[${broker.tcp.host}]` : broker.tcp.host}:${broker.tcp.port}`;
    if (flags['ready-json']) {
      const metrics = broker.metricsAddress ? `${broker.metricsAddress.host}:${broker.metricsAddress.port}` : null;
      const ready = { event: 'ready', tcp, socket: broker.socketPath, dataDir: config.dataDir, nodeId: config.nodeId, pid: process.pid, metrics };
      process.stdout.write(JSON.stringify(ready) + '\n');
    } else {
      const socket = broker.socketPath ? ` and unix:${broker.socketPath}` : '';
      process.stderr.write(`logctl broker ${config.nodeId} listening on ${tcp}${socket} (data in ${config.dataDir})\n`);
    }
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await broker.stop();
  }
}
