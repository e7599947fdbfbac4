import { describe, expect, it } from 'vitest';
import { geminiAdapter } from '../../src/providers/gemini/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import { xaiAdapter } from '../../src/providers/xai/index.js';
import { wireJson } from './helpers.js';

const CHAT = openaiAdapter.matchRoute('POST', '/chat/completions');
const RESPONSES = openaiAdapter.matchRoute('POST', '/responses');
const EMBEDDINGS = openaiAdapter.matchRoute('POST', '/embeddings');
const MODELS = openaiAdapter.matchRoute('GET', '/models');

describe('OpenAI requestFacts', () => {
  it('chat: model, stream, limits, effort, tier and every text part (images skipped)', () => {
    const body = {
      model: 'gpt-5',
      stream: true,
      max_completion_tokens: 500,
      max_tokens: 900,
      reasoning_effort: 'high',
      service_tier: 'flex',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: 'data:...' } }, { type: 'text', text: 'this.' }] },
        { role: 'assistant', content: null, tool_calls: [] },
        'garbage',
      ],
    };
    expect(openaiAdapter.requestFacts(CHAT, body)).toEqual({
      model: 'gpt-5',
      stream: true,
      maxOutputTokens: 500,
      reasoningEffort: 'high',
      serviceTier: 'flex',
      promptText: 'Be brief.\nDescribe\nthis.',
    });
  });

  it('chat: max_tokens when max_completion_tokens is absent; garbage limits ignored', () => {
    expect(openaiAdapter.requestFacts(CHAT, { model: 'm', max_tokens: 64, messages: [] })).toMatchObject({ maxOutputTokens: 64, stream: false });
    expect(openaiAdapter.requestFacts(CHAT, { model: 'm', max_tokens: -5, messages: [] }).maxOutputTokens).toBeUndefined();
    expect(openaiAdapter.requestFacts(CHAT, { model: 'm', max_completion_tokens: '64', messages: [] }).maxOutputTokens).toBeUndefined();
  });

  it('responses: instructions + string input, max_output_tokens, reasoning.effort', () => {
    const body = { model: 'o3', instructions: 'You are terse.', input: 'Hello', max_output_tokens: 256, reasoning: { effort: 'low' }, stream: true };
    expect(openaiAdapter.requestFacts(RESPONSES, body)).toEqual({
      model: 'o3',
      stream: true,
      maxOutputTokens: 256,
      reasoningEffort: 'low',
      promptText: 'You are terse.\nHello',
    });
  });

  it('responses: item input with text parts and tool output; max_tokens is not its field', () => {
    const body = {
      model: 'gpt-4.1',
      max_tokens: 999,
      input: [
        { role: 'user', content: 'plain' },
        { role: 'user', content: [{ type: 'input_text', text: 'part' }, { type: 'input_image', image_url: 'https://x' }] },
        { type: 'function_call_output', call_id: 'c1', output: '{"ok":true}' },
        { type: 'reasoning', summary: [] },
      ],
    };
    const facts = openaiAdapter.requestFacts(RESPONSES, body);
    expect(facts.promptText).toBe('plain\npart\n{"ok":true}');
    expect(facts.maxOutputTokens).toBeUndefined();
  });

  it.each([
    [{ model: 'text-embedding-3-small', input: 'one' }, 'one'],
    [{ model: 'text-embedding-3-small', input: ['one', 'two'] }, 'one\ntwo'],
    [{ model: 'text-embedding-3-small', input: [1, 2, 3] }, ''],
  ])('embeddings input %j', (body, text) => {
    expect(openaiAdapter.requestFacts(EMBEDDINGS, body)).toEqual({ model: 'text-embedding-3-small', stream: false, promptText: text });
  });

  it.each([null, [], 'text', 42])('a body that is not an object (%j) gives empty facts', (body) => {
    expect(openaiAdapter.requestFacts(CHAT, body)).toEqual({ stream: false, promptText: '' });
  });

  it('listings carry no prompt', () => {
    expect(openaiAdapter.requestFacts(MODELS, undefined)).toEqual({ stream: false, promptText: '' });
  });
});

describe('OpenAI prepareBody', () => {
  const facts = { stream: true, promptText: '' };
  it('asks for stream usage when the client did not, and says to strip it', () => {
    const body = { model: 'm', stream: true, messages: [] };
    const prepared = openaiAdapter.prepareBody(CHAT, body, facts);
    expect(prepared).toEqual({ body: { model: 'm', stream: true, messages: [], stream_options: { include_usage: true } }, stripInjectedUsage: true });
    expect(body).toEqual({ model: 'm', stream: true, messages: [] }); // the parsed request is not mutated
  });

  it('keeps the client’s other stream options', () => {
    const body = { model: 'm', stream: true, stream_options: { include_usage: false, include_obfuscation: false } };
    expect(openaiAdapter.prepareBody(CHAT, body, facts)).toEqual({
      body: { model: 'm', stream: true, stream_options: { include_usage: true, include_obfuscation: false } },
      stripInjectedUsage: true,
    });
  });

  it('changes nothing when the client asked for usage itself', () => {
    const body = { model: 'm', stream: true, stream_options: { include_usage: true } };
    const prepared = openaiAdapter.prepareBody(CHAT, body, facts);
    expect(prepared.body).toBe(body);
    expect(prepared.stripInjectedUsage).toBe(false);
  });

  it.each([
    ['non-stream chat', CHAT, { model: 'm', stream: false }],
    ['responses stream (usage comes in response.completed)', RESPONSES, { model: 'm', stream: true }],
    ['embeddings', EMBEDDINGS, { model: 'm', input: 'x' }],
    ['malformed stream_options (left for upstream to reject)', CHAT, { model: 'm', stream: true, stream_options: 'yes' }],
  ])('leaves %s alone', (_name, route, body) => {
    const prepared = openaiAdapter.prepareBody(route, body, facts);
    expect(prepared.body).toBe(body);
    expect(prepared.stripInjectedUsage).toBe(false);
  });

  it('xAI behaves the same (it honours stream_options.include_usage)', () => {
    expect(xaiAdapter.prepareBody(CHAT, { model: 'grok-4', stream: true }, facts).stripInjectedUsage).toBe(true);
  });
});

describe('Gemini requestFacts', () => {
  const generate = geminiAdapter.matchRoute('POST', '/models/gemini-2.5-flash:generateContent');
  const stream = geminiAdapter.matchRoute('POST', '/models/gemini-2.5-flash:streamGenerateContent');

  it('the countTokens request fixture', () => {
    const route = geminiAdapter.matchRoute('POST', '/models/gemini-2.5-flash:countTokens');
    expect(geminiAdapter.requestFacts(route, wireJson('gemini_count_tokens_request.json'))).toEqual({
      model: 'gemini-2.5-flash',
      stream: false,
      promptText: 'The quick brown fox jumps over the lazy dog.',
    });
  });

  it('model and streaming from the path; limits, thinking budget and all text from the body', () => {
    const body = {
      systemInstruction: { parts: [{ text: 'Answer in French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Why is the sky blue?' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ text: 'Rayleigh.' }] },
      ],
      generationConfig: { maxOutputTokens: 800, thinkingConfig: { thinkingBudget: 1024 } },
    };
    expect(geminiAdapter.requestFacts(stream, body)).toEqual({
      model: 'gemini-2.5-flash',
      stream: true,
      maxOutputTokens: 800,
      reasoningBudgetTokens: 1024,
      promptText: 'Answer in French.\nWhy is the sky blue?\nRayleigh.',
    });
  });

  it('a dynamic budget (-1) is unknown; thinkingLevel is an effort; snake_case is read too', () => {
    const facts = geminiAdapter.requestFacts(generate, {
      contents: [{ parts: [{ text: 'hi' }] }],
      generation_config: { max_output_tokens: 50, thinking_config: { thinking_budget: -1, thinking_level: 'low' } },
    });
    expect(facts).toEqual({ model: 'gemini-2.5-flash', stream: false, maxOutputTokens: 50, reasoningEffort: 'low', promptText: 'hi' });
  });

  it('embedContent and batchEmbedContents text', () => {
    const embed = geminiAdapter.matchRoute('POST', '/models/gemini-embedding-001:embedContent');
    expect(geminiAdapter.requestFacts(embed, { content: { parts: [{ text: 'a' }] } }).promptText).toBe('a');
    const batch = geminiAdapter.matchRoute('POST', '/models/gemini-embedding-001:batchEmbedContents');
    const body = { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } }, { content: { parts: [{ text: 'b' }] } }] };
    expect(geminiAdapter.requestFacts(batch, body).promptText).toBe('a\nb');
  });

  it('prepareBody changes nothing (Gemini always reports usage)', () => {
    const body = { contents: [] };
    expect(geminiAdapter.prepareBody(stream, body, { stream: true, promptText: '' })).toEqual({ body, stripInjectedUsage: false });
  });
});
