#!/usr/bin/python3
"""Bench client using librdkafka through Debian's python3-confluent-kafka (run with /usr/bin/python3).

Same protocol as the Node clients (see ../lib/child.mjs): JSON lines on stdout, {"event":"ready"} then
wait for "go" on stdin, then {"event":"result", ...}. Modes: produce | consume | lat-produce | lat-consume.
Arguments: --mode --bootstrap --topic --count --size [--intervalMs --warmup --steadyFrom].
"""
import json
import math
import os
import struct
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def parse_args(argv):
    out = {}
    for i in range(0, len(argv) - 1, 2):
        v = argv[i + 1]
        try:
            v = float(v) if '.' in v else int(v)
        except ValueError:
            pass
        out[argv[i].lstrip('-')] = v
    return out


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


CPU_AT_GO = []


def cpu_us():
    t = os.times()  # user+system of every thread of this process (librdkafka's included)
    return (t.user + t.system) * 1e6


def ready_and_wait_go():
    emit({'event': 'ready'})
    sys.stdin.readline()
    CPU_AT_GO.append(cpu_us())


def payloads(size):
    """Random (incompressible) values at varying offsets of a 16 MiB pool, like the Node clients."""
    pool = os.urandom(16 * 1024 * 1024)
    span = len(pool) - size

    def value(i):
        off = (i * 7919 * size) % span
        return pool[off:off + size]
    return value


def produce(a):
    p = Producer({'bootstrap.servers': a['bootstrap'], 'acks': 'all', 'queue.buffering.max.messages': 1000000})
    p.list_topics(a['topic'], timeout=10)
    value = payloads(a['size'])
    state = {'acked': 0, 'failed': 0, 'first_error': None, 'last': {}}

    def on_delivery(err, msg):
        # Every ack checked: no error, and offsets of a partition consecutive in send order.
        if err is not None:
            state['failed'] += 1
            state['first_error'] = state['first_error'] or str(err)
            return
        prev = state['last'].get(msg.partition(), -1)
        if msg.offset() != prev + 1:
            state['failed'] += 1
            state['first_error'] = state['first_error'] or 'offset %d after %d' % (msg.offset(), prev)
        else:
            state['acked'] += 1
        state['last'][msg.partition()] = msg.offset()

    ready_and_wait_go()
    t0 = time.perf_counter()
    topic, count = a['topic'], a['count']
    for i in range(count):
        while True:
            try:
                p.produce(topic, value(i), on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.001)
        if i % 1000 == 0:
            p.poll(0)
    p.flush(120)
    elapsed = (time.perf_counter() - t0) * 1000
    return {'records': count, 'acked': state['acked'], 'failed': state['failed'],
            'firstError': state['first_error'], 'bytes': count * a['size'], 'elapsedMs': elapsed}


def assigned_consumer(a):
    c = Consumer({'bootstrap.servers': a['bootstrap'], 'group.id': 'bench-%d' % os.getpid(),
                  'enable.auto.commit': False, 'enable.auto.offset.store': False,
                  'auto.offset.reset': 'earliest',
                  # librdkafka 2.0 stops fetching while its prefetch queue holds queued.min.messages
                  # (default 100,000) and refills it only at its broker thread's next wakeup, up to ~1 s
                  # after the application drained it (fetch.queue.backoff.ms in librdkafka >= 2.3): at the
                  # default this loop read 100,000 records in ~50 ms, then idled ~0.8 s (247k records/s,
                  # the client 25% busy). Raised as a throughput-minded user would.
                  'queued.min.messages': 1000000})
    meta = c.list_topics(a['topic'], timeout=10).topics[a['topic']]
    # Manual assignment from offset 0: no group membership needed (fetch only).
    c.assign([TopicPartition(a['topic'], p, 0) for p in meta.partitions])
    return c


def consume(a):
    c = assigned_consumer(a)
    ready_and_wait_go()
    t0 = time.perf_counter()
    records = 0
    nbytes = 0
    while records < a['count']:
        # Never ask for more than remain: consume(n, timeout) waits until it has n messages or times out.
        for m in c.consume(num_messages=min(10000, a['count'] - records), timeout=1.0):
            if m.error() is not None:
                if m.error().fatal():
                    raise KafkaException(m.error())
                continue
            records += 1
            nbytes += len(m.value())
    return {'records': records, 'bytes': nbytes, 'elapsedMs': (time.perf_counter() - t0) * 1000}


def lat_produce(a):
    p = Producer({'bootstrap.servers': a['bootstrap'], 'acks': 'all', 'linger.ms': 0})
    p.list_topics(a['topic'], timeout=10)
    filler = payloads(a['size'])(0)[8:]
    ready_and_wait_go()
    interval = a['intervalMs'] / 1000.0
    sent = 0
    t0 = time.monotonic()
    while sent < a['count']:
        due = min(a['count'], int((time.monotonic() - t0) / interval) + 1)
        while sent < due:
            p.produce(a['topic'], struct.pack('>q', time.monotonic_ns()) + filler, partition=0)
            sent += 1
        p.poll(0)
        time.sleep(max(0.0, t0 + sent * interval - time.monotonic()))
    p.flush(30)
    return {'records': sent, 'elapsedMs': (time.monotonic() - t0) * 1000}


def lat_consume(a):
    c = assigned_consumer(a)
    samples = []
    announced = False
    t_start = time.monotonic()
    while len(samples) < a['count']:
        # poll() returns as soon as one message is there; consume(n, timeout) would wait for n or timeout.
        m = c.poll(0.1)
        if m is not None and m.error() is None:
            samples.append(time.monotonic_ns() - struct.unpack_from('>q', m.value())[0])
        if not announced and time.monotonic() - t_start > 0.5:
            emit({'event': 'ready'})
            announced = True
    def figures(start):
        s = sorted(x / 1e6 for x in samples[start:])

        def pct(p):
            return s[min(len(s) - 1, max(0, int(math.ceil(p * len(s) / 100)) - 1))]
        return {'samples': len(s), 'p50': pct(50), 'p99': pct(99), 'p999': pct(99.9), 'max': s[-1]}
    return dict(figures(a['warmup']), steady=figures(a['steadyFrom']))


def main():
    a = parse_args(sys.argv[1:])
    modes = {'produce': produce, 'consume': consume, 'lat-produce': lat_produce, 'lat-consume': lat_consume}
    try:
        result = modes[a['mode']](a)
    except Exception as e:  # reported on the protocol, the orchestrator shows it
        emit({'event': 'error', 'message': '%s: %s' % (type(e).__name__, e)})
        sys.exit(1)
    result['event'] = 'result'
    result['cpuUs'] = cpu_us() - CPU_AT_GO[0] if CPU_AT_GO else None
    emit(result)
    os._exit(0)  # skip librdkafka's graceful teardown (consumer close waits for the group)


main()
