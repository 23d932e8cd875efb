// What the group handlers derive from the connection: the client host Kafka reports for a member
// ("/" + remote address, as Kafka's DescribeGroups shows it) and the client id from the request header.
import type { RequestContext } from './handler.js';

export function clientHostOf(ctx: RequestContext): string {
  const remote = ctx.connection.remote;
  const colon = remote.lastIndexOf(':');
  // "ip:port" from TCP ("::1:5555" for IPv6: the port is after the last colon); "unix" for the socket.
  return colon > 0 ? `/${remote.slice(0, colon)}` : remote;
}

export function clientIdOf(ctx: RequestContext): string {
  return ctx.header.clientId ?? '';
}
