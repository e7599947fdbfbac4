// xAI is OpenAI-compatible: its users keep the openai SDK and change only the base URL and key.
// The shared OpenAI-API suite on /xai/v1, plus what only xAI reports.
import { describe, expect, it } from 'vitest';
import { withoutPerCallFields } from '../support/normalize.js';
import { openAiCompatibleSuite } from './openai-compatible-suite.js';

const ctx = openAiCompatibleSuite({
  prefix: '/xai/v1',
  upstreamKey: 'xai-upstream-secret',
  chatModel: 'grok-4',
  responsesModel: 'grok-4',
  embeddingModel: 'grok-embed',
});

describe('xAI only', () => {
  it('a chat completion carries reasoning tokens and cost_in_usd_ticks, as a direct call does', async () => {
    const { data, response } = await ctx.viaGateway.chat.completions.create(ctx.chat).withResponse();
    expect(withoutPerCallFields(data)).toEqual(withoutPerCallFields(await ctx.direct.chat.completions.create(ctx.chat)));
    expect(response.headers.get('x-tollgate-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect((data.usage as unknown as { cost_in_usd_ticks?: number }).cost_in_usd_ticks).toBeGreaterThan(0);
  });

  it('the models list has xAI models', async () => {
    const ids: string[] = [];
    for await (const model of ctx.viaGateway.models.list()) ids.push(model.id);
    expect(ids).toContain('grok-4-0709');
  });
});
