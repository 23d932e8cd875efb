// DeleteTopics: removes the topic from cluster metadata, then its logs.
import {
  DeleteTopics,
  type DeletableTopicResult,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
} from '../../protocol/index.js';
import { toErrorCode } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const deleteTopicsHandler: Handler<DeleteTopicsRequest, DeleteTopicsResponse> = {
  codec: DeleteTopics,
  minVersion: 1,
  maxVersion: 1,
  async handle(request, _version, ctx) {
    const responses: DeletableTopicResult[] = [];
    for (const name of request.topicNames) {
      try {
        await ctx.broker.topics.delete(name);
        // Committed offsets of a deleted topic would otherwise resurface if the name is reused.
        await ctx.broker.groupCoordinator.deleteTopicOffsets(name);
        responses.push({ name, errorCode: 0 });
      } catch (err) {
        responses.push({ name, errorCode: toErrorCode(err, ctx.broker.logger, { api: 'DeleteTopics', topic: name }) });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
};
