import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import { contract } from './store-contract.js';

contract('memory', async () => {
  const store = new MemoryBudgetStore();
  // One process is one "instance": the peer is the same store.
  return { store, peer: store, dispose: () => store.close() };
});
