// Kafka's ConfigResource.Type values used by DescribeConfigs and AlterConfigs.
export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;
