import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/** What changed; every gateway reloads that part from the database on a notice. */
export type ChangeTopic = 'prices' | 'budgets' | 'keys';


/**
 * Tells every gateway instance that prices, budgets or keys changed, so they reload within
 * moments instead of at the next refresh tick. Redis pub/sub when Redis is configured;
 * in-process otherwise (a single embedded gateway). A lost notice only delays a change
 * until the periodic refresh, never loses it.
 */
export interface ChangeFeed {
  publish(topic: ChangeTopic): Promise<void>;
  subscribe(listener: (topic: ChangeTopic) => void): void;
  close(): Promise<void>;
}

export class LocalChangeFeed implements ChangeFeed {
  private readonly emitter = new EventEmitter();
  async publish(topic: ChangeTopic): Promise<void> {
    this.emitter.emit('change', topic);
  }
  subscribe(listener: (topic: ChangeTopic) => void): void {
    this.emitter.on('change', listener);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

export class RedisChangeFeed implements ChangeFeed {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners: Array<(topic: ChangeTopic) => void> = [];

  private readonly channel: string;

  constructor(url: string, prefix: string) {
    this.channel = `${prefix}changes`;
    // A subscribed connection can do nothing else, hence two.
    this.publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(url, { lazyConnect: false });
    this.publisher.on('error', () => {});
    this.subscriber.on('error', () => {});
    void this.subscriber.subscribe(this.channel).catch(() => {});
    this.subscriber.on('message', (_channel: string, message: string) => {
      if (message === 'prices' || message === 'budgets' || message === 'keys') {
        for (const listener of this.listeners) listener(message);
      }
    });
  }

  async publish(topic: ChangeTopic): Promise<void> {
    await this.publisher.publish(this.channel, topic);
  }

  subscribe(listener: (topic: ChangeTopic) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}

export function createChangeFeed(redisUrl: string | undefined, prefix: string): ChangeFeed {
  return redisUrl ? new RedisChangeFeed(redisUrl, prefix) : new LocalChangeFeed();
}
