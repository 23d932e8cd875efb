"""kafka-python 2.0.2 (Debian python3-kafka) against a logctl broker: admin create, produce with every codec,
read back with an assigned consumer. Prints one JSON object with what it saw; the vitest file asserts it."""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(name=topic, num_partitions=2, replication_factor=1)])
topics = admin.list_topics()
admin.close()

sent = []
for codec in [None, "gzip", "snappy", "lz4", "zstd"]:
    producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type=codec, acks="all", linger_ms=5)
    futures = []
    for i in range(200):
        key = f"{codec}-{i}".encode()
        value = json.dumps({"codec": codec, "i": i}).encode()
        futures.append(producer.send(topic, key=key, value=value, headers=[("h", key)]))
        sent.append([key.decode(), value.decode()])
    for f in futures:
        f.get(timeout=10)
    producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=3000, enable_auto_commit=False)
parts = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
consumer.assign(parts)
consumer.seek_to_beginning(*parts)
received = []
for msg in consumer:
    received.append([msg.key.decode(), msg.value.decode(), msg.partition, msg.offset, [[k, v.decode()] for k, v in msg.headers]])
end_offsets = consumer.end_offsets(parts)
consumer.close()
print(json.dumps({
    "topicListed": topic in topics,
    "sent": sent,
    "received": received,
    "endOffsets": {str(tp.partition): off for tp, off in end_offsets.items()},
}))
