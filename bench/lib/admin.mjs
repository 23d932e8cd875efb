// Topic setup and verification through logctl's own admin client (built code in dist/).
import { distUrl } from './build.mjs';

const { KafkaClient, Admin } = await import(distUrl('src/client/index.js'));

export async function withClient(bootstrap, fn) {
  const client = await KafkaClient.connect({ broker: bootstrap, clientId: 'bench-admin' });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export async function createTopic(bootstrap, name, numPartitions = 1) {
  await withClient(bootstrap, async (client) => {
    const [res] = await new Admin(client).createTopics([{ name, numPartitions, replicationFactor: 1, configs: {} }]);
    if (res.errorCode !== 0) throw new Error(`create topic ${name}: error ${res.errorCode} ${res.errorMessage ?? ''}`);
    await client.topicMetadata(name, { refresh: true });
  });
}

/** Records stored in the topic: sum over partitions of highWatermark − logStartOffset. */
export async function storedCount(bootstrap, topic) {
  return withClient(bootstrap, async (client) => {
    const meta = await client.topicMetadata(topic, { refresh: true });
    const parts = meta.partitions.map((p) => p.partition);
    const [ends, starts] = await Promise.all([client.listOffsets(topic, parts, -1), client.listOffsets(topic, parts, -2)]);
    let n = 0;
    for (const p of parts) n += (ends.get(p)?.offset ?? 0) - (starts.get(p)?.offset ?? 0);
    return n;
  });
}
