import { describe, expect, it } from 'vitest';
import { estimateUsage } from '../../src/estimate/estimate.js';
import { countPromptTokens } from '../../src/estimate/tokens.js';
import type { RequestFacts } from '../../src/providers/types.js';

const facts = (over: Partial<RequestFacts>): RequestFacts => ({ stream: false, promptText: 'Hello there, gateway!', ...over });

describe('prompt token counting', () => {
  it('uses o200k_base for the gpt-4o/4.1/5 and o-series families, exactly', () => {
    for (const model of ['gpt-4o-mini', 'gpt-4.1', 'gpt-5', 'o3', 'o4-mini-2025-04-16']) {
      expect(countPromptTokens(model, 'Hello world')).toMatchObject({ encoding: 'o200k_base', method: 'exact', tokens: 2 });
    }
  });

  it('uses cl100k_base for gpt-4, gpt-3.5 and the embedding models', () => {
    expect(countPromptTokens('text-embedding-3-small', 'Hello world')).toMatchObject({ encoding: 'cl100k_base', method: 'exact', tokens: 2 });
    expect(countPromptTokens('gpt-3.5-turbo', 'Hello world').encoding).toBe('cl100k_base');
  });

  it('labels Gemini and Grok counts as approximate (no public tokenizer)', () => {
    expect(countPromptTokens('gemini-2.5-flash', 'Hello world').method).toBe('approximate');
    expect(countPromptTokens('models/gemini-2.5-pro', 'Hello world').method).toBe('approximate');
    expect(countPromptTokens('grok-4', 'Hello world').method).toBe('approximate');
  });

  it('counts a huge prompt by bytes, conservatively, without tokenizing it', () => {
    const huge = 'a'.repeat(200_000);
    expect(countPromptTokens('gpt-4o', huge)).toEqual({ tokens: 100_000, method: 'approximate', encoding: 'bytes' });
  });

  it('an empty prompt is zero tokens', () => {
    expect(countPromptTokens('gpt-4o', '').tokens).toBe(0);
  });
});

describe('the estimate of a request', () => {
  it('prompt + framing, plus the named output maximum', () => {
    const e = estimateUsage(facts({ model: 'gpt-4o', maxOutputTokens: 300 }), 4096, true);
    expect(e.usage.inputTokens).toBe(e.prompt.tokens + 8);
    expect(e.usage.outputTokens).toBe(300);
  });

  it('the configurable cap when the request names no maximum', () => {
    expect(estimateUsage(facts({ model: 'gpt-4o' }), 1234, true).usage.outputTokens).toBe(1234);
  });

  it('a Gemini thinking budget is added on top of the output maximum', () => {
    const e = estimateUsage(facts({ model: 'gemini-2.5-flash', maxOutputTokens: 100, reasoningBudgetTokens: 2048 }), 4096, true);
    expect(e.usage).toMatchObject({ outputTokens: 2148, reasoningTokens: 2048 });
  });

  it('a reasoning effort adds an allowance only when no maximum bounds the output', () => {
    expect(estimateUsage(facts({ model: 'o3', reasoningEffort: 'high' }), 4096, true).usage.outputTokens).toBe(4096 + 32768);
    expect(estimateUsage(facts({ model: 'o3', reasoningEffort: 'high', maxOutputTokens: 500 }), 4096, true).usage.outputTokens).toBe(500);
  });

  it('embeddings generate no output', () => {
    expect(estimateUsage(facts({ model: 'text-embedding-3-small' }), 4096, false).usage.outputTokens).toBe(0);
  });
});
