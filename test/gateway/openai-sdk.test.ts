// The openai SDK on /openai/v1 (and the /v1 alias): the shared OpenAI-API suite, plus what only
// this route has.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { withoutPerCallFields } from '../support/normalize.js';
import { openAiCompatibleSuite } from './openai-compatible-suite.js';

const ctx = openAiCompatibleSuite({
  prefix: '/openai/v1',
  upstreamKey: 'sk-upstream-openai-secret',
  chatModel: 'gpt-4o-mini',
  responsesModel: 'gpt-4.1',
  embeddingModel: 'text-embedding-3-small',
});

describe('OpenAI only', () => {
  it('the /v1 alias serves OpenAI too', async () => {
    const client = new OpenAI({ baseURL: `${ctx.t.url}/v1`, apiKey: ctx.t.key, maxRetries: 0 });
    const data = await client.chat.completions.create(ctx.chat);
    expect(withoutPerCallFields(data)).toEqual(withoutPerCallFields(await ctx.direct.chat.completions.create(ctx.chat)));
  });

  it('a missing key is a 401 in the OpenAI shape with a request id, and nothing goes upstream', async () => {
    ctx.t.simulator.clearRequests();
    const missing = await fetch(`${ctx.t.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ctx.chat) });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-request-id')).toBeTruthy();
    const body = (await missing.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(ctx.t.simulator.requests).toHaveLength(0);
  });
});
